//! What the open web reads besides the pages: the sitemap and robots.txt for search engines,
//! the Atom feed for feed readers, and each article's canonical link, description, social
//! card tags and JSON-LD. Every absolute URL starts with the site's base URL (`--base-url`),
//! so that they are right behind a proxy.

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use explain::Article;
use serde::Serialize;
use serde_json::json;

use crate::store::ArticleSummary;

/// The protocol's limit of URLs in one sitemap file (sitemaps.org).
pub const SITEMAP_MAX_URLS: usize = 50_000;
/// Entries in the Atom feed: the most recently published or updated articles.
pub const FEED_ENTRIES: usize = 50;
/// The name the site gives itself in feeds, cards and structured data.
pub const SITE_NAME: &str = "because";
/// Longest meta description, in characters (what search result snippets show).
const DESCRIPTION_CHARS: usize = 160;

/// A base URL as the site writes it: scheme, host and optional path, never a trailing slash.
/// `None` unless it is an absolute http(s) URL without query, fragment or characters that
/// would need escaping.
pub fn normalize_base_url(raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or("");
    let plain = |c: char| c.is_ascii_alphanumeric() || "-._~/:[]%".contains(c);
    (!host.is_empty() && rest.chars().all(plain)).then(|| trimmed.to_owned())
}

/// An origin as browsers send it (`https://example.org`, a port allowed, no path): a base URL
/// without a path.
pub fn normalize_origin(raw: &str) -> Option<String> {
    normalize_base_url(raw).filter(|origin| origin.matches('/').count() == 2)
}

/// The absolute URL of an article page.
pub fn article_url(base: &str, slug: &str) -> String {
    format!("{base}/a/{slug}")
}

/// When an article last changed: its current version's date.
pub fn last_modified(summary: &ArticleSummary) -> &str {
    summary.updated_at.as_deref().unwrap_or(&summary.posted_at)
}

fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

/// The sitemap files: one `urlset` when the articles fit in one file (`[sitemap.xml]`), else a
/// sitemap index first (`sitemap.xml`) and then the files it lists (`sitemaps/1.xml`, …), as
/// the protocol requires past 50,000 URLs. Each entry is `(path, body)`.
pub fn sitemaps(base: &str, articles: &[ArticleSummary]) -> Vec<(String, String)> {
    sitemaps_with_limit(base, articles, SITEMAP_MAX_URLS)
}

