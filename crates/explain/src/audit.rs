//! The audit of an article written elsewhere: its date, sections that repeat each other, and
//! each sentence's best evidence in the corpus with the checker's verdict (`crate::check`).
//!
//! Input is Markdown (`# title`, `## section`) or plain text laid out as pages like
//! `../shared/examples/nato-explainer.txt` are: a title line, "Posted on …", paragraphs, a
//! section as "Heading: text" or as a short line before its paragraph, "In summary, …", and a
//! feedback widget's lines, which are dropped.

use std::collections::HashSet;

use embed::Embedder;
use index::Index;
use serde::Serialize;

use crate::check::{self, Support};

/// Sections whose embeddings are at least this similar repeat each other: just above the
/// most similar pair of sections in the articles written by hand from the default corpus,
/// each section a distinct reason (`eval/reference-heldout-*/` and `reference-dev/`, 73
/// articles: at most 0.75, Iranian Revolution's "Shah" and "Khomeini"; the engine's own
/// articles on `eval/why-reasons.jsonl`: at most 0.61).
pub const SIMILAR_SECTIONS: f32 = 0.76;

/// Without the model, the share of content words two sections have in common (Jaccard).
pub const SIMILAR_SECTIONS_LEXICAL: f32 = 0.5;

/// Documents whose sentences are weighed as evidence for a sentence.
const EVIDENCE_DOCUMENTS: usize = 5;

/// Where a part of an article stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    Overview,
    Section,
    Summary,
}

/// A part of the article: the overview, a section or the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub kind: PartKind,
    pub heading: Option<String>,
    pub text: String,
}

/// An article as read from a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub title: String,
    /// What follows "Posted on" (or a Markdown `*Posted on …*` line); `None` when absent
    /// or empty.
    pub date: Option<String>,
    /// Whether the page has a date line at all.
    pub has_date_line: bool,
    pub parts: Vec<Part>,
}

impl Draft {
    /// The sentences an audit checks: those of three words or more in every part.
    pub fn sentences(&self) -> impl Iterator<Item = (&Part, &str)> {
        self.parts.iter().flat_map(|part| {
            corpus::split_sentences(&part.text)
                .into_iter()
                .map(move |range| (part, part.text[range].trim()))
                .filter(|(_, text)| text.split_whitespace().count() >= 3)
        })
    }
}

/// Reads an article in HTML, Markdown or plain text: HTML when it opens with a tag.
pub fn parse_any(text: &str) -> Draft {
    let start = text.trim_start().to_ascii_lowercase();
    if start.starts_with("<!doctype html") || start.starts_with("<html") || start.starts_with('<') {
        parse_html(text)
    } else {
        parse(text)
    }
}

