//! The batch: walk → (read → normalise → extract → validate) per file in
//! parallel → outputs. One bad file is a `failed` row, never a stopped batch.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Rules;
use crate::extract::Extractor;
use crate::ingest::{self, WalkEntry};
use crate::model::{FileRecord, FileStatus, Report, StageTimes};
use crate::normalize::Normalizer;
use crate::output;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub input: PathBuf,
    pub out: PathBuf,
    /// Worker threads; `None` uses every core.
    pub jobs: Option<usize>,
    /// Write into an output folder that holds files jixiao did not write.
    pub force: bool,
    /// Also return every report and file row in memory (small corpora, tests);
    /// a large run keeps only one batch at a time.
    pub collect: bool,
    /// Rows per workbook sheet; the Parquet files always hold every row.
    pub xlsx_max_rows: u32,
    /// Show progress on stderr: a bar on a terminal, a line per batch otherwise.
    pub progress: bool,
    /// `(k, n)`: process only the k-th of n deterministic shares of the walk
    /// (by a hash of the relative path), so n machines can share a corpus.
    pub shard: Option<(u32, u32)>,
}

impl RunOptions {
    pub fn new(input: PathBuf, out: PathBuf) -> Self {
        RunOptions {
            input,
            out,
            jobs: None,
            force: false,
            collect: false,
            xlsx_max_rows: 1_000_000,
            progress: false,
            shard: None,
        }
    }
}

/// What a run produced (rows only when `RunOptions::collect`).
#[derive(Debug, Default)]
pub struct RunData {
    pub files: Vec<FileRecord>,
    pub reports: Vec<Report>,
    pub times: StageTimes,
}

/// The one-line summary and the manifest's counts.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub files_seen: usize,
    pub ok: usize,
    pub failed: usize,
    pub skipped: usize,
    pub duplicate: usize,
    pub seconds: f64,
    pub reports_per_second: f64,
}

impl std::fmt::Display for RunSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} files seen: {} ok, {} failed, {} skipped, {} duplicate in {:.2} s ({:.0} reports/s)",
            self.files_seen, self.ok, self.failed, self.skipped, self.duplicate, self.seconds, self.reports_per_second
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("input folder {0} does not exist or is not a folder")]
    NoInput(String),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    #[error("invalid rule: {0}")]
    Rules(String),
    #[error(transparent)]
    Output(#[from] crate::error::OutputError),
}

/// Compiled per-run state shared by the workers.
pub struct Engine {
    pub rules: Rules,
    pub normalizer: Normalizer,
    pub extractor: Extractor,
}

impl Engine {
    pub fn new(rules: Rules) -> Result<Self, RunError> {
        Ok(Engine {
            normalizer: Normalizer::new(&rules.config.normalize).map_err(|e| RunError::Rules(e.to_string()))?,
            extractor: Extractor::new(&rules).map_err(|e| RunError::Rules(e.to_string()))?,
            rules,
        })
    }

    /// One report's facts from a document read by `ingest::read_document`.
    pub fn facts_of_document(
        &self,
        document: ingest::Document,
    ) -> (crate::normalize::CleanText, crate::model::ReportFacts) {
        let clean = self.normalizer.normalize(&document.text);
        let mut facts = self.extractor.extract_with(&clean, document.indicators);
        crate::validate::validate(&self.rules.config, &mut facts);
        (clean, facts)
    }

    /// One report's facts from its text (the tests use this).
    pub fn facts_of_text(&self, text: &str) -> (crate::normalize::CleanText, crate::model::ReportFacts) {
        self.facts_of_document(ingest::Document {
            text: text.to_string(),
            encoding: None,
            reader: "text",
            indicators: Vec::new(),
        })
    }
}

/// Per-file result plus its stage times.
struct Outcome {
    record: FileRecord,
    report: Option<Report>,
    times: StageTimes,
}

/// Files processed together: their reports are written out, then dropped.
const BATCH: usize = 1024;

