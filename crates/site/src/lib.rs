//! The published side of `because`: storage of articles, versions and votes, the web site,
//! the dashboard and the JSON API.
//!
//! - [`store`]: SQLite (articles and their versions, one vote per visitor per version,
//!   counters, what votes teach about sources, search over published articles);
//! - [`feedback`]: what a vote may say, Wilson bounds, how votes move sources;
//! - [`limit`]: per-client vote rate limiting by a daily-keyed hash, never an address;
//! - [`metrics`]: Prometheus counters and histograms behind `/metrics`;
//! - [`publish`]: sitemap, robots.txt, the Atom feed, and each page's canonical link, social
//!   card tags and JSON-LD, all absolute under the base URL;
//! - [`render`] and [`chart`]: server-rendered HTML (auto-escaped) and SVG;
//! - [`routes`]: the public routes; [`admin`]: the dashboard behind a token (the [`admin::Admin`]
//!   extractor); [`http`]: what both share (body limits, forms, the cross-site check, blocking
//!   work), so that neither imports the other's handlers;
//! - [`export`]: the public site as static files (`because export`);
//! - [`jobs`]: new versions composed in the background (a queue in the database), by the
//!   extractive writer or the LLM writer;
//! - [`error`]: one error type that decides status codes in one place.
//!
//! `site` never tokenizes text; it asks [`explain::Engine`] for articles.

pub mod admin;
pub mod chart;
pub mod error;
pub mod export;
pub mod feedback;
pub mod http;
pub mod jobs;
pub mod limit;
pub mod metrics;
pub mod publish;
pub mod render;
pub mod routes;
pub mod store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use error::AppError;
pub use render::{render_audit, render_standalone};
pub use store::{
    Articles, Backend, Dashboard, Database, JobQueue, Store, StoreError, StoredArticle, Votes,
};

/// How the site treats feedback and who may see the dashboard.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The dashboard's token; without one `/admin` is closed to everyone.
    pub admin_token: Option<String>,
    /// Votes a client may cast per minute (0: no limit).
    pub votes_per_minute: u32,
    /// Days after which a vote's comment and visitor id are erased (0: never).
    pub retention_days: u32,
    /// An article is flagged when it has at least this many votes …
    pub flag_min_votes: u64,
    /// … and the Wilson upper bound of its helpful share is below this.
    pub flag_upper_bound: f64,
    /// Where visitors reach the site (`https://example.org`, no trailing slash): the start of
    /// every absolute URL (canonical links, sitemap, feed, cards). Behind a proxy, the public
    /// address; see [`publish::normalize_base_url`].
    pub base_url: String,
    /// Origins (`https://static.example.org`) whose pages may post votes: where a static
    /// export of the site is hosted. Every other cross-site post is refused.
    pub vote_origins: Vec<String>,
    /// Who writes new articles: `Llm` queues an LLM version of each new article (the
    /// extractive one is published at once); it needs [`AppState::with_writer`].
    pub writer: jobs::WriterKind,
    /// Jobs run at once (at least 1).
    pub job_workers: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the vote rate limit);
    /// from anyone else the header is ignored.
    pub trusted_proxies: Vec<limit::TrustedProxy>,
    /// How often the index folder is checked for a new live generation (`None`: never).
    pub index_check: Option<std::time::Duration>,
    /// Whether a visitor's new article is listed at once or awaits an editor.
    pub publish: Publish,
    /// New articles one client may cause per hour (0: no limit; per node, like votes).
    pub articles_per_hour: u32,
    /// New articles the whole site publishes per UTC day (0: no cap).
    pub max_new_articles_per_day: u64,
}

/// What happens to an article a visitor's question creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Publish {
    /// Listed at once: home page, search, sitemap, feed, search engines.
    #[default]
    Open,
    /// Shown to whoever has its address, but unlisted and `noindex` until an admin approves
    /// it on the dashboard.
    Review,
}

