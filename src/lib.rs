//! jixiao (绩效): batch extraction of facts from Chinese department
//! performance self-evaluation reports (部门整体支出绩效自评报告).
//!
//! The stages, in data-flow order:
//! [`ingest`] (walk, detect, bytes → text) → [`normalize`] (clean text with an
//! offset map) → [`extract`] (facts with provenance) → [`validate`] (checks) →
//! [`output`] (Parquet, workbook, manifest). [`pipeline`] runs them in parallel.

pub mod cache;
pub mod config;
pub mod error;
pub mod extract;
pub mod guard;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod validate;

/// This build of jixiao: the package version and the engine's identity (a
/// hash of its sources, see src/build.rs). Cached facts are reused only by the
/// same engine.
pub const ENGINE_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("JIXIAO_ENGINE_ID"));

pub use config::Rules;
pub use pipeline::{run, Engine, RunOptions, RunSummary};
