use anyhow::{Context, bail};
use index::IngestPhase;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

use crate::cli::IngestArgs;

/// File name of the corpus inside the assets folder (see scripts/install-assets.sh).
const DEFAULT_CORPUS_FILE: &str = "corpus/summaries_en-us.json";

pub fn run(paths: &super::Paths, args: IngestArgs) -> anyhow::Result<()> {
    let mut documents = Vec::new();
    let mut problems = 0;
    if args.default_corpus {
        let path = args.assets_dir.join(DEFAULT_CORPUS_FILE);
        if !path.is_file() {
            bail!(
                "the default corpus is not installed at {}: run `scripts/install-assets.sh` (or `make assets`) first",
                path.display()
            );
        }
        documents.extend(corpus::load_default_corpus(&path)?);
    }
    for path in &args.paths {
        let report = corpus::load_path(path);
        for problem in &report.problems {
            eprintln!("warning: skipped {problem}");
        }
        problems += report.problems.len();
        if report.skipped_files > 0 {
            eprintln!(
                "note: ignored {} file(s) in {} that are not .txt, .md, .markdown or .jsonl",
                report.skipped_files,
                path.display()
            );
        }
        documents.extend(report.documents);
    }
    if documents.is_empty() {
        bail!("nothing to ingest: no readable documents ({problems} problem(s) reported above)");
    }

    let index_dir = super::index_dir(&paths.data_dir);
    let mut index = index::Index::create_or_open(&index_dir)
        .with_context(|| format!("cannot open the index in {}", index_dir.display()))?;
    if paths.model_dir.join("model.safetensors").is_file() {
        let embedder = embed::Embedder::load(&paths.model_dir).with_context(|| {
            format!(
                "cannot load the embedding model in {}",
                paths.model_dir.display()
            )
        })?;
        index = index.with_embedder(std::sync::Arc::new(embedder));
    } else {
        eprintln!(
            "warning: no embedding model in {}: sentences get no vectors and only lexical search works (run `scripts/install-assets.sh`)",
            paths.model_dir.display()
        );
    }
    let total = documents.len();
    let started = std::time::Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} ({eta} left)")
                .expect("the progress template is valid")
                .progress_chars("=> "),
        );
        bar
    });
    let mut last_logged = (IngestPhase::Indexing, 0);
    let stats = index.ingest(documents, &mut |progress| {
        let what = match progress.phase {
            IngestPhase::Indexing => "documents indexed",
            IngestPhase::Embedding => "sentences embedded",
        };
        match &bar {
            Some(bar) => {
                bar.set_message(what);
                bar.set_length(progress.total as u64);
                bar.set_position(progress.done as u64);
            }
            None => {
                let (phase, logged) = last_logged;
                let step = progress.total.div_ceil(5).max(1);
                if phase != progress.phase
                    || progress.done - logged >= step
                    || progress.done == progress.total
                {
                    eprintln!("ingest: {}/{} {what}", progress.done, progress.total);
                    last_logged = (progress.phase, progress.done);
                }
            }
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "ingested {total} documents in {:.1} s: {} added, {} updated, {} unchanged ({} sentences, {} passages indexed, {} sentences embedded){}",
        started.elapsed().as_secs_f64(),
        stats.added,
        stats.updated,
        stats.unchanged,
        stats.sentences,
        stats.passages,
        stats.embedded,
        if problems > 0 {
            format!("; {problems} problem(s) reported above")
        } else {
            String::new()
        }
    );
    Ok(())
}
