//! Hostile input: every kind of file a year-end run meets gives one `files`
//! row with a clear status, nothing is lost, good reports still come out
//! right, and the run exits 0. The small hostile files are committed in
//! tests/fixtures/hostile/; the large ones are generated here.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use jixiao::model::{Field, FileStatus};

fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Builds the hostile tree; returns the paths the walk must report.
fn hostile_tree(dir: &Path) -> BTreeSet<String> {
    let seed = std::fs::read(common::reports_dir().join("004_3dc8e2ce67f7e829.txt")).unwrap();
    let mut expected = BTreeSet::new();
    let mut add = |rel: &str, bytes: &[u8]| {
        put(dir, rel, bytes);
        expected.insert(rel.to_string());
    };
    add("good/report.txt", &seed);
    add(
        "good/report_copy_in_gbk.txt",
        &encoding_rs::GBK.encode(std::str::from_utf8(&seed).unwrap()).0,
    );
    // The small hostile files are committed in tests/fixtures/hostile/ (k01–k15, k25–k28).
    for entry in std::fs::read_dir(common::fixtures().join("hostile")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        add(&name, &std::fs::read(&path).unwrap());
    }
    // The large ones are generated here.
    let mut long = Vec::with_capacity(50 << 20);
    while long.len() < (50 << 20) - 64 {
        long.extend_from_slice("收入合计 1 万元，".as_bytes());
    }
    add("k04_50mb_one_line.txt", &long);
    add("k05_report_1000_times.txt", &seed.repeat(1000));
    add("k21_million_rows.xlsx", &million_row_workbook());
    add("k24_far_corners.xlsx", &far_corners_workbook());
    add("k16_dir_named.pdf/inside.txt", &seed);
    add("k17_gbk_name/\u{4e2d}.txt", &seed);
    let long_dir = "长".repeat(80);
    add(&format!("{long_dir}/{long_dir}/{long_dir}/k18_long_path.txt"), &seed);
    expected
}

