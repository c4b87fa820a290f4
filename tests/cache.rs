//! Incremental re-runs: an unchanged tree is not read again, a changed file
//! alone is, a touched file is hashed but not extracted, and a config change
//! re-extracts everything. Counted through the run summary, never timed.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use jixiao::{Rules, RunOptions, RunSummary};

/// The seeds and the hand-written reports, with modification times an hour
/// old (a file modified just before a run is not trusted on its stat).
fn corpus(dir: &Path) -> usize {
    let mut n = 0;
    for (sub, src) in [
        ("seeds", common::reports_dir()),
        ("general", common::fixtures().join("general")),
    ] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(src).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                let to = dir.join(sub).join(p.file_name().unwrap());
                std::fs::copy(&p, &to).unwrap();
                set_age(&to, 3600);
                n += 1;
            }
        }
    }
    n
}

fn set_age(path: &Path, seconds: u64) {
    let t = SystemTime::now() - Duration::from_secs(seconds);
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(t).unwrap();
}

fn run_with(input: &Path, out: &Path, rules: Rules, use_cache: bool) -> RunSummary {
    let opts = RunOptions {
        jobs: Some(2),
        use_cache,
        ..RunOptions::new(input.to_path_buf(), out.to_path_buf())
    };
    jixiao::run(rules, &opts).expect("run completes").0
}

fn run(input: &Path, out: &Path) -> RunSummary {
    run_with(input, out, Rules::bundled().unwrap(), true)
}

fn parquet_bytes(out: &Path) -> Vec<(String, Vec<u8>)> {
    jixiao::output::TABLES
        .iter()
        .map(|t| {
            let name = format!("{t}.parquet");
            let bytes = std::fs::read(out.join(&name)).unwrap();
            (name, bytes)
        })
        .collect()
}

struct Setup {
    _tmp: tempfile::TempDir,
    input: PathBuf,
    out: PathBuf,
    n: usize,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let n = corpus(&input);
    assert!(n >= 12, "fixture corpus too small: {n}");
    let out = tmp.path().join("out");
    Setup {
        input,
        out,
        n,
        _tmp: tmp,
    }
}

#[test]
fn an_unchanged_tree_reads_no_report_again() {
    let s = setup();
    let cold = run(&s.input, &s.out);
    assert_eq!((cold.files_read, cold.reused_from_cache, cold.ok), (s.n, 0, s.n));
    let cold_tables = parquet_bytes(&s.out);

    // Same tree, same rules, outputs complete: nothing is opened, nothing rewritten.
    let manifest_before = std::fs::read(s.out.join("manifest.json")).unwrap();
    let again = run(&s.input, &s.out);
    assert!(again.up_to_date, "{again}");
    assert_eq!((again.files_read, again.ok, again.files_seen), (0, s.n, s.n));
    assert_eq!(std::fs::read(s.out.join("manifest.json")).unwrap(), manifest_before);

    // An output removed: the run writes everything again, still from the cache alone.
    std::fs::remove_file(s.out.join("jixiao.xlsx")).unwrap();
    let warm = run(&s.input, &s.out);
    assert!(!warm.up_to_date);
    assert_eq!((warm.files_read, warm.reused_from_cache, warm.ok), (0, s.n, s.n));
    assert!(s.out.join("jixiao.xlsx").is_file());
    // The outputs made from the cache are the outputs of the cold run, byte for byte.
    assert_eq!(parquet_bytes(&s.out), cold_tables);
}

#[test]
fn a_changed_file_alone_is_read_and_extracted_again() {
    let s = setup();
    run(&s.input, &s.out);
    let changed = s.input.join("general/henan_hua_agri_2022.txt");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, text.replace("2022", "2021")).unwrap();
    set_age(&changed, 1800);
    let warm = run(&s.input, &s.out);
    assert_eq!((warm.files_read, warm.reused_from_cache), (1, s.n - 1));

    // Same outputs as a run that reads everything.
    let fresh = s.out.with_file_name("fresh");
    let full = run_with(&s.input, &fresh, Rules::bundled().unwrap(), false);
    assert_eq!((full.files_read, full.reused_from_cache), (s.n, 0));
    assert_eq!(parquet_bytes(&s.out), parquet_bytes(&fresh));
}

#[test]
fn a_touched_file_is_hashed_but_not_extracted() {
    let s = setup();
    run(&s.input, &s.out);
    set_age(&s.input.join("seeds/001_1390636e966f3c3c.txt"), 1000);
    let warm = run(&s.input, &s.out);
    assert!(!warm.up_to_date);
    assert_eq!((warm.files_read, warm.reused_from_cache), (1, s.n));
    // The cache now holds the new stat: the next run is up to date again.
    assert!(run(&s.input, &s.out).up_to_date);
}

