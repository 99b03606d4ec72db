//! Articles, their versions and votes in SQLite.
//!
//! An article keeps every version it was published in; a vote belongs to the version it was
//! cast on, so a regenerated article starts with a clean rating while the history remains.
//! One vote per visitor per version: voting again replaces it. Each vote also moves the
//! sources its version cited (see [`crate::feedback::source_multiplier`]). Votes are written
//! by one thread with its own connection, in groups (one transaction for all votes queued
//! since the last commit), and a vote is acknowledged only after its transaction committed
//! (WAL; synchronous=NORMAL survives a process crash). The counters kept beside the votes
//! always equal the votes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use explain::Article;
use rusqlite::Connection;
use serde::Serialize;

use crate::feedback::{Reason, Vote, source_multiplier, wilson_lower_bound, wilson_upper_bound};

mod articles;
mod dashboard;
mod schema;
mod votes;

use articles::{insert_version, parse_body};
use schema::migrate;
use votes::{QueuedVote, VoteEffect, apply_effect, vote_writer};

/// The schema this code reads and writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 4;

/// Failures of the site's database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("site database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create {dir}: {source}")]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("stored article {slug} is unreadable: {source}")]
    Corrupt {
        slug: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("no free slug for {0}")]
    SlugsExhausted(String),
    #[error(
        "the site database has schema version {found}; this build knows up to {SCHEMA_VERSION}"
    )]
    NewerSchema { found: i64 },
    #[error("cannot start the vote writer: {0}")]
    Writer(#[source] std::io::Error),
    #[error("the vote writer has stopped")]
    WriterGone,
    #[error("{} already exists: a backup never overwrites a file", .0.display())]
    BackupExists(PathBuf),
    #[error("{} is not a UTF-8 path, which SQLite needs", .0.display())]
    BackupPath(PathBuf),
}

/// An article as published: its current (or a requested) version.
#[derive(Debug, Clone)]
pub struct StoredArticle {
    pub id: i64,
    /// Listed on the home page, in search, the sitemap and the feed, and open to search
    /// engines; `false` while a visitor's article awaits review (`serve --publish review`).
    pub listed: bool,
    /// The row of this version; votes are attached to it.
    pub version_id: i64,
    pub article: Article,
}

/// Vote counts of one article version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub helpful: u64,
    pub not_helpful: u64,
}

impl Feedback {
    pub fn total(&self) -> u64 {
        self.helpful + self.not_helpful
    }

    pub fn wilson_lower_bound(&self) -> f64 {
        wilson_lower_bound(self.helpful, self.total())
    }

    pub fn wilson_upper_bound(&self) -> f64 {
        wilson_upper_bound(self.helpful, self.total())
    }

    /// Share of helpful votes (0 when there are none).
    pub fn helpful_share(&self) -> f64 {
        if self.total() == 0 {
            0.0
        } else {
            self.helpful as f64 / self.total() as f64
        }
    }
}

/// A line of an article list (home page, search, dashboard).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub question: String,
    pub posted_at: String,
    pub updated_at: Option<String>,
    pub version: u32,
    pub coverage: String,
    pub feedback: Feedback,
    /// Wilson lower bound of the current version's votes.
    pub score: f64,
    /// `false` while the article awaits review.
    pub listed: bool,
}

/// One version of an article, for its history.
#[derive(Debug, Clone, Serialize)]
pub struct VersionSummary {
    pub version: u32,
    pub created_at: String,
    pub feedback: Feedback,
}

/// A comment as the dashboard lists it.
#[derive(Debug, Clone, Serialize)]
pub struct CommentRow {
    pub slug: String,
    pub version: u32,
    pub helpful: bool,
    pub reason: Option<String>,
    pub comment: String,
    pub at: String,
}

/// Votes cast (by their latest change) on one day.
#[derive(Debug, Clone, Serialize)]
pub struct DayCount {
    pub day: String,
    pub helpful: u64,
    pub not_helpful: u64,
}

/// A source whose ranking readers' votes have moved.
#[derive(Debug, Clone, Serialize)]
pub struct SourceAdjustment {
    pub key: String,
    pub title: String,
    pub helpful: i64,
    pub blamed: i64,
    pub unhelpful: i64,
    pub multiplier: f64,
}

/// A vote as exported (CSV).
#[derive(Debug, Clone, Serialize)]
pub struct VoteRow {
    pub slug: String,
    pub question: String,
    pub version: u32,
    pub helpful: bool,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub struct Store {
    db: Mutex<Connection>,
    /// The vote writer: a thread with its own connection that commits votes in groups.
    votes: Mutex<Option<std::sync::mpsc::Sender<QueuedVote>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for Store {
    /// Lets the vote writer finish what it was given, then waits for it.
    fn drop(&mut self) {
        self.votes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                dir: dir.to_owned(),
                source,
            })?;
        }
        let mut db = Connection::open(path)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut db)?;
        let writer_db = Connection::open(path)?;
        writer_db.pragma_update(None, "synchronous", "NORMAL")?;
        writer_db.pragma_update(None, "foreign_keys", "ON")?;
        writer_db.busy_timeout(std::time::Duration::from_secs(5))?;
        let (votes, queue) = std::sync::mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("vote-writer".into())
            .spawn(move || vote_writer(writer_db, queue))
            .map_err(StoreError::Writer)?;
        Ok(Store {
            db: Mutex::new(db),
            votes: Mutex::new(Some(votes)),
            writer: Mutex::new(Some(writer)),
        })
    }

    pub(crate) fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // SQLite rolls back an unfinished transaction itself; a poisoned lock is safe to reuse.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes a consistent copy of the whole database to `target` (SQLite's `VACUUM INTO`:
    /// one read transaction, so readers and the vote writer go on meanwhile). Votes still in
    /// the writer's queue are not in it; every vote the server acknowledged is.
    pub fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        if target.exists() {
            return Err(StoreError::BackupExists(target.to_owned()));
        }
        let target = target
            .to_str()
            .ok_or_else(|| StoreError::BackupPath(target.to_owned()))?;
        self.db().execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    /// Number of published articles; also proves the database answers.
    pub fn article_count(&self) -> Result<u64, StoreError> {
        let db = self.db();
        let count: i64 = db.query_row("SELECT COUNT(*) FROM articles", [], |row| row.get(0))?;
        Ok(count as u64)
    }
}
