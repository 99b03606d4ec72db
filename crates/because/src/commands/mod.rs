//! One file per subcommand.

mod ask;
mod backup;
mod eval;
mod eval_keypoints;
mod eval_retrieval;
mod export;
mod ingest;
mod regenerate;
mod serve;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{Cli, Command};

/// Where things are, from the global options.
pub struct Paths {
    pub data_dir: PathBuf,
    pub model_dir: PathBuf,
    pub tagger_dir: PathBuf,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths {
        data_dir: cli.data_dir,
        model_dir: cli.model_dir,
        tagger_dir: cli.tagger_dir,
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
        eprintln!(
            "warning: no part-of-speech tagger in {}: articles will have plainer headings and \
             fewer sections (run from the repository, or set --tagger-dir / BECAUSE_TAGGER_DIR)",
            paths.tagger_dir.display()
        );
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

/// Opens the site's database in the data dir.
pub fn open_store(paths: &Paths) -> anyhow::Result<site::Store> {
    site::Store::open(&site_db(&paths.data_dir)).with_context(|| {
        format!(
            "cannot open the site database in {}",
            paths.data_dir.display()
        )
    })
}
