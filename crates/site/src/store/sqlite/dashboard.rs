//! What the dashboard reads: reasons, comments, votes per day, the CSV export, and what
//! votes taught about sources.

use rusqlite::params;

use crate::feedback::source_multiplier;

use super::*;

impl Dashboard for SqliteStore {
    fn reasons(&self, version: i64) -> Result<Vec<(String, u64)>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT reason, COUNT(*) FROM votes WHERE version = ?1 AND reason IS NOT NULL
             GROUP BY reason ORDER BY COUNT(*) DESC, reason",
        )?;
        let rows = statement.query_map([version], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn reasons_by_article(&self) -> Result<HashMap<String, Vec<(String, u64)>>, StoreError> {
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

    fn comments(&self, article: Option<i64>, limit: usize) -> Result<Vec<CommentRow>, StoreError> {
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

    fn votes_per_day(
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

    fn export_votes(&self) -> Result<Vec<VoteRow>, StoreError> {
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

    fn reset_source(&self, key: &str) -> Result<bool, StoreError> {
        let changed = self.db().execute(
            "UPDATE sources SET helpful = 0, blamed = 0, unhelpful = 0 WHERE source = ?1",
            [key],
        )?;
        Ok(changed > 0)
    }
}
