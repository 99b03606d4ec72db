//! Articles and their versions: publishing, finding, listing and searching them.

use explain::Article;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::*;

impl Store {
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
}

pub(super) fn parse_body(slug: String, body: &str) -> Result<Article, StoreError> {
    serde_json::from_str(body).map_err(|source| StoreError::Corrupt { slug, source })
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

/// Query words joined for FTS5: each word quoted (so no operator a visitor types is obeyed),
/// any of them may match. `None` when there is no word.
pub(super) fn fts_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .map(|w| format!("\"{}\"", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" OR "))
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
}
