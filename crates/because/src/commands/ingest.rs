use anyhow::{Context, bail};
use index::IngestPhase;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashSet;
use std::io::IsTerminal;

use crate::cli::IngestArgs;

/// File name of the corpus inside the assets folder (see scripts/install-assets.sh).
const DEFAULT_CORPUS_FILE: &str = "corpus/summaries_en-us.json";

/// Where fetched pages are cached between runs, inside the data folder.
const WEB_CACHE_DIR: &str = "web-cache";

/// The origin recorded for the default corpus.
const DEFAULT_CORPUS_ORIGIN: &str = "default corpus";

/// Where documents come from: read already (the default corpus, fetched pages), or a file or
/// folder read while it is ingested.
enum Source {
    Read {
        origin: String,
        documents: Vec<corpus::Document>,
        problems: usize,
    },
    Path {
        origin: String,
        path: std::path::PathBuf,
    },
}

pub fn run(paths: &super::Paths, args: IngestArgs) -> anyhow::Result<()> {
    let mut sources: Vec<Source> = Vec::new();
    let mut problems = 0;
    if args.default_corpus {
        let path = args.assets_dir.join(DEFAULT_CORPUS_FILE);
        if !path.is_file() {
            bail!(
                "the default corpus is not installed at {}: run `scripts/install-assets.sh` (or `make assets`) first",
                path.display()
            );
        }
        sources.push(Source::Read {
            origin: DEFAULT_CORPUS_ORIGIN.to_owned(),
            documents: corpus::load_default_corpus(&path)?,
            problems: 0,
        });
    }
    for path in &args.paths {
        let origin = std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string();
        sources.push(Source::Path {
            origin,
            path: path.clone(),
        });
    }
    for (origin, documents, had_problems) in fetch_web(paths, &args)? {
        problems += had_problems;
        sources.push(Source::Read {
            origin,
            documents,
            problems: had_problems,
        });
    }

    let index_dir = super::index_dir(&paths.data_dir);
    // A new generation beside the live one: readers (a running `serve`) never see a
    // half-done ingest, and switch when it is committed.
    let next = index::NextGeneration::begin(&index_dir).with_context(|| {
        format!(
            "cannot start a new index generation in {}",
            index_dir.display()
        )
    })?;
    let mut index = index::Index::create_or_open(next.dir())
        .with_context(|| format!("cannot open the index in {}", next.dir().display()))?;
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
    let started = std::time::Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} ({eta} left)")
                .expect("the progress template is valid")
                .progress_chars("=> "),
        );
        bar
    });
    let mut last_logged = (IngestPhase::Indexing, 0);
    let mut progress = |progress: index::IngestProgress| {
        let what = match progress.phase {
            IngestPhase::Indexing => "documents indexed",
            IngestPhase::Embedding => "sentences embedded",
        };
        match &bar {
            Some(bar) => {
                bar.set_message(what);
                bar.set_length(progress.total.max(progress.done) as u64);
                bar.set_position(progress.done as u64);
            }
            None => {
                let (phase, logged) = last_logged;
                // A stream's length is not known: every 10,000 documents.
                let step = match progress.total {
                    0 => 10_000,
                    total => total.div_ceil(5).max(1),
                };
                if phase != progress.phase
                    || progress.done - logged >= step
                    || progress.done == progress.total
                {
                    match progress.total {
                        0 => eprintln!("ingest: {} {what}", progress.done),
                        total => eprintln!("ingest: {}/{total} {what}", progress.done),
                    }
                    last_logged = (progress.phase, progress.done);
                }
            }
        }
    };
    let mut stats = index::IngestStats::default();
    let mut removed = Vec::new();
    let mut total = 0;
    for source in sources {
        let (origin, keys, batch, had_problems) = match source {
            Source::Read {
                origin,
                documents,
                problems,
            } => {
                let keys: HashSet<String> = documents.iter().map(|d| d.id.clone()).collect();
                total += documents.len();
                let batch = index.ingest_from(documents, Some(&origin), &mut progress)?;
                (origin, keys, batch, problems)
            }
            Source::Path { origin, path } => {
                // Read on a thread of its own and handed over a short queue, so that a file
                // of any size (a wiki dump) passes through in bounded memory.
                let (sender, receiver) = std::sync::mpsc::sync_channel::<corpus::Document>(256);
                let reading = path.clone();
                let reader = std::thread::spawn(move || {
                    corpus::stream_path(&reading, &mut |document| {
                        let _ = sender.send(document);
                    })
                });
                // The keys are kept only to synchronise (a dump's may be millions).
                let (mut keys, mut count) = (HashSet::new(), 0);
                let documents = receiver.into_iter().inspect(|document| {
                    count += 1;
                    if args.sync {
                        keys.insert(document.id.clone());
                    }
                });
                // On an error the queue is dropped with `documents` and the reader's sends
                // fail: it is left to finish on its own.
                let batch = index.ingest_from(documents, Some(&origin), &mut progress)?;
                let report = reader
                    .join()
                    .map_err(|_| anyhow::anyhow!("reading {} failed", path.display()))?;
                for problem in &report.problems {
                    eprintln!("warning: skipped {problem}");
                }
                if report.skipped_files > 0 {
                    eprintln!(
                        "note: ignored {} file(s) in {} that are not .txt, .md, .markdown, .html, .htm, .pdf, .xml, .bz2 or .jsonl",
                        report.skipped_files,
                        path.display()
                    );
                }
                problems += report.problems.len();
                total += count;
                (origin, keys, batch, report.problems.len())
            }
        };
        stats.added += batch.added;
        stats.updated += batch.updated;
        stats.unchanged += batch.unchanged;
        stats.sentences += batch.sentences;
        stats.passages += batch.passages;
        stats.embedded += batch.embedded;
        if args.sync {
            if had_problems > 0 {
                eprintln!(
                    "warning: not synchronising {origin}: {had_problems} file(s) could not be read, so nothing of it was removed"
                );
            } else {
                for key in index.remove_missing(&origin, &keys)? {
                    removed.push(key);
                }
            }
        }
    }
    if total == 0 && !args.sync {
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        bail!("nothing to ingest: no readable documents ({problems} problem(s) reported above)");
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.sync {
        for key in &removed {
            eprintln!("removed {key}");
        }
    }
    let had_graph = index.dir().join(index::ann::DIR).is_dir();
    let graph = if index.embedder().is_some() {
        if index.vector_count()? >= args.ann_threshold.max(1) {
            eprintln!("ingest: updating the nearest-neighbour graph of the sentence vectors");
        }
        index.update_vector_graph(args.ann_threshold)?
    } else {
        None
    };
    let graph_changed = graph.is_some_and(|g| g.inserted > 0) || (had_graph && graph.is_none());
    drop(index);
    let changed = stats.added + stats.updated + stats.embedded + removed.len() > 0 || graph_changed;
    let live = if changed || index::generation::live_generation(&index_dir).is_none() {
        let name = next.commit().with_context(|| {
            format!(
                "cannot switch the index in {} to its new generation",
                index_dir.display()
            )
        })?;
        format!("; index generation {name} is live")
    } else {
        // Nothing changed: the new generation is dropped and the live one stays.
        drop(next);
        String::new()
    };
    println!(
        "ingested {total} documents in {:.1} s: {} added, {} updated, {} unchanged ({} sentences, {} passages indexed, {} sentences embedded){}{}{}{live}",
        started.elapsed().as_secs_f64(),
        stats.added,
        stats.updated,
        stats.unchanged,
        stats.sentences,
        stats.passages,
        stats.embedded,
        if args.sync {
            format!("; {} removed as gone from their source", removed.len())
        } else {
            String::new()
        },
        match graph {
            Some(graph) if graph.rebuilt => format!(
                "; nearest-neighbour graph built over {} vectors",
                graph.points
            ),
            Some(graph) => format!(
                "; nearest-neighbour graph: {} vectors inserted, {} points",
                graph.inserted, graph.points
            ),
            None => String::new(),
        },
        if problems > 0 {
            format!("; {problems} problem(s) reported above")
        } else {
            String::new()
        }
    );
    Ok(())
}

