//! Web pages as documents, fetched politely: `because ingest --urls FILE` and `--sitemap URL`.
//!
//! - **robots.txt** (RFC 9309, parsed by robotxt) is read once per host and obeyed for every
//!   request, redirects included: a disallowed page is never requested. A robots.txt that
//!   answers 4xx allows everything; one that cannot be reached (5xx, network error) disallows
//!   the whole host, as the RFC asks.
//! - **One request at a time per host**, at least [`FetchOptions::delay`] apart, longer when
//!   robots.txt asks for a `Crawl-delay` (a host asking for more than
//!   [`FetchOptions::max_crawl_delay`] is skipped rather than made to wait for hours).
//! - A **user agent naming the project** ([`USER_AGENT`]); robots.txt groups for `because`
//!   apply to it.
//! - **Conditional re-fetch**: each page's body is kept in a cache folder with its `ETag` and
//!   `Last-Modified`; the next run sends `If-None-Match` / `If-Modified-Since`, and a
//!   `304 Not Modified` is read from the cache instead of downloaded again.
//! - **Limits**: a whole-request timeout, a byte limit per page (checked on `Content-Length`
//!   and while reading), redirects followed by hand up to [`FetchOptions::max_redirects`].
//!
//! Pages become documents by their content type: HTML (main content only, [`read_html`]),
//! PDF (one document per page, `URL#page=N`) and plain text. A page's id is the URL it was
//! asked for; its URL is the page's canonical link, or the address it was finally served from.
//!
//! [`read_html`]: crate::read_html

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use crate::{CorpusError, Document, LoadProblem, LoadReport};

/// The user agent of every request: the project's name and version, and what it does.
pub const USER_AGENT: &str = concat!(
    "because/",
    env!("CARGO_PKG_VERSION"),
    " (self-hosted explainer engine; fetches pages given to `because ingest`)"
);

/// The product token robots.txt groups are matched against.
pub const ROBOTS_TOKEN: &str = "because";

/// The most a robots.txt or a sitemap may weigh (the sitemap protocol's own limit is 50 MB).
const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;
const MAX_ROBOTS_BYTES: u64 = 512 * 1024;
/// Sitemap indexes may point to sitemaps, which may not point further.
const MAX_SITEMAP_DEPTH: usize = 2;
/// The cache's record of what each page was when last fetched.
const STATE_FILE: &str = "pages.json";

/// How politely and how far to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Where page bodies and their validators are kept between runs.
    pub cache_dir: PathBuf,
    /// The least time between two requests to one host.
    pub delay: Duration,
    /// A robots.txt `Crawl-delay` above this makes the host's pages skipped.
    pub max_crawl_delay: Duration,
    /// The whole time one request may take, connection to last byte.
    pub timeout: Duration,
    /// The most bytes one page may have.
    pub max_bytes: u64,
    /// The most redirects followed from one address.
    pub max_redirects: u32,
    /// The most page addresses taken from one sitemap (indexes included).
    pub max_sitemap_urls: usize,
}

impl FetchOptions {
    pub fn new(cache_dir: impl Into<PathBuf>) -> FetchOptions {
        FetchOptions {
            cache_dir: cache_dir.into(),
            delay: Duration::from_secs(1),
            max_crawl_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            max_sitemap_urls: 50_000,
        }
    }
}

/// What happened to the pages of one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FetchStats {
    /// Downloaded (200).
    pub fetched: usize,
    /// Unchanged since the last run (304), read from the cache.
    pub not_modified: usize,
    /// Not requested: robots.txt disallows them (or the host's robots.txt is unreachable).
    pub disallowed: usize,
    /// The server says they are gone (404, 410).
    pub gone: usize,
    /// Not read: an error, reported in the report's problems.
    pub failed: usize,
}

/// The documents of a run, its problems, and its tally.
#[derive(Debug, Default)]
pub struct WebReport {
    pub load: LoadReport,
    pub stats: FetchStats,
    /// Pages not requested or not there, with why (robots.txt, 404): not errors, but a user
    /// wants to know.
    pub notes: Vec<String>,
}

/// A page as the cache remembers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    etag: Option<String>,
    last_modified: Option<String>,
    content_type: String,
    final_url: String,
}

struct Host {
    robots: robotxt::Robots,
    /// Why robots.txt could not be read (network error, 5xx): nothing of the host is fetched,
    /// and its pages count as failed, not as gone.
    unreachable: Option<String>,
    /// The gap this host gets between requests.
    delay: Duration,
}

