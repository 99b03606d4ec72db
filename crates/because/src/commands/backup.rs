use anyhow::{Context, bail};

use crate::cli::BackupArgs;

/// The site database is what cannot be rebuilt (articles, their versions, every vote); the
/// index is rebuilt from its sources by `ingest`.
pub fn run(paths: &super::Paths, args: BackupArgs) -> anyhow::Result<()> {
    if paths.database_url.is_some() {
        bail!(site::StoreError::BackupUnsupported);
    }
    let database = super::site_db(&paths.data_dir);
    if !database.is_file() {
        bail!(
            "nothing to back up: no site database at {} (nothing was published yet)",
            database.display()
        );
    }
    let store = super::open_store(paths)?;
    store
        .backup_to(&args.file)
        .with_context(|| format!("backing up {}", database.display()))?;
    let copy = site::Store::open(&args.file)
        .with_context(|| format!("reading the backup {} back", args.file.display()))?;
    let (helpful, not_helpful) = copy.counted_votes()?;
    println!(
        "backed up {} and {} to {}",
        super::count(copy.article_count()?, "article"),
        super::count(helpful + not_helpful, "vote"),
        args.file.display()
    );
    Ok(())
}