impl Default for SiteConfig {
    fn default() -> SiteConfig {
        SiteConfig {
            admin_token: None,
            votes_per_minute: 30,
            retention_days: 365,
            flag_min_votes: 10,
            flag_upper_bound: 0.5,
            base_url: "http://127.0.0.1:8080".to_owned(),
            vote_origins: Vec::new(),
            writer: jobs::WriterKind::Extractive,
            job_workers: 1,
            index_check: Some(std::time::Duration::from_secs(2)),
            publish: Publish::Open,
            articles_per_hour: 10,
            max_new_articles_per_day: 500,
            trusted_proxies: Vec::new(),
        }
    }
}

impl SiteConfig {
    /// Whether votes show an article to be confidently poor.
    pub fn is_flagged(&self, feedback: &store::Feedback) -> bool {
        feedback.total() >= self.flag_min_votes
            && feedback.wilson_upper_bound() < self.flag_upper_bound
    }
}

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The engine over the live index generation: [`AppState::engine`] for a request.
    pub live: Arc<LiveEngine>,
    pub store: Arc<Store>,
    pub config: Arc<SiteConfig>,
    pub limiter: Arc<limit::RateLimiter>,
    /// New articles per client and hour.
    pub article_limiter: Arc<limit::RateLimiter>,
    pub metrics: Arc<metrics::Metrics>,
    /// The LLM writer, when the site has an LLM server.
    pub writer: Option<Arc<writer::Writer>>,
    /// Wakes a job worker when a job is queued.
    pub jobs: jobs::Wakeup,
}

impl AppState {
    pub fn new(engine: explain::Engine, store: Store) -> AppState {
        AppState::with_config(engine, store, SiteConfig::default())
    }

