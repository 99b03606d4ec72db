//! What the HTTP tests share: a fixture index, a server on a loopback port, a client.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use ureq::Agent;

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/corpus")
}

pub fn ingest(data: &Path) {
    let report = corpus::load_path(&fixture_dir());
    let index = index::Index::create_or_open(&data.join("index")).unwrap();
    index.ingest(report.documents, &mut |_| {}).unwrap();
}

/// The site's database of a test whose data dir is `data`: SQLite in it; or, when the suite
/// runs against PostgreSQL (`BECAUSE_TEST_DATABASE_URL`, set by `scripts/with-postgres.sh`
/// to its private server), a database of the test's own on that server, named after the
/// data dir so that opening it again reaches the same one.
pub fn open_store(data: &Path) -> site::Store {
    match std::env::var("BECAUSE_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(data);
            let url =
                site::store::postgres::create_database(&server, &format!("t_{hash:016x}")).unwrap();
            site::Store::connect(&url).unwrap()
        }
        _ => site::Store::open(&data.join("site.sqlite")).unwrap(),
    }
}

/// Whether this run of the suite stores in PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("BECAUSE_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty())
}

/// A server on 127.0.0.1 with an ephemeral port; stopped (gracefully) when dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(data: &Path) -> Server {
        Server::start_with(data, site::SiteConfig::default())
    }

    pub fn start_with(data: &Path, config: site::SiteConfig) -> Server {
        Server::start_with_writer(data, config, None)
    }

    /// A server whose `llm` jobs use `writer`.
    pub fn start_with_writer(
        data: &Path,
        config: site::SiteConfig,
        writer: Option<writer::Writer>,
    ) -> Server {
        let engine = explain::Engine::open(&data.join("index")).unwrap();
        let store = open_store(data);
        let (addr_tx, addr_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let mut state = site::AppState::with_config(engine, store, config);
                if let Some(writer) = writer {
                    state = state.with_writer(writer);
                }
                site::serve(listener, state, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        Server {
            addr: addr_rx.recv().unwrap(),
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

pub struct Reply {
    pub status: u16,
    pub location: String,
    pub cookie: Option<String>,
    pub body: String,
}

pub fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("the request reaches the server");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location").unwrap_or_default();
    let cookie = header("set-cookie").map(|c| c.split(';').next().unwrap_or("").to_owned());
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Reply {
        status,
        location,
        cookie,
        body,
    }
}

pub fn get(server: &Server, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = agent().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    reply(request.call())
}

/// Asks a question as the home page's form does (a POST); `encoded` is the question
/// URL-encoded, as in `Why+do+floods+happen%3F`.
pub fn ask(server: &Server, encoded: &str) -> Reply {
    post_form(server, "/ask", &format!("q={encoded}"), None)
}

pub fn post_form(server: &Server, path: &str, body: &str, cookie: Option<&str>) -> Reply {
    let mut request = agent()
        .post(server.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://{}", server.addr));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    reply(request.send(body))
}

pub fn post_json(
    server: &Server,
    path: &str,
    body: &serde_json::Value,
    cookie: Option<&str>,
) -> Reply {
    let mut request = agent()
        .post(server.url(path))
        .header("content-type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    reply(request.send(body.to_string()))
}

pub fn json(reply: &Reply) -> serde_json::Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", reply.body))
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Polls `GET /api/v1/jobs/{id}` until the job is done or failed (at most 120 s).
pub fn wait_for_job(server: &Server, id: i64) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let reply = reply(
            agent()
                .get(server.url(&format!("/api/v1/jobs/{id}")))
                .call(),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let job: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        if job["state"] == "done" || job["state"] == "failed" {
            return job;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "job {id} still {}",
            job["state"]
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
