//! Stage 5: tables → Parquet, the workbook and the manifest.
//!
//! Every file is written to a temporary name in the output folder and renamed
//! into place when complete; `manifest.json` is written last, so a run that
//! dies leaves the previous outputs whole.

mod partition;
mod summary;
mod tables;
mod workbook;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use partition::{Layout, NULL_VALUE as PARTITION_NULL};
pub use summary::{
    department_panel, department_reports, summarize_regions, DepartmentYears, PanelRow, RegionSummary, ReportDigest,
};

use crate::config::Rules;
use crate::error::OutputError;
use crate::model::{FileRecord, Report};
use crate::pipeline::RunSummary;

/// Checks across files written per Parquet row group and workbook append.
const CROSS_CHECKS_BATCH: usize = 1024;

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
pub fn check_out_dir(input: &Path, out: &Path, layout: &Layout, force: bool) -> Result<(), OutputError> {
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
        if layout.is_partitioned() {
            if let Some(part) = partition::foreign_parts(out, layout) {
                return Err(OutputError::OtherSharding {
                    part,
                    n: layout.shard.1,
                });
            }
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
    let partitioned = |n: &str| {
        let part = |prefix: &str, ext: &str| {
            n.strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(ext))
                .is_some_and(|r| r.starts_with("part-") && r.contains("-of-"))
        };
        part("manifest-", ".json") || part("jixiao-", ".xlsx") || part("summary_by_region-", ".parquet")
    };
    name == crate::cache::DIR
        || TABLES.contains(&name)
        || partitioned(name)
        || base.is_some_and(partitioned)
        || outputs.into_iter().any(|o| o == name || base == Some(o.as_str()))
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
/// Only this shard's: in a shared partitioned folder another shard may be
/// writing its own temporaries right now.
fn remove_stale_temporaries(out: &Path, layout: &Layout) {
    let tag = layout.part_file().trim_end_matches(".parquet").to_string();
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().to_string();
            let mine = !layout.is_partitioned() || name.contains(&tag);
            if name.starts_with('.') && name.contains(".tmp-") && is_ours(&name) && mine {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Removes the `.{name}.tmp-<pid>` files that killed runs writing `name`
/// left anywhere under `dir`. Only this name's: in a shared folder another
/// shard may be writing its own temporaries right now.
pub fn remove_temporaries_of(dir: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    for e in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if e.file_type().is_file() && e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(e.path());
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
    let tmp = tmp_name(dir, name);
    if let Err(e) = write(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(&final_path, e));
    }
    std::fs::rename(&tmp, &final_path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_err(&final_path, e)
    })
}

/// The part of a previous manifest a re-run looks at.
#[derive(serde::Deserialize)]
struct PreviousManifest {
    #[serde(default)]
    input_fingerprint: String,
    counts: RunSummary,
    outputs: Vec<String>,
}

/// The previous run's counts when its manifest was made from `fingerprint`
/// and every output it lists is still there.
pub fn outputs_current(out: &Path, layout: &Layout, fingerprint: &str) -> Option<RunSummary> {
    let text = std::fs::read(out.join(layout.manifest_name())).ok()?;
    let m: PreviousManifest = serde_json::from_slice(&text).ok()?;
    (m.input_fingerprint == fingerprint && !m.outputs.is_empty() && m.outputs.iter().all(|o| out.join(o).is_file()))
        .then_some(m.counts)
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    config_digest: &'a str,
    /// What the outputs were made from (paths, stats, rules, options); a
    /// re-run that computes the same digest keeps them as they are.
    input_fingerprint: &'a str,
    input_root: String,
    counts: &'a RunSummary,
    reports: u64,
    facts: u64,
    indicators: u64,
    checks: u64,
    stage_seconds: &'a crate::model::StageTimes,
    outputs: Vec<String>,
}

/// Where a run's rows go, batch by batch: Parquet row groups and workbook rows
/// are written as reports arrive, so memory holds one batch, not the corpus.
/// Everything lands under temporary names; `finish` renames it into place.
pub struct Sink {
    out: PathBuf,
    layout: Layout,
    tables: Tables,
    workbook: workbook::Streamer,
    digests: Vec<ReportDigest>,
    counts: [u64; 4],
}

/// One file per table, or partitioned folders.
enum Tables {
    Flat {
        per_report: Vec<tables::TableWriter>,
        files: Box<tables::TableWriter>,
    },
    Partitioned(partition::PartitionedTables),
}

fn tmp_name(out: &Path, name: &str) -> PathBuf {
    out.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// `here` on this thread while `writer` runs on a thread of its own named
/// `thread`; a writer that cannot start or that panics is an error of the
/// run (naming `what` it wrote), not a panic of the caller.
pub(crate) fn beside<T>(
    thread: &str,
    what: &str,
    writer: impl FnOnce() -> Result<(), String> + Send,
    here: impl FnOnce() -> T,
) -> (T, Result<(), String>) {
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new().name(thread.into()).spawn_scoped(s, writer);
        let here_done = here();
        let writer_done = match spawned {
            Ok(t) => t
                .join()
                .unwrap_or_else(|_| Err(format!("the {what} writer stopped unexpectedly"))),
            Err(e) => Err(format!("could not start the {what} writer: {e}")),
        };
        (here_done, writer_done)
    })
}

