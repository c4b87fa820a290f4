//! Inputs the fuzzers found crashing, kept so they never crash again. Each
//! file is fed the way its target saw it (the longest valid UTF-8 prefix for
//! the text targets).

mod common;

fn text_of(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

#[test]
fn every_saved_crash_now_runs_through() {
    let engine = jixiao::Engine::new(jixiao::Rules::bundled().unwrap()).unwrap();
    let dir = common::fixtures().join("fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("extract-") || name.starts_with("normalize-") {
            let (clean, facts) = engine.facts_of_text(text_of(&bytes));
            let chars = clean.text.chars().count() as i64;
            assert!(facts.facts.iter().all(|f| f.provenance.char_end <= chars), "{name}");
        } else if name.starts_with("decode-") {
            let _ = jixiao::ingest::decode(&bytes);
        }
        n += 1;
    }
    assert!(n >= 1, "no saved inputs in {}", dir.display());
}
