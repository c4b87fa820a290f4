//! Stage 1: walk the input tree, detect each file's format, bytes → text.

mod docx;
mod external;
mod pdf;
mod sheet;
mod texttable;

use crate::model::Indicator;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::config::{hex, Config};
use crate::error::ReadError;

/// A path the walk met: a file to read, or an entry it could not follow.
#[derive(Debug, Clone)]
pub struct WalkEntry {
    pub path: PathBuf,
    /// `/`-separated, relative to the input root.
    pub rel_path: String,
    /// Set when the walk itself failed here (permission, symlink loop …).
    pub walk_error: Option<String>,
}

/// Walks `root` in a deterministic order (sorted by name). Hidden entries are
/// skipped; symlinks are followed, and a loop is reported, not followed.
pub fn walk(root: &Path) -> Vec<WalkEntry> {
    let mut out = Vec::new();
    let it = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in it {
        match entry {
            Ok(e) => {
                if e.file_type().is_file() {
                    out.push(WalkEntry {
                        rel_path: rel_path(root, e.path()),
                        path: e.path().to_path_buf(),
                        walk_error: None,
                    });
                }
            }
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                let msg = if err.loop_ancestor().is_some() {
                    "symlink loop: not followed".to_string()
                } else {
                    err.to_string()
                };
                out.push(WalkEntry {
                    rel_path: rel_path(root, &path),
                    path,
                    walk_error: Some(msg),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Relative, `/`-separated; non-UTF-8 names are kept readable (lossy) rather than lost.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The format a file will be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    /// A delimited table: CSV, or TSV.
    Delimited,
    Pdf,
    Zip,
    Ole,
    Other,
}

/// Format from the extension, corrected by the content's magic bytes so that a
/// PDF named `.txt` is not decoded as text.
pub fn detect_format(ext: &str, bytes: &[u8], cfg: &Config) -> Format {
    if bytes.starts_with(b"%PDF") {
        return Format::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Format::Zip;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Format::Ole;
    }
    if cfg.walk.text_extensions.iter().any(|e| e == ext) {
        Format::Text
    } else if cfg.walk.table_extensions.iter().any(|e| e == ext) {
        Format::Delimited
    } else {
        Format::Other
    }
}

/// A file's text, however it arrived.
#[derive(Debug, Clone)]
pub struct Document {
    /// Form feeds separate pages where the format has pages.
    pub text: String,
    pub encoding: Option<&'static str>,
    /// Which reader produced the text (utf-8, pdftotext, docx, calamine …).
    pub reader: &'static str,
    /// Indicators read from a scoring table (a workbook's sheet, a Word table).
    pub indicators: Vec<Indicator>,
    /// The total rows (合计) of those scoring tables.
    pub table_totals: Vec<crate::model::TableTotal>,
}

/// Why a file gave no document: it failed, or it is not for this build to read.
#[derive(Debug, Clone, PartialEq)]
pub enum NotRead {
    Failed(String),
    Skipped(String),
}

/// Bytes → text for every supported format.
pub fn read_document(path: &Path, ext: &str, bytes: &[u8], cfg: &Config) -> Result<Document, NotRead> {
    let fmt = &cfg.formats;
    let doc = |text: String, reader: &'static str| Document {
        text,
        encoding: None,
        reader,
        indicators: Vec::new(),
        table_totals: Vec::new(),
    };
    match detect_format(ext, bytes, cfg) {
        Format::Text => {
            let d = decode(bytes).map_err(|e| NotRead::Failed(e.to_string()))?;
            // A 自评表 written as a tab- or bar-separated table is read as a sheet's.
            let (indicators, table_totals) = texttable::scoring_tables(&d.text, &cfg.score);
            Ok(Document {
                text: d.text,
                encoding: Some(d.encoding),
                reader: "text",
                indicators,
                table_totals,
            })
        }
        Format::Delimited => {
            let d = decode(bytes).map_err(|e| NotRead::Failed(e.to_string()))?;
            let delimiter = if ext == "tsv" { b'\t' } else { b',' };
            let Some(s) = sheet::delimited(&d.text, delimiter, cfg).map_err(NotRead::Failed)? else {
                return Err(NotRead::Skipped(
                    "a delimited table without a scoring table's header (指标 and 得分): not a report".into(),
                ));
            };
            Ok(Document {
                text: s.text,
                encoding: Some(d.encoding),
                reader: "csv",
                indicators: s.indicators,
                table_totals: s.totals,
            })
        }
        Format::Pdf => pdf::read(path, bytes, fmt, cfg.limits.max_text_bytes)
            .map(|(t, r)| doc(t, r))
            .map_err(|pdf::PdfError::Failed(m)| NotRead::Failed(m)),
        Format::Zip => {
            let is_sheet = matches!(ext, "xlsx" | "xlsm") || zip_has(bytes, "xl/workbook.xml");
            if is_sheet {
                return workbook_document(bytes, cfg);
            }
            docx::read(bytes, fmt.max_decompressed_bytes)
                .map(|d| word_document(d, "docx", cfg))
                .map_err(NotRead::Failed)
        }
        Format::Ole if matches!(ext, "xls" | "et") => workbook_document(bytes, cfg),
        // The extension promises a format the bytes are not.
        Format::Other if matches!(ext, "pdf" | "docx" | "xlsx" | "xlsm" | "xls") => Err(NotRead::Failed(format!(
            "not a valid .{ext} file: its content is not a {} document",
            ext.to_uppercase()
        ))),
        Format::Ole | Format::Other if fmt.convert_with_soffice.iter().any(|e| e == ext) => {
            convert_with_soffice(path, cfg).map(|d| word_document(d, "soffice", cfg))
        }
        Format::Ole => Err(NotRead::Failed(format!(
            "legacy Office file with extension .{ext}: not a format jixiao reads"
        ))),
        Format::Other => {
            let known = cfg.walk.known_extensions.iter().any(|e| e == ext);
            Err(NotRead::Skipped(if known {
                format!(".{ext} files are not read by this build")
            } else {
                format!("not a report format (.{ext})")
            }))
        }
    }
}

fn zip_has(bytes: &[u8], name: &str) -> bool {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map(|a| a.index_for_name(name).is_some())
        .unwrap_or(false)
}

/// A workbook's sheets as text, and what its scoring tables hold.
fn workbook_document(bytes: &[u8], cfg: &Config) -> Result<Document, NotRead> {
    let s = sheet::read(bytes, cfg).map_err(NotRead::Failed)?;
    Ok(Document {
        text: s.text,
        encoding: None,
        reader: "calamine",
        indicators: s.indicators,
        table_totals: s.totals,
    })
}

/// A Word document's text, and the indicators of its scoring tables (a table
/// whose header names 指标 and 得分, read as a workbook's sheet is).
fn word_document(d: docx::DocxText, reader: &'static str, cfg: &Config) -> Document {
    let (mut indicators, mut table_totals) = (Vec::new(), Vec::new());
    for found in d.tables.iter().filter_map(|t| sheet::scoring_table(t, &cfg.score)) {
        indicators.extend(found.indicators);
        table_totals.extend(found.totals);
    }
    Document {
        text: d.text,
        encoding: None,
        reader,
        indicators,
        table_totals,
    }
}

/// DOC / WPS / RTF → DOCX with LibreOffice in a private temporary folder.
fn convert_with_soffice(path: &Path, cfg: &Config) -> Result<docx::DocxText, NotRead> {
    let fmt = &cfg.formats;
    if !external::available(&fmt.soffice) {
        return Err(NotRead::Skipped(
            "needs LibreOffice to convert: install it (Debian: apt-get install libreoffice-writer-nogui) or set formats.soffice; then re-run"
                .to_string(),
        ));
    }
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("jixiao-convert-{}-{n}", std::process::id()));
    let result = (|| {
        std::fs::create_dir_all(&dir).map_err(|e| NotRead::Failed(format!("cannot make a temporary folder: {e}")))?;
        let mut cmd = std::process::Command::new(&fmt.soffice);
        cmd.arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--headless", "--norestore", "--convert-to", "docx", "--outdir"])
        .arg(dir.join("out"))
        .arg(path);
        // soffice writes its result to a file; its stdout is only chatter.
        match external::run_with_timeout(cmd, fmt.timeout_seconds, 64 * 1024) {
            external::Outcome::Done { .. } => {}
            external::Outcome::TimedOut => {
                return Err(NotRead::Failed(format!(
                    "LibreOffice conversion took longer than {} s (formats.timeout_seconds)",
                    fmt.timeout_seconds
                )))
            }
            external::Outcome::NotStarted(e) => return Err(NotRead::Failed(format!("cannot run soffice: {e}"))),
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let out = dir.join("out").join(format!("{stem}.docx"));
        let bytes =
            std::fs::read(&out).map_err(|_| NotRead::Failed("LibreOffice could not convert the file".into()))?;
        docx::read(&bytes, fmt.max_decompressed_bytes).map_err(NotRead::Failed)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

pub fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Decoded text and the encoding it was found in.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Detects the encoding (BOM, UTF-8 validity, UTF-16 without BOM, GB18030)
/// and decodes. Binary content and undecodable bytes are errors, never guesses.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, "utf-8-bom");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    if let Some(le) = utf16_without_bom(bytes) {
        return utf16(bytes, le);
    }
    // (SIMD validation: std's is byte by byte on CJK text, ~2% of a run.)
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return utf8_text(text, "utf-8");
    }
    if control_share(bytes) > 0.01 {
        return Err(ReadError::Binary("control bytes".into()));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ReadError::Undecodable("neither UTF-8, UTF-16 nor GB18030".into()));
    }
    if !looks_like_text(&text) {
        return Err(ReadError::Binary("decodes as GB18030 but is not Chinese text".into()));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: "gb18030",
    })
}

fn utf8(bytes: &[u8], label: &'static str) -> Result<Decoded, ReadError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ReadError::Undecodable(format!("invalid UTF-8 after BOM: {e}")))?;
    utf8_text(text, label)
}

/// Text already checked to be UTF-8 (validated once, not twice).
fn utf8_text(text: &str, label: &'static str) -> Result<Decoded, ReadError> {
    if text.is_empty() {
        return Err(ReadError::Empty);
    }
    if control_share(text.as_bytes()) > 0.01 {
        return Err(ReadError::Binary("control bytes".into()));
    }
    Ok(Decoded {
        text: text.to_string(),
        encoding: label,
    })
}

fn utf16(bytes: &[u8], le: bool) -> Result<Decoded, ReadError> {
    let enc = if le {
        encoding_rs::UTF_16LE
    } else {
        encoding_rs::UTF_16BE
    };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ReadError::Undecodable(format!(
            "invalid {} (odd length or lone surrogate)",
            enc.name()
        )));
    }
    if text.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: if le { "utf-16le" } else { "utf-16be" },
    })
}

