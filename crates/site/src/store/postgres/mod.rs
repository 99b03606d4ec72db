//! The site's database in PostgreSQL, for several `serve` nodes sharing one database
//! (`--database-url postgres://…`).
//!
//! tokio-postgres with a deadpool pool. The client runs on a small runtime of its own, so the
//! store answers the same blocking calls as the SQLite one (from the site's blocking
//! threads, from commands and tests) and votes as futures on the server's runtime. What
//! several nodes may do at the same moment is decided by the database: publishing takes a
//! transaction-scoped advisory lock (one article per question, one slug each), a new version
//! locks its article's row, a vote locks its version's row (so the vote it replaces is the
//! one it reads), source counters are locked in one order, and a job is claimed with
//! `FOR UPDATE SKIP LOCKED`.

use std::path::Path;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use super::*;

mod articles;
mod dashboard;
mod jobs;
mod schema;
mod votes;

/// The first key of the advisory locks that say a node is alive (the second is its id).
const NODE_LOCKS: i32 = 0x6263_7573;

/// Connections one node keeps open at most.
const POOL_SIZE: usize = 16;

pub struct PostgresStore {
    pool: Pool,
    /// This process among the nodes: the jobs it claims carry it, and it holds an advisory
    /// lock named by it on `presence` for as long as it lives, so that a node starting later
    /// can tell its running jobs (left alone) from those of a node that stopped (queued again).
    /// A connection cut (a database restart) is made again, and the lock taken again, within
    /// seconds.
    node: i32,
    presence: std::sync::Arc<tokio::sync::Mutex<tokio_postgres::Client>>,
    /// Drives the client's connections; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
}

impl PostgresStore {
    /// Connects to `url` and brings the schema up to date (several nodes starting at once
    /// migrate one after the other).
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::DatabaseUrl(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("postgres")
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let mut node = [0u8; 4];
        getrandom::fill(&mut node)
            .map_err(|e| StoreError::Runtime(std::io::Error::other(e.to_string())))?;
        let node = i32::from_le_bytes(node);
        let presence = runtime.block_on(async {
            let mut client = connection(&pool).await?;
            schema::migrate(&mut client).await?;
            announce(&config, node).await
        })?;
        let presence = std::sync::Arc::new(tokio::sync::Mutex::new(presence));
        runtime.spawn(keep_present(
            config,
            node,
            std::sync::Arc::downgrade(&presence),
        ));
        Ok(PostgresStore {
            pool,
            node,
            presence,
            runtime: Some(runtime),
        })
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime
            .as_ref()
            .expect("the runtime lives as long as the store")
    }

    /// Runs database work to its end on the client's runtime, blocking the calling thread
    /// (never one of the server's async workers: the site calls the store from its blocking
    /// threads).
    fn run<T>(
        &self,
        work: impl AsyncFnOnce(Pool) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pool = self.pool.clone();
        self.runtime().block_on(work(pool))
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.pool.close();
        if let Some(runtime) = self.runtime.take() {
            // Dropping a runtime waits for its tasks, which an async caller may not do.
            runtime.shutdown_background();
        }
    }
}

/// A connection of its own holding the advisory lock that says node `node` is alive.
async fn announce(
    config: &tokio_postgres::Config,
    node: i32,
) -> Result<tokio_postgres::Client, StoreError> {
    let (presence, driver) = config.connect(NoTls).await?;
    tokio::spawn(driver);
    presence
        .execute("SELECT pg_advisory_lock($1, $2)", &[&NODE_LOCKS, &node])
        .await?;
    Ok(presence)
}

/// Makes the presence connection again when it was cut, until the store is gone.
async fn keep_present(
    config: tokio_postgres::Config,
    node: i32,
    presence: std::sync::Weak<tokio::sync::Mutex<tokio_postgres::Client>>,
) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(presence) = presence.upgrade() else {
            return;
        };
        let mut client = presence.lock().await;
        if client.is_closed() {
            match announce(&config, node).await {
                Ok(again) => *client = again,
                Err(error) => tracing::warn!("the node's presence in PostgreSQL: {error}"),
            }
        }
    }
}

/// A connection from the pool.
async fn connection(pool: &Pool) -> Result<Object, StoreError> {
    pool.get()
        .await
        .map_err(|e| StoreError::Pool(e.to_string()))
}

/// Whether a transaction failed only because another one got in its way (a deadlock or a
/// serialisation failure): trying it again is safe.
fn is_conflict(error: &StoreError) -> bool {
    matches!(error, StoreError::Postgres(e)
        if e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED)
            || e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE))
}

/// A transaction that conflicted with another is tried again, this many times in all.
const ATTEMPTS: usize = 5;

impl Backend for PostgresStore {
    fn backup_to(&self, _target: &Path) -> Result<(), StoreError> {
        Err(StoreError::BackupUnsupported)
    }

    fn kind(&self) -> &'static str {
        "PostgreSQL"
    }
}

/// Creates the database `name` on the server at `url` unless it exists, and returns the URL
/// of that database (`url` with its database name replaced). For tests and benchmarks, each
/// with a fresh database on a private server.
pub fn create_database(url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::DatabaseUrl(format!(
            "database name {name:?}: letters, digits and _ only"
        )));
    }
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| StoreError::DatabaseUrl(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(StoreError::Runtime)?;
    runtime.block_on(async {
        let (client, connection) = config.connect(NoTls).await?;
        let driver = tokio::spawn(connection);
        let created = client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await;
        drop(client);
        let _ = driver.await;
        match created {
            Err(e) if e.code() == Some(&SqlState::DUPLICATE_DATABASE) => Ok(()),
            other => other,
        }
    })?;
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    Ok(match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    })
}