/// `tables` on this thread while `workbook` runs on a thread of its own.
fn beside_workbook<T>(
    workbook: impl FnOnce() -> Result<(), String> + Send,
    tables: impl FnOnce() -> T,
) -> (T, Result<(), String>) {
    beside("jixiao-workbook", "workbook", workbook, tables)
}

/// Closes the Parquet tables and writes the region summary: the temporary
/// files to rename (with their names), and the partition parts already in place.
type Finished = (Vec<(PathBuf, String)>, Vec<String>);

fn finish_tables(
    tables: Tables,
    out: &Path,
    layout: &Layout,
    regions: &[RegionSummary],
) -> Result<Finished, OutputError> {
    let err = |e: String| write_err(out, e);
    let mut done: Vec<(PathBuf, String)> = Vec::new();
    let mut outputs = Vec::new();
    match tables {
        Tables::Flat { per_report, files } => {
            let empty = tables::report_tables(&[]).map_err(err)?;
            for w in per_report {
                let name = format!("{}.parquet", w.name);
                let schema = empty
                    .iter()
                    .find(|(n, _)| *n == w.name)
                    .map(|(_, df)| df.clone())
                    .unwrap_or_default();
                let tmp = w.finish(&schema).map_err(err)?;
                done.push((tmp, name));
            }
            let tmp = files.finish(&tables::files(&[]).map_err(err)?).map_err(err)?;
            done.push((tmp, "files.parquet".into()));
        }
        // Parts are renamed as they close: each is whole, and the
        // manifest that lists them comes last.
        Tables::Partitioned(p) => outputs.extend(p.finish().map_err(err)?),
    }
    let mut summary_df = tables::summary(regions).map_err(err)?;
    let summary_name = layout.summary_name();
    if let Some(dir) = Path::new(&summary_name).parent() {
        std::fs::create_dir_all(out.join(dir)).map_err(|e| write_err(&out.join(dir), e))?;
    }
    let tmp = tmp_name(out, &summary_name.replace('/', "-"));
    tables::write_one(&mut summary_df, &tmp).map_err(err)?;
    done.push((tmp, summary_name));
    Ok((done, outputs))
}

/// One batch into the Parquet tables (flat or partitioned).
fn push_tables(tables: &mut Tables, out: &Path, reports: &[Report], files: &[FileRecord]) -> Result<(), OutputError> {
    let err = |e: String| write_err(out, e);
    match tables {
        Tables::Flat {
            per_report,
            files: files_writer,
        } => {
            let refs: Vec<&Report> = reports.iter().collect();
            for (name, df) in tables::report_tables(&refs).map_err(err)? {
                if let Some(w) = per_report.iter_mut().find(|w| w.name == name) {
                    w.write(&df).map_err(|e| write_err(&w.tmp, e))?;
                }
            }
            let refs: Vec<&FileRecord> = files.iter().collect();
            let df = tables::files(&refs).map_err(err)?;
            files_writer.write(&df).map_err(|e| write_err(&files_writer.tmp, e))?;
        }
        Tables::Partitioned(p) => p.push(reports, files).map_err(err)?,
    }
    Ok(())
}

