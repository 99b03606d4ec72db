//! What the dashboard reads: reasons, comments, votes per day, the CSV export, and what
//! votes taught about sources.

use crate::feedback::source_multiplier;

use super::*;

impl Dashboard for PostgresStore {
    fn reasons(&self, version: i64) -> Result<Vec<(String, u64)>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let rows = client
                .query(
                    "SELECT reason, COUNT(*) FROM votes WHERE version = $1 AND reason IS NOT NULL
                     GROUP BY reason ORDER BY COUNT(*) DESC, reason",
                    &[&version],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|row| (row.get(0), row.get::<_, i64>(1) as u64))
                .collect())
        })
    }

    fn reasons_by_article(&self) -> Result<HashMap<String, Vec<(String, u64)>>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let rows = client
                .query(
                    "SELECT a.slug, o.reason, COUNT(*) FROM votes o
                     JOIN articles a ON a.current_version = o.version
                     WHERE o.reason IS NOT NULL GROUP BY a.slug, o.reason
                     ORDER BY COUNT(*) DESC, o.reason",
                    &[],
                )
                .await?;
            let mut map: HashMap<String, Vec<(String, u64)>> = HashMap::new();
            for row in rows {
                map.entry(row.get(0))
                    .or_default()
                    .push((row.get(1), row.get::<_, i64>(2) as u64));
            }
            Ok(map)
        })
    }

    fn comments(&self, article: Option<i64>, limit: usize) -> Result<Vec<CommentRow>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let rows = client
                .query(
                    "SELECT a.slug, v.number, o.helpful, o.reason, o.comment, o.updated_at
                     FROM votes o JOIN versions v ON v.id = o.version
                     JOIN articles a ON a.id = v.article
                     WHERE o.comment IS NOT NULL AND ($1::bigint IS NULL OR a.id = $1)
                     ORDER BY o.updated_at DESC, o.seq DESC LIMIT $2",
                    &[&article, &(limit as i64)],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|row| CommentRow {
                    slug: row.get(0),
                    version: row.get::<_, i64>(1) as u32,
                    helpful: row.get(2),
                    reason: row.get(3),
                    comment: row.get(4),
                    at: row.get(5),
                })
                .collect())
        })
    }

    fn votes_per_day(
        &self,
        article: Option<i64>,
        since: &str,
    ) -> Result<Vec<DayCount>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let rows = client
                .query(
                    "SELECT substr(o.updated_at, 1, 10) AS day,
                            COUNT(*) FILTER (WHERE o.helpful), COUNT(*) FILTER (WHERE NOT o.helpful)
                     FROM votes o JOIN versions v ON v.id = o.version
                     WHERE ($1::bigint IS NULL OR v.article = $1) AND o.updated_at >= $2
                     GROUP BY day ORDER BY day",
                    &[&article, &since],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|row| DayCount {
                    day: row.get(0),
                    helpful: row.get::<_, i64>(1) as u64,
                    not_helpful: row.get::<_, i64>(2) as u64,
                })
                .collect())
        })
    }

    fn export_votes(&self) -> Result<Vec<VoteRow>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let rows = client
                .query(
                    "SELECT a.slug, a.question, v.number, o.helpful, o.reason, o.comment,
                            o.created_at, o.updated_at
                     FROM votes o JOIN versions v ON v.id = o.version
                     JOIN articles a ON a.id = v.article
                     ORDER BY o.created_at, o.seq",
                    &[],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|row| VoteRow {
                    slug: row.get(0),
                    question: row.get(1),
                    version: row.get::<_, i64>(2) as u32,
                    helpful: row.get(3),
                    reason: row.get(4),
                    comment: row.get(5),
                    created_at: row.get(6),
                    updated_at: row.get(7),
                })
                .collect())
        })
    }

    fn all_source_adjustments(&self) -> Result<Vec<SourceAdjustment>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let rows = client
                .query(
                    "SELECT source, title, helpful, blamed, unhelpful FROM sources
                     WHERE helpful != 0 OR blamed != 0 OR unhelpful != 0",
                    &[],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|row| {
                    let (helpful, blamed, unhelpful) = (row.get(2), row.get(3), row.get(4));
                    SourceAdjustment {
                        key: row.get(0),
                        title: row.get(1),
                        helpful,
                        blamed,
                        unhelpful,
                        multiplier: source_multiplier(helpful, blamed, unhelpful),
                    }
                })
                .collect())
        })
    }

    fn reset_source(&self, key: &str) -> Result<bool, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let changed = client
                .execute(
                    "UPDATE sources SET helpful = 0, blamed = 0, unhelpful = 0 WHERE source = $1",
                    &[&key],
                )
                .await?;
            Ok(changed > 0)
        })
    }
}
