//! Reports against their hand-checked gold, read back from `reports.parquet`:
//! every non-null gold value present and equal, every null gold value null.
//! A failure lists every difference. Two corpora: the five real reports
//! (`gold/seeds.json`) and hand-written reports from other provinces
//! (`gold/general.json`: 元 amounts, traditional characters, table-like lines,
//! a municipality, a prefecture-level department, region-wide traps). And a
//! small corpus from the generator (`examples/gen_corpus.rs`) in all three
//! generated formats against the truth it writes.

mod common;
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;

use std::collections::HashMap;

use polars::prelude::*;
use serde_json::Value as Json;

fn gold() -> Vec<Json> {
    gold_of("seeds.json")
}

fn gold_of(name: &str) -> Vec<Json> {
    gold_at(&common::fixtures().join("gold").join(name))
}

fn gold_at(path: &std::path::Path) -> Vec<Json> {
    let text = std::fs::read_to_string(path).expect("gold file");
    let v: Json = serde_json::from_str(&text).expect("gold json");
    v["reports"].as_array().expect("reports").clone()
}

/// A cell of reports.parquet as JSON (null, number or string).
fn cell(df: &DataFrame, col: &str, row: usize) -> Json {
    let Ok(c) = df.column(col) else { return Json::Null };
    match c.get(row).expect("row in range") {
        AnyValue::Null => Json::Null,
        AnyValue::String(s) => Json::from(s),
        AnyValue::StringOwned(s) => Json::from(s.as_str()),
        AnyValue::Float64(v) => Json::from(v),
        AnyValue::Int32(v) => Json::from(v),
        AnyValue::Int64(v) => Json::from(v),
        other => panic!("unexpected cell type in {col}: {other:?}"),
    }
}

fn same(field: &str, gold: &Json, got: &Json) -> bool {
    match (gold, got) {
        (Json::Null, Json::Null) => true,
        (Json::String(a), Json::String(b)) => a == b,
        (Json::Number(a), Json::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            let tol = if field.ends_with("_ratio") { 0.0005 } else { 0.005 };
            (a - b).abs() <= tol + 1e-9
        }
        _ => false,
    }
}

/// Every difference between `reports.parquet` of a run over `dir` and the
/// gold file (a name under tests/fixtures/gold, or a path).
fn differences(dir: &std::path::Path, gold_file: &str) -> (usize, Vec<String>) {
    let (compared, diffs, _) = differences_and_reports(dir, gold_file);
    (compared, diffs)
}

/// `differences`, and the run's reports.
fn differences_and_reports(dir: &std::path::Path, gold_file: &str) -> (usize, Vec<String>, Vec<jixiao::model::Report>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (summary, data) = common::run(dir, &out, Some(2));
    let golds = if std::path::Path::new(gold_file).is_absolute() {
        gold_at(std::path::Path::new(gold_file))
    } else {
        gold_of(gold_file)
    };
    assert_eq!(summary.ok, golds.len(), "{summary}");

    let file = std::fs::File::open(out.join("reports.parquet")).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    let paths: Vec<String> = (0..df.height())
        .map(|i| cell(&df, "source_path", i).as_str().unwrap_or("").to_string())
        .collect();
    let by_file: HashMap<&str, usize> = paths.iter().enumerate().map(|(i, p)| (p.as_str(), i)).collect();

    let mut diffs = Vec::new();
    let mut compared = 0;
    for g in golds {
        // A generated report is found by its path under the tree (`match`).
        let file = g["match"].as_str().or(g["file"].as_str()).unwrap();
        let Some(&row) = by_file.get(file) else {
            diffs.push(format!("{file}: no row in reports.parquet"));
            continue;
        };
        let obj = g.as_object().unwrap();
        for (field, want) in obj {
            if field.starts_with('_')
                || matches!(
                    field.as_str(),
                    "file"
                        | "derived"
                        | "expenditure_by_function"
                        | "indicators"
                        | "problems_count"
                        | "known_inconsistencies"
                        | "alternatives"
                        | "revenue_parts"
                        | "match"
                )
            {
                continue;
            }
            compared += 1;
            let got = cell(&df, field, row);
            // The gold's `alternatives` are other readings it also accepts.
            let alternatives = g["alternatives"][field.as_str()]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !same(field, want, &got) && !alternatives.iter().any(|a| same(field, a, &got)) {
                diffs.push(format!("{file} {field}: want {want}, got {got}"));
            }
        }
    }
    (compared, diffs, data.reports)
}

