//! A corpus generator for benchmarks and accuracy at scale.
//!
//!     cargo run --release --example gen_corpus -- --n 10000 --out /tmp/corpus/tree [--docx 10 --pdf 5]
//!
//! Builds N reports laid out as `省/市/县/年度/部门.txt` from the five real
//! reports in tests/fixtures/reports: each copy moves to another county of the
//! gazetteer, another year, and has every 万元 amount scaled by one factor (so
//! totals still add up and ratios are unchanged). `--docx P` / `--pdf P` write
//! P percent of the reports as Word documents (a paragraph per line) or PDFs (a
//! text line per line, a page per form feed) instead, with the same text.
//! `--framework P` makes P percent of the reports from the hand-written
//! Jiangxi report of tests/fixtures/general instead, scored under 决策 / 过程 /
//! 产出 / 效益 (default 0: the five seeds only, the benchmark's corpus). The
//! true facts of every file (the gold of its seed, transformed the same way)
//! are written to `truth.json` beside the tree, in the format of
//! tests/fixtures/gold. `tests/seeds_gold.rs` includes this file to score a
//! small mixed corpus against its truth.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::{json, Value};

const MONEY: [&str; 13] = [
    "revenue_total",
    "expenditure_total",
    "expenditure_basic",
    "expenditure_personnel",
    "expenditure_public_use",
    "expenditure_project",
    "budget_initial",
    "three_public_actual",
    "three_public_budget",
    "outbound_travel_actual",
    "vehicle_actual",
    "vehicle_budget",
    "reception_actual",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What to generate: `n` reports under `out`, `docx_percent` and
/// `pdf_percent` of them as .docx and .pdf, `framework_percent` of them from
/// the report scored under 决策 / 过程 / 产出 / 效益.
pub struct Corpus {
    pub n: usize,
    pub out: PathBuf,
    pub docx_percent: usize,
    pub pdf_percent: usize,
    pub framework_percent: usize,
}

/// The hand-written report scored under 决策 / 过程 / 产出 / 效益, and the
/// names in it that a copy replaces (the seeds' are in `generate`).
const FRAMEWORK_FILE: &str = "jiangxi_zhanggong_health_2023_framework.txt";

/// A county's name without its suffix: 乐昌 of 乐昌市, 从化 of 从化区.
fn stem_of(county: &str) -> &str {
    county
        .strip_suffix('市')
        .or_else(|| county.strip_suffix('县'))
        .or_else(|| county.strip_suffix('区'))
        .unwrap_or(county)
}

#[allow(dead_code)] // tests/seeds_gold.rs includes this file and calls `generate` only
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |k: &str| args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).cloned();
    let percent = |k: &str| arg(k).and_then(|v| v.parse().ok()).unwrap_or(0);
    let corpus = Corpus {
        n: arg("--n").and_then(|v| v.parse().ok()).unwrap_or(1000),
        out: PathBuf::from(arg("--out").unwrap_or_else(|| "corpus".into())),
        docx_percent: percent("--docx"),
        pdf_percent: percent("--pdf"),
        framework_percent: percent("--framework"),
    };
    generate(&corpus);
    eprintln!(
        "{} reports in {}; truth in {}",
        corpus.n,
        corpus.out.display(),
        corpus.out.join("../truth.json").display()
    );
}

