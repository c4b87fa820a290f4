//! The batch as a whole: bad input gives the right `files` rows and never
//! stops the run; any thread count gives identical Parquet data; outputs are
//! complete and replace the previous run's atomically.

mod common;

use std::path::Path;

use jixiao::model::FileStatus;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, bytes).unwrap();
}

/// A tree with good reports and every kind of bad input issue 2 names.
fn mixed_tree(dir: &Path) {
    let seed = std::fs::read(common::reports_dir().join("002_673b39950d73d57f.txt")).unwrap();
    let text = String::from_utf8(seed.clone()).unwrap();
    write(dir, "good/utf8.txt", &seed);
    write(dir, "bad/empty.txt", b"");
    let binary: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write(dir, "bad/binary.txt", &binary);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    write(dir, "enc/gbk.txt", &gbk);
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write(dir, "enc/utf16.txt", &utf16);
    write(
        dir,
        "bad/no_facts.txt",
        "这是一份与绩效无关的通知，请各单位按时参加会议。".as_bytes(),
    );
    write(dir, "other/readme.md5", b"abc");
    write(dir, "other/report.pdf", b"%PDF-1.4 not really");
    write(dir, ".hidden/secret.txt", &seed);
}

#[test]
fn bad_input_gives_the_right_files_rows_and_the_rest_is_processed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    mixed_tree(&input);
    let (summary, data) = common::run(&input, &tmp.path().join("out"), Some(2));
    let row = |p: &str| {
        data.files
            .iter()
            .find(|f| f.source_path == p)
            .unwrap_or_else(|| panic!("no files row for {p}"))
    };

    assert_eq!(row("good/utf8.txt").status, FileStatus::Ok);
    assert_eq!(row("bad/empty.txt").status, FileStatus::Failed);
    assert_eq!(row("bad/empty.txt").error.as_deref(), Some("empty file"));
    assert_eq!(row("bad/binary.txt").status, FileStatus::Failed);
    assert!(
        row("bad/binary.txt").error.as_deref().unwrap().contains("binary")
            || row("bad/binary.txt").error.as_deref().unwrap().contains("undecodable")
    );
    // GBK and UTF-16 are decoded, not guessed: same facts as the UTF-8 original.
    assert_eq!(row("enc/gbk.txt").encoding.as_deref(), Some("gb18030"));
    assert_eq!(row("enc/utf16.txt").encoding.as_deref(), Some("utf-16le"));
    let facts_of = |p: &str| &data.reports.iter().find(|r| r.source_path == p).unwrap().facts;
    assert_eq!(
        facts_of("enc/gbk.txt").facts.len(),
        facts_of("good/utf8.txt").facts.len()
    );
    assert_eq!(
        facts_of("enc/utf16.txt").num(jixiao::model::Field::RevenueTotal),
        Some(912.97)
    );
    // A text with no facts is read, and says so.
    assert_eq!(row("bad/no_facts.txt").status, FileStatus::Ok);
    assert!(facts_of("bad/no_facts.txt")
        .num(jixiao::model::Field::RevenueTotal)
        .is_none());
    // Unsupported formats are skipped with a reason, a broken PDF fails with one; never dropped.
    assert_eq!(row("other/readme.md5").status, FileStatus::Skipped);
    assert_eq!(row("other/report.pdf").status, FileStatus::Failed);
    assert!(row("other/report.pdf").error.is_some());
    // Hidden folders are not walked.
    assert!(data.files.iter().all(|f| !f.source_path.contains(".hidden")));
    assert_eq!(summary.files_seen, 8);
    assert_eq!(summary.failed, 3);
}

#[test]
fn byte_identical_files_are_duplicates_of_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let seed = std::fs::read(common::reports_dir().join("004_3dc8e2ce67f7e829.txt")).unwrap();
    write(&input, "a/report.txt", &seed);
    write(&input, "b/copy.txt", &seed);
    let (_, data) = common::run(&input, &tmp.path().join("out"), Some(1));
    let copy = data.files.iter().find(|f| f.source_path == "b/copy.txt").unwrap();
    assert_eq!(copy.status, FileStatus::Duplicate);
    assert_eq!(copy.error.as_deref(), Some("same bytes as a/report.txt"));
    assert_eq!(data.reports.len(), 1);
}