pub fn run(rules: Rules, opts: &RunOptions) -> Result<(RunSummary, RunData), RunError> {
    let t0 = Instant::now();
    if !opts.input.is_dir() {
        return Err(RunError::NoInput(opts.input.display().to_string()));
    }
    output::check_out_dir(&opts.input, &opts.out, opts.force)?;
    let engine = Engine::new(rules)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;

    let tw = Instant::now();
    let mut entries = ingest::walk(&opts.input);
    if let Some((k, n)) = opts.shard {
        entries.retain(|e| in_shard(&e.rel_path, k, n));
    }
    let mut times = StageTimes {
        walk: tw.elapsed().as_secs_f64(),
        ..StageTimes::default()
    };

    let mut sink = output::Sink::create(&opts.out, opts.xlsx_max_rows, entries.len())?;
    let progress = Progress::new(opts.progress, entries.len());
    let mut first_of_sha: HashMap<String, String> = HashMap::new();
    let mut data = RunData::default();
    let mut counts = [0usize; 4];
    for range in batches(&entries, BATCH) {
        let chunk = &entries[range];
        let mut outcomes: Vec<Outcome> =
            pool.install(|| chunk.par_iter().map(|e| process_guarded(&engine, e)).collect());
        prefer_richer_formats(&mut outcomes, &engine.rules.config.formats.richer_formats);
        let mut files = Vec::with_capacity(outcomes.len());
        let mut reports = Vec::new();
        for mut o in outcomes {
            times.read += o.times.read;
            times.normalize += o.times.normalize;
            times.extract += o.times.extract;
            times.validate += o.times.validate;
            // Byte-identical files: the first (by path) is read, the others point at it.
            if let Some(sha) = o.record.sha256.clone() {
                match first_of_sha.get(&sha) {
                    Some(first) => {
                        o.record.status = FileStatus::Duplicate;
                        o.record.error = Some(format!("same bytes as {first}"));
                        o.record.report_id = Some(sha[..16.min(sha.len())].to_string());
                        o.report = None;
                    }
                    None => {
                        first_of_sha.insert(sha, o.record.source_path.clone());
                    }
                }
            }
            counts[match o.record.status {
                FileStatus::Ok => 0,
                FileStatus::Failed => 1,
                FileStatus::Skipped => 2,
                FileStatus::Duplicate => 3,
            }] += 1;
            files.push(o.record);
            reports.extend(o.report);
        }
        let tw = Instant::now();
        sink.push(&reports, &files)?;
        times.write += tw.elapsed().as_secs_f64();
        progress.update(counts, t0.elapsed().as_secs_f64());
        if opts.collect {
            data.files.extend(files);
            data.reports.extend(reports);
        }
    }
    progress.done();

    let seconds = t0.elapsed().as_secs_f64();
    let summary = RunSummary {
        files_seen: counts.iter().sum(),
        ok: counts[0],
        failed: counts[1],
        skipped: counts[2],
        duplicate: counts[3],
        seconds,
        reports_per_second: counts[0] as f64 / seconds.max(1e-9),
    };
    let tw = Instant::now();
    sink.finish(&opts.input, &engine.rules, &summary, &times)?;
    times.write += tw.elapsed().as_secs_f64();
    let mut summary = summary;
    summary.seconds = t0.elapsed().as_secs_f64();
    summary.reports_per_second = summary.ok as f64 / summary.seconds.max(1e-9);
    data.times = times;
    Ok((summary, data))
}

/// Progress on stderr: a bar with files/s, ETA and failures on a terminal;
/// one plain line per batch when stderr is a log file.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    total: usize,
}