/// Reads an HTML page: its headings, paragraphs and list items in order (navigation, header,
/// footer, forms, scripts and asides left out), the first `h1` (or `<title>`) as the title,
/// and the date of a `<time>` element or of `article:published_time`.
pub fn parse_html(html: &str) -> Draft {
    use scraper::{Html, Selector};
    let document = Html::parse_document(html);
    let selector = |css: &str| Selector::parse(css).expect("a valid selector");
    let text_of = |element: scraper::ElementRef<'_>| {
        element
            .text()
            .collect::<Vec<_>>()
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    const LEFT_OUT: &[&str] = &[
        "nav", "header", "footer", "form", "script", "style", "aside", "noscript", "template",
        "button",
    ];
    let mut lines: Vec<String> = Vec::new();
    let mut title = None;
    let mut dated = false;
    for element in document.select(&selector("h1, h2, h3, p, li, time")) {
        let inside_left_out = element.ancestors().any(|node| {
            node.value()
                .as_element()
                .is_some_and(|e| LEFT_OUT.contains(&e.name()))
        });
        let name = element.value().name();
        // A paragraph's own list items and times are read with it.
        let inside_text = element.ancestors().any(|node| {
            node.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "p" | "li"))
        });
        if inside_left_out || (inside_text && name != "time") {
            continue;
        }
        let text = text_of(element);
        match name {
            "h1" if title.is_none() => title = Some(text),
            "h1" | "h2" | "h3" => lines.push(format!("## {text}")),
            // The first time on the page dates it, by its machine-readable value when it
            // has one ("Posted on <time datetime=…>May 1</time>").
            "time" if !dated => {
                dated = true;
                let date = element.attr("datetime").map_or(text, str::to_owned);
                lines.retain(|l| !l.to_lowercase().starts_with("posted on"));
                lines.insert(0, format!("Posted on {date}"));
            }
            "time" => {}
            _ if !text.is_empty() => lines.push(text),
            _ => {}
        }
    }
    let title = title
        .or_else(|| document.select(&selector("title")).next().map(text_of))
        .unwrap_or_default();
    if !lines
        .iter()
        .any(|l| l.to_lowercase().starts_with("posted on"))
        && let Some(date) = document
            .select(&selector(r#"meta[property="article:published_time"]"#))
            .next()
            .and_then(|m| m.attr("content"))
    {
        lines.insert(0, format!("Posted on {date}"));
    }
    let mut markdown = format!("# {title}\n\n");
    for line in lines {
        markdown.push_str(&line);
        markdown.push_str("\n\n");
    }
    parse(&markdown)
}

/// Reads an article in Markdown or plain text.
pub fn parse(text: &str) -> Draft {
    let markdown = text
        .lines()
        .any(|l| l.starts_with("# ") || l.starts_with("## "));
    let mut title = String::new();
    let mut date = None;
    let mut has_date_line = false;
    let mut parts: Vec<Part> = Vec::new();
    let mut pending_heading: Option<String> = None;
    for block in paragraphs(text) {
        let plain = block.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
        if title.is_empty() {
            title = plain.trim_start_matches('#').trim().to_owned();
            continue;
        }
        if let Some(rest) = strip_prefix_ignore_case(plain, "posted on") {
            has_date_line = true;
            let rest = rest.trim();
            date = (!rest.is_empty()).then(|| rest.to_owned());
            continue;
        }
        if is_widget(plain) {
            continue;
        }
        if markdown {
            if let Some(heading) = block.strip_prefix("## ") {
                let heading = heading.trim();
                if heading.eq_ignore_ascii_case("sources")
                    || heading.eq_ignore_ascii_case("references")
                {
                    break;
                }
                pending_heading = Some(heading.to_owned());
                continue;
            }
        } else if let Some(heading) = lone_heading(plain) {
            pending_heading = Some(heading);
            continue;
        }
        let text = strip_citations(plain);
        let summary_heading = pending_heading.as_deref().is_some_and(|h| {
            h.eq_ignore_ascii_case("in summary") || h.eq_ignore_ascii_case("summary")
        });
        if summary_heading || strip_prefix_ignore_case(&text, "in summary").is_some() {
            pending_heading = None;
            parts.push(Part {
                kind: PartKind::Summary,
                heading: None,
                text,
            });
            continue;
        }
        if let Some(heading) = pending_heading.take() {
            parts.push(Part {
                kind: PartKind::Section,
                heading: Some(heading),
                text,
            });
            continue;
        }
        if !markdown && let Some((heading, body)) = inline_heading(&text) {
            parts.push(Part {
                kind: PartKind::Section,
                heading: Some(heading),
                text: body,
            });
            continue;
        }
        // A paragraph without a heading continues the part before it, or is the overview.
        match parts.last_mut() {
            Some(last) => {
                last.text.push(' ');
                last.text.push_str(&text);
            }
            None => parts.push(Part {
                kind: PartKind::Overview,
                heading: None,
                text,
            }),
        }
    }
    Draft {
        title,
        date,
        has_date_line,
        parts,
    }
}

/// Blocks of text separated by blank lines; a Markdown heading line is a block of its own.
fn paragraphs(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let flush = |current: &mut Vec<&str>, blocks: &mut Vec<String>| {
        if !current.is_empty() {
            blocks.push(current.join(" "));
            current.clear();
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            flush(&mut current, &mut blocks);
        } else if line.starts_with('#') {
            flush(&mut current, &mut blocks);
            blocks.push(line.to_owned());
        } else {
            current.push(line);
        }
    }
    flush(&mut current, &mut blocks);
    blocks
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &text[prefix.len()..])
}

/// The lines of a feedback widget: "Was this helpful?", "Thanks for your feedback!", "Yes".
fn is_widget(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.starts_with("was this helpful")
        || lower.starts_with("was this article helpful")
        || lower.starts_with("thanks for your feedback")
        || matches!(lower.as_str(), "yes" | "no" | "yes no")
}

/// A short line without a final stop, standing alone before its paragraph.
fn lone_heading(text: &str) -> Option<String> {
    let words = text.split_whitespace().count();
    ((1..=12).contains(&words)
        && !text.ends_with(['.', '!', '?', ':', ';', ','])
        && text.chars().next().is_some_and(char::is_uppercase))
    .then(|| text.to_owned())
}

