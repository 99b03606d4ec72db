//! Fetching web pages politely, against a real HTTP server on loopback that serves real pages:
//! libffi's manual as Debian installs it (`libffi-dev`, by `scripts/install-test-docs.sh`). The
//! server records every request, so the tests see what the fetcher asked for, when, and how.
//! In CI a missing manual fails the test; elsewhere it skips.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use corpus::{FetchOptions, Fetcher};

const MANUAL: &str = "/usr/share/doc/libffi8/html";
const LAST_MODIFIED: &str = "Wed, 01 Jul 2026 00:00:00 GMT";

#[derive(Debug, Clone)]
struct Request {
    path: String,
    user_agent: String,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    at: Instant,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Request>>>);

impl Log {
    fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.path.clone())
            .collect()
    }
    fn requests(&self) -> Vec<Request> {
        self.0.lock().unwrap().clone()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

fn manual_installed() -> bool {
    if Path::new(MANUAL).is_dir() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{MANUAL} is missing: run scripts/install-test-docs.sh"
    );
    eprintln!("skipped: {MANUAL} is not installed");
    false
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn serve(log: Log, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let if_none_match = header_text(&headers, header::IF_NONE_MATCH);
    let if_modified_since = header_text(&headers, header::IF_MODIFIED_SINCE);
    log.0.lock().unwrap().push(Request {
        path: uri.to_string(),
        user_agent: header_text(&headers, header::USER_AGENT).unwrap_or_default(),
        if_none_match: if_none_match.clone(),
        if_modified_since: if_modified_since.clone(),
        at: Instant::now(),
    });
    let html = |body: Vec<u8>| {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    };
    match path.as_str() {
        "/robots.txt" => "User-agent: *\nDisallow: /private/\n".into_response(),
        "/sitemap.xml" => {
            let pages = ["The-Basics.html", "Types.html", "Closure-Example.html"]
                .map(|p| format!("<url><loc>/docs/{p}</loc></url>"))
                .join("\n");
            (
                [(header::CONTENT_TYPE, "application/xml")],
                format!(
                    "<?xml version=\"1.0\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{pages}\n<url><loc>/private/secret.html</loc></url>\n</urlset>"
                ),
            )
                .into_response()
        }
        "/sitemap-index.xml" => (
            [(header::CONTENT_TYPE, "application/xml")],
            "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>/sitemap.xml</loc></sitemap></sitemapindex>",
        )
            .into_response(),
        "/moved" => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/docs/Introduction.html")]).into_response(),
        "/loop" => (StatusCode::FOUND, [(header::LOCATION, "/loop")]).into_response(),
        "/big.html" => html(vec![b'x'; 2 * 1024 * 1024]),
        "/slow.html" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            html(b"<p>late</p>".to_vec())
        }
        "/image.png" => ([(header::CONTENT_TYPE, "image/png")], vec![0u8; 16]).into_response(),
        "/private/secret.html" => html(b"<p>never to be fetched</p>".to_vec()),
        _ => {
            let (validator, name) = if let Some(name) = path.strip_prefix("/docs/") {
                ("etag", name)
            } else if let Some(name) = path.strip_prefix("/dated/") {
                ("last-modified", name)
            } else {
                return StatusCode::NOT_FOUND.into_response();
            };
            if name.contains('/') || name.contains("..") {
                return StatusCode::NOT_FOUND.into_response();
            }
            let Ok(body) = std::fs::read(Path::new(MANUAL).join(name)) else {
                return StatusCode::NOT_FOUND.into_response();
            };
            if validator == "etag" {
                let etag = format!("\"{:x}-{}\"", body.len(), name.len());
                if if_none_match.as_deref() == Some(etag.as_str()) {
                    return StatusCode::NOT_MODIFIED.into_response();
                }
                let mut response = html(body);
                response
                    .headers_mut()
                    .insert(header::ETAG, HeaderValue::from_str(&etag).unwrap());
                response
            } else {
                if if_modified_since.as_deref() == Some(LAST_MODIFIED) {
                    return StatusCode::NOT_MODIFIED.into_response();
                }
                let mut response = html(body);
                response
                    .headers_mut()
                    .insert(header::LAST_MODIFIED, HeaderValue::from_static(LAST_MODIFIED));
                response
            }
        }
    }
}

