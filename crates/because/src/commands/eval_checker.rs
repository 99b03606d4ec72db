use std::sync::Arc;

use crate::cli::{EvalCheckerArgs, ReportFormat};

pub fn run(paths: &super::Paths, args: EvalCheckerArgs) -> anyhow::Result<()> {
    let (documents, index, _) = super::beir_corpus(paths, &args.dir)?;
    index.ingest(documents, &mut |_| {})?;
    let embedder = if paths.model_dir.join("model.safetensors").is_file() {
        Some(Arc::new(embed::Embedder::load(&paths.model_dir)?))
    } else {
        eprintln!(
            "warning: no embedding model in {}: only the lexical checker is measured",
            paths.model_dir.display()
        );
        None
    };
    let report = explain::check_eval::evaluate(&index, embedder.as_deref(), &args.dir, args.target)
        .map_err(anyhow::Error::msg)?;
    match args.format {
        ReportFormat::Text => print!("{}", report.to_text()),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(())
}