/// "Geopolitical Considerations and Relations with Russia: One of the main reasons …".
fn inline_heading(text: &str) -> Option<(String, String)> {
    let (head, body) = text.split_once(": ")?;
    let words = head.split_whitespace().count();
    // Title case: every word capitalised but the short function words ("and", "with").
    const LOWER: &[&str] = &[
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or",
        "the", "to", "with", "about", "over", "versus", "vs",
    ];
    let capitalised = head
        .split_whitespace()
        .filter(|w| !LOWER.contains(w))
        .all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        });
    ((1..=12).contains(&words) && !head.contains(['.', '?', '!']) && capitalised)
        .then(|| (head.to_owned(), body.trim().to_owned()))
}

/// Removes citation marks: "[1]", "[1][2]".
fn strip_citations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close) if close > 0 && after[..close].chars().all(|c| c.is_ascii_digit()) => {
                out.push_str(rest[..open].trim_end());
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// Two sections that repeat each other.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarPair {
    pub first: String,
    pub second: String,
    pub similarity: f32,
}

/// The corpus sentence that best supports a sentence of the article.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub title: String,
    pub url: Option<String>,
    pub text: String,
}

/// One sentence of the article, checked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceCheck {
    /// "overview", "summary" or the section's heading.
    pub part: String,
    pub text: String,
    pub evidence: Option<Evidence>,
    pub support: Support,
}

/// What the audit found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub title: String,
    pub date: Option<String>,
    /// Page-level problems: a missing or empty date, no sections.
    pub problems: Vec<String>,
    pub sections: Vec<String>,
    /// Pairwise similarity of the sections, in their order.
    pub similarity: Vec<Vec<f32>>,
    pub similar_pairs: Vec<SimilarPair>,
    /// Sections that say the same thing, grouped by average linkage at the same threshold
    /// (groups of two or more, by heading).
    pub repeated_groups: Vec<Vec<String>>,
    pub sentences: Vec<SentenceCheck>,
    pub supported: usize,
    /// "lexical alignment and MiniLM cosine" or "lexical alignment only".
    pub measure: String,
}

/// Audits `draft` against the corpus in `index`.
pub fn audit(
    index: &Index,
    embedder: Option<&Embedder>,
    draft: &Draft,
) -> Result<Audit, crate::ExplainError> {
    let mut problems = Vec::new();
    if !draft.has_date_line {
        problems.push("no date: the page does not say when it was written".to_owned());
    } else if draft.date.is_none() {
        problems.push("empty date: \"Posted on\" is followed by nothing".to_owned());
    }
    let sections: Vec<&Part> = draft
        .parts
        .iter()
        .filter(|p| p.kind == PartKind::Section)
        .collect();
    if sections.is_empty() {
        problems.push("no sections: the page names no reasons under headings".to_owned());
    }
    let (similarity, threshold) = section_similarity(index, embedder, &sections)?;
    let groups = crate::cluster::cluster_by_similarity(&similarity, threshold);
    let repeated_groups: Vec<Vec<String>> = groups
        .into_iter()
        .filter(|g| g.len() > 1)
        .map(|g| {
            g.into_iter()
                .map(|i| sections[i].heading.clone().unwrap_or_default())
                .collect()
        })
        .collect();
    let mut similar_pairs = Vec::new();
    for (i, row) in similarity.iter().enumerate() {
        for (j, &value) in row.iter().enumerate().skip(i + 1) {
            if value >= threshold {
                similar_pairs.push(SimilarPair {
                    first: sections[i].heading.clone().unwrap_or_default(),
                    second: sections[j].heading.clone().unwrap_or_default(),
                    similarity: (value * 100.0).round() / 100.0,
                });
            }
        }
    }
    similar_pairs.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    let mut sentences = Vec::new();
    for (part, text) in draft.sentences() {
        let name = match part.kind {
            PartKind::Overview => "overview".to_owned(),
            PartKind::Summary => "summary".to_owned(),
            PartKind::Section => part.heading.clone().unwrap_or_default(),
        };
        sentences.push(check_sentence(index, embedder, &name, text)?);
    }
    let supported = sentences.iter().filter(|s| s.support.supported).count();
    Ok(Audit {
        title: draft.title.clone(),
        date: draft.date.clone(),
        problems,
        sections: sections
            .iter()
            .map(|p| p.heading.clone().unwrap_or_default())
            .collect(),
        similarity,
        similar_pairs,
        repeated_groups,
        sentences,
        supported,
        measure: if embedder.is_some() {
            "lexical alignment and MiniLM cosine".to_owned()
        } else {
            "lexical alignment only".to_owned()
        },
    })
}

