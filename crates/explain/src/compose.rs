//! Composition: overview, one section per factor, summary, numbered sources, coverage.
//!
//! Invariants: every `quote` is a verbatim sentence of the first source it cites; no
//! sentence appears twice; the summary only restates headings.

use std::collections::{HashMap, HashSet};

use crate::article::{
    Article, Coverage, CoverageLevel, FactorSection, Generator, Sentence, SentenceKind, Source,
    Timings,
};
use crate::causal::Direction;
use crate::evidence::{Evidence, Focus};
use crate::factors::{Factor, SentenceKey};
use crate::heading::capitalise;
use crate::intent::{AnswerKind, Intent, Tense};
use crate::question::Question;

const MAX_SENTENCES_PER_SECTION: usize = 3;
const ANAPHORS: &[&str] = &[
    "it",
    "its",
    "this",
    "these",
    "they",
    "their",
    "he",
    "she",
    "his",
    "her",
    "such",
    "those",
    "that",
    "there",
    "both",
    "thus",
    "however",
    "hence",
    "therefore",
    "consequently",
];

/// Chooses the overview: the most direct answer. That is the sentence stating the best
/// reason, from a document about the subject, when every reason it states has other
/// sentences for its own section; otherwise the best sentence of the best document about the
/// subject that no section needs. At most one defining sentence (the document's first) comes
/// before it, and a sentence that leans on the one before it ("It was caused by …") brings
/// that one along.
pub fn select_overview(evidence: &Evidence, factors: &[Factor]) -> Vec<SentenceKey> {
    // A sentence some factor cannot do without: its only sentence, or the sentence that
    // one leans on ("Silicon is widely used …" before "It dominates … due to …").
    let needed = |key: SentenceKey| {
        factors.iter().any(|f| {
            let Some(&only) = f.sentences.first() else {
                return false;
            };
            if f.sentences.iter().any(|k| *k != only) {
                return false;
            }
            let start = chain_start(&evidence.documents[only.document].stored, only.ordinal);
            key.document == only.document && (start..=only.ordinal).contains(&key.ordinal)
        })
    };
    // The best reason's sentence answers when every reason it states keeps a section of its
    // own (other sentences back it).
    let answer = factors
        .iter()
        .filter_map(|f| f.sentences.first().copied())
        .find(|k| evidence.documents[k.document].about_subject && !needed(*k));
    let home = home_document(evidence);
    let leans_on_needed = |key: SentenceKey| {
        let start = chain_start(&evidence.documents[key.document].stored, key.ordinal);
        (start..key.ordinal).any(|ordinal| {
            needed(SentenceKey {
                document: key.document,
                ordinal,
            })
        })
    };
    let chosen = match answer {
        Some(key) => Some(key),
        // From the document about the subject when there is one: another document's
        // sentence would not answer (a template overview then names the reasons).
        None => {
            let candidates = || {
                evidence
                    .sentences
                    .iter()
                    .filter(|s| s.document == home || !evidence.documents[home].about_subject)
                    .map(|s| SentenceKey {
                        document: s.document,
                        ordinal: s.ordinal,
                    })
                    .filter(|k| !needed(*k) && !leans_on_needed(*k))
                    // Past the lead, only a sentence that speaks to the question: "The pain may
                    // occasionally feel like heartburn" is no overview for what causes heart
                    // attacks.
                    .filter(|k| k.ordinal == 0 || speaks_to_question(evidence, *k))
                    // Nor one that tells only what something led to, for a question about
                    // causes: "For some patients, recovery may not be immediate or complete,
                    // resulting in long-term effects" is no overview for what causes Lyme
                    // disease.
                    .filter(|k| k.ordinal == 0 || !tells_only_consequences(evidence, *k))
                    // Nor, for a question about how the subject came about, one that tells how
                    // it ended: "Conflict was largely brought to an end upon the union of the
                    // two houses …" is no overview for why the Wars of the Roses happened.
                    .filter(|k| {
                        k.ordinal == 0
                            || evidence.focus != crate::evidence::Focus::Causes
                            || crate::factors::speaks_of_an_ending(&evidence.intent.event)
                            || !crate::factors::speaks_of_an_ending(
                                evidence.documents[k.document]
                                    .stored
                                    .sentence_text(k.ordinal),
                            )
                    })
            };
            // Without a document about the subject, a sentence that names it comes first
            // ("Deaths caused by famine declined sharply" is no overview for the Indigenous
            // population of the Americas); the best other sentence only when none does.
            let names_subject = |k: &SentenceKey| {
                evidence.documents[home].about_subject
                    || evidence.names_topic(
                        evidence.documents[k.document]
                            .stored
                            .sentence_text(k.ordinal),
                    )
            };
            candidates()
                .find(names_subject)
                .or_else(|| candidates().next())
        }
    };
    let Some(chosen) = chosen else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    let text = evidence.documents[chosen.document]
        .stored
        .sentence_text(chosen.ordinal);
    let lead_is_relevant = evidence
        .find(chosen.document, 0)
        .is_some_and(|i| evidence.sentences[i].relevance >= 0.5);
    let lead = SentenceKey {
        document: chosen.document,
        ordinal: 0,
    };
    if chosen.ordinal > 0 && leans_on_previous(text) {
        let start = chain_start(&evidence.documents[chosen.document].stored, chosen.ordinal);
        keys.extend((start..chosen.ordinal).map(|ordinal| SentenceKey {
            document: chosen.document,
            ordinal,
        }));
    } else if chosen.ordinal > 0 && lead_is_relevant && !needed(lead) {
        keys.push(lead);
    }
    keys.push(chosen);
    // A first sentence that only sets the scene ("RMS Titanic sank … on 15 April 1912") is
    // followed by the home document's best other sentence, which more often says why.
    if chosen.ordinal == 0 && answer.is_none() {
        let next = evidence
            .sentences
            .iter()
            .filter(|s| s.document == chosen.document && s.ordinal > 0 && s.relevance >= 0.5)
            .map(|s| SentenceKey {
                document: s.document,
                ordinal: s.ordinal,
            })
            .find(|k| {
                let text = evidence.documents[k.document]
                    .stored
                    .sentence_text(k.ordinal);
                !needed(*k) && !leans_on_needed(*k) && (k.ordinal == 1 || !leans_on_previous(text))
            });
        keys.extend(next);
    }
    keys
}