#[test]
fn jobs_1_and_2_give_identical_parquet_data() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    for entry in std::fs::read_dir(common::reports_dir()).unwrap() {
        let p = entry.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        write(&input, &format!("x/{name}"), &bytes);
        // A second, different copy so that there is work to share out.
        let mut changed = bytes.clone();
        changed.extend_from_slice("\n附注。".as_bytes());
        write(&input, &format!("y/{name}"), &changed);
    }
    let (_, _) = common::run(&input, &tmp.path().join("one"), Some(1));
    let (_, _) = common::run(&input, &tmp.path().join("two"), Some(2));
    for table in jixiao::output::TABLES {
        let a = std::fs::read(tmp.path().join("one").join(format!("{table}.parquet"))).unwrap();
        let b = std::fs::read(tmp.path().join("two").join(format!("{table}.parquet"))).unwrap();
        assert!(a == b, "{table}.parquet differs between --jobs 1 and --jobs 2");
    }
}

#[test]
fn outputs_are_complete_and_no_temporary_files_remain() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    common::run(&common::reports_dir(), &out, None);
    // A second run over the same folder replaces the outputs in place.
    common::run(&common::reports_dir(), &out, None);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    let mut want: Vec<String> = jixiao::output::TABLES.iter().map(|t| format!("{t}.parquet")).collect();
    want.push("jixiao.xlsx".into());
    want.push("manifest.json".into());
    want.push(".jixiao-cache".into());
    want.sort();
    assert_eq!(names, want);
    let cache: Vec<String> = std::fs::read_dir(out.join(".jixiao-cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(cache, vec!["cache-1-of-1.jsonl.zst".to_string()]);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["ok"], 5);
    assert_eq!(manifest["config_digest"].as_str().unwrap().len(), 16);
    // The stages `benches/bench.sh` reads, the serial tail after the last batch included.
    for stage in ["walk", "read", "normalize", "extract", "validate", "write", "finish"] {
        assert!(manifest["stage_seconds"][stage].is_f64(), "{stage}: {manifest}");
    }
}

#[test]
fn output_inside_the_input_tree_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input, "r.txt", "收入合计 1 万元。".as_bytes());
    let rules = jixiao::Rules::bundled().unwrap();
    let err = jixiao::run(rules, &jixiao::RunOptions::new(input.clone(), input.join("out"))).unwrap_err();
    assert!(err.to_string().contains("inside the input tree"), "{err}");
    assert!(!input.join("out").exists());
}

#[test]
fn a_report_in_two_formats_is_read_once_from_the_richer_one() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let txt = std::fs::read(common::reports_dir().join("002_673b39950d73d57f.txt")).unwrap();
    let docx = std::fs::read(common::fixtures().join("formats/docx/002_673b39950d73d57f.docx")).unwrap();
    write(&input, "报告.txt", &txt);
    write(&input, "报告.docx", &docx);
    let (_, data) = common::run(&input, &tmp.path().join("out"), Some(2));
    assert_eq!(data.reports.len(), 1);
    assert_eq!(data.reports[0].source_path, "报告.docx");
    let txt_row = data.files.iter().find(|f| f.source_path == "报告.txt").unwrap();
    assert_eq!(txt_row.status, FileStatus::Duplicate);
    assert!(txt_row.error.as_deref().unwrap().contains("报告.docx"));
}

#[test]
fn shards_partition_the_walk() {
    let paths: Vec<String> = (0..500).map(|i| format!("省/市/县/2023/部门{i}.txt")).collect();
    let mut seen = std::collections::HashSet::new();
    for k in 1..=4 {
        for p in paths.iter().filter(|p| jixiao::pipeline::in_shard(p, k, 4)) {
            assert!(seen.insert(p.clone()), "{p} in two shards");
        }
    }
    assert_eq!(seen.len(), paths.len(), "every path in exactly one shard");
    // The formats of one report share a shard.
    for k in 1..=4 {
        assert_eq!(
            jixiao::pipeline::in_shard("a/报告.pdf", k, 4),
            jixiao::pipeline::in_shard("a/报告.docx", k, 4)
        );
    }
}
