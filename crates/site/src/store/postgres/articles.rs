//! Articles and their versions: publishing, finding, listing and searching them.

use explain::Article;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::*;

/// The advisory lock publishing takes: one new article at a time across all nodes, so two
/// nodes asked the same question at the same moment publish it once, under one slug.
const PUBLISH_LOCK: i64 = 0x6265_6361_7573_6502;

/// The columns of an [`ArticleSummary`], in the order [`summary_from_row`] reads them.
const SUMMARY: &str = "SELECT a.slug, a.question, a.posted_at, v.body ->> 'updated_at', v.number,
        v.body -> 'coverage' ->> 'level', v.helpful, v.not_helpful, a.listed";

fn summary_from_row(row: &Row) -> ArticleSummary {
    let feedback = Feedback {
        helpful: row.get::<_, i64>(6) as u64,
        not_helpful: row.get::<_, i64>(7) as u64,
    };
    ArticleSummary {
        slug: row.get(0),
        question: row.get(1),
        posted_at: row.get(2),
        updated_at: row.get(3),
        version: row.get::<_, i64>(4) as u32,
        coverage: row.get::<_, Option<String>>(5).unwrap_or_default(),
        score: feedback.wilson_lower_bound(),
        feedback,
        listed: row.get(8),
    }
}

impl Articles for PostgresStore {
    fn find_by_question(&self, normalized: &str) -> Result<Option<StoredArticle>, StoreError> {
        self.run(async |pool| {
            find_article(&**connection(&pool).await?, "a.normalized", normalized).await
        })
    }

    fn find_by_slug(&self, slug: &str) -> Result<Option<StoredArticle>, StoreError> {
        self.run(async |pool| find_article(&**connection(&pool).await?, "a.slug", slug).await)
    }

    fn current_version_of(&self, slug: &str) -> Result<Option<i64>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let statement = client
                .prepare_cached("SELECT current_version FROM articles WHERE slug = $1")
                .await?;
            Ok(client
                .query_opt(&statement, &[&slug])
                .await?
                .and_then(|row| row.get(0)))
        })
    }

    fn publish_listed(
        &self,
        normalized: &str,
        article: &Article,
        listed: bool,
    ) -> Result<StoredArticle, StoreError> {
        self.run(async |pool| {
            let mut client = connection(&pool).await?;
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PUBLISH_LOCK])
                .await?;
            if let Some(existing) = find_article(&*tx, "a.normalized", normalized).await? {
                return Ok(existing);
            }
            let mut article = article.clone();
            let mut free = None;
            for slug in candidate_slugs(&article.slug) {
                let taken = tx
                    .query_one(
                        "SELECT EXISTS(SELECT 1 FROM articles WHERE slug = $1)",
                        &[&slug],
                    )
                    .await?;
                if !taken.get::<_, bool>(0) {
                    free = Some(slug);
                    break;
                }
            }
            let slug = free.ok_or_else(|| StoreError::SlugsExhausted(article.slug.clone()))?;
            article.slug = slug;
            article.version = 1;
            article.updated_at = None;
            let id: i64 = tx
                .query_one(
                    "INSERT INTO articles (slug, normalized, question, posted_at, listed)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[
                        &article.slug,
                        &normalized,
                        &article.question,
                        &article.posted_at,
                        &listed,
                    ],
                )
                .await?
                .get(0);
            let version_id = insert_version(&tx, id, &article, &article.posted_at).await?;
            tx.commit().await?;
            Ok(StoredArticle {
                id,
                listed,
                version_id,
                article,
            })
        })
    }

    fn publish_version(
        &self,
        slug: &str,
        fresh: &Article,
        at: &str,
    ) -> Result<Option<StoredArticle>, StoreError> {
        self.run(async |pool| {
            let mut client = connection(&pool).await?;
            let tx = client.transaction().await?;
            // The article's row stays locked until the new version is in: two regenerations
            // of one article (on any nodes) number their versions one after the other.
            let current = tx
                .query_opt(
                    "SELECT a.id, a.question, a.posted_at, v.number, a.listed FROM articles a
                     JOIN versions v ON v.id = a.current_version WHERE a.slug = $1
                     FOR UPDATE OF a",
                    &[&slug],
                )
                .await?;
            let Some(current) = current else {
                return Ok(None);
            };
            let id: i64 = current.get(0);
            let listed: bool = current.get(4);
            let mut article = fresh.clone();
            article.slug = slug.to_owned();
            article.question = current.get(1);
            article.posted_at = current.get(2);
            article.version = current.get::<_, i64>(3) as u32 + 1;
            article.updated_at = Some(at.to_owned());
            let version_id = insert_version(&tx, id, &article, at).await?;
            tx.commit().await?;
            Ok(Some(StoredArticle {
                id,
                listed,
                version_id,
                article,
            }))
        })
    }

    fn versions(&self, article: i64) -> Result<Vec<VersionSummary>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let statement = client
                .prepare_cached(
                    "SELECT number, created_at, helpful, not_helpful FROM versions
                     WHERE article = $1 ORDER BY number DESC",
                )
                .await?;
            Ok(client
                .query(&statement, &[&article])
                .await?
                .iter()
                .map(|row| VersionSummary {
                    version: row.get::<_, i64>(0) as u32,
                    created_at: row.get(1),
                    feedback: Feedback {
                        helpful: row.get::<_, i64>(2) as u64,
                        not_helpful: row.get::<_, i64>(3) as u64,
                    },
                })
                .collect())
        })
    }

    fn list(&self, listing: Listing<'_>) -> Result<Vec<ArticleSummary>, StoreError> {
        const NEWEST: &str = "ORDER BY a.posted_at DESC, a.id DESC";
        let (tail, parameter): (String, Option<Box<dyn ToSql + Sync + Send>>) = match listing {
            Listing::Recent(n) => (
                format!("WHERE a.listed {NEWEST} LIMIT $1"),
                Some(Box::new(n as i64)),
            ),
            Listing::All => (NEWEST.to_owned(), None),
            Listing::Listed => (format!("WHERE a.listed {NEWEST}"), None),
            Listing::Slug(slug) => (
                "WHERE a.slug = $1".to_owned(),
                Some(Box::new(slug.to_owned())),
            ),
            Listing::Helpful => ("WHERE a.listed AND v.helpful > 0".to_owned(), None),
            Listing::Feed(n) => (
                "WHERE a.listed
                 ORDER BY COALESCE(v.body ->> 'updated_at', a.posted_at) DESC, a.id DESC
                 LIMIT $1"
                    .to_owned(),
                Some(Box::new(n as i64)),
            ),
        };
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let statement = client
                .prepare_cached(&format!(
                    "{SUMMARY} FROM articles a JOIN versions v ON v.id = a.current_version {tail}"
                ))
                .await?;
            let parameters: Vec<&(dyn ToSql + Sync)> = parameter
                .iter()
                .map(|p| &**p as &(dyn ToSql + Sync))
                .collect();
            Ok(client
                .query(&statement, &parameters)
                .await?
                .iter()
                .map(summary_from_row)
                .collect())
        })
    }

    fn approve(&self, slug: &str) -> Result<bool, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let changed = client
                .execute(
                    "UPDATE articles SET listed = TRUE WHERE slug = $1",
                    &[&slug],
                )
                .await?;
            Ok(changed > 0)
        })
    }

    fn articles_since(&self, since: &str) -> Result<u64, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let count: i64 = client
                .query_one(
                    "SELECT COUNT(*) FROM articles WHERE posted_at >= $1",
                    &[&since],
                )
                .await?
                .get(0);
            Ok(count as u64)
        })
    }

    /// PostgreSQL's full-text search (English stemming) ranked by `ts_rank`, the question
    /// weighing most (A), then headings (B), then the text (C). The words are letters and
    /// digits only, so nothing in them is a query operator.
    fn matching(&self, words: &[String]) -> Result<Vec<(ArticleSummary, f64)>, StoreError> {
        let expression = words.join(" | ");
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let statement = client
                .prepare_cached(&format!(
                    "{SUMMARY}, ts_rank(s.document, q.query)::float8
                     FROM to_tsquery('english', $1) AS q(query), search s
                     JOIN articles a ON a.slug = s.slug
                     JOIN versions v ON v.id = a.current_version
                     WHERE a.listed AND s.document @@ q.query
                     ORDER BY 10 DESC LIMIT 200"
                ))
                .await?;
            Ok(client
                .query(&statement, &[&expression])
                .await?
                .iter()
                .map(|row| (summary_from_row(row), row.get::<_, f64>(9)))
                .collect())
        })
    }

    fn article_count(&self) -> Result<u64, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let count: i64 = client
                .query_one("SELECT COUNT(*) FROM articles", &[])
                .await?
                .get(0);
            Ok(count as u64)
        })
    }
}