/// The similarity matrix of the sections (heading and text), and the threshold it is read
/// with.
fn section_similarity(
    index: &Index,
    embedder: Option<&Embedder>,
    sections: &[&Part],
) -> Result<(Vec<Vec<f32>>, f32), crate::ExplainError> {
    let texts: Vec<String> = sections
        .iter()
        .map(|p| format!("{}: {}", p.heading.as_deref().unwrap_or(""), p.text))
        .collect();
    let n = texts.len();
    let mut matrix = vec![vec![1.0; n]; n];
    if let Some(embedder) = embedder {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = embedder
            .embed(&refs)
            .map_err(|e| crate::ExplainError::Index(index::IndexError::from(e)))?;
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    matrix[i][j] = vectors[i].iter().zip(&vectors[j]).map(|(a, b)| a * b).sum();
                }
            }
        }
        return Ok((matrix, SIMILAR_SECTIONS));
    }
    let stems: Vec<HashSet<String>> = texts
        .iter()
        .map(|t| crate::factors::content_stems(index, t))
        .collect();
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let shared = stems[i].intersection(&stems[j]).count() as f32;
                let union = stems[i].union(&stems[j]).count().max(1) as f32;
                matrix[i][j] = shared / union;
            }
        }
    }
    Ok((matrix, SIMILAR_SECTIONS_LEXICAL))
}

/// The best evidence for one sentence among the sentences of the documents BM25 ranks first
/// for it.
fn check_sentence(
    index: &Index,
    embedder: Option<&Embedder>,
    part: &str,
    text: &str,
) -> Result<SentenceCheck, crate::ExplainError> {
    let terms = check::idf_terms(index, text);
    let mut documents = Vec::new();
    for hit in index.search(&terms, EVIDENCE_DOCUMENTS * 3)? {
        if documents.len() == EVIDENCE_DOCUMENTS {
            break;
        }
        if documents
            .iter()
            .any(|d: &index::StoredDocument| d.id == hit.document)
        {
            continue;
        }
        if let Some(document) = index.document(hit.document)? {
            documents.push(document);
        }
    }
    let candidates: Vec<(usize, usize)> = documents
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| (0..doc.sentences.len()).map(move |s| (d, s)))
        .collect();
    let candidate_texts: Vec<&str> = candidates
        .iter()
        .map(|&(d, s)| documents[d].sentence_text(s))
        .collect();
    let support = check::support(index, embedder, text, &candidate_texts)
        .map_err(|e| crate::ExplainError::Index(index::IndexError::from(e)))?;
    let evidence = support.best.map(|i| {
        let (d, s) = candidates[i];
        Evidence {
            title: documents[d].title.clone(),
            url: documents[d].url.clone(),
            text: documents[d].sentence_text(s).to_owned(),
        }
    });
    Ok(SentenceCheck {
        part: part.to_owned(),
        text: text.to_owned(),
        evidence,
        support,
    })
}

