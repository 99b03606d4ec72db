use anyhow::{Context, bail};

use crate::cli::RegenerateArgs;

pub fn run(paths: &super::Paths, args: RegenerateArgs) -> anyhow::Result<()> {
    let llm = args.writer.llm_config()?.map(writer::Writer::new);
    let engine = super::open_engine(paths)?;
    let store = super::open_store(paths)?;
    let slugs = if args.flagged {
        let config = site::SiteConfig {
            flag_min_votes: args.flags.flag_min_votes,
            flag_upper_bound: args.flags.flag_below,
            ..site::SiteConfig::default()
        };
        let flagged = site::flagged(&store, &config).context("listing flagged articles")?;
        if flagged.is_empty() {
            println!("no article is flagged");
        }
        flagged
    } else {
        args.slugs
    };
    let mut missing = Vec::new();
    let mut failed = Vec::new();
    for slug in &slugs {
        if let Some(llm) = &llm {
            // The same work as the site's LLM jobs, here and now.
            if store.find_by_slug(slug)?.is_none() {
                missing.push(slug.as_str());
                continue;
            }
            match site::jobs::regenerate_with(
                &engine,
                &store,
                Some(llm),
                slug,
                site::jobs::WriterKind::Llm,
            ) {
                Ok((version, detail)) => println!("{slug}: version {version} ({detail})"),
                Err(reason) => {
                    eprintln!("{slug}: {reason}");
                    failed.push(slug.as_str());
                }
            }
            continue;
        }
        match site::regenerate(&engine, &store, slug)
            .map_err(|error| anyhow::anyhow!(error.detail()))
            .with_context(|| format!("regenerating {slug}"))?
        {
            Some(stored) => println!(
                "{slug}: version {} ({} sections, coverage {})",
                stored.article.version,
                stored.article.factors.len(),
                stored.article.coverage.level.as_str()
            ),
            None => missing.push(slug.as_str()),
        }
    }
    if !failed.is_empty() {
        bail!(
            "the LLM writer published nothing for: {}",
            failed.join(", ")
        );
    }
    if !missing.is_empty() {
        bail!("no published article at: {}", missing.join(", "));
    }
    Ok(())
}