/// Stores a version, makes it the article's current one, records the sources it cites and
/// indexes it for search.
async fn insert_version(
    tx: &tokio_postgres::Transaction<'_>,
    article_id: i64,
    article: &Article,
    at: &str,
) -> Result<i64, StoreError> {
    let body = serde_json::to_string(article).expect("an article always serialises");
    let version_id: i64 = tx
        .query_one(
            "INSERT INTO versions (article, number, created_at, body)
             VALUES ($1, $2, $3, $4::text::jsonb) RETURNING id",
            &[&article_id, &i64::from(article.version), &at, &body],
        )
        .await?
        .get(0);
    tx.execute(
        "UPDATE articles SET current_version = $1 WHERE id = $2",
        &[&version_id, &article_id],
    )
    .await?;
    // In the order votes lock source rows, so the two never wait for each other in a cycle.
    let mut sources: Vec<_> = article.sources.iter().collect();
    sources.sort_by(|a, b| a.id.cmp(&b.id));
    for source in sources {
        tx.execute(
            "INSERT INTO version_sources (version, source) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&version_id, &source.id],
        )
        .await?;
        tx.execute(
            "INSERT INTO sources (source, title) VALUES ($1, $2)
             ON CONFLICT (source) DO UPDATE SET title = excluded.title",
            &[&source.id, &source.title],
        )
        .await?;
    }
    let (headings, text) = searchable(article);
    tx.execute(
        "INSERT INTO search (slug, document) VALUES ($1,
             setweight(to_tsvector('english', $2), 'A')
             || setweight(to_tsvector('english', $3), 'B')
             || setweight(to_tsvector('english', $4), 'C'))
         ON CONFLICT (slug) DO UPDATE SET document = excluded.document",
        &[&article.slug, &article.question, &headings, &text],
    )
    .await?;
    Ok(version_id)
}

/// The current version of the article whose `column` equals `value`.
async fn find_article(
    client: &impl tokio_postgres::GenericClient,
    column: &str,
    value: &str,
) -> Result<Option<StoredArticle>, StoreError> {
    let row = client
        .query_opt(
            &format!(
                "SELECT a.id, v.id, a.slug, v.body::text, a.listed FROM articles a
                 JOIN versions v ON v.id = a.current_version WHERE {column} = $1"
            ),
            &[&value],
        )
        .await?;
    row.map(|row| {
        Ok(StoredArticle {
            id: row.get(0),
            version_id: row.get(1),
            article: parse_body(row.get(2), row.get(3))?,
            listed: row.get(4),
        })
    })
    .transpose()
}
