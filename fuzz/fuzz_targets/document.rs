//! Any bytes under a workbook, Word or text extension through the in-process
//! readers (calamine, the DOCX reader, text decoding): a document or a clear
//! error, never a panic or an abort. The first byte picks the extension.
//! Run with a memory limit, so that an input asking for gigabytes is found:
//! `cargo +nightly fuzz run document -- -rss_limit_mb=2048`.
//! (PDFs are left out: the built-in reader panics on many broken files —
//! e.g. an index out of bounds in adobe-cmap-parser, found in the first
//! minute — which jixiao turns into a failed row by running it on a thread of
//! its own, but which libFuzzer's panic hook counts as crashes.)
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn config() -> &'static jixiao::config::Config {
    static C: OnceLock<jixiao::config::Config> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = jixiao::Rules::bundled().expect("bundled rules").config;
        // In-process only: no external converter, a short budget.
        c.formats.timeout_seconds = 5;
        c
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let ext = ["xlsx", "xls", "docx", "txt"][usize::from(pick) % 4];
    let _ = jixiao::ingest::read_document(std::path::Path::new("fuzz.bin"), ext, bytes, config());
});
