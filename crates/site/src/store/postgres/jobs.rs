//! The job queue (see [`crate::jobs`]). Workers on every node take jobs from the one queue;
//! `FOR UPDATE SKIP LOCKED` gives each job to one of them.

use tokio_postgres::Row;

use super::*;
use crate::jobs::MAX_ATTEMPTS;

const COLUMNS: &str =
    "id, slug, writer, state, attempts, created_at, started_at, finished_at, version, detail";

fn job_from_row(row: &Row) -> Job {
    Job {
        id: row.get(0),
        slug: row.get(1),
        writer: WriterKind::parse(row.get(2)).unwrap_or(WriterKind::Extractive),
        state: row.get(3),
        attempts: row.get::<_, i64>(4) as u32,
        created_at: row.get(5),
        started_at: row.get(6),
        finished_at: row.get(7),
        version: row.get::<_, Option<i64>>(8).map(|v| v as u32),
        detail: row.get(9),
    }
}

impl JobQueue for PostgresStore {
    fn enqueue_job(&self, slug: &str, writer: WriterKind, at: &str) -> Result<Job, StoreError> {
        let writer = writer.as_str();
        self.run(async |pool| {
            let client = connection(&pool).await?;
            // One queued job per article and writer (a unique index): a new one, or the one
            // queued already, unless a worker took that one in between (then queue anew).
            loop {
                let inserted = client
                    .query_opt(
                        &format!(
                            "INSERT INTO jobs (slug, writer, state, created_at)
                             VALUES ($1, $2, 'queued', $3)
                             ON CONFLICT (slug, writer) WHERE state = 'queued' DO NOTHING
                             RETURNING {COLUMNS}"
                        ),
                        &[&slug, &writer, &at],
                    )
                    .await?;
                let job = match inserted {
                    Some(row) => Some(row),
                    None => {
                        client
                            .query_opt(
                                &format!(
                                    "SELECT {COLUMNS} FROM jobs
                                     WHERE slug = $1 AND writer = $2 AND state = 'queued'"
                                ),
                                &[&slug, &writer],
                            )
                            .await?
                    }
                };
                if let Some(row) = job {
                    return Ok(job_from_row(&row));
                }
            }
        })
    }

    fn claim_job(&self, at: &str) -> Result<Option<Job>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            Ok(client
                .query_opt(
                    &format!(
                        "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = $1,
                             node = $2
                         WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id
                                     LIMIT 1 FOR UPDATE SKIP LOCKED)
                         RETURNING {COLUMNS}"
                    ),
                    &[&at, &self.node],
                )
                .await?
                .as_ref()
                .map(job_from_row))
        })
    }

    fn finish_job(
        &self,
        id: i64,
        outcome: Result<(u32, String), String>,
        at: &str,
    ) -> Result<(), StoreError> {
        let (state, version, detail) = match outcome {
            Ok((version, detail)) => ("done", Some(i64::from(version)), detail),
            Err(detail) => ("failed", None, detail),
        };
        self.run(async |pool| {
            let client = connection(&pool).await?;
            client
                .execute(
                    "UPDATE jobs SET state = $2, version = $3, detail = $4, finished_at = $5
                     WHERE id = $1",
                    &[&id, &state, &version, &detail, &at],
                )
                .await?;
            Ok(())
        })
    }

    /// Only the jobs of nodes that stopped: a node alive holds its advisory lock, so trying
    /// that lock tells (a node that just stopped may still hold it for a moment: it is
    /// tried a few times). What another node is running is left to it.
    fn recover_jobs(&self, at: &str) -> Result<usize, StoreError> {
        self.run(async |pool| {
            let mut client = connection(&pool).await?;
            let nodes: Vec<Option<i32>> = client
                .query(
                    "SELECT DISTINCT node FROM jobs WHERE state = 'running'",
                    &[],
                )
                .await?
                .iter()
                .map(|row| row.get(0))
                .collect();
            let presence = self.presence.lock().await;
            let mut stopped = Vec::new();
            for node in nodes {
                let Some(node) = node else { continue };
                if node == self.node {
                    continue;
                }
                for attempt in 0..10 {
                    let free: bool = presence
                        .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&NODE_LOCKS, &node])
                        .await?
                        .get(0);
                    if free {
                        presence
                            .execute("SELECT pg_advisory_unlock($1, $2)", &[&NODE_LOCKS, &node])
                            .await?;
                        stopped.push(node);
                        break;
                    }
                    if attempt < 9 {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
            drop(presence);
            let tx = client.transaction().await?;
            tx.execute(
                "UPDATE jobs SET state = 'failed', finished_at = $1,
                     detail = 'stopped while running, ' || attempts || ' times'
                 WHERE state = 'running' AND attempts >= $2
                   AND (node IS NULL OR node = ANY($3))",
                &[&at, &i64::from(MAX_ATTEMPTS), &stopped],
            )
            .await?;
            let requeued = tx
                .execute(
                    "UPDATE jobs SET state = 'queued'
                     WHERE state = 'running' AND (node IS NULL OR node = ANY($1))
                     AND NOT EXISTS (SELECT 1 FROM jobs q WHERE q.slug = jobs.slug
                                     AND q.writer = jobs.writer AND q.state = 'queued')",
                    &[&stopped],
                )
                .await?;
            tx.execute(
                "UPDATE jobs SET state = 'failed', finished_at = $1,
                     detail = 'stopped while running; the same job was queued again'
                 WHERE state = 'running' AND (node IS NULL OR node = ANY($2))",
                &[&at, &stopped],
            )
            .await?;
            tx.commit().await?;
            Ok(requeued as usize)
        })
    }

    fn job(&self, id: i64) -> Result<Option<Job>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            Ok(client
                .query_opt(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"), &[&id])
                .await?
                .as_ref()
                .map(job_from_row))
        })
    }

    fn recent_jobs(&self, limit: usize) -> Result<Vec<Job>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            Ok(client
                .query(
                    &format!("SELECT {COLUMNS} FROM jobs ORDER BY id DESC LIMIT $1"),
                    &[&(limit as i64)],
                )
                .await?
                .iter()
                .map(job_from_row)
                .collect())
        })
    }

    fn jobs_of(&self, slug: &str, limit: usize) -> Result<Vec<Job>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            Ok(client
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM jobs WHERE slug = $1 ORDER BY id DESC LIMIT $2"
                    ),
                    &[&slug, &(limit as i64)],
                )
                .await?
                .iter()
                .map(job_from_row)
                .collect())
        })
    }

    fn queue_depth(&self) -> Result<(u64, u64), StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let row = client
                .query_one(
                    "SELECT COUNT(*) FILTER (WHERE state = 'queued'),
                            COUNT(*) FILTER (WHERE state = 'running') FROM jobs",
                    &[],
                )
                .await?;
            Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
        })
    }
}
