//! Stage 2: decoded text → clean text with an offset map back to the original.
//!
//! NFKC (full-width digits and punctuation), drop layout residue (page
//! numbers, running headers, signature blocks, a trailing PDF outline), re-join
//! lines broken by PDF extraction into paragraphs, and record the heading
//! structure (一、 / （一） / 1. / （1）) so that extraction can be scoped.

use regex::RegexSet;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use unicode_normalization::UnicodeNormalization;

use crate::config::NormalizeRules;

/// Heading levels: 一、 < （一） < 1. < （1）.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    /// Byte offset of the paragraph that starts with the enumerator.
    pub start: usize,
    /// Byte offset of the end of that paragraph.
    pub para_end: usize,
    /// The heading's text up to its first full stop (without the enumerator).
    pub title: String,
}

/// Normalised text: one paragraph per line.
#[derive(Debug, Clone, Default)]
pub struct CleanText {
    pub text: String,
    /// For each char of `text`: its char index in the original text.
    orig_char: Vec<u32>,
    /// For each char of `text`: its byte offset in `text`.
    char_byte: Vec<u32>,
    /// Byte offsets where each paragraph starts.
    pub para_starts: Vec<usize>,
    pub headings: Vec<Heading>,
    /// For each char: 1-based page, when the source had page breaks (form feeds).
    pages: Option<Vec<u16>>,
    /// Chars the traditional→simplified map changed: (char index, char as written).
    as_written: Vec<(u32, char)>,
    /// Byte offsets where a table's number cell starts: a bare number that was
    /// alone on its line, right after a line that is exactly one of
    /// `normalize.number_cell_labels` (人员编制 / 21). Ascending.
    pub number_cells: Vec<usize>,
}

impl CleanText {
    /// Char index in `text` of a byte offset.
    pub fn char_index(&self, byte: usize) -> usize {
        self.char_byte.partition_point(|&b| (b as usize) < byte)
    }

    /// Byte offset in `text` of a char index (the end when past it).
    pub fn byte_of_char(&self, ci: usize) -> usize {
        self.char_byte.get(ci).map_or(self.text.len(), |&b| b as usize)
    }

    /// Char index in the original decoded text of a byte offset of `text`.
    pub fn original_char(&self, byte: usize) -> Option<usize> {
        self.orig_char.get(self.char_index(byte)).map(|&c| c as usize)
    }

    pub fn page(&self, byte: usize) -> Option<i32> {
        let pages = self.pages.as_ref()?;
        pages.get(self.char_index(byte)).map(|&p| i32::from(p))
    }

    /// The span as the report wrote it (before traditional→simplified), for names.
    pub fn as_written(&self, start: usize, end: usize) -> String {
        let (a, b) = (self.char_index(start), self.char_index(end));
        let from = self.as_written.partition_point(|&(i, _)| (i as usize) < a);
        let mut changed = self.as_written[from..]
            .iter()
            .take_while(|&&(i, _)| (i as usize) < b)
            .peekable();
        let mut out = String::new();
        for (k, c) in self.text[start..end].chars().enumerate() {
            match changed.peek() {
                Some(&&(i, orig)) if i as usize == a + k => {
                    out.push(orig);
                    changed.next();
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// The heading chain that encloses `byte`, innermost first.
    pub fn enclosing(&self, byte: usize) -> Vec<&Heading> {
        let idx = self.headings.partition_point(|h| h.start <= byte);
        let mut chain: Vec<&Heading> = Vec::new();
        let mut level_limit = u8::MAX;
        for h in self.headings[..idx].iter().rev() {
            if h.level < level_limit {
                chain.push(h);
                level_limit = h.level;
                if level_limit == 1 {
                    break;
                }
            }
        }
        chain
    }

    /// The paragraph (line) containing `byte`, as byte range.
    pub fn paragraph(&self, byte: usize) -> (usize, usize) {
        let i = self.para_starts.partition_point(|&s| s <= byte);
        let start = if i == 0 { 0 } else { self.para_starts[i - 1] };
        let end = self.text[start..]
            .find('\n')
            .map(|e| start + e)
            .unwrap_or(self.text.len());
        (start, end)
    }
}

/// Compiled normalisation rules (built once per run, shared by all files).
#[derive(Debug)]
pub struct Normalizer {
    drop_lines: RegexSet,
    header_min_repeats: usize,
    header_max_chars: usize,
    end_chars: Vec<char>,
    kv_label_max: usize,
    kv_not_labels: Vec<String>,
    number_cell_labels: Vec<String>,
    title_end_words: Vec<String>,
    /// Traditional → simplified for the CJK block, indexed by `c - U+4E00` ('\0': unchanged).
    simplified: Vec<char>,
    compat: CompatTable,
}

/// One raw line after NFKC, with its original char offsets: a view into
/// [`LineBuf`], so a document costs a few allocations, not a few per line.
struct Line<'a> {
    /// Index of the line's first char in the buffer.
    start: usize,
    /// The line's text.
    text: &'a str,
    orig: &'a [u32],
    page: u16,
}

/// Every line of a document in flat buffers; `spans` cut it into lines.
/// The text is UTF-8 with each char's byte offset, so a line's text is a
/// slice and runs of it are copied into the clean text in bulk.
#[derive(Default)]
struct LineBuf {
    text: String,
    /// Byte offset in `text` of each char, plus one past the last.
    byte: Vec<u32>,
    /// Chars the traditional→simplified map changed: (index, char as written), ascending.
    written: Vec<(u32, char)>,
    /// For each char: its char index in the input.
    orig: Vec<u32>,
    /// Indices of the whitespace chars, ascending (found while splitting, so
    /// the lines need no second pass to find them).
    spaces: Vec<u32>,
    /// (start, end, page) of each line in the buffers, in chars.
    spans: Vec<(usize, usize, u16)>,
}

impl LineBuf {
    fn lines(&self) -> Vec<Line<'_>> {
        self.spans
            .iter()
            .map(|&(s, e, page)| Line {
                start: s,
                text: self.str_of(s, e),
                orig: self.orig.get(s..e).unwrap_or_default(),
                page,
            })
            .collect()
    }

    /// Number of chars so far.
    fn len(&self) -> usize {
        self.orig.len()
    }

    /// The text of chars `[from, to)` of the buffer.
    fn str_of(&self, from: usize, to: usize) -> &str {
        let (Some(&a), Some(&b)) = (self.byte.get(from), self.byte.get(to)) else {
            return "";
        };
        self.text.get(a as usize..b as usize).unwrap_or("")
    }

    /// Empty, with room for a document of `input_len` bytes.
    fn reset(&mut self, input_len: usize) {
        let cap = input_len / 2 + 16;
        self.orig.clear();
        self.orig.reserve(cap);
        self.byte.clear();
        self.byte.reserve(cap + 1);
        self.text.clear();
        self.text.reserve(input_len);
        self.written.clear();
        self.spaces.clear();
        self.spans.clear();
        self.spans.reserve(input_len / 40 + 1);
        self.byte.push(0);
    }

    #[inline]
    fn push(&mut self, c: char, written: Option<char>, orig: u32) {
        if let Some(w) = written {
            self.written.push((self.len() as u32, w));
        }
        if c.is_whitespace() {
            self.spaces.push(self.len() as u32);
        }
        self.orig.push(orig);
        self.text.push(c);
        self.byte.push(self.text.len() as u32);
    }
}

impl Line<'_> {
    /// The line without leading and trailing whitespace, as char indices.
    fn trimmed(&self) -> (usize, usize) {
        let n = self.orig.len();
        let rest = self.text.trim_start();
        if rest.is_empty() {
            return (n, n);
        }
        let s = self.text[..self.text.len() - rest.len()].chars().count();
        let e = n - rest[rest.trim_end().len()..].chars().count();
        (s, e.max(s))
    }

    fn starts_with_tab(&self) -> bool {
        self.text.starts_with('\t')
    }
}

impl Normalizer {
    pub fn new(rules: &NormalizeRules) -> Result<Self, regex::Error> {
        Ok(Normalizer {
            drop_lines: RegexSet::new(&rules.drop_lines)?,
            header_min_repeats: rules.running_header_min_repeats.max(2),
            header_max_chars: rules.running_header_max_chars,
            end_chars: rules.paragraph_end_chars.chars().collect(),
            kv_label_max: rules.key_value_label_max_chars,
            kv_not_labels: rules.key_value_not_labels.clone(),
            number_cell_labels: rules.number_cell_labels.clone(),
            title_end_words: rules.title_end_words.clone(),
            compat: CompatTable::new(),
            simplified: {
                let cs: Vec<char> = rules
                    .traditional_to_simplified
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let mut table = vec!['\0'; CJK_LEN];
                for p in cs.chunks_exact(2) {
                    if let Some(slot) = (p[0] as usize).checked_sub(CJK_START).and_then(|i| table.get_mut(i)) {
                        *slot = p[1];
                    }
                }
                table
            },
        })
    }