/// For a question about causes, does the sentence state only effects, none of them the
/// subject ("…, resulting in long-term effects")?
fn tells_only_consequences(evidence: &Evidence, key: SentenceKey) -> bool {
    if evidence.focus != Focus::Causes {
        return false;
    }
    let Some(found) = evidence.find(key.document, key.ordinal) else {
        return false;
    };
    let sentence = &evidence.sentences[found];
    let text = evidence.text(sentence);
    !sentence.causal.is_empty()
        && sentence.causal.iter().all(|statement| {
            statement.direction == Direction::Effect
                && !statement
                    .items
                    .iter()
                    .any(|item| evidence.names_topic(&text[item.clone()]))
        })
}

/// Does the sentence speak to the question: relevant to it, or naming its topic?
fn speaks_to_question(evidence: &Evidence, key: SentenceKey) -> bool {
    let text = evidence.documents[key.document]
        .stored
        .sentence_text(key.ordinal);
    evidence
        .find(key.document, key.ordinal)
        .is_some_and(|i| evidence.sentences[i].relevance >= 0.5)
        || (!evidence.topic_words.is_empty() && evidence.names_topic(text))
}

/// The document the overview comes from: among those about the subject and retrieved
/// strongly, the one whose title names most of the question ("Sinking of the Titanic" before
/// "Titanic" alone), then the strongest; else the strongest document.
pub fn home_document(evidence: &Evidence) -> usize {
    let title_weight = |d: &crate::evidence::EvidenceDocument| -> f32 {
        evidence
            .terms
            .iter()
            .filter(|t| d.title_stems.contains(&t.stem))
            .map(|t| t.weight)
            .sum()
    };
    evidence
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| d.about_subject && d.score >= 0.3)
        .max_by(|(_, a), (_, b)| {
            title_weight(a)
                .total_cmp(&title_weight(b))
                .then(a.score.total_cmp(&b.score))
        })
        .map_or(0, |(i, _)| i)
}

/// The first sentence of the run a sentence needs before it: back over every sentence that
/// refers to the one before ("The incident …" leans on "They were shot …", which leans on
/// "… were assassinated …"), at most two back. The sentence itself when it stands alone.
pub fn chain_start(document: &index::StoredDocument, ordinal: usize) -> usize {
    let mut start = ordinal;
    while start > 0
        && ordinal - start < MAX_SENTENCES_PER_SECTION - 1
        && leans_on_previous(document.sentence_text(start))
    {
        start -= 1;
    }
    start
}

/// Does the sentence open by referring back ("It …", "This …", "The disease was …", "Both
/// cause …"), so that it reads only right after the sentence before it?
pub fn leans_on_previous(text: &str) -> bool {
    starts_with_anaphor(text) || crate::causal::is_anaphoric(text)
}

fn starts_with_anaphor(text: &str) -> bool {
    let opens_with_anaphor = |text: &str| {
        let first = text
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| !w.is_empty())
            .unwrap_or("")
            .to_lowercase();
        ANAPHORS.contains(&first.as_str())
    };
    // Or past a discourse marker: "Specifically, it is …", "As a result, they …".
    opens_with_anaphor(text)
        || text.split_once(", ").is_some_and(|(marker, rest)| {
            marker.split_whitespace().count() <= 3
                && marker.chars().all(|c| c.is_alphabetic() || c == ' ')
                && (marker.ends_with("ly")
                    || DISCOURSE_MARKERS.contains(&marker.to_lowercase().as_str()))
                && opens_with_anaphor(rest)
        })
}

