//! Crash safety of votes: a real `because serve` process under vote load is killed with
//! SIGKILL in the middle of the load, started again on the same files, and every vote it had
//! acknowledged is looked for in the database, with the counters checked against the votes
//! (a vote counted twice would show there).
//!
//! A vote in flight when the process died may or may not have been committed; the visitor was
//! never told either way, so either value is right for it. Every acknowledged vote must be
//! there, with its value or with the value of a later attempt that got no answer.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The articles the loads vote on.
pub const QUESTIONS: [&str; 3] = [
    "Why do river floods happen?",
    "Why does coral bleaching happen?",
    "Why are there tides?",
];

/// How hard and how long to push before the kill.
#[derive(Debug, Clone, Copy)]
pub struct CrashLoad {
    /// Concurrent clients, each with a keep-alive connection and visitors of its own.
    pub clients: usize,
    pub visitors_per_client: u64,
    /// The server is killed this long after the load starts.
    pub kill_after: Duration,
}

/// Where the server under test stores: SQLite in its data dir, or a PostgreSQL database.
#[derive(Debug, Clone, Default)]
pub enum CrashStore {
    #[default]
    Sqlite,
    /// A `postgres://` URL of an empty database the server may use.
    Postgres(String),
}

impl CrashStore {
    fn database(&self, data: &Path) -> site::Database {
        match self {
            CrashStore::Sqlite => site::Database::Sqlite(data.join("site.sqlite")),
            CrashStore::Postgres(url) => site::Database::Postgres(url.clone()),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            CrashStore::Sqlite => "SQLite",
            CrashStore::Postgres(_) => "PostgreSQL",
        }
    }
}

/// What the crash and the restart left.
#[derive(Debug, Default)]
pub struct CrashReport {
    /// "SQLite" or "PostgreSQL".
    pub store: &'static str,
    pub acknowledged_requests: usize,
    /// Distinct (article, visitor) votes acknowledged before the kill.
    pub acknowledged_votes: usize,
    /// Requests sent that got no answer because the process died.
    pub unanswered: usize,
    pub lost: usize,
    pub wrong: usize,
    /// Stored votes from visitors who never sent any (never expected: 0).
    pub unexpected: usize,
    pub counter_mismatches: usize,
    pub load_seconds: f64,
    /// From the restart to the server answering `/readyz` (a database restart: how long it
    /// took).
    pub restart_seconds: f64,
    /// Requests acknowledged after a database restart (the node recovered by itself).
    pub acknowledged_after: usize,
}

impl CrashReport {
    pub fn markdown(&self, load: &CrashLoad) -> String {
        format!(
            "## Crash safety of votes (SIGKILL mid-load, {}; `crates/bench/src/crash.rs`)\n\n\
             A real `because serve` process on loopback, {} clients with keep-alive connections and \
             {} visitors each voting and changing their votes on {} articles, killed with SIGKILL \
             {:.1} s into the load, then started again on the same files; every vote it had \
             acknowledged looked for in the database.\n\n\
             | measure | result | target (issue 11) |\n|---|---|---|\n\
             | requests acknowledged before the kill | {} ({} distinct visitor-article votes) in {:.1} s | – |\n\
             | requests in flight at the kill (no answer) | {} | – |\n\
             | acknowledged votes lost / with a value never sent after them / stored unasked | **{} / {} / {}** | 0 / 0 / 0 |\n\
             | articles whose counters differ from their stored votes (a vote counted twice) | **{}** | 0 |\n\
             | restart to ready | {:.2} s | – |\n\n",
            self.store,
            load.clients,
            load.visitors_per_client,
            QUESTIONS.len(),
            load.kill_after.as_secs_f64(),
            self.acknowledged_requests,
            self.acknowledged_votes,
            self.load_seconds,
            self.unanswered,
            self.lost,
            self.wrong,
            self.unexpected,
            self.counter_mismatches,
            self.restart_seconds,
        )
    }
}

/// One client's view: the last acknowledged value per (slug, visitor), and what it sent
/// after that without an answer.
#[derive(Default)]
struct Seen {
    acknowledged: HashMap<(String, String), bool>,
    unanswered: HashMap<(String, String), Vec<bool>>,
    requests: usize,
    lost_requests: usize,
    /// Requests acknowledged after the disruption (a database restart).
    acknowledged_after: usize,
}