#[test]
fn a_file_modified_just_before_the_run_is_not_trusted_on_its_stat() {
    let s = setup();
    let fresh = s.input.join("seeds/002_673b39950d73d57f.txt");
    set_age(&fresh, 0);
    run(&s.input, &s.out);
    // Same size and time as recorded, but written within 2 s of the run's start:
    // it could have changed again within the clock's resolution.
    let again = run(&s.input, &s.out);
    assert!(!again.up_to_date);
    assert_eq!((again.files_read, again.reused_from_cache), (1, s.n));
}

#[test]
fn a_config_change_or_no_cache_reextracts_everything() {
    let s = setup();
    run(&s.input, &s.out);
    let toml = std::fs::read_to_string(common::root().join("config/default.toml")).unwrap();
    let changed = Rules::from_parts(
        &format!("{toml}\n# a bureau's edit\n"),
        &std::fs::read_to_string(common::root().join("config/regions.tsv")).unwrap(),
    )
    .unwrap();
    assert_ne!(changed.digest, Rules::bundled().unwrap().digest);
    let after_edit = run_with(&s.input, &s.out, changed, true);
    assert!(!after_edit.up_to_date);
    assert_eq!((after_edit.files_read, after_edit.reused_from_cache), (s.n, 0));

    // Back to the bundled rules: the cache now holds the edited rules' facts.
    let back = run(&s.input, &s.out);
    assert_eq!((back.files_read, back.reused_from_cache), (s.n, 0));
    let forced = run_with(&s.input, &s.out, Rules::bundled().unwrap(), false);
    assert!(!forced.up_to_date);
    assert_eq!((forced.files_read, forced.reused_from_cache), (s.n, 0));
}

#[test]
fn a_removed_file_leaves_the_outputs_and_the_cache() {
    let s = setup();
    run(&s.input, &s.out);
    std::fs::remove_file(s.input.join("seeds/003_70a4941c04d84bdd.txt")).unwrap();
    let warm = run(&s.input, &s.out);
    assert_eq!(
        (warm.files_read, warm.reused_from_cache, warm.ok),
        (0, s.n - 1, s.n - 1)
    );
}

#[test]
fn a_damaged_cache_is_ignored_not_trusted() {
    let s = setup();
    run(&s.input, &s.out);
    let cache = s.out.join(".jixiao-cache/cache-1-of-1.jsonl.zst");
    let bytes = std::fs::read(&cache).unwrap();
    // Cut in the middle: the lines before the cut are still used, the rest is read again.
    std::fs::write(&cache, &bytes[..bytes.len() / 2]).unwrap();
    std::fs::remove_file(s.out.join("manifest.json")).unwrap();
    let cut = run(&s.input, &s.out);
    assert_eq!(cut.ok, s.n);
    assert_eq!(cut.files_read + cut.reused_from_cache, s.n, "{cut}");
    assert!(cut.files_read > 0, "{cut}");
    // Garbage: nothing is reused, nothing fails.
    std::fs::write(&cache, b"not a cache at all").unwrap();
    std::fs::remove_file(s.out.join("manifest.json")).unwrap();
    let garbage = run(&s.input, &s.out);
    assert_eq!(
        (garbage.ok, garbage.files_read, garbage.reused_from_cache),
        (s.n, s.n, 0)
    );
}

/// Cached facts come back only to the engine that extracted them: the cache
/// is keyed by the package version *and* a hash of the sources (src/build.rs),
/// so a rebuilt jixiao whose extraction changed re-reads every report even
/// when the version number stayed the same.
#[test]
fn the_cache_is_keyed_by_this_build_of_the_engine() {
    let s = setup();
    run(&s.input, &s.out);
    let (pkg, id) = jixiao::ENGINE_VERSION.split_once('+').expect("version+engine id");
    assert_eq!(pkg, env!("CARGO_PKG_VERSION"));
    assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let cache = s.out.join(".jixiao-cache/cache-1-of-1.jsonl.zst");
    let text = String::from_utf8(zstd::decode_all(std::fs::File::open(&cache).unwrap()).unwrap()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.contains(jixiao::ENGINE_VERSION), "{header}");
    let manifest = std::fs::read_to_string(s.out.join("manifest.json")).unwrap();
    assert!(manifest.contains(jixiao::ENGINE_VERSION), "{manifest}");
    // The same cache as another build of the same version wrote it: not reused.
    let other = text.replacen(jixiao::ENGINE_VERSION, &format!("{pkg}+{}", "0".repeat(16)), 1);
    std::fs::write(&cache, zstd::encode_all(other.as_bytes(), 0).unwrap()).unwrap();
    let after = run(&s.input, &s.out);
    assert_eq!((after.files_read, after.reused_from_cache), (s.n, 0));
}