/// Words that open a sentence and link it to the one before: "However, it …".
const DISCOURSE_MARKERS: &[&str] = &[
    "however",
    "moreover",
    "furthermore",
    "therefore",
    "thus",
    "hence",
    "instead",
    "also",
    "nevertheless",
    "meanwhile",
    "in addition",
    "as a result",
    "for example",
    "for instance",
    "in particular",
    "in turn",
];

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
            date: stored.date.clone(),
            language: stored.language.clone(),
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
        Some(Sentence::new(text, vec![n], SentenceKind::Quote))
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
    // Each section's reasons as they read in running text, for the summary.
    let mut reasons: Vec<Vec<String>> = Vec::new();
    // Reasons stated only by quoted overview sentences.
    let mut overview_reasons: Vec<String> = Vec::new();
    let mut explicit = 0;
    let mut merged = vec![false; factors.len()];
    for (position, factor) in factors.iter().enumerate() {
        if merged[position] {
            continue;
        }
        let (mut sentences, mut quoted) = section_sentences(&mut citations, factor);
        // A factor with nothing of its own to add (its only evidence is quoted already,
        // in the overview or an earlier section) gets no section of its own; one the
        // overview states is the summary's reason when no section has one.
        if sentences.is_empty() {
            if factor.sentences.iter().any(|k| overview_keys.contains(k))
                && !overview_reasons.contains(&factor.phrase)
            {
                overview_reasons.push(factor.phrase.clone());
            }
            continue;
        }
        if factor.direction.is_some() {
            explicit += 1;
        }
        // Later factors backed only by a sentence this section quotes (items of one
        // enumeration) share this section instead of repeating the sentence.
        let mut headings = vec![factor.heading.as_str()];
        // Headings after the first read as the evidence wrote them ("anti-Igbo pogroms").
        let mut later_cased: Vec<String> = Vec::new();
        let mut phrases = vec![factor.phrase.clone()];
        for (later, other) in factors.iter().enumerate().skip(position + 1) {
            // Its own sentences count only when one of them still speaks to the question:
            // the famine's own causes are no section for why people migrate, when the one
            // sentence that names famine as a cause of migration is quoted here.
            let has_own = other
                .sentences
                .iter()
                .any(|k| !citations.used.contains(k) && speaks_to_question(evidence, *k));
            let shares = other.sentences.iter().any(|k| quoted.contains(k));
            if !merged[later] && !has_own && shares {
                merged[later] = true;
                headings.push(other.heading.as_str());
                later_cased.push(evidence_casing(other));
                phrases.push(other.phrase.clone());
                continue;
            }
            // A later reason stated in the sentence right after this section's last one,
            // which leans on it ("This was exacerbated by predatory lending …" after "The
            // causes included excessive speculation …"), reads only here: it joins the
            // section.
            let Some(&last) = quoted.last() else {
                continue;
            };
            let next = SentenceKey {
                document: last.document,
                ordinal: last.ordinal + 1,
            };
            let leans_here = other.sentences.first() == Some(&next)
                && !citations.used.contains(&next)
                && leans_on_previous(
                    evidence.documents[next.document]
                        .stored
                        .sentence_text(next.ordinal),
                );
            if !merged[later]
                && leans_here
                && sentences.len() < MAX_SENTENCES_PER_SECTION
                && let Some(sentence) = citations.quote(next)
            {
                merged[later] = true;
                sentences.push(sentence);
                quoted.push(next);
                headings.push(other.heading.as_str());
                later_cased.push(evidence_casing(other));
                phrases.push(other.phrase.clone());
            }
        }
        reasons.push(phrases);
        sections.push(FactorSection {
            heading: join_headings(
                &std::iter::once(headings[0])
                    .chain(later_cased.iter().map(String::as_str))
                    .collect::<Vec<_>>(),
            ),
            support: (f64::from(factor.support) * 100.0).round() / 100.0,
            sentences,
        });
    }

    // Does a quoted overview sentence state one of the reasons found?
    let overview_states_a_reason = overview_keys
        .iter()
        .any(|key| factors.iter().any(|f| f.sentences.contains(key)));
    // Or any causal statement at all ("usually caused by Mycobacterium tuberculosis"): the
    // coverage note then never says the sources state no reason.
    // A causal statement in the overview that points the question's way: for a question
    // about causes, not what the subject itself caused ("World War II was the deadliest
    // conflict in history, causing the deaths of …" is no reason it started).
    let overview_is_causal = overview_keys.iter().any(|key| {
        evidence.find(key.document, key.ordinal).is_some_and(|i| {
            let sentence = &evidence.sentences[i];
            let text = evidence.text(sentence);
            sentence.causal.iter().any(|statement| {
                let antecedent = &text[statement.antecedent.clone()];
                let names_subject =
                    evidence.names_topic(antecedent) || crate::causal::is_anaphoric(antecedent);
                // "Isolated seizures … are provoked by identifiable causes" explains the
                // seizures, not epilepsy: a cause must be of the subject, and what leads
                // to something must not be the subject itself.
                !explains_a_name(statement, text, evidence)
                    && (evidence.focus != Focus::Causes
                        || (statement.direction == Direction::Cause && names_subject)
                        || (statement.direction == Direction::Effect && !names_subject))
            })
        })
    });
    let coverage = coverage(
        question,
        evidence,
        &citations,
        explicit,
        Reasons {
            sections: sections.len(),
            named: reasons.iter().map(Vec::len).sum(),
            in_overview: overview_states_a_reason || overview_is_causal,
        },
    );
    let summary = if sections.is_empty() {
        let cites = cited_sentences(&overview);
        if overview_reasons.is_empty() {
            // No reason to restate: a summary that only says so repeats the coverage note.
            Vec::new()
        } else {
            let reasons = vec![overview_reasons];
            summary(&evidence.intent, &reasons, cites, &coverage)
        }
    } else {
        summary(&evidence.intent, &reasons, cited_by(&sections), &coverage)
    };
    // Every quotable sentence that answers is a section's only evidence (one sentence states
    // all the reasons): the overview then names them, built from the headings.
    // When no quoted sentence of the overview states a reason (the sentences that do are
    // the only evidence of their sections), a template sentence built from the headings says
    // what the reasons are, so that the text before the first heading answers.
    let states_a_reason = overview_states_a_reason;
    let mut overview = overview;
    if !sections.is_empty()
        && (overview.is_empty() || (!states_a_reason && coverage.level != CoverageLevel::Thin))
    {
        overview.push(answer_in_brief(&sections, &reasons));
    }
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
            model: None,
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
        // Room for one more sentence, or for one from another source when the first
        // brought the sentences it leans on.
        let other_source = !quoted
            .iter()
            .any(|k: &SentenceKey| k.document == key.document);
        let room = sentences.len() < MAX_SENTENCES_PER_SECTION - 1
            || (other_source && sentences.len() <= MAX_SENTENCES_PER_SECTION);
        if !room || citations.used.contains(&key) {
            continue;
        }
        let document = &evidence.documents[key.document];
        let text = document.stored.sentence_text(key.ordinal);
        let leans = key.ordinal > 0 && leans_on_previous(text);
        let context = if leans {
            Some(chain_start(&document.stored, key.ordinal))
        } else if key.ordinal > 0 && !document.about_subject && sentences.is_empty() {
            // A sentence from another document is introduced by that document's first one.
            Some(0)
        } else {
            None
        };
        // A sentence that refers back reads only right after the sentence it refers to:
        // when that one is quoted elsewhere already, this one is left out.
        if let Some(ordinal) = context.filter(|_| leans) {
            let previous = SentenceKey {
                document: key.document,
                ordinal,
            };
            if citations.used.contains(&previous) && quoted.last() != Some(&previous) {
                continue;
            }
        }
        let ordinals: Vec<usize> = match context {
            Some(start) if leans => (start..=key.ordinal).collect(),
            Some(start) => vec![start, key.ordinal],
            None => vec![key.ordinal],
        };
        for key in ordinals.into_iter().map(|ordinal| SentenceKey {
            document: key.document,
            ordinal,
        }) {
            if let Some(sentence) = citations.quote(key) {
                sentences.push(sentence);
                quoted.push(key);
            }
        }
    }
    (sentences, quoted)
}

