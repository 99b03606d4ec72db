//! Embedding throughput, side by side with the reference implementation.
//!
//! The same 2,000 default-corpus sentences are embedded by `crates/embed` and by
//! sentence-transformers on PyTorch (`bench/reference_embed.py`, run in the throwaway virtual
//! environment that `bench/reference.sh` installs), both with the same number of threads, in
//! one run: ours, the reference, ours again, so that a slow spell of the shared machine
//! shows in both. Both sets of vectors are compared, so the figures are for the same work.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

/// Timed rounds of each side (ours runs twice this many, before and after the reference).
const ROUNDS: usize = 3;

/// The script that installs the reference's virtual environment and runs it.
const REFERENCE: &str = "bench/reference.sh";

pub struct Sample {
    pub sentences: Vec<String>,
    pub pieces: usize,
}

/// Every 18th sentence of the default corpus in title order, 2,000 of them; line breaks
/// inside a sentence become spaces so that the reference can read one sentence per line.
pub fn sample(corpus_file: &Path, embedder: &embed::Embedder) -> anyhow::Result<Sample> {
    let mut sentences: Vec<String> = Vec::new();
    for document in corpus::load_default_corpus(corpus_file)? {
        for range in corpus::split_sentences(&document.text) {
            sentences.push(document.text[range].replace(['\n', '\r'], " "));
        }
    }
    let sentences: Vec<String> = sentences.into_iter().step_by(18).take(2000).collect();
    let pieces = sentences
        .iter()
        .map(|s| embedder.tokenize(s).map(|ids| ids.len()))
        .sum::<Result<usize, _>>()?;
    Ok(Sample { sentences, pieces })
}

struct Reference {
    torch: String,
    seconds: Vec<f64>,
    vectors: Vec<Vec<f32>>,
}

fn run_reference(model: &Path, sample: &Sample, threads: usize) -> anyhow::Result<Reference> {
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("sentences.txt");
    let output = dir.path().join("reference.json");
    std::fs::write(&input, sample.sentences.join("\n") + "\n")?;
    let status = Command::new("bash")
        .arg(REFERENCE)
        .arg(model)
        .arg(&input)
        .arg(threads.to_string())
        .arg(ROUNDS.to_string())
        .arg(&output)
        .status()
        .with_context(|| format!("running {REFERENCE}"))?;
    if !status.success() {
        bail!("{REFERENCE} failed ({status}); see its messages above");
    }
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&output).with_context(|| format!("reading {}", output.display()))?,
    )?;
    let parse = || -> Option<Reference> {
        Some(Reference {
            torch: report["torch"].as_str()?.to_owned(),
            seconds: report["seconds"]
                .as_array()?
                .iter()
                .map(|v| v.as_f64())
                .collect::<Option<_>>()?,
            vectors: report["vectors"]
                .as_array()?
                .iter()
                .map(|row| {
                    row.as_array()?
                        .iter()
                        .map(|v| v.as_f64().map(|x| x as f32))
                        .collect()
                })
                .collect::<Option<_>>()?,
        })
    };
    let reference = parse().context("the reference's report is not in the expected shape")?;
    if reference.vectors.len() != sample.sentences.len() {
        bail!(
            "the reference embedded {} sentences, not {}",
            reference.vectors.len(),
            sample.sentences.len()
        );
    }
    Ok(reference)
}

/// The median of timings (the project's percentile over a sorted copy).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    explain::eval::percentile(&sorted, 0.5)
}

