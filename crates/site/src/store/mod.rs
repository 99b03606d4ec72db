//! What the site stores (articles, their versions, votes, what votes taught about sources,
//! the job queue) behind one interface with two implementations: SQLite in the data dir,
//! the embedded default ([`sqlite`]), and PostgreSQL for several nodes sharing one database
//! ([`postgres`]). Both keep the same schema version and pass the same test suite.
//!
//! An article keeps every version it was published in; a vote belongs to the version it was
//! cast on, so a regenerated article starts with a clean rating while the history remains.
//! One vote per visitor per version: voting again replaces it. Each vote also moves the
//! sources its version cited (see [`crate::feedback::source_multiplier`]), in the same
//! transaction, so the counters kept beside the votes always equal the votes. A vote is
//! acknowledged only after its transaction committed.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use explain::{Article, SourcePriors};
use serde::Serialize;

use crate::feedback::{Reason, Vote, wilson_lower_bound, wilson_upper_bound};
use crate::jobs::{Job, WriterKind};

pub mod postgres;
pub mod sqlite;

/// The schema this code reads and writes (SQLite's `PRAGMA user_version`, PostgreSQL's
/// `because_schema` table): the same numbers for both databases.
pub const SCHEMA_VERSION: i64 = 4;

/// Failures of the site's database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("site database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("site database error (PostgreSQL): {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("cannot reach the site database (PostgreSQL): {0}")]
    Pool(String),
    #[error("not a PostgreSQL connection URL ({0}); expected postgres://user@host:port/database")]
    DatabaseUrl(String),
    #[error("cannot start the PostgreSQL client: {0}")]
    Runtime(#[source] std::io::Error),
    #[error(
        "`because backup` copies SQLite databases; back up PostgreSQL with its own tools \
         (pg_dump for a consistent copy, pg_basebackup with WAL archiving for point-in-time recovery)"
    )]
    BackupUnsupported,
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

/// Where the site's database is: a SQLite file, or a PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// A `postgres://` (or `postgresql://`) connection URL.
    Postgres(String),
}

/// A store's answer that completes later (a vote waits for its commit).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Which articles a listing holds, and in what order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing<'a> {
    /// The newest listed articles.
    Recent(usize),
    /// Every article, listed or awaiting review, newest first.
    All,
    /// Every listed article, newest first.
    Listed,
    /// The article at this slug, listed or not.
    Slug(&'a str),
    /// Listed articles whose current version has helpful votes (any order).
    Helpful,
    /// Listed articles, most recently published or regenerated first.
    Feed(usize),
}

/// Articles and their versions: publishing, finding, listing and searching them.
pub trait Articles {
    /// The article published for this normalised question, if any (current version).
    fn find_by_question(&self, normalized: &str) -> Result<Option<StoredArticle>, StoreError>;

    /// The current version of the article at `slug`.
    fn find_by_slug(&self, slug: &str) -> Result<Option<StoredArticle>, StoreError>;

    /// The version row votes on `slug` go to, without reading the article.
    fn current_version_of(&self, slug: &str) -> Result<Option<i64>, StoreError>;

    /// Publishes an article for a normalised question, listed or (`false`) awaiting review
    /// until [`Articles::approve`]. If another request (on any node) published one for the
    /// same question first, that one is returned instead. A slug already taken by a
    /// different question gets a numeric suffix.
    fn publish_listed(
        &self,
        normalized: &str,
        article: &Article,
        listed: bool,
    ) -> Result<StoredArticle, StoreError>;

    /// [`Articles::publish_listed`], listed.
    fn publish(&self, normalized: &str, article: &Article) -> Result<StoredArticle, StoreError> {
        self.publish_listed(normalized, article, true)
    }

    /// Publishes `fresh` as the next version of the article at `slug`: same slug and
    /// question, the original posting date, `updated_at` set. Earlier versions and their
    /// votes are kept. `None` when there is no such article.
    fn publish_version(
        &self,
        slug: &str,
        fresh: &Article,
        at: &str,
    ) -> Result<Option<StoredArticle>, StoreError>;

    /// Earlier and current versions of an article, newest first.
    fn versions(&self, article: i64) -> Result<Vec<VersionSummary>, StoreError>;

