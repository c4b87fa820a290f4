//! Indicators, functional classes, problems and consistency checks on the
//! five real reports, against `gold/seeds.json`.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use jixiao::model::{Report, Severity};
use serde_json::Value as Json;

fn gold() -> Vec<Json> {
    let text = std::fs::read_to_string(common::fixtures().join("gold/seeds.json")).unwrap();
    serde_json::from_str::<Json>(&text).unwrap()["reports"]
        .as_array()
        .unwrap()
        .clone()
}

fn reports() -> Vec<Report> {
    let tmp = tempfile::tempdir().unwrap();
    common::run(&common::reports_dir(), &tmp.path().join("out"), Some(2))
        .1
        .reports
}

use common::norm_indicator as norm;

#[test]
fn indicators_match_gold_with_precision_and_recall_above_095() {
    let reports = reports();
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for g in gold() {
        let file = g["file"].as_str().unwrap();
        let r = reports.iter().find(|r| r.source_path == file).unwrap();
        let want: BTreeSet<(String, String)> = g["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (norm(i[1].as_str().unwrap()), format!("{}", i[3].as_f64().unwrap())))
            .collect();
        let got: BTreeSet<(String, String)> = r
            .facts
            .indicators
            .iter()
            .filter_map(|i| Some((norm(&i.indicator), format!("{}", i.score?))))
            .collect();
        tp += want.intersection(&got).count();
        fn_ += want.difference(&got).count();
        fp += got.difference(&want).count();
        for w in want.difference(&got) {
            misses.push(format!("{file} missed {w:?}"));
        }
        for w in got.difference(&want) {
            misses.push(format!("{file} extra {w:?}"));
        }
        // Sections come from the headings the indicators sit under.
        for gi in g["indicators"].as_array().unwrap() {
            let name = norm(gi[1].as_str().unwrap());
            if let Some(mine) = r.facts.indicators.iter().find(|i| norm(&i.indicator) == name) {
                let want_section = gi[0].as_str().unwrap();
                assert_eq!(mine.section, want_section, "{file}: section of {name}");
                if let Some(max) = gi[2].as_f64() {
                    assert_eq!(mine.max_score, Some(max), "{file}: max of {name}");
                }
            }
        }
    }
    let p = tp as f64 / (tp + fp) as f64;
    let r = tp as f64 / (tp + fn_) as f64;
    assert!(
        p >= 0.95 && r >= 0.95,
        "precision {p:.3} recall {r:.3}\n{}",
        misses.join("\n")
    );
}

#[test]
fn functional_classes_equal_gold_exactly() {
    let reports = reports();
    for g in gold() {
        let file = g["file"].as_str().unwrap();
        let r = reports.iter().find(|r| r.source_path == file).unwrap();
        let want: BTreeMap<String, String> = g["expenditure_by_function"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), format!("{:.2}", v.as_f64().unwrap())))
            .collect();
        let got: BTreeMap<String, String> = r
            .facts
            .functions
            .iter()
            .map(|f| (f.function_class.clone(), format!("{:.2}", f.amount)))
            .collect();
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn known_inconsistencies_are_flagged_and_none_invented() {
    let reports = reports();
    let checks_of = |file: &str| -> Vec<(String, Severity, String)> {
        let r = reports.iter().find(|r| r.source_path == file).unwrap();
        r.facts
            .checks
            .iter()
            .map(|c| (c.check.clone(), c.severity, c.message.clone()))
            .collect()
    };
    // 001: the four functional amounts add up to 674.18, not 672.18.
    let c = checks_of("001_1390636e966f3c3c.txt");
    assert!(
        c.iter()
            .any(|(id, _, m)| id == "sum_functions" && m.contains("674.18") && m.contains("672.18")),
        "{c:?}"
    );
    // 001: 在编人数（含工勤人员）29 read beside 行政编制 26: two scopes, flagged.
    assert!(
        c.iter().any(|(id, s, m)| id == "staff_actual_exceeds_authorized"
            && *s == Severity::Warning
            && m.contains("29")
            && m.contains("26")),
        "{c:?}"
    );
    // 002: 101.5 capped at 100 (info, not error); 6 points against a maximum of 3; 912.97 vs 912.96.
    let c = checks_of("002_673b39950d73d57f.txt");
    assert!(
        c.iter()
            .any(|(id, s, m)| id == "score_sections_vs_total" && *s == Severity::Info && m.contains("101.5")),
        "{c:?}"
    );
    assert!(
        c.iter()
            .any(|(id, _, m)| id == "indicator_over_max" && m.contains("部门预算资金支出率")),
        "{c:?}"
    );
    assert!(
        c.iter().any(|(_, _, m)| m.contains("912.97") && m.contains("912.96")),
        "{c:?}"
    );
    // No error-severity finding on any of the five: their figures agree otherwise.
    for r in &reports {
        let errors: Vec<&str> = r
            .facts
            .checks
            .iter()
            .filter(|c| c.severity == Severity::Error)
            .map(|c| c.message.as_str())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", r.source_path);
    }
}

#[test]
fn a_sum_that_does_not_add_up_is_an_error() {
    let rules = jixiao::Rules::bundled().unwrap();
    let engine = jixiao::Engine::new(rules).unwrap();
    let (_, f) =
        engine.facts_of_text("（二）部门整体收支情况\n支出合计 900 万元。基本支出 585.91 万元，项目支出 237.64 万元。");
    assert!(
        f.checks
            .iter()
            .any(|c| c.check == "sum_basic_project" && c.severity == Severity::Error),
        "{:?}",
        f.checks
    );
}

#[test]
fn the_same_department_across_years_shows_its_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(input.join("2022")).unwrap();
    std::fs::create_dir_all(input.join("2023")).unwrap();
    let text = std::fs::read_to_string(common::reports_dir().join("002_673b39950d73d57f.txt")).unwrap();
    std::fs::write(input.join("2023/report.txt"), &text).unwrap();
    let earlier = text
        .replace("2023", "2022")
        .replace("累计支出912.97万元", "累计支出800.00万元");
    std::fs::write(input.join("2022/report.txt"), earlier).unwrap();
    let (_, data) = common::run(&input, &tmp.path().join("out"), Some(1));

    let digests: Vec<_> = data.reports.iter().map(jixiao::output::ReportDigest::of).collect();
    let prefixes = jixiao::config::Rules::bundled().unwrap().config.department.prefixes;
    let panel = jixiao::output::department_panel(&digests, &prefixes);
    assert_eq!(panel.len(), 2, "{panel:?}");
    let later = panel.iter().find(|p| p.fiscal_year == 2023).unwrap();
    assert_eq!(later.previous_year, Some(2022));
    assert!(
        (later.expenditure_total_change.unwrap() - 112.97).abs() < 1e-6,
        "{later:?}"
    );
    assert_eq!(later.score_change, Some(0.0));

    let regions = jixiao::output::summarize_regions(&digests, &prefixes);
    let r2023 = regions.iter().find(|r| r.fiscal_year == Some(2023)).unwrap();
    assert_eq!(r2023.county.as_deref(), Some("乐昌市"));
    assert_eq!(r2023.previous_year, Some(2022));
    assert!((r2023.expenditure_total_change.unwrap() - 112.97).abs() < 1e-6);
}