/// Starts the server on a free loopback port, on a runtime of its own.
fn start_server() -> (SocketAddr, Log) {
    let log = Log::default();
    let app_log = log.clone();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            let app = axum::Router::new()
                .fallback(move |uri: Uri, headers: HeaderMap| serve(app_log.clone(), uri, headers));
            axum::serve(listener, app).await.unwrap();
        });
    });
    (receiver.recv().unwrap(), log)
}

fn options(cache: &Path) -> FetchOptions {
    let mut options = FetchOptions::new(cache);
    options.delay = Duration::from_millis(150);
    options.timeout = Duration::from_secs(1);
    options.max_bytes = 1024 * 1024;
    options
}

/// The addresses of `paths` on the server at `base`.
fn addresses(base: &str, paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| format!("{base}{p}")).collect()
}

#[test]
fn pages_are_fetched_politely_and_refetched_only_when_changed() {
    if !manual_installed() {
        return;
    }
    let (address, log) = start_server();
    let base = format!("http://{address}");
    let cache = tempfile::tempdir().unwrap();
    let urls = addresses(
        &base,
        &[
            "/docs/The-Basics.html",
            "/docs/Types.html",
            "/dated/Structures.html",
            "/moved",
            "/private/secret.html",
            "/gone.html",
        ],
    );

    let mut fetcher = Fetcher::new(options(cache.path()));
    let first = fetcher.fetch_pages(&urls);
    assert!(first.load.problems.is_empty(), "{:?}", first.load.problems);
    assert_eq!(first.stats.fetched, 4);
    assert_eq!(first.stats.disallowed, 1);
    assert_eq!(first.stats.gone, 1);
    assert_eq!(first.load.documents.len(), 4);

    // Titles and URLs as the pages give them; the id is the address asked for.
    let basics = &first.load.documents[0];
    assert_eq!(basics.id, urls[0]);
    assert!(
        basics.title.starts_with("The Basics (libffi"),
        "{}",
        basics.title
    );
    assert_eq!(basics.url.as_deref(), Some(urls[0].as_str()));
    assert!(basics.text.contains("ffi_prep_cif"), "{}", basics.text);
    assert!(!basics.text.contains("Next:"), "navigation is not prose");
    // A redirect is followed: the document keeps the address asked for as its id and cites
    // where the page really is.
    // Dated by Last-Modified where the page gives no date itself.
    let dated = &first.load.documents[2];
    assert_eq!(dated.date.as_deref(), Some("2026-07-01"));
    assert_eq!(first.load.documents[0].date, None);
    let moved = &first.load.documents[3];
    assert_eq!(moved.id, urls[3]);
    assert_eq!(
        moved.url.as_deref(),
        Some(format!("{base}/docs/Introduction.html").as_str())
    );

    let requests = log.requests();
    // robots.txt first, once; the disallowed page never requested; the project named.
    assert_eq!(requests[0].path, "/robots.txt");
    assert_eq!(
        log.paths().iter().filter(|p| *p == "/robots.txt").count(),
        1
    );
    assert!(!log.paths().iter().any(|p| p.starts_with("/private/")));
    for request in &requests {
        assert!(
            request.user_agent.starts_with("because/"),
            "{}",
            request.user_agent
        );
    }
    // One host, one request at a time, at least the delay apart.
    for pair in requests.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(140),
            "{} then {} only {gap:?} apart",
            pair[0].path,
            pair[1].path
        );
    }

    // A second run asks conditionally and reads unchanged pages from its cache.
    log.clear();
    let mut fetcher = Fetcher::new(options(cache.path()));
    let second = fetcher.fetch_pages(&urls);
    assert!(
        second.load.problems.is_empty(),
        "{:?}",
        second.load.problems
    );
    assert_eq!(second.stats.not_modified, 4, "{:?}", second.stats);
    assert_eq!(second.stats.fetched, 0);
    assert_eq!(second.load.documents, first.load.documents);
    let requests = log.requests();
    let basics = requests
        .iter()
        .find(|r| r.path == "/docs/The-Basics.html")
        .unwrap();
    assert!(basics.if_none_match.is_some());
    let dated = requests
        .iter()
        .find(|r| r.path == "/dated/Structures.html")
        .unwrap();
    assert_eq!(dated.if_modified_since.as_deref(), Some(LAST_MODIFIED));

    // A cache that lost a body downloads the page again instead of trusting a 304.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "body") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let mut fetcher = Fetcher::new(options(cache.path()));
    let third = fetcher.fetch_pages(&urls);
    assert_eq!(third.stats.fetched, 4, "{:?}", third.stats);
    assert_eq!(third.load.documents, first.load.documents);
}

