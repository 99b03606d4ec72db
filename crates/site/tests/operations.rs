//! What an operator's tools read, over real HTTP: `/readyz` (database and index answer) and
//! `/metrics`, checked by Prometheus's own `promtool check metrics` (Debian's prometheus
//! package, which `scripts/install-promtool.sh` installs; required under CI).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

/// The value of the sample `series` (name with labels, as printed) in the exposition text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn readiness_and_metrics_that_promtool_accepts() {
    let data = tempfile::tempdir().unwrap();
    ingest(data.path());
    let server = Server::start(data.path());

    let ready = get(&server, "/readyz", None);
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));

    let article = ask(&server, "Why+do+river+floods+happen%3F").location;
    ask(&server, "why+do+river+floods+happen");
    get(&server, &article, None);
    get(&server, "/a/no-such-article", None);
    get(&server, "/no/such/route?x=%3Cscript%3E", None);
    post_json(
        &server,
        &format!("{article}/feedback"),
        &serde_json::json!({ "helpful": false, "reason": "missing_information" }),
        None,
    );

    let metrics = get(&server, "/metrics", None);
    assert_eq!(metrics.status, 200);
    let text = &metrics.body;
    let count =
        |series: &str| sample(text, series).unwrap_or_else(|| panic!("no {series}\n{text}"));
    assert_eq!(
        count("because_http_requests_total{method=\"POST\",route=\"/ask\",status=\"303\"}"),
        2.0
    );
    assert_eq!(
        count("because_http_requests_total{method=\"GET\",route=\"/a/{slug}\",status=\"200\"}"),
        1.0
    );
    assert_eq!(
        count("because_http_requests_total{method=\"GET\",route=\"/a/{slug}\",status=\"404\"}"),
        1.0
    );
    // A path nobody routes is counted under one label, never under what the visitor typed.
    assert_eq!(
        count("because_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"),
        1.0
    );
    assert!(!text.contains("script"));
    assert_eq!(count("because_asks_total{outcome=\"composed\"}"), 1.0);
    assert_eq!(count("because_asks_total{outcome=\"reused\"}"), 1.0);
    assert_eq!(count("because_compose_duration_seconds_count"), 1.0);
    assert_eq!(count("because_votes_total{helpful=\"no\"}"), 1.0);
    assert_eq!(count("because_articles"), 1.0);
    assert_eq!(count("because_jobs{state=\"queued\"}"), 0.0);
    let index = index::Index::create_or_open(&data.path().join("index")).unwrap();
    assert_eq!(
        count("because_index_documents"),
        index.document_count().unwrap() as f64
    );
    assert_eq!(
        count("because_index_sentences"),
        index.sentence_count().unwrap() as f64
    );
    assert!(
        count(
            "because_http_request_duration_seconds_bucket{method=\"POST\",route=\"/ask\",le=\"+Inf\"}"
        ) >= 2.0
    );

    match Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(mut promtool) => {
            promtool
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let output = promtool.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "promtool check metrics: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must check /metrics with promtool: scripts/install-promtool.sh installs it"
            );
            eprintln!("skipped promtool: run scripts/install-promtool.sh");
        }
    }
}
