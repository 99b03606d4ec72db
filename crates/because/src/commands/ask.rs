use anyhow::Context;

use crate::cli::{AskArgs, Format};

pub fn run(paths: &super::Paths, args: AskArgs) -> anyhow::Result<()> {
    let question = explain::Question::parse(&args.question)?;
    let llm = args.writer.llm_config()?;
    let engine = super::open_engine(paths)?;
    super::warn_without_tagger(&engine, paths);
    let mut article = engine.ask(&question)?;
    if let Some(config) = llm {
        // The extractive article stands when the server fails: said on stderr, not fatal.
        match writer::Writer::new(config).write(&article, engine.index()) {
            Ok(written) => {
                eprintln!("{}", super::describe_written(&written));
                article = written.article;
            }
            Err(error) => {
                eprintln!("warning: the LLM writer failed, the extractive article follows: {error}")
            }
        }
    }
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
