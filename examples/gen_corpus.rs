//! A corpus generator for benchmarks and accuracy at scale.
//!
//!     cargo run --release --example gen_corpus -- --n 10000 --out /tmp/corpus
//!
//! Builds N reports laid out as `省/市/县/年度/部门.txt` from the five real
//! reports in tests/fixtures/reports: each copy moves to another county of the
//! gazetteer, another year, and has every 万元 amount scaled by one factor (so
//! totals still add up and ratios are unchanged). The true facts of every file
//! (the gold of its seed, transformed the same way) are written to
//! `truth.json` beside the tree, in the format of tests/fixtures/gold.

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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |k: &str| args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).cloned();
    let n: usize = arg("--n").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let out = PathBuf::from(arg("--out").unwrap_or_else(|| "corpus".into()));
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
    // Counties of the gazetteer (code, county, city, province), skipping ones without a city.
    let regions: Vec<(String, String, String)> = std::fs::read_to_string(root.join("config/regions.tsv"))
        .expect("regions")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.get(1) == Some(&"county") && c.get(4).is_some_and(|s| !s.is_empty()) && c[2].ends_with('市'))
                .then(|| (c[2].to_string(), c[4].to_string(), c[3].to_string()))
        })
        .collect();
    let amount = Regex::new(r"(\d+(?:\.\d+)?)(\s*\n*\s*万\s*\n*\s*元)").expect("regex");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut truth = Vec::with_capacity(n);
    for i in 0..n {
        let (text, g) = &seeds[i % seeds.len()];
        let (county, city, province) = &regions[rng.below(regions.len())];
        let year = 2019 + rng.below(5) as i64;
        let factor = 0.5 + rng.below(1000) as f64 / 1000.0;
        let old_year = g["fiscal_year"].as_i64().unwrap_or(2023);
        // Scale every 万元 amount; keep two decimals as reports do.
        let scaled = amount.replace_all(text, |c: &regex::Captures| {
            let v: f64 = c[1].parse().unwrap_or(0.0);
            let d = c[1].split_once('.').map_or(0, |(_, d)| d.len()).max(2);
            format!("{:.*}{}", d, v * factor, &c[2])
        });
        let rename = |t: &str| {
            // Through placeholders, so that 2023→2024 and then 2024→2025 cannot chain.
            t.replace(&old_year.to_string(), "\u{E000}")
                .replace(&(old_year + 1).to_string(), "\u{E001}")
                .replace('\u{E000}', &year.to_string())
                .replace('\u{E001}', &(year + 1).to_string())
                .replace("乐昌市", county)
                .replace("乐昌", county.trim_end_matches('市'))
                .replace("韶关市", city)
                .replace("韶关", city.trim_end_matches('市'))
                .replace("广州市从化区", county)
                .replace("广州市", city)
                .replace("从化区", county)
                .replace("广东省", province)
        };
        let renamed = rename(&scaled);
        let dept = rename(g["department"].as_str().unwrap_or("部门"));
        let rel = format!("{province}/{city}/{county}/{year}/{dept}_{i:06}.txt");
        let path = out.join(&rel);
        write(&path, &renamed);
        let mut facts = g.clone();
        if let Some(o) = facts.as_object_mut() {
            o.insert("file".into(), json!(format!("{dept}_{i:06}.txt")));
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
            let derived: Vec<String> = o
                .get("derived")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            for k in derived.iter().map(String::as_str).chain([
                "expenditure_by_function",
                "indicators",
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
        &serde_json::to_string_pretty(&json!({ "reports": truth })).expect("json"),
    );
    eprintln!(
        "{n} reports in {}; truth in {}",
        out.display(),
        out.join("../truth.json").display()
    );
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}
