//! A bounded vote load on loopback: many visitors over concurrent keep-alive connections
//! vote and change their votes on a few articles through the real server (axum, SQLite);
//! then the server stops, the database is opened again (a restart), and every stored vote
//! is compared with the last vote the server acknowledged for that visitor and article.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

/// Concurrent connections, each with its own visitors (so that the last acknowledged vote of
/// a visitor is also the last one the server committed).
const CONNECTIONS: usize = 64;
const VISITORS_PER_CONNECTION: u64 = 25;
/// The load stops at this many votes or after `MAX_SECONDS`, whichever comes first.
const MAX_VOTES: usize = 60_000;
const MAX_SECONDS: u64 = 30;

const QUESTIONS: [&str; 4] = [
    "Why do river floods happen?",
    "Why does coral bleaching happen?",
    "Why does soil erosion happen?",
    "Why are there tides?",
];

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    /// (slug, visitor) → helpful, as last acknowledged.
    acknowledged: HashMap<(String, String), bool>,
    refused: usize,
}

pub fn vote_load(fixture: &Path) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let index_dir = dir.path().join("index");
    let database = dir.path().join("site.sqlite");
    let documents = corpus::load_path(fixture);
    if documents.documents.is_empty() {
        bail!("no fixture documents in {}", fixture.display());
    }
    let index = index::Index::create_or_open(&index_dir)?;
    index.ingest(documents.documents, &mut |_| {})?;
    drop(index);
    let engine = explain::Engine::open(&index_dir)?;
    let store = site::Store::open(&database)?;
    let mut slugs = Vec::new();
    for text in QUESTIONS {
        let question = explain::Question::parse(text)?;
        let article = engine.ask(&question)?;
        slugs.push(store.publish(&question.normalized, &article)?.article.slug);
    }
    // Every client is 127.0.0.1, so the per-client limit is set out of reach; the limiter
    // still hashes and counts every vote.
    let config = site::SiteConfig {
        votes_per_minute: u32::MAX,
        retention_days: 0,
        ..site::SiteConfig::default()
    };
    let state = site::AppState::with_config(engine, store, config);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (tallies, elapsed) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(site::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let started = Instant::now();
        let deadline = started + Duration::from_secs(MAX_SECONDS);
        let mut clients = Vec::new();
        for connection in 0..CONNECTIONS {
            let slugs = slugs.clone();
            clients.push(tokio::spawn(client(addr, connection, slugs, deadline)));
        }
        let mut tallies = Vec::new();
        for client in clients {
            tallies.push(client.await??);
        }
        let elapsed = started.elapsed();
        let _ = stop.send(());
        server.await??;
        anyhow::Ok((tallies, elapsed))
    })?;
    drop(runtime);

    let mut latencies: Vec<u64> = tallies
        .iter()
        .flat_map(|t| t.latencies_us.iter().copied())
        .collect();
    latencies.sort_unstable();
    let refused: usize = tallies.iter().map(|t| t.refused).sum();
    let expected: HashMap<(String, String), bool> = tallies
        .into_iter()
        .flat_map(|t| t.acknowledged.into_iter())
        .collect();
    let acknowledged = latencies.len() - refused;

    // A restart: the database opened afresh, every vote compared.
    let store = site::Store::open(&database).context("reopening the site database")?;
    let mut lost = 0;
    let mut wrong = 0;
    let mut counter_mismatches = 0;
    for slug in &slugs {
        let version = store
            .current_version_of(slug)?
            .context("a published article")?;
        let mut helpful = 0;
        let mut not_helpful = 0;
        for ((vote_slug, visitor), expected_helpful) in &expected {
            if vote_slug != slug {
                continue;
            }
            match store.vote_of(version, visitor)? {
                None => lost += 1,
                Some(vote) if vote.helpful != *expected_helpful => wrong += 1,
                Some(_) => {}
            }
            if *expected_helpful {
                helpful += 1;
            } else {
                not_helpful += 1;
            }
        }
        let counts = store.feedback(version)?;
        if counts.helpful != helpful || counts.not_helpful != not_helpful {
            counter_mismatches += 1;
        }
    }
    let (stored_helpful, stored_not) = store.counted_votes()?;
    let extra = (stored_helpful + stored_not) as i64 - expected.len() as i64;

    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).copied().unwrap_or(0) as f64 / 1000.0
    };
    let rate = acknowledged as f64 / elapsed.as_secs_f64();
    Ok(format!(
        "## Vote load (loopback, `crates/bench/src/votes.rs`)\n\n\
         {CONNECTIONS} concurrent keep-alive connections, {} visitors ({VISITORS_PER_CONNECTION} per connection), \
         {} articles; each request is a JSON vote (yes, or no with a reason and sometimes a comment) that \
         often changes the visitor's earlier vote. Server and load generator share the 2 cores; SQLite in WAL mode; one writer thread \
         commits every vote queued since its last commit in one transaction (vote upsert, version counters, cited-source counters) \
         and answers each only after the commit; rate limiter hashing every vote.\n\n\
         | measure | result | target (issue 4) |\n|---|---|---|\n\
         | acknowledged votes | {acknowledged} in {:.1} s | – |\n\
         | throughput | **{rate:.0} votes/s** | ≥ 5,000 |\n\
         | latency p50 / p99 / max | {:.1} / **{:.1}** / {:.1} ms | p99 ≤ 50 ms |\n\
         | refused (non-2xx) | {refused} | 0 |\n\
         | after a restart: votes lost / with the wrong value / extra | **{lost} / {wrong} / {extra}** (of {} visitor-article votes) | 0 / 0 / 0 |\n\
         | articles whose counters differ from their votes | {counter_mismatches} | 0 |\n\n",
        CONNECTIONS as u64 * VISITORS_PER_CONNECTION,
        slugs.len(),
        elapsed.as_secs_f64(),
        percentile(0.5),
        percentile(0.99),
        percentile(1.0),
        expected.len(),
    ))
}