impl Progress {
    fn new(enabled: bool, total: usize) -> Self {
        use std::io::IsTerminal;
        let tty = std::io::stderr().is_terminal();
        let bar = (enabled && tty).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}  {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            plain: enabled && !tty,
            total,
        }
    }

    fn update(&self, counts: [usize; 4], seconds: f64) {
        let seen: usize = counts.iter().sum();
        if let Some(bar) = &self.bar {
            bar.set_position(seen as u64);
            bar.set_message(format!("{} failed", counts[1]));
        } else if self.plain {
            eprintln!(
                "jixiao: {seen}/{} files, {} ok, {} failed, {:.0} files/s",
                self.total,
                counts[0],
                counts[1],
                seen as f64 / seconds.max(1e-9)
            );
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Whether a relative path belongs to shard `k` of `n` (1-based). The key is
/// the path without its extension, so a report's formats stay together.
pub fn in_shard(rel_path: &str, k: u32, n: u32) -> bool {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(stem_of(rel_path).as_bytes());
    let v = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    n > 0 && v % n == k.saturating_sub(1) % n
}

fn stem_of(p: &str) -> &str {
    p.rsplit_once('.').map_or(p, |(s, _)| s)
}

/// Batches of about `size` entries that never split the formats of one
/// report (报告.docx and 报告.pdf sort next to each other).
fn batches(entries: &[WalkEntry], size: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let mut end = (start + size.max(1)).min(entries.len());
        while end < entries.len() && stem_of(&entries[end].rel_path) == stem_of(&entries[end - 1].rel_path) {
            end += 1;
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// One report in several formats (报告.pdf and 报告.docx): read once, from the
/// richest format that read well; the others are `duplicate` rows that say so.
fn prefer_richer_formats(outcomes: &mut [Outcome], order: &[String]) {
    let rank = |ext: &str| order.iter().position(|e| e == ext).unwrap_or(order.len());
    let mut best: HashMap<String, (usize, String)> = HashMap::new();
    for o in outcomes.iter().filter(|o| o.record.status == FileStatus::Ok) {
        let r = rank(&o.record.source_format);
        let e = best
            .entry(stem_of(&o.record.source_path).to_string())
            .or_insert((r, o.record.source_path.clone()));
        if r < e.0 {
            *e = (r, o.record.source_path.clone());
        }
    }
    for o in outcomes.iter_mut().filter(|o| o.record.status == FileStatus::Ok) {
        if let Some((_, keep)) = best.get(stem_of(&o.record.source_path)) {
            if *keep != o.record.source_path {
                o.record.status = FileStatus::Duplicate;
                o.record.error = Some(format!("same report as {keep} (read from the richer format)"));
                o.report = None;
            }
        }
    }
}

/// A panic inside one file's processing becomes that file's `failed` row.
fn process_guarded(engine: &Engine, entry: &WalkEntry) -> Outcome {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| process(engine, entry))) {
        Ok(o) => o,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Outcome {
                record: record(
                    entry,
                    0,
                    None,
                    FileStatus::Failed,
                    Some(format!("internal error: {msg}")),
                ),
                report: None,
                times: StageTimes::default(),
            }
        }
    }
}

fn record(entry: &WalkEntry, bytes: u64, sha: Option<String>, status: FileStatus, error: Option<String>) -> FileRecord {
    FileRecord {
        source_format: ingest::extension(&entry.rel_path),
        source_path: entry.rel_path.clone(),
        bytes,
        report_id: sha
            .as_ref()
            .map(|s| s[..16.min(s.len())].to_string())
            .filter(|_| status == FileStatus::Ok),
        sha256: sha,
        status,
        error,
        encoding: None,
        reader: None,
    }
}

fn process(engine: &Engine, entry: &WalkEntry) -> Outcome {
    let mut times = StageTimes::default();
    let fail = |bytes, sha, status, msg: String, times| Outcome {
        record: record(entry, bytes, sha, status, Some(msg)),
        report: None,
        times,
    };
    if let Some(err) = &entry.walk_error {
        return fail(0, None, FileStatus::Skipped, err.clone(), times);
    }
    let cfg = &engine.rules.config;
    let t = Instant::now();
    let size = match std::fs::metadata(&entry.path) {
        Ok(m) => m.len(),
        Err(e) => return fail(0, None, FileStatus::Failed, format!("cannot read file: {e}"), times),
    };
    if size > cfg.limits.max_file_bytes {
        return fail(
            size,
            None,
            FileStatus::Skipped,
            format!(
                "file larger than limits.max_file_bytes ({} bytes)",
                cfg.limits.max_file_bytes
            ),
            times,
        );
    }
    let bytes = match read_capped(&entry.path, cfg.limits.max_file_bytes) {
        Ok(b) => b,
        Err(e) => return fail(size, None, FileStatus::Failed, format!("cannot read file: {e}"), times),
    };
    let sha = ingest::sha256_hex(&bytes);
    let ext = ingest::extension(&entry.rel_path);
    let document = match ingest::read_document(&entry.path, &ext, &bytes, cfg) {
        Ok(d) => d,
        Err(ingest::NotRead::Failed(m)) => return fail(bytes.len() as u64, Some(sha), FileStatus::Failed, m, times),
        Err(ingest::NotRead::Skipped(m)) => return fail(bytes.len() as u64, Some(sha), FileStatus::Skipped, m, times),
    };
    times.read = t.elapsed().as_secs_f64();
    if document.text.len() > cfg.limits.max_text_bytes {
        return fail(
            bytes.len() as u64,
            Some(sha),
            FileStatus::Failed,
            format!(
                "text of {} bytes is longer than one report can be (limits.max_text_bytes = {})",
                document.text.len(),
                cfg.limits.max_text_bytes
            ),
            times,
        );
    }

    let t = Instant::now();
    let clean = engine.normalizer.normalize(&document.text);
    times.normalize = t.elapsed().as_secs_f64();
    if clean.text.trim().is_empty() {
        return fail(
            bytes.len() as u64,
            Some(sha),
            FileStatus::Failed,
            crate::error::ReadError::NoText.to_string(),
            times,
        );
    }
    let t = Instant::now();
    let mut facts = engine.extractor.extract_with(&clean, document.indicators);
    times.extract = t.elapsed().as_secs_f64();
    let t = Instant::now();
    crate::validate::validate(cfg, &mut facts);
    times.validate = t.elapsed().as_secs_f64();

    let mut rec = record(entry, bytes.len() as u64, Some(sha), FileStatus::Ok, None);
    rec.encoding = document.encoding.map(str::to_string);
    rec.reader = Some(document.reader.to_string());
    if facts.facts.is_empty() {
        rec.error = Some("read, but no facts found".into());
    }
    let report = Report {
        report_id: rec.report_id.clone().unwrap_or_default(),
        source_path: entry.rel_path.clone(),
        source_format: ext,
        facts,
    };
    Outcome {
        record: rec,
        report: Some(report),
        times,
    }
}

fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    f.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(std::io::Error::other("file grew past the size limit while being read"));
    }
    Ok(buf)
}