    pub fn normalize(&self, input: &str) -> CleanText {
        // The line buffers are per thread and reused: a fresh ~10 bytes per
        // input byte for every report cost more in page faults than in work.
        thread_local! {
            static SCRATCH: std::cell::RefCell<LineBuf> = std::cell::RefCell::new(LineBuf::default());
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => {
                let out = self.normalize_in(input, &mut buf);
                // A huge document leaves no huge buffers behind.
                if buf.orig.capacity() > SCRATCH_KEEP_CHARS {
                    *buf = LineBuf::default();
                }
                out
            }
            Err(_) => self.normalize_in(input, &mut LineBuf::default()),
        })
    }

    fn normalize_in(&self, input: &str, buf: &mut LineBuf) -> CleanText {
        let has_pages = input.contains('\u{000C}');
        split_nfkc_lines(input, &self.simplified, &self.compat, buf);
        let buf = &*buf;
        let lines = buf.lines();
        let (keep, cells) = self.keep_mask(buf, &lines);

        let n = buf.len();
        let mut out = CleanText {
            text: String::with_capacity(input.len() + 16),
            orig_char: Vec::with_capacity(n),
            char_byte: Vec::with_capacity(n),
            pages: has_pages.then(|| Vec::with_capacity(n)),
            ..CleanText::default()
        };
        let mut para_open = false;
        let mut prev_line_ends_para = true;
        // A bare number dropped as a page number, with a figure going on after
        // it (收入： / 65 / 1.17 万元): a page number, or the head of a figure a
        // PDF broke (651.17)? Neither joining nor dropping is sure, so the
        // text after it starts a paragraph and no figure spans the gap.
        let mut bare_number_dropped = false;
        // The last kept line was an enumerator alone ((1) / 预算编制合理性).
        let mut title_follows = false;
        // No heading yet: the cover and title lines.
        let mut before_headings = true;
        for ((line, &kept), &cell) in lines.iter().zip(&keep).zip(&cells) {
            let (s, e) = line.trimmed();
            if s == e {
                continue;
            }
            let content = buf.str_of(line.start + s, line.start + e);
            if !kept {
                bare_number_dropped |= is_bare_number(content);
                continue;
            }
            let after_bare_number = std::mem::take(&mut bare_number_dropped)
                && content.starts_with(|c: char| c.is_ascii_digit() || c == '.');
            let heading = heading_level(content);
            let starts_heading = heading.is_some();
            // (1) / 预算编制合理性(5分)。: an enumerator alone on its line heads
            // the next line's title; the heading is the two together.
            let bare_enumerator = heading.is_some_and(|(_, len)| len >= content.len());
            let row = is_table_row(content);
            if para_open && (prev_line_ends_para || starts_heading || row || after_bare_number) {
                push(&mut out, '\n', line.orig[s], line.page);
                para_open = false;
            }
            if !para_open {
                out.para_starts.push(out.text.len());
                para_open = true;
            } else if let (Some(a), Some(b)) = (out.text.chars().last(), content.chars().next()) {
                // Re-joined English words keep a space; CJK and numbers do not.
                if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() {
                    push(&mut out, ' ', line.orig[s], line.page);
                }
            }
            if cell {
                out.number_cells.push(out.text.len());
            }
            push_collapsed(&mut out, buf, line, s, e, row);
            // A number cell ends its paragraph: the next line's digits must not run on into it.
            // A table row is a line of its own: rows are not lines a PDF broke.
            // The title after an enumerator alone on its line ends like a heading.
            let heading_line = starts_heading || std::mem::take(&mut title_follows);
            before_headings &= !starts_heading;
            prev_line_ends_para = cell
                || row
                || (!bare_enumerator && self.ends_paragraph(content, heading_line))
                || (before_headings && self.ends_title(content));
            title_follows = bare_enumerator && !prev_line_ends_para;
        }
        self.find_headings(&mut out);
        out
    }

