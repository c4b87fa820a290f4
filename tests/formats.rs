//! Formats reports really arrive in: the real PDFs of ../shared/realpdf, the
//! five seeds as DOCX and PDF (converted once with LibreOffice and committed),
//! an Excel scoring table, and broken files of each kind.

mod common;

use std::path::{Path, PathBuf};

use jixiao::model::{Field, FileStatus};
use serde_json::Value as Json;

fn realpdf() -> Option<PathBuf> {
    let p = common::root().join("../shared/realpdf");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs with ../shared beside the clone"
    );
    eprintln!("skipped: ../shared/realpdf is not beside this checkout");
    None
}

#[test]
fn every_real_pdf_is_read_with_kind_department_and_year() {
    let Some(dir) = realpdf() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (_, data) = common::run(&dir, &tmp.path().join("out"), Some(2));
    for f in data.files.iter().filter(|f| f.source_format == "pdf") {
        assert!(
            matches!(f.status, FileStatus::Ok | FileStatus::Duplicate),
            "{}: {:?} {:?}",
            f.source_path,
            f.status,
            f.error
        );
    }
    // Two of them are byte-identical: the second points at the first.
    assert_eq!(
        data.files.iter().filter(|f| f.status == FileStatus::Duplicate).count(),
        1
    );
    for r in &data.reports {
        assert!(!r.facts.document_kind.is_empty(), "{}: no kind", r.source_path);
        assert!(
            r.facts.text(Field::Department).is_some(),
            "{}: no department",
            r.source_path
        );
        assert!(
            r.facts.num(Field::FiscalYear).is_some(),
            "{}: no fiscal year",
            r.source_path
        );
    }

    // Figures read off three of them by hand, with the page they stand on.
    let gold: Json =
        serde_json::from_str(&std::fs::read_to_string(common::fixtures().join("gold/realpdf.json")).unwrap()).unwrap();
    for g in gold["reports"].as_array().unwrap() {
        let file = g["file"].as_str().unwrap();
        let r = data
            .reports
            .iter()
            .find(|r| r.source_path == file)
            .unwrap_or_else(|| panic!("{file} not read"));
        assert_eq!(r.facts.document_kind, g["document_kind"].as_str().unwrap(), "{file}");
        for key in ["department", "province", "city", "county"] {
            let field = Field::from_name(key).unwrap();
            assert_eq!(r.facts.text(field), g[key].as_str(), "{file} {key}");
        }
        assert_eq!(r.facts.num(Field::FiscalYear), g["fiscal_year"].as_f64(), "{file}");
        for (name, want) in g["facts"].as_object().unwrap() {
            let fact = r
                .facts
                .facts
                .iter()
                .find(|f| f.field == *name)
                .unwrap_or_else(|| panic!("{file}: no {name}"));
            let value = fact.value.as_f64().unwrap();
            assert!(
                (value - want[0].as_f64().unwrap()).abs() < 0.005,
                "{file} {name}: {value} vs {want}"
            );
            if !fact.derived {
                assert_eq!(
                    fact.provenance.page,
                    want[1].as_i64().map(|p| p as i32),
                    "{file} {name}: page"
                );
            }
        }
    }
}

