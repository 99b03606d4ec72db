use std::io::Read;

use anyhow::Context;

use crate::cli::{AuditArgs, AuditFormat};

pub fn run(paths: &super::Paths, args: AuditArgs) -> anyhow::Result<()> {
    let text = if args.file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        text
    } else {
        std::fs::read_to_string(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let draft = explain::audit::parse_any(&text);
    if draft.title.is_empty() {
        anyhow::bail!("{} holds no article: it is empty", args.file.display());
    }
    let engine = super::open_engine(paths)?;
    // The model checks meaning and finds repeated sections even over a lexical index.
    let embedder = if paths.model_dir.join("model.safetensors").is_file() {
        Some(embed::Embedder::load(&paths.model_dir)?)
    } else {
        eprintln!(
            "warning: no embedding model in {}: sentences are checked by their words only",
            paths.model_dir.display()
        );
        None
    };
    let audit = explain::audit::audit(engine.index(), embedder.as_ref(), &draft)?;
    match args.format {
        AuditFormat::Markdown => print!("{}", audit.to_markdown()),
        AuditFormat::Json => println!("{}", serde_json::to_string_pretty(&audit)?),
        AuditFormat::Html => print!("{}", site::render_audit(&audit)?),
    }
    Ok(())
}