    /// Which lines survive: not layout residue, not a running header, not the
    /// outline; and which of them are a table's number cells.
    fn keep_mask<'b>(&self, buf: &'b LineBuf, lines: &[Line]) -> (Vec<bool>, Vec<bool>) {
        // Residue and running headers are short lines; long lines are kept as
        // they are (and count as empty text here).
        let limit = self.header_max_chars.max(60);
        let mut trimmed: Vec<&'b str> = Vec::with_capacity(lines.len());
        let mut long: Vec<bool> = Vec::with_capacity(lines.len());
        for l in lines {
            let (s, e) = l.trimmed();
            trimmed.push(if e - s <= limit {
                buf.str_of(l.start + s, l.start + e)
            } else {
                ""
            });
            long.push(e - s > limit);
        }
        let mut keep: Vec<bool> = Vec::with_capacity(lines.len());
        let mut cells: Vec<bool> = Vec::with_capacity(lines.len());
        // The last non-empty line, to tell a table's number cell from a page number.
        let mut before: &str = "";
        // The last cell, until the next non-empty line shows it is one: a
        // second bare number right after it (人员编制 / 7 / 35) means one of
        // the two is a page number, and no rule can tell which; both go.
        let mut pending: Option<(usize, bool)> = None;
        for (t, &is_long) in trimmed.iter().zip(&long) {
            let digits = is_bare_number(t);
            if is_long || !t.is_empty() {
                if let Some((i, dropped)) = pending.take() {
                    if digits {
                        keep[i] = !dropped;
                        cells[i] = false;
                    }
                }
            }
            let cell = digits && self.number_cell_labels.iter().any(|l| l == before);
            let dropped = !t.is_empty() && self.drop_lines.is_match(t);
            if cell {
                pending = Some((keep.len(), dropped));
            }
            keep.push(cell || !dropped);
            cells.push(cell);
            if is_long || !t.is_empty() {
                before = t;
            }
        }
        // A trailing block of tab-indented lines is the PDF outline / signature panel.
        for i in (0..lines.len()).rev() {
            if (trimmed[i].is_empty() && !long[i]) || lines[i].starts_with_tab() {
                keep[i] = false;
            } else {
                break;
            }
        }
        // (Fx: short keys hashed thousands of times per report; no untrusted-key DoS concern.)
        let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
        for t in &trimmed {
            let n = t.chars().count();
            // A line that ends a sentence is text a PDF broke, however often
            // it repeats (分 3 分。 thrice: dropping it dropped a score).
            let ends_sentence = t.ends_with(|c: char| self.end_chars.contains(&c));
            if n >= 4 && n <= self.header_max_chars && heading_level(t).is_none() && !ends_sentence {
                *counts.entry(t).or_default() += 1;
            }
        }
        for (i, t) in trimmed.iter().enumerate() {
            if counts.get(t).copied().unwrap_or(0) >= self.header_min_repeats {
                keep[i] = false;
            }
        }
        (keep, cells)
    }

    /// A short line that ends like a report's title (…自评报告, …的函).
    fn ends_title(&self, content: &str) -> bool {
        content.chars().nth(60).is_none()
            && !content.contains([',', '。', ';'])
            && self.title_end_words.iter().any(|w| content.ends_with(w.as_str()))
    }

    fn ends_paragraph(&self, content: &str, starts_heading: bool) -> bool {
        let last = content.chars().last().unwrap_or(' ');
        if self.end_chars.contains(&last) {
            return true;
        }
        // Headings are short and often carry no full stop.
        // (A title with a clause mark in it is prose that wraps, not a bare title.)
        let short = || content.chars().nth(26).is_none();
        if starts_heading && short() && !last.is_ascii_digit() && last != '万' && !content.contains([',', '。', ';'])
        {
            return true;
        }
        // 部门名称：乐昌市人民政府办公室 — a cover-page key-value line.
        if let Some((label, value)) = content.split_once(':') {
            let l = label.trim().chars().count();
            let value = value.trim();
            let prose = value.contains(['。', ';', ',', '、']) || self.kv_not_labels.iter().any(|w| w == label.trim());
            if l >= 2 && l <= self.kv_label_max && !value.is_empty() && !prose {
                return true;
            }
        }
        false
    }

    fn find_headings(&self, out: &mut CleanText) {
        let mut headings = Vec::new();
        for (i, &start) in out.para_starts.iter().enumerate() {
            let end = out.para_starts.get(i + 1).map(|&n| n - 1).unwrap_or(out.text.len());
            let para = &out.text[start..end];
            if let Some((level, enum_len)) = heading_level(para) {
                let body = &para[enum_len..];
                let title: String = body
                    .split(['。', ';', '；'])
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(60)
                    .collect();
                headings.push(Heading {
                    level,
                    start,
                    para_end: end,
                    title: title.trim().to_string(),
                });
            }
        }
        out.headings = headings;
    }
}

fn push(out: &mut CleanText, c: char, orig: u32, page: u16) {
    out.char_byte.push(out.text.len() as u32);
    out.orig_char.push(orig);
    if let Some(p) = out.pages.as_mut() {
        p.push(page);
    }
    out.text.push(c);
}

/// A table's row: three or more cells, split by `|` (as the Word and
/// workbook readers join them, or a Markdown table) or by runs of tabs (a
/// sheet saved or copied as text). One tab is layout, not a table: Word puts
/// one after a heading's number (一、⇥部门概况) or a cover label (部门名称：⇥…).
/// `s` is trimmed, so every tab run has a cell on each side.
/// A line that is a bare number (a page number, or a table's number cell).
fn is_bare_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_table_row(s: &str) -> bool {
    let b = s.as_bytes();
    let bars = b.iter().filter(|&&c| c == b'|').count();
    if bars >= 2 {
        return true;
    }
    if bars == 1 {
        return s.split_once('|').is_some_and(|(a, z)| two_cells(a, z));
    }
    if !b.contains(&b'\t') {
        return false;
    }
    let runs = b.windows(2).filter(|w| w[0] == b'\t' && w[1] != b'\t').count();
    runs >= 2 || (runs == 1 && s.split_once('\t').is_some_and(|(a, z)| two_cells(a, z)))
}

