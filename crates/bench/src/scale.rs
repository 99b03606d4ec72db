//! The index at a million documents and a million sentence vectors (issue 10): ingest speed,
//! size on disk, memory, `ask` latency lexical and hybrid, and the recall of the
//! nearest-neighbour graph against exact search.
//!
//! The documents are real text replicated: the default corpus (10,033 Wikipedia lead
//! summaries), the SciFact corpus (5,183 abstracts) and the sections of the shortened
//! Wikipedia dump in `assets/wikidump/` (1,782), taken in turn until `--scale-size` documents
//! (default 1,000,000). Copy `n` of a document keeps its text and gets a title of its own
//! ("Black Death (copy 17)") and id, so that every document is distinct to the index (its
//! content hash differs) while the words are real. Ingested text-only (no vectors) into an
//! empty index, streamed: the documents are made as the ingest reads them.
//!
//! Then the vectors (`--scale-vectors`, default 1,000,000): every sentence of the original
//! documents embedded by the model (about 101,000 real sentences), then, for copy 1, 2, …
//! of each document, its original's vectors each perturbed by Gaussian noise (σ 0.025 per
//! component, unit length again; as `make bench-ann`), until the count is reached. They are
//! stored with [`index::Index::store_vectors`], and the nearest-neighbour graph is built as
//! `because ingest` builds it.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use explain::{Engine, Question};

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

/// What the scale benchmark is run on.
pub struct Scale<'a> {
    pub corpus_file: &'a Path,
    pub beir: &'a Path,
    pub wiki_dump: &'a Path,
    pub model: &'a Path,
    pub questions: &'a [Question],
    /// Documents.
    pub size: usize,
    /// Sentence vectors (0: the text index alone).
    pub vectors: usize,
    pub rounds: usize,
    /// The largest wiki dump streamed (0: none); one a tenth of its size is streamed too.
    pub dump_bytes: u64,
}

/// `because serve` over the data dir: its resident memory once it is up and after it has
/// answered every question once through `POST /api/v1/ask`, and how many it answered.
fn serve_memory(
    data: &Path,
    questions: &[Question],
) -> anyhow::Result<(Option<f64>, Option<f64>, usize)> {
    let because = bench::crash::because_beside_me()?;
    let database = site::Database::Sqlite(data.join("site.sqlite"));
    let (mut server, base) =
        bench::crash::start_with(&because, data, &database, &["--articles-per-hour", "0"])?;
    let pid = server.id().to_string();
    std::thread::sleep(std::time::Duration::from_secs(1));
    let up = status_mib(&pid, "VmRSS");
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
    let after = status_mib(&pid, "VmRSS");
    server.kill().ok();
    server.wait().ok();
    Ok((up, after, answered))
}

/// The report sections.
pub fn run(scale: &Scale) -> anyhow::Result<String> {
    let mut originals = corpus::load_default_corpus(scale.corpus_file)?;
    let wikipedia = originals.len();
    if scale.beir.join("corpus.jsonl").is_file() {
        originals
            .extend(explain::retrieval_eval::load_corpus(scale.beir).map_err(anyhow::Error::msg)?);
    }
    let scifact = originals.len() - wikipedia;
    if scale.wiki_dump.is_file() {
        let report = corpus::load_path(scale.wiki_dump);
        anyhow::ensure!(report.problems.is_empty(), "{:?}", report.problems);
        originals.extend(report.documents);
    }
    let dump = originals.len() - wikipedia - scifact;
    let data = tempfile::tempdir_in(".").context("a temporary folder for the index")?;
    let mut out = text_index(data.path(), &originals, scale)?;
    out = out.replace(
        "{sources}",
        &format!(
            "the default corpus ({wikipedia} Wikipedia summaries), SciFact ({scifact} abstracts) \
             and the shortened Wikipedia dump ({dump} lead and section documents)"
        ),
    );
    if scale.dump_bytes > 0 && scale.wiki_dump.is_file() {
        out.push_str(&wiki_dump_memory(
            scale.wiki_dump,
            &[scale.dump_bytes / 10, scale.dump_bytes],
        )?);
    }
    if scale.vectors > 0 {
        if scale.model.join("model.safetensors").is_file() {
            out.push_str(&vector_index(data.path(), &originals, scale)?);
        } else {
            out.push_str("(No vectors: the model is not installed; run `make assets`.)\n\n");
        }
    }
    Ok(out)
}

