//! Composition: overview, one section per factor, summary, numbered sources, coverage.
//!
//! Invariants: every `quote` is a verbatim sentence of the first source it cites; no
//! sentence appears twice; the summary only restates headings.

use std::collections::{HashMap, HashSet};

use crate::article::{
    Article, Coverage, CoverageLevel, FactorSection, Generator, Sentence, SentenceKind, Source,
    Timings,
};
use crate::evidence::Evidence;
use crate::factors::{Factor, SentenceKey};
use crate::question::Question;

const MAX_SENTENCES_PER_SECTION: usize = 3;
const ANAPHORS: &[&str] = &[
    "it", "its", "this", "these", "they", "their", "he", "she", "his", "her", "such", "those",
    "that", "there",
];

/// Chooses the overview: the best sentence of the best document about the subject (the
/// most direct answer, which may well name several causes at once), after the document's
/// first sentence or, when it opens with a pronoun, the sentence before it.
pub fn select_overview(evidence: &Evidence) -> Vec<SentenceKey> {
    let home = evidence
        .documents
        .iter()
        .position(|d| d.about_subject && d.score >= 0.5)
        .unwrap_or(0);
    let Some(chosen) = evidence
        .sentences
        .iter()
        .find(|s| s.document == home)
        .or_else(|| evidence.sentences.first())
    else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    // The document's first sentence (usually what the subject is) comes first when it is
    // relevant, or when the chosen sentence leans on the one before it.
    let lead_is_relevant = evidence
        .find(chosen.document, 0)
        .is_some_and(|i| evidence.sentences[i].relevance >= 0.5);
    if chosen.ordinal > 0 && starts_with_anaphor(evidence.text(chosen)) {
        keys.push(SentenceKey {
            document: chosen.document,
            ordinal: chosen.ordinal - 1,
        });
    } else if chosen.ordinal > 0 && lead_is_relevant {
        keys.push(SentenceKey {
            document: chosen.document,
            ordinal: 0,
        });
    }
    keys.push(SentenceKey {
        document: chosen.document,
        ordinal: chosen.ordinal,
    });
    keys
}

fn starts_with_anaphor(text: &str) -> bool {
    let first = text
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_lowercase();
    ANAPHORS.contains(&first.as_str())
}

struct Citations<'a> {
    evidence: &'a Evidence,
    numbers: HashMap<usize, u32>,
    sources: Vec<Source>,
    used: HashSet<SentenceKey>,
    /// Highest relevance among quoted sentences.
    strength: f32,
}

impl<'a> Citations<'a> {
    fn cite(&mut self, document: usize) -> u32 {
        if let Some(&n) = self.numbers.get(&document) {
            return n;
        }
        let n = self.sources.len() as u32 + 1;
        let stored = &self.evidence.documents[document].stored;
        self.sources.push(Source {
            n,
            title: stored.title.clone(),
            id: stored.key.clone(),
            url: stored.url.clone(),
            license: stored.license.clone(),
        });
        self.numbers.insert(document, n);
        n
    }

    fn quote(&mut self, key: SentenceKey) -> Option<Sentence> {
        if !self.used.insert(key) {
            return None;
        }
        let document = &self.evidence.documents.get(key.document)?.stored;
        if key.ordinal >= document.sentences.len() {
            return None;
        }
        let text = document.sentence_text(key.ordinal).to_owned();
        if let Some(found) = self.evidence.find(key.document, key.ordinal) {
            self.strength = self.strength.max(self.evidence.sentences[found].relevance);
        }
        let n = self.cite(key.document);
        Some(Sentence {
            text,
            cites: vec![n],
            kind: SentenceKind::Quote,
        })
    }
}

