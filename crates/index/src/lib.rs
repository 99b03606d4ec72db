//! The searchable store behind `because`: documents, their sentences, and a BM25 index.
//!
//! An [`Index`] lives in one folder and holds two things that are kept in step:
//!
//! - `documents.sqlite`: every ingested [`corpus::Document`] with its original text and the
//!   byte ranges of its sentences (so quotes are always verbatim slices of the source);
//! - `tantivy/`: one tantivy document per passage (a few consecutive sentences), searched
//!   with BM25 over the passage text and, boosted, the document title.
//!
//! Ingest is idempotent: a document whose content hash is unchanged is skipped. A document
//! is marked indexed in SQLite only after tantivy has committed its passages, so a crash
//! between the two commits is repaired by the next ingest instead of leaving passages missing.
//!
//! ```no_run
//! # fn main() -> Result<(), index::IndexError> {
//! let index = index::Index::create_or_open(std::path::Path::new("because-data/index"))?;
//! let documents = vec![corpus::Document {
//!     id: "famine".into(), title: "Famine".into(),
//!     text: "A famine is caused by war and crop failure.".into(), url: None, license: None, date: None, language: None,
//! }];
//! let stats = index.ingest(documents, &mut |_progress| {})?;
//! let query = [index::WeightedTerm { stem: "famin".into(), weight: 1.0 }];
//! let hits = index.search(&query, 10)?;
//! # Ok(()) }
//! ```

pub mod ann;
mod error;
pub mod generation;
mod store;
mod text;
mod vectors;

pub use ann::GraphUpdate;
pub use error::IndexError;
pub use generation::NextGeneration;
pub use store::{
    Index, IngestPhase, IngestProgress, IngestStats, PassageHit, Ranking, SentenceSpan,
    StoredDocument,
};
pub use text::{Token, WeightedTerm};
pub use vectors::DenseHit;
