//! The site's database in SQLite, the embedded default: one file in the data dir.
//!
//! Votes are written by one thread with its own connection, in groups (one transaction for
//! all votes queued since the last commit), and a vote is acknowledged only after its
//! transaction committed (WAL; synchronous=NORMAL survives a process crash).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

use super::*;

mod articles;
mod dashboard;
mod jobs;
mod schema;
mod votes;

use schema::migrate;
use votes::{QueuedVote, vote_writer};

pub struct SqliteStore {
    db: Mutex<Connection>,
    /// The vote writer: a thread with its own connection that commits votes in groups.
    votes: Mutex<Option<std::sync::mpsc::Sender<QueuedVote>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for SqliteStore {
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

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
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
        Ok(SqliteStore {
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
}

impl Backend for SqliteStore {
    /// SQLite's `VACUUM INTO`: one read transaction, so readers and the vote writer go on
    /// meanwhile. Votes still in the writer's queue are not in it; every vote the server
    /// acknowledged is.
    fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        if target.exists() {
            return Err(StoreError::BackupExists(target.to_owned()));
        }
        let target = target
            .to_str()
            .ok_or_else(|| StoreError::BackupPath(target.to_owned()))?;
        self.db().execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "SQLite"
    }
}
