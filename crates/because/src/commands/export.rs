use anyhow::Context;

use crate::cli::ExportArgs;

pub fn run(paths: &super::Paths, args: ExportArgs) -> anyhow::Result<()> {
    let Some(base_url) = site::publish::normalize_base_url(&args.base_url) else {
        anyhow::bail!(
            "--base-url {:?} is not an absolute http(s) URL without query or fragment \
             (for example https://example.org)",
            args.base_url
        );
    };
    let store = super::open_store(paths)?;
    let config = site::SiteConfig {
        base_url,
        ..site::SiteConfig::default()
    };
    let report = site::export::export(&store, &config, &args.dir, args.api_origin.as_deref())
        .with_context(|| format!("exporting the site to {}", args.dir.display()))?;
    println!(
        "exported {}: {} files, {} KB in {}",
        super::count(report.articles as u64, "article"),
        report.files,
        report.bytes.div_ceil(1024),
        args.dir.display()
    );
    Ok(())
}
