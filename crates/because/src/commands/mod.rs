//! One file per subcommand.

mod ask;
mod audit;
mod backup;
mod eval;
mod eval_checker;
mod eval_keypoints;
mod eval_retrieval;
mod eval_writer;
mod export;
mod ingest;
mod regenerate;
mod serve;
mod sources;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{Cli, Command};

/// Where things are, from the global options.
pub struct Paths {
    pub data_dir: PathBuf,
    pub model_dir: PathBuf,
    pub tagger_dir: PathBuf,
    /// The site's database when it is PostgreSQL (else SQLite in the data dir).
    pub database_url: Option<String>,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths {
        data_dir: cli.data_dir,
        model_dir: cli.model_dir,
        tagger_dir: cli.tagger_dir,
        database_url: cli.database_url.filter(|url| !url.is_empty()),
    };
    match cli.command {
        Command::Ingest(args) => ingest::run(&paths, args),
        Command::Ask(args) => ask::run(&paths, args),
        Command::Serve(args) => serve::run(&paths, args),
        Command::Regenerate(args) => regenerate::run(&paths, args),
        Command::Export(args) => export::run(&paths, args),
        Command::Backup(args) => backup::run(&paths, args),
        Command::Eval(args) => eval::run(&paths, args),
        Command::EvalRetrieval(args) => eval_retrieval::run(&paths, args),
        Command::EvalKeypoints(args) => eval_keypoints::run(&paths, args),
        Command::Audit(args) => audit::run(&paths, args),
        Command::EvalChecker(args) => eval_checker::run(&paths, args),
        Command::EvalWriter(args) => eval_writer::run(&paths, args),
        Command::Sources => sources::run(&paths),
    }
}

/// "1 article", "3 articles".
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A BEIR folder's documents and its evaluation index, beside the main one and reused
/// (ingest skips what it has): `DATA_DIR/beir/<folder name>`, with that path.
pub fn beir_corpus(
    paths: &Paths,
    dir: &Path,
) -> anyhow::Result<(Vec<corpus::Document>, index::Index, PathBuf)> {
    let documents = explain::retrieval_eval::load_corpus(dir).map_err(anyhow::Error::msg)?;
    if documents.is_empty() {
        anyhow::bail!("{} holds no documents", dir.join("corpus.jsonl").display());
    }
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "corpus".into());
    let index_dir = paths.data_dir.join("beir").join(name);
    let index = index::Index::create_or_open(&index_dir)
        .with_context(|| format!("cannot open {}", index_dir.display()))?;
    Ok((documents, index, index_dir))
}

pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("index")
}

pub fn site_db(data_dir: &Path) -> PathBuf {
    data_dir.join("site.sqlite")
}

/// Says on stderr when the engine runs without the tagger: articles then lose most of their
/// sections and headings, and the default folder is relative to where the command runs.
pub fn warn_without_tagger(engine: &explain::Engine, paths: &Paths) {
    if engine.tagger().is_none() {
        say(format_args!(
            "warning: no part-of-speech tagger in {}: articles will have plainer headings and \
             fewer sections (run from the repository, or set --tagger-dir / BECAUSE_TAGGER_DIR)",
            paths.tagger_dir.display()
        ));
    }
}

/// Opens the engine over the data dir's index (with the embedding model when the index has
/// vectors), with a message that says what to do when nothing was ingested.
pub fn open_engine(paths: &Paths) -> anyhow::Result<explain::Engine> {
    explain::Engine::open_with_model(&index_dir(&paths.data_dir), &paths.model_dir)
        .with_context(|| format!("cannot open the index in {}", paths.data_dir.display()))?
        .with_tagger_from(&paths.tagger_dir)
        .with_context(|| {
            format!(
                "cannot load the part-of-speech tagger in {} (reinstall it with scripts/install-assets.sh)",
                paths.tagger_dir.display()
            )
        })
}

/// One line on what the LLM writer did: "LLM writer (model): 12 sentences written, 5 kept …".
pub fn describe_written(written: &writer::Written) -> String {
    let t = &written.tally;
    format!(
        "LLM writer ({}): {} written, {} kept, {} replaced by the evidence they rest on, {} dropped \
         ({} citing evidence not given, {} citing none); {} tokens in {:.1} s{}",
        written.model,
        count(t.generated as u64, "sentence"),
        t.kept,
        t.replaced,
        t.dropped,
        t.unknown_citations,
        t.uncited,
        written.tokens,
        written.seconds,
        if written.structured {
            ""
        } else {
            " (plain text, no JSON schema)"
        }
    )
}

/// Where the site's database is: PostgreSQL when a URL was given, else SQLite in the data dir.
pub fn database(paths: &Paths) -> site::Database {
    match &paths.database_url {
        Some(url) => site::Database::Postgres(url.clone()),
        None => site::Database::Sqlite(site_db(&paths.data_dir)),
    }
}

/// Opens the site's database (PostgreSQL or SQLite in the data dir).
pub fn open_store(paths: &Paths) -> anyhow::Result<site::Store> {
    site::Store::open_database(&database(paths)).with_context(|| match &paths.database_url {
        Some(_) => "cannot open the site database in PostgreSQL (--database-url)".to_owned(),
        None => format!(
            "cannot open the site database in {}",
            paths.data_dir.display()
        ),
    })
}

/// A line for the user on stderr. `serve` keeps serving when nobody reads it (a closed pipe, a
/// supervisor gone): unlike `eprintln!`, a failed write is ignored.
pub fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}
