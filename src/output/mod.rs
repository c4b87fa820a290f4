//! Stage 5: tables → Parquet, the workbook and the manifest.
//!
//! Every file is written to a temporary name in the output folder and renamed
//! into place when complete; `manifest.json` is written last, so a run that
//! dies leaves the previous outputs whole.

mod summary;
mod tables;
mod workbook;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use summary::{department_panel, summarize_regions, PanelRow, RegionSummary};

use crate::config::Rules;
use crate::error::OutputError;
use crate::pipeline::{RunData, RunSummary};

/// The Parquet tables of SCHEMA.md, in writing order.
pub const TABLES: [&str; 7] = [
    "reports",
    "indicators",
    "expenditure_by_function",
    "facts",
    "checks",
    "files",
    "summary_by_region",
];

/// Refuses an output folder inside the input tree, and one that holds files
/// jixiao did not write (unless `force`).
pub fn check_out_dir(input: &Path, out: &Path, force: bool) -> Result<(), OutputError> {
    let abs = |p: &Path| -> PathBuf {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        })
    };
    let (i, o) = (abs(input), abs(out));
    if o.starts_with(&i) {
        return Err(OutputError::InsideInput(out.display().to_string()));
    }
    if !force {
        if let Some(foreign) = foreign_entry(out) {
            return Err(OutputError::Foreign {
                dir: out.display().to_string(),
                entry: foreign,
            });
        }
    }
    Ok(())
}

/// Whether `name` is something jixiao writes into its output folder.
fn is_ours(name: &str) -> bool {
    let outputs = TABLES
        .iter()
        .map(|t| format!("{t}.parquet"))
        .chain(["jixiao.xlsx".into(), "manifest.json".into()]);
    let base = name
        .strip_prefix('.')
        .and_then(|n| n.split_once(".tmp-").map(|(b, _)| b));
    outputs.into_iter().any(|o| o == name || base == Some(o.as_str()))
}

/// The first entry of an existing output folder that jixiao did not write.
fn foreign_entry(out: &Path) -> Option<String> {
    let entries = std::fs::read_dir(out).ok()?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .find(|n| !is_ours(n) && n != ".gitkeep")
}

/// Temporary files a killed run left behind are removed before writing.
fn remove_stale_temporaries(out: &Path) {
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') && name.contains(".tmp-") && is_ours(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> OutputError {
    OutputError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `name` in `dir` through a temporary file and a rename.
pub(crate) fn write_atomic<F>(dir: &Path, name: &str, write: F) -> Result<(), OutputError>
where
    F: FnOnce(&Path) -> Result<(), String>,
{
    let final_path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    if let Err(e) = write(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(&final_path, e));
    }
    std::fs::rename(&tmp, &final_path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_err(&final_path, e)
    })
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    config_digest: &'a str,
    input_root: String,
    counts: &'a RunSummary,
    reports: usize,
    facts: usize,
    indicators: usize,
    checks: usize,
    stage_seconds: &'a crate::model::StageTimes,
    outputs: Vec<String>,
}

pub fn write_all(
    out: &Path,
    input: &Path,
    rules: &Rules,
    data: &RunData,
    summary: &RunSummary,
) -> Result<(), OutputError> {
    std::fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
    remove_stale_temporaries(out);
    let regions = summarize_regions(&data.reports);
    let panel = department_panel(&data.reports);
    let mut frames = tables::build(data, &regions).map_err(|e| write_err(out, e))?;
    let mut outputs = Vec::new();
    for (name, df) in frames.iter_mut() {
        let file = format!("{name}.parquet");
        write_atomic(out, &file, |p| tables::write_parquet(df, p))?;
        outputs.push(file);
    }
    write_atomic(out, "jixiao.xlsx", |p| workbook::write(data, &regions, &panel, p))?;
    outputs.push("jixiao.xlsx".into());
    let manifest = Manifest {
        tool: "jixiao",
        version: env!("CARGO_PKG_VERSION"),
        config_digest: &rules.digest,
        input_root: input.display().to_string(),
        counts: summary,
        reports: data.reports.len(),
        facts: data.reports.iter().map(|r| r.facts.facts.len()).sum(),
        indicators: data.reports.iter().map(|r| r.facts.indicators.len()).sum(),
        checks: data.reports.iter().map(|r| r.facts.checks.len()).sum(),
        stage_seconds: &data.times,
        outputs,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| write_err(out, e))?;
    write_atomic(out, "manifest.json", |p| {
        std::fs::write(p, &json).map_err(|e| e.to_string())
    })
}
