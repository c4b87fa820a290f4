//! The sentence table (`tests/fixtures/sentences/*.toml`): small reports and
//! what must be read from each, each read as a `.txt` report is (its
//! tab-separated tables as tables). A value that must stay null is as much a
//! case as a value that must be read, because a wrong number is worse than a
//! missing one. All cases run; the test fails with the list of the failing.

use std::path::{Path, PathBuf};

use jixiao::model::{Field, ReportFacts, Value};
use jixiao::{Engine, Rules};
use serde::Deserialize;

#[derive(Deserialize)]
struct Table {
    #[serde(default)]
    default_heading: Option<String>,
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    why: String,
    #[serde(default)]
    heading: Option<String>,
    text: String,
    #[serde(default)]
    expect: toml::Table,
    #[serde(default)]
    grade_stated: bool,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    indicators: toml::Table,
}

/// What an expectation says: a number, a text, or that the value is null.
fn want_of(v: &toml::Value) -> Result<Option<Value>, String> {
    match v {
        toml::Value::String(s) if s == "null" => Ok(None),
        toml::Value::String(s) => Ok(Some(Value::Text(s.clone()))),
        toml::Value::Integer(i) => Ok(Some(Value::Num(*i as f64))),
        toml::Value::Float(f) => Ok(Some(Value::Num(*f))),
        other => Err(format!("an expectation must be a number, a text or \"null\": {other}")),
    }
}

fn same(got: Option<&Value>, want: &Option<Value>) -> bool {
    let num = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Num(f) => Some(*f),
        Value::Text(_) => None,
    };
    match (got, want) {
        (None, None) => true,
        (Some(Value::Text(a)), Some(Value::Text(b))) => a == b,
        (Some(g), Some(w)) => matches!((num(g), num(w)), (Some(a), Some(b)) if (a - b).abs() < 1e-9),
        _ => false,
    }
}

/// Why the facts fail the case, or nothing when they pass.
fn failures(case: &Case, facts: &ReportFacts) -> Vec<String> {
    let mut out = Vec::new();
    for (name, v) in &case.expect {
        let Some(field) = Field::from_name(name) else {
            out.push(format!("no field `{name}`"));
            continue;
        };
        match want_of(v) {
            Ok(want) => {
                let got = facts.get(field);
                if !same(got, &want) {
                    out.push(format!("{name}: got {:?}, want {want:?}", got.map(Value::render)));
                }
            }
            Err(e) => out.push(e),
        }
    }
    if case.grade_stated && facts.is_derived(Field::Grade) {
        out.push("grade: derived, want stated".into());
    }
    if let Some(check) = &case.check {
        if !facts.checks.iter().any(|c| &c.check == check) {
            let got: Vec<&str> = facts.checks.iter().map(|c| c.check.as_str()).collect();
            out.push(format!("no `{check}` check (got {got:?})"));
        }
    }
    for (name, v) in &case.indicators {
        let got = facts
            .indicators
            .iter()
            .find(|i| &i.indicator == name)
            .and_then(|i| i.score.map(Value::Num));
        match want_of(v) {
            Ok(want) if !same(got.as_ref(), &want) => {
                let all: Vec<(&str, Option<f64>)> = facts
                    .indicators
                    .iter()
                    .map(|i| (i.indicator.as_str(), i.score))
                    .collect();
                out.push(format!("indicator {name}: want {want:?}; indicators {all:?}"));
            }
            Ok(_) => {}
            Err(e) => out.push(e),
        }
    }
    out
}

fn tables() -> Vec<(PathBuf, Table)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sentences");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the sentence tables' folder")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a sentence table");
            let table: Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, table)
        })
        .collect()
}

/// A case read as a `.txt` report is: through the reader (so a tab-separated
/// table in it is read as a table), then the engine.
fn facts_of_txt(engine: &Engine, text: &str) -> ReportFacts {
    let doc = jixiao::ingest::read_document(Path::new("case.txt"), "txt", text.as_bytes(), &engine.rules.config)
        .unwrap_or_else(|e| panic!("a case is read: {e:?}"));
    engine.facts_of_document(doc).1
}

#[test]
fn every_sentence_case_reads_as_its_table_says() {
    let engine = Engine::new(Rules::bundled().expect("bundled rules")).expect("engine");
    let mut cases = 0;
    let mut failed = Vec::new();
    for (path, table) in tables() {
        for (i, case) in table.case.iter().enumerate() {
            cases += 1;
            let heading = case
                .heading
                .as_deref()
                .or(table.default_heading.as_deref())
                .unwrap_or_default();
            let facts = facts_of_txt(&engine, &format!("{heading}\n{}\n", case.text));
            let why = failures(case, &facts);
            if !why.is_empty() {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                failed.push(format!(
                    "{name} case {} ({}): {}\n    {}",
                    i + 1,
                    case.why,
                    case.text,
                    why.join("\n    ")
                ));
            }
        }
    }
    assert!(cases >= 40, "the bundled table holds at least 40 cases, found {cases}");
    assert!(
        failed.is_empty(),
        "{} of {cases} cases fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The table's checker fails where it must: a wrong value, a value where
/// null is wanted, a derived grade where a stated one is, a missing check.
#[test]
fn the_checker_fails_a_case_that_does_not_hold() {
    let engine = Engine::new(Rules::bundled().expect("bundled rules")).expect("engine");
    let case = |expect: &str, extra: &str| -> Case {
        toml::from_str(&format!("why = \"t\"\ntext = \"\"\nexpect = {{ {expect} }}\n{extra}")).expect("a case")
    };
    let facts = facts_of_txt(&engine, "二、绩效自评结论\n自评得分92分。\n");
    assert!(failures(&case("score_total = 92", ""), &facts).is_empty());
    assert!(!failures(&case("score_total = 91", ""), &facts).is_empty());
    assert!(!failures(&case("score_total = \"null\"", ""), &facts).is_empty());
    assert!(!failures(&case("revenue_total = 1", ""), &facts).is_empty());
    assert!(!failures(&case("", "grade_stated = true"), &facts).is_empty());
    assert!(!failures(&case("", "check = \"conflict\""), &facts).is_empty());
    assert!(!failures(&case("no_such_field = 1", ""), &facts).is_empty());
}
