//! The job queue (see [`crate::jobs`]).

use rusqlite::{OptionalExtension, params};

use super::*;
use crate::jobs::MAX_ATTEMPTS;

pub(super) const SCHEMA: &str = "
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    writer TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    version INTEGER,
    detail TEXT
);
CREATE INDEX jobs_by_state ON jobs (state, id);
";

const COLUMNS: &str =
    "id, slug, writer, state, attempts, created_at, started_at, finished_at, version, detail";

fn job_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Job> {
    let writer: String = row.get(2)?;
    Ok(Job {
        id: row.get(0)?,
        slug: row.get(1)?,
        writer: WriterKind::parse(&writer).unwrap_or(WriterKind::Extractive),
        state: row.get(3)?,
        attempts: row.get(4)?,
        created_at: row.get(5)?,
        started_at: row.get(6)?,
        finished_at: row.get(7)?,
        version: row.get(8)?,
        detail: row.get(9)?,
    })
}

impl JobQueue for SqliteStore {
    fn enqueue_job(&self, slug: &str, writer: WriterKind, at: &str) -> Result<Job, StoreError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let queued: Option<i64> = tx
            .query_row(
                "SELECT id FROM jobs WHERE slug = ?1 AND writer = ?2 AND state = 'queued'",
                params![slug, writer.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        let id = match queued {
            Some(id) => id,
            None => {
                tx.execute(
                    "INSERT INTO jobs (slug, writer, state, created_at) VALUES (?1, ?2, 'queued', ?3)",
                    params![slug, writer.as_str(), at],
                )?;
                tx.last_insert_rowid()
            }
        };
        let job = tx.query_row(
            &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
            [id],
            job_from_row,
        )?;
        tx.commit()?;
        Ok(job)
    }

    fn claim_job(&self, at: &str) -> Result<Option<Job>, StoreError> {
        let db = self.db();
        Ok(db
            .query_row(
                &format!(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?1
                     WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1)
                     RETURNING {COLUMNS}"
                ),
                [at],
                job_from_row,
            )
            .optional()?)
    }

    fn finish_job(
        &self,
        id: i64,
        outcome: Result<(u32, String), String>,
        at: &str,
    ) -> Result<(), StoreError> {
        let (state, version, detail) = match outcome {
            Ok((version, detail)) => ("done", Some(version), detail),
            Err(detail) => ("failed", None, detail),
        };
        self.db().execute(
            "UPDATE jobs SET state = ?2, version = ?3, detail = ?4, finished_at = ?5 WHERE id = ?1",
            params![id, state, version, detail, at],
        )?;
        Ok(())
    }

    fn recover_jobs(&self, at: &str) -> Result<usize, StoreError> {
        let db = self.db();
        db.execute(
            "UPDATE jobs SET state = 'failed', finished_at = ?1,
                 detail = 'stopped while running, ' || attempts || ' times'
             WHERE state = 'running' AND attempts >= ?2",
            params![at, MAX_ATTEMPTS],
        )?;
        Ok(db.execute(
            "UPDATE jobs SET state = 'queued' WHERE state = 'running'",
            [],
        )?)
    }

    fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        Ok(self
            .db()
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                job_from_row,
            )
            .optional()?)
    }

    fn recent_jobs(&self, limit: usize) -> Result<Vec<Job>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?1"
        ))?;
        let jobs = statement
            .query_map([limit as i64], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    fn jobs_of(&self, slug: &str, limit: usize) -> Result<Vec<Job>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE slug = ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let jobs = statement
            .query_map(params![slug, limit as i64], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    fn queue_depth(&self) -> Result<(u64, u64), StoreError> {
        Ok(self.db().query_row(
            "SELECT COUNT(*) FILTER (WHERE state = 'queued'), COUNT(*) FILTER (WHERE state = 'running') FROM jobs",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }
}