/// The report section. With `with_reference` false the reference is not run (and the
/// section says so).
pub fn throughput(
    assets: &Path,
    corpus_file: &Path,
    with_reference: bool,
) -> anyhow::Result<String> {
    let model = assets.join("model");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let embedder = embed::Embedder::load(&model)?.with_threads(cores);
    let sample = sample(corpus_file, &embedder)?;
    let texts: Vec<&str> = sample.sentences.iter().map(String::as_str).collect();
    embedder.embed(&texts[..64])?;

    // The same model in f32 throughout (`Precision::Exact`), timed in the same run.
    let exact = embed::Embedder::load(&model)?
        .with_threads(cores)
        .with_precision(embed::Precision::Exact);
    exact.embed(&texts[..64])?;

    let mut ours = Vec::new();
    let mut ours_exact = Vec::new();
    let time =
        |embedder: &embed::Embedder, seconds: &mut Vec<f64>| -> anyhow::Result<Vec<Vec<f32>>> {
            let mut vectors = Vec::new();
            for _ in 0..ROUNDS {
                let started = Instant::now();
                vectors = embedder.embed(&texts)?;
                seconds.push(started.elapsed().as_secs_f64());
            }
            Ok(vectors)
        };
    let vectors = time(&embedder, &mut ours)?;
    let exact_vectors = time(&exact, &mut ours_exact)?;
    let reference = if with_reference {
        eprintln!("bench: running the reference (sentence-transformers) on the same sentences");
        Some(run_reference(&model, &sample, cores)?)
    } else {
        None
    };
    time(&exact, &mut ours_exact)?;
    time(&embedder, &mut ours)?;
    let one_thread = embed::Embedder::load(&model)?.with_threads(1);
    let started = Instant::now();
    one_thread.embed(&texts)?;
    let single = started.elapsed().as_secs_f64();

    let n = sample.sentences.len() as f64;
    let row = |name: &str, threads: usize, seconds: f64, spread: &str| {
        format!(
            "| {name} | {threads} | **{:.0}** | {:.0} | {spread} |\n",
            n / seconds,
            sample.pieces as f64 / seconds
        )
    };
    let spread = |values: &[f64]| {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(0.0, f64::max);
        format!("{:.0}–{:.0}", n / max, n / min)
    };
    let mut out = String::from("## Sentence embeddings (all-MiniLM-L6-v2)\n\n");
    out.push_str(&format!(
        "{} default-corpus sentences, {} word pieces, the same for both implementations; \
         tokenizing included; median of {} rounds for the reference and {} for each of ours \
         (before and after it), after a warm-up.\n\n\
         | implementation | threads | sentences/s | word pieces/s | range of the rounds (sentences/s) |\n|---|---|---|---|---|\n",
        sample.sentences.len(),
        sample.pieces,
        ROUNDS,
        2 * ROUNDS
    ));
    let precision = if embed::int8_available() {
        "int8 weights and activations, AVX-512 VNNI"
    } else {
        "f32: this CPU has no AVX-512 VNNI"
    };
    out.push_str(&row(
        &format!("because (`crates/embed`), default ({precision})"),
        cores,
        median(&ours),
        &spread(&ours),
    ));
    out.push_str(&row(
        "because, f32 throughout (`Precision::Exact`)",
        cores,
        median(&ours_exact),
        &spread(&ours_exact),
    ));
    match &reference {
        Some(reference) => {
            out.push_str(&row(
                &format!("sentence-transformers on PyTorch {}", reference.torch),
                cores,
                median(&reference.seconds),
                &spread(&reference.seconds),
            ));
            out.push_str(&row("because (`crates/embed`)", 1, single, "one round"));
            let worst = |ours: &[Vec<f32>]| {
                ours.iter()
                    .zip(&reference.vectors)
                    .map(|(a, b)| cosine(a, b))
                    .fold(1.0f32, f32::min)
            };
            out.push_str(&format!(
                "\nThroughput ratio, because / sentence-transformers: **{:.2}×** by default, \
                 {:.2}× in f32 (targets ≥ 1, issue 3; ≥ 2, issue 10). Agreement with the \
                 reference, the smallest cosine of one sentence's two vectors: {:.6} by default, \
                 {:.6} in f32.\n\n",
                median(&reference.seconds) / median(&ours),
                median(&reference.seconds) / median(&ours_exact),
                worst(&vectors),
                worst(&exact_vectors),
            ));
        }
        None => {
            out.push_str(&row("because (`crates/embed`)", 1, single, "one round"));
            let worst = vectors
                .iter()
                .zip(&exact_vectors)
                .map(|(a, b)| cosine(a, b))
                .fold(1.0f32, f32::min);
            out.push_str(&format!(
                "\nThe reference was not run (`--no-reference`). Default against f32: speed-up \
                 {:.2}×, smallest cosine {worst:.6}.\n\n",
                median(&ours_exact) / median(&ours)
            ));
        }
    }
    Ok(out)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norms =
        a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / norms.max(f32::MIN_POSITIVE)
}
