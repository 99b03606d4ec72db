//! MediaWiki XML dumps (`.xml`, or `.bz2` compressed as Wikimedia publishes them), streamed
//! with quick-xml (and bzip2, pure Rust) so that a dump is never held whole in memory: each
//! article page (namespace 0, not a redirect) becomes a document; its wiki markup is parsed
//! by parse-wiki-text-2 and kept as plain prose: templates, references, tables, images,
//! categories, headings and the sections after "See also" or "References" are dropped, links
//! read as their text. An article is read as its sections (the lead, then one per heading),
//! each with the anchor MediaWiki gives its heading, so that a citation can lead to the
//! section it quotes.

use std::io::BufRead;

use parse_wiki_text_2::{Configuration, Node};
use quick_xml::events::Event;

/// One article of a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiArticle {
    pub title: String,
    /// The lead (no heading) and the sections after it, each with prose; never empty.
    pub sections: Vec<WikiSection>,
    /// The article's address, from the dump's base URL (`…/wiki/Main_Page`).
    pub url: Option<String>,
    /// The date of the revision the dump holds (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// The wiki's language (the dump's `xml:lang`).
    pub language: Option<String>,
}

/// A stretch of an article's prose: the lead, or what one heading heads (up to the next).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiSection {
    /// The heading as it reads (`None` for the lead).
    pub heading: Option<String>,
    /// The section's anchor in the article's address, as MediaWiki makes it: the heading's
    /// text with underscores for spaces (`Causes_of_death`), `_2`, `_3` … after a heading
    /// that repeats one before it; characters that cannot stand in a URL fragment are
    /// percent-encoded. `None` for the lead.
    pub anchor: Option<String>,
    pub text: String,
}

impl WikiSection {
    /// The anchor of a heading (before any repeat is numbered).
    fn anchor_of(heading: &str) -> String {
        let mut anchor = String::with_capacity(heading.len());
        for c in heading
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("_")
            .chars()
        {
            match c {
                '"' | '<' | '>' | '`' | '#' | '%' | '{' | '}' | '|' | '\\' | '^' | '[' | ']' => {
                    let mut bytes = [0u8; 4];
                    for byte in c.encode_utf8(&mut bytes).bytes() {
                        anchor.push_str(&format!("%{byte:02X}"));
                    }
                }
                c if c.is_control() => {}
                c => anchor.push(c),
            }
        }
        anchor
    }
}

/// What reading a dump found besides its articles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DumpStats {
    pub pages: usize,
    pub redirects: usize,
    /// Pages outside the article namespace (talk, user, template, category …).
    pub other_namespaces: usize,
    /// Articles whose markup held no prose (a disambiguation list, a table).
    pub empty: usize,
}

/// Section headings after which an article holds no more prose.
const END_SECTIONS: &[&str] = &[
    "see also",
    "references",
    "notes",
    "external links",
    "further reading",
    "bibliography",
    "sources",
    "citations",
    "footnotes",
];

