//! Clean text → facts and checks: never a panic; spans inside the text.
#![no_main]
use std::sync::OnceLock;

use jixiao::Engine;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(jixiao::Rules::bundled().expect("bundled rules")).expect("engine"))
}

fuzz_target!(|text: &str| {
    let (clean, facts) = engine().facts_of_text(text);
    let chars = clean.text.chars().count() as i64;
    for f in &facts.facts {
        let p = &f.provenance;
        assert!(p.char_end <= chars && p.char_start <= p.char_end, "{f:?}");
    }
});
