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

/// A reader's panic over a broken file is that file's `failed` row, saying
/// what happened and where; stderr stays clean (Rust's hook printed the panic,
/// and with RUST_BACKTRACE a whole backtrace, for a file already dealt with).
#[test]
fn a_reader_panic_is_the_files_failure_not_noise_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // A generated PDF whose ToUnicode map is cut short: the built-in reader's
    // CMap parser indexes past its end.
    std::fs::copy(
        root.join("tests/fixtures/hostile/k29_cmap_out_of_bounds.pdf"),
        input.join("k29.pdf"),
    )
    .unwrap();
    std::fs::copy(
        root.join("tests/fixtures/reports/004_3dc8e2ce67f7e829.txt"),
        input.join("good.txt"),
    )
    .unwrap();
    let config = std::fs::read_to_string(root.join("config/default.toml")).unwrap();
    assert!(config.contains("pdf_reader = \"auto\""));
    let cfg = tmp.path().join("builtin.toml");
    std::fs::write(
        &cfg,
        config.replace("pdf_reader = \"auto\"", "pdf_reader = \"builtin\""),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = jixiao()
        .env("RUST_BACKTRACE", "1")
        .args(["run", "--quiet", "--config"])
        .arg(&cfg)
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.trim().is_empty(), "nothing on stderr under --quiet: {stderr}");

    use polars::prelude::*;
    let files = ParquetReader::new(std::fs::File::open(out.join("files.parquet")).unwrap())
        .finish()
        .unwrap();
    let text = |col: &str, i: usize| -> Option<String> {
        match files.column(col).unwrap().get(i).unwrap() {
            AnyValue::String(s) => Some(s.to_string()),
            AnyValue::StringOwned(s) => Some(s.to_string()),
            _ => None,
        }
    };
    let rows: Vec<_> = (0..files.height())
        .map(|i| ((text("source_path", i), text("status", i)), text("error", i)))
        .collect();
    let ((_, status), error) = rows
        .iter()
        .find(|((p, _), _)| p.as_deref() == Some("k29.pdf"))
        .expect("a row for the PDF");
    assert_eq!(status.as_deref(), Some("failed"));
    let error = error.as_deref().unwrap_or_default();
    assert!(error.starts_with("unreadable PDF (the reader gave up: "), "{error}");
    assert!(
        error.contains("(at ") && error.contains(".rs:"),
        "where it happened: {error}"
    );
    let ((_, good), _) = rows
        .iter()
        .find(|((p, _), _)| p.as_deref() == Some("good.txt"))
        .expect("a row for the report");
    assert_eq!(good.as_deref(), Some("ok"), "the batch went on");
}
