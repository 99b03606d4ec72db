//! Background jobs: new versions of published articles, composed outside any request.
//!
//! A job asks for the next version of one article by one writer: `extractive` (composed
//! again from the current index and what votes taught about sources) or `llm` (the same,
//! then written as prose by the LLM writer and checked sentence by sentence). Jobs live in the
//! site's database, so they survive restarts: a job that was running when the process
//! stopped is queued again at start, up to [`MAX_ATTEMPTS`] attempts. A fixed number of
//! workers take jobs in order (bounded concurrency: an LLM server is slow and a site has few
//! of them). A job that fails records why and publishes nothing: the current version stays.
//!
//! Asking on the site never waits for the LLM: the extractive article is published at once
//! and, when the site has an LLM writer, an `llm` job is queued for it.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::store::{Store, StoreError};
use crate::{AppError, AppState};

pub(crate) const SCHEMA: &str = "
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

/// A job that was running this many times when its process stopped is given up.
pub const MAX_ATTEMPTS: u32 = 3;

/// Who writes the new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WriterKind {
    Extractive,
    Llm,
}

impl WriterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WriterKind::Extractive => "extractive",
            WriterKind::Llm => "llm",
        }
    }

    pub fn parse(text: &str) -> Option<WriterKind> {
        match text {
            "extractive" => Some(WriterKind::Extractive),
            "llm" => Some(WriterKind::Llm),
            _ => None,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: i64,
    /// The article's slug.
    pub slug: String,
    pub writer: WriterKind,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// The version it published (`done` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// What the writer did, or why the job failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

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

impl Store {
    /// Queues a job, or returns the one already queued for the same article and writer.
    pub fn enqueue_job(&self, slug: &str, writer: WriterKind, at: &str) -> Result<Job, StoreError> {
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

    /// Takes the oldest queued job: it is `running` from now, one attempt more.
    pub fn claim_job(&self, at: &str) -> Result<Option<Job>, StoreError> {
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

    /// Records a job's end: `done` with the version it published, or `failed`.
    pub fn finish_job(
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

    /// At start: jobs left `running` by a stopped process are queued again, or given up
    /// after [`MAX_ATTEMPTS`]. Returns how many were queued again.
    pub fn recover_jobs(&self, at: &str) -> Result<usize, StoreError> {
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

    pub fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        Ok(self
            .db()
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                job_from_row,
            )
            .optional()?)
    }

    /// The newest jobs first.
    pub fn recent_jobs(&self, limit: usize) -> Result<Vec<Job>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?1"
        ))?;
        let jobs = statement
            .query_map([limit as i64], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// The newest jobs of one article first.
    pub fn jobs_of(&self, slug: &str, limit: usize) -> Result<Vec<Job>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE slug = ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let jobs = statement
            .query_map(params![slug, limit as i64], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// Jobs waiting and running.
    pub fn queue_depth(&self) -> Result<(u64, u64), StoreError> {
        Ok(self.db().query_row(
            "SELECT COUNT(*) FILTER (WHERE state = 'queued'), COUNT(*) FILTER (WHERE state = 'running') FROM jobs",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }
}

/// Runs one job: composes the article again and, for `llm`, has the writer write it; then
/// publishes it as the next version. `Ok((version, what the writer did))`, or why nothing was
/// published.
pub fn run_job(
    engine: &explain::Engine,
    store: &Store,
    llm: Option<&writer::Writer>,
    job: &Job,
) -> Result<(u32, String), String> {
    regenerate_with(engine, store, llm, &job.slug, job.writer)
}

/// Composes the article at `slug` again and, for `llm`, has the writer write it; publishes
/// the result as the next version (what a job does; `because regenerate` calls it directly).
pub fn regenerate_with(
    engine: &explain::Engine,
    store: &Store,
    llm: Option<&writer::Writer>,
    slug: &str,
    writer: WriterKind,
) -> Result<(u32, String), String> {
    let current = store
        .find_by_slug(slug)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no article is published at {slug}"))?;
    let question =
        explain::Question::parse(&current.article.question).map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc();
    let priors = store.source_priors().map_err(|e| e.to_string())?;
    let fresh = engine
        .ask_with(&question, now, &priors)
        .map_err(|e| e.to_string())?;
    let (article, detail) = match writer {
        WriterKind::Extractive => (fresh, "composed from the current index".to_owned()),
        WriterKind::Llm => {
            let llm = llm.ok_or("this site has no LLM writer (serve --writer llm --llm-url …)")?;
            let written = llm
                .write(&fresh, engine.index())
                .map_err(|e| format!("the extractive version stays: {e}"))?;
            let t = &written.tally;
            let detail = format!(
                "{} wrote {} sentences: {} kept, {} replaced by their evidence, {} dropped; {} tokens in {:.1} s",
                written.model,
                t.generated,
                t.kept,
                t.replaced,
                t.dropped,
                written.tokens,
                written.seconds
            );
            (written.article, detail)
        }
    };
    let published = store
        .publish_version(slug, &article, &explain::rfc3339(now))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("the article at {slug} was removed"))?;
    Ok((published.article.version, detail))
}

/// Queues a job and wakes a worker.
pub async fn enqueue(state: &AppState, slug: &str, writer: WriterKind) -> Result<Job, AppError> {
    let store = state.store.clone();
    let slug = slug.to_owned();
    let job = crate::http::blocking(move || {
        let at = explain::rfc3339(time::OffsetDateTime::now_utc());
        Ok(store.enqueue_job(&slug, writer, &at)?)
    })
    .await?;
    state.jobs.notify_one();
    Ok(job)
}

/// One worker: takes queued jobs one at a time until the process stops; waits to be woken
/// (or polls every few seconds) when there are none.
pub async fn worker(state: AppState) {
    loop {
        let store = state.store.clone();
        let claimed = tokio::task::spawn_blocking(move || {
            store.claim_job(&explain::rfc3339(time::OffsetDateTime::now_utc()))
        })
        .await;
        let job = match claimed {
            Ok(Ok(Some(job))) => job,
            Ok(Ok(None)) => {
                tokio::select! {
                    () = state.jobs.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
                continue;
            }
            Ok(Err(error)) => {
                tracing::warn!("taking a job failed: {error}");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            Err(error) => {
                tracing::warn!("taking a job failed: {error}");
                continue;
            }
        };
        let (engine, store, llm) = (state.engine(), state.store.clone(), state.writer.clone());
        let id = job.id;
        let ran = tokio::task::spawn_blocking(move || {
            let outcome = run_job(&engine, &store, llm.as_deref(), &job);
            match &outcome {
                Ok((version, detail)) => {
                    tracing::info!(job = job.id, slug = %job.slug, writer = job.writer.as_str(), version, "{detail}")
                }
                Err(detail) => {
                    tracing::warn!(job = job.id, slug = %job.slug, writer = job.writer.as_str(), "job failed: {detail}")
                }
            }
            let at = explain::rfc3339(time::OffsetDateTime::now_utc());
            store.finish_job(job.id, outcome, &at)
        })
        .await;
        match ran {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(job = id, "recording a job failed: {error}"),
            Err(error) => {
                // The job panicked: recorded as failed, the worker goes on.
                let store = state.store.clone();
                let at = explain::rfc3339(time::OffsetDateTime::now_utc());
                let _ = tokio::task::spawn_blocking(move || {
                    store.finish_job(id, Err(format!("the job stopped: {error}")), &at)
                })
                .await;
            }
        }
    }
}

/// Starts `workers` workers after queuing again what a stopped process left running.
pub fn start(state: &AppState, workers: usize) -> Result<(), StoreError> {
    let requeued = state
        .store
        .recover_jobs(&explain::rfc3339(time::OffsetDateTime::now_utc()))?;
    if requeued > 0 {
        tracing::info!("queued again {requeued} jobs that were running when the site stopped");
    }
    for _ in 0..workers.max(1) {
        tokio::spawn(worker(state.clone()));
    }
    Ok(())
}

/// Shared by the state: wakes a worker when a job is queued.
pub type Wakeup = Arc<tokio::sync::Notify>;
