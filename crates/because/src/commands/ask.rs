use anyhow::Context;

use crate::cli::{AskArgs, Format};

pub fn run(paths: &super::Paths, args: AskArgs) -> anyhow::Result<()> {
    let question = explain::Question::parse(&args.question)?;
    let engine = super::open_engine(paths)?;
    super::warn_without_tagger(&engine, paths);
    let article = engine.ask(&question)?;
    match args.format {
        Format::Markdown => print!("{}", article.to_markdown()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&article).context("serialising the article")?
        ),
        Format::Html => print!("{}", site::render_standalone(&article)?),
    }
    Ok(())
}
