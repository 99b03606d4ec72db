//! Approximate nearest-neighbour search: two HNSW crates against exact search, on real
//! sentence vectors and real questions, before one is chosen for the index (issue 10).
//!
//! - Vectors: every sentence vector of an index built before (`--index`, the default corpus:
//!   36,284 real vectors), then perturbed copies until `--ann-size` (default 100,000): copy
//!   `k` of vector `v` is `v` plus Gaussian noise of standard deviation 0.025 per component
//!   (a fixed seed), made unit length again, about cosine 0.9 from `v`. So the set has the
//!   real vectors' structure, with near neighbours that a graph search must tell apart.
//! - Questions: why-dev, `eval/why-reasons.jsonl` and SciFact's test queries, embedded as
//!   `ask` embeds a question.
//! - Truth: the 10 nearest by exact f32 dot product over every vector.
//! - Both crates get the same distance (1 − dot product, one vectorised loop), the same
//!   `M` where they let us set it, and are measured one question at a time on one thread.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;

/// Neighbours asked for and compared.
const K: usize = 10;
/// Standard deviation of the noise added per component to make a copy.
pub(crate) const NOISE: f32 = 0.025;

/// 1 − dot product of two unit vectors, in eight lanes so that it vectorises.
fn distance(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    let tail: f32 = a
        .chunks_exact(8)
        .remainder()
        .iter()
        .zip(b.chunks_exact(8).remainder())
        .map(|(x, y)| x * y)
        .sum();
    1.0 - (lanes.iter().sum::<f32>() + tail)
}

#[derive(Clone, Copy)]
struct Dot;

impl hnsw_rs::anndists::dist::Distance<f32> for Dot {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        distance(a, b).max(0.0)
    }
}

#[derive(Clone)]
struct Point(Vec<f32>);

impl instant_distance::Point for Point {
    fn distance(&self, other: &Self) -> f32 {
        distance(&self.0, &other.0).max(0.0)
    }
}

/// A small deterministic generator (xorshift64*) and Box–Muller normals: the copies are the
/// same in every run.
pub(crate) struct Noise(pub(crate) u64);

impl Noise {
    fn next_unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub(crate) fn normal(&mut self) -> f32 {
        let (u, v) = (self.next_unit(), self.next_unit());
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }
}

pub(crate) fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    for x in &mut v {
        *x /= norm;
    }
    v
}

/// The real vectors, then perturbed copies up to `size`.
fn vectors(index_dir: &Path, size: usize) -> anyhow::Result<(Vec<Vec<f32>>, usize)> {
    let index = index::Index::open(index_dir)?;
    let real: Vec<Vec<f32>> = index
        .sentence_vectors()?
        .into_iter()
        .map(|(_, v)| unit(v))
        .collect();
    anyhow::ensure!(
        !real.is_empty(),
        "the index in {} has no vectors (ingest with the model)",
        index_dir.display()
    );
    let count = real.len();
    let mut all = real;
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let mut source = 0;
    while all.len() < size {
        let copy = all[source % count]
            .iter()
            .map(|x| x + NOISE * noise.normal())
            .collect();
        all.push(unit(copy));
        source += 1;
    }
    all.truncate(size.max(count));
    Ok((all, count))
}

/// The questions: why-dev, why-reasons and SciFact's test queries.
pub(crate) fn questions(repo: &Path, shared_eval: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for file in [
        shared_eval.join("why-dev.jsonl"),
        repo.join("eval/why-reasons.jsonl"),
    ] {
        let text = std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line)?;
            out.extend(value["q"].as_str().map(str::to_owned));
        }
    }
    let scifact = shared_eval.join("beir-scifact");
    if let Ok(test) = std::fs::read_to_string(scifact.join("qrels/test.tsv")) {
        let wanted: std::collections::HashSet<&str> = test
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .collect();
        let queries = std::fs::read_to_string(scifact.join("queries.jsonl"))?;
        for line in queries.lines().filter(|l| !l.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line)?;
            if value["_id"].as_str().is_some_and(|id| wanted.contains(id)) {
                out.extend(value["text"].as_str().map(str::to_owned));
            }
        }
    }
    Ok(out)
}

fn exact(all: &[Vec<f32>], query: &[f32]) -> Vec<usize> {
    let mut scored: Vec<(f32, usize)> = all
        .iter()
        .enumerate()
        .map(|(i, v)| (distance(query, v), i))
        .collect();
    scored.select_nth_unstable_by(K - 1, |a, b| a.0.total_cmp(&b.0));
    scored.truncate(K);
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    scored.into_iter().map(|(_, i)| i).collect()
}

