//! DOCX → text: paragraphs and tables in document order; table cells of a row
//! joined with ` | ` so that `基本支出 | 585.91` reads as one clause. Headers and
//! footers live in other parts of the package and are left out.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// A Word document's text, and its tables as rows of cells.
#[derive(Debug)]
pub struct DocxText {
    pub text: String,
    /// Top-level tables: rows of cell texts, a merged cell (gridSpan) repeated
    /// as empty cells so that columns line up; vertically merged cells are
    /// empty below their first row, as in a workbook.
    pub tables: Vec<Vec<Vec<String>>>,
}

/// Reads `word/document.xml`, refusing more than `max_bytes` decompressed.
pub fn read(bytes: &[u8], max_bytes: u64) -> Result<DocxText, String> {
    let xml = zip_member(bytes, "word/document.xml", max_bytes)?;
    Ok(document(&xml))
}

/// One member of a ZIP archive, with a cap on its decompressed size (zip bombs).
pub fn zip_member(bytes: &[u8], name: &str, max_bytes: u64) -> Result<Vec<u8>, String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a valid ZIP/Office file: {e}"))?;
    let mut file = archive
        .by_name(name)
        .map_err(|_| format!("no {name} in the package (not a Word document?)"))?;
    if file.size() > max_bytes {
        return Err(format!(
            "{name} expands to {} bytes, over formats.max_decompressed_bytes ({max_bytes}): refused",
            file.size()
        ));
    }
    let mut out = Vec::new();
    // The declared size can lie: cap what is actually inflated too.
    (&mut file)
        .take(max_bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot inflate {name}: {e}"))?;
    if out.len() as u64 > max_bytes {
        return Err(format!("{name} inflates past formats.max_decompressed_bytes: refused"));
    }
    Ok(out)
}

/// The visible text of a WordprocessingML body, and its top-level tables.
pub fn document(xml: &[u8]) -> DocxText {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut para = String::new();
    let mut cell = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut in_text = false;
    let mut table_depth = 0usize;
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    // The top-level table's row being read, with empty cells kept, and the
    // columns its current cell spans.
    let mut grid_row: Vec<String> = Vec::new();
    let mut span = 1usize;
    // A malformed part ends the text where it breaks; what came before is kept.
    while let Ok(ev) = reader.read_event_into(&mut buf) {
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tbl" => {
                    table_depth += 1;
                    if table_depth == 1 {
                        tables.push(Vec::new());
                    }
                }
                b"tr" => {
                    row.clear();
                    if table_depth == 1 {
                        grid_row.clear();
                    }
                }
                b"tc" => {
                    cell.clear();
                    if table_depth == 1 {
                        span = 1;
                    }
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => para.push('\t'),
                b"br" | b"cr" => para.push('\n'),
                b"gridSpan" if table_depth == 1 => {
                    span = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"val")
                        .and_then(|a| std::str::from_utf8(&a.value).ok()?.trim().parse::<usize>().ok())
                        // A row wider than Word's 63 columns is not a table to line up.
                        .map_or(1, |n| n.clamp(1, 64));
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Ok(s) = t.decode() {
                    para.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Ok(name) = r.decode() {
                    para.push_str(entity(&name));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    let p = std::mem::take(&mut para);
                    if table_depth > 0 {
                        cell.push_str(p.trim());
                    } else {
                        out.push_str(&p);
                        out.push('\n');
                    }
                }
                b"tc" => {
                    if table_depth == 1 {
                        grid_row.push(cell.clone());
                        grid_row.extend(std::iter::repeat_n(String::new(), span - 1));
                    }
                    row.push(std::mem::take(&mut cell));
                }
                b"tr" => {
                    let cells: Vec<&str> = row.iter().map(|c| c.as_str()).filter(|c| !c.is_empty()).collect();
                    if !cells.is_empty() {
                        out.push_str(&cells.join(" | "));
                        out.push('\n');
                    }
                    row.clear();
                    if table_depth == 1 {
                        if let Some(t) = tables.last_mut() {
                            t.push(std::mem::take(&mut grid_row));
                        }
                    }
                }
                b"tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    tables.retain(|t| !t.is_empty());
    DocxText { text: out, tables }
}

fn entity(name: &str) -> &'static str {
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table's rows keep their columns: a merged cell (gridSpan) stands for
    /// as many cells, a vertically merged one is empty below its first row.
    #[test]
    fn tables_keep_their_columns() {
        let cell = |t: &str| format!("<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>");
        let spanned = |t: &str, n: u8| {
            format!("<w:tc><w:tcPr><w:gridSpan w:val=\"{n}\"/></w:tcPr><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>")
        };
        let merged_on = "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>";
        let xml = format!(
            "<w:document><w:body><w:p><w:r><w:t>前言</w:t></w:r></w:p><w:tbl>\
             <w:tr>{}{}{}</w:tr><w:tr>{}{}{}</w:tr><w:tr>{merged_on}{}{}</w:tr></w:tbl></w:body></w:document>",
            cell("指标"),
            cell("分值"),
            cell("得分"),
            spanned("合计", 2),
            cell("100"),
            cell(""),
            cell("10"),
            cell("9"),
        );
        let d = document(xml.as_bytes());
        assert_eq!(d.text, "前言\n指标 | 分值 | 得分\n合计 | 100\n10 | 9\n");
        let rows: Vec<Vec<&str>> = d.tables[0]
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            rows,
            [
                vec!["指标", "分值", "得分"],
                vec!["合计", "", "100", ""],
                vec!["", "10", "9"]
            ]
        );
    }

    #[test]
    fn paragraphs_and_table_rows_in_order() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>一、基本情况</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>基本支出</w:t></w:r></w:p></w:tc>
                         <w:tc><w:p><w:r><w:t>585.91</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t xml:space="preserve">收入 &amp; 支出</w:t></w:r></w:p>
        </w:body></w:document>"#;
        assert_eq!(
            document(xml.as_bytes()).text,
            "一、基本情况\n基本支出 | 585.91\n收入 & 支出\n"
        );
    }

    #[test]
    fn a_zip_without_a_document_is_an_error() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file::<_, ()>("hello.txt", zip::write::FileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, b"hi").unwrap();
            w.finish().unwrap();
        }
        let err = read(&buf.into_inner(), 1 << 20).unwrap_err();
        assert!(err.contains("word/document.xml"), "{err}");
    }
}
