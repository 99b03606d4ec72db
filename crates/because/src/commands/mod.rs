//! One file per subcommand.

mod ask;
mod eval;
mod ingest;
mod serve;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Ingest(args) => ingest::run(&cli.data_dir, args),
        Command::Ask(args) => ask::run(&cli.data_dir, args),
        Command::Serve(args) => serve::run(&cli.data_dir, args),
        Command::Eval(args) => eval::run(&cli.data_dir, args),
    }
}

pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("index")
}

pub fn site_db(data_dir: &Path) -> PathBuf {
    data_dir.join("site.sqlite")
}

/// Opens the engine over the data dir's index, with a message that says what to do when
/// nothing was ingested.
pub fn open_engine(data_dir: &Path) -> anyhow::Result<explain::Engine> {
    explain::Engine::open(&index_dir(data_dir))
        .with_context(|| format!("cannot open the index in {}", data_dir.display()))
}
