//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use jixiao::{Rules, RunOptions};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

pub fn reports_dir() -> PathBuf {
    fixtures().join("reports")
}

/// Indicator names compared after the same normalisation as score.py.
pub fn norm_indicator(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .filter(|c| !c.is_whitespace() && !"“”\"'‘’,，、()（）".contains(*c))
        .collect()
}

/// Runs the whole job over `input` into `out`.
pub fn run(input: &Path, out: &Path, jobs: Option<usize>) -> (jixiao::RunSummary, jixiao::pipeline::RunData) {
    let rules = Rules::bundled().expect("bundled rules");
    let opts = RunOptions {
        jobs,
        collect: true,
        ..RunOptions::new(input.to_path_buf(), out.to_path_buf())
    };
    jixiao::run(rules, &opts).expect("run completes")
}

/// Runs a Python script of tests/python with arguments: (success, stdout + stderr).
pub fn python(script: &str, args: &[&Path]) -> (bool, String) {
    let o = std::process::Command::new("python3")
        .arg(root().join("tests/python").join(script))
        .args(args)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), text)
}