/// Writes the corpus and its `truth.json` (beside `out`).
pub fn generate(corpus: &Corpus) {
    let (n, out) = (corpus.n, &corpus.out);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let gold: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/fixtures/gold/seeds.json")).expect("gold"))
            .expect("gold json");
    let seeds: Vec<(String, Value)> = gold["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .map(|g| {
            let file = g["file"].as_str().unwrap_or_default();
            let text = std::fs::read_to_string(root.join("tests/fixtures/reports").join(file)).expect("seed");
            (text, g.clone())
        })
        .collect();
    let general: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/gold/general.json")).expect("general gold"),
    )
    .expect("general gold json");
    let framework: (String, Value) = (
        std::fs::read_to_string(root.join("tests/fixtures/general").join(FRAMEWORK_FILE)).expect("framework report"),
        general["reports"]
            .as_array()
            .and_then(|a| a.iter().find(|g| g["file"] == FRAMEWORK_FILE))
            .cloned()
            .expect("the framework report's gold"),
    );
    // Counties of the gazetteer (county, city, province): county-level
    // cities, counties and districts whose name is unique in the gazetteer
    // and keeps a stem of two or more chars without its suffix (乐昌 of
    // 乐昌市 stands in the text on its own), skipping ones without a city.
    let gazetteer = std::fs::read_to_string(root.join("config/regions.tsv")).expect("regions");
    let rows: Vec<Vec<&str>> = gazetteer.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    let mut names: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in &rows {
        if let Some(name) = c.get(2) {
            *names.entry(name).or_default() += 1;
        }
    }
    let regions: Vec<(String, String, String, String)> = rows
        .iter()
        .filter_map(|c| {
            let (code, level, county, province, city) = (c.first()?, c.get(1)?, c.get(2)?, c.get(3)?, c.get(4)?);
            let stem = stem_of(county);
            (*level == "county"
                && !city.is_empty()
                && stem.chars().count() >= 2
                && stem != *county
                && names.get(county) == Some(&1))
            .then(|| {
                (
                    county.to_string(),
                    city.to_string(),
                    province.to_string(),
                    code.to_string(),
                )
            })
        })
        .collect();
    // (Thousands separators, as the framework report writes them, are read
    // and dropped: 6,543.21万元 scales as one figure.)
    let amount = Regex::new(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\s*\n*\s*万\s*\n*\s*元)").expect("regex");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut truth = Vec::with_capacity(n);
    // (seed, county, year, factor) already used: a second copy would be the
    // same bytes, which a run rightly reports as a duplicate, not a report.
    let mut used = std::collections::HashSet::new();
    // (seed, county, year) already used: a department files one report a
    // year, and two copies with other figures would be a department whose
    // files disagree (a `department_year_conflict`, rare in a real corpus).
    // Drawn again while taken; only when the combinations run short (N in
    // the tens of thousands) do copies share one, with another factor.
    let mut department_years = std::collections::HashSet::new();
    for i in 0..n {
        // A fixed permutation of 0..100 picks the framework report, as the format below.
        let from_framework = (i * 53) % 100 < corpus.framework_percent;
        let seed_id = if from_framework { seeds.len() } else { i % seeds.len() };
        let (text, g) = if from_framework {
            (&framework.0, &framework.1)
        } else {
            let (t, g) = &seeds[i % seeds.len()];
            (t, g)
        };
        let (mut region, mut year) = (rng.below(regions.len()), 2019 + rng.below(5) as i64);
        for _ in 0..64 {
            if department_years.insert((seed_id, regions[region].0.clone(), year)) {
                break;
            }
            (region, year) = (rng.below(regions.len()), 2019 + rng.below(5) as i64);
        }
        let (county, city, province, code) = &regions[region];
        let mut permille = rng.below(1000);
        for _ in 0..1000 {
            if used.insert((seed_id, county.clone(), year, permille)) {
                break;
            }
            permille = (permille + 1) % 1000;
        }
        let factor = 0.5 + permille as f64 / 1000.0;
        let old_year = g["fiscal_year"].as_i64().unwrap_or(2023);
        // Scale every 万元 amount; keep two decimals as reports do.
        let scaled = amount.replace_all(text, |c: &regex::Captures| {
            let v: f64 = c[1].replace(',', "").parse().unwrap_or(0.0);
            let d = c[1].split_once('.').map_or(0, |(_, d)| d.len()).max(2);
            format!("{:.*}{}", d, v * factor, &c[2])
        });
        let rename = |t: &str| {
            // Through placeholders, so that 2023→2024 and then 2024→2025 cannot chain.
            t.replace(&old_year.to_string(), "\u{E000}")
                .replace(&(old_year + 1).to_string(), "\u{E001}")
                .replace('\u{E000}', &year.to_string())
                .replace('\u{E001}', &(year + 1).to_string())
                .replace("章贡区", county)
                .replace("章贡", stem_of(county))
                .replace("赣州市", city)
                .replace("江西省", province)
                .replace("乐昌市", county)
                .replace("乐昌", stem_of(county))
                .replace("韶关市", city)
                .replace("韶关", city.trim_end_matches('市'))
                .replace("广州市从化区", county)
                .replace("广州市", city)
                .replace("从化区", county)
                .replace("广东省", province)
        };
        let renamed = rename(&scaled);
        let dept = rename(g["department"].as_str().unwrap_or("部门"));
        // A fixed permutation of 0..100 picks the format, so that every share
        // is spread over the corpus and the text reports are the same as
        // without --docx/--pdf (the random draws above do not change).
        let slot = (i * 37) % 100;
        let ext = if slot < corpus.docx_percent {
            "docx"
        } else if slot < corpus.docx_percent + corpus.pdf_percent {
            "pdf"
        } else {
            "txt"
        };
        let rel = format!("{province}/{city}/{county}/{year}/{dept}_{i:06}.{ext}");
        let path = out.join(&rel);
        match ext {
            "docx" => write(&path, &docx(&renamed)),
            "pdf" => write(&path, &pdf(&renamed)),
            _ => write(&path, renamed.as_bytes()),
        }
        let mut facts = g.clone();
        if let Some(o) = facts.as_object_mut() {
            o.insert("file".into(), json!(format!("{dept}_{i:06}.{ext}")));
            o.insert("match".into(), json!(rel));
            o.insert("department".into(), json!(dept));
            if let Some(alts) = o.get_mut("alternatives").and_then(Value::as_object_mut) {
                alts.retain(|k, _| k == "department");
                if let Some(list) = alts.get_mut("department").and_then(Value::as_array_mut) {
                    for v in list.iter_mut() {
                        *v = json!(rename(v.as_str().unwrap_or_default()));
                    }
                }
            }
            o.insert("province".into(), json!(province));
            o.insert("city".into(), json!(city));
            o.insert("county".into(), json!(county));
            if o.contains_key("region_code") {
                o.insert("region_code".into(), json!(code));
            }
            o.insert("fiscal_year".into(), json!(year));
            for f in MONEY.iter().chain(["reception_budget"].iter()) {
                if let Some(v) = o.get(*f).and_then(Value::as_f64) {
                    // Rounded exactly as the text prints it.
                    let printed: f64 = format!("{:.2}", v * factor).parse().unwrap_or(0.0);
                    o.insert((*f).into(), json!(printed));
                }
            }
            // Figures the generator cannot transform exactly (bare numbers in
            // ratio formulas, sums of rounded parts) are left out of the truth.
            // Indicators stay: their points are not amounts and do not change.
            let derived: Vec<String> = o
                .get("derived")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            for k in derived.iter().map(String::as_str).chain([
                "expenditure_by_function",
                "known_inconsistencies",
                "revenue_parts",
                "three_public_actual",
                "three_public_budget",
                "three_public_ratio",
                "expenditure_public_use",
                "staff_actual",
                "staff_authorized",
                "derived",
            ]) {
                o.remove(k);
            }
        }
        truth.push(facts);
    }
    write(
        &out.join("../truth.json"),
        serde_json::to_string_pretty(&json!({ "reports": truth }))
            .expect("json")
            .as_bytes(),
    );
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, bytes).expect("write");
}

