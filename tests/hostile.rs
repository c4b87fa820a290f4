//! Hostile input: every kind of file a year-end run meets gives one `files`
//! row with a clear status, nothing is lost, good reports still come out
//! right, and the run exits 0. The large files are generated here rather than
//! committed.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use jixiao::model::{Field, FileStatus};

fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn zip_with(name: &str, content: impl std::io::Read) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts: zip::write::FileOptions<()> =
            zip::write::FileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file(name, opts).unwrap();
        let mut content = content;
        std::io::copy(&mut content, &mut w).unwrap();
        w.finish().unwrap();
    }
    buf.into_inner()
}

/// Builds the hostile tree; returns the paths the walk must report.
fn hostile_tree(dir: &Path) -> BTreeSet<String> {
    let seed = std::fs::read(common::reports_dir().join("004_3dc8e2ce67f7e829.txt")).unwrap();
    let pdf = std::fs::read(common::fixtures().join("formats/pdf/004_3dc8e2ce67f7e829.pdf")).unwrap();
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
    add("k01_empty.txt", b"");
    add("k02_one_byte.txt", b"a");
    for (i, ext) in ["txt", "pdf", "docx", "xlsx", "xls", "doc"].iter().enumerate() {
        add(&format!("k03_random.{ext}"), &random_bytes(8192, i as u64 + 7));
    }
    // 50 MB on one line: read, then refused as longer than any report.
    let mut long = Vec::with_capacity(50 << 20);
    while long.len() < (50 << 20) - 64 {
        long.extend_from_slice("收入合计 1 万元，".as_bytes());
    }
    add("k04_50mb_one_line.txt", &long);
    add("k05_report_1000_times.txt", &seed.repeat(1000));
    let mut nul = seed.clone();
    let at = nul.iter().position(|&b| b == b'\n').unwrap_or(0);
    nul.splice(at..at, [0u8, 0, 0]);
    add("k06_nul_inside.txt", &nul);
    let mut mixed = "收入合计 100 万元。".as_bytes().to_vec();
    mixed.extend_from_slice(&encoding_rs::GBK.encode("支出合计 90 万元。").0);
    add("k07_mixed_encodings.txt", &mixed);
    let mut surrogate = vec![0xFF, 0xFE, 0x41, 0x00];
    surrogate.extend_from_slice(&0xD800u16.to_le_bytes());
    surrogate.extend_from_slice(&[0x42, 0x00]);
    add("k08_lone_surrogate.txt", &surrogate);
    add("k09_truncated.pdf", &pdf[..pdf.len() / 2]);
    // An xref whose /Prev points at itself.
    let mut looped = pdf[..pdf.len() / 2].to_vec();
    looped
        .extend_from_slice(b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 0 >>\nstartxref\n0\n%%EOF\n");
    add("k10_xref_loop.pdf", &looped);
    add(
        "k11_encrypted.pdf",
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 >> >>\n%%EOF\n",
    );
    add(
        "k12_image_only.pdf",
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
    );
    // 110 MB of zeros in a 100 KB package.
    add(
        "k13_zip_bomb.docx",
        &zip_with("word/document.xml", std::io::repeat(b'0').take(110 << 20)),
    );
    add("k14_no_document.docx", &zip_with("word/styles.xml", &b"<styles/>"[..]));
    add("k15_formula_scores.xlsx", &formula_workbook());
    add("k21_million_rows.xlsx", &million_row_workbook());
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

fn formula_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["指标", "分值", "得分"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "预算编制合理性").unwrap();
    ws.write_number(1, 1, 5.0).unwrap();
    ws.write_formula(1, 2, "=B2*0.9").unwrap();
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
