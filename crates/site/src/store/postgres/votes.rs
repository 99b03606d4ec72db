//! Votes and the counters beside them. Each vote is one transaction, acknowledged after it
//! committed.

use super::*;

/// Which version a vote goes to.
enum Target {
    Version(i64),
    /// The current version of the article at this slug.
    Slug(String),
}

impl Votes for PostgresStore {
    fn vote<'a>(
        &'a self,
        slug: &'a str,
        visitor: &'a str,
        vote: &'a Vote,
        at: &'a str,
    ) -> StoreFuture<'a, Option<Feedback>> {
        // Run on the client's runtime, where its connections live; the caller awaits the end.
        let (pool, target) = (self.pool.clone(), Target::Slug(slug.to_owned()));
        let (visitor, vote, at) = (visitor.to_owned(), vote.clone(), at.to_owned());
        let cast = self
            .runtime()
            .spawn(async move { cast(&pool, &target, &visitor, &vote, &at).await });
        Box::pin(async move {
            cast.await
                .map_err(|e| StoreError::Pool(format!("the vote's task stopped: {e}")))?
        })
    }

    fn record_vote(
        &self,
        version: i64,
        visitor: &str,
        vote: &Vote,
        at: &str,
    ) -> Result<Feedback, StoreError> {
        self.run(async |pool| {
            Ok(cast(&pool, &Target::Version(version), visitor, vote, at)
                .await?
                .unwrap_or_default())
        })
    }

    fn vote_of(&self, version: i64, visitor: &str) -> Result<Option<Vote>, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let statement = client
                .prepare_cached(
                    "SELECT helpful, reason, comment FROM votes WHERE version = $1 AND visitor = $2",
                )
                .await?;
            Ok(client
                .query_opt(&statement, &[&version, &visitor])
                .await?
                .map(|row| Vote {
                    helpful: row.get(0),
                    reason: row.get::<_, Option<&str>>(1).and_then(Reason::parse),
                    comment: row.get(2),
                    keeps_details: false,
                }))
        })
    }

    fn feedback(&self, version: i64) -> Result<Feedback, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            Ok(counts(&**client, version).await?.unwrap_or_default())
        })
    }

    fn counted_votes(&self) -> Result<(u64, u64), StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let row = client
                .query_one(
                    "SELECT COUNT(*) FILTER (WHERE helpful), COUNT(*) FILTER (WHERE NOT helpful)
                     FROM votes",
                    &[],
                )
                .await?;
            Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
        })
    }

    fn expire(&self, cutoff: &str) -> Result<usize, StoreError> {
        self.run(async |pool| {
            let client = connection(&pool).await?;
            let changed = client
                .execute(
                    "UPDATE votes SET comment = NULL, visitor = 'expired-' || gen_random_uuid()
                     WHERE updated_at < $1 AND visitor NOT LIKE 'expired-%'",
                    &[&cutoff],
                )
                .await?;
            Ok(changed as usize)
        })
    }
}

/// Records one vote in its own transaction (tried again when it conflicted with another);
/// `None` when the article does not exist.
async fn cast(
    pool: &Pool,
    target: &Target,
    visitor: &str,
    vote: &Vote,
    at: &str,
) -> Result<Option<Feedback>, StoreError> {
    let mut client = connection(pool).await?;
    let mut attempt = 1;
    loop {
        match cast_once(&mut client, target, visitor, vote, at).await {
            Err(error) if is_conflict(&error) && attempt < ATTEMPTS => attempt += 1,
            result => return result,
        }
    }
}