async fn client(
    addr: SocketAddr,
    connection: usize,
    slugs: Vec<String>,
    deadline: Instant,
) -> anyhow::Result<Tally> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut tally = Tally::default();
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15 ^ (connection as u64 + 1));
    let per_connection = MAX_VOTES / CONNECTIONS;
    for _ in 0..per_connection {
        if Instant::now() >= deadline {
            break;
        }
        let visitor_number =
            connection as u64 * VISITORS_PER_CONNECTION + random.next() % VISITORS_PER_CONNECTION;
        let visitor = format!("{visitor_number:032x}");
        let slug = &slugs[(random.next() % slugs.len() as u64) as usize];
        let helpful = random.next().is_multiple_of(2);
        let body = match (helpful, random.next() % 4) {
            (true, _) => r#"{"helpful":true}"#.to_owned(),
            (false, 0) => {
                r#"{"helpful":false,"reason":"missing_information","comment":"More on causes, please <b>!</b>"}"#.to_owned()
            }
            (false, _) => r#"{"helpful":false,"reason":"inaccurate"}"#.to_owned(),
        };
        let request = hyper::Request::post(format!("/a/{slug}/feedback"))
            .header(hyper::header::HOST, addr.to_string())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::COOKIE, format!("because_visitor={visitor}"))
            .body(Full::new(Bytes::from(body)))?;
        sender.ready().await?;
        let started = Instant::now();
        let response = sender.send_request(request).await?;
        let status = response.status();
        response.into_body().collect().await?;
        tally
            .latencies_us
            .push(started.elapsed().as_micros() as u64);
        if status.is_success() {
            tally.acknowledged.insert((slug.clone(), visitor), helpful);
        } else {
            tally.refused += 1;
        }
    }
    Ok(tally)
}

/// A small deterministic generator: the load is the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
