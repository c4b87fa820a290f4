//! The batch: walk → (read → normalise → extract → validate) per file in
//! parallel → outputs. One bad file is a `failed` row, never a stopped batch.

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::cache::{self, Stat};
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
    /// Reuse the previous run's facts for unchanged files (see `cache`). When
    /// false every file is read again; the cache is still rewritten.
    pub use_cache: bool,
    /// Columns of `reports` whose values name hive-style folders
    /// (`reports/fiscal_year=2023/province=广东省/part-K-of-N.parquet`);
    /// empty: one file per table.
    pub partition_by: Vec<String>,
    /// Set (by a Ctrl-C handler) to stop: the run ends after the files in
    /// hand, writes nothing and removes its temporaries; the previous
    /// outputs and cache stay as they were.
    pub stop: Arc<AtomicBool>,
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
            use_cache: true,
            partition_by: Vec::new(),
            stop: Arc::new(AtomicBool::new(false)),
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
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RunSummary {
    pub files_seen: usize,
    pub ok: usize,
    pub failed: usize,
    pub skipped: usize,
    pub duplicate: usize,
    pub seconds: f64,
    pub reports_per_second: f64,
    /// Files whose bytes this run opened and read.
    #[serde(default)]
    pub files_read: usize,
    /// Reports taken from the cache instead of being extracted again.
    #[serde(default)]
    pub reused_from_cache: usize,
    /// Nothing changed since the previous run: its outputs were kept as they are.
    #[serde(default)]
    pub up_to_date: bool,
}

impl std::fmt::Display for RunSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.up_to_date {
            return write!(
                f,
                "{} files seen, none changed since the previous run: outputs are up to date ({} ok, {} failed, {} skipped, {} duplicate; checked in {:.2} s)",
                self.files_seen, self.ok, self.failed, self.skipped, self.duplicate, self.seconds
            );
        }
        write!(
            f,
            "{} files seen: {} ok, {} failed, {} skipped, {} duplicate in {:.2} s ({:.0} reports/s; {} read, {} from the cache)",
            self.files_seen,
            self.ok,
            self.failed,
            self.skipped,
            self.duplicate,
            self.seconds,
            self.reports_per_second,
            self.files_read,
            self.reused_from_cache
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
    #[error("{0}")]
    Options(String),
    #[error("interrupted: nothing was written, the previous outputs are unchanged")]
    Interrupted,
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
        let (clean, facts, _) = self.facts_of_document_timed(document);
        (clean, facts)
    }

    /// As [`Engine::facts_of_document`], with the seconds each stage took
    /// (`examples/stages.rs` profiles with it).
    pub fn facts_of_document_timed(
        &self,
        document: ingest::Document,
    ) -> (crate::normalize::CleanText, crate::model::ReportFacts, StageTimes) {
        let mut document = document;
        let mut times = StageTimes::default();
        let t = Instant::now();
        let clean = normalize_document(&self.normalizer, &mut document);
        times.normalize = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut facts = self
            .extractor
            .extract_with(&clean, document.indicators, &document.table_totals);
        times.extract = t.elapsed().as_secs_f64();
        let t = Instant::now();
        crate::validate::validate(&self.rules.config, &mut facts);
        times.validate = t.elapsed().as_secs_f64();
        (clean, facts, times)
    }

    /// One report's facts from its text (the tests use this).
    pub fn facts_of_text(&self, text: &str) -> (crate::normalize::CleanText, crate::model::ReportFacts) {
        self.facts_of_document(ingest::Document {
            text: text.to_string(),
            encoding: None,
            reader: "text",
            indicators: Vec::new(),
            table_totals: Vec::new(),
        })
    }
}

/// Per-file result plus its stage times.
struct Outcome {
    record: FileRecord,
    report: Option<Report>,
    times: StageTimes,
    /// The bytes were opened and read (not answered from the stat alone).
    read: bool,
    /// The report came from the cache, not from extraction.
    reused: bool,
    /// The cache line of a report read well: its stat and JSON.
    cache_line: Option<(Stat, String)>,
}

impl Outcome {
    fn new(record: FileRecord, report: Option<Report>, times: StageTimes) -> Self {
        Outcome {
            record,
            report,
            times,
            read: false,
            reused: false,
            cache_line: None,
        }
    }
}

