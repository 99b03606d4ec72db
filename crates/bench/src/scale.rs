//! The text index at a million documents (issue 10): ingest speed, size on disk, memory and
//! lexical `ask` latency.
//!
//! The documents are real text replicated: the default corpus (10,033 Wikipedia lead
//! summaries) and the SciFact corpus (5,183 abstracts), taken in turn until `--scale-size`
//! documents (default 1,000,000). Copy `n` of a document keeps its text and gets a title of
//! its own ("Black Death (copy 17)") and id, so that every document is distinct to the index
//! (its content hash differs) while the words are real. Ingested text-only (no vectors) into
//! an empty index, streamed: the documents are made as the ingest reads them.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use explain::{Engine, Question};

/// Resident memory of a process (VmRSS of `/proc/<pid>/status`, `self` for this one), in MiB.
fn resident_mib(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Bytes under `dir`, recursively.
fn size_on_disk(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => size_on_disk(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The report section.
pub fn text_index(
    corpus_file: &Path,
    beir: &Path,
    questions: &[Question],
    size: usize,
    rounds: usize,
) -> anyhow::Result<String> {
    let mut originals = corpus::load_default_corpus(corpus_file)?;
    let wikipedia = originals.len();
    if beir.join("corpus.jsonl").is_file() {
        originals.extend(explain::retrieval_eval::load_corpus(beir).map_err(anyhow::Error::msg)?);
    }
    let scifact = originals.len() - wikipedia;
    let count = originals.len();
    let documents = (0..size).map(|n| {
        let original = &originals[n % count];
        let copy = n / count;
        if copy == 0 {
            return original.clone();
        }
        corpus::Document {
            id: format!("{}~{copy}", original.id),
            title: format!("{} (copy {copy})", original.title),
            ..original.clone()
        }
    });

    // A data dir as `because serve` reads it: the index in `index/`, the site beside it.
    let data = tempfile::tempdir_in(".").context("a temporary folder for the index")?;
    let index_dir = data.path().join("index");
    eprintln!("bench: ingesting {size} documents text-only");
    let started = Instant::now();
    let index = index::Index::create_or_open(&index_dir)?;
    let mut reported = 0;
    let stats = index.ingest(documents, &mut |progress| {
        let done = progress.done;
        if done >= reported + 100_000 {
            reported = done;
            eprintln!("bench: {done} documents ingested");
        }
    })?;
    let ingest = started.elapsed().as_secs_f64();
    drop(index);
    let bytes = size_on_disk(&index_dir);

    let engine = Engine::new(index::Index::open(&index_dir)?);
    for question in questions {
        engine.ask(question)?;
    }
    let mut latencies = Vec::new();
    for _ in 0..rounds {
        for question in questions {
            let started = Instant::now();
            engine.ask(question)?;
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    drop(engine);
    latencies.sort_by(f64::total_cmp);

    // The real server over the same index (no vectors, so lexical), asked every question once
    // through its API; its resident memory when it is up and after the questions.
    let because = bench::crash::because_beside_me()?;
    let database = site::Database::Sqlite(data.path().join("site.sqlite"));
    let (mut server, base) = bench::crash::start_with(
        &because,
        data.path(),
        &database,
        &["--articles-per-hour", "0"],
    )?;
    let pid = server.id().to_string();
    std::thread::sleep(std::time::Duration::from_secs(1));
    let up = resident_mib(&pid);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut answered = 0;
    for question in questions {
        let body = serde_json::json!({ "question": question.text }).to_string();
        let response = agent
            .post(format!("{base}/api/v1/ask"))
            .header("Content-Type", "application/json")
            .send(body.as_bytes())?;
        answered += usize::from(response.status() == 200);
    }
    let after = resident_mib(&pid);
    server.kill().ok();
    server.wait().ok();
    let percentile = |p| explain::eval::percentile(&latencies, p);

    let mib = |value: Option<f64>| value.map_or("–".to_owned(), |v| format!("{v:.0} MiB"));
    Ok(format!(
        "## The text index at {size} documents (`--scale-only`, `crates/bench/src/scale.rs`)\n\n\
         Real text replicated: the default corpus ({wikipedia} Wikipedia summaries) and SciFact \
         ({scifact} abstracts) in turn, copy n titled \"… (copy n)\" with an id of its own; \
         ingested text-only, streamed, into an empty index; {} sentences, {} passages indexed.\n\n\
         | measure | value | target (issue 10) |\n|---|---|---|\n\
         | ingest | **{:.0} documents/s** ({ingest:.1} s) | ≥ 5,000 documents/s |\n\
         | index on disk | {:.2} GiB | – |\n\
         | lexical `ask` p50 / p95 ({} questions × {rounds} rounds, warm, in process) | **{:.2} ms** / {:.2} ms | p50 ≤ 30 ms |\n\
         | resident memory of `because serve` over it (text only: the index has no vectors), started / after {answered} questions through `POST /api/v1/ask` | {} / {} | reported |\n\n",
        stats.sentences,
        stats.passages,
        size as f64 / ingest,
        bytes as f64 / (1u64 << 30) as f64,
        questions.len(),
        percentile(0.5),
        percentile(0.95),
        mib(up),
        mib(after),
    ))
}
