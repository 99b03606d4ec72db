//! HTML read as the article it holds: the main content only (navigation, headers, footers,
//! sidebars, scripts and forms dropped) by dom_smoothie, a port of the readability algorithm
//! of Firefox's Reader View; the title from `og:title` or `<title>`; the canonical URL from
//! `<link rel="canonical">` when it is absolute. Headings are left out of the prose (they are
//! no sentences); paragraphs and list items are separated by blank lines.

use scraper::{Html, Selector};

use crate::markdown::{PageSection, Rendered};

/// Pages with less main text than this (in characters) are read whole instead: a short page
/// (a manual's index, a note) is all content, and readability would find nothing to keep.
const MIN_READABLE_CHARS: usize = 200;

/// Reads `source` as a web page.
pub fn read_html(source: &str) -> Rendered {
    let page = Html::parse_document(source);
    let title = meta_content(&page, "meta[property='og:title']")
        .or_else(|| element_text(&page, "head title"))
        .or_else(|| element_text(&page, "h1"));
    let url = attribute(&page, "link[rel~='canonical']", "href")
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"));
    let text = readable_text(source).unwrap_or_else(|| whole_text(&page));
    let headings = heading_texts(&page);
    // Paragraphs that are only a heading are left out of the prose, and open a section.
    let mut sections = vec![PageSection::default()];
    let mut used = vec![false; headings.len()];
    for paragraph in tidy(&text).split("\n\n") {
        let heading = headings
            .iter()
            .enumerate()
            .find(|(i, (heading, _))| !used[*i] && heading == paragraph)
            .or_else(|| {
                headings
                    .iter()
                    .enumerate()
                    .find(|(_, (h, _))| h == paragraph)
            });
        match heading {
            Some((i, (heading, anchor))) => {
                used[i] = true;
                sections.push(PageSection {
                    heading: Some(heading.clone()),
                    anchor: anchor.clone(),
                    text: String::new(),
                });
            }
            None => {
                let section = sections
                    .last_mut()
                    .expect("the first section is always there");
                if !section.text.is_empty() {
                    section.text.push_str("\n\n");
                }
                section.text.push_str(paragraph);
            }
        }
    }
    sections.retain(|section| !section.text.trim().is_empty());
    let text = sections
        .iter()
        .map(|section| section.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let date = [
        "meta[property='article:published_time']",
        "meta[name='date']",
        "meta[name='DC.date']",
        "meta[name='dc.date']",
        "meta[name='DC.date.issued']",
        "meta[itemprop='datePublished']",
        "meta[property='article:modified_time']",
    ]
    .iter()
    .find_map(|selector| meta_content(&page, selector).and_then(|d| crate::normalize_date(&d)));
    let language = attribute(&page, "html", "lang")
        .or_else(|| meta_content(&page, "meta[http-equiv='content-language']"))
        .and_then(|l| crate::normalize_language(&l));
    Rendered {
        title,
        url,
        text,
        date,
        language,
        sections,
    }
}

/// The text of every heading (`h1`–`h6`), spaces collapsed, in page order, with the anchor
/// that leads to it: the heading's own `id`, that of an anchor inside it (`<a id>` or
/// `<a name>`), or that of the element the heading opens (`<div id="Arrays"><h4>…`, as
/// Texinfo writes its manuals).
fn heading_texts(page: &Html) -> Vec<(String, Option<String>)> {
    let selector = Selector::parse("h1, h2, h3, h4, h5, h6").expect("valid selector");
    let inner = Selector::parse("[id], a[name]").expect("valid selector");
    page.select(&selector)
        .filter_map(|e| {
            let text = e.text().collect::<Vec<_>>().join("");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                return None;
            }
            let opens_parent = || {
                let parent = scraper::ElementRef::wrap(e.parent()?)?;
                let first = parent.children().find_map(scraper::ElementRef::wrap)?;
                (first.id() == e.id() && first == e)
                    .then(|| parent.value().id())
                    .flatten()
                    .filter(|_| !matches!(parent.value().name(), "body" | "html"))
            };
            let anchor = e
                .value()
                .id()
                .or_else(|| {
                    e.select(&inner)
                        .next()
                        .and_then(|a| a.value().id().or_else(|| a.value().attr("name")))
                })
                .or_else(opens_parent)
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
            Some((text, anchor))
        })
        .collect()
}

