//! PDF text layer → text with form feeds between pages.
//!
//! Measured on ../shared/realpdf (see README): pdftotext (poppler) gives the
//! reference reading order and can be killed when it overruns the time budget;
//! the built-in reader (pdf-extract, pure Rust) finds the same characters but
//! orders table cells differently. `auto` uses pdftotext when it is installed.

use std::path::Path;

use super::external::{run_with_timeout, Outcome};
use crate::config::Formats;
use crate::guard::{within_budget, Budget};

/// Why a PDF gave no text.
#[derive(Debug, Clone, PartialEq)]
pub enum PdfError {
    Failed(String),
}

/// The text of a PDF; `max_text` bounds what an external reader may write.
pub fn read(path: &Path, bytes: &[u8], cfg: &Formats, max_text: usize) -> Result<(String, &'static str), PdfError> {
    let use_poppler = match cfg.pdf_reader.as_str() {
        "pdftotext" => true,
        "builtin" => false,
        _ => super::external::available(&cfg.pdftotext),
    };
    let text = if use_poppler {
        poppler(path, cfg, max_text).map(|t| (t, "pdftotext"))?
    } else {
        builtin(bytes, cfg.timeout_seconds).map(|t| (t, "pdf-extract"))?
    };
    check_text_layer(&text.0, cfg)?;
    Ok(text)
}

fn poppler(path: &Path, cfg: &Formats, max_text: usize) -> Result<String, PdfError> {
    let mut cmd = std::process::Command::new(&cfg.pdftotext);
    cmd.args(["-enc", "UTF-8", "-eol", "unix", "-q"]).arg(path).arg("-");
    match run_with_timeout(cmd, cfg.timeout_seconds, max_text as u64) {
        Outcome::Done { stdout, .. } if stdout.len() > max_text => Err(PdfError::Failed(format!(
            "pdftotext wrote more than {max_text} bytes of text, longer than one report can be (limits.max_text_bytes)"
        ))),
        Outcome::Done { status, stdout, stderr } => {
            if !status.success() {
                let msg = String::from_utf8_lossy(&stderr);
                let msg = msg.trim();
                if msg.to_lowercase().contains("password") || msg.to_lowercase().contains("encrypt") {
                    return Err(PdfError::Failed("encrypted PDF: needs a password".into()));
                }
                return Err(PdfError::Failed(format!(
                    "unreadable PDF (pdftotext: {})",
                    if msg.is_empty() { "no output" } else { msg }
                )));
            }
            String::from_utf8(stdout).map_err(|_| PdfError::Failed("pdftotext wrote invalid UTF-8".into()))
        }
        Outcome::TimedOut => Err(PdfError::Failed(format!(
            "PDF reading took longer than {} s (formats.timeout_seconds)",
            cfg.timeout_seconds
        ))),
        Outcome::NotStarted(e) => Err(PdfError::Failed(format!("cannot run {}: {e}", cfg.pdftotext))),
    }
}

fn builtin(bytes: &[u8], seconds: u64) -> Result<String, PdfError> {
    // The reader is third-party code over hostile bytes: a panic is this file's
    // failure, and so is a file it cannot finish within the time budget.
    let bytes = bytes.to_vec();
    let res = match within_budget("jixiao-pdf", seconds, move || {
        pdf_extract::extract_text_from_mem_by_pages(&bytes)
    }) {
        Budget::Done(res) => res,
        Budget::Overran => {
            return Err(PdfError::Failed(format!(
                "PDF reading took longer than {seconds} s (formats.timeout_seconds; the built-in reader)"
            )))
        }
        Budget::Panicked(why) => return Err(PdfError::Failed(format!("unreadable PDF (the reader gave up: {why})"))),
        Budget::NotStarted(e) => return Err(PdfError::Failed(format!("cannot start the PDF reader: {e}"))),
    };
    match res {
        Ok(pages) => Ok(pages.join("\u{000C}")),
        Err(e) => {
            let msg = e.to_string();
            if msg.to_lowercase().contains("encrypt") || msg.to_lowercase().contains("password") {
                Err(PdfError::Failed("encrypted PDF: needs a password".into()))
            } else {
                Err(PdfError::Failed(format!("unreadable PDF: {msg}")))
            }
        }
    }
}

/// A text layer that is missing or garbled is a failure, never empty facts.
fn check_text_layer(text: &str, cfg: &Formats) -> Result<(), PdfError> {
    let pages = text.matches('\u{000C}').count().max(1);
    let mut visible = 0usize;
    let mut garbled = 0usize;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        visible += 1;
        if c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(&c) || (c as u32) < 0x20 {
            garbled += 1;
        }
    }
    if visible < cfg.min_text_chars_per_page * pages || garbled as f64 > cfg.max_garbled_share * visible as f64 {
        return Err(PdfError::Failed("no usable text layer (scanned? needs OCR)".into()));
    }
    // Fonts without a usable ToUnicode map often come out as one character
    // repeated (一一一一): no real Chinese text has one character that common.
    let mut counts = std::collections::HashMap::new();
    let mut cjk = 0usize;
    for c in text.chars().filter(|&c| crate::normalize::is_cjk(c)) {
        cjk += 1;
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    if cjk >= 200 && top as f64 > cfg.max_garbled_share * cjk as f64 {
        return Err(PdfError::Failed(
            "no usable text layer (garbled: fonts without a character map; try formats.pdf_reader = \"pdftotext\")"
                .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF whose text passes one report's length fails without all of it
    /// being held: pdftotext's output pipe is closed at the limit.
    #[test]
    fn pdftotext_output_is_cut_at_the_text_limit() {
        let cfg = crate::config::Rules::bundled().unwrap().config.formats;
        if !super::super::external::available(&cfg.pdftotext) {
            eprintln!("pdftotext not installed: skipped (CI installs poppler-utils)");
            return;
        }
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/formats/pdf/000_df4d907f0d532eac.pdf"
        ));
        let bytes = std::fs::read(path).unwrap();
        let (text, reader) = read(path, &bytes, &cfg, 1 << 20).unwrap();
        assert_eq!(reader, "pdftotext");
        assert!(text.len() > 1000);
        let err = poppler(path, &cfg, 1000).unwrap_err();
        assert!(
            matches!(&err, PdfError::Failed(m) if m.contains("max_text_bytes")),
            "{err:?}"
        );
    }

    #[test]
    fn the_built_in_reader_reads_a_pdf_and_refuses_garbage() {
        let pdf = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/formats/pdf/000_df4d907f0d532eac.pdf"
        ))
        .unwrap();
        let text = builtin(&pdf, 60).unwrap();
        assert!(
            text.contains('\u{000C}') && text.chars().count() > 1000,
            "{} chars",
            text.len()
        );
        let err = builtin(b"%PDF-1.4 not really", 60).unwrap_err();
        assert!(
            matches!(&err, PdfError::Failed(m) if m.starts_with("unreadable PDF")),
            "{err:?}"
        );
    }
}