/// Whether a line split in two (收入合计\t1234.56, 项目 | 金额) is a two-column
/// table's row: two short cells, neither holding a sentence. (Prose a tab
/// or a bar cuts in two is longer, or has its stops.)
fn two_cells(a: &str, z: &str) -> bool {
    let (a, z) = (a.trim_matches(['\t', ' ']), z.trim_matches(['\t', ' ']));
    let cell = |c: &str| !c.is_empty() && c.chars().nth(30).is_none() && !c.contains(['。', ';', '；', '!', '?']);
    // Word's layout tabs: after an enumerator alone (一、\t部门概况) or a
    // label (部门名称：\t乐昌市人民政府办公室). (The text is NFKC: `：` is `:`.)
    let layout = a.ends_with(':') || heading_level(a).is_some_and(|(_, len)| len >= a.len());
    !layout && cell(a) && cell(z)
}

/// Whitespace runs become one space, and vanish between two CJK chars
/// (填 报 人 → 填报人) or between a CJK char and a digit's unit. In a table
/// row, a run with a tab in it separates cells: it becomes ` | `, as the
/// workbook and Word readers join cells. Runs of other chars are copied in bulk.
fn push_collapsed(out: &mut CleanText, buf: &LineBuf, line: &Line, from: usize, to: usize, row: bool) {
    let (from, to) = (line.start + from, line.start + to);
    let first_space = buf.spaces.partition_point(|&k| (k as usize) < from);
    let mut spaces = buf
        .spaces
        .get(first_space..)
        .unwrap_or_default()
        .iter()
        .map(|&k| k as usize)
        .peekable();
    let mut written = buf.written.partition_point(|&(k, _)| (k as usize) < from);
    let mut i = from;
    while i < to {
        if spaces.peek() == Some(&i) {
            let mut j = i;
            while spaces.next_if_eq(&j).is_some() {
                j += 1;
            }
            let j = j.min(to);
            let orig = buf.orig.get(i).copied().unwrap_or(0);
            if row {
                if let Some(tab) = buf.str_of(i, j).chars().position(|c| c == '\t') {
                    // The bar points back to its tab.
                    let at_tab = buf.orig.get(i + tab).copied().unwrap_or(orig);
                    push(out, ' ', orig, line.page);
                    push(out, '|', at_tab, line.page);
                    push(out, ' ', at_tab, line.page);
                    i = j;
                    continue;
                }
            }
            let prev = out.text.chars().last();
            let next = buf.str_of(j, to).chars().next();
            let drop = matches!((prev, next), (Some(a), Some(b)) if is_cjk(a) && is_cjk(b));
            if !drop {
                push(out, ' ', orig, line.page);
            }
            i = j;
            continue;
        }
        // A run of other chars: up to the next whitespace char, or the end.
        let j = spaces.peek().map_or(to, |&k| k.min(to));
        let first = out.char_byte.len();
        while let Some(&(k, w)) = buf.written.get(written).filter(|(k, _)| (*k as usize) < j) {
            out.as_written.push(((first + k as usize - i) as u32, w));
            written += 1;
        }
        let run_start = buf.byte.get(i).copied().unwrap_or(0);
        let base = out.text.len() as u32;
        out.char_byte.extend(
            buf.byte
                .get(i..j)
                .unwrap_or_default()
                .iter()
                .map(|&b| base + (b - run_start)),
        );
        out.orig_char.extend_from_slice(buf.orig.get(i..j).unwrap_or_default());
        if let Some(p) = out.pages.as_mut() {
            p.resize(p.len() + (j - i), line.page);
        }
        out.text.push_str(buf.str_of(i, j));
        i = j;
    }
}

