//! The incremental cache: each report's facts from the previous run, reused
//! when the file and the rules are unchanged.
//!
//! One file per shard, `cache-K-of-N.jsonl.zst` in the cache folder (JSON
//! lines, zstd-compressed as one stream). The first
//! line says which jixiao version and rules digest wrote it; a mismatch makes
//! the whole file void (a changed config re-extracts everything). Then one
//! line per report read well, in walk order (sorted by relative path):
//!
//! ```text
//! "relative/path.txt"<TAB>size<TAB>mtime_ns<TAB>sha256<TAB>{"record":…,"report":…}
//! ```
//!
//! Lookups are a merge join of the sorted walk with the sorted file, so a run
//! holds one batch of cache lines in memory, never the whole cache. A line is
//! trusted on size + modification time (like git's index) unless the file was
//! modified within two seconds of the previous run's start ("racy"); then,
//! and whenever the stat differs, the file's bytes are read and the line is
//! reused only if their SHA-256 is the one recorded.

use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{FileRecord, Report};

/// The cache folder's name inside the output folder.
pub const DIR: &str = ".jixiao-cache";

/// Modified this close (ns) before the previous run started: not trusted on stat.
const RACY_NS: i64 = 2_000_000_000;

/// What the walk saw of a file without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    /// Modification time in ns since 1970; `None` when the platform has none.
    pub mtime_ns: Option<i64>,
}

impl Stat {
    /// Whether this stat can be believed as of a run that started at
    /// `run_start_ns`: a file modified within 2 s before it ("racy") may have
    /// changed again within the clock's resolution.
    pub fn settled_before(&self, run_start_ns: i64) -> bool {
        self.mtime_ns.is_some_and(|m| m < run_start_ns - RACY_NS)
    }

    pub fn of(path: &Path) -> Option<Stat> {
        let m = std::fs::metadata(path).ok()?;
        let mtime_ns = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_nanos()).ok());
        Some(Stat {
            size: m.len(),
            mtime_ns,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    magic: String,
    version: String,
    config_digest: String,
    /// When the run that wrote this file started (ns since 1970).
    started_at_ns: i64,
    /// Digest of the walk's paths and stats plus the output options.
    fingerprint: String,
}

const MAGIC: &str = "jixiao-cache-1";

/// One cached report: its `files` row and its facts as read last time.
#[derive(Serialize)]
struct EntryRef<'a> {
    record: &'a FileRecord,
    report: &'a Report,
}

#[derive(Deserialize)]
struct Entry {
    record: FileRecord,
    report: Report,
}

/// A cache line for one path.
#[derive(Debug, Clone)]
pub struct Line {
    pub size: u64,
    pub mtime_ns: i64,
    pub sha256: String,
    /// The JSON of the record and report, copied as is into the next cache.
    pub payload: String,
}

impl Line {
    /// Whether the file can be taken as unchanged without reading it.
    pub fn matches_stat(&self, stat: &Stat, previous_start_ns: i64) -> bool {
        stat.size == self.size && stat.mtime_ns == Some(self.mtime_ns) && stat.settled_before(previous_start_ns)
    }

    /// The record and report stored in this line (`None` if it does not parse:
    /// the file is then simply read again).
    pub fn decode(&self) -> Option<(FileRecord, Report)> {
        serde_json::from_str::<Entry>(&self.payload)
            .ok()
            .map(|e| (e.record, e.report))
    }
}

/// The JSON payload of one report for the cache.
pub fn encode(record: &FileRecord, report: &Report) -> Option<String> {
    serde_json::to_string(&EntryRef { record, report }).ok()
}

/// The cache file of a shard.
pub fn file_name(shard: Option<(u32, u32)>) -> String {
    let (k, n) = shard.unwrap_or((1, 1));
    format!("cache-{k}-of-{n}.jsonl.zst")
}

/// The previous run's cache, read in step with the walk.
pub struct Reader {
    lines: std::io::Lines<BufReader<zstd::stream::read::Decoder<'static, BufReader<File>>>>,
    peeked: Option<(String, Line)>,
    pub started_at_ns: i64,
    pub fingerprint: String,
}

impl Reader {
    /// `None` when there is no cache or it was written by another version or other rules.
    pub fn open(path: &Path, version: &str, config_digest: &str) -> Option<Reader> {
        let decoder = zstd::stream::read::Decoder::new(File::open(path).ok()?).ok()?;
        let mut lines = BufReader::with_capacity(1 << 20, decoder).lines();
        let header: Header = serde_json::from_str(&lines.next()?.ok()?).ok()?;
        if header.magic != MAGIC || header.version != version || header.config_digest != config_digest {
            return None;
        }
        Some(Reader {
            lines,
            peeked: None,
            started_at_ns: header.started_at_ns,
            fingerprint: header.fingerprint,
        })
    }

    fn next_line(&mut self) -> Option<(String, Line)> {
        if let Some(p) = self.peeked.take() {
            return Some(p);
        }
        // A line that does not parse is skipped: its file is read again.
        for line in self.lines.by_ref() {
            let Ok(line) = line else { return None };
            if let Some(parsed) = parse_line(&line) {
                return Some(parsed);
            }
        }
        None
    }

