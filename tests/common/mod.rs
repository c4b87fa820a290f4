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