#[test]
fn limits_end_a_page_with_a_clear_error_and_the_rest_goes_on() {
    if !manual_installed() {
        return;
    }
    let (address, log) = start_server();
    let base = format!("http://{address}");
    let cache = tempfile::tempdir().unwrap();
    let mut urls = addresses(
        &base,
        &[
            "/big.html",
            "/slow.html",
            "/loop",
            "/image.png",
            "/docs/Types.html",
        ],
    );
    urls.push("not a url".into());
    let mut fetcher = Fetcher::new(options(cache.path()));
    let report = fetcher.fetch_pages(&urls);
    let problems: Vec<String> = report.load.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 5, "{problems:?}");
    assert!(
        problems[0].contains("/big.html") && problems[0].contains("limit"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains("/slow.html") && problems[1].contains("within 1 s"),
        "{}",
        problems[1]
    );
    assert!(
        problems[2].contains("/loop") && problems[2].contains("more than 5 redirects"),
        "{}",
        problems[2]
    );
    assert!(problems[3].contains("image/png"), "{}", problems[3]);
    assert!(problems[4].contains("not a url"), "{}", problems[4]);
    assert_eq!(report.load.documents.len(), 1);
    assert_eq!(report.stats.failed, 5);
    // The redirect loop was cut after the first request and five redirects.
    assert_eq!(log.paths().iter().filter(|p| *p == "/loop").count(), 6);
}

#[test]
fn a_sitemap_index_leads_to_its_pages_and_robots_still_rule() {
    if !manual_installed() {
        return;
    }
    let (address, log) = start_server();
    let base = format!("http://{address}");
    let cache = tempfile::tempdir().unwrap();
    let mut fetcher = Fetcher::new(options(cache.path()));
    let pages = fetcher
        .sitemap_urls(&format!("{base}/sitemap-index.xml"))
        .unwrap();
    assert_eq!(
        pages,
        [
            "/docs/The-Basics.html",
            "/docs/Types.html",
            "/docs/Closure-Example.html",
            "/private/secret.html"
        ]
        .map(|p| format!("{base}{p}"))
    );
    let report = fetcher.fetch_pages(&pages);
    assert_eq!(report.load.documents.len(), 3);
    assert_eq!(report.stats.disallowed, 1);
    assert!(!log.paths().iter().any(|p| p.starts_with("/private/")));

    let missing = fetcher
        .sitemap_urls(&format!("{base}/no-sitemap.xml"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("HTTP 404"), "{missing}");
    let not_xml = fetcher
        .sitemap_urls(&format!("{base}/docs/Types.html"))
        .unwrap_err()
        .to_string();
    assert!(not_xml.contains("sitemap"), "{not_xml}");
}

#[test]
fn an_unreachable_host_is_a_failure_not_a_page_gone() {
    // A port nothing listens on: the connection is refused at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let cache = tempfile::tempdir().unwrap();
    let mut fetcher = Fetcher::new(options(cache.path()));
    let report = fetcher.fetch_pages(&[format!("http://127.0.0.1:{port}/page.html")]);
    // RFC 9309: an unreachable robots.txt means complete disallow, so the page is not asked;
    // and since nobody knows whether it is still there, it counts as failed (a sync then
    // removes nothing).
    assert_eq!(report.stats.failed, 1, "{:?}", report.stats);
    assert!(report.load.documents.is_empty());
    let problem = report.load.problems[0].to_string();
    assert!(
        problem.contains("robots.txt cannot be reached"),
        "{problem}"
    );
}
