//! External converters (pdftotext, soffice) run with a time budget and are
//! killed when they overrun it.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub enum Outcome {
    Done {
        status: ExitStatus,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    TimedOut,
    NotStarted(String),
}

/// Whether a program can be started (looked up once per name and cached).
pub fn available(program: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(map) = cache.lock() {
        if let Some(&v) = map.get(program) {
            return v;
        }
    }
    let ok = Command::new(program)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if let Ok(mut map) = cache.lock() {
        map.insert(program.to_string(), ok);
    }
    ok
}

/// Runs `cmd`, collecting its output, and kills it after `timeout_secs`.
/// Standard output is read up to `max_stdout` bytes and one more (so the caller
/// can tell it overflowed); then the pipe is closed, which ends a child still
/// writing (a PDF that expands into gigabytes of text).
pub fn run_with_timeout(mut cmd: Command, timeout_secs: u64, max_stdout: u64) -> Outcome {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::NotStarted(e.to_string()),
    };
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(p) = out_pipe.take() {
            let _ = p.take(max_stdout.saturating_add(1)).read_to_end(&mut v);
        }
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.take(64 * 1024).read_to_end(&mut v);
        }
        v
    });
    let deadline = Instant::now() + Duration::from_secs(timeout_secs.max(1));
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() >= deadline => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    match status {
        Some(status) => Outcome::Done {
            status,
            stdout: out_t.join().unwrap_or_default(),
            stderr: err_t.join().unwrap_or_default(),
        },
        None => {
            let _ = child.kill();
            let _ = child.wait();
            let _ = out_t.join();
            let _ = err_t.join();
            Outcome::TimedOut
        }
    }
}
