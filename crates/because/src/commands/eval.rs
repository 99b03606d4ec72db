use anyhow::Context;

use crate::cli::{EvalArgs, ReportFormat};

pub fn run(paths: &super::Paths, args: EvalArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let cases = explain::eval::parse_cases(&text)
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.file.display()))?;
    let engine = super::open_engine(paths)?;
    let report = explain::eval::run(&engine, &cases)?;
    match args.format {
        ReportFormat::Text => print!("{}", report.to_text()),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(())
}