    /// Articles with the counts of their current version.
    fn list(&self, listing: Listing<'_>) -> Result<Vec<ArticleSummary>, StoreError>;

    /// Lists an article that awaited review; `false` when there is no such article.
    fn approve(&self, slug: &str) -> Result<bool, StoreError>;

    /// Articles first published at or after `since` (an RFC 3339 UTC time), listed or not.
    fn articles_since(&self, since: &str) -> Result<u64, StoreError>;

    /// Listed articles matching any of `words` (lowercase, letters and digits only) in their
    /// question, headings or text, with a relevance above 0 (higher is better); at most 200.
    fn matching(&self, words: &[String]) -> Result<Vec<(ArticleSummary, f64)>, StoreError>;

    /// Number of published articles; also proves the database answers.
    fn article_count(&self) -> Result<u64, StoreError>;

    /// The newest listed articles.
    fn recent(&self, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        self.list(Listing::Recent(limit))
    }

    /// Every article, listed or awaiting review, newest first (for the dashboard).
    fn all_articles(&self) -> Result<Vec<ArticleSummary>, StoreError> {
        self.list(Listing::All)
    }

    /// Every listed article, newest first (what the public sitemap and an export show).
    fn listed_articles(&self) -> Result<Vec<ArticleSummary>, StoreError> {
        self.list(Listing::Listed)
    }

    /// One article with the counts of its current version, or `None` for an unknown slug.
    fn summary(&self, slug: &str) -> Result<Option<ArticleSummary>, StoreError> {
        Ok(self.list(Listing::Slug(slug))?.pop())
    }

    /// Articles whose current version has helpful votes, best Wilson lower bound first.
    fn most_helpful(&self, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        let mut list = self.list(Listing::Helpful)?;
        list.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.slug.cmp(&b.slug))
        });
        list.truncate(limit);
        Ok(list)
    }

    /// The articles most recently published or regenerated, newest change first, each with
    /// its current version (for the feed).
    fn feed_articles(&self, limit: usize) -> Result<Vec<(ArticleSummary, Article)>, StoreError> {
        let mut articles = Vec::new();
        for summary in self.list(Listing::Feed(limit))? {
            if let Some(stored) = self.find_by_slug(&summary.slug)? {
                articles.push((summary, stored.article));
            }
        }
        Ok(articles)
    }

    /// Published articles matching `query` (questions, headings and text), ranked by
    /// relevance times (1 + the Wilson lower bound of their votes). Nothing a visitor types
    /// is read as an operator: only its words count, any of them may match.
    fn search(&self, query: &str, limit: usize) -> Result<Vec<ArticleSummary>, StoreError> {
        let words = search_words(query);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut ranked: Vec<(f64, ArticleSummary)> = self
            .matching(&words)?
            .into_iter()
            .map(|(summary, relevance)| (relevance * (1.0 + summary.score), summary))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.slug.cmp(&b.1.slug)));
        Ok(ranked.into_iter().take(limit).map(|(_, s)| s).collect())
    }
}

/// The words of a visitor's search: lowercase runs of letters and digits, at most 32.
pub fn search_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .map(str::to_lowercase)
        .collect()
}

/// Votes and the counters beside them.
pub trait Votes {
    /// Records (or replaces) a visitor's vote on the current version of the article at
    /// `slug`; `None` when there is no such article. The counters of the version and of the
    /// sources it cited move by the difference between the old vote and the new one, in the
    /// same transaction. The future completes only after that transaction committed.
    fn vote<'a>(
        &'a self,
        slug: &'a str,
        visitor: &'a str,
        vote: &'a Vote,
        at: &'a str,
    ) -> StoreFuture<'a, Option<Feedback>>;

    /// Records (or replaces) a visitor's vote on an article version, and returns the
    /// version's counts after it, once committed.
    fn record_vote(
        &self,
        version: i64,
        visitor: &str,
        vote: &Vote,
        at: &str,
    ) -> Result<Feedback, StoreError>;

    /// The visitor's current vote on an article version.
    fn vote_of(&self, version: i64, visitor: &str) -> Result<Option<Vote>, StoreError>;

    /// Counts of an article version.
    fn feedback(&self, version: i64) -> Result<Feedback, StoreError>;

    /// Counts recomputed from the votes themselves (the counters must always agree).
    fn counted_votes(&self) -> Result<(u64, u64), StoreError>;

    /// Forgets what links old votes to people: comments and visitor ids of votes last
    /// changed before `cutoff` (RFC 3339) are erased; the yes/no and reason stay counted.
    /// Returns how many votes were affected.
    fn expire(&self, cutoff: &str) -> Result<usize, StoreError>;
}

