//! The embedder against the reference implementation (sentence-transformers):
//! `../shared/eval/minilm-reference.jsonl` holds 52 texts with their vectors.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn vectors_match_the_reference_implementation() {
    let model = repo().join("assets/model");
    let reference = repo().join("../shared/eval/minilm-reference.jsonl");
    if !model.join("model.safetensors").is_file() || !reference.is_file() {
        eprintln!(
            "skipped: needs {} (scripts/install-assets.sh) and {}",
            model.display(),
            reference.display()
        );
        return;
    }
    let embedder = embed::Embedder::load(&model)
        .unwrap()
        .with_precision(embed::Precision::Exact);
    let mut texts = Vec::new();
    let mut expected: Vec<Vec<f32>> = Vec::new();
    for line in std::fs::read_to_string(reference).unwrap().lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        texts.push(value["text"].as_str().unwrap().to_owned());
        expected.push(
            value["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect(),
        );
    }
    assert_eq!(texts.len(), 52);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let vectors = embedder.embed(&refs).unwrap();
    let mut worst = 1.0f32;
    for ((text, got), want) in texts.iter().zip(&vectors).zip(&expected) {
        assert_eq!(got.len(), 384);
        let norm = got.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "not unit length: {norm}");
        let want_norm = want.iter().map(|v| v * v).sum::<f32>().sqrt();
        let cosine = got.iter().zip(want).map(|(a, b)| a * b).sum::<f32>() / want_norm;
        worst = worst.min(cosine);
        assert!(cosine >= 0.999, "cosine {cosine} for {text:?}");
    }
    eprintln!("worst cosine against the reference: {worst:.6}");

    // Batching does not change results: one text alone gives the same vector.
    let alone = embedder.embed(&refs[..1]).unwrap();
    let same: f32 = alone[0].iter().zip(&vectors[0]).map(|(a, b)| a * b).sum();
    assert!(same > 0.99999, "{same}");
    let single_thread = embed::Embedder::load(&model)
        .unwrap()
        .with_threads(1)
        .with_precision(embed::Precision::Exact)
        .embed(&refs)
        .unwrap();
    assert_eq!(single_thread, vectors, "threads do not change results");

    // Documents by the default precision (int8 weights and activations where the CPU has
    // AVX-512 VNNI): within a cosine of 0.99 of the reference (issue 10), for every text.
    let default = embed::Embedder::load(&model).unwrap();
    let int8 = default.embed(&refs).unwrap();
    let worst_int8 = cosines(&int8, &expected).into_iter().fold(1.0f32, f32::min);
    eprintln!("worst cosine of default-precision vectors against the reference: {worst_int8:.6}");
    assert!(worst_int8 >= 0.99, "{worst_int8}");
    let alone = default.embed(&refs[..3]).unwrap();
    assert_eq!(alone, int8[..3], "batching does not change int8 results");

    // The int8-weight path with f32 activations (what questions use on a CPU without
    // AVX-512 VNNI), tested on every CPU.
    let weights_only = embed::Embedder::load(&model)
        .unwrap()
        .with_precision(embed::Precision::Int8Weights)
        .embed(&refs)
        .unwrap();
    let worst_weights = cosines(&weights_only, &expected)
        .into_iter()
        .fold(1.0f32, f32::min);
    eprintln!("worst cosine of int8-weight vectors against the reference: {worst_weights:.6}");
    assert!(worst_weights >= 0.999, "{worst_weights}");

    // Questions (int8 on the calling thread): within a cosine of 0.99 (issue 10 asks) of the
    // reference vectors, for every text.
    let mut worst_query = 1.0f32;
    for (text, want) in texts.iter().zip(&expected) {
        let got = embedder.embed_query(text).unwrap();
        let norm = got.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "not unit length: {norm}");
        let want_norm = want.iter().map(|v| v * v).sum::<f32>().sqrt();
        let cosine = got.iter().zip(want).map(|(a, b)| a * b).sum::<f32>() / want_norm;
        worst_query = worst_query.min(cosine);
    }
    eprintln!("worst cosine of question vectors against the reference: {worst_query:.6}");
    assert!(worst_query >= 0.99, "{worst_query}");
}

/// The cosine of each vector with its reference (which need not be unit length).
fn cosines(got: &[Vec<f32>], want: &[Vec<f32>]) -> Vec<f32> {
    got.iter()
        .zip(want)
        .map(|(got, want)| {
            let norm = want.iter().map(|v| v * v).sum::<f32>().sqrt();
            got.iter().zip(want).map(|(a, b)| a * b).sum::<f32>() / norm
        })
        .collect()
}

#[test]
fn long_texts_are_truncated_and_empty_texts_work() {
    let model = repo().join("assets/model");
    if !model.join("model.safetensors").is_file() {
        eprintln!("skipped: needs {}", model.display());
        return;
    }
    let embedder = embed::Embedder::load(&model).unwrap();
    let long = "famine ".repeat(1000);
    assert_eq!(embedder.tokenize(&long).unwrap().len(), embed::MAX_TOKENS);
    let vectors = embedder.embed(&[&long, "", "\u{0}<script>"]).unwrap();
    assert!(
        vectors
            .iter()
            .all(|v| v.len() == 384 && v.iter().all(|x| x.is_finite()))
    );
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let error = embed::Embedder::load(Path::new("/nonexistent/model"))
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("/nonexistent/model"), "{error}");
}
