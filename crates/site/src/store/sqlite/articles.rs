//! Articles and their versions: publishing, finding, listing and searching them.

use explain::Article;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::*;

impl Articles for SqliteStore {
    fn find_by_question(&self, normalized: &str) -> Result<Option<StoredArticle>, StoreError> {
        find_article(&self.db(), "a.normalized = ?1", normalized)
    }

    fn find_by_slug(&self, slug: &str) -> Result<Option<StoredArticle>, StoreError> {
        find_article(&self.db(), "a.slug = ?1", slug)
    }

    fn current_version_of(&self, slug: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .db()
            .prepare_cached("SELECT current_version FROM articles WHERE slug = ?1")?
            .query_row([slug], |row| row.get(0))
            .optional()?)
    }

    fn publish_listed(
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
        let mut free = None;
        for slug in candidate_slugs(&article.slug) {
            let taken: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM articles WHERE slug = ?1)",
                [&slug],
                |row| row.get(0),
            )?;
            if !taken {
                free = Some(slug);
                break;
            }
        }
        let slug = free.ok_or_else(|| StoreError::SlugsExhausted(article.slug.clone()))?;
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

    fn publish_version(
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

    fn versions(&self, article: i64) -> Result<Vec<VersionSummary>, StoreError> {
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

    fn list(&self, listing: Listing<'_>) -> Result<Vec<ArticleSummary>, StoreError> {
        let limit = |n: usize| Value::Integer(n as i64);
        match listing {
            Listing::Recent(n) => self.summaries(
                "WHERE a.listed = 1 ORDER BY a.posted_at DESC, a.id DESC LIMIT ?1",
                [limit(n)],
            ),
            Listing::All => self.summaries("ORDER BY a.posted_at DESC, a.id DESC", []),
            Listing::Listed => self.summaries(
                "WHERE a.listed = 1 ORDER BY a.posted_at DESC, a.id DESC",
                [],
            ),
            Listing::Slug(slug) => self.summaries("WHERE a.slug = ?1", [Value::Text(slug.into())]),
            Listing::Helpful => self.summaries("WHERE a.listed = 1 AND v.helpful > 0", []),
            Listing::Feed(n) => self.summaries(
                "WHERE a.listed = 1
                 ORDER BY COALESCE(json_extract(v.body, '$.updated_at'), a.posted_at) DESC, a.id DESC
                 LIMIT ?1",
                [limit(n)],
            ),
        }
    }

    fn approve(&self, slug: &str) -> Result<bool, StoreError> {
        let changed = self
            .db()
            .execute("UPDATE articles SET listed = 1 WHERE slug = ?1", [slug])?;
        Ok(changed > 0)
    }

    fn articles_since(&self, since: &str) -> Result<u64, StoreError> {
        let count: i64 = self.db().query_row(
            "SELECT COUNT(*) FROM articles WHERE posted_at >= ?1",
            [since],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }

    /// FTS5 with BM25, the question weighing 4, headings 2, the text 1. Each word is quoted,
    /// so no FTS5 operator is obeyed.
    fn matching(&self, words: &[String]) -> Result<Vec<(ArticleSummary, f64)>, StoreError> {
        let expression = words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR ");
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
        Ok(self
            .summaries(
                "WHERE a.listed = 1 AND a.slug IN (SELECT slug FROM search WHERE search MATCH ?1
                                  ORDER BY rank LIMIT 200)",
                [Value::Text(expression)],
            )?
            .into_iter()
            // SQLite's bm25 is negative: more negative is more relevant.
            .filter_map(|summary| Some((-relevance.get(&summary.slug)?, summary)))
            .map(|(relevance, summary)| (summary, relevance))
            .collect())
    }

    fn article_count(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .db()
            .query_row("SELECT COUNT(*) FROM articles", [], |row| row.get(0))?;
        Ok(count as u64)
    }
}

impl SqliteStore {
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
}

/// Stores a version, makes it the article's current one, records the sources it cites and
/// indexes it for search.
pub(super) fn insert_version(
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
    let (headings, text) = searchable(article);
    tx.execute("DELETE FROM search WHERE slug = ?1", [&article.slug])?;
    tx.execute(
        "INSERT INTO search (slug, question, headings, body) VALUES (?1, ?2, ?3, ?4)",
        params![article.slug, article.question, headings, text],
    )?;
    Ok(version_id)
}

/// The current version of the article matching `condition` (with `?1` bound to `value`).
pub(super) fn find_article(
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