/// Runs the load against `because` (the binary) storing in `store`, kills the server,
/// restarts it and checks.
pub fn vote_crash(
    fixture: &Path,
    because: &Path,
    load: CrashLoad,
    store: &CrashStore,
) -> anyhow::Result<CrashReport> {
    let (_dir, data, database, slugs) = prepare(fixture, store)?;

    let (mut server, base) = start(because, &data, &database)?;
    let signals = Arc::new(Signals::default());
    let started = Instant::now();
    let clients = spawn_clients(&base, &slugs, load, &signals);
    std::thread::sleep(load.kill_after);
    signals.killed.store(true, Ordering::SeqCst);
    server.kill().context("killing the server")?;
    server.wait()?;
    let load_seconds = started.elapsed().as_secs_f64();
    let seen = join_clients(clients)?;

    // The restart: the same files, the server ready again.
    let restarted = Instant::now();
    let (mut server, base) = start(because, &data, &database)?;
    while ureq::get(format!("{base}/readyz")).call().is_err() {
        if restarted.elapsed() > Duration::from_secs(30) {
            bail!("the restarted server never became ready");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let restart_seconds = restarted.elapsed().as_secs_f64();
    server.kill()?;
    server.wait()?;

    let mut report = CrashReport {
        store: store.name(),
        load_seconds,
        restart_seconds,
        ..CrashReport::default()
    };
    verify(&mut report, seen, &database, &slugs)?;
    Ok(report)
}

/// Fixture index in a temporary data dir, the database it stores in, and the articles the
/// load votes on, published.
pub fn prepare(
    fixture: &Path,
    store: &CrashStore,
) -> anyhow::Result<(tempfile::TempDir, PathBuf, site::Database, Vec<String>)> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().to_owned();
    let documents = corpus::load_path(fixture);
    if documents.documents.is_empty() {
        bail!("no fixture documents in {}", fixture.display());
    }
    let index = index::Index::create_or_open(&data.join("index"))?;
    index.ingest(documents.documents, &mut |_| {})?;
    drop(index);
    let database = store.database(&data);
    let slugs = {
        let engine = explain::Engine::open(&data.join("index"))?;
        let store = site::Store::open_database(&database)?;
        let mut slugs = Vec::new();
        for text in QUESTIONS {
            let question = explain::Question::parse(text)?;
            slugs.push(
                store
                    .publish(&question.normalized, &engine.ask(&question)?)?
                    .article
                    .slug,
            );
        }
        slugs
    };

    Ok((dir, data, database, slugs))
}

/// Compares what the clients were told with what the database holds.
fn verify(
    report: &mut CrashReport,
    seen: Vec<Seen>,
    database: &site::Database,
    slugs: &[String],
) -> anyhow::Result<()> {
    let mut acknowledged = HashMap::new();
    let mut unanswered: HashMap<(String, String), Vec<bool>> = HashMap::new();
    for client in seen {
        report.acknowledged_requests += client.requests;
        report.unanswered += client.lost_requests;
        acknowledged.extend(client.acknowledged);
        for (key, values) in client.unanswered {
            unanswered.entry(key).or_default().extend(values);
        }
    }
    report.acknowledged_votes = acknowledged.len();

    let store = site::Store::open_database(database)?;
    let rows = store.export_votes()?;
    let visitors: std::collections::HashSet<&(String, String)> =
        acknowledged.keys().chain(unanswered.keys()).collect();
    let mut stored: HashMap<(String, String), bool> = HashMap::new();
    for slug in slugs {
        let version = store
            .current_version_of(slug)?
            .context("a published article")?;
        let (mut helpful, mut not_helpful) = (0, 0);
        for key in visitors.iter().filter(|key| &key.0 == slug) {
            if let Some(vote) = store.vote_of(version, &key.1)? {
                stored.insert((*key).clone(), vote.helpful);
                if vote.helpful {
                    helpful += 1;
                } else {
                    not_helpful += 1;
                }
            }
        }
        let rows_here = rows.iter().filter(|r| &r.slug == slug).count() as u64;
        report.unexpected += rows_here.saturating_sub(helpful + not_helpful) as usize;
        let counts = store.feedback(version)?;
        if (counts.helpful, counts.not_helpful) != (helpful, not_helpful) {
            report.counter_mismatches += 1;
        }
    }
    for (key, last) in &acknowledged {
        match stored.get(key) {
            None => report.lost += 1,
            Some(value) => {
                let later = unanswered.get(key).is_some_and(|v| v.contains(value));
                if value != last && !later {
                    report.wrong += 1;
                }
            }
        }
    }
    Ok(())
}

/// What the load's clients watch: the server killed (stop at the first failure), the load
/// over, the disruption passed.
#[derive(Default)]
struct Signals {
    killed: AtomicBool,
    stop: AtomicBool,
    disrupted: AtomicBool,
}

fn spawn_clients(
    base: &str,
    slugs: &[String],
    load: CrashLoad,
    signals: &Arc<Signals>,
) -> Vec<std::thread::JoinHandle<Seen>> {
    (0..load.clients)
        .map(|client| {
            let (base, slugs, signals) = (base.to_owned(), slugs.to_vec(), signals.clone());
            std::thread::spawn(move || vote_until_refused(&base, client, &slugs, load, &signals))
        })
        .collect()
}

fn join_clients(clients: Vec<std::thread::JoinHandle<Seen>>) -> anyhow::Result<Vec<Seen>> {
    clients
        .into_iter()
        .map(|client| {
            client
                .join()
                .map_err(|_| anyhow::anyhow!("a client panicked"))
        })
        .collect()
}

/// Runs the load against one `because serve` storing in PostgreSQL at `url`, restarts the
/// database server with `restart` in the middle of it (the node stays up), goes on as long
/// again, and checks: every acknowledged vote stored, none twice, and the node storing votes
/// again after the restart by itself.
pub fn vote_through_database_restart(
    fixture: &Path,
    because: &Path,
    load: CrashLoad,
    url: &str,
    restart: &dyn Fn() -> anyhow::Result<()>,
) -> anyhow::Result<CrashReport> {
    let store = CrashStore::Postgres(url.to_owned());
    let (_dir, data, database, slugs) = prepare(fixture, &store)?;
    let (mut server, base) = start(because, &data, &database)?;
    let signals = Arc::new(Signals::default());
    let started = Instant::now();
    let clients = spawn_clients(&base, &slugs, load, &signals);
    std::thread::sleep(load.kill_after);
    let restarted = Instant::now();
    restart().context("restarting the database server")?;
    let restart_seconds = restarted.elapsed().as_secs_f64();
    signals.disrupted.store(true, Ordering::SeqCst);
    std::thread::sleep(load.kill_after);
    signals.stop.store(true, Ordering::SeqCst);
    let seen = join_clients(clients)?;
    let load_seconds = started.elapsed().as_secs_f64();
    server.kill()?;
    server.wait()?;
    let mut report = CrashReport {
        store: store.name(),
        load_seconds,
        restart_seconds,
        acknowledged_after: seen.iter().map(|s| s.acknowledged_after).sum(),
        ..CrashReport::default()
    };
    verify(&mut report, seen, &database, &slugs)?;
    Ok(report)
}

/// Starts `because serve` on a free loopback port over `data`, storing in `database`; its
/// address.
pub fn start(
    because: &Path,
    data: &Path,
    database: &site::Database,
) -> anyhow::Result<(Child, String)> {
    start_with(because, data, database, &[])
}

/// [`start`] with more arguments to `serve`.
pub fn start_with(
    because: &Path,
    data: &Path,
    database: &site::Database,
    serve_args: &[&str],
) -> anyhow::Result<(Child, String)> {
    let mut command = Command::new(because);
    if let site::Database::Postgres(url) = database {
        command.env("BECAUSE_DATABASE_URL", url);
    } else {
        command.env_remove("BECAUSE_DATABASE_URL");
    }
    let mut child = command
        .arg("--data-dir")
        .arg(data)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--votes-per-minute",
            "0",
            "--retention-days",
            "0",
            "--index-check",
            "0",
        ])
        .args(serve_args)
        .env_remove("BECAUSE_CONFIG")
        .env_remove("BECAUSE_DATA_DIR")
        .env_remove("BECAUSE_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", because.display()))?;
    let mut lines = std::io::BufReader::new(child.stderr.take().context("stderr")?).lines();
    let mut base = None;
    for line in lines.by_ref().take(50) {
        if let Some(address) = line?.strip_prefix("because: serving on ") {
            base = Some(address.trim_end_matches('/').to_owned());
            break;
        }
    }
    // Keep draining what it logs, so that its writes to stderr never fail.
    std::thread::spawn(move || lines.for_each(drop));
    let base = base.context("the server never said where it listens")?;
    Ok((child, base))
}

