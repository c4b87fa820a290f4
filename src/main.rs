//! The `jixiao` command: parses the CLI and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use std::io::Write;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use jixiao::model::Field;
use jixiao::{Engine, Rules, RunOptions};

// Per-file work allocates many small strings and vectors on every worker
// thread; mimalloc's thread-local heaps cut the allocator's share of a run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keeps freed memory in the allocator instead of handing it back to the OS,
/// in small pages.
///
/// Each batch frees and allocates the same few hundred MiB again; returned
/// pages come back as fresh (huge) pages the kernel must zero first, which cost
/// ~23,000 page faults and a tenth of the CPU per 10,000 reports. The memory
/// held is bounded by one batch's peak, not by the corpus.
///
/// Transparent huge pages are refused too: mimalloc advises them on its
/// arenas, and each first touch of one makes the kernel zero 2 MiB, much of
/// which a batch never uses (10,000 reports, `--jobs 2`, three runs each:
/// system time 1.34–1.41 s → 0.62–0.72 s, peak RSS ~395 → ~300 MiB).
/// `MIMALLOC_PURGE_DELAY` or `MIMALLOC_ALLOW_THP` in the environment still win.
fn keep_freed_memory() {
    // mimalloc v3's `mi_option_purge_delay` (include/mimalloc.h): -1 = never purge.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option in mimalloc's option table, before
        // any other thread of this process exists.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    }
    // mimalloc's own `allow_thp` option is read when its first arena is
    // mapped, before `main`; so the process asks the kernel directly, as
    // mimalloc does for MIMALLOC_ALLOW_THP=0. (The converters jixiao starts,
    // pdftotext and LibreOffice, inherit the flag; it only changes their speed.)
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: prctl with integer arguments only; it sets a flag of this
        // process and touches no memory of ours. A failure only costs speed.
        let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// Extract the facts of 部门整体支出绩效自评报告 into Parquet and a workbook.
#[derive(Parser)]
#[command(name = "jixiao", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Walk a folder of reports and write the outputs.
    Run {
        /// Folder of reports (default: the bundled sample reports).
        input: Option<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Rules file (default: the bundled config/default.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Worker threads (default: all cores). Beside them run the writers
        /// (Parquet and the cache; the workbook, on two threads) and four
        /// read-ahead threads that mostly wait for the disk.
        #[arg(long)]
        jobs: Option<usize>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// Write into an output folder that holds files jixiao did not write.
        #[arg(long)]
        force: bool,
        /// Rows per workbook sheet (the Parquet files always hold every row).
        #[arg(long, default_value_t = 1_000_000)]
        xlsx_max_rows: u32,
        /// Process only share K of N of the walk (e.g. 2/4), by a hash of the path.
        #[arg(long, value_parser = parse_shard)]
        shard: Option<(u32, u32)>,
        /// Read every file again instead of reusing the previous run's facts
        /// for unchanged files (the cache is still rewritten for the next run).
        #[arg(long)]
        no_cache: bool,
        /// Write hive-style folders, e.g. `fiscal_year,province` →
        /// reports/fiscal_year=2023/province=广东省/part-K-of-N.parquet.
        #[arg(long, value_delimiter = ',')]
        partition_by: Vec<String>,
    },
    /// Print one report's facts, each with the sentence it came from.
    Extract {
        file: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Print the normalised text (one paragraph per line) instead.
        #[arg(long)]
        text: bool,
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// `K/N` with 1 ≤ K ≤ N.
fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, e.g. 2/4")?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| "K is not a number")?,
        n.trim().parse().map_err(|_| "N is not a number")?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(format!("shard {k}/{n}: need 1 ≤ K ≤ N"));
    }
    Ok((k, n))
}

/// The bundled sample corpus, found from the crate root or the current folder.
fn default_input() -> PathBuf {
    let rel = PathBuf::from("tests/fixtures/reports");
    if rel.is_dir() {
        return rel;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn load_rules(config: Option<&PathBuf>) -> Result<Rules> {
    Ok(match config {
        Some(p) => Rules::from_file(p).with_context(|| format!("loading rules from {}", p.display()))?,
        None => Rules::bundled().context("loading the bundled rules")?,
    })
}

fn main() -> ExitCode {
    keep_freed_memory();
    // A reader's panic over a broken file is that file's `failed` row, not stderr noise.
    jixiao::guard::quiet_caught_panics();
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        // `jixiao extract … | head`: the reader left; nothing went wrong here.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("jixiao: {e:#}");
            // 130: the shell's code for a command stopped by Ctrl-C.
            match e.downcast_ref::<jixiao::pipeline::RunError>() {
                Some(jixiao::pipeline::RunError::Interrupted) => ExitCode::from(130),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn real_main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            input,
            out,
            config,
            jobs,
            quiet,
            force,
            xlsx_max_rows,
            shard,
            no_cache,
            partition_by,
        } => {
            let rules = load_rules(config.as_ref())?;
            let stop = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&stop);
            // First Ctrl-C: finish the files in hand, write nothing, clean up.
            // Second: quit at once (the next run removes the temporaries).
            let _ = ctrlc::set_handler(move || {
                if flag.swap(true, Ordering::SeqCst) {
                    std::process::exit(130);
                }
                eprintln!("jixiao: stopping; the previous outputs stay as they are (Ctrl-C again to quit at once)");
            });
            let opts = RunOptions {
                stop,
                jobs,
                force,
                xlsx_max_rows,
                progress: !quiet,
                shard,
                use_cache: !no_cache,
                partition_by,
                ..RunOptions::new(input.unwrap_or_else(default_input), out)
            };
            let (summary, _) = jixiao::run(rules, &opts).context("the run could not complete")?;
            if !quiet {
                println!("{summary}");
                println!("outputs in {}", opts.out.display());
            }
            Ok(())
        }
        Command::Extract {
            file,
            json,
            text,
            config,
        } => {
            let rules = load_rules(config.as_ref())?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let ext = jixiao::ingest::extension(&file.to_string_lossy());
            let document = jixiao::ingest::read_document(&file, &ext, &bytes, &rules.config)
                .map_err(|e| anyhow::anyhow!("{}: {e:?}", file.display()))?;
            let engine = Engine::new(rules)?;
            let (clean, facts) = engine.facts_of_document(document);
            let mut out = std::io::stdout().lock();
            if text {
                writeln!(out, "{}", clean.text)?;
                return Ok(());
            }
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&facts)?)?;
                return Ok(());
            }
            for f in &facts.facts {
                let label = Field::from_name(&f.field).map_or_else(|| f.field.clone(), |x| x.label_zh().to_string());
                let tag = if f.derived { "推算" } else { "原文" };
                writeln!(
                    out,
                    "{label}\t{}\t[{tag}; {}]\n    {}",
                    f.value.render(),
                    f.provenance.rule,
                    f.provenance.snippet
                )?;
            }
            for i in &facts.indicators {
                let max = i.max_score.map_or("—".into(), |m| m.to_string());
                let score = i.score.map_or("—".into(), |s| s.to_string());
                writeln!(out, "指标\t{} / {}\t得分 {score}（分值 {max}）", i.section, i.indicator)?;
            }
            for p in &facts.problems {
                writeln!(out, "存在问题\t{p}")?;
            }
            for c in &facts.checks {
                writeln!(out, "校验[{}]\t{}\t{}", c.severity.as_str(), c.check, c.message)?;
            }
            Ok(())
        }
    }
}
