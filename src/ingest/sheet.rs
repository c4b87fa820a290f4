//! Excel workbooks (xlsx, xls) with calamine. A sheet whose header row names
//! 指标 and 得分 is a scoring table: its rows become indicators. Every sheet
//! also becomes text (cells of a row joined with ` | `) for the extractor, so
//! a workbook that holds both a report and its table is one report.

use std::io::{Cursor, Read, Seek};

use calamine::{open_workbook_auto_from_rs, Data, DataRef, Reader, Sheets};

use crate::config::{Config, ScoreRules};
use crate::extract::contains_any;
use crate::guard::{within_budget, Budget};
use crate::model::{Indicator, TableTotal};

pub struct SheetText {
    pub text: String,
    pub indicators: Vec<Indicator>,
    pub totals: Vec<TableTotal>,
}

/// What a scoring table holds: its indicator rows and its total rows.
pub(crate) struct ScoringTable {
    pub indicators: Vec<Indicator>,
    pub totals: Vec<TableTotal>,
}

pub fn read(bytes: &[u8], cfg: &Config) -> Result<SheetText, String> {
    // calamine expands every sheet of an .xls when it opens the file, and
    // reserves room for the shared strings an .xlsx declares.
    xls_boxes_fit(bytes, cfg.formats.max_sheet_cells)?;
    shared_strings_fit(bytes)?;
    // calamine is third-party code over hostile bytes: it runs on a thread of
    // its own under formats.timeout_seconds, and a panic of it is this file's failure.
    // (It takes what it needs, not a copy of the whole config per workbook.)
    let seconds = cfg.formats.timeout_seconds;
    let (max_cells, max_text) = (cfg.formats.max_sheet_cells, cfg.limits.max_text_bytes);
    let (bytes, score) = (bytes.to_vec(), cfg.score.clone());
    match within_budget("jixiao-sheet", seconds, move || {
        read_sheets(bytes, max_cells, max_text, &score)
    }) {
        Budget::Done(read) => read,
        Budget::Overran => Err(format!(
            "reading the workbook took longer than {seconds} s (formats.timeout_seconds)"
        )),
        Budget::Panicked(why) => Err(format!("not a readable Excel workbook (the reader gave up: {why})")),
        Budget::NotStarted(e) => Err(format!("cannot start the workbook reader: {e}")),
    }
}

fn read_sheets(bytes: Vec<u8>, max_cells: usize, max_text: usize, score: &ScoreRules) -> Result<SheetText, String> {
    let mut wb =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| format!("not a readable Excel workbook: {e}"))?;
    let mut text = String::new();
    let mut indicators = Vec::new();
    let mut totals = Vec::new();
    let names = wb.sheet_names().to_vec();
    for name in names {
        // An unreadable sheet is left out, as before; an oversized one refuses the file.
        let Some(rows) = sheet_rows(&mut wb, &name, max_cells)? else {
            continue;
        };
        if let Some(found) = scoring_table(&rows, score) {
            indicators.extend(found.indicators);
            totals.extend(found.totals);
        }
        push_rows(&mut text, &rows);
        text.push('\u{000C}');
        // Many sheets within the cell cap each could still add up to gigabytes.
        if text.len() > max_text {
            return Err(format!(
                "the sheets hold more than {max_text} bytes of text, longer than one report can be (limits.max_text_bytes)"
            ));
        }
    }
    if text.trim_matches(['\u{000C}', '\n', ' ']).is_empty() {
        return Err("no usable sheet: the workbook has no text or numbers".into());
    }
    Ok(SheetText {
        text,
        indicators,
        totals,
    })
}

/// A delimited table (CSV, TSV) that is a scoring table, as one sheet: its
/// rows as text, its indicators and totals. `None` for any other table (a
/// file list, a data dump): such a file is no report. Quoted cells may hold
/// the delimiter and line breaks; rows may differ in length.
pub fn delimited(text: &str, delimiter: u8, cfg: &Config) -> Result<Option<SheetText>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let max_cells = cfg.formats.max_sheet_cells;
    let (mut rows, mut cells) = (Vec::new(), 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| format!("not a readable delimited table: {e}"))?;
        cells = cells.saturating_add(record.len());
        if cells > max_cells {
            return Err(format!(
                "the table has more than {max_cells} cells (formats.max_sheet_cells)"
            ));
        }
        rows.push(record.iter().map(str::to_string).collect::<Vec<String>>());
    }
    let Some(found) = scoring_table(&rows, &cfg.score) else {
        return Ok(None);
    };
    let mut out = String::with_capacity(text.len());
    push_rows(&mut out, &rows);
    Ok(Some(SheetText {
        text: out,
        indicators: found.indicators,
        totals: found.totals,
    }))
}

