//! Text → clean text: offsets stay inside both texts.
#![no_main]
use std::sync::OnceLock;

use jixiao::normalize::Normalizer;
use libfuzzer_sys::fuzz_target;

fn normalizer() -> &'static Normalizer {
    static N: OnceLock<Normalizer> = OnceLock::new();
    N.get_or_init(|| {
        let rules = jixiao::Rules::bundled().expect("bundled rules");
        Normalizer::new(&rules.config.normalize).expect("normaliser")
    })
}

fuzz_target!(|text: &str| {
    let clean = normalizer().normalize(text);
    let n = text.chars().count();
    for (b, _) in clean.text.char_indices() {
        let o = clean.original_char(b).expect("every clean char maps back");
        assert!(o < n.max(1));
    }
    for h in &clean.headings {
        assert!(h.start <= h.para_end && h.para_end <= clean.text.len());
    }
});