/// Why a page was not read.
enum Refusal {
    Disallowed(String),
    Failed(String),
}

/// A polite fetcher: one per run, so that robots.txt, delays and the cache span every page.
pub struct Fetcher {
    options: FetchOptions,
    agent: ureq::Agent,
    hosts: HashMap<String, Host>,
    last_request: HashMap<String, Instant>,
    cache: HashMap<String, Cached>,
}

impl Fetcher {
    /// A fetcher with the cache of earlier runs (a missing or unreadable cache is an empty one:
    /// pages are then downloaded again, nothing is lost).
    pub fn new(options: FetchOptions) -> Fetcher {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(options.timeout))
            .build()
            .new_agent();
        let cache = std::fs::read(options.cache_dir.join(STATE_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Fetcher {
            options,
            agent,
            hosts: HashMap::new(),
            last_request: HashMap::new(),
            cache,
        }
    }

    /// Fetches every address and reads each page as documents; never stops at a bad page.
    pub fn fetch_pages(&mut self, urls: &[String]) -> WebReport {
        let mut report = WebReport::default();
        for address in urls {
            self.fetch_page(address, &mut report);
        }
        if let Err(error) = self.save() {
            report.load.problems.push(LoadProblem(CorpusError::Io {
                path: self.options.cache_dir.clone(),
                source: error,
            }));
        }
        report
    }

    /// The page addresses a sitemap lists, following a sitemap index one level down.
    pub fn sitemap_urls(&mut self, sitemap: &str) -> Result<Vec<String>, CorpusError> {
        let start = parse_url(sitemap)?;
        let mut pages = Vec::new();
        let mut pending = vec![(start, 0)];
        while let Some((address, depth)) = pending.pop() {
            let body = match self.get(&address, None, MAX_SITEMAP_BYTES) {
                Ok(Page::Fresh {
                    status: 200, body, ..
                }) => body,
                Ok(Page::Fresh { status, .. }) | Ok(Page::Other { status }) => {
                    return Err(web_error(
                        &address,
                        format!("the sitemap answered HTTP {status}"),
                    ));
                }
                Ok(Page::NotModified { .. }) => {
                    return Err(web_error(
                        &address,
                        "the sitemap answered 304 unasked".into(),
                    ));
                }
                Err(Refusal::Disallowed(why) | Refusal::Failed(why)) => {
                    return Err(web_error(&address, why));
                }
            };
            let listing = read_sitemap(&body).map_err(|why| web_error(&address, why))?;
            for location in listing.pages {
                if pages.len() >= self.options.max_sitemap_urls {
                    return Ok(pages);
                }
                if let Ok(page) = address.join(&location) {
                    pages.push(page.to_string());
                }
            }
            for location in listing.sitemaps {
                if depth + 1 < MAX_SITEMAP_DEPTH
                    && let Ok(child) = address.join(&location)
                {
                    pending.push((child, depth + 1));
                }
            }
        }
        Ok(pages)
    }

    fn fetch_page(&mut self, address: &str, report: &mut WebReport) {
        let url = match parse_url(address) {
            Ok(url) => url,
            Err(error) => {
                report.stats.failed += 1;
                report.load.problems.push(LoadProblem(error));
                return;
            }
        };
        let cached = self
            .cache
            .get(url.as_str())
            .filter(|_| self.body_path(url.as_str()).is_file())
            .cloned();
        let (final_url, content_type, body, last_modified) =
            match self.get(&url, cached.as_ref(), self.options.max_bytes) {
                Ok(Page::Fresh {
                    status: 200,
                    final_url,
                    content_type,
                    etag,
                    last_modified,
                    body,
                }) => {
                    report.stats.fetched += 1;
                    if let Err(error) = self.remember(
                        &url,
                        &body,
                        Cached {
                            etag,
                            last_modified: last_modified.clone(),
                            content_type: content_type.clone(),
                            final_url: final_url.to_string(),
                        },
                    ) {
                        report.notes.push(format!("{url}: not cached ({error})"));
                    }
                    (final_url, content_type, body, last_modified)
                }
                Ok(Page::NotModified { final_url }) => {
                    let Some(cached) = cached else {
                        report.stats.failed += 1;
                        report.load.problems.push(LoadProblem(web_error(
                            &url,
                            "answered 304 Not Modified to a request that was not conditional"
                                .into(),
                        )));
                        return;
                    };
                    match std::fs::read(self.body_path(url.as_str())) {
                        Ok(body) => {
                            report.stats.not_modified += 1;
                            let final_url = Url::parse(&cached.final_url).unwrap_or(final_url);
                            (final_url, cached.content_type, body, cached.last_modified)
                        }
                        Err(error) => {
                            report.stats.failed += 1;
                            report.load.problems.push(LoadProblem(web_error(
                                &url,
                                format!("unchanged, but its cached copy cannot be read: {error}"),
                            )));
                            return;
                        }
                    }
                }
                Ok(Page::Fresh { status, .. }) | Ok(Page::Other { status })
                    if matches!(status, 404 | 410) =>
                {
                    report.stats.gone += 1;
                    report.notes.push(format!("{url}: gone (HTTP {status})"));
                    self.forget(&url);
                    return;
                }
                Ok(Page::Fresh { status, .. }) | Ok(Page::Other { status }) => {
                    report.stats.failed += 1;
                    report.load.problems.push(LoadProblem(web_error(
                        &url,
                        format!("answered HTTP {status}"),
                    )));
                    return;
                }
                Err(Refusal::Disallowed(why)) => {
                    report.stats.disallowed += 1;
                    report.notes.push(format!("{url}: not fetched: {why}"));
                    return;
                }
                Err(Refusal::Failed(why)) => {
                    report.stats.failed += 1;
                    report.load.problems.push(LoadProblem(web_error(&url, why)));
                    return;
                }
            };
        let modified = last_modified.as_deref().and_then(crate::normalize_date);
        match page_documents(&url, &final_url, &content_type, &body, modified) {
            Ok(documents) => report.load.documents.extend(documents),
            Err(why) => {
                report.stats.failed += 1;
                report.load.problems.push(LoadProblem(web_error(&url, why)));
            }
        }
    }

    /// One address, robots.txt and delays obeyed, redirects followed by hand.
    fn get(&mut self, url: &Url, cached: Option<&Cached>, limit: u64) -> Result<Page, Refusal> {
        let mut current = url.clone();
        for _ in 0..=self.options.max_redirects {
            let host = self.host(&current)?;
            if !host.robots.is_absolute_allowed(&current) {
                return Err(Refusal::Disallowed("robots.txt disallows it".into()));
            }
            let delay = host.delay;
            let mut request = self
                .agent
                .get(current.as_str())
                .header("User-Agent", USER_AGENT);
            if let Some(cached) = cached {
                if let Some(etag) = &cached.etag {
                    request = request.header("If-None-Match", etag);
                }
                if let Some(modified) = &cached.last_modified {
                    request = request.header("If-Modified-Since", modified);
                }
            }
            self.wait_for(&current, delay);
            let mut response = request
                .call()
                .map_err(|e| Refusal::Failed(transport(e, &self.options)))?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            if status == 304 {
                return Ok(Page::NotModified { final_url: current });
            }
            if (300..400).contains(&status) {
                let Some(location) = header("location") else {
                    return Ok(Page::Other { status });
                };
                current = current.join(&location).map_err(|e| {
                    Refusal::Failed(format!("redirected to a bad address {location:?}: {e}"))
                })?;
                if !matches!(current.scheme(), "http" | "https") {
                    return Err(Refusal::Failed(format!(
                        "redirected to {current}, which is not http(s)"
                    )));
                }
                continue;
            }
            if status != 200 {
                return Ok(Page::Other { status });
            }
            if let Some(length) = header("content-length").and_then(|l| l.parse::<u64>().ok())
                && length > limit
            {
                return Err(Refusal::Failed(format!(
                    "{length} bytes, over the limit of {limit}"
                )));
            }
            let content_type = header("content-type").unwrap_or_default();
            let etag = header("etag");
            let last_modified = header("last-modified");
            let body = response
                .body_mut()
                .with_config()
                .limit(limit)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => {
                        format!("over the limit of {limit} bytes")
                    }
                    other => transport(other, &self.options),
                })
                .map_err(Refusal::Failed)?;
            return Ok(Page::Fresh {
                status,
                final_url: current,
                content_type,
                etag,
                last_modified,
                body,
            });
        }
        Err(Refusal::Failed(format!(
            "more than {} redirects",
            self.options.max_redirects
        )))
    }

    /// The host of `url`, its robots.txt read on first use.
    fn host(&mut self, url: &Url) -> Result<&Host, Refusal> {
        let key = host_key(url);
        if !self.hosts.contains_key(&key) {
            let host = self.read_robots(url);
            self.hosts.insert(key.clone(), host);
        }
        let host = &self.hosts[&key];
        if let Some(why) = &host.unreachable {
            return Err(Refusal::Failed(why.clone()));
        }
        if host.delay > self.options.max_crawl_delay {
            return Err(Refusal::Disallowed(format!(
                "its robots.txt asks for {} s between requests (more than the {} s allowed)",
                host.delay.as_secs(),
                self.options.max_crawl_delay.as_secs()
            )));
        }
        Ok(host)
    }

    fn read_robots(&mut self, url: &Url) -> Host {
        use robotxt::{AccessResult, Robots};
        let mut address = url
            .join("/robots.txt")
            .expect("an http(s) URL takes a path");
        let mut robots = None;
        let mut unreachable = None;
        // RFC 9309 2.3.1.2: follow at least five redirects; beyond them, as if unavailable.
        for _ in 0..5 {
            self.wait_for(&address, self.options.delay);
            let response = self
                .agent
                .get(address.as_str())
                .header("User-Agent", USER_AGENT)
                .call();
            let mut response = match response {
                Ok(response) => response,
                Err(error) => {
                    unreachable = Some(format!(
                        "its robots.txt cannot be reached ({}), so nothing of the host is fetched",
                        transport(error, &self.options)
                    ));
                    robots = Some(Robots::from_access(AccessResult::Unreachable, ROBOTS_TOKEN));
                    break;
                }
            };
            let status = response.status().as_u16();
            if (300..400).contains(&status)
                && let Some(next) = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| address.join(l).ok())
            {
                address = next;
                continue;
            }
            robots = Some(match status {
                200..=299 => match response
                    .body_mut()
                    .with_config()
                    .limit(MAX_ROBOTS_BYTES)
                    .read_to_vec()
                {
                    Ok(body) => Robots::from_access(AccessResult::Successful(&body), ROBOTS_TOKEN),
                    Err(error) => {
                        unreachable = Some(format!(
                            "its robots.txt cannot be read ({}), so nothing of the host is fetched",
                            transport(error, &self.options)
                        ));
                        Robots::from_access(AccessResult::Unreachable, ROBOTS_TOKEN)
                    }
                },
                400..=499 => Robots::from_access(AccessResult::Unavailable, ROBOTS_TOKEN),
                _ => {
                    unreachable = Some(format!(
                        "its robots.txt answered HTTP {status}, so nothing of the host is fetched (RFC 9309)"
                    ));
                    Robots::from_access(AccessResult::Unreachable, ROBOTS_TOKEN)
                }
            });
            break;
        }
        let robots =
            robots.unwrap_or_else(|| Robots::from_access(AccessResult::Redirect, ROBOTS_TOKEN));
        let delay = robots
            .crawl_delay()
            .map_or(self.options.delay, |d| d.max(self.options.delay));
        Host {
            robots,
            unreachable,
            delay,
        }
    }

    /// Sleeps until `url`'s host may be asked again, and records the request.
    fn wait_for(&mut self, url: &Url, delay: Duration) {
        let key = host_key(url);
        if let Some(last) = self.last_request.get(&key) {
            let ready = *last + delay;
            let now = Instant::now();
            if ready > now {
                std::thread::sleep(ready - now);
            }
        }
        self.last_request.insert(key, Instant::now());
    }

    fn body_path(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.options.cache_dir.join(format!("{name}.body"))
    }

    fn remember(&mut self, url: &Url, body: &[u8], entry: Cached) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.options.cache_dir)?;
        let path = self.body_path(url.as_str());
        let partial = path.with_extension("partial");
        std::fs::write(&partial, body)?;
        std::fs::rename(&partial, &path)?;
        self.cache.insert(url.to_string(), entry);
        Ok(())
    }

    fn forget(&mut self, url: &Url) {
        if self.cache.remove(url.as_str()).is_some() {
            let _ = std::fs::remove_file(self.body_path(url.as_str()));
        }
    }

    /// Writes the cache's record (atomically: a run cut short leaves the previous one).
    fn save(&self) -> std::io::Result<()> {
        if self.cache.is_empty() && !self.options.cache_dir.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.options.cache_dir)?;
        let path = self.options.cache_dir.join(STATE_FILE);
        let partial = path.with_extension("partial");
        let json = serde_json::to_vec_pretty(&self.cache).map_err(std::io::Error::other)?;
        std::fs::write(&partial, json)?;
        std::fs::rename(&partial, &path)
    }
}