/// A factor's heading with the evidence's own casing: its running-text phrase without the
/// article, when that is the heading.
fn evidence_casing(factor: &Factor) -> String {
    let phrase = ["the ", "a ", "an "]
        .iter()
        .find_map(|article| factor.phrase.strip_prefix(article))
        .unwrap_or(&factor.phrase);
    if phrase.to_lowercase() == factor.heading.to_lowercase() {
        phrase.to_owned()
    } else {
        lower_first(&factor.heading)
    }
}

/// "Lack of blood flow and bleeding": at most five headings, joined as a list.
fn join_headings(headings: &[&str]) -> String {
    // At most five items and twelve words: the quoted sentence lists the rest, and a
    // heading stays short.
    let mut words = 0;
    let shown: Vec<String> = headings
        .iter()
        .take(5)
        .take_while(|h| {
            let first = words == 0;
            words += h.split_whitespace().count();
            first || words <= 12
        })
        // Those after the first come in the evidence's casing already ("the Coriolis
        // effect" keeps its capital).
        .map(|h| (*h).to_owned())
        .collect();
    match shown.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {}", rest.join(", "), last),
        [] => String::new(),
    }
}

/// Where the article states reasons: how many sections, how many reasons they name, and
/// whether its overview quotes one.
#[derive(Debug, Clone, Copy)]
struct Reasons {
    sections: usize,
    named: usize,
    in_overview: bool,
}

/// Does the statement explain a name ("Its members were known as the \"Boxers\" in English,
/// owing to many of them practicing Chinese martial arts") for a question that does not ask
/// about a name? Such a statement is no reason the subject came about.
pub(crate) fn explains_a_name(
    statement: &crate::causal::CausalStatement,
    text: &str,
    evidence: &Evidence,
) -> bool {
    statement.direction == Direction::Cause
        && evidence.intent.kind != AnswerKind::Naming
        && text
            .get(statement.antecedent.clone())
            .is_some_and(gives_a_name)
}