fn over_the_cap(name: &str, h: usize, w: usize, max_cells: usize) -> String {
    format!("sheet {name} has {h} × {w} cells, over formats.max_sheet_cells ({max_cells})")
}

/// A sheet as rows of cell texts over the box its non-empty cells span (the
/// shape of calamine's `worksheet_range`); `None` for a sheet calamine cannot
/// read. An .xlsx sheet is streamed and its box checked before any row is
/// built: `worksheet_range` allocates the whole box first, so two cells at A1
/// and XFD1048576 (a 5 KB file) would take hundreds of GB and the process with
/// them (calamine issue 693). (calamine expands an .xls when it opens it.)
fn sheet_rows<RS: Read + Seek>(
    wb: &mut Sheets<RS>,
    name: &str,
    max_cells: usize,
) -> Result<Option<Vec<Vec<String>>>, String> {
    let Sheets::Xlsx(xlsx) = wb else {
        let Ok(range) = wb.worksheet_range(name) else {
            return Ok(None);
        };
        let (h, w) = range.get_size();
        if h.saturating_mul(w) > max_cells {
            return Err(over_the_cap(name, h, w, max_cells));
        }
        return Ok(Some(range.rows().map(|r| r.iter().map(cell_text).collect()).collect()));
    };
    let Ok(mut reader) = xlsx.worksheet_cells_reader(name) else {
        return Ok(None);
    };
    let mut cells: Vec<((u32, u32), String)> = Vec::new();
    let (mut top, mut left, mut bottom, mut right) = (u32::MAX, u32::MAX, 0u32, 0u32);
    loop {
        match reader.next_cell() {
            Ok(Some(cell)) => {
                let (pos, val) = (cell.get_position(), cell.get_value());
                if matches!(val, DataRef::Empty) {
                    continue;
                }
                (top, left) = (top.min(pos.0), left.min(pos.1));
                (bottom, right) = (bottom.max(pos.0), right.max(pos.1));
                let (h, w) = ((bottom - top) as usize + 1, (right - left) as usize + 1);
                if h.saturating_mul(w) > max_cells {
                    return Err(over_the_cap(name, h, w, max_cells));
                }
                cells.push((pos, cell_text(&Data::from(val.clone()))));
            }
            Ok(None) => break,
            Err(_) => return Ok(None),
        }
    }
    if cells.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let (h, w) = ((bottom - top) as usize + 1, (right - left) as usize + 1);
    let mut rows = vec![vec![String::new(); w]; h];
    for ((r, c), text) in cells {
        if let Some(slot) = rows
            .get_mut((r - top) as usize)
            .and_then(|row| row.get_mut((c - left) as usize))
        {
            *slot = text;
        }
    }
    Ok(Some(rows))
}

/// Refuses an .xlsx whose shared-strings part declares more strings
/// (`uniqueCount`) than its bytes can hold (an entry takes at least `<si/>`):
/// calamine reserves room for the declared count when it opens the file, so
/// `uniqueCount="100000000000"` asked for 2.4 TB and aborted the process.
/// Not a ZIP: `Ok` (calamine says what it is).
fn shared_strings_fit(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else { continue };
        if !part
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        {
            continue;
        }
        let size = part.size();
        // The count is an attribute of the first element.
        let mut head = Vec::new();
        if part.take(64 << 10).read_to_end(&mut head).is_err() {
            continue;
        }
        let Some(declared) = unique_count(&head) else { continue };
        let room = size / 5 + 1;
        if declared > room {
            return Err(format!(
                "its shared strings declare {declared} entries, more than their {size} bytes can hold: refused"
            ));
        }
    }
    Ok(())
}

/// The `uniqueCount` attribute of the first element of an XML head, read by
/// an XML parser as calamine reads it (`uniqueCount = '5'` counts too).
fn unique_count(head: &[u8]) -> Option<u64> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => {
                let attr = e.try_get_attribute("uniqueCount").ok()??;
                return std::str::from_utf8(&attr.value).ok()?.trim().parse().ok();
            }
            Event::Eof => return None,
            _ => buf.clear(),
        }
    }
}

