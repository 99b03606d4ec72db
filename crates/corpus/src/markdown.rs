//! Markdown read as the prose it renders to, so that no `**`, `[text](url)` or `#` reaches a
//! quotation; and its front matter (`---` YAML-style `key: value` lines or `+++` TOML), whose
//! `title` and `url` describe the document.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A Markdown file as a document: its title and URL when it gives them, and its prose.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The front matter's `title`, else the first level-1 heading.
    pub title: Option<String>,
    /// The front matter's `url` (or `canonical_url`, `permalink` when absolute).
    pub url: Option<String>,
    /// Paragraphs and list items separated by blank lines; headings, code blocks, HTML and
    /// images left out; links and emphasis kept as their text.
    pub text: String,
    /// The front matter's `date` (or `published`, `pubDate`, `created`), as `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The front matter's `lang` (or `language`), as a lowercase BCP 47 tag.
    pub language: Option<String>,
    /// For a web page: its prose by heading (the text before the first heading, then one
    /// per heading), each with the anchor its heading can be linked by; empty otherwise.
    pub sections: Vec<PageSection>,
}

/// The prose under one heading of a page (or before the first, `heading` `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageSection {
    pub heading: Option<String>,
    /// The fragment that leads to the heading (`id` of the heading, of an anchor in it, or of
    /// the element it opens), if it has one.
    pub anchor: Option<String>,
    pub text: String,
}

/// Renders `source` to prose, reading its front matter first.
pub fn read_markdown(source: &str) -> Rendered {
    let (fields, body) = front_matter(source);
    let field = |names: &[&str]| {
        names.iter().find_map(|name| {
            fields
                .iter()
                .find(|(key, value)| key.eq_ignore_ascii_case(name) && !value.is_empty())
                .map(|(_, value)| value.clone())
        })
    };
    let url = field(&["url", "canonical_url", "permalink"])
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"));
    let (heading, text) = prose(body);
    Rendered {
        title: field(&["title"]).or(heading),
        url,
        text,
        date: field(&["date", "published", "pubDate", "created"])
            .and_then(|d| crate::normalize_date(&d)),
        language: field(&["lang", "language"]).and_then(|l| crate::normalize_language(&l)),
        sections: Vec::new(),
    }
}

/// The front matter's scalar fields and the body after it.
fn front_matter(source: &str) -> (Vec<(String, String)>, &str) {
    let start = source.trim_start_matches(['\u{feff}', '\n', '\r']);
    for fence in ["---", "+++"] {
        let Some(rest) = start
            .strip_prefix(fence)
            .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
        else {
            continue;
        };
        let Some(end) = rest
            .match_indices(fence)
            .map(|(at, _)| at)
            .find(|&at| at == 0 || rest[..at].ends_with('\n'))
        else {
            continue;
        };
        let block = &rest[..end];
        let body = rest[end + fence.len()..].trim_start_matches(['\r', '\n']);
        let fields = if fence == "+++" {
            toml_fields(block)
        } else {
            yaml_fields(block)
        };
        return (fields, body);
    }
    (Vec::new(), source)
}

/// `key: value` lines at the top level of a YAML block (nested and list values left out).
fn yaml_fields(block: &str) -> Vec<(String, String)> {
    block
        .lines()
        .filter(|line| !line.starts_with([' ', '\t', '-', '#']))
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| {
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            (key.trim().to_owned(), unquoted.trim().to_owned())
        })
        .collect()
}

/// The string values at the top level of a TOML block.
fn toml_fields(block: &str) -> Vec<(String, String)> {
    let Ok(table) = block.parse::<toml::Table>() else {
        return Vec::new();
    };
    table
        .into_iter()
        .filter_map(|(key, value)| value.as_str().map(|v| (key, v.to_owned())))
        .collect()
}

