//! The published side of `because`: storage of articles and votes, the web site and the
//! JSON API.
//!
//! - [`store`]: SQLite (articles, one vote per visitor per article, changeable);
//! - [`render`]: server-rendered HTML from minijinja templates (auto-escaped);
//! - [`routes`]: the axum router (`/`, `/ask`, `/a/{slug}`, feedback, the JSON API);
//! - [`error`]: one error type that decides status codes in one place.
//!
//! `site` never tokenizes text; it asks [`explain::Engine`] for articles.

pub mod error;
pub mod feedback;
pub mod render;
pub mod routes;
pub mod store;

use std::future::Future;
use std::sync::Arc;

pub use error::AppError;
pub use render::render_standalone;
pub use store::{Store, StoreError};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<explain::Engine>,
    pub store: Arc<Store>,
    pub templates: Arc<render::Templates>,
}

impl AppState {
    pub fn new(engine: explain::Engine, store: Store) -> AppState {
        AppState {
            engine: Arc::new(engine),
            store: Arc::new(store),
            templates: Arc::new(render::Templates::new()),
        }
    }
}

/// Serves the site on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown)
        .await
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
