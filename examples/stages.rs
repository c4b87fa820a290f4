//! Per-stage CPU time of the per-report work, one thread, files in memory:
//! what `benches/bench.sh` cannot separate from the disk and the writers.
//! A profiling aid, not a test: it asserts nothing.
//!
//!     cargo run --release --example stages -- DIR [--limit N] [--repeat K]
//!
//! Prints seconds per stage (read = decode and detect, normalize, extract,
//! validate, encode = the cache's JSON) and reports/s of their sum.
use std::path::PathBuf;
use std::time::Instant;

use jixiao::{ingest, Engine, Rules};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut limit = usize::MAX;
    let mut repeat = 1usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--limit" => limit = args.next().and_then(|v| v.parse().ok()).unwrap_or(limit),
            "--repeat" => repeat = args.next().and_then(|v| v.parse().ok()).unwrap_or(repeat),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.ok_or_else(|| anyhow::anyhow!("usage: stages DIR [--limit N] [--repeat K]"))?;
    let engine = Engine::new(Rules::bundled()?)?;
    let cfg = &engine.rules.config;
    let files: Vec<(String, Vec<u8>)> = ingest::walk(&dir)
        .into_iter()
        .take(limit)
        .filter_map(|e| Some((ingest::extension(&e.rel_path), std::fs::read(&e.path).ok()?)))
        .collect();
    let mut secs = [0.0f64; 5];
    let mut facts = 0usize;
    for _ in 0..repeat {
        for (ext, bytes) in &files {
            let t = Instant::now();
            let Ok(doc) = ingest::read_document(&dir, ext, bytes, cfg) else {
                continue;
            };
            secs[0] += t.elapsed().as_secs_f64();
            let (_, f, times) = engine.facts_of_document_timed(doc);
            secs[1] += times.normalize;
            secs[2] += times.extract;
            secs[3] += times.validate;
            let t = Instant::now();
            facts += serde_json::to_string(&f).map(|s| s.len()).unwrap_or(0);
            secs[4] += t.elapsed().as_secs_f64();
        }
    }
    let n = (files.len() * repeat) as f64;
    let total: f64 = secs.iter().sum();
    for (name, s) in ["read", "normalize", "extract", "validate", "encode"].iter().zip(secs) {
        println!("{name:>10} {s:8.3} s  {:5.1}%", 100.0 * s / total.max(1e-9));
    }
    println!(
        "{:>10} {total:8.3} s  {:.0} reports/s one thread ({facts} bytes of JSON)",
        "sum",
        n / total.max(1e-9)
    );
    Ok(())
}