/// The main content's text by readability, when it finds enough.
fn readable_text(source: &str) -> Option<String> {
    let config = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        char_threshold: MIN_READABLE_CHARS,
        ..Default::default()
    };
    let mut readability = dom_smoothie::Readability::new(source, None, Some(config)).ok()?;
    let article = readability.parse().ok()?;
    let text = article.text_content.to_string();
    (text.trim().chars().count() >= MIN_READABLE_CHARS).then_some(text)
}

/// Every paragraph-like element of the body outside navigation, headers, footers, forms and
/// scripts, one per paragraph.
fn whole_text(page: &Html) -> String {
    let blocks = Selector::parse("p, li, dd, dt, td, th, blockquote, pre").expect("valid selector");
    let mut paragraphs = Vec::new();
    for element in page.select(&blocks) {
        let inside_chrome = element.ancestors().any(|node| {
            node.value().as_element().is_some_and(|e| {
                matches!(
                    e.name(),
                    "nav"
                        | "header"
                        | "footer"
                        | "form"
                        | "script"
                        | "style"
                        | "noscript"
                        | "aside"
                ) || e
                    .attr("role")
                    .is_some_and(|r| matches!(r, "navigation" | "banner" | "contentinfo"))
                    || e.classes().chain(e.id()).any(is_chrome_name)
            })
        });
        // A block inside another block is read with it.
        let nested = element.ancestors().any(|node| {
            node.value().as_element().is_some_and(|e| {
                matches!(
                    e.name(),
                    "p" | "li" | "dd" | "td" | "th" | "blockquote" | "pre"
                )
            })
        });
        if inside_chrome || nested {
            continue;
        }
        let text: String = element.text().collect::<Vec<_>>().join("");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            paragraphs.push(text);
        }
    }
    paragraphs.join("\n\n")
}

/// A class or id that marks page chrome rather than content ("header", "nav-panel",
/// "cookie-banner", "site-footer" …).
fn is_chrome_name(name: &str) -> bool {
    const CHROME: &[&str] = &[
        "header",
        "footer",
        "nav",
        "menu",
        "breadcrumb",
        "cookie",
        "banner",
        "sidebar",
        "skip",
    ];
    let name = name.to_ascii_lowercase();
    CHROME.iter().any(|c| name.contains(c))
}

/// Lines trimmed, runs of spaces collapsed, paragraphs separated by one blank line.
fn tidy(text: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    paragraphs.join("\n\n")
}

fn meta_content(page: &Html, selector: &str) -> Option<String> {
    attribute(page, selector, "content")
}

fn attribute(page: &Html, selector: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(selector).expect("valid selector");
    page.select(&selector)
        .find_map(|e| e.value().attr(name))
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|v| !v.is_empty())
}