impl Sink {
    pub fn create(out: &Path, layout: &Layout, xlsx_max_rows: u32, expected_files: usize) -> Result<Self, OutputError> {
        std::fs::create_dir_all(out).map_err(|e| write_err(out, e))?;
        remove_stale_temporaries(out, layout);
        let tables = if layout.is_partitioned() {
            for table in TABLES {
                remove_temporaries_of(&out.join(table), &layout.part_file());
            }
            Tables::Partitioned(partition::PartitionedTables::new(out, layout.clone()))
        } else {
            let per_report = ["reports", "indicators", "expenditure_by_function", "facts", "checks"];
            Tables::Flat {
                per_report: per_report
                    .iter()
                    .map(|t| tables::TableWriter::new(t, tmp_name(out, &format!("{t}.parquet"))))
                    .collect(),
                files: Box::new(tables::TableWriter::new("files", tmp_name(out, "files.parquet"))),
            }
        };
        Ok(Sink {
            out: out.to_path_buf(),
            layout: layout.clone(),
            tables,
            workbook: workbook::Streamer::new(xlsx_max_rows, expected_files).map_err(|e| write_err(out, e))?,
            digests: Vec::new(),
            counts: [0; 4],
        })
    }

    /// One batch, in source_path order. The Parquet tables and the workbook
    /// are written side by side (each on its own thread): together they are
    /// the one serial stage of a run, so the slower of the two, not their
    /// sum, bounds how fast reports can be written.
    pub fn push(&mut self, reports: &[Report], files: &[FileRecord]) -> Result<(), OutputError> {
        let out = &self.out;
        let (tables, workbook) = (&mut self.tables, &mut self.workbook);
        let (tables_written, workbook_written) = beside_workbook(
            || workbook.push(reports, files),
            || push_tables(tables, out, reports, files),
        );
        tables_written?;
        workbook_written.map_err(|e| write_err(&self.out, e))?;
        for r in reports {
            let mut digest = ReportDigest::of(r);
            if self.layout.is_partitioned() {
                digest.partition_dir = self.layout.dir_of(r);
            }
            self.digests.push(digest);
            self.counts[0] += 1;
            self.counts[1] += r.facts.facts.len() as u64;
            self.counts[2] += r.facts.indicators.len() as u64;
            self.counts[3] += r.facts.checks.len() as u64;
        }
        Ok(())
    }

    /// An interrupted run: every temporary file goes, the previous outputs stay.
    pub fn abandon(self) {
        let tmps: Vec<PathBuf> = match self.tables {
            Tables::Flat { per_report, files } => per_report
                .into_iter()
                .chain(std::iter::once(*files))
                .map(|w| w.tmp.clone())
                .collect(),
            Tables::Partitioned(p) => p.abandon(),
        };
        for t in tmps {
            let _ = std::fs::remove_file(t);
        }
    }