#[test]
fn indicator_scores_must_add_up_to_a_stated_section_score() {
    let rules = jixiao::Rules::bundled().unwrap();
    let engine = jixiao::Engine::new(rules).unwrap();
    let text = "（一）预算编制情况总分 28 分，得分 27 分。\n1.预算编制：符合要求，得指标分值 18 分。\n2.目标设置：符合要求，得指标分值 10 分。\n";
    let (_, f) = engine.facts_of_text(text);
    assert_eq!(f.num(jixiao::model::Field::ScoreBudgetPreparation), Some(27.0));
    assert!(
        f.checks
            .iter()
            .any(|c| c.check == "indicators_vs_section" && c.message.contains("28") && c.message.contains("27")),
        "{:?}",
        f.checks
    );
}

#[test]
fn a_budget_document_never_fills_spending_fields() {
    let rules = jixiao::Rules::bundled().unwrap();
    let engine = jixiao::Engine::new(rules).unwrap();
    let text = "上海市普陀区2025年区级部门预算\n预算主管部门：上海市普陀区商务委员会\n一、说明\n(三)公务接待费1.00万元。基本支出 938.99 万元。\n";
    let (_, f) = engine.facts_of_text(text);
    assert_eq!(f.document_kind, "部门预算");
    assert_eq!(f.num(jixiao::model::Field::ReceptionActual), None);
    assert_eq!(f.num(jixiao::model::Field::ReceptionBudget), Some(1.0));
    assert_eq!(f.num(jixiao::model::Field::ExpenditureBasic), None);
    assert_eq!(f.text(jixiao::model::Field::Department), Some("上海市普陀区商务委员会"));
}

/// A project's self-evaluation in the same folder as its department's report
/// names the same department and year; it is not a second report of theirs:
/// its figures are not read, and the region counts the department once.
#[test]
fn a_projects_report_beside_its_departments_is_not_counted_in_the_region() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let text = std::fs::read_to_string(common::reports_dir().join("002_673b39950d73d57f.txt")).unwrap();
    std::fs::write(input.join("report.txt"), &text).unwrap();
    let project = "乐昌市人民政府办公室2023年度项目支出绩效自评报告\n一、项目基本情况\n\
                   年初预算 120 万元，实际支出 118.5 万元。\n二、自评结论\n项目自评得分 96 分。\n";
    std::fs::write(input.join("project.txt"), project).unwrap();
    let (_, data) = common::run(&input, &tmp.path().join("out"), Some(1));
    let kinds = jixiao::config::Rules::bundled().unwrap().config.document_kinds;
    let of = |name: &str| {
        data.reports
            .iter()
            .find(|r| r.source_path == name)
            .unwrap_or_else(|| panic!("{name} is read"))
    };
    let p = of("project.txt");
    assert_eq!(p.facts.document_kind, "项目支出绩效报告");
    assert_eq!(p.facts.num(jixiao::model::Field::ExpenditureTotal), None);
    assert_eq!(p.facts.num(jixiao::model::Field::ScoreTotal), None);
    assert_eq!(
        p.facts.text(jixiao::model::Field::Department),
        Some("乐昌市人民政府办公室")
    );
    assert_eq!(p.facts.num(jixiao::model::Field::FiscalYear), Some(2023.0));
    let department = of("report.txt");
    assert_eq!(p.facts.text(jixiao::model::Field::County), Some("乐昌市"));
    assert_eq!(department.facts.text(jixiao::model::Field::County), Some("乐昌市"));

    let digests: Vec<_> = data.reports.iter().map(jixiao::output::ReportDigest::of).collect();
    assert_eq!(digests.len(), 2);
    let regions = jixiao::output::summarize_regions(&jixiao::output::department_reports(digests, &kinds), &[]);
    let r = regions
        .iter()
        .find(|r| r.fiscal_year == Some(2023))
        .expect("the region's year");
    assert_eq!(r.reports, 1);
    assert_eq!(r.score_mean, department.facts.num(jixiao::model::Field::ScoreTotal));
}