/// The gold values of the seeds must come out the same from their DOCX and PDF copies.
fn same_facts_as_text(dir: &Path, ext: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let (_, text) = common::run(&common::reports_dir(), &tmp.path().join("txt"), Some(2));
    let (_, other) = common::run(dir, &tmp.path().join(ext), Some(2));
    assert_eq!(other.reports.len(), 5, "{:?}", other.files);
    let mut diffs = Vec::new();
    for t in &text.reports {
        let stem = t.source_path.trim_end_matches(".txt");
        let o = other
            .reports
            .iter()
            .find(|r| r.source_path == format!("{stem}.{ext}"))
            .unwrap_or_else(|| panic!("{stem}.{ext} not read"));
        for field in Field::ALL {
            let (a, b) = (t.facts.get(field), o.facts.get(field));
            let same = match (a.and_then(|v| v.as_f64()), b.and_then(|v| v.as_f64())) {
                (Some(x), Some(y)) => (x - y).abs() < 0.005,
                _ => a == b,
            };
            if !same {
                diffs.push(format!("{stem}.{ext} {}: txt {a:?} vs {ext} {b:?}", field.name()));
            }
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn seeds_as_docx_give_the_same_facts() {
    same_facts_as_text(&common::fixtures().join("formats/docx"), "docx");
}

#[test]
fn seeds_as_pdf_give_the_same_facts() {
    // LibreOffice's CJK PDFs need pdftotext (the built-in reader garbles their fonts).
    if std::process::Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI installs poppler-utils (.ci/run)");
        eprintln!("skipped: install poppler-utils (pdftotext) to run this test");
        return;
    }
    same_facts_as_text(&common::fixtures().join("formats/pdf"), "pdf");
}

#[test]
fn broken_files_are_clear_failed_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let pdf = std::fs::read(common::fixtures().join("formats/pdf/004_3dc8e2ce67f7e829.pdf")).unwrap();
    std::fs::write(input.join("truncated.pdf"), &pdf[..pdf.len() / 3]).unwrap();
    // A PDF with one empty page: no text layer at all (as a scan would have).
    std::fs::write(input.join("image_only.pdf"), minimal_pdf_without_text()).unwrap();
    // A DOCX that is really a ZIP of something else.
    let mut zip_bytes = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zip_bytes);
        w.start_file::<_, ()>("notes.txt", zip::write::FileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, b"not a word document").unwrap();
        w.finish().unwrap();
    }
    std::fs::write(input.join("renamed.docx"), zip_bytes.into_inner()).unwrap();
    std::fs::write(input.join("random.xlsx"), b"PK\x03\x04 this is not a workbook").unwrap();
    std::fs::write(input.join("encrypted.pdf"), encrypted_pdf()).unwrap();
    let (summary, data) = common::run(&input, &tmp.path().join("out"), Some(2));
    assert_eq!(summary.files_seen, 5);
    for f in &data.files {
        assert_eq!(f.status, FileStatus::Failed, "{}: {:?}", f.source_path, f.error);
        assert!(f.error.as_deref().is_some_and(|e| !e.is_empty()), "{}", f.source_path);
    }
    let err = |p: &str| {
        data.files
            .iter()
            .find(|f| f.source_path == p)
            .unwrap()
            .error
            .clone()
            .unwrap()
    };
    assert!(
        err("image_only.pdf").contains("no usable text layer"),
        "{}",
        err("image_only.pdf")
    );
    assert!(
        err("renamed.docx").contains("word/document.xml"),
        "{}",
        err("renamed.docx")
    );
}

/// A one-page PDF with no text (what a scan without OCR looks like to a text reader).
fn minimal_pdf_without_text() -> Vec<u8> {
    pdf_from_objects(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            "<< /Length 0 >>\nstream\n\nendstream",
        ],
        "",
    )
}

/// A PDF whose trailer names an encryption dictionary.
fn encrypted_pdf() -> Vec<u8> {
    pdf_from_objects(&[
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length 0 >>\nstream\n\nendstream",
        "<< /Filter /Standard /V 1 /R 2 /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -4 >>",
    ], " /Encrypt 5 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]")
}

fn pdf_from_objects(objects: &[&str], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn an_excel_scoring_table_gives_indicators() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let bytes = workbook_of(&[
        &["乐昌市人民政府办公室2023年度部门整体支出绩效自评表"],
        &["一级指标", "二级指标", "三级指标", "分值", "得分"],
        &["预算编制情况", "预算编制", "预算编制合理性", "5", "5"],
        &["", "", "预算编制规范性", "5", "4"],
        &["预算执行情况", "资金管理", "部门预算资金支出率", "3", "3"],
    ]);
    std::fs::write(input.join("自评表.xlsx"), bytes).unwrap();
    let (_, data) = common::run(&input, &tmp.path().join("out"), Some(1));
    let r = &data.reports[0];
    let got: Vec<(&str, &str, Option<f64>)> = r
        .facts
        .indicators
        .iter()
        .map(|i| (i.section.as_str(), i.indicator.as_str(), i.score))
        .collect();
    assert_eq!(
        got,
        vec![
            ("预算编制情况", "预算编制合理性", Some(5.0)),
            ("预算编制情况", "预算编制规范性", Some(4.0)),
            ("预算执行情况", "部门预算资金支出率", Some(3.0)),
        ]
    );
    assert_eq!(r.facts.text(Field::Department), Some("乐昌市人民政府办公室"));
    assert_eq!(r.facts.num(Field::FiscalYear), Some(2023.0));
}

