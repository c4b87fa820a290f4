//! The number and amount grammar: spans on char boundaries, values finite.
#![no_main]
use std::sync::OnceLock;

use jixiao::extract::{scan_numbers, UnitTable};
use libfuzzer_sys::fuzz_target;

fn units() -> &'static UnitTable {
    static U: OnceLock<UnitTable> = OnceLock::new();
    U.get_or_init(|| UnitTable::new(&jixiao::Rules::bundled().expect("bundled rules").config.units))
}

fuzz_target!(|text: &str| {
    for n in scan_numbers(text, units()) {
        assert!(text.is_char_boundary(n.start) && text.is_char_boundary(n.end));
        assert!(n.start < n.end && n.end <= text.len());
        if let Some(w) = n.wan() {
            assert!(w.is_finite() || n.value.is_infinite());
        }
    }
});