fn vote_until_refused(
    base: &str,
    client: usize,
    slugs: &[String],
    load: CrashLoad,
    signals: &Signals,
) -> Seen {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut seen = Seen::default();
    let mut random = 0x9e37_79b9_7f4a_7c15_u64 ^ (client as u64 + 1);
    let mut next = || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    while !signals.stop.load(Ordering::SeqCst) {
        let visitor = format!(
            "{:032x}",
            client as u64 * load.visitors_per_client + next() % load.visitors_per_client
        );
        let slug = slugs[(next() % slugs.len() as u64) as usize].clone();
        let helpful = next().is_multiple_of(2);
        let body = if helpful {
            r#"{"helpful":true}"#
        } else {
            r#"{"helpful":false,"reason":"inaccurate"}"#
        };
        let key = (slug.clone(), visitor.clone());
        let answer = agent
            .post(format!("{base}/a/{slug}/feedback"))
            .header("content-type", "application/json")
            .header("cookie", format!("because_visitor={visitor}"))
            .send(body);
        match answer {
            Ok(response) if response.status().is_success() => {
                seen.requests += 1;
                if signals.disrupted.load(Ordering::SeqCst) {
                    seen.acknowledged_after += 1;
                }
                seen.acknowledged.insert(key.clone(), helpful);
                seen.unanswered.remove(&key);
            }
            Ok(_) | Err(_) => {
                // Refused or cut off: not acknowledged, perhaps stored.
                seen.lost_requests += 1;
                seen.unanswered.entry(key).or_default().push(helpful);
                if signals.killed.load(Ordering::SeqCst) {
                    return seen;
                }
                // The database is restarting: try again shortly.
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    seen
}

/// The `because` binary beside this one (cargo builds both into the same folder).
pub fn because_beside_me() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me.with_file_name(format!("because{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        bail!(
            "{} is missing: build it first (cargo build --release -p because)",
            path.display()
        );
    }
    Ok(path)
}
