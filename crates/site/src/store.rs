//! Articles and votes in SQLite. One vote per visitor per article: voting again replaces
//! the earlier vote. Every write is a single statement or transaction, so a vote that was
//! acknowledged is on disk (WAL, synchronous=NORMAL survives a process crash).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use explain::Article;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::feedback::{Reason, Vote, wilson_lower_bound};

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
}

/// An article as published.
#[derive(Debug, Clone)]
pub struct StoredArticle {
    pub id: i64,
    pub article: Article,
}

/// Vote counts of one article.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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
}

/// A line of an article list (home page).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub question: String,
    pub posted_at: String,
    pub coverage: String,
    pub feedback: Feedback,
    pub score: f64,
}

pub struct Store {
    db: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                dir: dir.to_owned(),
                source,
            })?;
        }
        let db = Connection::open(path)?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS articles (
                 id INTEGER PRIMARY KEY,
                 slug TEXT NOT NULL UNIQUE,
                 normalized TEXT NOT NULL UNIQUE,
                 question TEXT NOT NULL,
                 posted_at TEXT NOT NULL,
                 body TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS votes (
                 article INTEGER NOT NULL REFERENCES articles(id),
                 visitor TEXT NOT NULL,
                 helpful INTEGER NOT NULL,
                 reason TEXT,
                 comment TEXT,
                 created_at TEXT NOT NULL,
                 updated_at TEXT NOT NULL,
                 PRIMARY KEY (article, visitor)
             );",
        )?;
        Ok(Store { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // SQLite rolls back an unfinished transaction itself; a poisoned lock is safe to reuse.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The article published for this normalised question, if any.
    pub fn find_by_question(&self, normalized: &str) -> Result<Option<StoredArticle>, StoreError> {
        self.find("normalized", normalized)
    }

    pub fn find_by_slug(&self, slug: &str) -> Result<Option<StoredArticle>, StoreError> {
        self.find("slug", slug)
    }

    fn find(&self, column: &str, value: &str) -> Result<Option<StoredArticle>, StoreError> {
        let db = self.db();
        let sql = format!("SELECT id, slug, body FROM articles WHERE {column} = ?1");
        let row: Option<(i64, String, String)> = db
            .prepare_cached(&sql)?
            .query_row([value], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?;
        row.map(|(id, slug, body)| {
            let article = serde_json::from_str(&body)
                .map_err(|source| StoreError::Corrupt { slug, source })?;
            Ok(StoredArticle { id, article })
        })
        .transpose()
    }

    /// Publishes an article for a normalised question. If another request published one for
    /// the same question first, that one is returned instead. A slug already taken by a
    /// different question gets a numeric suffix.
    pub fn publish(
        &self,
        normalized: &str,
        article: &Article,
    ) -> Result<StoredArticle, StoreError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let existing: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT id, slug, body FROM articles WHERE normalized = ?1",
                [normalized],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        if let Some((id, slug, body)) = existing {
            let article = serde_json::from_str(&body)
                .map_err(|source| StoreError::Corrupt { slug, source })?;
            return Ok(StoredArticle { id, article });
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
        let body = serde_json::to_string(&article).expect("an article always serialises");
        tx.execute(
            "INSERT INTO articles (slug, normalized, question, posted_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![article.slug, normalized, article.question, article.posted_at, body],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(StoredArticle { id, article })
    }

    /// Records (or replaces) a visitor's vote on an article.
    pub fn record_vote(
        &self,
        article: i64,
        visitor: &str,
        vote: &Vote,
        at: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .prepare_cached(
                "INSERT INTO votes (article, visitor, helpful, reason, comment, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 ON CONFLICT (article, visitor) DO UPDATE SET
                     helpful = excluded.helpful, reason = excluded.reason,
                     comment = excluded.comment, updated_at = excluded.updated_at",
            )?
            .execute(params![
                article,
                visitor,
                vote.helpful,
                vote.reason.map(Reason::as_str),
                vote.comment,
                at
            ])?;
        Ok(())
    }

    /// The visitor's current vote on an article.
    pub fn vote_of(&self, article: i64, visitor: &str) -> Result<Option<Vote>, StoreError> {
        let row: Option<(bool, Option<String>, Option<String>)> = self
            .db()
            .prepare_cached(
                "SELECT helpful, reason, comment FROM votes WHERE article = ?1 AND visitor = ?2",
            )?
            .query_row(params![article, visitor], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        Ok(row.map(|(helpful, reason, comment)| Vote {
            helpful,
            reason: reason.as_deref().and_then(Reason::parse),
            comment,
        }))
    }

    pub fn feedback(&self, article: i64) -> Result<Feedback, StoreError> {
        let (helpful, total): (i64, i64) = self
            .db()
            .prepare_cached(
                "SELECT COALESCE(SUM(helpful), 0), COUNT(*) FROM votes WHERE article = ?1",
            )?
            .query_row([article], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(Feedback {
            helpful: helpful as u64,
            not_helpful: (total - helpful) as u64,
        })
    }

    /// The newest articles.
    pub fn recent(&self, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        self.summaries("ORDER BY a.posted_at DESC, a.id DESC", Some(limit))
    }

    /// Articles with votes, best Wilson lower bound first.
    pub fn most_helpful(&self, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        // The bound is computed in Rust; SQLite only narrows to articles with a helpful vote.
        let mut list = self.summaries("HAVING SUM(v.helpful) > 0", None)?;
        list.sort_by(|a, b| b.score.total_cmp(&a.score));
        list.truncate(limit);
        Ok(list)
    }

    /// Articles with their vote counts; `tail` orders or filters the grouped rows.
    fn summaries(
        &self,
        tail: &str,
        limit: Option<usize>,
    ) -> Result<Vec<ArticleSummary>, StoreError> {
        let db = self.db();
        let limit_clause = if limit.is_some() { "LIMIT ?1" } else { "" };
        let sql = format!(
            "SELECT a.slug, a.question, a.posted_at, json_extract(a.body, '$.coverage.level'),
                    COALESCE(SUM(v.helpful), 0), COUNT(v.visitor)
             FROM articles a LEFT JOIN votes v ON v.article = a.id
             GROUP BY a.id {tail} {limit_clause}"
        );
        let mut statement = db.prepare_cached(&sql)?;
        let parameters: Vec<i64> = limit.map(|l| l as i64).into_iter().collect();
        let rows = statement.query_map(rusqlite::params_from_iter(parameters), |row| {
            let helpful: i64 = row.get(4)?;
            let total: i64 = row.get(5)?;
            let feedback = Feedback {
                helpful: helpful as u64,
                not_helpful: (total - helpful) as u64,
            };
            Ok(ArticleSummary {
                slug: row.get(0)?,
                question: row.get(1)?,
                posted_at: row.get(2)?,
                coverage: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                score: feedback.wilson_lower_bound(),
                feedback,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
