//! The command line: the two commands a newcomer runs, and a bad config.

use std::process::Command;

fn jixiao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
}

#[test]
fn run_with_no_arguments_processes_the_bundled_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("output");
    let o = jixiao()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("5 files seen: 5 ok, 0 failed"), "{stdout}");
    assert!(out.join("reports.parquet").is_file());
}

#[test]
fn extract_prints_each_fact_with_its_sentence() {
    let o = jixiao()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["extract", "tests/fixtures/reports/004_3dc8e2ce67f7e829.txt"])
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    assert!(s.contains("收入合计（万元）\t651.17"), "{s}");
    assert!(s.contains("收入:651.17 万元"), "the source sentence is shown: {s}");
    let o = jixiao()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["extract", "--json", "tests/fixtures/reports/004_3dc8e2ce67f7e829.txt"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["facts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "score_total" && f["value"] == 100.0));
}

#[test]
fn a_bad_config_is_a_clear_error_and_a_nonzero_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "this is = = not toml").unwrap();
    let o = jixiao()
        .args(["run", "--config"])
        .arg(&cfg)
        .arg("--out")
        .arg(tmp.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not valid TOML"));
}

#[test]
fn a_missing_config_file_says_why_once() {
    let tmp = tempfile::tempdir().unwrap();
    let o = jixiao()
        .args(["run", "--config"])
        .arg(tmp.path().join("missing.toml"))
        .arg("--out")
        .arg(tmp.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("missing.toml"), "{err}");
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
}
