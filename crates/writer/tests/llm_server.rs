//! The LLM writer against servers on loopback:
//! - a real OpenAI-compatible server (llama-cpp-python's, serving SmolLM2-135M-Instruct,
//!   both installed by `scripts/install-llm.sh`): a small model writes poorly, and the
//!   checker must keep every bad sentence off the page;
//! - the same server killed mid-answer;
//! - a server that accepts connections and never answers;
//! - a server that answers with something that is not a chat completion, or with citations
//!   to evidence that was never given (scripted, since no real model can be made to do that
//!   on demand).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use explain::{Engine, Question, SentenceKind};
use writer::local::{LocalAssets, LocalServer};
use writer::{LlmConfig, LlmError, WriteError, Writer};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether `path` is there; in CI a missing asset fails the test, elsewhere it skips it.
fn have(path: &Path, install: &str) -> bool {
    if path.exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI must install it ({install})",
        path.display()
    );
    eprintln!("skipped: needs {} ({install})", path.display());
    false
}

/// The fixture corpus, indexed, with the embedding model for the checker when installed.
fn engine(dir: &Path) -> Engine {
    let report = corpus::load_path(&repo().join("tests/fixtures/corpus"));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let mut index = index::Index::create_or_open(dir).unwrap();
    let model = repo().join("assets/model");
    if model.join("model.safetensors").is_file() {
        index = index.with_embedder(Arc::new(embed::Embedder::load(&model).unwrap()));
    }
    index.ingest(report.documents, &mut |_| {}).unwrap();
    Engine::new(index)
}

/// A real llama-cpp-python server on a free loopback port, stopped when dropped; `None`
/// (the test skips) outside CI when it is not installed.
fn start_server() -> Option<LocalServer> {
    let assets = LocalAssets::in_assets(&repo().join("assets"));
    if !have(&assets.python, "scripts/install-llm.sh")
        || !have(&assets.model, "scripts/install-llm.sh")
    {
        return None;
    }
    Some(LocalServer::start(&assets, 2).expect("the LLM server starts"))
}

fn config(url: &str) -> LlmConfig {
    let mut config = LlmConfig::new(url, "smollm2");
    config.max_tokens = 400;
    config
}

#[test]
fn a_small_model_writes_and_only_checked_sentences_reach_the_page() {
    let Some(server) = start_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let writer = Writer::new(config(&server.url()));
    let mut answered = 0;
    let mut kept = 0;
    for question in [
        "Why does coral bleaching happen?",
        "Why do bank runs happen?",
        "Why did the Aurora sink?",
    ] {
        let article = engine.ask(&Question::parse(question).unwrap()).unwrap();
        match writer.write(&article, engine.index()) {
            Ok(written) => {
                answered += 1;
                kept += written.tally.kept;
                // llama-cpp-python refuses OpenAI's json_schema format and takes json_object
                // with a schema: the answer was still written under the schema.
                assert!(written.structured, "{question}: written without the schema");
                assert_eq!(written.article.generator.mode, "llm");
                assert!(written.article.generator.model.is_some());
                let violations =
                    explain::eval::contract_violations(&engine, &written.article).unwrap();
                assert!(violations.is_empty(), "{question}: {violations:#?}");
                let generated: Vec<_> = written
                    .article
                    .sentences()
                    .filter(|s| s.kind == SentenceKind::Generated)
                    .collect();
                assert_eq!(generated.len(), written.tally.kept.min(generated.len()));
                for sentence in generated {
                    assert!(!sentence.evidence.is_empty(), "{sentence:?}");
                    let support = sentence
                        .support
                        .expect("a generated sentence has its score");
                    assert!(support >= 0.9, "{sentence:?}");
                }
                // The sections stay the plan's: same headings, same order.
                let headings = |a: &explain::Article| {
                    a.factors
                        .iter()
                        .map(|f| f.heading.clone())
                        .collect::<Vec<_>>()
                };
                assert_eq!(headings(&written.article), headings(&article));
            }
            Err(WriteError::NothingKept { tally, .. }) => {
                answered += 1;
                // Nothing that passed is left as generated prose (word-for-word evidence
                // and repeats are quotations).
                assert!(tally.generated > 0, "{tally:?}");
            }
            Err(other) => panic!("{question}: {other}"),
        }
    }
    assert_eq!(answered, 3, "every question got an answer from the server");
    eprintln!("kept {kept} generated sentences over 3 questions");
}

#[test]
fn a_server_killed_mid_answer_is_an_error_not_a_hang() {
    let Some(mut server) = start_server() else {
        return;
    };
    let mut config = config(&server.url());
    config.max_tokens = 2000;
    config.retries = 0;
    let client = writer::LlmClient::new(config);
    let asking = std::thread::spawn(move || {
        let messages = [writer::llm::Message::user(
            "Write a very long story about a lighthouse keeper, with many chapters.",
        )];
        client.complete(&messages, None)
    });
    // The prompt is short: the answer is streaming well before this.
    std::thread::sleep(Duration::from_secs(2));
    server.kill();
    let started = Instant::now();
    let outcome = asking.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    match outcome {
        Err(error @ LlmError::Interrupted { .. }) => assert!(error.is_transient()),
        other => panic!("expected the answer to be cut off, got {other:?}"),
    }
}