/// What the dashboard reads: reasons, comments, votes per day, the CSV export, and what
/// votes taught about sources.
pub trait Dashboard {
    /// Reasons given on a version's votes, most frequent first.
    fn reasons(&self, version: i64) -> Result<Vec<(String, u64)>, StoreError>;

    /// Reasons given on the current version of every article, by slug.
    fn reasons_by_article(&self) -> Result<HashMap<String, Vec<(String, u64)>>, StoreError>;

    /// The latest comments, on one article (all its versions) or on all.
    fn comments(&self, article: Option<i64>, limit: usize) -> Result<Vec<CommentRow>, StoreError>;

    /// Votes per day (by their latest change) since `since` (`YYYY-MM-DD`), on one article
    /// (all versions) or on all.
    fn votes_per_day(&self, article: Option<i64>, since: &str)
    -> Result<Vec<DayCount>, StoreError>;

    /// Every vote, for export, oldest first.
    fn export_votes(&self) -> Result<Vec<VoteRow>, StoreError>;

    /// Every source whose counters votes have moved.
    fn all_source_adjustments(&self) -> Result<Vec<SourceAdjustment>, StoreError>;

    /// Sets a source back to 1×: the votes so far no longer count for it (later ones do).
    fn reset_source(&self, key: &str) -> Result<bool, StoreError>;

    /// The sources readers' votes have moved, furthest from 1× first.
    fn source_adjustments(&self, limit: usize) -> Result<Vec<SourceAdjustment>, StoreError> {
        let mut list = self.all_source_adjustments()?;
        list.sort_by(|a, b| {
            (b.multiplier.ln().abs())
                .total_cmp(&a.multiplier.ln().abs())
                .then_with(|| a.key.cmp(&b.key))
        });
        list.truncate(limit);
        Ok(list)
    }

    /// The multipliers retrieval applies to sources (those different from 1×).
    fn source_priors(&self) -> Result<SourcePriors, StoreError> {
        Ok(self
            .all_source_adjustments()?
            .into_iter()
            .filter(|s| s.multiplier != 1.0)
            .map(|s| (s.key, s.multiplier as f32))
            .collect())
    }
}

/// The queue of background jobs (see [`crate::jobs`]).
pub trait JobQueue {
    /// Queues a job, or returns the one already queued for the same article and writer.
    fn enqueue_job(&self, slug: &str, writer: WriterKind, at: &str) -> Result<Job, StoreError>;

    /// Takes the oldest queued job: it is `running` from now, one attempt more. Two workers
    /// (on any node) never take the same job.
    fn claim_job(&self, at: &str) -> Result<Option<Job>, StoreError>;

    /// Records a job's end: `done` with the version it published, or `failed`.
    fn finish_job(
        &self,
        id: i64,
        outcome: Result<(u32, String), String>,
        at: &str,
    ) -> Result<(), StoreError>;

    /// At start: jobs left `running` by a stopped process are queued again, or given up
    /// after [`crate::jobs::MAX_ATTEMPTS`]. Returns how many were queued again.
    fn recover_jobs(&self, at: &str) -> Result<usize, StoreError>;

    fn job(&self, id: i64) -> Result<Option<Job>, StoreError>;

    /// The newest jobs first.
    fn recent_jobs(&self, limit: usize) -> Result<Vec<Job>, StoreError>;

    /// The newest jobs of one article first.
    fn jobs_of(&self, slug: &str, limit: usize) -> Result<Vec<Job>, StoreError>;

    /// Jobs waiting and running.
    fn queue_depth(&self) -> Result<(u64, u64), StoreError>;
}