pub fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Splits into lines, NFKC-normalising each char (and mapping traditional
/// characters to simplified) while keeping its original index.
const CJK_START: usize = 0x4E00;
const CJK_LEN: usize = 0x9FFF - 0x4E00 + 1;

/// Chars of line buffer a thread keeps between documents (larger ones are freed).
const SCRATCH_KEEP_CHARS: usize = 1 << 20;

fn split_nfkc_lines(input: &str, simplified: &[char], compat: &CompatTable, buf: &mut LineBuf) {
    buf.reset(input.len());
    let mut start = 0;
    let mut page: u16 = 1;
    let mut utf8 = [0u8; 4];
    let simplified_of = |c: char| {
        (c as usize)
            .checked_sub(CJK_START)
            .and_then(|i| simplified.get(i))
            .copied()
            .filter(|&m| m != '\0')
    };
    let add = |buf: &mut LineBuf, c: char, ci: u32| match simplified_of(c) {
        Some(s) => buf.push(s, Some(c), ci),
        None => buf.push(c, None, ci),
    };
    // Most chars stay as they are: a run of them is copied into the text in
    // one piece; only their offsets are recorded one by one.
    // (`run`: where the pending run starts in the input, and in the text.)
    let mut run: Option<(usize, usize)> = None;
    for (ci, (bi, c)) in input.char_indices().enumerate() {
        let ci = ci as u32;
        let plain = match c {
            '\n' | '\r' | '\u{000C}' | '\0' => false,
            '.' => !period_ends_sentence(input, bi, 1),
            c if c.is_ascii() => true,
            c => is_cjk(c) && simplified_of(c).is_none(),
        };
        if plain {
            let (from, base) = *run.get_or_insert((bi, buf.text.len()));
            if c.is_whitespace() {
                buf.spaces.push(buf.len() as u32);
            }
            buf.orig.push(ci);
            buf.byte.push((base + bi - from + c.len_utf8()) as u32);
            continue;
        }
        if let Some((from, _)) = run.take() {
            buf.text.push_str(input.get(from..bi).unwrap_or_default());
        }
        match c {
            '\n' | '\u{2028}' | '\u{2029}' => {
                buf.spans.push((start, buf.len(), page));
                start = buf.len();
            }
            '\r' | '\u{FEFF}' | '\u{200B}' | '\0' => {}
            '.' => buf.push('。', None, ci),
            // Quotation marks of every form are one pair, so a rule written
            // with “三公” reads ‘三公’ and 「三公」 too.
            '‘' | '「' | '『' | '〝' => buf.push('“', None, ci),
            '’' | '」' | '』' | '〞' => buf.push('”', None, ci),
            '\u{000C}' => {
                buf.spans.push((start, buf.len(), page));
                start = buf.len();
                page = page.saturating_add(1);
            }
            c if c.is_ascii() || is_cjk(c) => add(buf, c, ci),
            c => match compat.single(c) {
                Some('.') if period_ends_sentence(input, bi, c.len_utf8()) => buf.push('。', None, ci),
                Some(n) => add(buf, n, ci),
                None => {
                    let s: &str = c.encode_utf8(&mut utf8);
                    for n in s.nfkc() {
                        add(buf, n, ci);
                    }
                }
            },
        }
    }
    if let Some((from, _)) = run {
        buf.text.push_str(input.get(from..).unwrap_or_default());
    }
    buf.spans.push((start, buf.len(), page));
}

/// Whether the full stop of `len` bytes at `at` ends a Chinese sentence
/// (…有待提高. / …（3 分）.), written '.' or '．' for '。': the rules end
/// sentences at '。' only, since '.' is mostly a decimal point. It must
/// follow a word or a closing bracket (not a digit: 12.5; not a numeral:
/// 一. is an enumerator) and come before a word, a figure (公开.2020 年…),
/// an opening bracket or the line's end.
fn period_ends_sentence(input: &str, at: usize, len: usize) -> bool {
    // A break may stand before it (时均衡 / .自评得分), never inside a figure.
    let before = input
        .get(..at)
        .and_then(|t| t.chars().rev().find(|c| !c.is_whitespace()));
    let after = input
        .get(at + len..)
        .and_then(|t| t.chars().find(|&c| c != ' ' && c != '\t' && c != '\u{3000}'));
    let ends_word = before.is_some_and(|c| {
        (is_cjk(c) && !is_cn_num(c)) || matches!(c, ')' | '）' | '」' | '』' | '”' | '》' | '】' | '%' | '％')
    });
    ends_word
        && after.is_none_or(|c| {
            is_cjk(c)
                || c.is_ascii_digit()
                || matches!(c, '\n' | '\r' | '\u{000C}' | '(' | '（' | '“' | '《' | '「' | '【')
        })
}

/// NFKC of single BMP chars (full-width forms, CJK punctuation …), filled on
/// first sight and shared by all workers: most reports use a few dozen such
/// chars thousands of times each. 0: not seen yet; u32::MAX: not one char.
struct CompatTable(Vec<AtomicU32>);

impl CompatTable {
    fn new() -> Self {
        CompatTable((0..=0xFFFF).map(|_| AtomicU32::new(0)).collect())
    }

    /// The char NFKC makes of `c`, when that is one char.
    fn single(&self, c: char) -> Option<char> {
        let slot = self.0.get(c as usize)?;
        let known = slot.load(Ordering::Relaxed);
        let v = if known != 0 {
            known
        } else {
            let mut it = std::iter::once(c).nfkc();
            let v = match (it.next(), it.next()) {
                (Some(n), None) if n != '\0' => n as u32,
                _ => u32::MAX,
            };
            slot.store(v, Ordering::Relaxed);
            v
        };
        char::from_u32(v)
    }
}

impl std::fmt::Debug for CompatTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompatTable")
    }
}

/// A Chinese numeral of an enumerator (一 … 十). (A match, not a search
/// in a string of them: asked for the first char of every line.)
fn is_cn_num(c: char) -> bool {
    matches!(c, '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十')
}

/// Level and byte length of the enumerator a paragraph starts with.
pub fn heading_level(s: &str) -> Option<(u8, usize)> {
    let s_trim = s.trim_start();
    let lead = s.len() - s_trim.len();
    let first = s_trim.chars().next()?;
    if is_cn_num(first) {
        // 一、 二: 十一、
        let mut end = 0;
        for (i, c) in s_trim.char_indices() {
            if is_cn_num(c) {
                end = i + c.len_utf8();
            } else {
                break;
            }
        }
        let next = s_trim[end..].chars().next()?;
        if matches!(next, '、' | '.' | ':') {
            return Some((1, lead + end + next.len_utf8()));
        }
        return None;
    }
    if first == '(' {
        // At most three chars inside: the ')' is among the first five chars.
        let (inner_end, _) = s_trim.char_indices().take(5).find(|&(_, c)| c == ')')?;
        let inner = &s_trim[1..inner_end];
        if inner.is_empty() || inner.chars().count() > 3 {
            return None;
        }
        if inner.chars().all(is_cn_num) {
            return Some((2, lead + inner_end + 1));
        }
        if inner.chars().all(|c| c.is_ascii_digit()) {
            return Some((4, lead + inner_end + 1));
        }
        return None;
    }
    if first.is_ascii_digit() {
        let digits = s_trim.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 2 {
            return None;
        }
        let rest = &s_trim[digits..];
        let next = rest.chars().next()?;
        if matches!(next, '、' | '.') {
            let after = rest[next.len_utf8()..].chars().next();
            if after.is_some_and(|c| c.is_ascii_digit()) {
                // 1.1 党建工作 is a sub-heading; 0.5 分 and 1.5万元 are numbers.
                let sub = &rest[next.len_utf8()..];
                let sub_digits = sub.bytes().take_while(u8::is_ascii_digit).count();
                let after_sub = &sub[sub_digits..];
                let spaced = after_sub.starts_with([' ', '\t', '\u{3000}']);
                if first != '0' && sub_digits <= 2 && spaced && !starts_with_unit(after_sub.trim_start()) {
                    return Some((5, lead + digits + next.len_utf8()));
                }
                return None;
            }
            return Some((3, lead + digits + next.len_utf8()));
        }
    }
    None
}