    /// The checks across files (see `DepartmentYears::conflicts`): made once
    /// every report is in, they follow the other checks in the checks table
    /// and the 校验 sheet.
    fn push_cross_checks(&mut self, rows: &[(&ReportDigest, crate::model::Check)]) -> Result<(), OutputError> {
        if rows.is_empty() {
            return Ok(());
        }
        let out = &self.out;
        let (tables, workbook) = (&mut self.tables, &mut self.workbook);
        let (tables_written, workbook_written) = beside_workbook(
            || workbook.push_checks(rows),
            || -> Result<(), OutputError> {
                let err = |e: String| write_err(out, e);
                match tables {
                    Tables::Flat { per_report, .. } => {
                        let ids: Vec<(&str, &crate::model::Check)> =
                            rows.iter().map(|(r, c)| (r.report_id.as_str(), c)).collect();
                        let df = tables::checks_of(&ids).map_err(err)?;
                        if let Some(w) = per_report.iter_mut().find(|w| w.name == "checks") {
                            w.write(&df).map_err(|e| write_err(&w.tmp, e))?;
                        }
                    }
                    Tables::Partitioned(p) => {
                        let rows: Vec<(&str, &str, &crate::model::Check)> = rows
                            .iter()
                            .map(|(r, c)| (r.partition_dir.as_str(), r.report_id.as_str(), c))
                            .collect();
                        p.push_checks(&rows).map_err(err)?;
                    }
                }
                Ok(())
            },
        );
        tables_written?;
        workbook_written.map_err(|e| write_err(&self.out, e))?;
        self.counts[3] += rows.len() as u64;
        Ok(())
    }

    /// Summaries, then every file renamed into place, the manifest last.
    /// `started`: when the run's tail after the last batch began; the
    /// seconds since, as the manifest states them, are returned.
    pub fn finish(
        mut self,
        input: &Path,
        rules: &Rules,
        summary: &RunSummary,
        times: &crate::model::StageTimes,
        input_fingerprint: &str,
        started: std::time::Instant,
    ) -> Result<f64, OutputError> {
        let digests = department_reports(std::mem::take(&mut self.digests), &rules.config.document_kinds);
        // A batch of them at a time: a corpus full of revised copies has as
        // many such checks as reports.
        let years = DepartmentYears::new(&digests, &rules.config.department.prefixes);
        let mut cross = years.conflicts();
        loop {
            let batch: Vec<_> = cross.by_ref().take(CROSS_CHECKS_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            if let Err(e) = self.push_cross_checks(&batch) {
                self.abandon();
                return Err(e);
            }
        }
        drop(cross);
        let regions = years.summarize();
        let panel = years.panel();
        drop(years);
        let out = self.out;
        let layout = self.layout;
        let err = |e: String| write_err(&out, e);
        let workbook_name = layout.workbook_name();
        let workbook_tmp = tmp_name(&out, &workbook_name);
        let workbook = self.workbook;
        // The workbook's zip is the longest part of finishing: it is written
        // beside the Parquet tables, not after them.
        let tables = self.tables;
        let (tables_done, workbook_done) = beside_workbook(
            || workbook.finish(&regions, &panel, &workbook_tmp),
            || finish_tables(tables, &out, &layout, &regions),
        );
        if tables_done.is_err() || workbook_done.is_err() {
            // Neither half is renamed into place: no temporary is left behind.
            let _ = std::fs::remove_file(&workbook_tmp);
            for (tmp, _) in tables_done
                .as_ref()
                .map(|(done, _)| done.as_slice())
                .unwrap_or_default()
            {
                let _ = std::fs::remove_file(tmp);
            }
        }
        let (mut done, mut outputs) = tables_done?;
        workbook_done.map_err(err)?;
        done.push((workbook_tmp, workbook_name));
        for (tmp, name) in done {
            std::fs::rename(&tmp, out.join(&name)).map_err(|e| write_err(&out.join(&name), e))?;
            outputs.push(name);
        }
        let finish = started.elapsed().as_secs_f64();
        let manifest = Manifest {
            tool: "jixiao",
            version: crate::ENGINE_VERSION,
            config_digest: &rules.digest,
            input_fingerprint,
            input_root: input.display().to_string(),
            counts: summary,
            reports: self.counts[0],
            facts: self.counts[1],
            indicators: self.counts[2],
            checks: self.counts[3],
            stage_seconds: &crate::model::StageTimes {
                finish,
                ..times.clone()
            },
            outputs,
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| write_err(&out, e))?;
        write_atomic(&out, &layout.manifest_name(), |p| {
            std::fs::write(p, &json).map_err(|e| e.to_string())
        })?;
        Ok(finish)
    }
}
