use anyhow::Context;

use crate::cli::{EvalWriterArgs, ReportFormat, WriterKind};

pub fn run(paths: &super::Paths, mut args: EvalWriterArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let cases = explain::eval::parse_cases(&text)
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.file.display()))?;
    args.writer.writer = WriterKind::Llm;
    let config = args
        .writer
        .llm_config()?
        .context("the LLM writer needs a server")?;
    let engine = super::open_engine(paths)?;
    super::warn_without_tagger(&engine, paths);
    let questions: Vec<String> = cases.into_iter().map(|c| c.q).collect();
    let report = writer::eval::run(&engine, &writer::Writer::new(config), &questions)?;
    match args.format {
        ReportFormat::Text => print!("{}", report.to_text()),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(())
}
