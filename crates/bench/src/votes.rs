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
        let (tallies, elapsed) = drive(addr, &slugs).await?;
        let _ = stop.send(());
        server.await??;
        anyhow::Ok((tallies, elapsed))
    })?;
    drop(runtime);

    let store = site::Store::open(&database).context("reopening the site database")?;
    let outcome = Outcome::of(tallies, elapsed, &store, &slugs)?;
    Ok(format!(
        "## Vote load (loopback, `crates/bench/src/votes.rs`)\n\n\
         {CONNECTIONS} concurrent keep-alive connections, {} visitors ({VISITORS_PER_CONNECTION} per connection), \
         {} articles; each request is a JSON vote (yes, or no with a reason and sometimes a comment) that \
         often changes the visitor's earlier vote. Server and load generator share the 2 cores; SQLite in WAL mode; one writer thread \
         commits every vote queued since its last commit in one transaction (vote upsert, version counters, cited-source counters) \
         and answers each only after the commit; rate limiter hashing every vote.\n\n\
         | measure | result | target (issue 4) |\n|---|---|---|\n{}\n",
        CONNECTIONS as u64 * VISITORS_PER_CONNECTION,
        slugs.len(),
        outcome.rows("≥ 5,000", "p99 ≤ 50 ms"),
    ))
}

/// The same load on PostgreSQL (the server at `server_url`, a fresh database per run): one
/// `because serve` process answering directly, then two behind a real nginx (round robin,
/// keep-alive), each process with its own connection pool. Every node, nginx, PostgreSQL and
/// the load generator share the machine's cores.
pub fn cluster_vote_load(
    fixture: &Path,
    because: &Path,
    server_url: &str,
) -> anyhow::Result<String> {
    let mut rows = String::new();
    for nodes in [1, 2] {
        let name = format!("bench_votes_{}_{nodes}", std::process::id());
        let url = site::store::postgres::create_database(server_url, &name)?;
        let store = bench::crash::CrashStore::Postgres(url.clone());
        let (_dir, data, database, slugs) = bench::crash::prepare(fixture, &store)?;
        let mut servers = Vec::new();
        for _ in 0..nodes {
            servers.push(bench::crash::start(because, &data, &database)?);
        }
        let bases: Vec<&str> = servers.iter().map(|(_, base)| base.as_str()).collect();
        let proxy = if nodes > 1 {
            Some(bench::proxy::Nginx::start(&bases)?)
        } else {
            None
        };
        let target = proxy.as_ref().map_or(bases[0], |p| p.base.as_str());
        let addr: SocketAddr = target
            .trim_start_matches("http://")
            .parse()
            .context("the address of the node or proxy")?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (tallies, elapsed) = runtime.block_on(drive(addr, &slugs))?;
        drop(runtime);
        drop(proxy);
        for (mut server, _) in servers {
            server.kill()?;
            server.wait()?;
        }
        let store = site::Store::connect(&url)?;
        let outcome = Outcome::of(tallies, elapsed, &store, &slugs)?;
        let setup = if nodes == 1 {
            "one node, direct".to_owned()
        } else {
            format!("{nodes} nodes behind nginx")
        };
        rows.push_str(&format!(
            "\n**{setup}**\n\n| measure | result | target (issue 11) |\n|---|---|---|\n{}",
            outcome.rows("–", "–")
        ));
    }
    Ok(format!(
        "## Vote load on PostgreSQL, one node and two behind nginx (`crates/bench/src/votes.rs`)\n\n\
         The load of the SQLite vote load ({CONNECTIONS} keep-alive connections, {} visitors, {} articles) \
         against `because serve --database-url` (release build) on a private PostgreSQL 15 (`scripts/with-postgres.sh`: \
         initdb defaults, fsync and synchronous commit on), each vote its own transaction acknowledged after \
         its commit; the per-client limit off (`--votes-per-minute 0`). Nodes, nginx (Debian's, `nginx-light`), \
         PostgreSQL and the load generator share the machine's 2 cores, so two nodes here measure correctness \
         under contention more than scaling.\n{rows}\n",
        CONNECTIONS as u64 * VISITORS_PER_CONNECTION,
        bench::crash::QUESTIONS.len(),
    ))
}

/// What a load left: rates, latencies, and every acknowledged vote looked for in the
/// database afterwards.
struct Outcome {
    acknowledged: usize,
    seconds: f64,
    latencies_ms: Vec<f64>,
    refused: usize,
    distinct: usize,
    lost: usize,
    wrong: usize,
    extra: i64,
    counter_mismatches: usize,
}

impl Outcome {
    fn of(
        tallies: Vec<Tally>,
        elapsed: Duration,
        store: &site::Store,
        slugs: &[String],
    ) -> anyhow::Result<Outcome> {
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
        let mut lost = 0;
        let mut wrong = 0;
        let mut counter_mismatches = 0;
        for slug in slugs {
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

        Ok(Outcome {
            acknowledged,
            seconds: elapsed.as_secs_f64(),
            latencies_ms: latencies.iter().map(|us| *us as f64 / 1000.0).collect(),
            refused,
            distinct: expected.len(),
            lost,
            wrong,
            extra,
            counter_mismatches,
        })
    }

    fn percentile(&self, p: f64) -> f64 {
        let i = ((self.latencies_ms.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_ms.get(i).copied().unwrap_or(0.0)
    }

    /// The table's rows, with the targets for throughput and p99.
    fn rows(&self, rate_target: &str, p99_target: &str) -> String {
        format!(
            "| acknowledged votes | {} in {:.1} s | – |\n\
             | throughput | **{:.0} votes/s** | {rate_target} |\n\
             | latency p50 / p99 / max | {:.1} / **{:.1}** / {:.1} ms | {p99_target} |\n\
             | refused (non-2xx) | {} | 0 |\n\
             | after a restart: votes lost / with the wrong value / extra | **{} / {} / {}** (of {} visitor-article votes) | 0 / 0 / 0 |\n\
             | articles whose counters differ from their votes | {} | 0 |\n",
            self.acknowledged,
            self.seconds,
            self.acknowledged as f64 / self.seconds,
            self.percentile(0.5),
            self.percentile(0.99),
            self.percentile(1.0),
            self.refused,
            self.lost,
            self.wrong,
            self.extra,
            self.distinct,
            self.counter_mismatches,
        )
    }
}

/// Runs the load against the server at `addr` until done or the deadline.
async fn drive(addr: SocketAddr, slugs: &[String]) -> anyhow::Result<(Vec<Tally>, Duration)> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(MAX_SECONDS);
    let mut clients = Vec::new();
    for connection in 0..CONNECTIONS {
        let slugs = slugs.to_vec();
        clients.push(tokio::spawn(client(addr, connection, slugs, deadline)));
    }
    let mut tallies = Vec::new();
    for client in clients {
        tallies.push(client.await??);
    }
    Ok((tallies, started.elapsed()))
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