/// A minimal Word package: one paragraph per line of the text.
fn docx(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut body = String::new();
    for line in text.split(['\n', '\u{c}']) {
        let line: String = line.chars().filter(|c| !c.is_control()).collect();
        body.push_str("<w:p><w:r><w:t xml:space=\"preserve\">");
        body.push_str(&line.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"));
        body.push_str("</w:t></w:r></w:p>");
    }
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string(),
        ),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, xml) in parts {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(xml.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

/// A text-only PDF: a page per form feed (and per 60 lines), a text line per
/// line. The font is a Type0 font with CIDs equal to the chars' code points
/// (Identity-H) and a ToUnicode map back, without a font program: readers
/// extract the text without drawing it. Pages are as wide as the longest line,
/// so no line is wrapped.
fn pdf(text: &str) -> Vec<u8> {
    const SIZE: usize = 10;
    let pages: Vec<Vec<&str>> = text
        .split('\u{c}')
        .flat_map(|page| {
            let lines: Vec<&str> = page.lines().collect();
            lines.chunks(60).map(<[&str]>::to_vec).collect::<Vec<_>>()
        })
        .filter(|lines| !lines.is_empty())
        .collect();
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let width = (widest * SIZE + 80).clamp(595, 14_400);
    let height = 60 * (SIZE + 4) + 80;

    // Objects 1..: catalog, page tree, Type0 font, CID font, descriptor, ToUnicode, then a page and its content per page.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages.len()).map(|k| format!("{} 0 R", 7 + 2 * k)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    objects.push(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>"
            .to_vec(),
    );
    objects.push(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /W [32 126 500] /CIDToGIDMap /Identity >>".to_vec());
    objects.push(b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>".to_vec());
    // Code point = CID, mapped back for the chars the text uses (as a real
    // PDF's subset font does; a map of the whole BMP makes readers slow).
    let used: std::collections::BTreeSet<u32> = text
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if u32::from(c) > 0xFFFF { 0xFFFD } else { u32::from(c) })
        .collect();
    let pairs: Vec<String> = used.iter().map(|c| format!("<{c:04X}> <{c:04X}>")).collect();
    let mut cmap = String::from("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for block in pairs.chunks(100) {
        cmap.push_str(&format!(
            "{} beginbfchar\n{}\nendbfchar\n",
            block.len(),
            block.join("\n")
        ));
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    objects.push(stream(cmap.as_bytes()));
    for (k, lines) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                8 + 2 * k
            )
            .into_bytes(),
        );
        let mut content = format!("BT /F1 {SIZE} Tf {} TL 40 {} Td\n", SIZE + 4, height - 40);
        for line in lines {
            content.push('<');
            for c in line.chars().filter(|c| !c.is_control()) {
                let code = u32::from(c);
                content.push_str(&format!("{:04X}", if code > 0xFFFF { 0xFFFD } else { code }));
            }
            content.push_str("> Tj T*\n");
        }
        content.push_str("ET\n");
        objects.push(stream(content.as_bytes()));
    }

    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (k, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", k + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}
