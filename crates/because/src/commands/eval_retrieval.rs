use std::sync::Arc;

use crate::cli::{EvalRetrievalArgs, ReportFormat};

pub fn run(paths: &super::Paths, args: EvalRetrievalArgs) -> anyhow::Result<()> {
    let (documents, mut index, index_dir) = super::beir_corpus(paths, &args.dir)?;
    if paths.model_dir.join("model.safetensors").is_file() {
        let embedder = embed::Embedder::load(&paths.model_dir)?;
        index = index.with_embedder(Arc::new(embedder));
    } else {
        eprintln!(
            "warning: no embedding model in {}: only BM25 is measured",
            paths.model_dir.display()
        );
    }
    let stats = index.ingest(documents, &mut |progress| {
        if progress.done == progress.total || progress.done % 8192 < 1024 {
            eprintln!(
                "eval-retrieval: {:?} {}/{}",
                progress.phase, progress.done, progress.total
            );
        }
    })?;
    eprintln!(
        "eval-retrieval: index in {} ({} added, {} sentences embedded)",
        index_dir.display(),
        stats.added,
        stats.embedded
    );
    let report = explain::retrieval_eval::evaluate(&index, &args.dir, &args.split)
        .map_err(anyhow::Error::msg)?;
    match args.format {
        ReportFormat::Text => print!("{}", report.to_text()),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(())
}
