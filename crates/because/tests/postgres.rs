//! Several `serve` nodes on one PostgreSQL database (`--database-url`), also behind a real
//! nginx: an article asked on two nodes at the same moment is published once, a vote lands
//! once whichever node takes it, the rate limit reads the client behind a trusted proxy, and
//! a node killed mid-load keeps every vote it acknowledged.
//!
//! Needs a PostgreSQL server: `make test` runs these beside a private one
//! (`scripts/with-postgres.sh cargo test -p because --features postgres-tests --test postgres`).

mod common;

use std::path::Path;
use std::sync::{Arc, Barrier};

use common::*;

/// Tests share the server; the one that restarts it runs alone.
static SERVER: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn shared_server() -> std::sync::RwLockReadGuard<'static, ()> {
    SERVER
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A fresh database on the test's server, for one test.
fn fresh_database(name: &str) -> String {
    let server = std::env::var("BECAUSE_TEST_DATABASE_URL").expect(
        "BECAUSE_TEST_DATABASE_URL: run these tests beside a server (scripts/with-postgres.sh)",
    );
    let unique = format!(
        "{name}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    site::store::postgres::create_database(&server, &unique).unwrap()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn ask(agent: &ureq::Agent, base: &str, question: &str) -> serde_json::Value {
    let mut response = agent
        .post(format!("{base}/api/v1/ask"))
        .send_json(serde_json::json!({ "question": question }))
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "asking {question:?}");
    response.body_mut().read_json().unwrap()
}

/// A visitor's vote through one node; the counts of the version after it.
fn vote(agent: &ureq::Agent, base: &str, slug: &str, visitor: &str, helpful: bool) -> (u64, u64) {
    let mut response = agent
        .post(format!("{base}/a/{slug}/feedback"))
        .header("content-type", "application/json")
        .header("cookie", format!("because_visitor={visitor}"))
        .send(format!("{{\"helpful\":{helpful}}}"))
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let reply: serde_json::Value = response.body_mut().read_json().unwrap();
    (
        reply["feedback"]["helpful"].as_u64().unwrap(),
        reply["feedback"]["not_helpful"].as_u64().unwrap(),
    )
}

