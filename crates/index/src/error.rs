use std::path::PathBuf;

/// Failures of the index. Messages name the folder and, where there is one, the fix.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "no index in {dir}: run `because ingest --default-corpus` (or `because ingest PATH`) first"
    )]
    NotFound { dir: PathBuf },
    #[error(
        "the index in {dir} was written by an incompatible version (schema {found}, expected {expected}): delete the folder and ingest again"
    )]
    IncompatibleSchema {
        dir: PathBuf,
        found: String,
        expected: String,
    },
    #[error("cannot create {dir}: {source}")]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("document store error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the index is locked by another process (is an ingest running?): {0}")]
    Locked(String),
    #[error("corrupt index: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Embed(#[from] embed::EmbedError),
}