/// Builds the article from evidence and factors.
pub fn compose(
    question: &Question,
    evidence: &Evidence,
    overview_keys: &[SentenceKey],
    factors: &[Factor],
    posted_at: String,
) -> Article {
    let mut citations = Citations {
        evidence,
        numbers: HashMap::new(),
        sources: Vec::new(),
        used: HashSet::new(),
        strength: 0.0,
    };
    let overview: Vec<Sentence> = overview_keys
        .iter()
        .filter_map(|&key| citations.quote(key))
        .collect();

    let mut sections = Vec::new();
    let mut explicit = 0;
    let mut merged = vec![false; factors.len()];
    for (position, factor) in factors.iter().enumerate() {
        if merged[position] {
            continue;
        }
        let (sentences, quoted) = section_sentences(&mut citations, factor);
        // A factor with nothing of its own to add (its only evidence is quoted already,
        // in the overview or an earlier section) gets no section of its own.
        if sentences.is_empty() {
            continue;
        }
        if factor.direction.is_some() {
            explicit += 1;
        }
        // Later factors backed only by a sentence this section quotes (items of one
        // enumeration) share this section instead of repeating the sentence.
        let mut headings = vec![factor.heading.as_str()];
        for (later, other) in factors.iter().enumerate().skip(position + 1) {
            let has_own = other.sentences.iter().any(|k| !citations.used.contains(k));
            let shares = other.sentences.iter().any(|k| quoted.contains(k));
            if !merged[later] && !has_own && shares {
                merged[later] = true;
                headings.push(other.heading.as_str());
            }
        }
        sections.push(FactorSection {
            heading: join_headings(&headings),
            support: (f64::from(factor.support) * 100.0).round() / 100.0,
            sentences,
        });
    }

    let coverage = coverage(question, evidence, &citations, explicit);
    let summary = summary(&sections, &coverage);
    Article {
        question: question.text.clone(),
        slug: question.slug(),
        posted_at,
        updated_at: None,
        version: 1,
        coverage,
        overview,
        factors: sections,
        summary,
        sources: citations.sources,
        generator: Generator {
            mode: "extractive".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        timings_ms: Timings {
            retrieve: 0.0,
            compose: 0.0,
            total: 0.0,
        },
    }
}

/// The sentences of one section: the factor's backing sentences not quoted yet (at most
/// three), each preceded by the sentence it leans on when it cannot stand alone.
fn section_sentences(
    citations: &mut Citations<'_>,
    factor: &Factor,
) -> (Vec<Sentence>, Vec<SentenceKey>) {
    let evidence = citations.evidence;
    let mut sentences = Vec::new();
    let mut quoted = Vec::new();
    for &key in &factor.sentences {
        if sentences.len() >= MAX_SENTENCES_PER_SECTION - 1 || citations.used.contains(&key) {
            continue;
        }
        let document = &evidence.documents[key.document];
        let text = document.stored.sentence_text(key.ordinal);
        let context = if key.ordinal > 0 && starts_with_anaphor(text) {
            Some(key.ordinal - 1)
        } else if key.ordinal > 0 && !document.about_subject && sentences.is_empty() {
            // A sentence from another document is introduced by that document's first one.
            Some(0)
        } else {
            None
        };
        for key in context
            .map(|ordinal| SentenceKey {
                document: key.document,
                ordinal,
            })
            .into_iter()
            .chain([key])
        {
            if let Some(sentence) = citations.quote(key) {
                sentences.push(sentence);
                quoted.push(key);
            }
        }
    }
    (sentences, quoted)
}

/// "Lack of blood flow and bleeding"; long lists end with "and more".
fn join_headings(headings: &[&str]) -> String {
    let shown: Vec<String> = headings
        .iter()
        .take(4)
        .enumerate()
        .map(|(i, h)| {
            if i == 0 {
                (*h).to_owned()
            } else {
                lower_first(h)
            }
        })
        .collect();
    match shown.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] if headings.len() == shown.len() => {
            format!("{} and {}", rest.join(", "), last)
        }
        all => format!("{} and more", all.join(", ")),
    }
}

