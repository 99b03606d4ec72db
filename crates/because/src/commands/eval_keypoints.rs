use anyhow::{Context, bail};

use crate::cli::{EvalKeypointsArgs, ReportFormat};

pub fn run(paths: &super::Paths, args: EvalKeypointsArgs) -> anyhow::Result<()> {
    if !paths.model_dir.join("model.safetensors").is_file() {
        bail!(
            "key-point matching needs the embedding model in {}: run `scripts/install-assets.sh`",
            paths.model_dir.display()
        );
    }
    let embedder = embed::Embedder::load(&paths.model_dir)
        .with_context(|| format!("cannot load the model in {}", paths.model_dir.display()))?;
    let matching = explain::keypoint_eval::evaluate(&args.dir, &args.split, &embedder)
        .map_err(anyhow::Error::msg)?;
    let discovery = explain::keypoint_eval::evaluate_discovery(
        &args.dir,
        &args.split,
        &embedder,
        args.threshold,
    )
    .map_err(anyhow::Error::msg)?;
    match args.format {
        ReportFormat::Text => print!("{}{}", matching.to_text(), discovery.to_text()),
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "matching": matching, "discovery": discovery })
            )?
        ),
    }
    Ok(())
}