/// Refuses an .xls (a compound file holding a `Workbook` or `Book` stream)
/// whose sheets declare or hold a box of cells over `max_cells`, before
/// calamine opens it: calamine makes each sheet a dense grid over that box when
/// it opens the file (and reserves room for the declared box), so a 6 KB file
/// with one cell at column 65535 asks for 137 GB and aborts the process.
/// The records are walked as calamine walks them (each sheet from the position
/// its BOUNDSHEET record gives, nested substreams skipped); anything this walk
/// cannot read within the file's own size is refused here too: calamine
/// follows a sector chain until the stream's declared length, so a chain that
/// loops back on itself under a 2 GB length grew the process by 4 GB.
/// Not a compound file: `Ok` (calamine says what it is).
fn xls_boxes_fit(bytes: &[u8], max_cells: usize) -> Result<(), String> {
    const COMPOUND_FILE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if !bytes.starts_with(&COMPOUND_FILE) {
        return Ok(());
    }
    let unreadable = |why: String| format!("not a readable .xls: {why}");
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let s = cfb
        .open_stream("/Workbook")
        .or_else(|_| cfb.open_stream("/Book"))
        .map_err(|_| unreadable("no Workbook stream".into()))?;
    if s.len() > bytes.len() as u64 {
        return Err(unreadable(format!(
            "its Workbook stream claims {} bytes in a file of {}",
            s.len(),
            bytes.len()
        )));
    }
    let mut stream = Vec::new();
    s.take(bytes.len() as u64)
        .read_to_end(&mut stream)
        .map_err(|e| unreadable(e.to_string()))?;
    let u16_at = |d: &[u8], i: usize| d.get(i..i + 2).map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])));
    let u32_at = |d: &[u8], i: usize| d.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let records = |from: usize| {
        let mut rest = stream.get(from..).unwrap_or_default();
        std::iter::from_fn(move || {
            let typ = u16_at(rest, 0)?;
            let len = u16_at(rest, 2)? as usize;
            let data = rest.get(4..4 + len)?;
            rest = rest.get(4 + len..)?;
            Some((typ, data))
        })
    };
    // Sheet positions, from the workbook globals (up to their EOF).
    let sheets: Vec<usize> = records(0)
        .take_while(|&(typ, _)| typ != 0x000A)
        .filter(|&(typ, _)| typ == 0x0085)
        .filter_map(|(_, d)| u32_at(d, 0).map(|p| p as usize))
        .collect();
    let too_big = |rows: u64, cols: u64| rows.saturating_mul(cols) > max_cells as u64;
    for pos in sheets {
        let (mut top, mut left, mut bottom, mut right) = (u32::MAX, u32::MAX, 0u32, 0u32);
        let (mut seen_bof, mut depth) = (false, 0usize);
        for (typ, d) in records(pos) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let cell = match typ {
                0x0809 if seen_bof => {
                    depth += 1;
                    None
                }
                0x0809 => {
                    seen_bof = true;
                    None
                }
                0x000A => break,
                // DIMENSIONS: calamine reserves room for the box it declares.
                0x0200 => {
                    let (rf, rl, cf, cl) = match d.len() {
                        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
                        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
                        _ => (None, None, None, None),
                    };
                    if let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) {
                        let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                        let rows = u64::from(rl.wrapping_sub(rf));
                        let cols = u64::from(cl.wrapping_sub(cf));
                        if rl >= 1 && cl >= 1 && too_big(rows, cols) {
                            return Err(format!(
                                "a sheet declares {rows} × {cols} cells, over formats.max_sheet_cells ({max_cells})"
                            ));
                        }
                    }
                    None
                }
                // Cells: NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA at (row, col).
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    u16_at(d, 0).zip(u16_at(d, 2)).map(|(r, c)| (r, c, c))
                }
                // MULRK: a row of cells from one column to another.
                0x00BD if d.len() >= 6 => u16_at(d, 0)
                    .zip(u16_at(d, 2))
                    .zip(u16_at(d, d.len() - 2))
                    .map(|((r, a), b)| (r, a, b)),
                _ => None,
            };
            if let Some((r, c0, c1)) = cell {
                (top, bottom) = (top.min(r), bottom.max(r));
                (left, right) = (left.min(c0.min(c1)), right.max(c0.max(c1)));
                let (rows, cols) = (u64::from(bottom - top) + 1, u64::from(right - left) + 1);
                if too_big(rows, cols) {
                    return Err(format!(
                        "a sheet has {rows} × {cols} cells, over formats.max_sheet_cells ({max_cells})"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => crate::model::format_num(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        // A formula whose cached value is an error: nothing to read.
        Data::Error(_) => String::new(),
    }
}

/// Rows of a scoring table (指标 / 分值 / 得分), if the sheet is one.
pub(crate) fn scoring_table(rows: &[Vec<String>], s: &ScoreRules) -> Option<ScoringTable> {
    let header_idx = rows.iter().take(8).position(|r| {
        r.iter().any(|c| contains_any(c, &s.table_indicator_words))
            && r.iter().any(|c| contains_any(c, &s.table_score_words))
    })?;
    let header = rows.get(header_idx)?;
    // 上年得分 beside 得分 is last year's column, not the score's.
    let score_col = header
        .iter()
        .rposition(|c| contains_any(c, &s.table_score_words) && !contains_any(c, &s.table_not_score_words))?;
    let max_col = header.iter().position(|c| contains_any(c, &s.table_max_words));
    let name_cols: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, c)| contains_any(c, &s.table_indicator_words) && !contains_any(c, &s.table_not_name_words))
        .map(|(i, _)| i)
        .collect();
    if name_cols.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut totals = Vec::new();
    // Merged cells are empty below their first row: carry the upper levels down.
    let mut carried: Vec<String> = vec![String::new(); name_cols.len()];
    for r in rows.iter().skip(header_idx + 1) {
        for (k, &c) in name_cols.iter().enumerate() {
            let v = r.get(c).map(|s| s.trim()).unwrap_or("");
            if !v.is_empty() {
                carried[k] = v.to_string();
                for deeper in carried.iter_mut().skip(k + 1) {
                    deeper.clear();
                }
            }
        }
        let Some(score) = r.get(score_col).and_then(|s| s.trim().parse::<f64>().ok()) else {
            continue;
        };
        let Some(name) = carried.iter().rev().find(|s| !s.is_empty()).cloned() else {
            continue;
        };
        let max = max_col
            .and_then(|c| r.get(c))
            .and_then(|s| s.trim().parse::<f64>().ok());
        if contains_any(&name, &s.table_total_words) {
            totals.push(TableTotal {
                score,
                max_score: max,
                row: row_line(r),
            });
            continue;
        }
        let configured = |level: &String| {
            s.sections
                .iter()
                .find(|s| s.keywords.iter().any(|k| level.contains(k.as_str())))
                .map(|s| s.title.clone())
        };
        // The top level names the section. One of another scheme (决策, 过程,
        // 产出, 效益) is kept as written: a lower level's words (过程 › 预算执行率)
        // must not file it under a configured section it is not.
        let top = carried.first().filter(|t| !t.is_empty() && name_cols.len() > 1);
        let section = match top {
            Some(t) => configured(t).unwrap_or_else(|| t.clone()),
            None => carried
                .iter()
                .chain(std::iter::once(&name))
                .find_map(configured)
                .unwrap_or_default(),
        };
        let parent = carried.iter().rev().filter(|s| !s.is_empty()).nth(1).cloned();
        out.push(Indicator {
            section,
            indicator: name,
            max_score: max,
            score: Some(score),
            parent,
            rule: "indicator:table".into(),
            snippet: row_line(r),
            char_start: -1,
            char_end: -1,
        });
    }
    (!out.is_empty()).then_some(ScoringTable {
        indicators: out,
        totals,
    })
}

/// A sheet's rows as the document's text: a line per row that has a cell.
fn push_rows(text: &mut String, rows: &[Vec<String>]) {
    for r in rows {
        let line = row_line(r);
        if !line.is_empty() {
            text.push_str(&line);
            text.push('\n');
        }
    }
}

/// A row as the document's text has it: its non-empty cells, trimmed, joined with ` | `.
pub(crate) fn row_line(r: &[String]) -> String {
    r.iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_count_is_read_from_the_head() {
        assert_eq!(
            unique_count(br#"<sst xmlns="x" count="11" uniqueCount="11"><si>"#),
            Some(11)
        );
        assert_eq!(unique_count(b"<sst uniqueCount='7'>"), Some(7));
        assert_eq!(unique_count(b"<sst count=\"3\">"), None);
        assert_eq!(unique_count(b"<sst uniqueCount=\"x\">"), None);
        // Spaces around `=` are XML too, and calamine's reader takes them.
        assert_eq!(
            unique_count(b"<?xml version=\"1.0\"?><sst uniqueCount = \"100000000000\">"),
            Some(100_000_000_000)
        );
    }

    /// A short BoundSheet8 record (2 bytes where calamine reads 6) makes
    /// calamine index past it when it opens the file: the file fails, saying
    /// so, and the caller's thread goes on.
    #[test]
    fn a_calamine_panic_is_the_files_failure() {
        use std::io::Write;
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let xls = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/formats/xls/scoring_table.xls"
        ))
        .unwrap();
        assert!(read(&xls, &cfg).is_ok(), "the fixture reads");
        let mut file = cfb::CompoundFile::open(Cursor::new(xls)).unwrap();
        let mut stream = Vec::new();
        file.open_stream("/Workbook").unwrap().read_to_end(&mut stream).unwrap();
        // After the globals' BOF (a 4-byte header and 16 bytes): BoundSheet8 of
        // length 2; the sheets' own BoundSheet8 records move their positions by its 6 bytes.
        assert_eq!(stream.get(..2), Some(&[0x09, 0x08][..]));
        let mut at = 0;
        while let Some(&[t0, t1, l0, l1]) = stream.get(at..at + 4) {
            let (typ, len) = (u16::from_le_bytes([t0, t1]), usize::from(u16::from_le_bytes([l0, l1])));
            if typ == 0x0085 {
                let pos = stream.get_mut(at + 4..at + 8).unwrap();
                let moved = u32::from_le_bytes([pos[0], pos[1], pos[2], pos[3]]) + 6;
                pos.copy_from_slice(&moved.to_le_bytes());
            }
            if typ == 0x000A {
                break;
            }
            at += 4 + len;
        }
        stream.splice(20..20, [0x85, 0x00, 0x02, 0x00, 0x00, 0x00]);
        file.create_stream("/Workbook").unwrap().write_all(&stream).unwrap();
        file.flush().unwrap();
        let broken = file.into_inner().into_inner();
        let err = read(&broken, &cfg).err().expect("a failure");
        assert!(
            err.starts_with("not a readable Excel workbook (the reader gave up: "),
            "{err}"
        );
    }

    #[test]
    fn sheets_stop_once_their_text_passes_one_report() {
        let mut cfg = crate::config::Rules::bundled().unwrap().config;
        let mut wb = rust_xlsxwriter::Workbook::new();
        for _ in 0..3 {
            let ws = wb.add_worksheet();
            for r in 0..50u32 {
                ws.write_string(r, 0, "收入合计 585.91 万元，支出合计 823.55 万元")
                    .unwrap();
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        assert!(read(&bytes, &cfg).is_ok());
        cfg.limits.max_text_bytes = 4000; // between one sheet (~2.9 KB) and three
        let err = read(&bytes, &cfg).err().unwrap();
        assert!(err.contains("max_text_bytes"), "{err}");
    }

    #[test]
    fn scoring_table_rows_become_indicators() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows = vec![
            t(&["部门整体支出绩效自评表", "", "", "", ""]),
            t(&["一级指标", "二级指标", "三级指标", "分值", "得分"]),
            t(&["预算编制情况", "预算编制", "预算编制合理性", "5", "5"]),
            t(&["", "", "预算编制规范性", "5", "4.5"]),
            t(&["预算执行情况", "资金管理", "部门预算资金支出率", "3", "3"]),
            t(&["合计", "", "", "100", "95"]),
        ];
        let got = scoring_table(&rows, &cfg.score).unwrap();
        let total = TableTotal {
            score: 95.0,
            max_score: Some(100.0),
            row: "合计 | 100 | 95".into(),
        };
        assert_eq!(got.totals, [total]);
        let simple: Vec<(&str, &str, Option<f64>, Option<f64>)> = got
            .indicators
            .iter()
            .map(|i| (i.section.as_str(), i.indicator.as_str(), i.max_score, i.score))
            .collect();
        assert_eq!(
            simple,
            vec![
                ("预算编制情况", "预算编制合理性", Some(5.0), Some(5.0)),
                ("预算编制情况", "预算编制规范性", Some(5.0), Some(4.5)),
                ("预算执行情况", "部门预算资金支出率", Some(3.0), Some(3.0)),
            ]
        );
    }

    /// A column of last year's scores (上年得分) beside this year's, before
    /// or after it, is not the score column.
    #[test]
    fn last_years_score_column_is_not_the_score() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for (header, row) in [
            (["指标", "分值", "得分", "上年得分"], ["目标设置", "5", "4", "5"]),
            (["指标", "分值", "上年得分", "得分"], ["目标设置", "5", "5", "4"]),
        ] {
            let got = scoring_table(&[t(&header), t(&row)], &cfg.score).unwrap();
            let scores: Vec<Option<f64>> = got.indicators.iter().map(|i| i.score).collect();
            assert_eq!(scores, [Some(4.0)], "{header:?}");
        }
    }

    /// A top level of another scheme is the section as written, whatever
    /// words its indicators share with a configured section.
    #[test]
    fn a_top_level_of_another_scheme_is_its_own_section() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows = vec![
            t(&["一级指标", "二级指标", "三级指标", "分值", "得分"]),
            t(&["过程", "资金管理", "预算执行率", "10", "9.5"]),
            t(&["预算编制情况(28分)", "预算编制", "预算编制合理性", "5", "5"]),
        ];
        let got = scoring_table(&rows, &cfg.score).unwrap();
        let sections: Vec<&str> = got.indicators.iter().map(|i| i.section.as_str()).collect();
        assert_eq!(sections, ["过程", "预算编制情况"]);
    }

    /// A scoring table saved as CSV: quoted cells keep their commas and line
    /// breaks, short rows are fine, and its 合计 row is the total.
    #[test]
    fn a_csv_scoring_table_is_read_as_a_sheet() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let text = "乐昌市财政局2023年度部门整体支出绩效自评表\n\
                    一级指标,二级指标,三级指标,分值,得分\n\
                    预算编制情况,预算编制,\"预算编制合理性,规范性\",10,9\n\
                    ,,\"绩效目标\n明确性\",5,5\n\
                    合计,,,100,93\n";
        let s = delimited(text, b',', &cfg).unwrap().expect("a scoring table");
        let got: Vec<(&str, Option<f64>)> = s.indicators.iter().map(|i| (i.indicator.as_str(), i.score)).collect();
        assert_eq!(
            got,
            [("预算编制合理性,规范性", Some(9.0)), ("绩效目标\n明确性", Some(5.0))]
        );
        assert_eq!(
            s.totals.first().map(|t| (t.score, t.row.as_str())),
            Some((93.0, "合计 | 100 | 93"))
        );
        assert!(
            s.text
                .starts_with("乐昌市财政局2023年度部门整体支出绩效自评表\n一级指标 | 二级指标"),
            "{}",
            s.text
        );
        // A TSV the same, split at tabs; a table that is no scoring table (a
        // file list) or an empty one is no report.
        let tsv = text.replace(',', "\t");
        assert!(delimited(&tsv, b'\t', &cfg).is_ok_and(|s| s.is_some_and(|s| s.indicators.len() == 2)));
        let list = "file\tpath\n上海市普陀区财政局2024年度部门决算.pdf\tX/a.pdf\n";
        assert!(matches!(delimited(list, b'\t', &cfg), Ok(None)));
        assert!(matches!(delimited(",,\n,,\n", b',', &cfg), Ok(None)));
    }

    #[test]
    fn a_table_with_other_header_words_is_read_when_the_config_names_them() {
        let mut cfg = crate::config::Rules::bundled().unwrap().config;
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows = vec![
            t(&["考核项目", "考核内容", "标准分", "评分"]),
            t(&["预算编制情况", "预算编制合理性", "5", "4"]),
            t(&["总计", "", "100", "96"]),
        ];
        assert!(scoring_table(&rows, &cfg.score).is_none());
        cfg.score.table_indicator_words.push("考核".into());
        cfg.score.table_score_words.push("评分".into());
        cfg.score.table_total_words.push("总计".into());
        let got = scoring_table(&rows, &cfg.score).unwrap();
        let simple: Vec<(&str, Option<f64>, Option<f64>)> = got
            .indicators
            .iter()
            .map(|i| (i.indicator.as_str(), i.max_score, i.score))
            .collect();
        assert_eq!(simple, vec![("预算编制合理性", Some(5.0), Some(4.0))]);
        assert_eq!(
            got.totals.first().map(|t| t.score),
            Some(96.0),
            "总计 is a total word now"
        );
    }
}