/// What a worker knows of one file before opening it.
struct Task<'a> {
    entry: &'a WalkEntry,
    stat: Option<Stat>,
    cached: Option<&'a cache::Line>,
    /// When the run that wrote the cache started (for the racy-stat rule).
    cache_started_ns: i64,
    /// The file's bytes, when the read-ahead already read them.
    read_ahead: ReadAhead,
}

/// Whether a worker will open the file: it exists, is not answered from the
/// cache by its stat alone, and is within the size limit.
fn worker_opens(
    entry: &WalkEntry,
    stat: Option<Stat>,
    cached: Option<&cache::Line>,
    cache_started_ns: i64,
    max_file_bytes: u64,
) -> bool {
    let Some(stat) = stat.filter(|_| entry.walk_error.is_none()) else {
        return false;
    };
    let answered = cached.is_some_and(|l| l.matches_stat(&stat, cache_started_ns));
    !answered && stat.size <= max_file_bytes
}

/// Threads that read the next batch's files while the workers process this
/// one: on a cold page cache (the usual case for a yearly run over a network
/// share or a disk) the workers would otherwise wait for the disk in turn.
const READ_AHEAD_THREADS: usize = 4;
/// Larger files are read by their worker.
const READ_AHEAD_MAX_FILE: u64 = 4 << 20;
/// Bytes read ahead per batch at most (the rest are read by the workers):
/// a batch of large PDFs must not hold gigabytes.
const READ_AHEAD_MAX_BYTES: u64 = 64 << 20;

/// A file's bytes, read ahead (`None`: its worker reads it).
type ReadAhead = Option<std::io::Result<Vec<u8>>>;

/// Reads the files of a batch of `n` that its workers will open (by their
/// index in the batch), with the summed seconds spent reading.
fn read_ahead(io: &rayon::ThreadPool, files: Vec<(usize, &Path, u64)>, n: usize, cap: u64) -> (Vec<ReadAhead>, f64) {
    let read: Vec<(usize, std::io::Result<Vec<u8>>, f64)> = io.install(|| {
        files
            .into_par_iter()
            .map(|(i, path, size)| {
                let t = Instant::now();
                let bytes = read_capped(path, size, cap);
                (i, bytes, t.elapsed().as_secs_f64())
            })
            .collect()
    });
    let seconds = read.iter().map(|r| r.2).sum();
    let mut by_index: Vec<ReadAhead> = (0..n).map(|_| None).collect();
    for (i, bytes, _) in read {
        if let Some(slot) = by_index.get_mut(i) {
            *slot = Some(bytes);
        }
    }
    (by_index, seconds)
}

/// A cache line on its way to the writer: path, stat, SHA-256, JSON.
type CacheLine = (String, Stat, String, String);

/// One processed batch, handed to the writer thread.
struct Batch {
    reports: Vec<Report>,
    files: Vec<FileRecord>,
    cache_lines: Vec<CacheLine>,
}

/// What the writer thread hands back: the sink to finish (or abandon).
struct Written {
    sink: output::Sink,
    error: Option<crate::error::OutputError>,
    cache: Option<cache::Writer>,
    seconds: f64,
}

/// The writer thread: batches in order into Parquet, the workbook and the
/// cache. On an error it stops taking batches (the sender sees it).
fn write_batches(
    mut sink: output::Sink,
    mut cache: Option<cache::Writer>,
    rx: std::sync::mpsc::Receiver<Batch>,
) -> Written {
    let mut seconds = 0.0;
    for batch in rx {
        let t = Instant::now();
        if let Some(w) = cache.as_mut() {
            let failed = batch
                .cache_lines
                .iter()
                .any(|(path, stat, sha, payload)| w.write(path, stat, sha, payload).is_err());
            if failed {
                // A cache that cannot be written only costs the next run its speed.
                if let Some(w) = cache.take() {
                    w.abandon();
                }
            }
        }
        let pushed = sink.push(&batch.reports, &batch.files);
        seconds += t.elapsed().as_secs_f64();
        if let Err(e) = pushed {
            return Written {
                sink,
                error: Some(e),
                cache,
                seconds,
            };
        }
    }
    Written {
        sink,
        error: None,
        cache,
        seconds,
    }
}

