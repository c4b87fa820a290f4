//! Library errors. The CLI wraps them with anyhow; per-file errors become
//! `failed` rows and never stop a batch.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    // The io error is the source, printed by the error chain (not twice).
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("config is not valid TOML: {0}")]
    Parse(String),
    #[error("config is invalid: {0}")]
    Invalid(String),
}

/// Why one file could not be turned into a report.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ReadError {
    #[error("empty file")]
    Empty,
    #[error("binary content, not text ({0})")]
    Binary(String),
    #[error("undecodable text: {0}")]
    Undecodable(String),
    #[error("no text after normalisation")]
    NoText,
}

#[derive(Debug, Error)]
pub enum OutputError {
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    #[error("output folder {0} is inside the input tree; choose another --out")]
    InsideInput(String),
    #[error("output folder {dir} holds {entry}, which jixiao did not write; choose another --out or pass --force")]
    Foreign { dir: String, entry: String },
    #[error("{part} was written by a run split into another number of shards than {n}: mixing them would count reports twice; use another --out or remove the old parts (or pass --force)")]
    OtherSharding { part: String, n: u32 },
}