/// Two files of one department and year that state its spending differently
/// (a revised copy beside the first): each gets a `department_year_conflict`
/// warning in `checks.parquet` and the workbook's 校验 sheet, naming the other
/// file; the manifest counts them; a project's report beside them is not a
/// file of the department and is not named.
#[test]
fn files_of_a_department_year_that_disagree_are_named_in_the_checks() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let text = std::fs::read_to_string(common::reports_dir().join("002_673b39950d73d57f.txt")).unwrap();
    assert!(text.contains("累计支出912.97万元"));
    std::fs::write(input.join("a_report.txt"), &text).unwrap();
    let revised = text.replace("累计支出912.97万元", "累计支出950.00万元");
    std::fs::write(input.join("b_revised.txt"), revised).unwrap();
    let project = "乐昌市人民政府办公室2023年度项目支出绩效自评报告\n一、项目基本情况\n\
                   年初预算 120 万元，实际支出 118.5 万元。\n二、自评结论\n项目自评得分 96 分。\n";
    std::fs::write(input.join("c_project.txt"), project).unwrap();
    let out = tmp.path().join("out");
    let (_, data) = common::run(&input, &out, Some(1));
    let id_of = |name: &str| {
        data.reports
            .iter()
            .find(|r| r.source_path == name)
            .map(|r| r.report_id.clone())
            .unwrap_or_else(|| panic!("{name} is read"))
    };
    let (a, b) = (id_of("a_report.txt"), id_of("b_revised.txt"));

    let checks = ParquetReader::new(std::fs::File::open(out.join("checks.parquet")).unwrap())
        .finish()
        .unwrap();
    let text_at = |col: &str, i: usize| -> String {
        match checks.column(col).unwrap().get(i).unwrap() {
            AnyValue::String(s) => s.to_string(),
            AnyValue::StringOwned(s) => s.to_string(),
            other => panic!("{col}: {other:?}"),
        }
    };
    let found: Vec<(String, String, String)> = (0..checks.height())
        .filter(|&i| text_at("check", i) == "department_year_conflict")
        .map(|i| (text_at("report_id", i), text_at("severity", i), text_at("message", i)))
        .collect();
    let ids: Vec<&str> = found.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str()], "{found:?}");
    assert!(found.iter().all(|(_, sev, _)| sev == "warning"));
    let (_, _, first) = &found[0];
    assert!(first.contains("b_revised.txt"), "{first}");
    assert!(first.contains("本文件为 912.97，该文件为 950"), "{first}");
    assert!(!first.contains("c_project.txt"), "{first}");

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["checks"].as_u64(), Some(checks.height() as u64));

    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(out.join("jixiao.xlsx")).unwrap();
    let sheet = wb.worksheet_range("校验").unwrap();
    let named: Vec<String> = sheet
        .rows()
        .filter(|row| row.iter().any(|c| *c == "department_year_conflict"))
        .filter_map(|row| row.first().map(|c| c.to_string()))
        .collect();
    assert_eq!(named, [a.clone(), b.clone()]);

    // Partitioned, they go to their reports' folder.
    let parts = tmp.path().join("parts");
    let opts = jixiao::RunOptions {
        jobs: Some(1),
        partition_by: vec!["fiscal_year".into(), "province".into()],
        ..jixiao::RunOptions::new(input.clone(), parts.clone())
    };
    jixiao::run(jixiao::Rules::bundled().unwrap(), &opts).unwrap();
    let part = parts.join("checks/fiscal_year=2023/province=广东省/part-1-of-1.parquet");
    let checks = ParquetReader::new(std::fs::File::open(&part).unwrap())
        .finish()
        .unwrap();
    let column = checks.column("check").unwrap();
    let conflicts = (0..checks.height())
        .filter(|&i| matches!(column.get(i), Ok(AnyValue::String("department_year_conflict"))))
        .count();
    assert_eq!(conflicts, 2, "{part:?}");
}