/// Everything the site stores, in one database.
pub trait Backend: Articles + Votes + Dashboard + JobQueue + Send + Sync {
    /// Writes a consistent copy of the whole database to `target` while the site serves.
    fn backup_to(&self, target: &Path) -> Result<(), StoreError>;

    /// "SQLite" or "PostgreSQL".
    fn kind(&self) -> &'static str;
}

/// The site's database, whichever it is. Its methods are those of [`Backend`].
pub struct Store {
    backend: Box<dyn Backend>,
}

impl Store {
    /// Opens (creating it and its folder if needed) the SQLite database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Box::new(sqlite::SqliteStore::open(path)?),
        })
    }

    /// Connects to a PostgreSQL database (a `postgres://` URL) and brings its schema up to
    /// date.
    pub fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Box::new(postgres::PostgresStore::connect(url)?),
        })
    }

    /// Opens the database wherever it is.
    pub fn open_database(database: &Database) -> Result<Store, StoreError> {
        match database {
            Database::Sqlite(path) => Store::open(path),
            Database::Postgres(url) => Store::connect(url),
        }
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &(dyn Backend + 'static) {
        &*self.backend
    }
}

/// What one vote adds to the counters of its version and of the sources the version cited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct VoteEffect {
    pub helpful: i64,
    pub not_helpful: i64,
    /// "No" because the content was inaccurate or off-topic.
    pub blamed: i64,
    /// Any other "No".
    pub unhelpful: i64,
}

impl VoteEffect {
    pub(crate) fn of(helpful: bool, reason: Option<&str>) -> VoteEffect {
        let reason = reason.and_then(Reason::parse);
        let blamed = !helpful && reason.is_some_and(Reason::blames_sources);
        VoteEffect {
            helpful: i64::from(helpful),
            not_helpful: i64::from(!helpful),
            blamed: i64::from(blamed),
            unhelpful: i64::from(!helpful && !blamed),
        }
    }

    pub(crate) fn minus(self, other: VoteEffect) -> VoteEffect {
        VoteEffect {
            helpful: self.helpful - other.helpful,
            not_helpful: self.not_helpful - other.not_helpful,
            blamed: self.blamed - other.blamed,
            unhelpful: self.unhelpful - other.unhelpful,
        }
    }

    /// The change from an earlier vote (helpful, reason), if any, to a new one.
    pub(crate) fn change(
        old: Option<(bool, Option<&str>)>,
        new: (bool, Option<&str>),
    ) -> VoteEffect {
        let old = old
            .map(|(helpful, reason)| VoteEffect::of(helpful, reason))
            .unwrap_or_default();
        VoteEffect::of(new.0, new.1).minus(old)
    }
}

/// The slugs an article may take, in order: its own, then with a numeric suffix ("-2" …
/// "-1000") when a different question took it first.
pub(crate) fn candidate_slugs(base: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(base.to_owned()).chain((2..=1000).map(move |n| format!("{base}-{n}")))
}

/// An article's stored body read back.
pub(crate) fn parse_body(slug: String, body: &str) -> Result<Article, StoreError> {
    serde_json::from_str(body).map_err(|source| StoreError::Corrupt { slug, source })
}

/// What search indexes of an article: its headings, and its text.
pub(crate) fn searchable(article: &Article) -> (String, String) {
    let headings: Vec<&str> = article.factors.iter().map(|f| f.heading.as_str()).collect();
    let text: Vec<&str> = article
        .overview
        .iter()
        .chain(article.factors.iter().flat_map(|f| f.sentences.iter()))
        .chain(article.summary.iter())
        .map(|s| s.text.as_str())
        .collect();
    (headings.join(" \n"), text.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_vote_moves_counters_by_the_difference() {
        let delta = VoteEffect::change(Some((false, Some("inaccurate"))), (true, None));
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

    #[test]
    fn search_words_drop_every_operator() {
        assert_eq!(
            search_words("why NEAR(x) \"famine\" OR * a|b & !c"),
            ["why", "near", "x", "famine", "or", "a", "b", "c"]
        );
        assert!(search_words("  ?! ").is_empty());
    }
}