/// The text half: a million documents ingested text-only, asked lexically, served.
fn text_index(
    data: &Path,
    originals: &[corpus::Document],
    scale: &Scale,
) -> anyhow::Result<String> {
    let (questions, size, rounds) = (scale.questions, scale.size, scale.rounds);
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
    let index_dir = data.join("index");
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
    let (up, after, answered) = serve_memory(data, questions)?;
    let percentile = |p| explain::eval::percentile(&latencies, p);

    let mib = |value: Option<f64>| value.map_or("–".to_owned(), |v| format!("{v:.0} MiB"));
    Ok(format!(
        "## The text index at {size} documents (`--scale-only`, `crates/bench/src/scale.rs`)\n\n\
         Real text replicated: {{sources}} in turn, copy n titled \"… (copy n)\" with an id of its own; \
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

/// The vector half: real and perturbed vectors stored into the million-document index, the
/// graph built, recall against exact search, hybrid `ask`, `serve` again.
fn vector_index(
    data: &Path,
    originals: &[corpus::Document],
    scale: &Scale,
) -> anyhow::Result<String> {
    let target = scale.vectors;
    let index_dir = data.join("index");
    let embedder = Arc::new(embed::Embedder::load(scale.model)?);
    let index = index::Index::create_or_open(&index_dir)?.with_embedder(embedder.clone());

    // Every sentence of the originals, embedded.
    let started = Instant::now();
    let mut ids = Vec::with_capacity(originals.len());
    let mut texts: Vec<String> = Vec::new();
    let mut counts = Vec::with_capacity(originals.len());
    for original in originals {
        let document = index
            .document_by_key(&original.id)?
            .with_context(|| format!("{} is not in the index", original.id))?;
        ids.push(document.id);
        counts.push(document.sentences.len());
        texts.extend((0..document.sentences.len()).map(|s| document.sentence_text(s).to_owned()));
    }
    eprintln!("bench: embedding {} real sentences", texts.len());
    let mut embedded: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(4096) {
        let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
        embedded.extend(embedder.embed(&chunk)?);
        eprintln!("bench: {} sentences embedded", embedded.len());
    }
    let real_count = embedded.len();
    let embed_seconds = started.elapsed().as_secs_f64();
    let mut real: Vec<Vec<Vec<f32>>> = Vec::with_capacity(originals.len());
    let mut rest = embedded.into_iter();
    for &count in &counts {
        real.push(rest.by_ref().take(count).collect());
    }

    // Stored: the originals', then perturbed copies for the copies' sentences.
    let started = Instant::now();
    let mut stored = 0;
    let mut batch: Vec<(u64, Vec<Vec<f32>>)> = Vec::new();
    for (&id, vectors) in ids.iter().zip(&real) {
        if stored >= target {
            break;
        }
        stored += vectors.len();
        batch.push((id, vectors.clone()));
    }
    index.store_vectors(&batch)?;
    batch.clear();
    let mut noise = crate::ann::Noise(0x9E37_79B9_7F4A_7C15);
    'copies: for copy in 1.. {
        for (original, vectors) in originals.iter().zip(&real) {
            if stored >= target {
                break 'copies;
            }
            let Some(document) = index.document_by_key(&format!("{}~{copy}", original.id))? else {
                break 'copies;
            };
            let copies = vectors
                .iter()
                .map(|v| {
                    crate::ann::unit(
                        v.iter()
                            .map(|x| x + crate::ann::NOISE * noise.normal())
                            .collect(),
                    )
                })
                .collect::<Vec<_>>();
            stored += copies.len();
            batch.push((document.id, copies));
            if batch.len() == 5000 {
                index.store_vectors(&batch)?;
                batch.clear();
                eprintln!("bench: {stored} vectors stored");
            }
        }
    }
    index.store_vectors(&batch)?;
    let store_seconds = started.elapsed().as_secs_f64();
    let vectors = index.vector_count()?;
    eprintln!("bench: {vectors} vectors stored; building the nearest-neighbour graph");

    let started = Instant::now();
    let graph = index
        .update_vector_graph(1)?
        .context("a graph over the vectors")?;
    let graph_seconds = started.elapsed().as_secs_f64();
    let graph_bytes = size_on_disk(&index.dir().join(index::ann::DIR));
    drop(index);

    // Recall@10 of graph search against exact search, on real questions, with the latency of
    // each (the question embedded once, outside the timing).
    let index = index::Index::open(&index_dir)?.with_embedder(embedder.clone());
    let started = Instant::now();
    anyhow::ensure!(index.vector_graph_points()?.is_some(), "the graph loads");
    let load_seconds = started.elapsed().as_secs_f64();
    let texts = crate::ann::questions(Path::new("."), Path::new("../shared/eval"))?;
    let (mut exact_ms, mut graph_ms, mut found) = (Vec::new(), Vec::new(), 0);
    for text in &texts {
        let query = index.embed_query(text)?.context("a query vector")?;
        let clock = Instant::now();
        let exact = index.exact_dense_search(&query, 10)?;
        exact_ms.push(clock.elapsed().as_secs_f64() * 1000.0);
        let clock = Instant::now();
        let approximate = index.dense_search(&query, 10)?;
        graph_ms.push(clock.elapsed().as_secs_f64() * 1000.0);
        found += approximate
            .iter()
            .filter(|hit| {
                exact
                    .iter()
                    .any(|e| (e.document, e.ordinal) == (hit.document, hit.ordinal))
            })
            .count();
    }
    let recall = found as f64 / (10 * texts.len()) as f64;
    exact_ms.sort_by(f64::total_cmp);
    graph_ms.sort_by(f64::total_cmp);

    // Hybrid `ask`, warm, in process.
    let engine = Engine::new(index);
    for question in scale.questions {
        engine.ask(question)?;
    }
    let mut latencies = Vec::new();
    for _ in 0..scale.rounds {
        for question in scale.questions {
            let started = Instant::now();
            engine.ask(question)?;
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    drop(engine);
    latencies.sort_by(f64::total_cmp);
    let (up, after, answered) = serve_memory(data, scale.questions)?;

    let p = explain::eval::percentile;
    let mib = |value: Option<f64>| value.map_or("–".to_owned(), |v| format!("{v:.0} MiB"));
    Ok(format!(
        "### With {vectors} sentence vectors\n\n\
         {real_count} real sentences (every sentence of the original documents) embedded by the \
         model in {embed_seconds:.0} s; then, for copy 1, 2, … of each document, its original's \
         vectors each perturbed by Gaussian noise (σ {} per component, unit length again), \
         stored in {store_seconds:.0} s. The graph built as `because ingest` builds it \
         (hnsw_rs, M 16, efConstruction 200, int8 cosine) in **{graph_seconds:.0} s** on \
         {} threads ({} points, {:.2} GiB on disk; loaded in {load_seconds:.1} s). Recall \
         against exact search on {} real questions (why-dev, why-reasons, SciFact test \
         queries), top 10 sentences.\n\n\
         | measure | value | target (issue 10) |\n|---|---|---|\n\
         | ANN recall@10 against exact (ef 128) | **{recall:.3}** | ≥ 0.95 |\n\
         | dense search p50 / p95, graph | {:.2} ms / {:.2} ms | – |\n\
         | dense search p50 / p95, exact (every vector) | {:.2} ms / {:.2} ms | – |\n\
         | hybrid `ask` p50 / p95 ({} questions × {} rounds, warm, in process) | **{:.2} ms** / {:.2} ms | p50 ≤ 50 ms |\n\
         | resident memory of `because serve` (model, vectors and graph), started / after {answered} questions | {} / {} | reported |\n\n",
        crate::ann::NOISE,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        graph.points,
        graph_bytes as f64 / (1u64 << 30) as f64,
        texts.len(),
        p(&graph_ms, 0.5),
        p(&graph_ms, 0.95),
        p(&exact_ms, 0.5),
        p(&exact_ms, 0.95),
        scale.questions.len(),
        scale.rounds,
        p(&latencies, 0.5),
        p(&latencies, 0.95),
        mib(up),
        mib(after),
    ))
}

/// A MediaWiki dump of about `bytes` bytes made from the real one: its pages again and again,
/// copy n of each titled "… (copy n)", between the real header and footer. Written as plain
/// XML; returns the bytes written.
fn replicate_dump(real: &str, bytes: u64, to: &Path) -> anyhow::Result<u64> {
    use std::io::Write;
    let first = real.find("<page>").context("the dump has pages")?;
    let last = real.rfind("</page>").context("the dump has pages")? + "</page>".len();
    let (header, pages, footer) = (&real[..first], &real[first..last], &real[last..]);
    let mut out = std::io::BufWriter::new(std::fs::File::create(to)?);
    let mut written = 0u64;
    let mut write = |out: &mut std::io::BufWriter<std::fs::File>, text: &str| {
        written += text.len() as u64;
        out.write_all(text.as_bytes()).map(|()| written)
    };
    let mut total = write(&mut out, header)?;
    let mut copy = 0;
    while total + (footer.len() as u64) < bytes {
        let mut rest = pages;
        while let Some(start) = rest.find("<title>") {
            let end = rest[start..]
                .find("</title>")
                .context("a title is closed")?
                + start;
            write(&mut out, &rest[..end])?;
            if copy > 0 {
                write(&mut out, &format!(" (copy {copy})"))?;
            }
            rest = &rest[end..];
        }
        total = write(&mut out, rest)?;
        copy += 1;
    }
    out.write_all(footer.as_bytes())?;
    out.flush()?;
    Ok(std::fs::metadata(to)?.len())
}

/// A field of `/proc/<pid>/status` given in kB (`VmHWM`, `RssAnon`, …), in MiB.
fn status_mib(pid: &str, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| {
        l.strip_prefix(field)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// `because ingest` of wiki dumps of growing size (text only), with the peak resident memory
/// of the process: a dump is streamed, so the peak must not grow with it.
pub fn wiki_dump_memory(dump: &Path, sizes: &[u64]) -> anyhow::Result<String> {
    let mut real = String::new();
    std::io::Read::read_to_string(
        &mut bzip2::read::MultiBzDecoder::new(std::fs::File::open(dump)?),
        &mut real,
    )?;
    let because = bench::crash::because_beside_me()?;
    let mut out = String::from(
        "### A MediaWiki dump of growing size, streamed\n\n\
         The shortened Wikipedia dump of `assets/wikidump/` (real pages) repeated, copy n of \
         each page titled \"… (copy n)\", as one plain XML file; `because ingest FILE` into an \
         empty data dir, text only (no model), each section a document. Peak resident memory \
         is the process's VmHWM (heap and mapped files) when it exits; the heap's peak is the \
         largest RssAnon read every 50 ms.\n\n\
         | dump | documents | ingest | peak resident memory | of it heap (anonymous) |\n|---|---|---|---|---|\n",
    );
    for &size in sizes {
        let folder = tempfile::tempdir_in(".")?;
        let file = folder.path().join("dump.xml");
        let bytes = replicate_dump(&real, size, &file)?;
        eprintln!("bench: ingesting a wiki dump of {bytes} bytes");
        let started = Instant::now();
        let mut child = std::process::Command::new(&because)
            .arg("--data-dir")
            .arg(folder.path().join("data"))
            .args(["--model-dir", "/nonexistent", "ingest"])
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let pid = child.id().to_string();
        // The kernel's peak of all resident pages, and the largest anonymous (heap) part
        // seen: the rest is files mapped for reading (tantivy's segments while they merge).
        let (mut peak, mut anonymous) = (0.0f64, 0.0f64);
        let status = loop {
            if let Some(mib) = status_mib(&pid, "VmHWM") {
                peak = peak.max(mib);
            }
            if let Some(mib) = status_mib(&pid, "RssAnon") {
                anonymous = anonymous.max(mib);
            }
            if let Some(status) = child.try_wait()? {
                break status;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let seconds = started.elapsed().as_secs_f64();
        let mut stdout = String::new();
        if let Some(mut pipe) = child.stdout.take() {
            std::io::Read::read_to_string(&mut pipe, &mut stdout)?;
        }
        anyhow::ensure!(status.success(), "ingest of the dump failed: {stdout}");
        let documents = stdout
            .strip_prefix("ingested ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or("?");
        out.push_str(&format!(
            "| {:.0} MiB | {documents} | {seconds:.0} s ({:.1} MiB/s) | **{peak:.0} MiB** | {anonymous:.0} MiB |\n",
            bytes as f64 / (1u64 << 20) as f64,
            bytes as f64 / (1u64 << 20) as f64 / seconds
        ));
    }
    out.push('\n');
    Ok(out)
}