/// An answer to [`Fetcher::get`].
enum Page {
    Fresh {
        status: u16,
        final_url: Url,
        content_type: String,
        etag: Option<String>,
        last_modified: Option<String>,
        body: Vec<u8>,
    },
    NotModified {
        final_url: Url,
    },
    Other {
        status: u16,
    },
}

/// Reads a list of addresses: one per line; blank lines and lines starting with `#` skipped.
pub fn read_url_list(path: &Path) -> Result<Vec<String>, CorpusError> {
    let text = std::fs::read_to_string(path).map_err(|source| CorpusError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut urls = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        parse_url(line).map_err(|error| CorpusError::Line {
            path: path.to_owned(),
            line: number + 1,
            message: error.to_string(),
        })?;
        urls.push(line.to_owned());
    }
    Ok(urls)
}

fn parse_url(address: &str) -> Result<Url, CorpusError> {
    let url = Url::parse(address).map_err(|e| CorpusError::Web {
        url: address.to_owned(),
        message: format!("not a valid address: {e}"),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(CorpusError::Web {
            url: address.to_owned(),
            message: "only http:// and https:// addresses can be fetched".into(),
        });
    }
    Ok(url)
}

fn web_error(url: &Url, message: String) -> CorpusError {
    CorpusError::Web {
        url: url.to_string(),
        message,
    }
}

/// Scheme, host and port: what robots.txt and the rate limit apply to.
fn host_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn transport(error: ureq::Error, options: &FetchOptions) -> String {
    match error {
        ureq::Error::Timeout(_) => format!(
            "no complete answer within {} s",
            options.timeout.as_secs_f64()
        ),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!(
                "no complete answer within {} s",
                options.timeout.as_secs_f64()
            )
        }
        other => other.to_string(),
    }
}