/// A worksheet of revenue and spending whose header cells carry the unit
/// (预算数（万元） | 决算数（万元）) and no 单位：line: the actual column is read.
#[test]
fn an_excel_sheet_with_units_in_its_header_gives_its_amounts() {
    let bytes = workbook_of(&[
        &["湘潭市岳塘区财政局2023年度部门整体支出绩效自评表"],
        &["项目", "预算数（万元）", "决算数（万元）"],
        &["收入合计", "1100", "1234.56"],
        &["支出合计", "1100", "1200"],
        &["基本支出", "800", "790"],
        &["项目支出", "300", "410"],
    ]);
    assert_eq!(
        totals_of_workbook(&bytes),
        [Some(1234.56), Some(1200.0), Some(790.0), Some(410.0)]
    );
}

/// Revenue, spending, basic and project spending of a one-sheet workbook.
fn totals_of_workbook(bytes: &[u8]) -> [Option<f64>; 4] {
    let (_, data) = run_one("收支.xlsx", bytes);
    let r = data.reports.first().expect("the report is read");
    [
        Field::RevenueTotal,
        Field::ExpenditureTotal,
        Field::ExpenditureBasic,
        Field::ExpenditureProject,
    ]
    .map(|f| r.facts.num(f))
}

/// A two-column worksheet (项目 | 金额（万元）): its one column of figures is
/// read, as the text rule reads an amount that says neither budget nor actual.
#[test]
fn a_two_column_worksheet_gives_its_amounts() {
    let bytes = workbook_of(&[
        &["湘潭市岳塘区财政局2023年度部门整体支出绩效自评表"],
        &["一、部门整体收支情况"],
        &["项目", "金额（万元）"],
        &["收入合计", "1234.56"],
        &["支出合计", "1200"],
        &["基本支出", "790"],
        &["项目支出", "410"],
    ]);
    assert_eq!(
        totals_of_workbook(&bytes),
        [Some(1234.56), Some(1200.0), Some(790.0), Some(410.0)]
    );
}

/// A legacy .xls scoring table (saved by LibreOffice) passes the check of its
/// sheets' boxes that runs before calamine opens it, and gives its indicators.
#[test]
fn a_legacy_xls_scoring_table_gives_indicators() {
    let tmp = tempfile::tempdir().unwrap();
    let (summary, data) = common::run(
        &common::fixtures().join("formats/xls"),
        &tmp.path().join("out"),
        Some(1),
    );
    assert_eq!(summary.ok, 1, "{:?}", data.files);
    let got: Vec<(&str, &str, Option<f64>, Option<f64>)> = data.reports[0]
        .facts
        .indicators
        .iter()
        .map(|i| (i.section.as_str(), i.indicator.as_str(), i.max_score, i.score))
        .collect();
    assert_eq!(
        got,
        vec![
            ("预算编制情况", "预算编制合理性", Some(5.0), Some(5.0)),
            ("预算编制情况", "预算编制规范性", Some(5.0), Some(4.0)),
            ("预算执行情况", "资金管理", Some(22.0), Some(20.0)),
        ]
    );
}

