//! The DataFrames (polars lives here and nowhere else) and the Parquet writer.

use polars::prelude::*;

use super::RegionSummary;
use crate::model::{Field, FieldKind, FileRecord, Report, Value};

/// A text column from borrowed or owned strings (borrowed: no copy before Arrow's own).
fn text_col<S: AsRef<str>>(name: &str, v: Vec<Option<S>>) -> Column {
    let refs: Vec<Option<&str>> = v.iter().map(|o| o.as_ref().map(AsRef::as_ref)).collect();
    Column::new(name.into(), refs)
}

fn f64_col(name: &str, v: Vec<Option<f64>>) -> Column {
    Column::new(name.into(), v)
}

fn i32_col(name: &str, v: Vec<Option<i32>>) -> Column {
    Column::new(name.into(), v)
}

fn i64_col(name: &str, v: Vec<Option<i64>>) -> Column {
    Column::new(name.into(), v)
}

/// A list-of-text column, built in one Arrow buffer (not a Series per row).
fn list_col<'a>(name: &str, rows: impl ExactSizeIterator<Item = &'a [String]>) -> Column {
    let mut b = ListStringChunkedBuilder::new(name.into(), rows.len(), rows.len() * 4);
    for items in rows {
        b.append_values_iter(items.iter().map(String::as_str));
    }
    b.finish().into_series().into_column()
}

fn frame(columns: Vec<Column>) -> Result<DataFrame, String> {
    DataFrame::new_infer_height(columns).map_err(|e| e.to_string())
}

/// The per-report tables of one batch of reports, named as in SCHEMA.md.
pub fn report_tables(reports: &[&Report]) -> Result<Vec<(&'static str, DataFrame)>, String> {
    Ok(vec![
        ("reports", self::reports(reports)?),
        ("indicators", indicators(reports)?),
        ("expenditure_by_function", functions(reports)?),
        ("facts", facts(reports)?),
        ("checks", checks(reports)?),
    ])
}

fn reports(rs: &[&Report]) -> Result<DataFrame, String> {
    let mut cols = vec![
        text_col("report_id", rs.iter().map(|r| Some(r.report_id.as_str())).collect()),
        text_col("source_path", rs.iter().map(|r| Some(r.source_path.as_str())).collect()),
        text_col(
            "source_format",
            rs.iter().map(|r| Some(r.source_format.as_str())).collect(),
        ),
        text_col(
            "document_kind",
            rs.iter().map(|r| Some(r.facts.document_kind.as_str())).collect(),
        ),
        text_col(
            "score_scheme",
            rs.iter().map(|r| r.facts.score_scheme.as_deref()).collect(),
        ),
    ];
    for field in Field::ALL {
        let name = field.name();
        let col = match field.kind() {
            FieldKind::Text => text_col(name, rs.iter().map(|r| r.facts.text(field)).collect()),
            FieldKind::Year | FieldKind::Count => {
                i32_col(name, rs.iter().map(|r| r.facts.num(field).map(|v| v as i32)).collect())
            }
            _ => f64_col(name, rs.iter().map(|r| r.facts.num(field)).collect()),
        };
        cols.push(col);
    }
    cols.push(list_col("problems", rs.iter().map(|r| r.facts.problems.as_slice())));
    cols.push(i64_col(
        "problems_count",
        rs.iter().map(|r| Some(r.facts.problems.len() as i64)).collect(),
    ));
    cols.push(text_col(
        "derived_fields",
        rs.iter()
            .map(|r| {
                let d: Vec<&str> = r
                    .facts
                    .facts
                    .iter()
                    .filter(|f| f.derived)
                    .map(|f| f.field.as_str())
                    .collect();
                Some(d.join(","))
            })
            .collect(),
    ));
    frame(cols)
}

