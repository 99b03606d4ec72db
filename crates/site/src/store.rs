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

use explain::{Article, SourcePriors};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::feedback::{Reason, Vote, source_multiplier, wilson_lower_bound, wilson_upper_bound};

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

    /// The article published for this normalised question, if any (current version).
    pub fn find_by_question(&self, normalized: &str) -> Result<Option<StoredArticle>, StoreError> {
        self.find("a.normalized = ?1", normalized)
    }

    /// The current version of the article at `slug`.
    pub fn find_by_slug(&self, slug: &str) -> Result<Option<StoredArticle>, StoreError> {
        self.find("a.slug = ?1", slug)
    }

    fn find(&self, condition: &str, value: &str) -> Result<Option<StoredArticle>, StoreError> {
        find_article(&self.db(), condition, value)
    }

    /// The version row votes on `slug` go to, without reading the article: the cheap path of
    /// every vote.
    pub fn current_version_of(&self, slug: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .db()
            .prepare_cached("SELECT current_version FROM articles WHERE slug = ?1")?
            .query_row([slug], |row| row.get(0))
            .optional()?)
    }

    /// Publishes an article for a normalised question. If another request published one for
    /// the same question first, that one is returned instead. A slug already taken by a
    /// different question gets a numeric suffix.
    pub fn publish(
        &self,
        normalized: &str,
        article: &Article,
    ) -> Result<StoredArticle, StoreError> {
        self.publish_listed(normalized, article, true)
    }

    /// [`Store::publish`], listed or (`false`) awaiting review until [`Store::approve`].
    pub fn publish_listed(
        &self,
        normalized: &str,
        article: &Article,
        listed: bool,
    ) -> Result<StoredArticle, StoreError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        if let Some(existing) = find_article(&tx, "a.normalized = ?1", normalized)? {
            return Ok(existing);
        }
        let mut article = article.clone();
        let base = article.slug.clone();
        let mut slug = base.clone();
        let mut attempt = 1;
        loop {
            let taken: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM articles WHERE slug = ?1)",
                [&slug],
                |row| row.get(0),
            )?;
            if !taken {
                break;
            }
            attempt += 1;
            if attempt > 1000 {
                return Err(StoreError::SlugsExhausted(base));
            }
            slug = format!("{base}-{attempt}");
        }
        article.slug = slug;
        article.version = 1;
        article.updated_at = None;
        tx.execute(
            "INSERT INTO articles (slug, normalized, question, posted_at, listed)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                article.slug,
                normalized,
                article.question,
                article.posted_at,
                listed
            ],
        )?;
        let id = tx.last_insert_rowid();
        let version_id = insert_version(&tx, id, &article, &article.posted_at)?;
        tx.commit()?;
        Ok(StoredArticle {
            id,
            listed,
            version_id,
            article,
        })
    }

    /// Publishes `fresh` as the next version of the article at `slug`: same slug and
    /// question, the original posting date, `updated_at` set. Earlier versions and their
    /// votes are kept. `None` when there is no such article.
    pub fn publish_version(
        &self,
        slug: &str,
        fresh: &Article,
        at: &str,
    ) -> Result<Option<StoredArticle>, StoreError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let current: Option<(i64, String, String, u32, bool)> = tx
            .query_row(
                "SELECT a.id, a.question, a.posted_at, v.number, a.listed FROM articles a
                 JOIN versions v ON v.id = a.current_version WHERE a.slug = ?1",
                [slug],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, question, posted_at, number, listed)) = current else {
            return Ok(None);
        };
        let mut article = fresh.clone();
        article.slug = slug.to_owned();
        article.question = question;
        article.posted_at = posted_at;
        article.version = number + 1;
        article.updated_at = Some(at.to_owned());
        let version_id = insert_version(&tx, id, &article, at)?;
        tx.commit()?;
        Ok(Some(StoredArticle {
            id,
            listed,
            version_id,
            article,
        }))
    }

    /// Earlier and current versions of an article, newest first.
    pub fn versions(&self, article: i64) -> Result<Vec<VersionSummary>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT number, created_at, helpful, not_helpful FROM versions
             WHERE article = ?1 ORDER BY number DESC",
        )?;
        let rows = statement.query_map([article], |row| {
            Ok(VersionSummary {
                version: row.get(0)?,
                created_at: row.get(1)?,
                feedback: Feedback {
                    helpful: row.get(2)?,
                    not_helpful: row.get(3)?,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records (or replaces) a visitor's vote on an article version, and returns the
    /// version's counts after it, once committed. See [`Store::vote`].
    pub fn record_vote(
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

    /// Records (or replaces) a visitor's vote on the current version of the article at
    /// `slug`; `None` when there is no such article. The counters of the version and of the
    /// sources it cited move by the difference between the old vote and the new one, in the
    /// same transaction.
    ///
    /// Votes are written by one thread with its own connection: it takes every vote queued
    /// since its last commit and writes them in one transaction (group commit), then answers
    /// each. The future completes only after the transaction holding the vote committed.
    pub async fn vote(
        &self,
        slug: &str,
        visitor: &str,
        vote: &Vote,
        at: &str,
    ) -> Result<Option<Feedback>, StoreError> {
        let answer = self.enqueue(Target::Slug(slug.to_owned()), visitor, vote, at)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }

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

    /// The visitor's current vote on an article version.
    pub fn vote_of(&self, version: i64, visitor: &str) -> Result<Option<Vote>, StoreError> {
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

    /// Counts of an article version.
    pub fn feedback(&self, version: i64) -> Result<Feedback, StoreError> {
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

    /// Counts recomputed from the votes themselves (the counters must always agree).
    pub fn counted_votes(&self) -> Result<(u64, u64), StoreError> {
        Ok(self.db().query_row(
            "SELECT COALESCE(SUM(helpful), 0), COUNT(*) - COALESCE(SUM(helpful), 0) FROM votes",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    /// The newest listed articles.
    pub fn recent(&self, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        self.summaries(
            "WHERE a.listed = 1 ORDER BY a.posted_at DESC, a.id DESC LIMIT ?1",
            [Value::Integer(limit as i64)],
        )
    }

    /// Every article, listed or awaiting review, newest first (for the dashboard).
    pub fn all_articles(&self) -> Result<Vec<ArticleSummary>, StoreError> {
        self.summaries("ORDER BY a.posted_at DESC, a.id DESC", [])
    }

    /// Every listed article, newest first (what the public sitemap and an export show).
    pub fn listed_articles(&self) -> Result<Vec<ArticleSummary>, StoreError> {
        self.summaries(
            "WHERE a.listed = 1 ORDER BY a.posted_at DESC, a.id DESC",
            [],
        )
    }

    /// Lists an article that awaited review; `false` when there is no such article.
    pub fn approve(&self, slug: &str) -> Result<bool, StoreError> {
        let changed = self
            .db()
            .execute("UPDATE articles SET listed = 1 WHERE slug = ?1", [slug])?;
        Ok(changed > 0)
    }

    /// Articles first published at or after `since` (an RFC 3339 UTC time), listed or not.
    pub fn articles_since(&self, since: &str) -> Result<u64, StoreError> {
        let count: i64 = self.db().query_row(
            "SELECT COUNT(*) FROM articles WHERE posted_at >= ?1",
            [since],
            |row| row.get(0),
        )?;
        Ok(count as u64)
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

    /// The articles most recently published or regenerated, newest change first, each with
    /// its current version (for the feed).
    pub fn feed_articles(
        &self,
        limit: usize,
    ) -> Result<Vec<(ArticleSummary, Article)>, StoreError> {
        let summaries = self.summaries(
            "WHERE a.listed = 1
             ORDER BY COALESCE(json_extract(v.body, '$.updated_at'), a.posted_at) DESC, a.id DESC
             LIMIT ?1",
            [Value::Integer(limit as i64)],
        )?;
        let mut articles = Vec::with_capacity(summaries.len());
        for summary in summaries {
            if let Some(stored) = self.find_by_slug(&summary.slug)? {
                articles.push((summary, stored.article));
            }
        }
        Ok(articles)
    }

    /// One article with the counts of its current version, or `None` for an unknown slug.
    pub fn summary(&self, slug: &str) -> Result<Option<ArticleSummary>, StoreError> {
        Ok(self
            .summaries("WHERE a.slug = ?1", [Value::Text(slug.to_owned())])?
            .pop())
    }

    /// Articles whose current version has helpful votes, best Wilson lower bound first.
    pub fn most_helpful(&self, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        let mut list = self.summaries("WHERE a.listed = 1 AND v.helpful > 0", [])?;
        list.sort_by(|a, b| b.score.total_cmp(&a.score));
        list.truncate(limit);
        Ok(list)
    }

    /// Published articles matching `query` (questions, headings and text), ranked by
    /// relevance (BM25) times (1 + the Wilson lower bound of their votes).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        let Some(expression) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let ranked: Vec<(String, f64)> = {
            let db = self.db();
            let mut statement = db.prepare_cached(
                "SELECT slug, bm25(search, 4.0, 2.0, 1.0) FROM search WHERE search MATCH ?1
                 ORDER BY rank LIMIT 200",
            )?;
            statement
                .query_map([&expression], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        if ranked.is_empty() {
            return Ok(Vec::new());
        }
        let relevance: HashMap<String, f64> = ranked.into_iter().collect();
        let mut list: Vec<(f64, ArticleSummary)> = self
            .summaries(
                "WHERE a.listed = 1 AND a.slug IN (SELECT slug FROM search WHERE search MATCH ?1
                                  ORDER BY rank LIMIT 200)",
                [Value::Text(expression)],
            )?
            .into_iter()
            .filter_map(|summary| {
                // SQLite's bm25 is negative: more negative is more relevant.
                let relevance = -relevance.get(&summary.slug)?;
                Some((relevance * (1.0 + summary.score), summary))
            })
            .collect();
        list.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(list.into_iter().take(limit).map(|(_, s)| s).collect())
    }

    /// Articles with the counts of their current version; `tail` filters or orders, with
    /// `parameters` bound to its placeholders.
    fn summaries(
        &self,
        tail: &str,
        parameters: impl IntoIterator<Item = Value>,
    ) -> Result<Vec<ArticleSummary>, StoreError> {
        let db = self.db();
        let sql = format!(
            "SELECT a.slug, a.question, a.posted_at, json_extract(v.body, '$.updated_at'),
                    v.number, json_extract(v.body, '$.coverage.level'), v.helpful, v.not_helpful,
                    a.listed
             FROM articles a JOIN versions v ON v.id = a.current_version
             {tail}"
        );
        let mut statement = db.prepare_cached(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(parameters), |row| {
            let feedback = Feedback {
                helpful: row.get(6)?,
                not_helpful: row.get(7)?,
            };
            Ok(ArticleSummary {
                slug: row.get(0)?,
                question: row.get(1)?,
                posted_at: row.get(2)?,
                updated_at: row.get(3)?,
                version: row.get(4)?,
                coverage: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
                score: feedback.wilson_lower_bound(),
                feedback,
                listed: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reasons given on a version's votes, most frequent first.
    pub fn reasons(&self, version: i64) -> Result<Vec<(String, u64)>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT reason, COUNT(*) FROM votes WHERE version = ?1 AND reason IS NOT NULL
             GROUP BY reason ORDER BY COUNT(*) DESC, reason",
        )?;
        let rows = statement.query_map([version], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reasons given on the current version of every article, by slug.
    pub fn reasons_by_article(&self) -> Result<HashMap<String, Vec<(String, u64)>>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT a.slug, o.reason, COUNT(*) FROM votes o JOIN articles a ON a.current_version = o.version
             WHERE o.reason IS NOT NULL GROUP BY a.slug, o.reason ORDER BY COUNT(*) DESC, o.reason",
        )?;
        let mut map: HashMap<String, Vec<(String, u64)>> = HashMap::new();
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
        })?;
        for row in rows {
            let (slug, reason, count) = row?;
            map.entry(slug).or_default().push((reason, count));
        }
        Ok(map)
    }

    /// The latest comments, on one article (all its versions) or on all.
    pub fn comments(
        &self,
        article: Option<i64>,
        limit: usize,
    ) -> Result<Vec<CommentRow>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT a.slug, v.number, o.helpful, o.reason, o.comment, o.updated_at
             FROM votes o JOIN versions v ON v.id = o.version JOIN articles a ON a.id = v.article
             WHERE o.comment IS NOT NULL AND (?1 IS NULL OR a.id = ?1)
             ORDER BY o.updated_at DESC, o.rowid DESC LIMIT ?2",
        )?;
        let rows = statement.query_map(params![article, limit as i64], |row| {
            Ok(CommentRow {
                slug: row.get(0)?,
                version: row.get(1)?,
                helpful: row.get(2)?,
                reason: row.get(3)?,
                comment: row.get(4)?,
                at: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Votes per day (by their latest change) since `since` (`YYYY-MM-DD`), on one article
    /// (all versions) or on all.
    pub fn votes_per_day(
        &self,
        article: Option<i64>,
        since: &str,
    ) -> Result<Vec<DayCount>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT substr(o.updated_at, 1, 10) AS day, SUM(o.helpful), COUNT(*) - SUM(o.helpful)
             FROM votes o JOIN versions v ON v.id = o.version
             WHERE (?1 IS NULL OR v.article = ?1) AND o.updated_at >= ?2
             GROUP BY day ORDER BY day",
        )?;
        let rows = statement.query_map(params![article, since], |row| {
            Ok(DayCount {
                day: row.get(0)?,
                helpful: row.get(1)?,
                not_helpful: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every vote, for export, oldest first.
    pub fn export_votes(&self) -> Result<Vec<VoteRow>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT a.slug, a.question, v.number, o.helpful, o.reason, o.comment, o.created_at, o.updated_at
             FROM votes o JOIN versions v ON v.id = o.version JOIN articles a ON a.id = v.article
             ORDER BY o.created_at, o.rowid",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(VoteRow {
                slug: row.get(0)?,
                question: row.get(1)?,
                version: row.get(2)?,
                helpful: row.get(3)?,
                reason: row.get(4)?,
                comment: row.get(5)?,
                created_at: row.get(6)?,
                updated_at: row.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The sources readers' votes have moved, furthest from 1× first.
    pub fn source_adjustments(&self, limit: usize) -> Result<Vec<SourceAdjustment>, StoreError> {
        let mut list = self.all_source_adjustments()?;
        list.sort_by(|a, b| {
            (b.multiplier.ln().abs())
                .total_cmp(&a.multiplier.ln().abs())
                .then_with(|| a.key.cmp(&b.key))
        });
        list.truncate(limit);
        Ok(list)
    }

    fn all_source_adjustments(&self) -> Result<Vec<SourceAdjustment>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT source, title, helpful, blamed, unhelpful FROM sources
             WHERE helpful != 0 OR blamed != 0 OR unhelpful != 0",
        )?;
        let rows = statement.query_map([], |row| {
            let (helpful, blamed, unhelpful) = (row.get(2)?, row.get(3)?, row.get(4)?);
            Ok(SourceAdjustment {
                key: row.get(0)?,
                title: row.get(1)?,
                helpful,
                blamed,
                unhelpful,
                multiplier: source_multiplier(helpful, blamed, unhelpful),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The multipliers retrieval applies to sources (those different from 1×).
    pub fn source_priors(&self) -> Result<SourcePriors, StoreError> {
        Ok(self
            .all_source_adjustments()?
            .into_iter()
            .filter(|s| s.multiplier != 1.0)
            .map(|s| (s.key, s.multiplier as f32))
            .collect())
    }

    /// Sets a source back to 1×: the votes so far no longer count for it (later ones do).
    pub fn reset_source(&self, key: &str) -> Result<bool, StoreError> {
        let changed = self.db().execute(
            "UPDATE sources SET helpful = 0, blamed = 0, unhelpful = 0 WHERE source = ?1",
            [key],
        )?;
        Ok(changed > 0)
    }

    /// Forgets what links old votes to people: comments and visitor ids of votes last
    /// changed before `cutoff` (RFC 3339) are erased; the yes/no and reason stay counted.
    /// Returns how many votes were affected.
    pub fn expire(&self, cutoff: &str) -> Result<usize, StoreError> {
        Ok(self.db().execute(
            "UPDATE votes SET comment = NULL, visitor = 'expired-' || rowid
             WHERE updated_at < ?1 AND visitor NOT LIKE 'expired-%'",
            [cutoff],
        )?)
    }
}

/// The counts after a vote; `None` when its article does not exist.
type VoteResult = Result<Option<Feedback>, StoreError>;

/// Which version a vote goes to.
enum Target {
    Version(i64),
    /// The current version of the article at this slug.
    Slug(String),
}

/// A vote waiting for the next group commit, with where to send its result.
struct QueuedVote {
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
fn vote_writer(mut db: Connection, queue: std::sync::mpsc::Receiver<QueuedVote>) {
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
    let effect = |helpful: bool, reason: Option<&str>| {
        VoteEffect::of(helpful, reason.and_then(Reason::parse))
    };
    let old_effect = old
        .as_ref()
        .map(|(helpful, reason)| effect(*helpful, reason.as_deref()))
        .unwrap_or_default();
    let delta = effect(helpful, reason.as_deref()).minus(old_effect);
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

fn parse_body(slug: String, body: &str) -> Result<Article, StoreError> {
    serde_json::from_str(body).map_err(|source| StoreError::Corrupt { slug, source })
}

/// Stores a version, makes it the article's current one, records the sources it cites and
/// indexes it for search.
fn insert_version(
    tx: &Transaction<'_>,
    article_id: i64,
    article: &Article,
    at: &str,
) -> Result<i64, StoreError> {
    let body = serde_json::to_string(article).expect("an article always serialises");
    tx.execute(
        "INSERT INTO versions (article, number, created_at, body) VALUES (?1, ?2, ?3, ?4)",
        params![article_id, article.version, at, body],
    )?;
    let version_id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE articles SET current_version = ?1 WHERE id = ?2",
        params![version_id, article_id],
    )?;
    for source in &article.sources {
        tx.execute(
            "INSERT OR IGNORE INTO version_sources (version, source) VALUES (?1, ?2)",
            params![version_id, source.id],
        )?;
        tx.execute(
            "INSERT INTO sources (source, title) VALUES (?1, ?2)
             ON CONFLICT (source) DO UPDATE SET title = excluded.title",
            params![source.id, source.title],
        )?;
    }
    let headings: Vec<&str> = article.factors.iter().map(|f| f.heading.as_str()).collect();
    let text: Vec<&str> = article
        .overview
        .iter()
        .chain(article.factors.iter().flat_map(|f| f.sentences.iter()))
        .chain(article.summary.iter())
        .map(|s| s.text.as_str())
        .collect();
    tx.execute("DELETE FROM search WHERE slug = ?1", [&article.slug])?;
    tx.execute(
        "INSERT INTO search (slug, question, headings, body) VALUES (?1, ?2, ?3, ?4)",
        params![
            article.slug,
            article.question,
            headings.join(" \n"),
            text.join(" ")
        ],
    )?;
    Ok(version_id)
}

/// What one vote adds to the counters of its version and of the sources the version cited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct VoteEffect {
    helpful: i64,
    not_helpful: i64,
    /// "No" because the content was inaccurate or off-topic.
    blamed: i64,
    /// Any other "No".
    unhelpful: i64,
}

impl VoteEffect {
    fn of(helpful: bool, reason: Option<Reason>) -> VoteEffect {
        let blamed = !helpful && reason.is_some_and(Reason::blames_sources);
        VoteEffect {
            helpful: i64::from(helpful),
            not_helpful: i64::from(!helpful),
            blamed: i64::from(blamed),
            unhelpful: i64::from(!helpful && !blamed),
        }
    }

    fn minus(self, other: VoteEffect) -> VoteEffect {
        VoteEffect {
            helpful: self.helpful - other.helpful,
            not_helpful: self.not_helpful - other.not_helpful,
            blamed: self.blamed - other.blamed,
            unhelpful: self.unhelpful - other.unhelpful,
        }
    }
}

fn apply_effect(tx: &Transaction<'_>, version: i64, delta: VoteEffect) -> Result<(), StoreError> {
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

/// Query words joined for FTS5: each word quoted (so no operator a visitor types is obeyed),
/// any of them may match. `None` when there is no word.
fn fts_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .map(|w| format!("\"{}\"", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" OR "))
}

const SCHEMA: &str = "
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    normalized TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    current_version INTEGER REFERENCES versions(id),
    listed INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_by_time ON articles (posted_at);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    article INTEGER NOT NULL REFERENCES articles(id),
    number INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    helpful INTEGER NOT NULL DEFAULT 0,
    not_helpful INTEGER NOT NULL DEFAULT 0,
    UNIQUE (article, number)
);
CREATE TABLE votes (
    version INTEGER NOT NULL REFERENCES versions(id),
    visitor TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    reason TEXT,
    comment TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (version, visitor)
);
CREATE INDEX votes_by_time ON votes (updated_at);
CREATE TABLE version_sources (
    version INTEGER NOT NULL REFERENCES versions(id),
    source TEXT NOT NULL,
    PRIMARY KEY (version, source)
);
CREATE TABLE sources (
    source TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    helpful INTEGER NOT NULL DEFAULT 0,
    blamed INTEGER NOT NULL DEFAULT 0,
    unhelpful INTEGER NOT NULL DEFAULT 0
);
CREATE VIRTUAL TABLE search USING fts5 (
    slug UNINDEXED, question, headings, body, tokenize = 'porter unicode61'
);
";

/// The current version of the article matching `condition` (with `?1` bound to `value`).
fn find_article(
    db: &Connection,
    condition: &str,
    value: &str,
) -> Result<Option<StoredArticle>, StoreError> {
    let sql = format!(
        "SELECT a.id, v.id, a.slug, v.body, a.listed FROM articles a
         JOIN versions v ON v.id = a.current_version WHERE {condition}"
    );
    let row: Option<(i64, i64, String, String, bool)> = db
        .prepare_cached(&sql)?
        .query_row([value], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .optional()?;
    row.map(|(id, version_id, slug, body, listed)| {
        Ok(StoredArticle {
            id,
            listed,
            version_id,
            article: parse_body(slug, &body)?,
        })
    })
    .transpose()
}

/// A vote of the first schema: visitor, helpful, reason, comment, created, updated.
type V1Vote = (String, bool, Option<String>, Option<String>, String, String);

/// Brings the database to [`SCHEMA_VERSION`]: creates it, or moves a first-release
/// database (one row per article, votes per article) to versions, keeping every vote.
fn migrate(db: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = db.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = db.transaction()?;
    // Version 3 added the job queue to version 2; version 4 articles awaiting review.
    if found == 2 || found == 3 {
        if found == 2 {
            tx.execute_batch(crate::jobs::SCHEMA)?;
        }
        tx.execute_batch(
            "ALTER TABLE articles ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
             CREATE INDEX articles_by_time ON articles (posted_at);",
        )?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        return Ok(());
    }
    let has_v1: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles')",
        [],
        |row| row.get(0),
    )?;
    if has_v1 {
        tx.execute_batch(
            "ALTER TABLE articles RENAME TO articles_v1; ALTER TABLE votes RENAME TO votes_v1;",
        )?;
    }
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(crate::jobs::SCHEMA)?;
    if has_v1 {
        let old: Vec<(i64, String, String, String, String, String)> = tx
            .prepare("SELECT id, slug, normalized, question, posted_at, body FROM articles_v1 ORDER BY id")?
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
            })?
            .collect::<Result<_, _>>()?;
        for (id, slug, normalized, question, posted_at, body) in old {
            let article = parse_body(slug.clone(), &body)?;
            tx.execute(
                "INSERT INTO articles (id, slug, normalized, question, posted_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, slug, normalized, question, posted_at],
            )?;
            let version = insert_version(&tx, id, &article, &posted_at)?;
            let votes: Vec<V1Vote> = tx
                .prepare("SELECT visitor, helpful, reason, comment, created_at, updated_at FROM votes_v1 WHERE article = ?1")?
                .query_map([id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
                })?
                .collect::<Result<_, _>>()?;
            for (visitor, helpful, reason, comment, created_at, updated_at) in votes {
                tx.execute(
                    "INSERT INTO votes (version, visitor, helpful, reason, comment, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![version, visitor, helpful, reason, comment, created_at, updated_at],
                )?;
                let reason = reason.as_deref().and_then(Reason::parse);
                apply_effect(&tx, version, VoteEffect::of(helpful, reason))?;
            }
        }
        tx.execute_batch("DROP TABLE votes_v1; DROP TABLE articles_v1;")?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries_quote_every_word() {
        assert_eq!(
            fts_query("why NEAR(x) \"famine\" OR *").as_deref(),
            Some("\"why\" OR \"near\" OR \"x\" OR \"famine\" OR \"or\"")
        );
        assert_eq!(fts_query("  ?! "), None);
    }

    #[test]
    fn a_changed_vote_moves_counters_by_the_difference() {
        let no_blamed = VoteEffect::of(false, Some(Reason::Inaccurate));
        let yes = VoteEffect::of(true, None);
        let delta = yes.minus(no_blamed);
        assert_eq!(
            delta,
            VoteEffect {
                helpful: 1,
                not_helpful: -1,
                blamed: -1,
                unhelpful: 0
            }
        );
    }
}