#[test]
fn a_server_that_never_answers_times_out_after_bounded_retries() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts every connection and holds it open, silent.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let mut config = config(&format!("http://127.0.0.1:{port}"));
    config.response_timeout = Duration::from_millis(500);
    config.total_timeout = Duration::from_secs(2);
    config.retries = 2;
    config.backoff = Duration::from_millis(50);
    let client = writer::LlmClient::new(config);
    let started = Instant::now();
    let outcome = client.complete(&[writer::llm::Message::user("Hello")], None);
    let elapsed = started.elapsed();
    assert!(
        matches!(outcome, Err(LlmError::Timeout { .. })),
        "{outcome:?}"
    );
    // Three attempts of half a second each, and the waits between them.
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
}

/// A server on loopback that answers each request with the next of `replies` (a whole HTTP
/// response), then closes the connection.
fn scripted_server(replies: Vec<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for (stream, reply) in listener.incoming().zip(replies) {
            let Ok(mut stream) = stream else { continue };
            read_request(&mut stream);
            let _ = stream.write_all(reply.as_bytes());
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

fn streamed(content: &str) -> String {
    let chunk = serde_json::json!({
        "model": "scripted",
        "choices": [{"delta": {"content": content}, "finish_reason": "stop"}],
    });
    let body = format!("data: {chunk}\n\ndata: [DONE]\n\n");
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn garbage_and_citations_to_evidence_never_given_stay_off_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    let article = engine
        .ask(&Question::parse("Why do bank runs happen?").unwrap())
        .unwrap();
    let plan = writer::Plan::from_article(&article);
    assert!(plan.evidence.len() >= 2, "{plan:?}");
    let given = plan.evidence.len();

    // Not a chat completion at all: an error, no article.
    let html = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>";
    let garbage = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 18\r\nConnection: close\r\n\r\ndata: {not json\n\n";
    for reply in [html, garbage] {
        let writer = Writer::new(config(&scripted_server(vec![reply.to_owned()])));
        match writer.write(&article, engine.index()) {
            Err(WriteError::Llm(LlmError::Malformed { .. })) => {}
            other => panic!("expected a malformed answer, got {other:?}"),
        }
    }

    // Sentences citing evidence that was never given, one citing nothing, one made-up
    // claim, and one faithful sentence: only the faithful one is published as written.
    // A faithful sentence: evidence with its article dropped ("A bank run happens …" →
    // "Bank run happens …"), which is no longer word for word a quotation.
    // It goes into the paragraph of the reason whose evidence it restates.
    let (reason, source_number, faithful) = plan
        .reasons
        .iter()
        .enumerate()
        .flat_map(|(r, reason)| reason.evidence.iter().map(move |&i| (r, i)))
        .find_map(|(r, i)| {
            let text = &plan.evidence[i].text;
            let rest = text
                .strip_prefix("A ")
                .or_else(|| text.strip_prefix("The "))?;
            let mut chars = rest.chars();
            let first = chars.next()?.to_uppercase().collect::<String>();
            Some((r, i + 1, first + chars.as_str()))
        })
        .unwrap_or_else(|| panic!("a reason's evidence opens with an article: {plan:#?}"));
    let mut reasons = vec![serde_json::json!([]); plan.reasons.len()];
    reasons[reason] = serde_json::json!([
        {"text": "Depositors panic when the moon is full.", "evidence": [given + 5]},
        {"text": faithful, "evidence": [source_number]},
        {"text": "Rumours spread.", "evidence": []},
    ]);
    let answer = serde_json::json!({
        "overview": [
            {"text": "Bank runs are caused by aliens from Mars.", "evidence": [1]},
        ],
        "reasons": reasons,
        "summary": [{"text": "It is all about 1929 and Lehman Brothers.", "evidence": [2]}],
    });
    let writer = Writer::new(config(&scripted_server(vec![streamed(
        &answer.to_string(),
    )])));
    let written = writer
        .write(&article, engine.index())
        .expect("one sentence passes");
    assert_eq!(written.tally.unknown_citations, 1);
    assert_eq!(written.tally.uncited, 1);
    let text: Vec<&str> = written
        .article
        .sentences()
        .map(|s| s.text.as_str())
        .collect();
    for bad in ["aliens", "moon", "Rumours spread", "Lehman"] {
        assert!(
            !text.iter().any(|t| t.contains(bad)),
            "{bad} published: {text:#?}"
        );
    }
    let violations = explain::eval::contract_violations(&engine, &written.article).unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
    let numbers: Vec<u32> = written.article.sources.iter().map(|s| s.n).collect();
    for sentence in written.article.sentences() {
        assert!(
            sentence.cites.iter().all(|n| numbers.contains(n)),
            "{sentence:?}"
        );
    }
}