/// The prose of a Markdown body, and its first level-1 heading.
fn prose(body: &str) -> (Option<String>, String) {
    let mut text = String::new();
    let mut title: Option<String> = None;
    let mut heading: Option<(bool, String)> = None;
    // Inside a code block, an image or an HTML block nothing is prose.
    let mut hidden = 0usize;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level == pulldown_cmark::HeadingLevel::H1, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((true, words)) = heading.take()
                    && title.is_none()
                    && !words.trim().is_empty()
                {
                    title = Some(words.trim().to_owned());
                }
            }
            Event::Start(Tag::CodeBlock(_) | Tag::Image { .. } | Tag::HtmlBlock) => hidden += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Image | TagEnd::HtmlBlock) => {
                hidden = hidden.saturating_sub(1);
            }
            Event::Text(words) | Event::Code(words) if hidden == 0 => match heading.as_mut() {
                Some((_, heading)) => heading.push_str(&words),
                None => text.push_str(&words),
            },
            Event::SoftBreak if heading.is_none() && hidden == 0 => text.push(' '),
            Event::HardBreak if heading.is_none() && hidden == 0 => text.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::TableHead
                | TagEnd::TableRow,
            ) if hidden == 0 => end_block(&mut text),
            Event::End(TagEnd::TableCell) if hidden == 0 => text.push(' '),
            _ => {}
        }
    }
    (title, text.trim().to_owned())
}

/// Ends a block with one blank line (never more).
fn end_block(text: &mut String) {
    let trimmed = text.trim_end_matches([' ', '\n']).len();
    text.truncate(trimmed);
    if !text.is_empty() {
        text.push_str("\n\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_date_and_language() {
        let page = read_markdown(
            "---\ntitle: Tides\ndate: 2024-03-01T10:00:00Z\nlang: de-CH\n---\n\nTides are caused by the Moon.\n",
        );
        assert_eq!(page.title.as_deref(), Some("Tides"));
        assert_eq!(page.date.as_deref(), Some("2024-03-01"));
        assert_eq!(page.language.as_deref(), Some("de-ch"));
        let toml =
            read_markdown("+++\npublished = \"2023-12-31\"\nlanguage = \"fr\"\n+++\n\nText.\n");
        assert_eq!(toml.date.as_deref(), Some("2023-12-31"));
        assert_eq!(toml.language.as_deref(), Some("fr"));
        let bad = read_markdown("---\ndate: someday\nlang: <b>\n---\n\nText.\n");
        assert_eq!((bad.date, bad.language), (None, None));
    }

    #[test]
    fn markdown_syntax_never_reaches_the_prose() {
        let rendered = read_markdown(
            "# Coral bleaching\n\nCoral **bleaching** is caused by [rising water temperatures](https://example.org/t) \
             and `pollution`.\n\n## Causes\n\n- Marine heatwaves\n- Overexposure to *sunlight*\n\n\
             ```\nlet x = 1;\n```\n\n![a reef](reef.png)\n\n<div>raw html</div>\n\n| a | b |\n|---|---|\n| one | two |\n",
        );
        assert_eq!(rendered.title.as_deref(), Some("Coral bleaching"));
        assert_eq!(
            rendered.text,
            "Coral bleaching is caused by rising water temperatures and pollution.\n\n\
             Marine heatwaves\n\nOverexposure to sunlight\n\na b\n\none two"
        );
    }

    #[test]
    fn front_matter_gives_title_and_url() {
        let yaml = read_markdown(
            "---\ntitle: \"Why reefs bleach\"\nurl: https://example.org/reefs\ntags:\n  - coral\n---\n# Another heading\n\nText.\n",
        );
        assert_eq!(yaml.title.as_deref(), Some("Why reefs bleach"));
        assert_eq!(yaml.url.as_deref(), Some("https://example.org/reefs"));
        assert_eq!(yaml.text, "Text.");
        let toml =
            read_markdown("+++\ntitle = \"Floods\"\nurl = \"https://example.org/f\"\n+++\nRain.\n");
        assert_eq!(toml.title.as_deref(), Some("Floods"));
        assert_eq!(toml.url.as_deref(), Some("https://example.org/f"));
        assert_eq!(toml.text, "Rain.");
        // A relative URL is no address of the document; a thematic break is no front matter.
        let relative = read_markdown("---\nurl: /reefs\n---\nText.\n");
        assert_eq!(relative.url, None);
        let ruled = read_markdown("Text above.\n\n---\n\nText below.\n");
        assert_eq!(ruled.text, "Text above.\n\nText below.");
    }
}
