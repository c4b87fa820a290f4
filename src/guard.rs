//! Panics over hostile bytes: one file's failure, told in its `files` row.
//!
//! Third-party readers (calamine, the built-in PDF reader) sometimes panic on
//! broken input. jixiao catches those panics and turns them into a `failed`
//! row, but Rust's default hook would still print each one — with a whole
//! backtrace when `RUST_BACKTRACE` is set — on stderr, even under `--quiet`,
//! for a file the run has already dealt with. Inside [`catching`] the hook
//! [`quiet_caught_panics`] installs keeps the message and where it happened
//! for the failure instead; any other panic (a bug of the run itself) is
//! printed as before.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// Whether this thread is inside [`catching`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last caught panic of this thread happened, as the hook saw it.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the hook (at the start of `main`; later calls do nothing).
pub fn quiet_caught_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", short_path(l.file()), l.line()));
                LOCATION.with(|slot| *slot.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `work`; a panic becomes `Err` with its message and, when the hook is
/// installed, where it happened (`index out of bounds … (at calamine-0.38.0/src/utils.rs:38)`).
pub fn catching<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    let outer = CATCHING.with(|c| c.replace(true));
    LOCATION.with(|slot| slot.borrow_mut().take());
    let result = catch_unwind(AssertUnwindSafe(work));
    CATCHING.with(|c| c.set(outer));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        match LOCATION.with(|slot| slot.borrow_mut().take()) {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

/// A dependency's source path from its crate folder on
/// (`…/registry/src/index…/calamine-0.38.0/src/xls.rs` → `calamine-0.38.0/src/xls.rs`):
/// enough to report the bug upstream, without the building machine's folders.
fn short_path(file: &str) -> &str {
    let Some(i) = file.find("/registry/src/") else {
        return file;
    };
    let after_index = file.get(i + "/registry/src/".len()..).unwrap_or(file);
    after_index.split_once('/').map_or(after_index, |(_, rest)| rest)
}

/// How work run under a time budget ended.
#[derive(Debug)]
pub(crate) enum Budget<T> {
    Done(T),
    Overran,
    /// The work panicked: the panic's message and place.
    Panicked(String),
    NotStarted(std::io::Error),
}

/// Runs `work` on a thread of its own and waits at most `seconds` for it. A
/// thread cannot be killed: one that overruns is left to finish (or to end with
/// the process), and its file fails, so that one hostile file cannot hang the
/// batch. A panic is caught on that thread and told. (External converters,
/// processes, are killed instead.)
pub(crate) fn within_budget<T: Send + 'static>(
    name: &str,
    seconds: u64,
    work: impl FnOnce() -> T + Send + 'static,
) -> Budget<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(name.into())
        // Parsers recurse over nested objects: the stack of a main thread.
        .stack_size(8 << 20)
        .spawn(move || {
            // The receiver is gone when the budget ran out: nothing to tell.
            let _ = tx.send(catching(work));
        });
    if let Err(e) = spawned {
        return Budget::NotStarted(e);
    }
    match rx.recv_timeout(std::time::Duration::from_secs(seconds.max(1))) {
        Ok(Ok(v)) => Budget::Done(v),
        Ok(Err(why)) => Budget::Panicked(why),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Budget::Overran,
        // Not reached (`catching` sends what a panic left); a thread that ends unheard gave up all the same.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Budget::Panicked("its thread ended".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_becomes_its_message_and_place() {
        quiet_caught_panics();
        assert_eq!(catching(|| 7), Ok(7));
        let err = catching(|| -> u8 {
            let v: Vec<u8> = Vec::new();
            v[usize::from(std::hint::black_box(3u8))]
        })
        .unwrap_err();
        assert!(err.starts_with("index out of bounds"), "{err}");
        assert!(err.contains("(at src/guard.rs:"), "{err}");
        let err = catching(|| -> u8 { panic!("hostile {}", "bytes") }).unwrap_err();
        assert!(err.starts_with("hostile bytes (at src/guard.rs:"), "{err}");
    }

    #[test]
    fn nested_catching_keeps_the_outer_scope_quiet() {
        quiet_caught_panics();
        let outer = catching(|| {
            let inner = catching(|| -> u8 { panic!("inner") });
            assert!(inner.unwrap_err().starts_with("inner"));
            // Still inside the outer scope: this panic is caught quietly too.
            assert!(CATCHING.with(Cell::get));
            panic!("outer")
        });
        assert!(outer.unwrap_err().starts_with("outer"));
        assert!(!CATCHING.with(Cell::get));
    }

    #[test]
    fn work_within_its_budget_is_done_and_work_past_it_is_left_behind() {
        assert!(matches!(within_budget("t", 5, || 7), Budget::Done(7)));
        // A reader stuck on a hostile file: the caller goes on after the budget.
        let stuck = within_budget("t", 1, || std::thread::sleep(std::time::Duration::from_secs(30)));
        assert!(matches!(stuck, Budget::Overran), "{stuck:?}");
        let panicked = within_budget("t", 5, || -> u8 { panic!("hostile bytes") });
        assert!(
            matches!(&panicked, Budget::Panicked(m) if m.starts_with("hostile bytes")),
            "{panicked:?}"
        );
    }

    #[test]
    fn dependency_paths_start_at_the_crate_folder() {
        assert_eq!(
            short_path("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/adobe-cmap-parser-0.4.1/src/lib.rs"),
            "adobe-cmap-parser-0.4.1/src/lib.rs"
        );
        assert_eq!(short_path("src/guard.rs"), "src/guard.rs");
    }
}