fn facts(reports: &[&Report]) -> Result<DataFrame, String> {
    let rows: Vec<(&str, &crate::model::Fact)> = reports
        .iter()
        .flat_map(|r| r.facts.facts.iter().map(move |f| (r.report_id.as_str(), f)))
        .collect();
    frame(vec![
        text_col("report_id", rows.iter().map(|(id, _)| Some(*id)).collect()),
        text_col("field", rows.iter().map(|(_, f)| Some(f.field.as_str())).collect()),
        text_col("value", rows.iter().map(|(_, f)| Some(f.value.render())).collect()),
        Column::new(
            "derived".into(),
            rows.iter().map(|(_, f)| f.derived).collect::<Vec<bool>>(),
        ),
        text_col(
            "rule",
            rows.iter().map(|(_, f)| Some(f.provenance.rule.as_str())).collect(),
        ),
        text_col(
            "snippet",
            rows.iter().map(|(_, f)| Some(f.provenance.snippet.as_str())).collect(),
        ),
        i64_col(
            "char_start",
            rows.iter()
                .map(|(_, f)| (f.provenance.char_start >= 0).then_some(f.provenance.char_start))
                .collect(),
        ),
        i64_col(
            "char_end",
            rows.iter()
                .map(|(_, f)| (f.provenance.char_end >= 0).then_some(f.provenance.char_end))
                .collect(),
        ),
        i32_col("page", rows.iter().map(|(_, f)| f.provenance.page).collect()),
        text_col(
            "value_type",
            rows.iter()
                .map(|(_, f)| {
                    Some(match f.value {
                        Value::Num(_) => "number",
                        Value::Int(_) => "integer",
                        Value::Text(_) => "text",
                    })
                })
                .collect(),
        ),
    ])
}

fn checks(reports: &[&Report]) -> Result<DataFrame, String> {
    let rows: Vec<(&str, &crate::model::Check)> = reports
        .iter()
        .flat_map(|r| r.facts.checks.iter().map(move |c| (r.report_id.as_str(), c)))
        .collect();
    checks_of(&rows)
}

/// Rows of the checks table: (report_id, check).
pub fn checks_of(rows: &[(&str, &crate::model::Check)]) -> Result<DataFrame, String> {
    frame(vec![
        text_col("report_id", rows.iter().map(|(id, _)| Some(*id)).collect()),
        text_col("check", rows.iter().map(|(_, c)| Some(c.check.as_str())).collect()),
        text_col(
            "severity",
            rows.iter().map(|(_, c)| Some(c.severity.as_str())).collect(),
        ),
        text_col("message", rows.iter().map(|(_, c)| Some(c.message.as_str())).collect()),
        list_col("fields", rows.iter().map(|(_, c)| c.fields.as_slice())),
        list_col("values", rows.iter().map(|(_, c)| c.values.as_slice())),
    ])
}

fn indicators(reports: &[&Report]) -> Result<DataFrame, String> {
    let rows: Vec<(&str, &crate::model::Indicator)> = reports
        .iter()
        .flat_map(|r| r.facts.indicators.iter().map(move |i| (r.report_id.as_str(), i)))
        .collect();
    frame(vec![
        text_col("report_id", rows.iter().map(|(id, _)| Some(*id)).collect()),
        // An indicator whose section is unsure has none (null).
        text_col(
            "section",
            rows.iter()
                .map(|(_, i)| Some(i.section.as_str()).filter(|s| !s.is_empty()))
                .collect(),
        ),
        text_col(
            "indicator",
            rows.iter().map(|(_, i)| Some(i.indicator.as_str())).collect(),
        ),
        f64_col("max_score", rows.iter().map(|(_, i)| i.max_score).collect()),
        f64_col("score", rows.iter().map(|(_, i)| i.score).collect()),
        text_col("parent", rows.iter().map(|(_, i)| i.parent.as_deref()).collect()),
        text_col("rule", rows.iter().map(|(_, i)| Some(i.rule.as_str())).collect()),
        text_col("snippet", rows.iter().map(|(_, i)| Some(i.snippet.as_str())).collect()),
        i64_col("char_start", rows.iter().map(|(_, i)| Some(i.char_start)).collect()),
        i64_col("char_end", rows.iter().map(|(_, i)| Some(i.char_end)).collect()),
    ])
}

fn functions(reports: &[&Report]) -> Result<DataFrame, String> {
    let rows: Vec<(&str, &crate::model::FunctionSpending)> = reports
        .iter()
        .flat_map(|r| r.facts.functions.iter().map(move |f| (r.report_id.as_str(), f)))
        .collect();
    frame(vec![
        text_col("report_id", rows.iter().map(|(id, _)| Some(*id)).collect()),
        text_col(
            "function_class",
            rows.iter().map(|(_, f)| Some(f.function_class.as_str())).collect(),
        ),
        f64_col("amount", rows.iter().map(|(_, f)| Some(f.amount)).collect()),
        text_col("snippet", rows.iter().map(|(_, f)| Some(f.snippet.as_str())).collect()),
        i64_col("char_start", rows.iter().map(|(_, f)| Some(f.char_start)).collect()),
        i64_col("char_end", rows.iter().map(|(_, f)| Some(f.char_end)).collect()),
    ])
}

