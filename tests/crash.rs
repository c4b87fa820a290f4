//! Crash safety: a run killed with SIGKILL at any moment leaves every output
//! whole and readable (each is written to a temporary name and renamed into
//! place, `manifest.json` last), and the next run cleans up after it.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use polars::prelude::*;

fn jixiao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
}

/// Every output that exists is complete: Parquet readable, workbook a valid
/// package, manifest valid JSON.
fn assert_whole(out: &Path) {
    for table in jixiao::output::TABLES {
        let p = out.join(format!("{table}.parquet"));
        let f = std::fs::File::open(&p).unwrap_or_else(|e| panic!("{table}: {e}"));
        ParquetReader::new(f)
            .finish()
            .unwrap_or_else(|e| panic!("{table}.parquet is not whole: {e}"));
    }
    let xlsx = std::fs::read(out.join("jixiao.xlsx")).unwrap();
    ::zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("jixiao.xlsx is a whole package");
    let m = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&m).expect("manifest.json is whole");
}

/// The previous run (the seeds into `dir/out`) and a corpus of `n` distinct
/// variants of the seeds in `dir/big`.
fn previous_run_and_big_corpus(dir: &Path, n: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let out = dir.join("out");
    let ok = jixiao()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(common::reports_dir())
        .status()
        .unwrap();
    assert!(ok.success());
    let input = dir.join("big");
    std::fs::create_dir_all(&input).unwrap();
    let seeds: Vec<Vec<u8>> = std::fs::read_dir(common::reports_dir())
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    for i in 0..n {
        let mut bytes = seeds[i % seeds.len()].clone();
        bytes.extend_from_slice(format!("\n附注 {i}。").as_bytes());
        std::fs::write(input.join(format!("r{i:04}.txt")), bytes).unwrap();
    }
    (out, input)
}

#[cfg(unix)]
#[test]
fn a_run_killed_mid_write_leaves_the_previous_outputs_whole() {
    let tmp = tempfile::tempdir().unwrap();
    // A bigger corpus, so that the kill can land while outputs are written.
    let (out, input) = previous_run_and_big_corpus(tmp.path(), 400);
    assert_whole(&out);
    // Kill at a spread of moments; whatever the moment, every output is whole.
    for delay_ms in [5u64, 20, 60, 120, 200, 300, 450, 700] {
        let mut child = jixiao()
            .args(["run", "--quiet", "--jobs", "2", "--out"])
            .arg(&out)
            .arg(&input)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_whole(&out);
    }
    // The next complete run leaves no temporary file behind.
    let ok = jixiao()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&input)
        .status()
        .unwrap();
    assert!(ok.success());
    assert_whole(&out);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_output_folder_with_foreign_files_is_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("budget_2023.xlsx"), b"someone else's work").unwrap();
    let o = jixiao()
        .args(["run", "--out"])
        .arg(&out)
        .arg(common::reports_dir())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert!(!out.join("reports.parquet").exists());
    assert_eq!(
        std::fs::read(out.join("budget_2023.xlsx")).unwrap(),
        b"someone else's work"
    );
    let o = jixiao()
        .args(["run", "--force", "--quiet", "--out"])
        .arg(&out)
        .arg(common::reports_dir())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(out.join("reports.parquet").exists());
    assert!(
        out.join("budget_2023.xlsx").exists(),
        "--force writes beside, never deletes"
    );
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_leaves_the_previous_outputs_and_cache_untouched() {
    use std::io::BufRead;
    use std::process::Stdio;

    let tmp = tempfile::tempdir().unwrap();
    let (out, input) = previous_run_and_big_corpus(tmp.path(), 3000);
    let before = snapshot(&out);
    // stderr is a pipe, so progress comes as one line per batch of 1,024 files.
    let mut child = jixiao()
        .args(["run", "--jobs", "1", "--out"])
        .arg(&out)
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if line.contains("1024/3000 files") {
            let sent = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {seen}");
    assert!(seen.contains("interrupted"), "{seen}");
    // Nothing half-written, nothing replaced: outputs and cache are the previous run's.
    assert_eq!(snapshot(&out), before);
}
