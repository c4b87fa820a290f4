//! Bytes → text: never a panic, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = jixiao::ingest::decode(data) {
        assert!(!d.text.is_empty());
    }
});
