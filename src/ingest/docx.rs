//! DOCX → text: paragraphs and tables in document order; table cells of a row
//! joined with ` | ` so that `基本支出 | 585.91` reads as one clause. Headers and
//! footers live in other parts of the package and are left out.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// Reads `word/document.xml`, refusing more than `max_bytes` decompressed.
pub fn read(bytes: &[u8], max_bytes: u64) -> Result<String, String> {
    let xml = zip_member(bytes, "word/document.xml", max_bytes)?;
    Ok(document_text(&xml))
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

/// The visible text of a WordprocessingML body.
pub fn document_text(xml: &[u8]) -> String {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut para = String::new();
    let mut cell = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut in_text = false;
    let mut table_depth = 0usize;
    // A malformed part ends the text where it breaks; what came before is kept.
    while let Ok(ev) = reader.read_event_into(&mut buf) {
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tbl" => table_depth += 1,
                b"tr" => row.clear(),
                b"tc" => cell.clear(),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => para.push('\t'),
                b"br" | b"cr" => para.push('\n'),
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
                b"tc" => row.push(std::mem::take(&mut cell)),
                b"tr" => {
                    let cells: Vec<&str> = row.iter().map(|c| c.as_str()).filter(|c| !c.is_empty()).collect();
                    if !cells.is_empty() {
                        out.push_str(&cells.join(" | "));
                        out.push('\n');
                    }
                    row.clear();
                }
                b"tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
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

    #[test]
    fn paragraphs_and_table_rows_in_order() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>一、基本情况</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>基本支出</w:t></w:r></w:p></w:tc>
                         <w:tc><w:p><w:r><w:t>585.91</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t xml:space="preserve">收入 &amp; 支出</w:t></w:r></w:p>
        </w:body></w:document>"#;
        assert_eq!(
            document_text(xml.as_bytes()),
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