fn coverage(
    question: &Question,
    evidence: &Evidence,
    citations: &Citations<'_>,
    explicit: usize,
) -> Coverage {
    let (covered, _) = covered_terms(evidence, citations);
    let answer: f32 = covered.iter().map(|t| t.weight).sum::<f32>() / evidence.total_weight();
    let breadth = (citations.sources.len() as f32 / 3.0).min(1.0);
    let causal = (explicit as f32 / 2.0).min(1.0);
    let score = 0.6 * answer + 0.25 * causal + 0.15 * breadth;
    let score = (f64::from(score) * 100.0).round() / 100.0;
    let level = if answer < 0.5 || score < 0.45 {
        CoverageLevel::Thin
    } else if score < 0.7 {
        CoverageLevel::Partial
    } else {
        CoverageLevel::Strong
    };
    let note = match level {
        CoverageLevel::Strong => None,
        CoverageLevel::Partial => Some(
            "The corpus answers this question only in part: the reasons below are what its sources state, and there may be others they do not cover.".to_owned(),
        ),
        CoverageLevel::Thin => Some(thin_note(question, evidence, citations)),
    };
    Coverage { level, score, note }
}

/// Question terms that the quoted sentences (or the titles of the cited sources) contain,
/// and those they do not.
fn covered_terms<'e>(
    evidence: &'e Evidence,
    citations: &Citations<'_>,
) -> (
    Vec<&'e crate::evidence::QueryTerm>,
    Vec<&'e crate::evidence::QueryTerm>,
) {
    let quoted: HashSet<&str> = citations
        .used
        .iter()
        .filter_map(|key| evidence.find(key.document, key.ordinal))
        .flat_map(|i| evidence.sentences[i].stems.iter().map(String::as_str))
        .collect();
    let titles: HashSet<&str> = citations
        .numbers
        .keys()
        .flat_map(|&d| evidence.documents[d].title_stems.iter().map(String::as_str))
        .collect();
    evidence
        .terms
        .iter()
        .partition(|t| quoted.contains(t.stem.as_str()) || titles.contains(t.stem.as_str()))
}

/// Says what the quoted sources cover of the question and what they do not.
fn thin_note(_question: &Question, evidence: &Evidence, citations: &Citations<'_>) -> String {
    let (covered, missing) = covered_terms(evidence, citations);
    let list = |terms: &[&crate::evidence::QueryTerm]| {
        terms
            .iter()
            .map(|t| format!("“{}”", t.word))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut note = String::from(
        "The corpus holds little direct evidence on this question, so this article does not claim to answer it.",
    );
    if !covered.is_empty() && !missing.is_empty() {
        note.push_str(&format!(
            " Its sources discuss {} but say nothing that connects it to {}.",
            list(&covered),
            list(&missing)
        ));
    } else if covered.is_empty() {
        note.push_str(" None of its sources discuss the subject directly.");
    }
    note.push_str(" The sections below quote the closest material it has.");
    note
}

fn summary(sections: &[FactorSection], coverage: &Coverage) -> Vec<Sentence> {
    let mut cites: Vec<u32> = sections
        .iter()
        .flat_map(|s| s.sentences.iter().flat_map(|x| x.cites.iter().copied()))
        .collect();
    cites.sort_unstable();
    cites.dedup();
    if sections.is_empty() {
        return Vec::new();
    }
    let headings: Vec<String> = sections.iter().map(|s| lower_first(&s.heading)).collect();
    let listed = match headings.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {}", rest.join(", "), last),
        [] => String::new(),
    };
    let text = match coverage.level {
        CoverageLevel::Thin => format!(
            "In summary, the corpus only touches on this question; the closest material concerns {listed}."
        ),
        _ if sections.len() == 1 => {
            format!("In summary, the sources point to one factor: {listed}.")
        }
        _ => format!(
            "In summary, the sources point to {} factors: {listed}.",
            sections.len()
        ),
    };
    vec![Sentence {
        text,
        cites,
        kind: SentenceKind::Template,
    }]
}

/// Lowercases the first letter unless the first word looks like a name or acronym
/// (a capital inside it, or a capitalised second word).
fn lower_first(heading: &str) -> String {
    let mut words = heading.split_whitespace();
    let first = words.next().unwrap_or("");
    let second_capitalised = words
        .next()
        .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
    let inner_capital = first.chars().skip(1).any(char::is_uppercase);
    if inner_capital || second_capitalised {
        return heading.to_owned();
    }
    let mut chars = heading.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