/// The pages of every `--urls` list and `--sitemap`, one batch per list or sitemap, fetched by
/// one polite fetcher (so robots.txt and the per-host delay span them all).
fn fetch_web(
    paths: &super::Paths,
    args: &IngestArgs,
) -> anyhow::Result<Vec<(String, Vec<corpus::Document>, usize)>> {
    if args.urls.is_empty() && args.sitemap.is_empty() {
        return Ok(Vec::new());
    }
    let seconds = |value: f64, flag: &str| {
        if value.is_finite() && value >= 0.0 {
            Ok(std::time::Duration::from_secs_f64(value))
        } else {
            Err(anyhow::anyhow!(
                "{flag} must be a number of seconds, not {value}"
            ))
        }
    };
    let mut options = corpus::FetchOptions::new(paths.data_dir.join(WEB_CACHE_DIR));
    options.delay = seconds(args.fetch.fetch_delay, "--fetch-delay")?;
    options.timeout = seconds(args.fetch.fetch_timeout, "--fetch-timeout")?;
    if options.timeout.is_zero() {
        bail!("--fetch-timeout must be more than 0 seconds");
    }
    options.max_bytes = args.fetch.max_page_bytes;
    let mut fetcher = corpus::Fetcher::new(options);
    // Each source's addresses, under its origin, and problems met before fetching.
    let mut sources: Vec<(String, Vec<String>, usize)> = Vec::new();
    for list in &args.urls {
        let urls = corpus::read_url_list(list)?;
        let origin = std::fs::canonicalize(list)
            .unwrap_or_else(|_| list.clone())
            .display()
            .to_string();
        sources.push((origin, urls, 0));
    }
    for sitemap in &args.sitemap {
        match fetcher.sitemap_urls(sitemap) {
            Ok(urls) => {
                eprintln!("ingest: {sitemap} lists {} page(s)", urls.len());
                sources.push((sitemap.clone(), urls, 0));
            }
            Err(error) => {
                eprintln!("warning: skipped {error}");
                sources.push((sitemap.clone(), Vec::new(), 1));
            }
        }
    }
    let mut batches = Vec::new();
    for (origin, urls, earlier_problems) in sources {
        eprintln!("ingest: fetching {} page(s) of {origin}", urls.len());
        let report = fetcher.fetch_pages(&urls);
        for note in &report.notes {
            eprintln!("note: {note}");
        }
        for problem in &report.load.problems {
            eprintln!("warning: skipped {problem}");
        }
        let stats = &report.stats;
        eprintln!(
            "ingest: {origin}: {} fetched, {} unchanged since the last fetch, {} not allowed by robots.txt, {} gone, {} failed",
            stats.fetched, stats.not_modified, stats.disallowed, stats.gone, stats.failed
        );
        let problems = earlier_problems + report.load.problems.len();
        batches.push((origin, report.load.documents, problems));
    }
    Ok(batches)
}