struct Run {
    name: String,
    build_seconds: Option<f64>,
    recall: f64,
    p50_ms: f64,
    p95_ms: f64,
}

fn measure(
    name: String,
    build_seconds: Option<f64>,
    queries: &[Vec<f32>],
    truth: &[Vec<usize>],
    mut search: impl FnMut(&[f32]) -> Vec<usize>,
) -> Run {
    let mut times = Vec::with_capacity(queries.len());
    let mut found = 0usize;
    for (query, truth) in queries.iter().zip(truth) {
        let started = Instant::now();
        let got = search(query);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        found += got.iter().filter(|i| truth.contains(i)).count();
    }
    times.sort_by(f64::total_cmp);
    Run {
        name,
        build_seconds,
        recall: found as f64 / (K * queries.len()) as f64,
        p50_ms: explain::eval::percentile(&times, 0.5),
        p95_ms: explain::eval::percentile(&times, 0.95),
    }
}

/// The report section.
pub fn compare(
    index_dir: &Path,
    model: &Path,
    repo: &Path,
    shared_eval: &Path,
    size: usize,
) -> anyhow::Result<String> {
    let (all, real) = vectors(index_dir, size)?;
    let embedder = embed::Embedder::load(model)?;
    let texts = questions(repo, shared_eval)?;
    let queries: Vec<Vec<f32>> = texts
        .iter()
        .map(|q| embedder.embed_query(q))
        .collect::<Result<_, _>>()?;
    eprintln!(
        "bench: ANN over {} vectors ({real} real), {} questions",
        all.len(),
        queries.len()
    );
    let truth: Vec<Vec<usize>> = queries.iter().map(|q| exact(&all, q)).collect();
    let mut runs = vec![measure(
        "exact (f32, every vector, one thread)".into(),
        None,
        &queries,
        &truth,
        |q| exact(&all, q),
    )];

    // hnsw_rs: M = 16 (32 on layer 0), efConstruction 200, inserted in parallel.
    let started = Instant::now();
    let layers = 16.min((all.len() as f64).ln().ceil() as usize).max(1);
    let graph = hnsw_rs::hnsw::Hnsw::<f32, Dot>::new(16, all.len(), layers, 200, Dot);
    let data: Vec<(&Vec<f32>, usize)> = all.iter().zip(0..).collect();
    graph.parallel_insert(&data);
    let built = started.elapsed().as_secs_f64();
    for ef in [32, 64, 128] {
        runs.push(measure(
            format!("hnsw_rs 0.3.5, M 16, efConstruction 200, ef {ef}"),
            (ef == 32).then_some(built),
            &queries,
            &truth,
            |q| graph.search(q, K, ef).into_iter().map(|n| n.d_id).collect(),
        ));
    }
    drop(graph);

    // instant-distance: its M is fixed at 32; ef is set when the graph is built.
    for ef in [32, 64] {
        let started = Instant::now();
        let points: Vec<Point> = all.iter().cloned().map(Point).collect();
        let map = instant_distance::Builder::default()
            .ef_construction(200)
            .ef_search(ef)
            .build(points, (0..all.len()).collect::<Vec<usize>>());
        let built = started.elapsed().as_secs_f64();
        let mut search = instant_distance::Search::default();
        runs.push(measure(
            format!("instant-distance 0.6.1, M 32 (fixed), efConstruction 200, ef {ef}"),
            Some(built),
            &queries,
            &truth,
            |q| {
                map.search(&Point(q.to_vec()), &mut search)
                    .take(K)
                    .map(|item| *item.value)
                    .collect()
            },
        ));
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = String::from("## Approximate nearest-neighbour search (`--ann-only`)\n\n");
    out.push_str(&format!(
        "{} unit vectors of 384 dimensions: {real} real sentence vectors of the index, the rest \
         perturbed copies (Gaussian noise σ {NOISE} per component, unit length again). {} real \
         questions (why-dev, why-reasons, SciFact test queries) embedded as `ask` does; truth \
         is the exact top {K} by f32 dot product. Recall@{K} against it; latency per question \
         on one thread; graphs built on {cores} threads.\n\n\
         | method | build | recall@{K} | p50 | p95 |\n|---|---|---|---|---|\n",
        all.len(),
        queries.len()
    ));
    for run in &runs {
        out.push_str(&format!(
            "| {} | {} | **{:.3}** | {:.3} ms | {:.3} ms |\n",
            run.name,
            run.build_seconds
                .map_or("–".to_owned(), |s| format!("{s:.1} s")),
            run.recall,
            run.p50_ms,
            run.p95_ms
        ));
    }
    out.push('\n');
    Ok(out)
}