/// UTF-16 without a BOM shows up as NULs in every other byte for ASCII.
fn utf16_without_bom(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let pairs = sample.len() / 2;
    let (mut even_nul, mut odd_nul) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if pair[0] == 0 {
            even_nul += 1;
        }
        if pair[1] == 0 {
            odd_nul += 1;
        }
    }
    if odd_nul * 3 > pairs && even_nul * 20 < pairs {
        Some(true)
    } else if even_nul * 3 > pairs && odd_nul * 20 < pairs {
        Some(false)
    } else {
        None
    }
}

/// Share of bytes that never occur in text (NUL and C0 controls but tab, LF, CR, FF).
fn control_share(bytes: &[u8]) -> f64 {
    let n = bytes.len().min(65536);
    if n == 0 {
        return 0.0;
    }
    let bad = bytes[..n]
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    bad as f64 / n as f64
}

/// Text, not bytes that happen to decode: mostly CJK, ASCII and punctuation.
fn looks_like_text(s: &str) -> bool {
    let mut total = 0usize;
    let mut good = 0usize;
    for c in s.chars().take(20000) {
        total += 1;
        if c.is_ascii()
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || ('\u{3000}'..='\u{303F}').contains(&c)
            || ('\u{FF00}'..='\u{FFEF}').contains(&c)
        {
            good += 1;
        }
    }
    total > 0 && good * 10 >= total * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "部门整体支出绩效自评报告：收入合计 823.55 万元。";

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode(SAMPLE.as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "utf-8"));
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(SAMPLE.as_bytes());
        let d = decode(&b).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "utf-8-bom"));
    }

    #[test]
    fn utf16_both_orders_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in SAMPLE.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap().text, SAMPLE);
        assert_eq!(decode(&be).unwrap().encoding, "utf-16be");
        assert_eq!(decode(&be).unwrap().text, SAMPLE);
    }

    #[test]
    fn gbk_is_detected() {
        let (bytes, _, _) = encoding_rs::GBK.encode(SAMPLE);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "gb18030");
        assert_eq!(d.text, SAMPLE);
    }

    #[test]
    fn binary_and_empty_are_errors() {
        assert_eq!(decode(b""), Err(ReadError::Empty));
        let bin: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(matches!(
            decode(&bin),
            Err(ReadError::Binary(_)) | Err(ReadError::Undecodable(_))
        ));
    }

    #[test]
    fn lone_surrogate_is_undecodable() {
        let mut b = vec![0xFF, 0xFE];
        b.extend_from_slice(&0x0041u16.to_le_bytes());
        b.extend_from_slice(&0xD800u16.to_le_bytes());
        b.extend_from_slice(&0x0041u16.to_le_bytes());
        assert!(matches!(decode(&b), Err(ReadError::Undecodable(_))));
    }

    #[test]
    fn magic_beats_extension() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        assert_eq!(detect_format("txt", b"%PDF-1.7", &cfg), Format::Pdf);
        assert_eq!(detect_format("txt", "报告".as_bytes(), &cfg), Format::Text);
        assert_eq!(extension("a/b/报告.TXT"), "txt");
        assert_eq!(extension("a/.hidden"), "");
    }
}