#[test]
fn legacy_doc_is_converted_with_libreoffice_or_skipped_with_the_way_to_enable_it() {
    let dir = common::fixtures().join("formats/doc");
    let tmp = tempfile::tempdir().unwrap();
    let (_, data) = common::run(&dir, &tmp.path().join("out"), Some(1));
    let f = &data.files[0];
    let has_soffice = std::process::Command::new("soffice").arg("--version").output().is_ok();
    if has_soffice {
        assert_eq!(f.status, FileStatus::Ok, "{:?}", f.error);
        assert_eq!(data.reports[0].facts.num(Field::RevenueTotal), Some(651.17));
        assert_eq!(f.reader.as_deref(), Some("soffice"));
    } else {
        assert_eq!(f.status, FileStatus::Skipped);
        assert!(f.error.as_deref().unwrap().contains("LibreOffice"));
    }
}

/// One file, `name` holding `bytes`, run alone with one job.
fn run_one(name: &str, bytes: &[u8]) -> (jixiao::RunSummary, jixiao::pipeline::RunData) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join(name), bytes).unwrap();
    common::run(&input, &tmp.path().join("out"), Some(1))
}

/// The report's `score_total` fact, with its provenance.
fn score_total_fact(report: &jixiao::model::Report) -> &jixiao::model::Fact {
    report.facts.fact(Field::ScoreTotal).expect("a total")
}