fn sitemaps_with_limit(
    base: &str,
    articles: &[ArticleSummary],
    limit: usize,
) -> Vec<(String, String)> {
    // The home page counts as one URL of the first file.
    let mut urls: Vec<(String, Option<&str>)> = vec![(format!("{base}/"), None)];
    urls.extend(
        articles
            .iter()
            .map(|a| (article_url(base, &a.slug), Some(last_modified(a)))),
    );
    let urlset = |chunk: &[(String, Option<&str>)]| {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (loc, modified) in chunk {
            xml.push_str("<url><loc>");
            xml.push_str(&escape(loc));
            xml.push_str("</loc>");
            if let Some(modified) = modified {
                xml.push_str("<lastmod>");
                xml.push_str(&escape(modified));
                xml.push_str("</lastmod>");
            }
            xml.push_str("</url>\n");
        }
        xml.push_str("</urlset>\n");
        xml
    };
    if urls.len() <= limit {
        return vec![("sitemap.xml".to_owned(), urlset(&urls))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, chunk) in urls.chunks(limit).enumerate() {
        let path = format!("sitemaps/{}.xml", n + 1);
        index.push_str("<sitemap><loc>");
        index.push_str(&escape(&format!("{base}/{path}")));
        index.push_str("</loc>");
        if let Some(newest) = chunk.iter().filter_map(|(_, m)| *m).max() {
            index.push_str("<lastmod>");
            index.push_str(&escape(newest));
            index.push_str("</lastmod>");
        }
        index.push_str("</sitemap>\n");
        files.push((path, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".to_owned(), index));
    files
}

/// robots.txt: everything public may be crawled except the dashboard, the API and the
/// question form (each visit to `/ask` may compose a new article), and the sitemap is named.
pub fn robots(base: &str) -> String {
    format!(
        "User-agent: *\nDisallow: /admin\nDisallow: /api/\nDisallow: /ask\n\nSitemap: {base}/sitemap.xml\n"
    )
}

/// The text of an article's overview, without citation marks, cut at a word to fit a meta
/// description.
pub fn description(article: &Article) -> String {
    let text = article
        .overview
        .iter()
        .map(|s| s.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let text = if text.is_empty() {
        format!("Cited answers from the sources to: {}", article.question)
    } else {
        text
    };
    if text.chars().count() <= DESCRIPTION_CHARS {
        return text;
    }
    let cut: String = text.chars().take(DESCRIPTION_CHARS - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > DESCRIPTION_CHARS / 2 => &cut[..at],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// What the head of an article page carries for search engines and link previews.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub canonical: String,
    pub description: String,
    pub site_name: &'static str,
    pub published: String,
    pub modified: String,
    /// The JSON-LD, escaped so that it can stand inside a `<script>` element as it is.
    pub json_ld: String,
    /// Awaiting review: not for search engines (`noindex`) and said so on the page.
    pub unlisted: bool,
}

/// The head tags' values of `article` published at `base`.
pub fn page_meta(base: &str, article: &Article) -> PageMeta {
    let canonical = article_url(base, &article.slug);
    let description = description(article);
    let modified = article
        .updated_at
        .clone()
        .unwrap_or_else(|| article.posted_at.clone());
    PageMeta {
        json_ld: script_safe(&json_ld(&canonical, &description, article, &modified)),
        canonical,
        description,
        site_name: SITE_NAME,
        published: article.posted_at.clone(),
        modified,
        unlisted: false,
    }
}

/// A schema.org `Article`: headline, dates, description, the site as author and publisher,
/// and one `citation` per numbered source.
fn json_ld(
    canonical: &str,
    description: &str,
    article: &Article,
    modified: &str,
) -> serde_json::Value {
    let citations: Vec<serde_json::Value> = article
        .sources
        .iter()
        .map(|source| {
            let mut citation = json!({ "@type": "CreativeWork", "name": source.title });
            if let Some(url) = &source.url {
                citation["url"] = json!(url);
            }
            if let Some(license) = &source.license {
                citation["license"] = json!(license);
            }
            citation
        })
        .collect();
    // Search engines show at most 110 characters of a headline.
    let headline: String = article.question.chars().take(110).collect();
    json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": headline,
        "description": description,
        "datePublished": article.posted_at,
        "dateModified": modified,
        "url": canonical,
        "mainEntityOfPage": { "@type": "WebPage", "@id": canonical },
        "author": { "@type": "Organization", "name": SITE_NAME },
        "publisher": { "@type": "Organization", "name": SITE_NAME },
        "citation": citations,
    })
}

/// JSON that cannot end its `<script>` element or open a comment: `<`, `>` and `&` as
/// `\u` escapes, which every JSON parser reads back as the same characters.
fn script_safe(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The Atom feed (RFC 4287) of the newest and most recently updated articles, newest change
/// first, each with its overview as summary.
pub fn atom_feed(base: &str, articles: &[(ArticleSummary, Article)]) -> String {
    let parse = |at: &str| {
        FixedDateTime::parse_from_rfc3339(at)
            .unwrap_or_else(|_| FixedDateTime::parse_from_rfc3339("1970-01-01T00:00:00Z").unwrap())
    };
    let entries: Vec<Entry> = articles
        .iter()
        .map(|(summary, article)| {
            let url = article_url(base, &summary.slug);
            Entry {
                id: url.clone(),
                title: Text::plain(summary.question.clone()),
                updated: parse(last_modified(summary)),
                published: Some(parse(&summary.posted_at)),
                links: vec![Link {
                    href: url,
                    rel: "alternate".to_owned(),
                    mime_type: Some("text/html".to_owned()),
                    ..Link::default()
                }],
                summary: Some(Text::plain(description(article))),
                ..Entry::default()
            }
        })
        .collect();
    let updated = articles
        .iter()
        .map(|(summary, _)| last_modified(summary))
        .max()
        .map_or_else(|| parse("1970-01-01T00:00:00Z"), parse);
    let feed = Feed {
        id: format!("{base}/feed.xml"),
        title: Text::plain(format!("{SITE_NAME}: new and updated articles")),
        updated,
        authors: vec![Person {
            name: SITE_NAME.to_owned(),
            ..Person::default()
        }],
        links: vec![
            Link {
                href: format!("{base}/feed.xml"),
                rel: "self".to_owned(),
                mime_type: Some("application/atom+xml".to_owned()),
                ..Link::default()
            },
            Link {
                href: format!("{base}/"),
                rel: "alternate".to_owned(),
                mime_type: Some("text/html".to_owned()),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    feed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(slug: &str, posted: &str, updated: Option<&str>) -> ArticleSummary {
        ArticleSummary {
            slug: slug.to_owned(),
            question: format!("Why {slug}?"),
            posted_at: posted.to_owned(),
            updated_at: updated.map(str::to_owned),
            version: 1,
            coverage: "strong".to_owned(),
            feedback: Default::default(),
            score: 0.0,
            listed: true,
        }
    }

    #[test]
    fn base_urls_are_absolute_http_without_a_trailing_slash() {
        assert_eq!(
            normalize_base_url("https://example.org/explain/").as_deref(),
            Some("https://example.org/explain")
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_origin("https://static.example.org/").as_deref(),
            Some("https://static.example.org")
        );
        assert_eq!(normalize_origin("https://example.org/explain"), None);
        for bad in [
            "example.org",
            "ftp://example.org",
            "https://",
            "https://a.org/?q=1",
            "https://a.org/\"><script>",
            "javascript:alert(1)",
        ] {
            assert_eq!(normalize_base_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn past_the_limit_the_sitemap_becomes_an_index() {
        let articles: Vec<ArticleSummary> = (0..5)
            .map(|n| summary(&format!("a-{n}"), "2026-12-01T00:00:00Z", None))
            .collect();
        let one = sitemaps_with_limit("https://x.org", &articles, 6);
        assert_eq!(one.len(), 1);
        assert!(one[0].1.contains("<urlset"));
        let split = sitemaps_with_limit("https://x.org", &articles, 2);
        // Home + 5 articles in files of 2: an index and three files.
        assert_eq!(split.len(), 4);
        assert_eq!(split[0].0, "sitemap.xml");
        assert!(split[0].1.contains("<sitemapindex"));
        assert!(
            split[0]
                .1
                .contains("<loc>https://x.org/sitemaps/3.xml</loc>")
        );
        assert_eq!(split[3].0, "sitemaps/3.xml");
        for (_, body) in &split[1..] {
            assert!(body.matches("<url>").count() <= 2);
        }
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let value = json!({ "headline": "</script><script>alert(1)</script> & <!--" });
        let safe = script_safe(&value);
        assert!(!safe.contains('<') && !safe.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn the_last_modified_date_is_the_current_versions() {
        let first = summary("x", "2026-12-01T00:00:00Z", None);
        let regenerated = summary("y", "2026-12-01T00:00:00Z", Some("2026-12-03T10:00:00Z"));
        assert_eq!(last_modified(&first), "2026-12-01T00:00:00Z");
        assert_eq!(last_modified(&regenerated), "2026-12-03T10:00:00Z");
    }
}