/// Whether text after a figure starts with its unit: 95.36 万元 at a line's
/// start (PDF text spaces its numbers) is an amount wrapped from the line
/// before, not sub-heading 95.36. (分 only as a word: 2.5 分, but not 2.5 分配.)
fn starts_with_unit(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some('万' | '元' | '亿' | '千' | '%') => true,
        Some('分') => !chars.next().is_some_and(is_cjk),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules;

    fn norm(s: &str) -> CleanText {
        let rules = Rules::bundled().unwrap();
        Normalizer::new(&rules.config.normalize).unwrap().normalize(s)
    }

    #[test]
    fn rejoins_numbers_and_words_broken_by_pdf() {
        let c = norm("决算收入 823.55 万\n\n元。其中一般公共服务支出 371.79 万元，公共安全支出 8.60\n\n万元。\n");
        assert_eq!(
            c.text,
            "决算收入 823.55 万元。其中一般公共服务支出 371.79 万元,公共安全支出 8.60万元。"
        );
        let c = norm("本部门设置了绩效目标的项目占部门全部项目 100%。自\n\n\n\n11\n\n评得分 2 分。\n");
        assert_eq!(c.text, "本部门设置了绩效目标的项目占部门全部项目 100%。自评得分 2 分。");
        // A line that starts with a spaced figure and its unit goes on the sentence before.
        let c = norm("基本支出 105.58 万元。其中：人员经费\n95.36 万元，主要包括：基本工资。\n");
        assert_eq!(
            c.text,
            "基本支出 105.58 万元。其中:人员经费95.36 万元,主要包括:基本工资。"
        );
        assert!(c.headings.is_empty());
    }

    #[test]
    fn full_width_is_nfkc() {
        let c = norm("收入合计１２３．４５万元（含）\n");
        assert_eq!(c.text, "收入合计123.45万元(含)");
    }

    #[test]
    fn signature_residue_and_outline_are_dropped() {
        let c = norm("正文第一段。\n\n\t一、部门的基本情况\n\t\t2024-05-21T09:35:34+0800\n\tsignature info(version:4.52.117)\n\n");
        assert_eq!(c.text, "正文第一段。");
        let c = norm("正文。\n2024-05-21T09:35:34+0800\nsignature info(version:4.52.117)\n后文。");
        assert_eq!(c.text, "正文。\n后文。");
    }

    /// A table of contents is dropped, as Word's TOC field code exported as
    /// text; a figure after leaders that is not a contents entry stays.
    #[test]
    fn contents_entries_are_dropped() {
        let c = norm("目录\n一、部门概况……………3\n（二）机构设置.........4\n二、概况..........( 1 )\n第二部分 2023年度单位决算情况说明 PAGEREF _Toc2776 \\h 4\n一、部门概况\n收入合计..........823\n");
        assert_eq!(c.text, "目录\n一、部门概况\n收入合计..........823");
    }

    #[test]
    fn headings_are_recorded_with_levels() {
        let c = norm("三、绩效分析\n\n（一）预算编制情况（28 分）\n\n1.预算编制。指标分值 18 分，该指标\n\n主要从两方面考核。\n（1）预算编制合理性（5 分）。\n自评得分 5 分。\n");
        let got: Vec<(u8, &str)> = c.headings.iter().map(|h| (h.level, h.title.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, "绩效分析"),
                (2, "预算编制情况(28 分)"),
                (3, "预算编制"),
                (4, "预算编制合理性(5 分)")
            ]
        );
        // The wrapped line of the level-3 heading was re-joined.
        assert!(c.text.contains("该指标主要从两方面考核。"));
        let pos = c.text.find("自评得分").unwrap();
        let chain: Vec<u8> = c.enclosing(pos).iter().map(|h| h.level).collect();
        assert_eq!(chain, vec![4, 3, 2, 1]);
    }

    #[test]
    fn key_value_cover_lines_stay_apart() {
        let c = norm("部门名称：乐昌市人民政府办公室\n单位负责人：吴章继\n");
        assert_eq!(c.text, "部门名称:乐昌市人民政府办公室\n单位负责人:吴章继");
    }

    #[test]
    fn parts_after_qizhong_wrap_on_though_they_look_like_a_key_value_line() {
        let text = "其中：基本支出 100 万元\n项目支出 20 万元。\n";
        assert_eq!(norm(text).text, "其中:基本支出 100 万元项目支出 20 万元。");
        let toml =
            crate::config::DEFAULT_TOML.replace(r#"key_value_not_labels = ["其中"]"#, "key_value_not_labels = []");
        let rules = Rules::from_parts(&toml, crate::config::DEFAULT_REGIONS).unwrap();
        let c = Normalizer::new(&rules.config.normalize).unwrap().normalize(text);
        assert_eq!(c.text, "其中:基本支出 100 万元\n项目支出 20 万元。");
    }

    /// A table's rows stay lines of their own (a PDF breaks prose, not rows);
    /// tab-separated cells are joined with ` | ` as the other readers join them.
    #[test]
    fn table_rows_are_lines_and_tabs_separate_cells() {
        let c = norm("自评表如下\n一级指标\t三级指标\t分值\t得分\n决策\t目标合理性\t5\t4\n合计\t\t100\t92\n");
        assert_eq!(
            c.text,
            "自评表如下\n一级指标 | 三级指标 | 分值 | 得分\n决策 | 目标合理性 | 5 | 4\n合计 | 100 | 92"
        );
        let bar = c.text.find('|').unwrap();
        assert_eq!(c.original_char(bar), Some(10), "the bar maps to its tab");
        let c = norm("指标 | 分值 | 得分\n产出 | 20 | 18\n");
        assert_eq!(c.text, "指标 | 分值 | 得分\n产出 | 20 | 18");
        // One bar is not a row: a wrapped line still joins the line before.
        assert_eq!(norm("基本支出\n| 45 万元\n").text, "基本支出| 45 万元");
        // One tab run after an enumerator or a label is Word's layout, not a
        // table: it is whitespace as before.
        let c = norm("一、\t部门概况\n部门名称：\t\t乐昌市人民政府办公室\n");
        assert_eq!(c.text, "一、 部门概况\n部门名称: 乐昌市人民政府办公室");
        // Two short cells are a two-column table's row; a sentence is not.
        let c = norm("项目\t金额\n收入合计\t1234.56\n支出合计\t1200\n");
        assert_eq!(c.text, "项目 | 金额\n收入合计 | 1234.56\n支出合计 | 1200");
        assert_eq!(norm("本年度收入增加。\t详见附表\n").text, "本年度收入增加。 详见附表");
    }

    /// A table exported one cell per line keeps its figures; a page number stays dropped.
    #[test]
    fn a_labelled_number_cell_is_kept_and_a_page_number_is_not() {
        let text = "联系人\n\n吴俊\n\n人员编制\n\n21\n\n实有人数\n\n19\n\n职能职责概述\n\n12\n\n负责全市工作。\n";
        let c = norm(text);
        assert_eq!(c.text, "联系人吴俊人员编制21\n实有人数19\n职能职责概述负责全市工作。");
        let cells: Vec<&str> = c.number_cells.iter().map(|&b| &c.text[b..b + 2]).collect();
        assert_eq!(cells, ["21", "19"]);
        // Only a whole line that is a label: a sentence ending in one is not.
        let text = "本单位核定人员编制\n\n21\n\n人。\n";
        assert_eq!(norm(text).text, "本单位核定人员编制人。");
        let toml =
            crate::config::DEFAULT_TOML.replace("number_cell_labels = [\"人员编制\", ", "number_cell_labels = [");
        assert_ne!(toml, crate::config::DEFAULT_TOML);
        let rules = Rules::from_parts(&toml, crate::config::DEFAULT_REGIONS).unwrap();
        let c = Normalizer::new(&rules.config.normalize)
            .unwrap()
            .normalize("人员编制\n21\n实有人数\n19\n");
        assert_eq!(c.text, "人员编制实有人数19", "the labels come from the config");
        // A cell's digits never run on into a number on the next line.
        assert_eq!(norm("实有人数\n21\n3.5 万元\n").text, "实有人数21\n3.5 万元");
        // Two bare numbers after a label: one is a page number, and which is
        // unknown (人员编制 / 7 / 35 read 7): neither is a cell.
        let c = norm("人员编制\n\n7\n\n35\n\n实有人数\n\n32\n");
        assert_eq!(c.text, "人员编制实有人数32");
        assert_eq!(c.number_cells.len(), 1);
    }

    #[test]
    fn quotation_marks_are_one_pair() {
        let c = norm("‘三公’经费、「三公」经费、『三公』经费与“三公”经费\n");
        assert_eq!(c.text, "“三公”经费、“三公”经费、“三公”经费与“三公”经费");
        assert_eq!(c.original_char(c.text.find("经费与").unwrap_or(0) - 3), Some(17));
    }

    /// A report that writes its full stops '.' or '．' has sentences all
    /// the same; decimals, enumerators (1. 一.) and abbreviations keep theirs.
    #[test]
    fn full_stops_written_as_periods_end_sentences() {
        let c = norm("（3 分）.\n时均衡.自评得分 3 分. \n有待提高．二是\n");
        assert_eq!(c.text, "(3 分)。\n时均衡。自评得分 3 分。\n有待提高。二是");
        assert_eq!(c.original_char(c.text.find("有待提高").unwrap_or(0) + 12), Some(26));
        let c = norm("一.部门概况\n1.资金管理\n支出 12.5 万元,No.1 与 A.B 均为 3.\n");
        assert_eq!(c.text, "一.部门概况\n1.资金管理\n支出 12.5 万元,No.1 与 A.B 均为 3.");
        let c = norm("预决算信息公开.2020 年部门预算\n时均衡\n.自评得分 3 分\n");
        assert_eq!(c.text, "预决算信息公开。2020 年部门预算时均衡。自评得分 3 分");
    }

    /// （1） / 预算编制合理性（5分）。: an enumerator alone on its line heads
    /// the next line's title.
    #[test]
    fn an_enumerator_alone_on_its_line_joins_its_title() {
        let c = norm("一、\n部门概况\n（1）\n\n预算编制合理性（5分）。\n自评得分5分。\n");
        assert_eq!(c.text, "一、部门概况\n(1)预算编制合理性(5分)。\n自评得分5分。");
        assert_eq!(
            c.headings.iter().map(|h| h.title.as_str()).collect::<Vec<_>>(),
            ["部门概况", "预算编制合理性(5分)"]
        );
        // The title ends its line as a heading would: the prose after it is its own.
        let c = norm("3、\n部门整体支出的效果性\n一年来，成效明显。\n");
        assert_eq!(c.text, "3、部门整体支出的效果性\n一年来,成效明显。");
    }

    /// A short line repeated thrice is a running header, unless it ends a
    /// sentence: 分 3 分。 three times is a PDF's broken score statements.
    #[test]
    fn a_repeated_line_that_ends_a_sentence_is_no_running_header() {
        let text = "某某局绩效自评报告\n（1）甲（3 分）\n自评得\n分 3 分。\n某某局绩效自评报告\n（2）乙（3 分）\n自评得\n分 3 分。\n某某局绩效自评报告\n（3）丙（3 分）\n自评得\n分 3 分。\n";
        let c = norm(text);
        assert!(!c.text.contains("某某局"), "{}", c.text);
        assert_eq!(c.text.matches("自评得分 3 分。").count(), 3, "{}", c.text);
    }

    #[test]
    fn a_dropped_bare_number_before_a_figure_joins_nothing_across_it() {
        // 65 is a page number, or the head of 651.17 broken off: neither
        // 收入：1.17 nor 收入：651.17 is sure, so no figure spans the gap.
        let c = norm("收支完成情况。收入：\n\n65\n\n1.17 万元，其中财政拨款收入 651.17 万元。\n");
        assert_eq!(c.text, "收支完成情况。收入:\n1.17 万元,其中财政拨款收入 651.17 万元。");
        // A page number inside prose still goes, and the prose joins across it.
        let c = norm("达到了节约、高\n\n9\n\n效的支出目标。\n");
        assert_eq!(c.text, "达到了节约、高效的支出目标。");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let src = "ａ\n\n收入合计８２３万元";
        let c = norm(src);
        let b = c.text.find("823").unwrap();
        let orig = c.original_char(b).unwrap();
        assert_eq!(src.chars().nth(orig), Some('８'));
        assert_eq!(c.char_index(b), c.text[..b].chars().count());
    }

    #[test]
    fn decimals_are_not_headings() {
        assert_eq!(heading_level("1.5万元"), None);
        assert_eq!(heading_level("0.5 分,最多得 2 分"), None);
        assert_eq!(heading_level("1.2 党建工作"), Some((5, 2)));
        // PDF text spaces its figures: a wrapped amount is not sub-heading 95.36.
        assert_eq!(heading_level("95.36 万元,主要包括"), None);
        assert_eq!(heading_level("2.5 分,最多得 3 分"), None);
        assert_eq!(heading_level("12.50 %"), None);
        assert_eq!(heading_level("2.5 分配制度"), Some((5, 2)));
        assert_eq!(heading_level("123.4"), None);
        assert_eq!(heading_level("(1)预算"), Some((4, 3)));
        assert_eq!(heading_level("十一、问题"), Some((1, 9)));
        assert_eq!(heading_level("(153.52÷164.25)"), None);
    }

    #[test]
    fn traditional_characters_are_simplified_but_names_kept_as_written() {
        let c = norm("利川市財政局2021年度收入合計 2,345.67 萬元");
        assert_eq!(c.text, "利川市财政局2021年度收入合计 2,345.67 万元");
        let end = c.text.find("2021").unwrap();
        assert_eq!(c.as_written(0, end), "利川市財政局");
    }

    /// The per-thread buffers carry nothing from one document into the next.
    #[test]
    fn reused_buffers_give_the_same_text_and_maps() {
        let rules = Rules::bundled().unwrap();
        let n = Normalizer::new(&rules.config.normalize).unwrap();
        let a = "利川市財政局 2021 年度收入合計 2,345.67 萬元。\n\u{000C}第二页（１２３）：\u{3000}内容。\n";
        let b = "短。\n";
        let long = "长段落内容，".repeat(3000);
        let first = n.normalize(a);
        for other in [b, long.as_str(), ""] {
            let _ = n.normalize(other);
            let again = n.normalize(a);
            assert_eq!(again.text, first.text);
            assert_eq!(again.orig_char, first.orig_char);
            assert_eq!(again.char_byte, first.char_byte);
            assert_eq!(again.pages, first.pages);
            assert_eq!(again.as_written, first.as_written);
            assert_eq!(again.headings, first.headings);
        }
        // The maps agree with the text: one entry per char, offsets ascending.
        assert_eq!(first.char_byte.len(), first.text.chars().count());
        let offsets: Vec<u32> = first.text.char_indices().map(|(i, _)| i as u32).collect();
        assert_eq!(first.char_byte, offsets);
        let end = first.text.find(" 2021").unwrap();
        assert_eq!(first.as_written(0, end), "利川市財政局");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// Whatever the mix of spaces, line breaks and scripts: the maps agree
        /// with the text, every kept char points back to a char of the input
        /// that is not a space (a bar made of a tab points to the tab), and no whitespace survives a run, a paragraph's
        /// edge, or a gap between two CJK chars.
        #[test]
        fn whitespace_collapses_and_maps_hold(picks in proptest::collection::vec(0usize..ALPHABET.len(), 0..120)) {
            let input: String = picks.iter().filter_map(|&i| ALPHABET.get(i)).collect();
            let n = Normalizer::new(&Rules::bundled().unwrap().config.normalize).unwrap();
            let clean = n.normalize(&input);
            let input_chars: Vec<char> = input.chars().collect();
            let out: Vec<char> = clean.text.chars().collect();
            let offsets: Vec<u32> = clean.text.char_indices().map(|(i, _)| i as u32).collect();
            proptest::prop_assert_eq!(&clean.char_byte, &offsets);
            proptest::prop_assert_eq!(clean.orig_char.len(), out.len());
            proptest::prop_assert!(clean.orig_char.windows(2).all(|w| w[0] <= w[1]));
            for (k, &c) in out.iter().enumerate() {
                let orig = clean.orig_char[k] as usize;
                proptest::prop_assert!(orig < input_chars.len());
                // (A table row's tab becomes ` | `: its bar points back to the tab.)
                if c != ' ' && c != '\n' && !(c == '|' && input_chars[orig] == '\t') {
                    proptest::prop_assert!(!input_chars[orig].is_whitespace(), "{:?} at {}", c, k);
                }
            }
            for para in clean.text.split('\n') {
                proptest::prop_assert!(!para.starts_with(char::is_whitespace) && !para.ends_with(char::is_whitespace), "{:?}", para);
                proptest::prop_assert!(!para.contains(|c: char| c.is_whitespace() && c != ' '), "{:?}", para);
                proptest::prop_assert!(!para.contains("  "), "{:?}", para);
                let p: Vec<char> = para.chars().collect();
                for w in p.windows(3) {
                    proptest::prop_assert!(!(is_cjk(w[0]) && w[1] == ' ' && is_cjk(w[2])), "{:?}", para);
                }
            }
        }
    }

    const ALPHABET: &[char] = &[
        'a', 'B', '1', ' ', ' ', '\t', '\u{000B}', '\u{3000}', '\u{00A0}', '\u{2003}', '\u{0085}', '\u{1680}', '\n',
        '\r', '\u{000C}', '\u{FEFF}', '\u{200B}', '財', '局', '中', '文', '２', '。', ':', '一', '、', '（', '）',
    ];

    /// The memoised table gives what NFKC gives, char by char.
    #[test]
    fn compat_table_agrees_with_nfkc() {
        let table = CompatTable::new();
        let chars = (0x80u32..0x3400).chain(0xA000..0xD800).chain(0xE000..=0xFFFF);
        for c in chars.filter_map(char::from_u32) {
            let nfkc: Vec<char> = std::iter::once(c).nfkc().collect();
            for _ in 0..2 {
                // First from NFKC, then from the table.
                match table.single(c) {
                    Some(m) => assert_eq!(nfkc, vec![m], "U+{:04X}", c as u32),
                    None => assert!(nfkc.len() != 1 || nfkc == vec!['\0'], "U+{:04X}", c as u32),
                }
            }
        }
    }

    #[test]
    fn page_breaks_give_pages() {
        let c = norm("第一页内容。\u{000C}第二页内容。");
        let b = c.text.find("第二页").unwrap();
        assert_eq!(c.page(b), Some(2));
        assert_eq!(norm("无分页。").page(0), None);
    }
}
