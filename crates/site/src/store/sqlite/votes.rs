//! Votes: the one writer thread that commits them in groups, and the counters beside them.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::*;

impl Votes for SqliteStore {
    fn record_vote(
        &self,
        version: i64,
        visitor: &str,
        vote: &Vote,
        at: &str,
    ) -> Result<Feedback, StoreError> {
        let answer = self.enqueue(Target::Version(version), visitor, vote, at)?;
        answer
            .blocking_recv()
            .map_err(|_| StoreError::WriterGone)?
            .map(Option::unwrap_or_default)
    }

    /// Votes are written by one thread with its own connection: it takes every vote queued
    /// since its last commit and writes them in one transaction (group commit), then answers
    /// each.
    fn vote<'a>(
        &'a self,
        slug: &'a str,
        visitor: &'a str,
        vote: &'a Vote,
        at: &'a str,
    ) -> StoreFuture<'a, Option<Feedback>> {
        let answer = self.enqueue(Target::Slug(slug.to_owned()), visitor, vote, at);
        Box::pin(async move { answer?.await.map_err(|_| StoreError::WriterGone)? })
    }

    fn vote_of(&self, version: i64, visitor: &str) -> Result<Option<Vote>, StoreError> {
        let row: Option<(bool, Option<String>, Option<String>)> = self
            .db()
            .prepare_cached(
                "SELECT helpful, reason, comment FROM votes WHERE version = ?1 AND visitor = ?2",
            )?
            .query_row(params![version, visitor], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        Ok(row.map(|(helpful, reason, comment)| Vote {
            helpful,
            reason: reason.as_deref().and_then(Reason::parse),
            comment,
            keeps_details: false,
        }))
    }

    fn feedback(&self, version: i64) -> Result<Feedback, StoreError> {
        Ok(self
            .db()
            .prepare_cached("SELECT helpful, not_helpful FROM versions WHERE id = ?1")?
            .query_row([version], |row| {
                Ok(Feedback {
                    helpful: row.get(0)?,
                    not_helpful: row.get(1)?,
                })
            })
            .optional()?
            .unwrap_or_default())
    }

    fn counted_votes(&self) -> Result<(u64, u64), StoreError> {
        Ok(self.db().query_row(
            "SELECT COALESCE(SUM(helpful), 0), COUNT(*) - COALESCE(SUM(helpful), 0) FROM votes",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    fn expire(&self, cutoff: &str) -> Result<usize, StoreError> {
        Ok(self.db().execute(
            "UPDATE votes SET comment = NULL, visitor = 'expired-' || rowid
             WHERE updated_at < ?1 AND visitor NOT LIKE 'expired-%'",
            [cutoff],
        )?)
    }
}

impl SqliteStore {
    fn enqueue(
        &self,
        target: Target,
        visitor: &str,
        vote: &Vote,
        at: &str,
    ) -> Result<tokio::sync::oneshot::Receiver<VoteResult>, StoreError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let queued = QueuedVote {
            target,
            visitor: visitor.to_owned(),
            vote: vote.clone(),
            at: at.to_owned(),
            done,
        };
        self.votes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .as_ref()
            .ok_or(StoreError::WriterGone)?
            .send(queued)
            .map_err(|_| StoreError::WriterGone)?;
        Ok(answer)
    }
}

/// The counts after a vote; `None` when its article does not exist.
pub(super) type VoteResult = Result<Option<Feedback>, StoreError>;

/// Which version a vote goes to.
pub(super) enum Target {
    Version(i64),
    /// The current version of the article at this slug.
    Slug(String),
}

/// A vote waiting for the next group commit, with where to send its result.
pub(super) struct QueuedVote {
    target: Target,
    visitor: String,
    vote: Vote,
    at: String,
    done: tokio::sync::oneshot::Sender<VoteResult>,
}

/// Votes queued together are committed together, at most this many per transaction.
const MAX_GROUP: usize = 1024;

/// The vote writer's loop: wait for a vote, take every other one already queued, write them
/// in one transaction, answer each; until the store is dropped.
pub(super) fn vote_writer(mut db: Connection, queue: std::sync::mpsc::Receiver<QueuedVote>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        write_votes(&mut db, batch);
    }
}

/// Writes a batch of votes in one transaction and answers each. If the transaction fails as
/// a whole, each vote is tried again alone, so one bad vote cannot sink the others.
fn write_votes(db: &mut Connection, batch: Vec<QueuedVote>) {
    let together = (|| -> Result<Vec<Option<Feedback>>, StoreError> {
        let tx = db.transaction()?;
        let mut results = Vec::with_capacity(batch.len());
        for queued in &batch {
            results.push(upsert_vote(&tx, queued)?);
        }
        tx.commit()?;
        Ok(results)
    })();
    match together {
        Ok(results) => {
            for (queued, result) in batch.into_iter().zip(results) {
                let _ = queued.done.send(Ok(result));
            }
        }
        Err(_) if batch.len() > 1 => {
            for queued in batch {
                let alone = (|| {
                    let tx = db.transaction()?;
                    let result = upsert_vote(&tx, &queued)?;
                    tx.commit()?;
                    Ok(result)
                })();
                let _ = queued.done.send(alone);
            }
        }
        Err(error) => {
            if let Some(queued) = batch.into_iter().next() {
                let _ = queued.done.send(Err(error));
            }
        }
    }
}

/// One vote inside a transaction: the upsert, then the counters moved by the difference.
fn upsert_vote(tx: &Transaction<'_>, queued: &QueuedVote) -> VoteResult {
    let QueuedVote {
        target,
        visitor,
        vote,
        at,
        ..
    } = queued;
    let version = match target {
        Target::Version(version) => *version,
        Target::Slug(slug) => {
            let current: Option<i64> = tx
                .prepare_cached("SELECT current_version FROM articles WHERE slug = ?1")?
                .query_row([slug], |row| row.get(0))
                .optional()?;
            match current {
                Some(version) => version,
                None => return Ok(None),
            }
        }
    };
    let version = &version;
    let old: Option<(bool, Option<String>)> = tx
        .prepare_cached("SELECT helpful, reason FROM votes WHERE version = ?1 AND visitor = ?2")?
        .query_row(params![version, visitor], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    // A bare Yes or No keeps the earlier comment, and the earlier reason while the vote
    // keeps its polarity.
    let sql = if vote.keeps_details {
        "INSERT INTO votes (version, visitor, helpful, reason, comment, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (version, visitor) DO UPDATE SET
             reason = CASE WHEN helpful = excluded.helpful THEN reason ELSE NULL END,
             helpful = excluded.helpful, updated_at = excluded.updated_at
         RETURNING helpful, reason"
    } else {
        "INSERT INTO votes (version, visitor, helpful, reason, comment, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (version, visitor) DO UPDATE SET
             helpful = excluded.helpful, reason = excluded.reason,
             comment = excluded.comment, updated_at = excluded.updated_at
         RETURNING helpful, reason"
    };
    let (helpful, reason): (bool, Option<String>) = tx.prepare_cached(sql)?.query_row(
        params![
            version,
            visitor,
            vote.helpful,
            vote.reason.map(Reason::as_str),
            vote.comment,
            at
        ],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let delta = VoteEffect::change(
        old.as_ref()
            .map(|(helpful, reason)| (*helpful, reason.as_deref())),
        (helpful, reason.as_deref()),
    );
    apply_effect(tx, *version, delta)?;
    let counts = tx
        .prepare_cached("SELECT helpful, not_helpful FROM versions WHERE id = ?1")?
        .query_row([version], |row| {
            Ok(Feedback {
                helpful: row.get(0)?,
                not_helpful: row.get(1)?,
            })
        })?;
    Ok(Some(counts))
}

pub(super) fn apply_effect(
    tx: &Transaction<'_>,
    version: i64,
    delta: VoteEffect,
) -> Result<(), StoreError> {
    if delta == VoteEffect::default() {
        return Ok(());
    }
    tx.prepare_cached(
        "UPDATE versions SET helpful = helpful + ?2, not_helpful = not_helpful + ?3 WHERE id = ?1",
    )?
    .execute(params![version, delta.helpful, delta.not_helpful])?;
    tx.prepare_cached(
        "UPDATE sources SET helpful = helpful + ?2, blamed = blamed + ?3, unhelpful = unhelpful + ?4
         WHERE source IN (SELECT source FROM version_sources WHERE version = ?1)",
    )?
    .execute(params![
        version,
        delta.helpful,
        delta.blamed,
        delta.unhelpful
    ])?;
    Ok(())
}