/// The most rows a sheet can have: 1,048,576.
fn million_row_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    for r in 0..1_048_576u32 {
        ws.write_number(r, 0, f64::from(r % 1000)).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// Two cells, at A1 and at XFD1048576 (the last cell of a sheet): a few KB
/// whose box is 17 billion cells. Expanded whole, it took the process with it.
fn far_corners_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "指标").unwrap();
    ws.write_string(1_048_575, 16_383, "得分").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn every_hostile_file_is_one_clear_row_and_good_reports_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let mut expected = hostile_tree(&input);
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // A name that is not UTF-8 (GBK bytes of 报告), a symlink loop, a dangling link.
        let gbk_name = std::ffi::OsStr::from_bytes(b"\xb1\xa8\xb8\xe6.txt");
        std::fs::write(input.join(gbk_name), "收入合计 1 万元。").unwrap();
        expected.insert(String::from_utf8_lossy(b"\xb1\xa8\xb8\xe6.txt").to_string());
        std::os::unix::fs::symlink(&input, input.join("k19_loop")).unwrap();
        expected.insert("k19_loop".into());
        std::os::unix::fs::symlink(input.join("nowhere.txt"), input.join("k20_dangling.txt")).unwrap();
        expected.insert("k20_dangling.txt".into());
    }

    // A file still being copied: it grows while the run reads it.
    let growing = input.join("k22_growing.txt");
    std::fs::write(&growing, "部门整体支出绩效自评报告。").unwrap();
    expected.insert("k22_growing.txt".into());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().append(true).open(&growing).unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::io::Write::write_all(&mut f, "收入合计 1 万元。".as_bytes());
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        })
    };
    // An unreadable file (only meaningful when not root: root reads it anyway).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = input.join("k23_unreadable.txt");
        std::fs::write(
            &p,
            std::fs::read(common::reports_dir().join("002_673b39950d73d57f.txt")).unwrap(),
        )
        .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        expected.insert("k23_unreadable.txt".into());
    }

    let (summary, data) = common::run(&input, &tmp.path().join("out"), Some(2));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = writer.join();

    // Nothing lost, nothing invented: exactly the files the walk met.
    let got: BTreeSet<String> = data.files.iter().map(|f| f.source_path.clone()).collect();
    assert_eq!(got, expected);
    assert_eq!(data.files.len(), expected.len(), "one row each");
    for f in &data.files {
        if f.status != FileStatus::Ok {
            assert!(
                f.error.as_deref().is_some_and(|e| !e.is_empty()),
                "{}: no reason",
                f.source_path
            );
        }
    }
    let status = |p: &str| {
        data.files
            .iter()
            .find(|f| f.source_path == p)
            .map(|f| (f.status, f.error.clone().unwrap_or_default()))
            .unwrap_or_else(|| panic!("no row for {p}"))
    };
    let failed = |p: &str, needle: &str| {
        let (s, e) = status(p);
        assert_eq!(s, FileStatus::Failed, "{p}: {e}");
        assert!(e.contains(needle), "{p}: {e}");
    };
    failed("k01_empty.txt", "empty");
    failed("k04_50mb_one_line.txt", "longer than one report");
    failed("k05_report_1000_times.txt", "longer than one report");
    failed("k08_lone_surrogate.txt", "undecodable");
    failed("k12_image_only.pdf", "");
    failed("k13_zip_bomb.docx", "max_decompressed_bytes");
    failed("k14_no_document.docx", "word/document.xml");
    failed("k24_far_corners.xlsx", "max_sheet_cells");
    // .xls: a cell at column 65535 (calamine expands the box when it opens the
    // file: 137 GB, an abort), and a sheet that declares 2^31 rows.
    failed("k25_far_column.xls", "max_sheet_cells");
    failed("k26_huge_dimensions.xls", "max_sheet_cells");
    // .xlsx whose shared strings declare 10^11 entries (calamine reserved 2.4 TB: an abort).
    failed("k27_shared_strings_count.xlsx", "shared strings");
    // .xls whose Workbook stream's sector chain loops under a 2 GB length (calamine grew by 4 GB).
    failed("k28_looping_chain.xls", "not a readable .xls");
    let (s21, e21) = status("k21_million_rows.xlsx");
    assert_eq!(s21, FileStatus::Failed, "{e21}");
    // Whatever the moment it was read at, a growing file is one clear row.
    let (s22, e22) = status("k22_growing.txt");
    assert!(s22 == FileStatus::Ok || !e22.is_empty());
    for p in [
        "k03_random.pdf",
        "k03_random.docx",
        "k03_random.xlsx",
        "k03_random.xls",
        "k09_truncated.pdf",
    ] {
        assert_eq!(status(p).0, FileStatus::Failed, "{p}: {}", status(p).1);
    }
    assert_eq!(status("k19_loop").0, FileStatus::Skipped);
    assert!(status("k19_loop").1.contains("loop"));
    assert_ne!(status("k20_dangling.txt").0, FileStatus::Ok);

    // Good reports (in any encoding, however deep) are read with correct facts.
    for p in [
        "good/report.txt",
        "good/report_copy_in_gbk.txt",
        "k06_nul_inside.txt",
        "k16_dir_named.pdf/inside.txt",
    ] {
        let (s, e) = status(p);
        assert!(matches!(s, FileStatus::Ok | FileStatus::Duplicate), "{p}: {s:?} {e}");
    }
    let good = data
        .reports
        .iter()
        .find(|r| r.source_path == "good/report.txt")
        .unwrap();
    assert_eq!(good.facts.num(Field::RevenueTotal), Some(651.17));
    assert_eq!(good.facts.num(Field::ScoreTotal), Some(100.0));
    let gbk = data
        .reports
        .iter()
        .find(|r| r.source_path == "good/report_copy_in_gbk.txt")
        .unwrap();
    assert_eq!(gbk.facts.num(Field::RevenueTotal), Some(651.17));
    assert!(summary.ok >= 4);
}