fn element_text(page: &Html, selector: &str) -> Option<String> {
    let selector = Selector::parse(selector).expect("valid selector");
    page.select(&selector)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_gives_its_date_and_language() {
        let page = read_html(
            r#"<!doctype html><html lang="en-GB"><head><title>Rain</title>
            <meta property="article:published_time" content="2025-11-02T08:00:00+00:00"></head>
            <body><p>Rain falls when droplets grow heavy.</p></body></html>"#,
        );
        assert_eq!(page.date.as_deref(), Some("2025-11-02"));
        assert_eq!(page.language.as_deref(), Some("en-gb"));
        let plain = read_html("<html><body><p>No metadata.</p></body></html>");
        assert_eq!((plain.date, plain.language), (None, None));
    }

    /// A manual every Debian system has (`base-passwd` is essential).
    const BASE_PASSWD: &str = "/usr/share/doc/base-passwd/users-and-groups.html";
    /// A texinfo manual page with a navigation header (`libffi-dev`, which
    /// `scripts/install-test-docs.sh` installs).
    const LIBFFI: &str = "/usr/share/doc/libffi8/html/The-Basics.html";

    fn read(path: &str) -> Option<String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(_) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{path} is missing: run scripts/install-test-docs.sh"
                );
                eprintln!("skipped: {path} is missing");
                None
            }
        }
    }

    #[test]
    fn a_debian_manual_reads_as_its_prose() {
        let Some(source) = read(BASE_PASSWD) else {
            return;
        };
        let page = read_html(&source);
        assert_eq!(
            page.title.as_deref(),
            Some("Users and Groups in the Debian System")
        );
        assert_eq!(page.url, None, "no canonical link");
        assert!(page.text.contains(
            "The Debian base-passwd package contains the master versions of /etc/passwd and /etc/group."
        ));
        // Headings are not prose; no markup or entity leaks.
        assert!(
            !page
                .text
                .split("\n\n")
                .any(|p| p == "Chapter 1. Introduction")
        );
        assert!(!page.text.contains("</"));
        assert!(!page.text.contains("&amp;") && !page.text.contains("&lt;"));
        assert!(!page.text.contains("\n\n\n"));
    }

    #[test]
    fn navigation_is_dropped_and_the_title_comes_from_the_head() {
        let Some(source) = read(LIBFFI) else { return };
        let page = read_html(&source);
        assert_eq!(
            page.title.as_deref(),
            Some("The Basics (libffi: the portable foreign function interface library)")
        );
        assert!(
            page.text
                .contains("assumes that you have a pointer to the function you wish to call"),
            "{}",
            page.text
        );
        assert!(!page.text.contains("Next: Simple Example"), "{}", page.text);
    }

    #[test]
    fn headings_with_anchors_split_a_page_into_sections() {
        let sentence = |topic: &str| {
            format!(
                "<p>This paragraph tells the reader about {topic} in some detail, with several \
                 words in it so that the page is read as an article and not as navigation.</p>\
                 <p>A second paragraph on {topic}, with commas, clauses, and enough words, so \
                 that the reader of the page, and its algorithm, keep it.</p>"
            )
        };
        let source = format!(
            "<html><head><title>Guide</title>\
             <link rel=\"canonical\" href=\"https://example.org/guide\"></head><body><article>\
             <h1>Guide</h1><div class=\"content\">{}\
             <h2 id=\"causes\">Causes</h2>{}\
             <h2><a name=\"effects\"></a>Effects</h2>{}\
             <div id=\"history\"><h2>History</h2>{}\
             <h3>Further notes</h3>{}</div></div>\
             </article></body></html>",
            sentence("the guide"),
            sentence("causes"),
            sentence("effects"),
            sentence("history"),
            sentence("notes")
        );
        let page = read_html(&source);
        let anchors: Vec<(Option<&str>, Option<&str>)> = page
            .sections
            .iter()
            .map(|s| (s.heading.as_deref(), s.anchor.as_deref()))
            .collect();
        assert_eq!(
            anchors,
            [
                (None, None),
                (Some("Causes"), Some("causes")),
                (Some("Effects"), Some("effects")),
                (Some("History"), Some("history")),
                (Some("Further notes"), None),
            ],
            "{page:?}"
        );
        let document = crate::Document {
            id: "guide.html".into(),
            title: "Guide".into(),
            text: page.text.clone(),
            url: page.url.clone(),
            license: None,
            date: None,
            language: None,
        };
        let documents = crate::load::section_documents(document, page.sections);
        let read: Vec<(&str, &str, Option<&str>)> = documents
            .iter()
            .map(|d| (d.id.as_str(), d.title.as_str(), d.url.as_deref()))
            .collect();
        assert_eq!(
            read,
            [
                ("guide.html", "Guide", Some("https://example.org/guide")),
                (
                    "guide.html#causes",
                    "Guide — Causes",
                    Some("https://example.org/guide#causes")
                ),
                (
                    "guide.html#effects",
                    "Guide — Effects",
                    Some("https://example.org/guide#effects")
                ),
                (
                    "guide.html#history",
                    "Guide — History",
                    Some("https://example.org/guide#history")
                ),
            ]
        );
        // A heading without an anchor stays in the section before it.
        assert!(
            documents[3].text.contains("about notes"),
            "{}",
            documents[3].text
        );
        assert!(documents[0].text.contains("about the guide"));
        assert!(!documents[0].text.contains("about causes"));
    }

    #[test]
    fn open_graph_title_and_canonical_link_describe_the_page() {
        let page = read_html(
            "<html lang=en><head><title>Site | Page</title>\
             <meta property=\"og:title\" content=\"The page\">\
             <link rel=\"canonical\" href=\"https://example.org/page\"></head>\
             <body><nav>Home About</nav><p>One short paragraph of text.</p><footer>(c)</footer></body></html>",
        );
        assert_eq!(page.title.as_deref(), Some("The page"));
        assert_eq!(page.url.as_deref(), Some("https://example.org/page"));
        assert_eq!(page.text, "One short paragraph of text.");
        let relative = read_html("<link rel=canonical href=/page><p>Text.</p>");
        assert_eq!(relative.url, None, "only absolute URLs are kept");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = read_html(&text);
            let _ = read_html(&format!("<html><body><p>{text}</p><div>{text}</div></body></html>"));
        }
    }
}