pub fn files(fs: &[&FileRecord]) -> Result<DataFrame, String> {
    frame(vec![
        text_col("source_path", fs.iter().map(|f| Some(f.source_path.as_str())).collect()),
        text_col(
            "source_format",
            fs.iter().map(|f| Some(f.source_format.as_str())).collect(),
        ),
        i64_col("bytes", fs.iter().map(|f| Some(f.bytes as i64)).collect()),
        text_col("sha256", fs.iter().map(|f| f.sha256.as_deref()).collect()),
        text_col("status", fs.iter().map(|f| Some(f.status.as_str())).collect()),
        text_col("error", fs.iter().map(|f| f.error.as_deref()).collect()),
        text_col("report_id", fs.iter().map(|f| f.report_id.as_deref()).collect()),
        text_col("encoding", fs.iter().map(|f| f.encoding.as_deref()).collect()),
        text_col("reader", fs.iter().map(|f| f.reader.as_deref()).collect()),
    ])
}

pub fn summary(rows: &[RegionSummary]) -> Result<DataFrame, String> {
    frame(vec![
        text_col("province", rows.iter().map(|r| r.province.as_deref()).collect()),
        text_col("city", rows.iter().map(|r| r.city.as_deref()).collect()),
        text_col("county", rows.iter().map(|r| r.county.as_deref()).collect()),
        i32_col("fiscal_year", rows.iter().map(|r| r.fiscal_year).collect()),
        i64_col("reports", rows.iter().map(|r| Some(r.reports)).collect()),
        i64_col("departments", rows.iter().map(|r| Some(r.departments)).collect()),
        i64_col(
            "departments_in_conflict",
            rows.iter().map(|r| Some(r.departments_in_conflict)).collect(),
        ),
        f64_col("revenue_total", rows.iter().map(|r| r.revenue_total).collect()),
        f64_col("expenditure_total", rows.iter().map(|r| r.expenditure_total).collect()),
        f64_col("expenditure_basic", rows.iter().map(|r| r.expenditure_basic).collect()),
        f64_col(
            "expenditure_project",
            rows.iter().map(|r| r.expenditure_project).collect(),
        ),
        f64_col(
            "three_public_actual",
            rows.iter().map(|r| r.three_public_actual).collect(),
        ),
        f64_col(
            "three_public_budget",
            rows.iter().map(|r| r.three_public_budget).collect(),
        ),
        f64_col(
            "three_public_ratio",
            rows.iter().map(|r| r.three_public_ratio).collect(),
        ),
        f64_col("score_mean", rows.iter().map(|r| r.score_mean).collect()),
        f64_col("score_min", rows.iter().map(|r| r.score_min).collect()),
        f64_col("score_max", rows.iter().map(|r| r.score_max).collect()),
        i64_col(
            "reports_with_errors",
            rows.iter().map(|r| Some(r.reports_with_errors)).collect(),
        ),
    ])
}

/// A small table written in one go.
pub fn write_one(df: &mut DataFrame, path: &std::path::Path) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// One Parquet table written batch by batch (one row group per batch) into a
/// temporary file; memory holds one batch, not the corpus.
pub struct TableWriter {
    pub name: &'static str,
    pub tmp: std::path::PathBuf,
    writer: Option<BatchedWriter<std::fs::File>>,
}

impl TableWriter {
    pub fn new(name: &'static str, tmp: std::path::PathBuf) -> Self {
        TableWriter {
            name,
            tmp,
            writer: None,
        }
    }

    pub fn write(&mut self, df: &DataFrame) -> Result<(), String> {
        if self.writer.is_none() {
            let file = std::fs::File::create(&self.tmp).map_err(|e| e.to_string())?;
            let w = ParquetWriter::new(file)
                .with_compression(ParquetCompression::Zstd(None))
                .batched(df.schema())
                .map_err(|e| e.to_string())?;
            self.writer = Some(w);
        }
        if df.height() == 0 {
            return Ok(());
        }
        match self.writer.as_mut() {
            Some(w) => w.write_batch(df).map_err(|e| e.to_string()),
            None => Err("writer not open".into()),
        }
    }

    /// Closes the file; `empty` gives the schema when no batch was written.
    pub fn finish(mut self, empty: &DataFrame) -> Result<std::path::PathBuf, String> {
        if self.writer.is_none() {
            self.write(empty)?;
        }
        if let Some(w) = self.writer.take() {
            w.finish().map_err(|e| e.to_string())?;
        }
        Ok(self.tmp)
    }
}