impl Audit {
    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# Audit: {}\n\n", self.title);
        out += &format!("Date: {}\n\n", self.date.as_deref().unwrap_or("(none)"));
        out += "## Problems\n\n";
        if self.problems.is_empty() && self.similar_pairs.is_empty() {
            out += "None found.\n";
        }
        for problem in &self.problems {
            out += &format!("- {problem}\n");
        }
        for group in &self.repeated_groups {
            let quoted: Vec<String> = group.iter().map(|h| format!("\"{h}\"")).collect();
            out += &format!(
                "- {} sections say much the same: {}\n",
                group.len(),
                quoted.join(", ")
            );
        }
        for pair in &self.similar_pairs {
            out += &format!(
                "- sections repeat each other ({:.2}): \"{}\" and \"{}\"\n",
                pair.similarity, pair.first, pair.second
            );
        }
        out += &format!(
            "\n## Sentences\n\n{} of {} sentences are supported by the corpus ({}).\n\n",
            self.supported,
            self.sentences.len(),
            self.measure
        );
        out += "| part | sentence | verdict | score | best evidence |\n| --- | --- | --- | --- | --- |\n";
        for s in &self.sentences {
            let verdict = if s.support.supported {
                "supported".to_owned()
            } else if s.support.unmatched.is_empty() {
                "not found".to_owned()
            } else {
                format!(
                    "not found ({} not in the evidence)",
                    s.support.unmatched.join(", ")
                )
            };
            let evidence = s
                .evidence
                .as_ref()
                .map(|e| format!("{} ({})", cell(&e.text), cell(&e.title)))
                .unwrap_or_default();
            out += &format!(
                "| {} | {} | {} | {:.2} | {} |\n",
                cell(&s.part),
                cell(&s.text),
                verdict,
                s.support.score,
                evidence
            );
        }
        if self.sections.len() > 1 {
            out += "\n## Section similarity\n\n|  |";
            for n in 1..=self.sections.len() {
                out += &format!(" {n} |");
            }
            out += "\n| --- |";
            out += &" --- |".repeat(self.sections.len());
            out += "\n";
            for (i, row) in self.similarity.iter().enumerate() {
                out += &format!("| {} {} |", i + 1, cell(&self.sections[i]));
                for value in row {
                    out += &format!(" {value:.2} |");
                }
                out += "\n";
            }
        }
        out
    }
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_text_page_is_read_into_its_parts() {
        let page = "Why the sky is blue\n\nPosted on\n\nThe sky is blue because of scattering. It is bright.\n\n\
                    Rayleigh Scattering and Light with Short Waves: Short waves scatter more. They fill the sky.\n\n\
                    Our Eyes\n\nEyes are more sensitive to blue.\n\n\
                    In summary, scattering and eyes explain it.\n\nWas this helpful?\n\nThanks for your feedback!26";
        let draft = parse(page);
        assert_eq!(draft.title, "Why the sky is blue");
        assert!(draft.has_date_line);
        assert_eq!(draft.date, None);
        let kinds: Vec<(PartKind, Option<&str>)> = draft
            .parts
            .iter()
            .map(|p| (p.kind, p.heading.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (PartKind::Overview, None),
                (
                    PartKind::Section,
                    Some("Rayleigh Scattering and Light with Short Waves")
                ),
                (PartKind::Section, Some("Our Eyes")),
                (PartKind::Summary, None),
            ]
        );
        assert_eq!(
            draft.parts[1].text,
            "Short waves scatter more. They fill the sky."
        );
    }

    #[test]
    fn a_markdown_article_is_read_without_its_citations_and_sources() {
        let page = "# Why do floods happen?\n\n*Posted on 2026-12-06*\n\nFloods come from rain. [1]\n\n\
                    ## Heavy rainfall\n\nRain overflows rivers. [1][2]\n\n## In summary\n\nRain does it. [1]\n\n\
                    ## Sources\n\n1. [Flood](https://example.org) (CC BY-SA 4.0)\n";
        let draft = parse(page);
        assert_eq!(draft.title, "Why do floods happen?");
        assert_eq!(draft.date.as_deref(), Some("2026-12-06"));
        assert_eq!(draft.parts.len(), 3);
        assert_eq!(draft.parts[1].heading.as_deref(), Some("Heavy rainfall"));
        assert_eq!(draft.parts[1].text, "Rain overflows rivers.");
        assert_eq!(draft.parts[2].kind, PartKind::Summary);
    }

    #[test]
    fn an_html_page_is_read_without_its_navigation() {
        let page = r#"<!doctype html><html><head><title>Site | Why floods</title></head><body>
            <nav><ul><li>Home</li><li>About</li></ul></nav>
            <article><h1>Why do rivers flood?</h1><p>Posted on <time datetime="2024-05-01">May 1</time></p>
            <p>Rivers flood after <b>heavy</b> rain.</p>
            <h2>Heavy rainfall</h2><p>Rain overflows rivers.</p><ul><li>Storms bring rain.</li></ul>
            <h2>In summary</h2><p>Rain does it.</p></article>
            <footer><p>Was this helpful?</p><p>Copyright 2024</p></footer></body></html>"#;
        let draft = parse_any(page);
        assert_eq!(draft.title, "Why do rivers flood?");
        assert_eq!(draft.date.as_deref(), Some("2024-05-01"));
        let parts: Vec<(PartKind, Option<&str>, &str)> = draft
            .parts
            .iter()
            .map(|p| (p.kind, p.heading.as_deref(), p.text.as_str()))
            .collect();
        assert_eq!(
            parts,
            [
                (PartKind::Overview, None, "Rivers flood after heavy rain."),
                (
                    PartKind::Section,
                    Some("Heavy rainfall"),
                    "Rain overflows rivers. Storms bring rain."
                ),
                (PartKind::Summary, None, "Rain does it."),
            ]
        );
        // A page without a date says so; the title falls back to <title>.
        let draft = parse_any(
            "<html><head><title>Untitled</title></head><body><p>Text here.</p></body></html>",
        );
        assert_eq!(draft.title, "Untitled");
        assert!(!draft.has_date_line);
    }

    #[test]
    fn citations_are_stripped_but_other_brackets_kept() {
        assert_eq!(
            strip_citations("A fact. [1][2] More [sic]."),
            "A fact. More [sic]."
        );
    }
}