#[test]
fn two_nodes_on_one_database_publish_once_and_count_each_vote_once() {
    let _server = shared_server();
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let url = fresh_database("two_nodes");
    let args = ["--votes-per-minute", "0", "--articles-per-hour", "0"];
    let env = [("BECAUSE_DATABASE_URL", url.as_str())];
    let nodes = [
        Served::start_with(data.path(), &args, &env),
        Served::start_with(data.path(), &args, &env),
    ];
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();

    // Each question asked on both nodes at the same moment: one article, one slug.
    let questions = [
        "Why do river floods happen?",
        "Why does coral bleaching happen?",
        "Why are there tides?",
        "Why do glaciers retreat?",
    ];
    for question in questions {
        let start = Arc::new(Barrier::new(2));
        let answers: Vec<serde_json::Value> = bases
            .iter()
            .map(|base| {
                let (base, start) = (base.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    ask(&agent(), &base, question)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert_eq!(answers[0]["slug"], answers[1]["slug"], "{question}");
        assert_eq!(answers[0]["version"], 1);
        assert_eq!(answers[1]["version"], 1);
    }
    let store = site::Store::connect(&url).unwrap();
    assert_eq!(store.article_count().unwrap(), questions.len() as u64);
    for summary in store.all_articles().unwrap() {
        let stored = store.find_by_slug(&summary.slug).unwrap().unwrap();
        assert_eq!(
            store.versions(stored.id).unwrap().len(),
            1,
            "{}",
            summary.slug
        );
    }

    // A vote on one node is counted on the other; changing it there replaces it.
    let http = agent();
    let slug = store.recent(10).unwrap()[0].slug.clone();
    assert_eq!(vote(&http, &bases[0], &slug, &"a".repeat(32), true), (1, 0));
    assert_eq!(
        vote(&http, &bases[1], &slug, &"b".repeat(32), false),
        (1, 1)
    );
    assert_eq!(
        vote(&http, &bases[1], &slug, &"a".repeat(32), false),
        (0, 2)
    );
    assert_eq!(
        vote(&http, &bases[0], &slug, &"a".repeat(32), false),
        (0, 2)
    );

    // Many visitors on both nodes at once, each changing their vote: every vote once, and
    // the counters equal the votes.
    let slugs: Vec<String> = store
        .recent(10)
        .unwrap()
        .into_iter()
        .map(|s| s.slug)
        .collect();
    let threads: Vec<_> = (0..8)
        .map(|client| {
            let (bases, slugs) = (bases.clone(), slugs.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let mut last = std::collections::HashMap::new();
                for round in 0..30 {
                    let visitor = format!("{client:02}{:030}", round % 5);
                    let slug = &slugs[round % slugs.len()];
                    let helpful = (round / 5) % 2 == 0;
                    vote(&agent, &bases[round % 2], slug, &visitor, helpful);
                    last.insert((slug.clone(), visitor), helpful);
                }
                last
            })
        })
        .collect();
    let mut expected = std::collections::HashMap::new();
    for thread in threads {
        expected.extend(thread.join().unwrap());
    }
    let (mut helpful, mut not_helpful) = (0, 0);
    for ((slug, visitor), value) in &expected {
        let version = store.current_version_of(slug).unwrap().unwrap();
        let stored = store.vote_of(version, visitor).unwrap().unwrap();
        assert_eq!(stored.helpful, *value, "{slug} {visitor}");
    }
    for summary in store.all_articles().unwrap() {
        helpful += summary.feedback.helpful;
        not_helpful += summary.feedback.not_helpful;
    }
    // The two votes of the first part, and the last vote of each visitor here.
    assert_eq!(store.counted_votes().unwrap(), (helpful, not_helpful));
    assert_eq!(helpful + not_helpful, expected.len() as u64 + 2);
}

#[test]
fn a_node_killed_mid_load_keeps_every_vote_it_acknowledged_in_postgres() {
    let _server = shared_server();
    assert_votes_survive_a_kill(bench::crash::CrashStore::Postgres(fresh_database("crash")));
}

/// A vote through the proxy from the client at `client` (the address nginx is told the
/// request came from); the status, and the counts after it when it was stored.
fn vote_from(
    agent: &ureq::Agent,
    base: &str,
    client: &str,
    slug: &str,
    visitor: &str,
    helpful: bool,
) -> u16 {
    agent
        .post(format!("{base}/a/{slug}/feedback"))
        .header("content-type", "application/json")
        .header("cookie", format!("because_visitor={visitor}"))
        .header("x-forwarded-for", client)
        .send(format!("{{\"helpful\":{helpful}}}"))
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn behind_nginx_two_nodes_count_each_vote_once_and_limit_each_client() {
    let _server = shared_server();
    let data = tempfile::tempdir().unwrap();
    ingest_fixtures(data.path());
    let url = fresh_database("nginx");
    let args = [
        "--votes-per-minute",
        "20",
        "--trust-forwarded-for",
        "127.0.0.1",
    ];
    let env = [("BECAUSE_DATABASE_URL", url.as_str())];
    let nodes = [
        Served::start_with(data.path(), &args, &env),
        Served::start_with(data.path(), &args, &env),
    ];
    let proxy = bench::proxy::Nginx::start(&[&nodes[0].base, &nodes[1].base]).unwrap();

    // Asked through the proxy, the article is the same on both nodes.
    let asked = ask(&agent(), &proxy.base, "Why do river floods happen?");
    let slug = asked["slug"].as_str().unwrap().to_owned();
    for node in &nodes {
        let mut response = agent()
            .get(format!("{}/api/v1/articles/{slug}", node.base))
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let article: serde_json::Value = response.body_mut().read_json().unwrap();
        assert_eq!(article["question"], asked["question"]);
        assert_eq!(article["version"], 1);
    }

    // Eight clients, each under its limit, votes through the proxy at once: every
    // acknowledged vote stored once, the counters equal the votes.
    let threads: Vec<_> = (0..8)
        .map(|client| {
            let (base, slug) = (proxy.base.clone(), slug.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let address = format!("203.0.113.{}", client + 10);
                let mut last = std::collections::HashMap::new();
                for round in 0..15 {
                    let visitor = format!("{client:02}{:030}", round % 4);
                    let helpful = round % 3 != 0;
                    let status = vote_from(&agent, &base, &address, &slug, &visitor, helpful);
                    assert_eq!(status, 200, "client {client} round {round}");
                    last.insert(visitor, helpful);
                }
                last
            })
        })
        .collect();
    let mut expected = std::collections::HashMap::new();
    for thread in threads {
        expected.extend(thread.join().unwrap());
    }
    let store = site::Store::connect(&url).unwrap();
    let version = store.current_version_of(&slug).unwrap().unwrap();
    for (visitor, helpful) in &expected {
        let stored = store.vote_of(version, visitor).unwrap().unwrap();
        assert_eq!(stored.helpful, *helpful, "{visitor}");
    }
    let feedback = store.feedback(version).unwrap();
    assert_eq!(feedback.total(), expected.len() as u64);
    assert_eq!(
        store.counted_votes().unwrap(),
        (feedback.helpful, feedback.not_helpful)
    );

    // One client past its limit is refused (the limit is per node: at most 20 on each), while
    // another client behind the same proxy still votes.
    let agent = agent();
    let statuses: Vec<u16> = (0..45)
        .map(|n| {
            vote_from(
                &agent,
                &proxy.base,
                "198.51.100.7",
                &slug,
                &format!("ff{n:030}"),
                true,
            )
        })
        .collect();
    let accepted = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(accepted + refused, statuses.len(), "{statuses:?}");
    assert!((20..=40).contains(&accepted), "{statuses:?}");
    assert!(refused >= 5, "{statuses:?}");
    assert_eq!(
        vote_from(
            &agent,
            &proxy.base,
            "198.51.100.8",
            &slug,
            &"f".repeat(32),
            true
        ),
        200
    );
    assert_eq!(
        store.feedback(version).unwrap().total(),
        expected.len() as u64 + accepted as u64 + 1
    );
}

#[test]
fn a_database_restart_mid_load_loses_no_acknowledged_vote_and_the_node_recovers() {
    let _alone = SERVER
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let restart = std::env::var("BECAUSE_TEST_POSTGRES_RESTART")
        .expect("BECAUSE_TEST_POSTGRES_RESTART: run beside scripts/with-postgres.sh");
    let load = bench::crash::CrashLoad {
        clients: 8,
        visitors_per_client: 10,
        kill_after: std::time::Duration::from_millis(1500),
    };
    let report = bench::crash::vote_through_database_restart(
        &repo().join("tests/fixtures/corpus"),
        Path::new(env!("CARGO_BIN_EXE_because")),
        load,
        &fresh_database("restart"),
        &|| {
            let status = std::process::Command::new(&restart).status()?;
            anyhow::ensure!(status.success(), "{restart} failed: {status}");
            Ok(())
        },
    )
    .unwrap();
    eprintln!("{report:?}");
    assert!(report.acknowledged_votes > 20, "{report:?}");
    assert!(
        report.acknowledged_after > 20,
        "the node stored no vote after the restart: {report:?}"
    );
    assert_nothing_lost(&report);
}

#[test]
fn a_starting_node_requeues_the_jobs_of_a_stopped_node_and_leaves_a_live_ones() {
    let _server = shared_server();
    let url = fresh_database("jobs");
    let writer = site::jobs::WriterKind::Extractive;
    let first = site::Store::connect(&url).unwrap();
    let job = first
        .enqueue_job("some-article", writer, "2026-12-07T00:00:00Z")
        .unwrap();
    let claimed = first.claim_job("2026-12-07T00:00:01Z").unwrap().unwrap();
    assert_eq!((claimed.id, claimed.state.as_str()), (job.id, "running"));

    // A second node starting while the first runs the job leaves it running.
    let second = site::Store::connect(&url).unwrap();
    assert_eq!(second.recover_jobs("2026-12-07T00:00:02Z").unwrap(), 0);
    assert_eq!(second.job(job.id).unwrap().unwrap().state, "running");

    // Once the first node is gone, a node starting queues it again, and only one worker
    // of all nodes takes it.
    drop(first);
    let third = site::Store::connect(&url).unwrap();
    assert_eq!(third.recover_jobs("2026-12-07T00:00:03Z").unwrap(), 1);
    assert_eq!(third.job(job.id).unwrap().unwrap().state, "queued");
    let takers = [&second, &third].map(|node| node.claim_job("2026-12-07T00:00:04Z").unwrap());
    assert_eq!(takers.iter().flatten().count(), 1, "{takers:?}");
}

#[test]
fn after_a_database_restart_a_live_node_keeps_its_running_jobs() {
    let _alone = SERVER
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let restart = std::env::var("BECAUSE_TEST_POSTGRES_RESTART")
        .expect("BECAUSE_TEST_POSTGRES_RESTART: run beside scripts/with-postgres.sh");
    let url = fresh_database("presence");
    let writer = site::jobs::WriterKind::Extractive;
    let first = site::Store::connect(&url).unwrap();
    let job = first
        .enqueue_job("some-article", writer, "2026-12-07T00:00:00Z")
        .unwrap();
    first.claim_job("2026-12-07T00:00:01Z").unwrap().unwrap();
    let status = std::process::Command::new(&restart).status().unwrap();
    assert!(status.success(), "{restart}: {status}");
    // The restart cut the first node's connections; within a second or two it says again
    // that it is alive, so a node starting now leaves its job alone.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let second = site::Store::connect(&url).unwrap();
    assert_eq!(second.recover_jobs("2026-12-07T00:00:02Z").unwrap(), 0);
    assert_eq!(second.job(job.id).unwrap().unwrap().state, "running");
    // And the first node still answers after the restart.
    assert_eq!(first.job(job.id).unwrap().unwrap().state, "running");
}