/// Does the clause give something a name as what it says ("… were known as the \"Boxers\"",
/// "is often called the Red Planet", "became known as"): the naming word after a form of
/// "be" or "become". An alias set off inside the clause ("Lyme disease, also known as Lyme
/// borreliosis, is … caused by …") is not what it says.
fn gives_a_name(clause: &str) -> bool {
    const NAMING: &[&str] = &[
        "known as",
        "called",
        "referred to as",
        "nicknamed",
        "named",
        "termed",
    ];
    const BE: &[&str] = &[
        "is", "are", "was", "were", "be", "been", "being", "became", "become", "becomes",
    ];
    const ADVERBS: &[&str] = &[
        "also",
        "often",
        "commonly",
        "sometimes",
        "usually",
        "popularly",
        "widely",
        "better",
        "generally",
        "now",
        "later",
        "simply",
        "still",
    ];
    let words: Vec<String> = clause
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    // "The term cold war is used because …", "The name was chosen because …": a word's use
    // is about the name (not "The term now broadly encompasses communities formed through
    // forced displacement caused by …").
    if words.first().is_some_and(|w| w == "the")
        && words
            .get(1)
            .is_some_and(|w| ["term", "name", "word", "phrase"].contains(&w.as_str()))
        && words.last().is_some_and(|w| {
            ["used", "coined", "given", "applied", "chosen", "adopted"].contains(&w.as_str())
        })
        && words
            .iter()
            .rev()
            .skip(1)
            .find(|w| !ADVERBS.contains(&w.as_str()))
            .is_some_and(|w| BE.contains(&w.as_str()))
    {
        return true;
    }
    (0..words.len()).any(|at| {
        let names = NAMING.iter().any(|marker| {
            let marker: Vec<&str> = marker.split(' ').collect();
            words[at..].iter().take(marker.len()).eq(marker.iter())
        });
        names
            && words[..at]
                .iter()
                .rev()
                .find(|w| !ADVERBS.contains(&w.as_str()))
                .is_some_and(|w| BE.contains(&w.as_str()))
    })
}

