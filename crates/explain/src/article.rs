//! The article: the contract shared by the CLI (`ask --format json`), the JSON API and the
//! web pages. Field names and meanings are in docs/CONTRACTS.md; fields may be added, never changed.

use serde::{Deserialize, Serialize};

/// A composed explainer article.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub question: String,
    pub slug: String,
    /// RFC 3339, UTC, whole seconds.
    pub posted_at: String,
    /// When this version was composed, if it is not the first (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// 1 for the article as first published, then one more for each regeneration.
    #[serde(default = "first_version")]
    pub version: u32,
    pub coverage: Coverage,
    pub overview: Vec<Sentence>,
    pub factors: Vec<FactorSection>,
    pub summary: Vec<Sentence>,
    pub sources: Vec<Source>,
    pub generator: Generator,
    pub timings_ms: Timings,
}

fn first_version() -> u32 {
    1
}

/// How well the corpus answers the question.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub level: CoverageLevel,
    pub score: f64,
    /// A plain statement for readers when coverage is not strong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoverageLevel {
    Strong,
    Partial,
    Thin,
}

impl CoverageLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageLevel::Strong => "strong",
            CoverageLevel::Partial => "partial",
            CoverageLevel::Thin => "thin",
        }
    }
}

/// One sentence of the article with the sources it cites (numbers into `sources`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    pub text: String,
    pub cites: Vec<u32>,
    pub kind: SentenceKind,
    /// For a `generated` sentence: the verbatim evidence sentences it cites, which the
    /// checker compared it with, the closest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// For a `generated` sentence: its support score against that evidence, 0–1 (see
    /// `explain::check`); it reached the threshold, or the sentence would not be here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<f64>,
}

impl Sentence {
    /// A sentence without checker fields (a quotation or a template sentence).
    pub fn new(text: impl Into<String>, cites: Vec<u32>, kind: SentenceKind) -> Sentence {
        Sentence {
            text: text.into(),
            cites,
            kind,
            evidence: Vec::new(),
            support: None,
        }
    }
}

/// A sentence quoted verbatim from a source, on which a generated sentence rests.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The source's number in `sources`.
    pub source: u32,
    pub text: String,
}

/// Where a sentence's words come from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    /// Verbatim text of the first cited source.
    Quote,
    /// Built only from headings and connectives.
    Template,
    /// LLM prose with checked citations.
    Generated,
}

/// One section of the article: a factor with its heading and supporting sentences.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorSection {
    pub heading: String,
    pub support: f64,
    pub sentences: Vec<Sentence>,
}

/// A numbered source.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub n: u32,
    pub title: String,
    /// The document's identity in the index (a Wikipedia title, a file path, a JSONL id).
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// When the source was published or last changed (`YYYY-MM-DD`), where it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The source's language (a BCP 47 tag such as `en` or `de-ch`), where it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    /// `extractive`, or `llm` when a language model wrote the prose.
    pub mode: String,
    pub version: String,
    /// The language model that wrote the prose (`llm` mode only), as its server names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub retrieve: f64,
    pub compose: f64,
    pub total: f64,
}

impl Article {
    /// Every sentence of the article, in reading order.
    pub fn sentences(&self) -> impl Iterator<Item = &Sentence> {
        self.overview
            .iter()
            .chain(self.factors.iter().flat_map(|f| f.sentences.iter()))
            .chain(self.summary.iter())
    }

    /// Who wrote the prose, when it was not the extractive writer (whose every sentence is a
    /// quotation or built from headings).
    pub fn written_by(&self) -> Option<String> {
        (self.generator.mode == "llm").then(|| {
            format!(
                "Written as prose by a language model{}; every generated sentence was checked \
                 against the quoted evidence it cites.",
                self.generator
                    .model
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            )
        })
    }

    /// The date part of `posted_at` (`2026-11-24`).
    pub fn posted_date(&self) -> &str {
        self.posted_at.get(..10).unwrap_or(&self.posted_at)
    }

    /// The article as Markdown: title, date, coverage note, sections with `[n]` citations,
    /// summary and numbered sources with licences.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("# {}\n\n", self.question));
        out.push_str(&format!("*Posted on {}*\n\n", self.posted_date()));
        if let Some(line) = self.written_by() {
            out.push_str(&format!("*{line}*\n\n"));
        }
        if let Some(note) = &self.coverage.note {
            out.push_str(&format!(
                "> **Evidence coverage: {}.** {}\n\n",
                self.coverage.level.as_str(),
                note
            ));
        }
        push_paragraph(&mut out, &self.overview);
        for factor in &self.factors {
            out.push_str(&format!("## {}\n\n", factor.heading));
            push_paragraph(&mut out, &factor.sentences);
        }
        if !self.summary.is_empty() {
            out.push_str("## In summary\n\n");
            push_paragraph(&mut out, &self.summary);
        }
        if !self.sources.is_empty() {
            out.push_str("## Sources\n\n");
            for source in &self.sources {
                let title = match &source.url {
                    Some(url) => format!("[{}]({})", source.title, url),
                    None => source.title.clone(),
                };
                let license = source
                    .license
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                let date = source
                    .date
                    .as_ref()
                    .map(|d| format!(", {d}"))
                    .unwrap_or_default();
                out.push_str(&format!("{}. {}{}{}\n", source.n, title, date, license));
            }
        }
        out
    }
}

fn push_paragraph(out: &mut String, sentences: &[Sentence]) {
    if sentences.is_empty() {
        return;
    }
    let text: Vec<String> = sentences
        .iter()
        .map(|s| {
            let cites: String = s.cites.iter().map(|n| format!("[{n}]")).collect();
            if cites.is_empty() {
                s.text.clone()
            } else {
                format!("{} {}", s.text, cites)
            }
        })
        .collect();
    out.push_str(&text.join(" "));
    out.push_str("\n\n");
}
