//! Any bytes under any extension through the in-process readers (calamine,
//! the DOCX reader, the built-in PDF reader, text decoding), as the pipeline
//! runs them: a panic is that file's failed row (the pipeline catches it per
//! file, and the PDF reader runs on a thread of its own), so panics are caught
//! here too; what this target hunts is what no catch survives — an allocation
//! abort, a stack overflow, memory without bound, a hang. The first byte picks
//! the extension. Run it with a memory limit and a time limit:
//! `cargo +nightly fuzz run document -- -rss_limit_mb=2048 -timeout=30`.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn config() -> &'static jixiao::config::Config {
    static C: OnceLock<jixiao::config::Config> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = jixiao::Rules::bundled().expect("bundled rules").config;
        // In-process only: no external converter, a short budget.
        c.formats.pdf_reader = "builtin".into();
        c.formats.timeout_seconds = 5;
        c
    })
}

fuzz_target!(
    init: {
        // libFuzzer's hook aborts on every panic; the pipeline does not.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
        let Some((&pick, bytes)) = data.split_first() else { return };
        let ext = ["xlsx", "xls", "docx", "pdf", "txt"][usize::from(pick) % 5];
        let _ = std::panic::catch_unwind(|| {
            jixiao::ingest::read_document(std::path::Path::new("fuzz.bin"), ext, bytes, config())
        });
    }
);
