//! The schema and its version (the `because_schema` table), the same version numbers as
//! SQLite's `PRAGMA user_version`. A PostgreSQL database starts at version 4.

use super::*;

const SCHEMA: &str = "
CREATE TABLE articles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    normalized TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    current_version BIGINT,
    listed BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX articles_by_time ON articles (posted_at);
CREATE TABLE versions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article BIGINT NOT NULL REFERENCES articles(id),
    number BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    body JSONB NOT NULL,
    helpful BIGINT NOT NULL DEFAULT 0,
    not_helpful BIGINT NOT NULL DEFAULT 0,
    UNIQUE (article, number)
);
ALTER TABLE articles ADD FOREIGN KEY (current_version) REFERENCES versions(id);
CREATE TABLE votes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    version BIGINT NOT NULL REFERENCES versions(id),
    visitor TEXT NOT NULL,
    helpful BOOLEAN NOT NULL,
    reason TEXT,
    comment TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (version, visitor)
);
CREATE INDEX votes_by_time ON votes (updated_at);
CREATE TABLE version_sources (
    version BIGINT NOT NULL REFERENCES versions(id),
    source TEXT NOT NULL,
    PRIMARY KEY (version, source)
);
CREATE TABLE sources (
    source TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    helpful BIGINT NOT NULL DEFAULT 0,
    blamed BIGINT NOT NULL DEFAULT 0,
    unhelpful BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE search (
    slug TEXT PRIMARY KEY,
    document TSVECTOR NOT NULL
);
CREATE INDEX search_documents ON search USING GIN (document);
CREATE TABLE jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL,
    writer TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    version BIGINT,
    detail TEXT,
    node INTEGER
);
CREATE INDEX jobs_by_state ON jobs (state, id);
CREATE UNIQUE INDEX jobs_queued_once ON jobs (slug, writer) WHERE state = 'queued';
";

/// The advisory lock migrations take, so nodes starting together migrate one at a time.
const MIGRATION_LOCK: i64 = 0x6265_6361_7573_6501;

/// Brings the database to [`SCHEMA_VERSION`]: creates the schema in an empty database.
pub(super) async fn migrate(client: &mut Object) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS because_schema (version BIGINT NOT NULL)")
        .await?;
    let found: Option<i64> = tx
        .query_opt("SELECT max(version) FROM because_schema", &[])
        .await?
        .and_then(|row| row.get(0));
    match found {
        Some(found) if found > SCHEMA_VERSION => return Err(StoreError::NewerSchema { found }),
        Some(_) => return Ok(()),
        None => {}
    }
    tx.batch_execute(SCHEMA).await?;
    tx.execute(
        "INSERT INTO because_schema (version) VALUES ($1)",
        &[&SCHEMA_VERSION],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