/// Files processed together: their reports are written out, then dropped.
const BATCH: usize = 1024;

pub fn run(rules: Rules, opts: &RunOptions) -> Result<(RunSummary, RunData), RunError> {
    let t0 = Instant::now();
    let started_at_ns = now_ns();
    if !opts.input.is_dir() {
        return Err(RunError::NoInput(opts.input.display().to_string()));
    }
    let layout = output::Layout::new(&opts.partition_by, opts.shard).map_err(RunError::Options)?;
    output::check_out_dir(&opts.input, &opts.out, &layout, opts.force)?;
    let engine = Engine::new(rules)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let io_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(READ_AHEAD_THREADS)
        .thread_name(|i| format!("jixiao-read-{i}"))
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;

    let tw = Instant::now();
    let mut entries = ingest::walk(&opts.input);
    if let Some((k, n)) = opts.shard {
        entries.retain(|e| in_shard(&e.rel_path, k, n));
    }
    let stats: Vec<Option<Stat>> = pool.install(|| {
        entries
            .par_iter()
            .map(|e| e.walk_error.is_none().then(|| Stat::of(&e.path)).flatten())
            .collect()
    });
    let mut times = StageTimes {
        walk: tw.elapsed().as_secs_f64(),
        ..StageTimes::default()
    };

    // The cache: engine and rules must match, else every file is read again.
    let version = crate::ENGINE_VERSION;
    let digest = engine.rules.digest.clone();
    let cache_path = opts.out.join(cache::DIR).join(cache::file_name(opts.shard));
    let fingerprint = fingerprint(opts, &layout, &digest, &entries, &stats);
    let mut reader = if opts.use_cache {
        cache::Reader::open(&cache_path, version, &digest)
    } else {
        None
    };
    if let Some(r) = &reader {
        // Nothing changed (same files, same stats, same rules and options) and
        // the previous outputs are complete: they are kept as they are.
        let trusted = stats
            .iter()
            .all(|s| s.is_some_and(|s| s.settled_before(r.started_at_ns)));
        if trusted && r.fingerprint == fingerprint && !opts.collect {
            if let Some(mut summary) = output::outputs_current(&opts.out, &layout, &fingerprint) {
                summary.up_to_date = true;
                summary.files_read = 0;
                summary.reused_from_cache = summary.ok;
                summary.seconds = t0.elapsed().as_secs_f64();
                summary.reports_per_second = 0.0;
                return Ok((summary, RunData::default()));
            }
        }
    }
    let cache_started_ns = reader.as_ref().map_or(0, |r| r.started_at_ns);
    let _ = std::fs::create_dir_all(opts.out.join(cache::DIR));
    output::remove_temporaries_of(&opts.out.join(cache::DIR), &cache::file_name(opts.shard));
    // A cache that cannot be written only costs the next run its speed.
    let writer = cache::Writer::create(&cache_path, version, &digest, started_at_ns, &fingerprint).ok();

    let sink = output::Sink::create(&opts.out, &layout, opts.xlsx_max_rows, entries.len())?;
    let progress = Progress::new(opts.progress, entries.len());
    let mut first_of_sha: HashMap<String, String> = HashMap::default();
    let mut data = RunData::default();
    let mut counts = [0usize; 4];
    let (mut files_read, mut reused) = (0usize, 0usize);
    let stopped = || opts.stop.load(Ordering::Relaxed);
    // Writing runs on its own thread, one batch behind the workers, so the
    // cores never wait for Parquet, the workbook or the cache.
    let max_file_bytes = engine.rules.config.limits.max_file_bytes;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(1);
    let writing = std::thread::scope(|scope| {
        let writer_thread = scope.spawn(move || write_batches(sink, writer, rx));
        // A batch's cache lines (taken in walk order) and its read-ahead, started
        // one batch early so the disk works while the cores extract.
        let ranges = batches(&entries, BATCH);
        let mut prepare = |range: &std::ops::Range<usize>| {
            let chunk = &entries[range.clone()];
            let lines = match reader.as_mut() {
                Some(r) => r.take_for(chunk.iter().map(|e| e.rel_path.as_str())),
                None => HashMap::default(),
            };
            let mut budget = READ_AHEAD_MAX_BYTES;
            let mut files: Vec<(usize, &Path, u64)> = Vec::new();
            for (i, (entry, stat)) in chunk.iter().zip(&stats[range.clone()]).enumerate() {
                let size = stat.map_or(0, |s| s.size);
                let cached = lines.get(&entry.rel_path);
                if size <= READ_AHEAD_MAX_FILE.min(budget)
                    && worker_opens(entry, *stat, cached, cache_started_ns, max_file_bytes)
                {
                    budget -= size;
                    files.push((i, entry.path.as_path(), size));
                }
            }
            let io = &io_pool;
            let n = chunk.len();
            let reading = scope.spawn(move || read_ahead(io, files, n, max_file_bytes));
            (lines, reading)
        };
        let mut next = ranges.first().map(&mut prepare);
        for (k, range) in ranges.iter().enumerate() {
            let Some((lines, reading)) = next.take() else { break };
            // A read-ahead that failed leaves the reading to the workers.
            let (mut ahead, read_seconds) = reading.join().unwrap_or_default();
            if stopped() {
                break;
            }
            next = ranges.get(k + 1).map(&mut prepare);
            times.read += read_seconds;
            let chunk = &entries[range.clone()];
            let chunk_stats = &stats[range.clone()];
            let tasks: Vec<Task> = chunk
                .iter()
                .zip(chunk_stats)
                .enumerate()
                .map(|(i, (entry, stat))| Task {
                    entry,
                    stat: *stat,
                    cached: lines.get(&entry.rel_path),
                    cache_started_ns,
                    read_ahead: ahead.get_mut(i).and_then(Option::take),
                })
                .collect();
            let mut outcomes: Vec<Outcome> = pool.install(|| {
                tasks
                    .into_par_iter()
                    .map(|t| match stopped() {
                        // Stopping: the rest of the batch is not read (and the batch is dropped).
                        true => Outcome::new(
                            record(t.entry, 0, None, FileStatus::Skipped, None),
                            None,
                            StageTimes::default(),
                        ),
                        false => process_guarded(&engine, t),
                    })
                    .collect()
            });
            drop(lines);
            if stopped() {
                break;
            }
            // The cache holds each file's own outcome, before the batch-level
            // decisions below (duplicates depend on the other files).
            let cache_lines: Vec<CacheLine> = outcomes
                .iter_mut()
                .filter_map(|o| {
                    let (stat, payload) = o.cache_line.take()?;
                    let sha = o.record.sha256.clone()?;
                    Some((o.record.source_path.clone(), stat, sha, payload))
                })
                .collect();
            prefer_richer_formats(&mut outcomes, &engine.rules.config.formats.richer_formats);
            let mut files = Vec::with_capacity(outcomes.len());
            let mut reports = Vec::new();
            for mut o in outcomes {
                times.read += o.times.read;
                times.normalize += o.times.normalize;
                times.extract += o.times.extract;
                times.validate += o.times.validate;
                files_read += usize::from(o.read);
                reused += usize::from(o.reused);
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
            if opts.collect {
                data.files.extend(files.iter().cloned());
                data.reports.extend(reports.iter().cloned());
            }
            let batch = Batch {
                reports,
                files,
                cache_lines,
            };
            // The writer stopped on an error: it is reported below.
            if tx.send(batch).is_err() {
                break;
            }
            progress.update(counts, t0.elapsed().as_secs_f64());
        }
        drop(tx);
        writer_thread.join()
    });
    progress.done();
    let Ok(written) = writing else {
        return Err(RunError::Output(crate::error::OutputError::Write {
            path: opts.out.display().to_string(),
            message: "the writer thread panicked".into(),
        }));
    };
    let Written {
        sink,
        error,
        cache: writer,
        seconds: write_seconds,
    } = written;
    times.write += write_seconds;
    if error.is_some() || stopped() {
        sink.abandon();
        if let Some(w) = writer {
            w.abandon();
        }
        return Err(error.map_or(RunError::Interrupted, RunError::Output));
    }

    let seconds = t0.elapsed().as_secs_f64();
    let summary = RunSummary {
        files_seen: counts.iter().sum(),
        ok: counts[0],
        failed: counts[1],
        skipped: counts[2],
        duplicate: counts[3],
        seconds,
        reports_per_second: counts[0] as f64 / seconds.max(1e-9),
        files_read,
        reused_from_cache: reused,
        up_to_date: false,
    };
    let tw = Instant::now();
    // The cache lands before the manifest: a run that dies in between leaves
    // an old manifest whose fingerprint no longer matches, so nothing is
    // taken as up to date that was not completely written.
    if let Some(w) = writer {
        let _ = w.finish();
    }
    times.finish = sink.finish(&opts.input, &engine.rules, &summary, &times, &fingerprint, tw)?;
    let mut summary = summary;
    summary.seconds = t0.elapsed().as_secs_f64();
    summary.reports_per_second = summary.ok as f64 / summary.seconds.max(1e-9);
    data.times = times;
    Ok((summary, data))
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// A digest of what the outputs depend on besides the rules: every path the
/// walk met with its size and modification time, and the output options.
fn fingerprint(
    opts: &RunOptions,
    layout: &output::Layout,
    digest: &str,
    entries: &[WalkEntry],
    stats: &[Option<Stat>],
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(crate::ENGINE_VERSION.as_bytes());
    h.update(digest.as_bytes());
    h.update(format!("|xlsx_max_rows={}|{layout:?}|", opts.xlsx_max_rows).as_bytes());
    for (e, s) in entries.iter().zip(stats) {
        h.update(e.rel_path.as_bytes());
        h.update([0u8]);
        match s {
            Some(s) => {
                h.update(s.size.to_le_bytes());
                h.update(s.mtime_ns.unwrap_or(i64::MIN).to_le_bytes());
            }
            None => h.update(e.walk_error.as_deref().unwrap_or("?").as_bytes()),
        }
        h.update([b'\n']);
    }
    crate::config::hex(&h.finalize()[..16])
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
    let mut best: HashMap<String, (usize, String)> = HashMap::default();
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

/// A document's clean text; its scoring tables' total rows are normalised the
/// same way, so that extraction finds each row's line in the clean text, and
/// each table indicator is placed at its row's line there (rows come in
/// order; a row the text does not hold verbatim keeps no offsets).
fn normalize_document(normalizer: &Normalizer, document: &mut ingest::Document) -> crate::normalize::CleanText {
    for t in &mut document.table_totals {
        t.row = normalizer.normalize(&t.row).text;
    }
    let clean = normalizer.normalize(&document.text);
    let mut from = 0;
    for i in document.indicators.iter_mut().filter(|i| i.char_start < 0) {
        let row = normalizer.normalize(&i.snippet).text;
        let found = clean
            .text
            .get(from..)
            .and_then(|rest| rest.find(&row))
            .filter(|_| !row.is_empty());
        if let Some(at) = found.map(|k| from + k) {
            i.char_start = clean.char_index(at) as i64;
            i.char_end = clean.char_index(at + row.len()) as i64;
            from = at + row.len();
        }
    }
    clean
}

/// A panic inside one file's processing becomes that file's `failed` row.
fn process_guarded(engine: &Engine, task: Task) -> Outcome {
    let entry = task.entry;
    match crate::guard::catching(|| process(engine, task)) {
        Ok(o) => o,
        Err(msg) => Outcome::new(
            record(
                entry,
                0,
                None,
                FileStatus::Failed,
                Some(format!("internal error: {msg}")),
            ),
            None,
            StageTimes::default(),
        ),
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

/// The cached outcome of a file, if its line decodes and names this path.
fn from_cache(task: &Task, line: &cache::Line, stat: Stat, read: bool) -> Option<Outcome> {
    let (record, report) = line.decode()?;
    if record.source_path != task.entry.rel_path || record.status != FileStatus::Ok {
        return None;
    }
    Some(Outcome {
        record,
        report: Some(report),
        times: StageTimes::default(),
        read,
        reused: true,
        cache_line: Some((stat, line.payload.clone())),
    })
}

fn process(engine: &Engine, mut task: Task) -> Outcome {
    let entry = task.entry;
    let mut times = StageTimes::default();
    let fail = |bytes, sha, status, msg: String, times| {
        Outcome::new(record(entry, bytes, sha, status, Some(msg)), None, times)
    };
    if let Some(err) = &entry.walk_error {
        return fail(0, None, FileStatus::Skipped, err.clone(), times);
    }
    let cfg = &engine.rules.config;
    let Some(stat) = task.stat else {
        let why = std::fs::metadata(&entry.path)
            .err()
            .map_or("unknown".into(), |e| e.to_string());
        return fail(0, None, FileStatus::Failed, format!("cannot read file: {why}"), times);
    };
    // Unchanged since the previous run (same size and time, not racy): its facts are reused unread.
    // (Read ahead only if `worker_opens` is wrong: then it counts as read.)
    if let Some(line) = task.cached.filter(|l| l.matches_stat(&stat, task.cache_started_ns)) {
        if let Some(o) = from_cache(&task, line, stat, task.read_ahead.is_some()) {
            return o;
        }
    }
    let t = Instant::now();
    let size = stat.size;
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
    let bytes = match task
        .read_ahead
        .take()
        .unwrap_or_else(|| read_capped(&entry.path, size, cfg.limits.max_file_bytes))
    {
        Ok(b) => b,
        Err(e) => return fail(size, None, FileStatus::Failed, format!("cannot read file: {e}"), times),
    };
    let sha = ingest::sha256_hex(&bytes);
    // The size of the bytes read (the file may have changed since the walk).
    let stat = Stat {
        size: bytes.len() as u64,
        ..stat
    };
    // Touched but not changed: same bytes as the cached line.
    if let Some(line) = task.cached.filter(|l| l.sha256 == sha) {
        if let Some(mut o) = from_cache(&task, line, stat, true) {
            o.times.read = t.elapsed().as_secs_f64();
            return o;
        }
    }
    let ext = ingest::extension(&entry.rel_path);
    let document = match ingest::read_document(&entry.path, &ext, &bytes, cfg) {
        Ok(d) => d,
        Err(ingest::NotRead::Failed(m)) => {
            return read(fail(bytes.len() as u64, Some(sha), FileStatus::Failed, m, times))
        }
        Err(ingest::NotRead::Skipped(m)) => {
            return read(fail(bytes.len() as u64, Some(sha), FileStatus::Skipped, m, times))
        }
    };
    times.read = t.elapsed().as_secs_f64();
    if document.text.len() > cfg.limits.max_text_bytes {
        return read(fail(
            bytes.len() as u64,
            Some(sha),
            FileStatus::Failed,
            format!(
                "text of {} bytes is longer than one report can be (limits.max_text_bytes = {})",
                document.text.len(),
                cfg.limits.max_text_bytes
            ),
            times,
        ));
    }

    let (encoding, reader) = (document.encoding, document.reader);
    let (clean, facts, stages) = engine.facts_of_document_timed(document);
    times.normalize = stages.normalize;
    times.extract = stages.extract;
    times.validate = stages.validate;
    if clean.text.trim().is_empty() {
        return read(fail(
            bytes.len() as u64,
            Some(sha),
            FileStatus::Failed,
            crate::error::ReadError::NoText.to_string(),
            times,
        ));
    }

    let mut rec = record(entry, bytes.len() as u64, Some(sha), FileStatus::Ok, None);
    rec.encoding = encoding.map(str::to_string);
    rec.reader = Some(reader.to_string());
    if facts.facts.is_empty() {
        rec.error = Some("read, but no facts found".into());
    }
    let report = Report {
        report_id: rec.report_id.clone().unwrap_or_default(),
        source_path: entry.rel_path.clone(),
        source_format: ext,
        facts,
    };
    // Only reports read well are cached: a failure is tried again next run
    // (it may have been a converter's time budget or a missing tool).
    let cache_line = cache::encode(&rec, &report).map(|json| (stat, json));
    Outcome {
        record: rec,
        report: Some(report),
        times,
        read: true,
        reused: false,
        cache_line,
    }
}

fn read(mut o: Outcome) -> Outcome {
    o.read = true;
    o
}

/// The file's bytes, at most `cap` of them. `size` (from the walk's stat) sizes
/// the buffer, so a file is read in one or two calls, not a dozen growing ones.
fn read_capped(path: &Path, size: u64, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(usize::try_from(size.min(cap)).unwrap_or(0).saturating_add(1));
    f.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(std::io::Error::other("file grew past the size limit while being read"));
    }
    Ok(buf)
}