    /// The lines for `paths` (sorted ascending, as the walk is). Lines for
    /// paths before them that the walk no longer has are passed over.
    pub fn take_for<'a>(&mut self, paths: impl IntoIterator<Item = &'a str>) -> HashMap<String, Line> {
        let mut found = HashMap::default();
        for p in paths {
            while let Some((path, line)) = self.next_line() {
                match path.as_str().cmp(p) {
                    std::cmp::Ordering::Less => continue,
                    std::cmp::Ordering::Equal => {
                        found.insert(path, line);
                        break;
                    }
                    std::cmp::Ordering::Greater => {
                        self.peeked = Some((path, line));
                        break;
                    }
                }
            }
        }
        found
    }
}

fn parse_line(line: &str) -> Option<(String, Line)> {
    let mut parts = line.splitn(5, '\t');
    let path: String = serde_json::from_str(parts.next()?).ok()?;
    let size = parts.next()?.parse().ok()?;
    let mtime_ns = parts.next()?.parse().ok()?;
    let sha256 = parts.next()?.to_string();
    let payload = parts.next()?.to_string();
    Some((
        path,
        Line {
            size,
            mtime_ns,
            sha256,
            payload,
        },
    ))
}

/// The cache this run writes, under a temporary name until `finish`.
pub struct Writer {
    tmp: PathBuf,
    path: PathBuf,
    out: zstd::stream::write::Encoder<'static, BufWriter<File>>,
}

impl Writer {
    pub fn create(
        path: &Path,
        version: &str,
        config_digest: &str,
        started_at_ns: i64,
        fingerprint: &str,
    ) -> std::io::Result<Writer> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        // Level 1: about 7× smaller than the JSON at a small fraction of a report's extraction time.
        let mut out = zstd::stream::write::Encoder::new(BufWriter::with_capacity(1 << 20, File::create(&tmp)?), 1)?;
        let header = Header {
            magic: MAGIC.into(),
            version: version.into(),
            config_digest: config_digest.into(),
            started_at_ns,
            fingerprint: fingerprint.into(),
        };
        serde_json::to_writer(&mut out, &header)?;
        out.write_all(b"\n")?;
        Ok(Writer {
            tmp,
            path: path.to_path_buf(),
            out,
        })
    }

    pub fn write(&mut self, rel_path: &str, stat: &Stat, sha256: &str, payload: &str) -> std::io::Result<()> {
        let Some(mtime) = stat.mtime_ns else { return Ok(()) };
        // serde_json escapes tabs and newlines, so the path and payload stay on one line.
        let path = serde_json::to_string(rel_path)?;
        writeln!(self.out, "{path}\t{}\t{mtime}\t{sha256}\t{payload}", stat.size)
    }

    pub fn finish(self) -> std::io::Result<()> {
        let file = self.out.finish()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&self.tmp, &self.path)
    }

    /// Drops the temporary file (an interrupted run keeps the previous cache).
    pub fn abandon(self) {
        drop(self.out);
        let _ = std::fs::remove_file(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips_and_a_tab_in_the_path_stays_inside_the_json() {
        let line = "\"a\\tb/c.txt\"\t12\t34\tabcd\t{\"x\":1}";
        let (path, l) = parse_line(line).expect("parses");
        assert_eq!(path, "a\tb/c.txt");
        assert_eq!(
            (l.size, l.mtime_ns, l.sha256.as_str(), l.payload.as_str()),
            (12, 34, "abcd", "{\"x\":1}")
        );
        assert!(parse_line("not a cache line").is_none());
    }

    #[test]
    fn stat_is_trusted_only_when_equal_and_not_racy() {
        let line = Line {
            size: 10,
            mtime_ns: 1_000,
            sha256: String::new(),
            payload: String::new(),
        };
        let stat = |size, m| Stat { size, mtime_ns: m };
        let start = 10 * RACY_NS;
        assert!(line.matches_stat(&stat(10, Some(1_000)), start));
        assert!(!line.matches_stat(&stat(11, Some(1_000)), start));
        assert!(!line.matches_stat(&stat(10, Some(1_001)), start));
        assert!(!line.matches_stat(&stat(10, None), start));
        // Modified within two seconds of the previous start: read again.
        assert!(!line.matches_stat(&stat(10, Some(1_000)), 1_000 + RACY_NS / 2));
    }

    #[test]
    fn the_merge_join_skips_paths_the_walk_no_longer_has() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(file_name(None));
        let mut w = Writer::create(&path, "v", "d", 0, "f").expect("create");
        let stat = Stat {
            size: 1,
            mtime_ns: Some(5),
        };
        for p in ["a.txt", "b.txt", "c.txt", "e.txt"] {
            w.write(p, &stat, p, "{}").expect("write");
        }
        w.finish().expect("finish");
        assert!(Reader::open(&path, "v", "other rules").is_none());
        assert!(Reader::open(&path, "other version", "d").is_none());
        let mut r = Reader::open(&path, "v", "d").expect("open");
        let got = r.take_for(["b.txt", "d.txt"]);
        assert_eq!(got.len(), 1);
        assert_eq!(got.get("b.txt").map(|l| l.sha256.as_str()), Some("b.txt"));
        let got = r.take_for(["e.txt", "f.txt"]);
        assert_eq!(got.keys().collect::<Vec<_>>(), vec!["e.txt"]);
    }
}