#[test]
fn reports_parquet_equals_gold_field_by_field() {
    let (compared, diffs) = differences(&common::reports_dir(), "seeds.json");
    assert!(compared > 100, "compared only {compared} values");
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn rules_generalise_to_other_provinces_and_layouts() {
    let (compared, diffs) = differences(&common::fixtures().join("general"), "general.json");
    assert!(compared > 100, "compared only {compared} values");
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn generated_reports_in_text_word_and_pdf_equal_their_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    gen_corpus::generate(&gen_corpus::Corpus {
        n: 20,
        out: tree.clone(),
        docx_percent: 34,
        pdf_percent: 33,
        framework_percent: 20,
    });
    let truth = tmp.path().join("truth.json");
    let files: Vec<String> = gold_at(&truth)
        .iter()
        .map(|g| g["match"].as_str().unwrap().to_string())
        .collect();
    for ext in [".txt", ".docx", ".pdf"] {
        let n = files.iter().filter(|f| f.ends_with(ext)).count();
        assert!(n >= 4, "only {n} {ext} reports generated: {files:?}");
    }
    let (compared, mut diffs, reports) = differences_and_reports(&tree, truth.to_str().unwrap());
    assert!(compared > 200, "compared only {compared} values");
    // Every indicator: section, name and score, none missing, none extra; its
    // maximum where the truth states one (as tests/analysis.rs for the seeds).
    let key = |section: &str, name: &str, score: Option<f64>| {
        format!("{section} / {} / {score:?}", common::norm_indicator(name))
    };
    let mut indicators = 0;
    for g in gold_at(&truth) {
        let file = g["match"].as_str().unwrap();
        let Some(r) = reports.iter().find(|r| r.source_path == file) else {
            continue; // already a difference
        };
        let want = g["indicators"].as_array().unwrap();
        let want_keys: std::collections::BTreeSet<String> = want
            .iter()
            .map(|i| key(i[0].as_str().unwrap(), i[1].as_str().unwrap(), i[3].as_f64()))
            .collect();
        let got_keys: std::collections::BTreeSet<String> = r
            .facts
            .indicators
            .iter()
            .map(|i| key(&i.section, &i.indicator, i.score))
            .collect();
        indicators += want.len();
        diffs.extend(
            want_keys
                .difference(&got_keys)
                .map(|k| format!("{file}: indicator missing: {k}")),
        );
        diffs.extend(
            got_keys
                .difference(&want_keys)
                .map(|k| format!("{file}: indicator extra: {k}")),
        );
        for i in want.iter().filter(|i| i[2].is_number()) {
            let name = common::norm_indicator(i[1].as_str().unwrap());
            let got = r
                .facts
                .indicators
                .iter()
                .find(|x| common::norm_indicator(&x.indicator) == name);
            if let Some(got) = got.filter(|x| x.max_score != i[2].as_f64()) {
                diffs.push(format!("{file}: {name} max: want {}, got {:?}", i[2], got.max_score));
            }
        }
    }
    assert!(indicators > 200, "compared only {indicators} indicators");
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

#[test]
fn derived_values_are_marked_derived_in_facts() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, data) = common::run(&common::reports_dir(), &tmp.path().join("out"), Some(1));
    for g in gold() {
        let file = g["file"].as_str().unwrap();
        let report = data.reports.iter().find(|r| r.source_path == file).expect("report");
        for d in g["derived"].as_array().unwrap() {
            let name = d.as_str().unwrap();
            let fact = report.facts.facts.iter().find(|f| f.field == name);
            if let Some(f) = fact {
                assert!(f.derived, "{file}: {name} should be marked derived");
            }
        }
        // Every stated (not derived) fact points into the text.
        for f in report.facts.facts.iter().filter(|f| !f.derived) {
            assert!(
                f.provenance.char_start >= 0 && f.provenance.char_end > f.provenance.char_start,
                "{file}: {} has no span",
                f.field
            );
            assert!(!f.provenance.snippet.is_empty(), "{file}: {} has no snippet", f.field);
        }
    }
}

#[test]
fn problems_count_matches_gold() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, data) = common::run(&common::reports_dir(), &tmp.path().join("out"), Some(2));
    for g in gold() {
        let file = g["file"].as_str().unwrap();
        let report = data.reports.iter().find(|r| r.source_path == file).expect("report");
        assert_eq!(
            report.facts.problems.len() as u64,
            g["problems_count"].as_u64().unwrap(),
            "{file}: {:?}",
            report.facts.problems
        );
    }
}
