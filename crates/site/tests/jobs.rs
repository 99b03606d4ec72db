//! Background jobs over HTTP: asking never waits for the LLM, the LLM version arrives as the
//! next version when it passes the checker, and an LLM server that is down, silent or talking
//! nonsense fails jobs (each with its reason) and never a page.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use writer::local::{LocalAssets, LocalServer};

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn llm(url: &str) -> writer::Writer {
    let mut config = writer::LlmConfig::new(url, "smollm2");
    config.max_tokens = 400;
    config.retries = 0;
    config.response_timeout = Duration::from_millis(300);
    config.total_timeout = Duration::from_secs(60);
    writer::Writer::new(config)
}

fn llm_site() -> site::SiteConfig {
    site::SiteConfig {
        writer: site::jobs::WriterKind::Llm,
        job_workers: 4,
        // The tests ask many questions from one address.
        articles_per_hour: 0,
        ..site::SiteConfig::default()
    }
}

fn ask(server: &Server, question: &str, writer: Option<&str>) -> Reply {
    let mut body = serde_json::json!({"question": question});
    if let Some(writer) = writer {
        body["writer"] = serde_json::json!(writer);
    }
    post_json(server, "/api/v1/ask", &body, None)
}

#[test]
fn the_llm_version_is_written_in_the_background_by_a_real_server() {
    let assets = LocalAssets::in_assets(&repo().join("assets"));
    if !assets.installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the LLM server (scripts/install-llm.sh)"
        );
        eprintln!("skipped: needs scripts/install-llm.sh");
        return;
    }
    let llm_server = LocalServer::start(&assets, 2).unwrap();
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let mut writer_config = writer::LlmConfig::new(llm_server.url(), "smollm2");
    writer_config.max_tokens = 400;
    let server = Server::start_with_writer(
        data.path(),
        llm_site(),
        Some(writer::Writer::new(writer_config)),
    );

    let started = Instant::now();
    let reply = ask(&server, "Why does coral bleaching happen?", None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let article = json(&reply);
    // The extractive article comes back at once, with the LLM job that was queued for it.
    assert_eq!(article["generator"]["mode"], "extractive");
    assert_eq!(article["version"], 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(article["job"]["writer"], "llm");
    let job = wait_for_job(&server, article["job"]["id"].as_i64().unwrap());

    let current = json(&get(
        &server,
        "/api/v1/articles/why-does-coral-bleaching-happen",
        None,
    ));
    match job["state"].as_str() {
        Some("done") => {
            assert_eq!(job["version"], 2);
            assert_eq!(current["version"], 2);
            assert_eq!(current["generator"]["mode"], "llm");
            // Every generated sentence shows what it rests on.
            let page = get(&server, "/a/why-does-coral-bleaching-happen", None);
            assert!(page.body.contains("Written as prose by a language model"));
            assert!(page.body.contains("class=\"rests-on\""), "{}", page.body);
            assert!(page.body.contains("class=\"evidence\""));
        }
        // A 135M model may write nothing that passes: the extractive version stays.
        Some("failed") => {
            assert_eq!(current["version"], 1);
            assert_eq!(current["generator"]["mode"], "extractive");
        }
        other => panic!("unexpected job state {other:?}"),
    }
    eprintln!("the LLM job ended {}", job["state"]);
    // The dashboard records what the job did.
    let _ = llm_server;
}

/// A server on loopback that answers every request with `reply` (a whole HTTP response), or
/// with nothing at all when `reply` is `None`.
fn misbehaving_server(reply: Option<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            match &reply {
                Some(reply) => {
                    read_request(&mut stream);
                    let _ = stream.write_all(reply.as_bytes());
                }
                None => held.push(stream),
            }
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn read_request(stream: &mut TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
}

/// A port nothing listens on.
fn dead_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

#[test]
fn a_down_silent_or_babbling_llm_server_fails_jobs_never_pages() {
    let garbage = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 24\r\nConnection: close\r\n\r\ndata: <html>nope</html>\n".to_owned();
    for (fault, url) in [
        ("down", dead_url()),
        ("silent", misbehaving_server(None)),
        ("garbage", misbehaving_server(Some(garbage))),
    ] {
        let data = tempfile::tempdir().unwrap();
        ingest(data.path());
        let server = Server::start_with_writer(data.path(), llm_site(), Some(llm(&url)));
        let mut jobs = Vec::new();
        for i in 0..50 {
            // Fifty different questions: fifty new articles, fifty LLM jobs.
            let reply = ask(
                &server,
                &format!("Why does coral bleaching happen {i} times?"),
                None,
            );
            assert_eq!(reply.status, 200, "{fault}: {}", reply.body);
            let article = json(&reply);
            assert_eq!(article["generator"]["mode"], "extractive");
            jobs.push((
                article["slug"].as_str().unwrap().to_owned(),
                article["job"]["id"].as_i64().unwrap(),
            ));
        }
        for (slug, id) in &jobs {
            let job = wait_for_job(&server, *id);
            assert_eq!(job["state"], "failed", "{fault}: {job}");
            let page = get(&server, &format!("/a/{slug}"), None);
            assert_eq!(page.status, 200, "{fault}");
            let current = json(&get(&server, &format!("/api/v1/articles/{slug}"), None));
            assert_eq!(
                current["version"], 1,
                "{fault}: the extractive version stays"
            );
        }
        // Every failure is recorded with its reason, on the dashboard's store.
        let store = common::open_store(data.path());
        let recorded = store.recent_jobs(100).unwrap();
        assert_eq!(recorded.len(), 50, "{fault}");
        for job in &recorded {
            assert_eq!(job.state, "failed");
            let detail = job.detail.as_deref().unwrap_or("");
            assert!(
                detail.contains("the extractive version stays"),
                "{fault}: {detail}"
            );
        }
        let expected = match fault {
            "down" => "cannot reach",
            "silent" => "did not answer in time",
            _ => "not a chat completion",
        };
        assert!(
            recorded[0].detail.as_deref().unwrap().contains(expected),
            "{fault}: {:?}",
            recorded[0].detail
        );
    }
}

#[test]
fn asking_for_the_llm_where_there_is_none_is_a_clear_error_and_jobs_survive_restarts() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    {
        let server = Server::start(data.path());
        let refused = ask(&server, "Why does coral bleaching happen?", Some("llm"));
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("no LLM server"), "{}", refused.body);
        let unknown = ask(&server, "Why does coral bleaching happen?", Some("poet"));
        assert_eq!(unknown.status, 400);
        assert_eq!(get(&server, "/api/v1/jobs/12345", None).status, 404);
        assert_eq!(get(&server, "/api/v1/jobs/x", None).status, 404);
        let article = json(&ask(&server, "Why does coral bleaching happen?", None));
        assert!(article.get("job").is_none());
    }
    // A job left running by a process that stopped is queued again when the site starts,
    // and then runs.
    let store = common::open_store(data.path());
    let job = store
        .enqueue_job(
            "why-does-coral-bleaching-happen",
            site::jobs::WriterKind::Extractive,
            "2026-12-07T00:00:00Z",
        )
        .unwrap();
    let claimed = store.claim_job("2026-12-07T00:00:01Z").unwrap().unwrap();
    assert_eq!((claimed.id, claimed.state.as_str()), (job.id, "running"));
    drop(store);
    let server = Server::start(data.path());
    let finished = wait_for_job(&server, job.id);
    assert_eq!(finished["state"], "done", "{finished}");
    assert_eq!(finished["version"], 2);
}