/// A Word package holding `body` (WordprocessingML body elements).
fn word_package(body: &str) -> Vec<u8> {
    use std::io::Write;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A Word paragraph of one run of text.
fn word_paragraph(t: &str) -> String {
    format!("<w:p><w:r><w:t>{t}</w:t></w:r></w:p>")
}

/// A one-sheet workbook of `rows`: numbers as numbers, empty cells left out.
fn workbook_of(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            match v.parse::<f64>() {
                Ok(n) => ws.write_number(r as u32, c as u16, n).map(|_| ()),
                Err(_) => ws.write_string(r as u32, c as u16, *v).map(|_| ()),
            }
            .unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The 自评表 is often a Word table: its rows become indicators as a
/// workbook's scoring table does — levels carried down merged cells, a cell
/// spanning columns (gridSpan) kept in line, the 合计 row left out.
#[test]
fn a_word_scoring_table_gives_its_indicators() {
    let p = word_paragraph;
    let tc = |t: &str| format!("<w:tc>{}</w:tc>", p(t));
    let span = |t: &str, n: u8| format!(r#"<w:tc><w:tcPr><w:gridSpan w:val="{n}"/></w:tcPr>{}</w:tc>"#, p(t));
    let merged = r#"<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"#;
    let row = |cells: &[String]| format!("<w:tr>{}</w:tr>", cells.concat());
    let table = [
        row(&[
            tc("一级指标"),
            tc("二级指标"),
            tc("三级指标"),
            tc("分值"),
            tc("自评得分"),
        ]),
        row(&[tc("预算编制"), tc("目标设定"), tc("绩效目标合理性"), tc("10"), tc("10")]),
        row(&[
            merged.to_string(),
            merged.to_string(),
            tc("绩效指标明确性"),
            tc("10"),
            tc("8"),
        ]),
        row(&[tc("预算执行"), span("预算执行率", 2), tc("20"), tc("19.5")]),
        row(&[span("合计", 3), tc("100"), tc("92")]),
    ]
    .concat();
    let body = format!(
        "{}{}<w:tbl>{table}</w:tbl>",
        p("湘潭县财政局2023年度部门整体支出绩效自评报告"),
        p("附件：部门整体支出绩效自评表")
    );
    let (_, data) = run_one("table.docx", &word_package(&body));
    let report = data.reports.first().expect("the report is read");
    let got: Vec<String> = report
        .facts
        .indicators
        .iter()
        .map(|i| format!("{} {:?} {:?} {:?}", i.indicator, i.max_score, i.score, i.parent))
        .collect();
    assert_eq!(
        got,
        [
            r#"绩效目标合理性 Some(10.0) Some(10.0) Some("目标设定")"#,
            r#"绩效指标明确性 Some(10.0) Some(8.0) Some("目标设定")"#,
            r#"预算执行率 Some(20.0) Some(19.5) Some("预算执行")"#,
        ]
    );
    assert!(report.facts.indicators.iter().all(|i| i.rule == "indicator:table"));
    // The 合计 row out of 100 is the report's total, traced to its line.
    let total = score_total_fact(report);
    assert_eq!(total.value.as_f64(), Some(92.0));
    assert_eq!(total.provenance.rule, "score:table-total");
    assert!(
        total.provenance.snippet.contains("合计 | 100 | 92"),
        "{}",
        total.provenance.snippet
    );
}

/// A plain-text report whose 自评表 is tab-separated (a sheet saved or copied
/// as text), in GBK as Windows tools write it: the table gives its indicators
/// and its 合计 row the total; each row stays a line of its own, so the
/// total's snippet is its row, not the whole table run together.
#[test]
fn a_tab_separated_scoring_table_in_a_text_report_gives_its_indicators() {
    let text = "湘潭县财政局2023年度部门整体支出绩效自评报告\n\
                一、部门基本情况\n\
                2023年度收入合计 1380.00 万元，支出合计 1320.50 万元。\n\
                二、自评结果\n\
                附件：部门整体支出绩效自评表\n\
                一级指标\t二级指标\t三级指标\t分值\t自评得分\n\
                决策\t目标设定\t绩效目标合理性\t10\t10\n\
                \t\t绩效指标明确性\t10\t8\n\
                过程\t资金管理\t预算执行率\t20\t19.5\n\
                合计\t\t\t100\t92\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let (_, data) = run_one("自评报告.txt", &gbk);
    let report = data.reports.first().expect("the report is read");
    let got: Vec<String> = report
        .facts
        .indicators
        .iter()
        .map(|i| {
            format!(
                "{} {} {:?} {:?} {:?}",
                i.section, i.indicator, i.max_score, i.score, i.parent
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            r#"决策 绩效目标合理性 Some(10.0) Some(10.0) Some("目标设定")"#,
            r#"决策 绩效指标明确性 Some(10.0) Some(8.0) Some("目标设定")"#,
            r#"过程 预算执行率 Some(20.0) Some(19.5) Some("资金管理")"#,
        ]
    );
    let total = score_total_fact(report);
    assert_eq!(total.value.as_f64(), Some(92.0));
    assert_eq!(total.provenance.rule, "score:table-total");
    assert_eq!(total.provenance.snippet, "合计 | 100 | 92");
    // Each indicator points at its row in the normalised text.
    let rules = jixiao::Rules::bundled().unwrap();
    let clean = jixiao::normalize::Normalizer::new(&rules.config.normalize)
        .unwrap()
        .normalize(text)
        .text;
    assert!(report.facts.indicators.iter().all(|i| i.char_start >= 0));
    for i in &report.facts.indicators {
        let row: String = clean
            .chars()
            .skip(i.char_start as usize)
            .take((i.char_end - i.char_start) as usize)
            .collect();
        assert_eq!(row, i.snippet, "{i:?}");
    }
    assert_eq!(report.facts.num(Field::RevenueTotal), Some(1380.0));
    assert_eq!(report.facts.text(Field::Department), Some("湘潭县财政局"));
}

/// A 自评表 saved as CSV in GBK (as Excel on a Chinese Windows saves it) is a
/// report: its title gives the department and year, its rows the indicators,
/// its 合计 row the total.
#[test]
fn a_csv_scoring_table_is_a_report() {
    let text = "乐昌市财政局2023年度部门整体支出绩效自评表\r\n\
                一级指标,二级指标,三级指标,分值,自评得分\r\n\
                预算编制情况,预算编制,预算编制合理性,10,9\r\n\
                预算执行情况,资金管理,\"资金使用合规性（含政府采购）\",20,19.5\r\n\
                合计,,,100,94\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let (summary, data) = run_one("自评表.csv", &gbk);
    assert_eq!(summary.ok, 1, "{:?}", data.files);
    let report = data.reports.first().expect("the table is read");
    let got: Vec<(&str, Option<f64>)> = report
        .facts
        .indicators
        .iter()
        .map(|i| (i.indicator.as_str(), i.score))
        .collect();
    assert_eq!(
        got,
        [
            ("预算编制合理性", Some(9.0)),
            ("资金使用合规性（含政府采购）", Some(19.5))
        ]
    );
    assert_eq!(report.facts.num(Field::ScoreTotal), Some(94.0));
    assert_eq!(report.facts.text(Field::Department), Some("乐昌市财政局"));
    assert_eq!(report.facts.num(Field::FiscalYear), Some(2023.0));
}

/// A delimited table that is not a scoring table (a list of files) is no
/// report: a `skipped` row that says why.
#[test]
fn a_csv_that_is_no_scoring_table_is_skipped() {
    let (_, data) = run_one(
        "SOURCE.tsv",
        "file\tpath\n上海市普陀区财政局2024年度部门决算.pdf\tX/a.pdf\n".as_bytes(),
    );
    assert!(data.reports.is_empty());
    let row = data.files.first().expect("a files row");
    assert_eq!(row.status, FileStatus::Skipped);
    assert!(
        row.error.as_deref().is_some_and(|e| e.contains("指标")),
        "{:?}",
        row.error
    );
}

/// A Word table under a paragraph that declares its unit (单位：元): the
/// cells whose row is a money keyword and whose column says 决算 or 预算 are
/// read, converted to 万元 and traced to their row.
#[test]
fn a_word_table_with_a_declared_unit_gives_its_amounts() {
    let p = word_paragraph;
    let row = |cells: &[&str]| {
        let tcs: String = cells.iter().map(|c| format!("<w:tc>{}</w:tc>", p(c))).collect();
        format!("<w:tr>{tcs}</w:tr>")
    };
    let table = [
        row(&["项目", "年初预算数", "决算数", "执行率"]),
        row(&["支出合计", "9000000.00", "9127300.00", "101.4%"]),
        row(&["“三公”经费", "125000", "102000", "81.6%"]),
    ]
    .concat();
    let body = format!(
        "{}{}{}<w:tbl>{table}</w:tbl>{}",
        p("乐昌市财政局2023年度部门整体支出绩效自评报告"),
        p("一、部门收支情况"),
        p("单位：元"),
        p("二、自评结论：自评得分 92 分。")
    );
    let (_, data) = run_one("table_unit.docx", &word_package(&body));
    let report = data.reports.first().expect("the report is read");
    let f = &report.facts;
    assert_eq!(f.num(jixiao::model::Field::ExpenditureTotal), Some(912.73));
    assert_eq!(f.num(jixiao::model::Field::ThreePublicActual), Some(10.2));
    assert_eq!(f.num(jixiao::model::Field::ThreePublicBudget), Some(12.5));
    let fact = f.fact(Field::ExpenditureTotal).expect("a fact");
    assert_eq!(fact.provenance.rule, "money:declared-unit-table");
    assert!(
        fact.provenance.snippet.starts_with("支出合计 | 9000000.00"),
        "{}",
        fact.provenance.snippet
    );
    assert!(fact.provenance.char_start >= 0);
}

/// A worksheet whose unit is declared in a row of its own above a table
/// gives the amounts its rows and columns name, as a Word table does.
#[test]
fn a_worksheet_with_a_declared_unit_gives_its_amounts() {
    let bytes = workbook_of(&[
        &["乐昌市财政局2023年度部门整体支出绩效自评报告"],
        &["一、收支情况"],
        &["单位：元"],
        &["项目", "年初预算数", "决算数", "执行率"],
        &["支出合计", "9000000", "9127300", "101.4%"],
        &["基本支出", "7000000", "7100000", "101.4%"],
    ]);
    let (_, data) = run_one("收支.xlsx", &bytes);
    let report = data.reports.first().expect("the workbook is read");
    assert_eq!(report.facts.num(Field::ExpenditureTotal), Some(912.73));
    assert_eq!(report.facts.num(Field::ExpenditureBasic), Some(710.0));
    let fact = report
        .facts
        .facts
        .iter()
        .find(|x| x.field == "expenditure_total")
        .expect("a fact");
    assert_eq!(fact.provenance.rule, "money:declared-unit-table");
}
