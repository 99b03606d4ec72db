//! `because export DIR`: the public site as static files that any web server can host — the
//! home page, every article (`a/<slug>/index.html`, so that `/a/<slug>` resolves as a
//! directory), a page listing every article where search would be, `search.json` for
//! client-side search, the sitemap, the feed, robots.txt and the stylesheet. Pages carry no
//! script; the feedback widget posts to the live site's origin when one is given, and says
//! feedback is collected on the live site otherwise.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::SiteConfig;
use crate::publish;
use crate::render::{ExportView, STYLE_CSS, templates};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("rendering {page}: {source}")]
    Render {
        page: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("writing {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} exists and is not an empty folder or an earlier export (no index.html and sitemap.xml in it)", .0.display())]
    NotAnExport(PathBuf),
    #[error("--api-origin {0:?} is not an absolute http(s) origin such as https://example.org")]
    BadOrigin(String),
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    pub articles: usize,
    pub files: usize,
    pub bytes: u64,
}

/// One entry of `search.json`: what a client-side search needs to find and link an article.
#[derive(Serialize)]
struct SearchEntry<'a> {
    url: String,
    question: &'a str,
    headings: Vec<&'a str>,
    updated: &'a str,
}

/// Writes the public site into `dir` (created if needed; an earlier export there is replaced
/// file by file, anything else refused). Absolute URLs start with `config.base_url`.
pub fn export(
    store: &Store,
    config: &SiteConfig,
    dir: &Path,
    api_origin: Option<&str>,
) -> Result<ExportReport, ExportError> {
    let api_origin = match api_origin {
        Some(raw) => Some(
            publish::normalize_origin(raw).ok_or_else(|| ExportError::BadOrigin(raw.to_owned()))?,
        ),
        None => None,
    };
    check_target(dir)?;
    let view = ExportView { api_origin };
    let base = &config.base_url;
    let mut writer = Writer {
        dir,
        report: ExportReport::default(),
    };
    let render_error = |page: &str| {
        let page = page.to_owned();
        move |source| ExportError::Render { page, source }
    };

    let articles = store.listed_articles()?;
    let recent: Vec<_> = articles.iter().take(10).cloned().collect();
    let helpful = store.most_helpful(10)?;
    let home = templates()
        .export_home(&recent, &helpful, &view)
        .map_err(render_error("home"))?;
    writer.write("index.html", home.as_bytes())?;

    let mut search = Vec::with_capacity(articles.len());
    for summary in &articles {
        let Some(stored) = store.find_by_slug(&summary.slug)? else {
            continue;
        };
        let article = &stored.article;
        let meta = publish::page_meta(base, article);
        let page = templates()
            .export_article(article, &meta, &view)
            .map_err(render_error(&summary.slug))?;
        writer.write(&format!("a/{}/index.html", summary.slug), page.as_bytes())?;
        writer.report.articles += 1;
        search.push((summary, stored.article));
    }
    let entries: Vec<SearchEntry> = search
        .iter()
        .map(|(summary, article)| SearchEntry {
            url: format!("/a/{}", summary.slug),
            question: &summary.question,
            headings: article.factors.iter().map(|f| f.heading.as_str()).collect(),
            updated: publish::last_modified(summary),
        })
        .collect();
    let search_json = serde_json::to_vec(&entries).expect("search entries serialize");
    writer.write("search.json", &search_json)?;
    let search_page = templates()
        .export_search(&articles, &view)
        .map_err(render_error("search"))?;
    writer.write("search/index.html", search_page.as_bytes())?;

    for (path, body) in publish::sitemaps(base, &articles) {
        writer.write(&path, body.as_bytes())?;
    }
    let feed = store.feed_articles(publish::FEED_ENTRIES)?;
    writer.write("feed.xml", publish::atom_feed(base, &feed).as_bytes())?;
    writer.write("robots.txt", publish::robots(base).as_bytes())?;
    writer.write("static/style.css", STYLE_CSS.as_bytes())?;
    Ok(writer.report)
}

/// An export goes into an empty or missing folder, or over an earlier export; never over
/// anything else a user keeps there.
fn check_target(dir: &Path) -> Result<(), ExportError> {
    let Ok(mut entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let earlier_export = dir.join("index.html").is_file() && dir.join("sitemap.xml").is_file();
    if entries.next().is_none() || earlier_export {
        Ok(())
    } else {
        Err(ExportError::NotAnExport(dir.to_owned()))
    }
}

struct Writer<'a> {
    dir: &'a Path,
    report: ExportReport,
}

impl Writer<'_> {
    /// Writes a file through a temporary name and a rename, so that a server reading the
    /// folder never sees half a page.
    fn write(&mut self, relative: &str, bytes: &[u8]) -> Result<(), ExportError> {
        let path = self.dir.join(relative);
        let error = |source| ExportError::Write {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(error)?;
        }
        let temporary = path.with_extension("partial");
        fs::write(&temporary, bytes).map_err(error)?;
        fs::rename(&temporary, &path).map_err(error)?;
        self.report.files += 1;
        self.report.bytes += bytes.len() as u64;
        Ok(())
    }
}