async fn cast_once(
    client: &mut Object,
    target: &Target,
    visitor: &str,
    vote: &Vote,
    at: &str,
) -> Result<Option<Feedback>, StoreError> {
    let tx = client.transaction().await?;
    let version: i64 = match target {
        Target::Version(version) => *version,
        Target::Slug(slug) => {
            let statement = tx
                .prepare_cached("SELECT current_version FROM articles WHERE slug = $1")
                .await?;
            match tx.query_opt(&statement, &[slug]).await? {
                Some(row) => row.get(0),
                None => return Ok(None),
            }
        }
    };
    // The version's row is locked until the commit: votes on one version, from any node,
    // follow one another, so the earlier vote read below is the one this vote replaces.
    let statement = tx
        .prepare_cached("SELECT 1 FROM versions WHERE id = $1 FOR UPDATE")
        .await?;
    tx.query_opt(&statement, &[&version]).await?;
    let statement = tx
        .prepare_cached("SELECT helpful, reason FROM votes WHERE version = $1 AND visitor = $2")
        .await?;
    let old: Option<(bool, Option<String>)> = tx
        .query_opt(&statement, &[&version, &visitor])
        .await?
        .map(|row| (row.get(0), row.get(1)));
    // A bare Yes or No keeps the earlier comment, and the earlier reason while the vote
    // keeps its polarity.
    let sql = if vote.keeps_details {
        "INSERT INTO votes (version, visitor, helpful, reason, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (version, visitor) DO UPDATE SET
             reason = CASE WHEN votes.helpful = excluded.helpful THEN votes.reason ELSE NULL END,
             helpful = excluded.helpful, updated_at = excluded.updated_at
         RETURNING helpful, reason"
    } else {
        "INSERT INTO votes (version, visitor, helpful, reason, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (version, visitor) DO UPDATE SET
             helpful = excluded.helpful, reason = excluded.reason,
             comment = excluded.comment, updated_at = excluded.updated_at
         RETURNING helpful, reason"
    };
    let statement = tx.prepare_cached(sql).await?;
    let row = tx
        .query_one(
            &statement,
            &[
                &version,
                &visitor,
                &vote.helpful,
                &vote.reason.map(Reason::as_str),
                &vote.comment,
                &at,
            ],
        )
        .await?;
    let (helpful, reason): (bool, Option<String>) = (row.get(0), row.get(1));
    let delta = VoteEffect::change(
        old.as_ref()
            .map(|(helpful, reason)| (*helpful, reason.as_deref())),
        (helpful, reason.as_deref()),
    );
    if delta != VoteEffect::default() {
        let statement = tx
            .prepare_cached(
                "UPDATE versions SET helpful = helpful + $2, not_helpful = not_helpful + $3
                 WHERE id = $1",
            )
            .await?;
        tx.execute(&statement, &[&version, &delta.helpful, &delta.not_helpful])
            .await?;
        // Source rows are locked in one order (sources shared by versions voted on at the
        // same moment must not deadlock), then moved.
        let statement = tx
            .prepare_cached(
                "WITH locked AS (
                     SELECT source FROM sources
                     WHERE source IN (SELECT source FROM version_sources WHERE version = $1)
                     ORDER BY source FOR UPDATE
                 )
                 UPDATE sources SET helpful = helpful + $2, blamed = blamed + $3,
                     unhelpful = unhelpful + $4
                 WHERE source IN (SELECT source FROM locked)",
            )
            .await?;
        tx.execute(
            &statement,
            &[&version, &delta.helpful, &delta.blamed, &delta.unhelpful],
        )
        .await?;
    }
    let counts = counts(&*tx, version).await?;
    tx.commit().await?;
    Ok(Some(counts.unwrap_or_default()))
}

/// The counters of a version.
async fn counts(
    client: &impl tokio_postgres::GenericClient,
    version: i64,
) -> Result<Option<Feedback>, StoreError> {
    Ok(client
        .query_opt(
            "SELECT helpful, not_helpful FROM versions WHERE id = $1",
            &[&version],
        )
        .await?
        .map(|row| Feedback {
            helpful: row.get::<_, i64>(0) as u64,
            not_helpful: row.get::<_, i64>(1) as u64,
        }))
}