/// A page's documents by its content type.
/// A page's documents by its content type; `modified` (from `Last-Modified`) dates them
/// where the page itself gives no date.
fn page_documents(
    url: &Url,
    final_url: &Url,
    content_type: &str,
    body: &[u8],
    modified: Option<String>,
) -> Result<Vec<Document>, String> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "text/html" | "application/xhtml+xml" | "" => {
            let page = crate::html::read_html(&String::from_utf8_lossy(body));
            if page.text.trim().is_empty() {
                return Err("the page holds no text".into());
            }
            let document = Document {
                id: url.to_string(),
                title: page.title.unwrap_or_else(|| title_from_url(final_url)),
                text: page.text,
                url: Some(page.url.unwrap_or_else(|| final_url.to_string())),
                license: None,
                date: page.date.or(modified),
                language: page.language,
            };
            Ok(crate::load::section_documents(document, page.sections))
        }
        "text/plain" => {
            let text = String::from_utf8_lossy(body).into_owned();
            if text.trim().is_empty() {
                return Err("the page holds no text".into());
            }
            Ok(vec![Document {
                id: url.to_string(),
                title: title_from_url(final_url),
                text,
                url: Some(final_url.to_string()),
                license: None,
                date: modified,
                language: None,
            }])
        }
        "application/pdf" => {
            let pdf = crate::pdf::read_pdf(body).map_err(|e| e.to_string())?;
            let title = pdf.title.unwrap_or_else(|| title_from_url(final_url));
            Ok(pdf
                .pages
                .into_iter()
                .map(|(page, text)| Document {
                    id: format!("{url}#page={page}"),
                    title: format!("{title}, page {page}"),
                    text,
                    url: Some(format!("{final_url}#page={page}")),
                    license: None,
                    date: modified.clone(),
                    language: None,
                })
                .collect())
        }
        other => Err(format!(
            "its content type {other} is not HTML, PDF or plain text"
        )),
    }
}