/// Reads the dump from `input`, calling `each` for every article with prose. Fails only when
/// the input is not well-formed XML or not a MediaWiki dump.
pub fn read_dump(
    input: impl BufRead,
    mut each: impl FnMut(WikiArticle),
) -> Result<DumpStats, String> {
    let configuration = Configuration::default();
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buffer = Vec::new();
    let mut stats = DumpStats::default();
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut base: Option<String> = None;
    let mut language: Option<String> = None;
    let mut page = PageState::default();
    let mut text = String::new();
    loop {
        let event = reader.read_event_into(&mut buffer).map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_vec();
                if path.is_empty() && name != b"mediawiki" {
                    return Err(format!(
                        "not a MediaWiki dump: the root element is <{}>",
                        String::from_utf8_lossy(&name)
                    ));
                }
                if path.is_empty() {
                    language = start
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"xml:lang")
                        .and_then(|a| {
                            crate::normalize_language(&String::from_utf8_lossy(&a.value))
                        });
                }
                if name == b"page" {
                    page = PageState::default();
                }
                text.clear();
                path.push(name);
            }
            Event::Empty(empty)
                if empty.local_name().as_ref() == b"redirect"
                    && path.last().is_some_and(|p| p == b"page") =>
            {
                page.redirect = true;
            }
            Event::Text(t) => {
                text.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::CData(t) => {
                text.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| e.to_string())?;
                    text.push_str(
                        quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""),
                    );
                }
            }
            Event::End(_) => {
                let Some(name) = path.pop() else { break };
                let parent = path.last().map(Vec::as_slice);
                match (name.as_slice(), parent) {
                    (b"base", Some(b"siteinfo")) => base = Some(text.trim().to_owned()),
                    (b"title", Some(b"page")) => page.title = text.trim().to_owned(),
                    (b"ns", Some(b"page")) => page.namespace = text.trim().parse().ok(),
                    (b"text", Some(b"revision")) => page.wikitext = std::mem::take(&mut text),
                    (b"timestamp", Some(b"revision")) => {
                        page.date = crate::normalize_date(&text);
                    }
                    (b"page", _) => {
                        stats.pages += 1;
                        let page = std::mem::take(&mut page);
                        if page.redirect
                            || page
                                .wikitext
                                .trim_start()
                                .to_ascii_uppercase()
                                .starts_with("#REDIRECT")
                        {
                            stats.redirects += 1;
                        } else if page.namespace.unwrap_or(0) != 0 || page.title.is_empty() {
                            stats.other_namespaces += 1;
                        } else {
                            let sections = wikitext_to_sections(&configuration, &page.wikitext);
                            if sections.is_empty() {
                                stats.empty += 1;
                            } else {
                                each(WikiArticle {
                                    url: base.as_deref().and_then(|b| article_url(b, &page.title)),
                                    title: page.title,
                                    sections,
                                    date: page.date,
                                    language: language.clone(),
                                });
                            }
                        }
                    }
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(stats)
}

#[derive(Debug, Default)]
struct PageState {
    title: String,
    namespace: Option<i64>,
    redirect: bool,
    wikitext: String,
    date: Option<String>,
}

/// `https://en.wikipedia.org/wiki/Main_Page` + "Black Death" → `…/wiki/Black_Death`.
fn article_url(base: &str, title: &str) -> Option<String> {
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return None;
    }
    let prefix = &base[..base.rfind('/')? + 1];
    Some(format!("{prefix}{}", title.replace(' ', "_")))
}

