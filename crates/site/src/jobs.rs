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

use serde::{Deserialize, Serialize};

use crate::store::{Store, StoreError};
use crate::{AppError, AppState};

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
pub async fn start(state: &AppState, workers: usize) -> Result<(), StoreError> {
    let store = state.store.clone();
    let requeued = tokio::task::spawn_blocking(move || {
        store.recover_jobs(&explain::rfc3339(time::OffsetDateTime::now_utc()))
    })
    .await
    .map_err(|error| StoreError::Pool(format!("recovering jobs stopped: {error}")))??;
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