fn coverage(
    question: &Question,
    evidence: &Evidence,
    citations: &Citations<'_>,
    explicit: usize,
    reasons: Reasons,
) -> Coverage {
    let sections = reasons.sections;
    let (covered, _) = covered_terms(evidence, citations);
    let answer: f32 = covered.iter().map(|t| t.weight).sum::<f32>() / evidence.total_weight();
    let breadth = (citations.sources.len() as f32 / 3.0).min(1.0);
    let causal = (explicit as f32 / 2.0).min(1.0);
    let score = 0.6 * answer + 0.25 * causal + 0.15 * breadth;
    let score = (f64::from(score) * 100.0).round() / 100.0;
    // An article that states no reason, in a section or its overview, does not answer a
    // why-question, however much of the subject its sources describe.
    let no_reason = sections == 0 && !reasons.in_overview;
    // One reason alone is no full answer to a why: "The Great Depression happened because of
    // the Wall Street crash of 1929" read as misleadingly complete to a blind reader.
    let level = if answer < 0.5 || score < 0.45 || no_reason {
        CoverageLevel::Thin
    } else if score < 0.7 || reasons.named < 2 {
        CoverageLevel::Partial
    } else {
        CoverageLevel::Strong
    };
    let note = match level {
        CoverageLevel::Strong => None,
        CoverageLevel::Partial if sections == 0 => Some(
            "The corpus answers this question only in part: the reason quoted here is what its sources state, and there may be others they do not cover.".to_owned(),
        ),
        CoverageLevel::Partial if reasons.named == 1 => Some(
            "The corpus answers this question only in part: the reason below is the one its sources state, and there may be others they do not cover.".to_owned(),
        ),
        CoverageLevel::Partial => Some(
            "The corpus answers this question only in part: the reasons below are what its sources state, and there may be others they do not cover.".to_owned(),
        ),
        CoverageLevel::Thin => Some(thin_note(question, evidence, citations, reasons)),
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
fn thin_note(
    _question: &Question,
    evidence: &Evidence,
    citations: &Citations<'_>,
    reasons: Reasons,
) -> String {
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
    // The subject by its name when every word of it is covered ("the Great Barrier Reef",
    // not "“Great”, “Barrier”, “Reef”").
    let subject = &evidence.intent.subject;
    let subject_words: Vec<String> = subject
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    let names_the_subject = !subject.is_empty()
        && covered
            .iter()
            .all(|t| subject_words.contains(&t.word.to_lowercase()));
    if !covered.is_empty() && !missing.is_empty() {
        let discussed = if names_the_subject {
            subject.clone()
        } else {
            list(&covered)
        };
        // And what it asks of the subject as the question words it ("“break up”").
        let event = &evidence.intent.event;
        let event_words: Vec<String> = event.split_whitespace().map(|w| w.to_lowercase()).collect();
        let asked = if !event.is_empty()
            && missing
                .iter()
                .all(|t| event_words.contains(&t.word.to_lowercase()))
        {
            format!("“{event}”")
        } else {
            list(&missing)
        };
        note.push_str(&format!(
            " Its sources discuss {discussed} but say nothing that connects it to {asked}."
        ));
    } else if covered.is_empty() {
        note.push_str(" None of its sources discuss the subject directly.");
    }
    if reasons.sections == 0 && !reasons.in_overview {
        note.push_str(
            " It quotes what its sources say about the subject; none of it states a reason in so many words.",
        );
    } else if reasons.sections == 0 {
        note.push_str(" It quotes the closest material it has.");
    } else {
        note.push_str(" The sections below quote the closest material it has.");
    }
    note
}

/// Words that open a question: a topic that begins with one is the whole question.
const QUESTION_WORDS: &[&str] = &[
    "What", "Why", "How", "Which", "When", "Where", "Who", "Does", "Do", "Did", "Is", "Are", "Was",
    "Were", "Can",
];

/// One or two sentences that name the reasons, restating the question ("The Titanic sank
/// because of …", "Hypertension is dangerous because it leads to …"); marked `template`,
/// since only the headings and the question's own words are used.
fn summary(
    intent: &Intent,
    reasons: &[Vec<String>],
    cites: Vec<u32>,
    coverage: &Coverage,
) -> Vec<Sentence> {
    let all = flatten(reasons);
    let listed = join_list(&all);
    let statement = restate(intent);
    // As the question wrote it ("Lyme disease", "the Titanic"), unless it opens the
    // question ("What generates Earth's magnetic field" when no subject was parsed).
    let topic = intent.topic();
    let subject = match topic.split_whitespace().next() {
        Some(first) if QUESTION_WORDS.contains(&first) => lower_first(&topic),
        _ => topic,
    };
    let past = intent.tense == Tense::Past;
    let text = match (coverage.level, intent.kind, statement) {
        (CoverageLevel::Thin, _, Some(statement)) => format!(
            "The sources do not say directly why {statement}; the closest they come is {listed}."
        ),
        (CoverageLevel::Thin, _, None) => format!(
            "The sources hold little direct evidence on this question; the closest they come is {listed}."
        ),
        // "… because of its central role in …": a role is no consequence; nor is what it
        // does ("… because it enables two or more users to conduct a conversation").
        (_, AnswerKind::Significance, Some(statement))
            if all.iter().any(|p| p.starts_with("it ")) =>
        {
            format!("{} {}.", capitalise(&statement), what_it_does(&all))
        }
        (_, AnswerKind::Significance, Some(statement)) if listed.starts_with("its ") => {
            format!("{} because of {listed}.", capitalise(&statement))
        }
        (_, AnswerKind::Significance, Some(statement)) => format!(
            "{} because it {} {listed}.",
            capitalise(&statement),
            if past { "led to" } else { "can lead to" }
        ),
        (_, AnswerKind::Significance, None) => {
            format!("The sources name these consequences of {subject}: {listed}.")
        }
        // "The Berlin Wall was built with the aim of preventing …".
        (_, AnswerKind::Purpose, Some(statement)) => {
            format!("{} {}.", capitalise(&statement), purposes(&all))
        }
        (_, _, Some(statement)) => format!("{} because of {listed}.", capitalise(&statement)),
        (_, AnswerKind::Purpose, None) => {
            format!(
                "According to the sources, {subject} exists {}.",
                purposes(&all)
            )
        }
        (_, _, None) if all.len() == 1 => {
            format!("The sources name one cause of {subject}: {listed}.")
        }
        (_, _, None) => format!(
            "The sources name {} causes of {subject}: {listed}.",
            number_word(all.len())
        ),
    };
    vec![Sentence::new(text, cites, SentenceKind::Template)]
}

/// Why a thing matters when one reason is what it does: "because it enables …", with any
/// other reason after "and because of".
fn what_it_does(all: &[String]) -> String {
    let (clauses, others): (Vec<String>, Vec<String>) =
        all.iter().cloned().partition(|p| p.starts_with("it "));
    let mut text = format!("because {}", join_list(&clauses));
    if !others.is_empty() {
        text.push_str(&format!(", and because of {}", join_list(&others)));
    }
    text
}

/// What a thing was made for, from the phrases of its reasons: aims ("with the aim of a and
/// b") and protection ("as protection against c") as they read, any other reason after
/// "because of".
fn purposes(all: &[String]) -> String {
    const AIM: &str = "with the aim of ";
    let aims: Vec<String> = all
        .iter()
        .filter_map(|p| p.strip_prefix(AIM).map(str::to_owned))
        .collect();
    let protections: Vec<String> = all
        .iter()
        .filter(|p| p.starts_with("as "))
        .cloned()
        .collect();
    let others: Vec<String> = all
        .iter()
        .filter(|p| !p.starts_with(AIM) && !p.starts_with("as "))
        .cloned()
        .collect();
    let mut parts = Vec::new();
    if !aims.is_empty() {
        parts.push(format!("{AIM}{}", join_list(&aims)));
    }
    parts.extend(protections);
    if !others.is_empty() {
        parts.push(format!("because of {}", join_list(&others)));
    }
    parts.join(", and ")
}

/// "The sources point to a and b." — the answer upfront when no quoted sentence gives it.
fn answer_in_brief(sections: &[FactorSection], reasons: &[Vec<String>]) -> Sentence {
    // An aim reads as one: "the aim of maintaining world peace", "protection against …".
    let named: Vec<String> = flatten(reasons)
        .into_iter()
        .map(|phrase| {
            if let Some(aim) = phrase.strip_prefix("with the aim of ") {
                format!("the aim of {aim}")
            } else if phrase.starts_with("it ") {
                // "what it does: it enables …" reads as a clause after a colon.
                format!("what it does: {phrase}")
            } else if let Some(protection) = phrase.strip_prefix("as ") {
                protection.to_owned()
            } else {
                phrase
            }
        })
        .collect();
    Sentence::new(
        format!("The sources point to {}.", join_list(&named)),
        cited_by(sections),
        SentenceKind::Template,
    )
}

/// Every reason once, in section order, at most six.
fn flatten(reasons: &[Vec<String>]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for phrase in reasons.iter().flatten() {
        if !all.contains(phrase) {
            all.push(phrase.clone());
        }
    }
    all.truncate(6);
    all
}

fn cited_by(sections: &[FactorSection]) -> Vec<u32> {
    let sentences: Vec<Sentence> = sections
        .iter()
        .flat_map(|s| s.sentences.iter().cloned())
        .collect();
    cited_sentences(&sentences)
}

/// Every source the sentences cite, once, in order.
fn cited_sentences(sentences: &[Sentence]) -> Vec<u32> {
    let mut cites: Vec<u32> = sentences
        .iter()
        .flat_map(|x| x.cites.iter().copied())
        .collect();
    cites.sort_unstable();
    cites.dedup();
    cites
}

/// "a, b and c"; when an item has its own "and", the last one joins with "as well as".
fn join_list(items: &[String]) -> String {
    let inner_and = items.iter().any(|i| i.contains(" and "));
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] if inner_and => format!("{} as well as {last}", rest.join(", ")),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn number_word(n: usize) -> String {
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven",
    ]
    .get(n)
    .map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

/// The question as a statement: "Why did the Titanic sink?" → "the Titanic sank", "Why is
/// hypertension dangerous?" → "hypertension is dangerous", "Why didn't NATO send troops?" →
/// "NATO did not send troops". `None` when the question has no clause to restate ("What
/// causes diabetes?").
pub fn restate(intent: &Intent) -> Option<String> {
    if intent.subject.is_empty() || intent.event.is_empty() {
        return None;
    }
    let aux = intent.auxiliary.to_lowercase().replace('’', "'");
    let subject = &intent.subject;
    let event = &intent.event;
    if intent.negated {
        let positive = aux
            .trim_end_matches("n't")
            .trim_end_matches("nt")
            .to_owned();
        let positive = match positive.as_str() {
            "ca" | "can" | "cannot" => "can".to_owned(),
            "wo" => "will".to_owned(),
            other => other.to_owned(),
        };
        return Some(format!("{subject} {positive} not {event}"));
    }
    let (verb, rest) = event.split_once(' ').unwrap_or((event.as_str(), ""));
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(" {rest}")
    };
    let inflected = match aux.as_str() {
        "did" => past_tense(verb),
        "does" => third_person(verb),
        "do" | "" => verb.to_owned(),
        // "is", "was", "can", "has" …: the auxiliary stays.
        _ => return Some(format!("{subject} {aux} {event}")),
    };
    Some(format!("{subject} {inflected}{rest}"))
}

/// Past tense of a base-form verb: the common irregular ones by table, the rest by rule.
fn past_tense(verb: &str) -> String {
    const IRREGULAR: &[(&str, &str)] = &[
        ("be", "was"),
        ("become", "became"),
        ("begin", "began"),
        ("break", "broke"),
        ("bring", "brought"),
        ("build", "built"),
        ("buy", "bought"),
        ("catch", "caught"),
        ("choose", "chose"),
        ("come", "came"),
        ("do", "did"),
        ("draw", "drew"),
        ("drink", "drank"),
        ("drive", "drove"),
        ("eat", "ate"),
        ("fall", "fell"),
        ("feel", "felt"),
        ("fight", "fought"),
        ("find", "found"),
        ("fly", "flew"),
        ("forget", "forgot"),
        ("freeze", "froze"),
        ("get", "got"),
        ("give", "gave"),
        ("go", "went"),
        ("grow", "grew"),
        ("have", "had"),
        ("hide", "hid"),
        ("hold", "held"),
        ("keep", "kept"),
        ("know", "knew"),
        ("lay", "laid"),
        ("lead", "led"),
        ("leave", "left"),
        ("lose", "lost"),
        ("make", "made"),
        ("mean", "meant"),
        ("meet", "met"),
        ("pay", "paid"),
        ("rise", "rose"),
        ("run", "ran"),
        ("say", "said"),
        ("see", "saw"),
        ("sell", "sold"),
        ("send", "sent"),
        ("shake", "shook"),
        ("shine", "shone"),
        ("shrink", "shrank"),
        ("sing", "sang"),
        ("sink", "sank"),
        ("sit", "sat"),
        ("sleep", "slept"),
        ("speak", "spoke"),
        ("spend", "spent"),
        ("stand", "stood"),
        ("steal", "stole"),
        ("stick", "stuck"),
        ("strike", "struck"),
        ("swim", "swam"),
        ("take", "took"),
        ("teach", "taught"),
        ("tear", "tore"),
        ("tell", "told"),
        ("think", "thought"),
        ("throw", "threw"),
        ("understand", "understood"),
        ("wake", "woke"),
        ("wear", "wore"),
        ("win", "won"),
        ("write", "wrote"),
        ("cut", "cut"),
        ("hit", "hit"),
        ("hurt", "hurt"),
        ("let", "let"),
        ("put", "put"),
        ("quit", "quit"),
        ("set", "set"),
        ("shut", "shut"),
        ("spread", "spread"),
        ("split", "split"),
        ("cost", "cost"),
        ("burst", "burst"),
    ];
    let lower = verb.to_lowercase();
    if let Some((_, past)) = IRREGULAR.iter().find(|(base, _)| *base == lower) {
        return (*past).to_owned();
    }
    let vowels = |c: char| "aeiou".contains(c);
    let chars: Vec<char> = lower.chars().collect();
    if lower.ends_with('e') {
        format!("{verb}d")
    } else if lower.ends_with('y') && chars.len() > 1 && !vowels(chars[chars.len() - 2]) {
        format!("{}ied", &verb[..verb.len() - 1])
    } else if chars.len() == 3
        && !vowels(chars[0])
        && vowels(chars[1])
        && !vowels(chars[2])
        && !"wxy".contains(chars[2])
    {
        // "stop" → "stopped": one short vowel before one final consonant.
        format!("{verb}{}ed", chars[2])
    } else {
        format!("{verb}ed")
    }
}

fn third_person(verb: &str) -> String {
    let lower = verb.to_lowercase();
    match lower.as_str() {
        "have" => "has".to_owned(),
        "be" => "is".to_owned(),
        "do" => "does".to_owned(),
        "go" => "goes".to_owned(),
        _ if ["s", "sh", "ch", "x", "z", "o"]
            .iter()
            .any(|e| lower.ends_with(e)) =>
        {
            format!("{verb}es")
        }
        _ if lower.ends_with('y')
            && lower.len() > 1
            && !"aeiou".contains(lower.chars().rev().nth(1).unwrap_or('a')) =>
        {
            format!("{}ies", &verb[..verb.len() - 1])
        }
        _ => format!("{verb}s"),
    }
}

/// Lowercases the first letter unless the first word looks like a name or acronym
/// (a capital inside it, or a capitalised second word).
pub(crate) fn lower_first(heading: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_thing_does_reads_as_a_clause_after_because() {
        let phrases = |list: &[&str]| list.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            what_it_does(&phrases(&["it enables users to talk"])),
            "because it enables users to talk"
        );
        assert_eq!(
            what_it_does(&phrases(&["its role as a route", "it carries trade"])),
            "because it carries trade, and because of its role as a route"
        );
    }

    #[test]
    fn purposes_read_as_aims_with_other_reasons_after_them() {
        let phrases = |list: &[&str]| list.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            purposes(&phrases(&[
                "with the aim of making peace",
                "the baronial revolt"
            ])),
            "with the aim of making peace, and because of the baronial revolt"
        );
        assert_eq!(
            purposes(&phrases(&[
                "with the aim of maintaining world peace",
                "with the aim of promoting cooperation",
                "as protection against nomads"
            ])),
            "with the aim of maintaining world peace and promoting cooperation, and as protection against nomads"
        );
    }

    #[test]
    fn a_pronoun_after_a_discourse_marker_leans_on_the_sentence_before() {
        assert!(leans_on_previous(
            "Specifically, it is a deficiency, excess, or imbalance of energy."
        ));
        assert!(leans_on_previous("As a result, they left."));
        assert!(!leans_on_previous(
            "Specifically, malnutrition is a deficiency."
        ));
        assert!(!leans_on_previous("In 1912, the ship sank."));
    }

    #[test]
    fn a_clause_that_gives_a_name_is_told_from_one_with_an_alias() {
        assert!(gives_a_name(
            "Its members were known as the \"Boxers\" in English"
        ));
        assert!(gives_a_name("Mars is often called the Red Planet"));
        assert!(gives_a_name("The term cold war is used"));
        assert!(!gives_a_name("The terms of the treaty were harsh"));
        assert!(!gives_a_name(
            "The term now broadly encompasses communities formed through voluntary migration as well as through forced displacement"
        ));
        assert!(gives_a_name(
            "The city later became known as Constantinople"
        ));
        assert!(!gives_a_name(
            "Lyme disease, also known as Lyme borreliosis, is a tick-borne disease"
        ));
        assert!(!gives_a_name("The Titanic sank"));
        assert!(!gives_a_name(
            "A man named Gavrilo Princip shot the archduke"
        ));
    }
}
