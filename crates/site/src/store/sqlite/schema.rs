//! The schema and its migrations (the version in `PRAGMA user_version`).

use rusqlite::{Connection, params};

use super::articles::insert_version;
use super::votes::apply_effect;
use super::*;

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

/// A vote of the first schema: visitor, helpful, reason, comment, created, updated.
type V1Vote = (String, bool, Option<String>, Option<String>, String, String);

/// Brings the database to [`SCHEMA_VERSION`]: creates it, or moves a first-release
/// database (one row per article, votes per article) to versions, keeping every vote.
pub(super) fn migrate(db: &mut Connection) -> Result<(), StoreError> {
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
            tx.execute_batch(super::jobs::SCHEMA)?;
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
    tx.execute_batch(super::jobs::SCHEMA)?;
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
                apply_effect(&tx, version, VoteEffect::of(helpful, reason.as_deref()))?;
            }
        }
        tx.execute_batch("DROP TABLE votes_v1; DROP TABLE articles_v1;")?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}