    pub fn with_config(engine: explain::Engine, store: Store, config: SiteConfig) -> AppState {
        AppState {
            live: Arc::new(LiveEngine::new(engine)),
            store: Arc::new(store),
            limiter: Arc::new(limit::RateLimiter::new(config.votes_per_minute)),
            article_limiter: Arc::new(limit::RateLimiter::per_window(
                config.articles_per_hour,
                3600,
            )),
            metrics: Arc::new(metrics::Metrics::new()),
            config: Arc::new(config),
            writer: None,
            jobs: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The engine a request uses from start to end, even when the index switches meanwhile.
    pub fn engine(&self) -> Arc<explain::Engine> {
        self.live.get()
    }

    /// Gives the site an LLM writer for `llm` jobs.
    pub fn with_writer(mut self, writer: writer::Writer) -> AppState {
        self.writer = Some(Arc::new(writer));
        self
    }
}

/// The engine over whichever index generation is live. An ingest builds a new generation and
/// switches the index folder's `CURRENT` to it (see `index::generation`); [`watch_index`]
/// notices and swaps the engine here, so running servers answer from the new index without a
/// restart, each request wholly from one generation.
pub struct LiveEngine {
    current: std::sync::RwLock<(Option<String>, Arc<explain::Engine>)>,
}

impl LiveEngine {
    pub fn new(engine: explain::Engine) -> LiveEngine {
        let generation = engine.index().generation();
        LiveEngine {
            current: std::sync::RwLock::new((generation, Arc::new(engine))),
        }
    }

    pub fn get(&self) -> Arc<explain::Engine> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    /// The live generation this engine reads (`None` for an index without generations).
    pub fn generation(&self) -> Option<String> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// Opens the generation `CURRENT` names now, when it is not the one in use; says which.
    pub fn refresh(&self) -> Result<Option<String>, explain::ExplainError> {
        let engine = self.get();
        let root = engine.index().root().to_owned();
        let live = index::generation::live_generation(&root);
        if live.is_none() || live == self.generation() {
            return Ok(None);
        }
        let fresh = engine.reopen(&root)?;
        let generation = fresh.index().generation();
        *self.current.write().unwrap_or_else(|p| p.into_inner()) =
            (generation.clone(), Arc::new(fresh));
        Ok(generation)
    }
}

/// Checks the index folder every `every` for a new live generation and switches to it.
pub async fn watch_index(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let live = state.live.clone();
        match tokio::task::spawn_blocking(move || live.refresh()).await {
            Ok(Ok(Some(generation))) => {
                tracing::info!(%generation, "switched to the new index generation");
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot open the new index generation; still serving the previous one");
            }
            Err(error) => tracing::warn!(%error, "the index watch failed"),
        }
    }
}

/// Composes a new version of the article at `slug` from the current index (and what votes
/// taught about sources) and publishes it. `None` when there is no such article.
pub fn regenerate(
    engine: &explain::Engine,
    store: &Store,
    slug: &str,
) -> Result<Option<StoredArticle>, AppError> {
    let Some(current) = store.find_by_slug(slug)? else {
        return Ok(None);
    };
    let question = explain::Question::parse(&current.article.question)
        .map_err(|reason| AppError::BadRequest(reason.to_string()))?;
    let now = time::OffsetDateTime::now_utc();
    let fresh = engine.ask_with(&question, now, &store.source_priors()?)?;
    Ok(store.publish_version(slug, &fresh, &explain::rfc3339(now))?)
}

/// Whether an article's evidence still stands in the index: `None` when every source it
/// cites is there and every quotation (and every piece of evidence a generated sentence rests
/// on) is still word for word in its source; else what changed ("2 sources gone; quoted text
/// changed in 1"), after `because ingest --sync` or a re-ingest of edited documents.
pub fn sources_changed(
    engine: &explain::Engine,
    article: &explain::Article,
) -> Result<Option<String>, explain::IndexError> {
    let mut gone = 0;
    let mut texts = std::collections::HashMap::new();
    for source in &article.sources {
        match engine.index().document_by_key(&source.id)? {
            Some(document) => {
                texts.insert(source.n, document.text);
            }
            None => gone += 1,
        }
    }
    let mut changed = std::collections::HashSet::new();
    let mut still = |n: u32, text: &str| {
        if let Some(source) = texts.get(&n)
            && !source.contains(text)
        {
            changed.insert(n);
        }
    };
    for sentence in article.sentences() {
        match sentence.kind {
            explain::SentenceKind::Quote => {
                if let Some(&n) = sentence.cites.first() {
                    still(n, &sentence.text);
                }
            }
            explain::SentenceKind::Generated => {
                for evidence in &sentence.evidence {
                    still(evidence.source, &evidence.text);
                }
            }
            explain::SentenceKind::Template => {}
        }
    }
    let mut parts = Vec::new();
    if gone > 0 {
        parts.push(format!(
            "{gone} source{} gone",
            if gone == 1 { "" } else { "s" }
        ));
    }
    if !changed.is_empty() {
        parts.push(format!("quoted text changed in {}", changed.len()));
    }
    Ok((!parts.is_empty()).then(|| parts.join("; ")))
}

/// Slugs of the articles whose current version is flagged as confidently poor.
pub fn flagged(store: &Store, config: &SiteConfig) -> Result<Vec<String>, StoreError> {
    Ok(store
        .all_articles()?
        .into_iter()
        .filter(|a| config.is_flagged(&a.feedback))
        .map(|a| a.slug)
        .collect())
}

/// Serves the site on `listener` until `shutdown` completes, then finishes in-flight
/// requests. Votes past the retention period are expired at start and then hourly. Job
/// workers start with it (a job cut off by the stop is queued again at the next start).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    jobs::start(&state, state.config.job_workers)
        .await
        .map_err(std::io::Error::other)?;
    if let Some(every) = state.config.index_check {
        tokio::spawn(watch_index(state.clone(), every));
    }
    if state.config.retention_days > 0 {
        let store = state.store.clone();
        let days = state.config.retention_days;
        tokio::spawn(async move {
            let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every_hour.tick().await;
                let store = store.clone();
                let expired = tokio::task::spawn_blocking(move || expire(&store, days)).await;
                match expired {
                    Ok(Ok(0)) => {}
                    Ok(Ok(n)) => {
                        tracing::info!("expired the comments and visitor ids of {n} votes")
                    }
                    Ok(Err(error)) => tracing::warn!("expiring old votes failed: {error}"),
                    Err(error) => tracing::warn!("expiring old votes failed: {error}"),
                }
            }
        });
    }
    let app = routes::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Erases comments and visitor ids of votes older than `days`.
pub fn expire(store: &Store, days: u32) -> Result<usize, StoreError> {
    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    store.expire(&explain::rfc3339(cutoff))
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