/// A readable title from an address: its last path segment without extension, or its host.
fn title_from_url(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .map(|segment| {
            let decoded = percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned();
            let stem = decoded
                .rsplit_once('.')
                .map_or(decoded.as_str(), |(stem, _)| stem)
                .to_owned();
            stem.replace(['_', '-'], " ")
        })
        .filter(|title| !title.trim().is_empty())
        .unwrap_or_else(|| url.host_str().unwrap_or("page").to_owned())
}

/// The `<loc>` entries of a sitemap: pages (`<urlset>`) and further sitemaps
/// (`<sitemapindex>`).
#[derive(Debug, Default, PartialEq, Eq)]
struct SitemapListing {
    pages: Vec<String>,
    sitemaps: Vec<String>,
}

fn read_sitemap(body: &[u8]) -> Result<SitemapListing, String> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut listing = SitemapListing::default();
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut buffer = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(start)) => {
                path.push(start.local_name().as_ref().to_vec());
                text.clear();
            }
            Ok(Event::Text(t)) => {
                text.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Ok(Event::CData(t)) => text.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::GeneralRef(r)) => {
                if let Some(ch) = r.resolve_char_ref().ok().flatten() {
                    text.push(ch);
                } else {
                    let name = r.decode().map_err(|e| e.to_string())?;
                    text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Ok(Event::End(_)) => {
                let element = path.pop().unwrap_or_default();
                if element == b"loc" {
                    let parent = path.last().map(Vec::as_slice);
                    let location = text.trim().to_owned();
                    if !location.is_empty() {
                        match parent {
                            Some(b"url") => listing.pages.push(location),
                            Some(b"sitemap") => listing.sitemaps.push(location),
                            _ => {}
                        }
                    }
                }
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => return Err(format!("not a readable sitemap: {error}")),
        }
        buffer.clear();
    }
    if listing.pages.is_empty() && listing.sitemaps.is_empty() {
        return Err("the sitemap lists no <url><loc> or <sitemap><loc>".into());
    }
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sitemap_and_an_index_are_read() {
        let urlset = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/a.html</loc><lastmod>2026-01-01</lastmod></url>
  <url><loc> https://example.org/b?x=1&amp;y=2 </loc></url>
</urlset>"#;
        assert_eq!(
            read_sitemap(urlset).unwrap(),
            SitemapListing {
                pages: vec![
                    "https://example.org/a.html".into(),
                    "https://example.org/b?x=1&y=2".into()
                ],
                sitemaps: vec![],
            }
        );
        let index = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.org/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            read_sitemap(index).unwrap().sitemaps,
            ["https://example.org/s1.xml"]
        );
        assert!(read_sitemap(b"<html><body>not a sitemap</body></html>").is_err());
        assert!(read_sitemap(b"<urlset><url><loc>x</url>").is_err());
    }

    #[test]
    fn url_lists_skip_comments_and_name_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("urls.txt");
        std::fs::write(
            &list,
            "# pages\nhttps://example.org/a\n\n  http://example.org/b  \n",
        )
        .unwrap();
        assert_eq!(
            read_url_list(&list).unwrap(),
            ["https://example.org/a", "http://example.org/b"]
        );
        std::fs::write(&list, "https://example.org/a\nftp://example.org/b\n").unwrap();
        let error = read_url_list(&list).unwrap_err().to_string();
        assert!(error.contains(":2:") && error.contains("http"), "{error}");
    }

    #[test]
    fn titles_from_addresses() {
        let url = |s| Url::parse(s).unwrap();
        assert_eq!(
            title_from_url(&url("https://example.org/docs/Getting_started.html")),
            "Getting started"
        );
        assert_eq!(title_from_url(&url("https://example.org/a/b/")), "b");
        assert_eq!(title_from_url(&url("https://example.org/")), "example.org");
        assert_eq!(
            title_from_url(&url("https://example.org/caf%C3%A9-menu")),
            "café menu"
        );
    }

    proptest::proptest! {
        /// Whatever a server sends, reading it never panics: a clear error or documents.
        #[test]
        fn arbitrary_answers_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            let _ = read_sitemap(&body);
            let url = Url::parse("http://example.org/page").unwrap();
            for content_type in ["text/html", "text/plain", "application/pdf", "application/xml"] {
                let _ = page_documents(&url, &url, content_type, &body, None);
            }
            let _ = robotxt::Robots::from_bytes(&body, ROBOTS_TOKEN);
        }
    }

    #[test]
    fn robots_rules_apply_to_our_token() {
        let robots = robotxt::Robots::from_bytes(
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: because\nDisallow: /no-because/\nCrawl-delay: 2\n",
            ROBOTS_TOKEN,
        );
        let url = |s| Url::parse(s).unwrap();
        assert!(!robots.is_absolute_allowed(&url("http://h/no-because/x")));
        assert!(
            robots.is_absolute_allowed(&url("http://h/private/x")),
            "our own group replaces *"
        );
        assert_eq!(robots.crawl_delay(), Some(Duration::from_secs(2)));
    }
}