/// Wiki markup as plain prose: paragraphs separated by blank lines, the sections one after
/// another without their headings.
pub fn wikitext_to_prose(configuration: &Configuration, wikitext: &str) -> String {
    wikitext_to_sections(configuration, wikitext)
        .into_iter()
        .map(|section| section.text)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Wiki markup as the prose of its sections: the lead, then one per heading (of any level)
/// up to the next heading, up to "See also", "References" and the like. Sections without
/// prose are left out.
pub fn wikitext_to_sections(configuration: &Configuration, wikitext: &str) -> Vec<WikiSection> {
    // Comments go first: one after a heading on its line ("== Causes == <!-- … -->") keeps the
    // parser from seeing the heading.
    let wikitext = without_comments(wikitext);
    let Ok(output) = configuration.parse(&wikitext) else {
        return Vec::new();
    };
    let mut sections = vec![(None, String::new())];
    let mut ended = false;
    for node in &output.nodes {
        if ended {
            break;
        }
        if let Node::Heading { nodes, .. } = node {
            let mut heading = String::new();
            write_nodes(nodes, &mut heading, &mut ended);
            let heading = heading.split_whitespace().collect::<Vec<_>>().join(" ");
            if END_SECTIONS.contains(&heading.to_lowercase().as_str()) {
                break;
            }
            sections.push(((!heading.is_empty()).then_some(heading), String::new()));
            continue;
        }
        let (_, text) = sections.last_mut().expect("the lead is always there");
        write_node(node, text, &mut ended);
    }
    // Anchors are numbered over every heading, with prose or not, as MediaWiki numbers them.
    let mut seen = std::collections::HashMap::<String, usize>::new();
    sections
        .into_iter()
        .filter_map(|(heading, text)| {
            let anchor = heading.as_deref().map(|heading| {
                let anchor = WikiSection::anchor_of(heading);
                let count = seen.entry(anchor.to_lowercase()).or_default();
                *count += 1;
                match *count {
                    1 => anchor,
                    n => format!("{anchor}_{n}"),
                }
            });
            let text = tidy(&text);
            (!text.is_empty()).then_some(WikiSection {
                heading,
                anchor,
                text,
            })
        })
        .collect()
}

/// The text without `<!-- … -->` comments (an unclosed one runs to the end).
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn write_nodes(nodes: &[Node<'_>], out: &mut String, ended: &mut bool) {
    for node in nodes {
        if *ended {
            return;
        }
        write_node(node, out, ended);
    }
}

fn write_node(node: &Node<'_>, out: &mut String, ended: &mut bool) {
    match node {
        Node::Text { value, .. } => out.push_str(value),
        Node::CharacterEntity { character, .. } => out.push(*character),
        Node::Link { target, text, .. } => {
            if text.is_empty() {
                out.push_str(target.split('#').next().unwrap_or(target));
            } else {
                write_nodes(text, out, ended);
            }
        }
        Node::ExternalLink { nodes, .. } => {
            // "[https://example.org the label]": the label only.
            let mut inner = String::new();
            write_nodes(nodes, &mut inner, ended);
            if let Some((_, label)) = inner.split_once(' ') {
                out.push_str(label);
            }
        }
        Node::ParagraphBreak { .. } | Node::HorizontalDivider { .. } => out.push_str("\n\n"),
        Node::Heading { nodes, .. } => {
            let mut heading = String::new();
            write_nodes(nodes, &mut heading, ended);
            let heading = heading.trim().to_lowercase();
            if END_SECTIONS.contains(&heading.as_str()) {
                *ended = true;
            } else {
                out.push_str("\n\n");
            }
        }
        Node::Tag { name, nodes, .. } => {
            let skipped = [
                "ref",
                "references",
                "gallery",
                "math",
                "chem",
                "timeline",
                "imagemap",
                "score",
                "syntaxhighlight",
                "source",
                "templatedata",
                "graph",
                "mapframe",
                "maplink",
            ];
            if !skipped.contains(&name.to_ascii_lowercase().as_str()) {
                write_nodes(nodes, out, ended);
            }
        }
        Node::StartTag { name, .. } if name.eq_ignore_ascii_case("br") => out.push(' '),
        Node::OrderedList { items, .. } | Node::UnorderedList { items, .. } => {
            for item in items {
                out.push_str("\n\n");
                write_nodes(&item.nodes, out, ended);
            }
            out.push_str("\n\n");
        }
        Node::DefinitionList { items, .. } => {
            for item in items {
                out.push_str("\n\n");
                write_nodes(&item.nodes, out, ended);
            }
            out.push_str("\n\n");
        }
        // A measurement inside a sentence ("{{convert|60|m}}") reads as its value and unit.
        Node::Template {
            name, parameters, ..
        } => {
            let mut template = String::new();
            write_nodes(name, &mut template, ended);
            let template = template.trim().to_ascii_lowercase();
            if matches!(template.as_str(), "convert" | "cvt") {
                let positional: Vec<String> = parameters
                    .iter()
                    .filter(|p| p.name.is_none())
                    .take(2)
                    .map(|p| {
                        let mut value = String::new();
                        write_nodes(&p.value, &mut value, ended);
                        value.trim().to_owned()
                    })
                    .collect();
                if positional.len() == 2 {
                    out.push_str(&positional.join(" "));
                }
            }
        }
        // Other templates, parameters, tables, images, categories, comments, magic words,
        // preformatted code, redirects and bold or italic marks carry no prose.
        _ => {}
    }
}

/// Paragraphs with their spaces collapsed and the husks templates leave ("( )", "(; born")
/// cleaned; paragraphs of fewer than four words (list fragments, captions) left out.
fn tidy(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            let mut p = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
            for (husk, with) in [
                ("( )", ""),
                ("()", ""),
                ("(; ", "("),
                ("(, ", "("),
                (" ,", ","),
                (" .", "."),
            ] {
                while p.contains(husk) {
                    p = p.replace(husk, with);
                }
            }
            p.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .filter(|p| p.split_whitespace().count() >= 4)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_prose() {
        let configuration = Configuration::default();
        let text = wikitext_to_prose(
            &configuration,
            "{{Infobox person|name=X}}'''Ada Lovelace''' (born 1815)<ref>{{cite book|title=T}}</ref> was an \
             [[England|English]] [[mathematician]].<!-- note --> She wrote about the \
             [[Analytical Engine]] [https://example.org an essay].\n\n\
             {| class=wikitable\n|-\n| cell || cell\n|}\n\
             [[File:Ada.jpg|thumb|A portrait]]\n\
             == Life == <!-- a comment after the heading -->\nHer father was [[Lord Byron]], a poet of great fame.\n\n\
             She once walked {{convert|60|m|ft}} from the house.\n\n\
             == References ==\n{{reflist}}\nAfter the references nothing more is read.\n\
             [[Category:Mathematicians]]",
        );
        assert_eq!(
            text,
            "Ada Lovelace (born 1815) was an English mathematician. She wrote about the Analytical Engine an essay.\n\n\
             Her father was Lord Byron, a poet of great fame.\n\n\
             She once walked 60 m from the house."
        );
    }

    #[test]
    fn an_article_reads_as_its_sections_with_their_anchors() {
        let sections = wikitext_to_sections(
            &Configuration::default(),
            concat!(
                "The '''Black Death''' was a pandemic of bubonic plague in Europe.\n\n",
                "== Causes of death ==\nThe plague bacteria were spread by fleas on rats.\n\n",
                "=== Spread ===\nTrade routes carried the disease from port to port.\n\n",
                "== Notes ==\nA heading with no prose under it at all.\n\n",
                "== References ==\nNothing after the references is read.\n",
            ),
        );
        let read: Vec<(Option<&str>, Option<String>, &str)> = sections
            .iter()
            .map(|s| (s.heading.as_deref(), s.anchor.clone(), s.text.as_str()))
            .collect();
        assert_eq!(
            read,
            [
                (
                    None,
                    None,
                    "The Black Death was a pandemic of bubonic plague in Europe."
                ),
                (
                    Some("Causes of death"),
                    Some("Causes_of_death".into()),
                    "The plague bacteria were spread by fleas on rats."
                ),
                (
                    Some("Spread"),
                    Some("Spread".into()),
                    "Trade routes carried the disease from port to port."
                ),
            ]
        );
        assert_eq!(
            WikiSection::anchor_of("Cause #1 \"plague\" [a]"),
            "Cause_%231_%22plague%22_%5Ba%5D"
        );
        // A heading that repeats gets the next number, as in MediaWiki.
        let repeated = wikitext_to_sections(
            &Configuration::default(),
            concat!(
                "== Life ==\nShe was born in London in the year 1815.\n",
                "=== Legacy ===\nShe wrote the first published algorithm.\n",
                "== Work ==\nShe worked with Babbage on the engine.\n",
                "=== Legacy ===\nHer notes were longer than the paper itself.\n",
            ),
        );
        let anchors: Vec<Option<&str>> = repeated.iter().map(|s| s.anchor.as_deref()).collect();
        assert_eq!(
            anchors,
            [Some("Life"), Some("Legacy"), Some("Work"), Some("Legacy_2")]
        );
    }

    #[test]
    fn a_dump_streams_its_articles_and_skips_the_rest() {
        let dump = r#"<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" xml:lang="en">
          <siteinfo><sitename>W</sitename><base>https://en.example.org/wiki/Main_Page</base></siteinfo>
          <page><title>Black Death</title><ns>0</ns><id>1</id>
            <revision><timestamp>2024-05-17T08:03:11Z</timestamp><text xml:space="preserve">The '''Black Death''' was a [[bubonic plague]] pandemic &amp; more in Europe.</text></revision></page>
          <page><title>Plague</title><ns>0</ns><redirect title="Bubonic plague" />
            <revision><text>#REDIRECT [[Bubonic plague]]</text></revision></page>
          <page><title>Talk:Black Death</title><ns>1</ns>
            <revision><text>A talk page that says a great many things.</text></revision></page>
        </mediawiki>"#;
        let mut articles = Vec::new();
        let stats = read_dump(dump.as_bytes(), |a| articles.push(a)).unwrap();
        assert_eq!(
            articles,
            [WikiArticle {
                title: "Black Death".into(),
                sections: vec![WikiSection {
                    heading: None,
                    anchor: None,
                    text: "The Black Death was a bubonic plague pandemic & more in Europe.".into(),
                }],
                url: Some("https://en.example.org/wiki/Black_Death".into()),
                date: Some("2024-05-17".into()),
                language: Some("en".into()),
            }]
        );
        assert_eq!(
            (stats.pages, stats.redirects, stats.other_namespaces),
            (3, 1, 1)
        );
        assert!(read_dump("<html><body/></html>".as_bytes(), |_| {}).is_err());
        // A dump cut off mid-page gives what it finished.
        let cut = read_dump("<mediawiki><page><title>A</title>".as_bytes(), |_| {});
        assert!(matches!(cut, Ok(DumpStats { pages: 0, .. })) || cut.is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_markup_reads_without_panic(text in "\\PC{0,400}") {
            let _ = wikitext_to_prose(&Configuration::default(), &text);
            let dump = format!("<mediawiki><page><title>T</title><ns>0</ns><revision><text>{}</text></revision></page></mediawiki>",
                quick_xml::escape::escape(&text));
            let _ = read_dump(dump.as_bytes(), |_| {});
        }

        #[test]
        fn any_bytes_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = read_dump(bytes.as_slice(), |_| {});
        }
    }
}
