//! Past one machine: two shards write one hive-partitioned dataset, and
//! DuckDB (hive_partitioning = true) reads from it exactly the rows and the
//! totals of a single run. `.ci/run` installs duckdb; elsewhere the DuckDB
//! half is skipped with a message when it is missing, never under CI.

mod common;

use std::path::Path;
use std::process::Command;

use jixiao::{Rules, RunOptions, RunSummary};

fn corpus(dir: &Path) {
    for src in [common::reports_dir(), common::fixtures().join("general")] {
        for e in std::fs::read_dir(src).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                let sub = dir.join(
                    p.file_stem()
                        .unwrap()
                        .to_string_lossy()
                        .chars()
                        .take(3)
                        .collect::<String>(),
                );
                std::fs::create_dir_all(&sub).unwrap();
                std::fs::copy(&p, sub.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    // Rows that belong to no report: they go to the NULL partition.
    std::fs::write(dir.join("empty.txt"), b"").unwrap();
    std::fs::copy(
        common::reports_dir().join("002_673b39950d73d57f.txt"),
        dir.join("zz_copy_of_002.txt"),
    )
    .unwrap();
}

fn run(input: &Path, out: &Path, partition_by: &[&str], shard: Option<(u32, u32)>) -> RunSummary {
    let opts = RunOptions {
        jobs: Some(2),
        shard,
        partition_by: partition_by.iter().map(|s| s.to_string()).collect(),
        ..RunOptions::new(input.to_path_buf(), out.to_path_buf())
    };
    jixiao::run(Rules::bundled().unwrap(), &opts).expect("run completes").0
}

fn parts(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(dir)
        .into_iter()
        .filter(|p| p.ends_with(".parquet"))
        .map(|p| p.strip_prefix(&format!("{}/", dir.display())).unwrap_or(&p).to_string())
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[test]
fn two_partitioned_shards_hold_the_rows_and_totals_of_a_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    corpus(&input);
    let flat = tmp.path().join("flat");
    let single = run(&input, &flat, &[], None);
    let shared = tmp.path().join("shared");
    let keys = ["fiscal_year", "province"];
    let a = run(&input, &shared, &keys, Some((1, 2)));
    let b = run(&input, &shared, &keys, Some((2, 2)));
    assert!(a.files_seen > 0 && b.files_seen > 0, "both shards got work: {a} / {b}");
    assert_eq!(a.files_seen + b.files_seen, single.files_seen);
    assert_eq!(a.ok + b.ok, single.ok);

    // The hive layout of the issue, one part per shard and folder.
    let reports = parts(&shared.join("reports"));
    assert!(
        reports
            .iter()
            .any(|p| p.starts_with("fiscal_year=2023/province=广东省/part-")),
        "{reports:?}"
    );
    assert!(reports
        .iter()
        .all(|p| p.ends_with("part-1-of-2.parquet") || p.ends_with("part-2-of-2.parquet")));
    // The empty file has no report: its files row is in the NULL partition.
    let files = parts(&shared.join("files"));
    assert!(
        files
            .iter()
            .any(|p| p.starts_with("fiscal_year=__HIVE_DEFAULT_PARTITION__/province=__HIVE_DEFAULT_PARTITION__/")),
        "{files:?}"
    );
    for name in [
        "manifest-part-1-of-2.json",
        "manifest-part-2-of-2.json",
        "jixiao-part-1-of-2.xlsx",
    ] {
        assert!(shared.join(name).is_file(), "{name}");
    }

    if !Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have duckdb (pip install duckdb)"
        );
        eprintln!("skipped the DuckDB half: python3 -m pip install duckdb");
        return;
    }
    let (ok, text) = common::python("check_partitioned.py", &[&flat, &shared]);
    assert!(ok, "{text}");
    assert!(text.contains("0 problems") && text.contains("from 2 shards"), "{text}");
}

#[test]
fn parts_of_another_sharding_are_refused_and_a_shard_clears_its_own_old_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    corpus(&input);
    let shared = tmp.path().join("shared");
    let keys = ["fiscal_year"];
    run(&input, &shared, &keys, Some((1, 2)));
    run(&input, &shared, &keys, Some((2, 2)));

    let opts = RunOptions {
        shard: Some((1, 3)),
        partition_by: vec!["fiscal_year".into()],
        ..RunOptions::new(input.clone(), shared.clone())
    };
    let err = jixiao::run(Rules::bundled().unwrap(), &opts).unwrap_err().to_string();
    assert!(err.contains("another number of shards"), "{err}");

    // Shard 1 now has nothing to read: its old parts go, shard 2's stay.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    run(&empty, &shared, &keys, Some((1, 2)));
    let left = parts(&shared.join("reports"));
    assert!(!left.is_empty());
    assert!(left.iter().all(|p| p.ends_with("part-2-of-2.parquet")), "{left:?}");

    let bad = RunOptions {
        partition_by: vec!["department".into()],
        ..RunOptions::new(input, tmp.path().join("x"))
    };
    let err = jixiao::run(Rules::bundled().unwrap(), &bad).unwrap_err().to_string();
    assert!(err.contains("cannot partition by"), "{err}");
}
