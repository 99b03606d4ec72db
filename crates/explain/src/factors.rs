//! Factor discovery: the distinct reasons behind an answer.
//!
//! Two sources of factors, merged and ranked:
//! 1. explicit causal statements, one candidate per enumerated item, each then looked up
//!    again in the index so that other documents that state the same reason support it;
//! 2. the remaining strong evidence, grouped by lexical similarity, so that a sentence that
//!    answers the question without a causal cue still becomes a section.
//!
//! Near-duplicates are merged; factors are ranked by support (relevance × distinct sources)
//! and the few that matter are kept.

use std::collections::HashSet;

use index::{Index, WeightedTerm};

use crate::ExplainError;
use crate::causal::{Direction, heading_from_phrase, is_anaphoric};
use crate::cluster::cluster_by_meaning;
use crate::evidence::{Evidence, Focus};

/// A sentence of the evidence, by document position and sentence ordinal (stable while the
/// evidence grows, unlike positions in the sorted sentence list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SentenceKey {
    pub document: usize,
    pub ordinal: usize,
}

/// One reason behind the answer.
#[derive(Debug, Clone)]
pub struct Factor {
    pub heading: String,
    pub support: f32,
    /// `Some` for factors from explicit causal statements.
    pub direction: Option<Direction>,
    /// Backing sentences, strongest first.
    pub sentences: Vec<SentenceKey>,
    /// Stems of the heading, used to recognise the same factor stated twice.
    pub key_stems: HashSet<String>,
}

/// Settings of factor discovery.
#[derive(Debug, Clone)]
pub struct FactorConfig {
    pub max_factors: usize,
    /// Sentences below this relevance are not about the question.
    pub min_relevance: f32,
    /// Evidence grouped into factors without a causal cue must be at least this relevant.
    pub min_cluster_relevance: f32,
    /// At most this many factors come from grouped evidence.
    pub max_cluster_factors: usize,
    /// Factors looked up again in the index for support from other documents.
    pub follow_up_searches: usize,
}

impl Default for FactorConfig {
    fn default() -> Self {
        FactorConfig {
            max_factors: 7,
            min_relevance: 0.3,
            min_cluster_relevance: 0.4,
            max_cluster_factors: 3,
            follow_up_searches: 8,
        }
    }
}

/// Finds the factors of an answer. Sentences in `reserved` (the overview) back no factor.
pub fn discover_factors(
    index: &Index,
    evidence: &mut Evidence,
    reserved: &HashSet<SentenceKey>,
    config: &FactorConfig,
) -> Result<Vec<Factor>, ExplainError> {
    let mut candidates = causal_candidates(index, evidence, config);
    candidates = merge_duplicates(candidates);
    candidates.sort_by(|a, b| b.support.total_cmp(&a.support));
    for factor in candidates.iter_mut().take(config.follow_up_searches) {
        add_support_from_other_documents(index, evidence, factor)?;
    }
    let used: HashSet<SentenceKey> = candidates
        .iter()
        .flat_map(|f| f.sentences.iter().copied())
        .chain(reserved.iter().copied())
        .collect();
    candidates.extend(cluster_candidates(index, evidence, &used, config));

    for factor in &mut candidates {
        let sources: HashSet<usize> = factor.sentences.iter().map(|k| k.document).collect();
        let breadth = 1.0 + 0.25 * (sources.len().saturating_sub(1)).min(3) as f32;
        let explicit = if factor.direction.is_some() { 1.2 } else { 1.0 };
        factor.support = (factor.support * breadth * explicit).min(1.0);
    }
    candidates.sort_by(|a, b| b.support.total_cmp(&a.support));
    Ok(select(candidates, config))
}

fn causal_candidates(index: &Index, evidence: &Evidence, config: &FactorConfig) -> Vec<Factor> {
    let mut candidates = Vec::new();
    for sentence in &evidence.sentences {
        if sentence.relevance < config.min_relevance || sentence.causal.is_empty() {
            continue;
        }
        let key = SentenceKey {
            document: sentence.document,
            ordinal: sentence.ordinal,
        };
        let text = evidence.text(sentence);
        let document = &evidence.documents[sentence.document];
        for statement in &sentence.causal {
            // An item names the subject when it carries most of the question's weight
            // ("World War I", "the Great Chinese Famine"), not merely a common word of it
            // ("the deaths of two million people" for the Black Death).
            // ("World War II" does not name "World War I": the subject's own title words
            // must all be there when a document about the subject was found.)
            let names_subject = |range: &std::ops::Range<usize>| {
                let stems = content_stems(index, &text[range.clone()]);
                match evidence.subject_stems() {
                    Some(subject) => subject.is_subset(&stems),
                    None => subject_weight(evidence, &stems) >= 0.5,
                }
            };
            let antecedent = &text[statement.antecedent.clone()];
            let antecedent_is_subject = subject_share(index, evidence, antecedent) >= 0.5;
            if statement.items.iter().any(names_subject) {
                // The subject sits among the items: "X led to <the subject>" names a cause;
                // "<effect> caused by <the subject>" names only what the subject caused.
                if statement.direction != Direction::Effect || antecedent_is_subject {
                    continue;
                }
                // "X led to <the subject>": X is the cause, the most direct answer there is.
                let heading = if let Some(cause) = crate::causal::appositive_cause(antecedent) {
                    heading_from_phrase(strip_determiner(cause))
                } else if !document.about_subject && is_anaphoric(antecedent) {
                    document.stored.title.clone()
                } else if !is_anaphoric(antecedent) && crate::causal::names_a_cause(antecedent) {
                    heading_from_phrase(antecedent)
                } else {
                    continue;
                };
                let key_stems = content_stems(index, &heading);
                if key_stems.is_empty() || key_stems.iter().all(|s| evidence.is_question_stem(s)) {
                    continue;
                }
                candidates.push(Factor {
                    key_stems,
                    heading,
                    support: sentence.score * 1.5,
                    direction: Some(Direction::Cause),
                    sentences: vec![key],
                });
                continue;
            }
            // Items explain the subject only when the statement is about it: in a document
            // about the subject, or with the subject named before the cue.
            let about = document.about_subject
                || subject_weight(evidence, &content_stems(index, antecedent)) >= 0.75;
            if !about {
                continue;
            }
            let weight = match (evidence.focus, statement.direction) {
                // Consequences of the subject do not explain why it happened.
                (Focus::Causes, Direction::Effect) => continue,
                (Focus::Effects, Direction::Cause) => 0.75,
                _ => 1.0,
            };
            for item in &statement.items {
                let heading = heading_from_phrase(&text[item.clone()]);
                let key_stems = content_stems(index, &heading);
                if key_stems.is_empty() {
                    continue;
                }
                candidates.push(Factor {
                    heading,
                    support: sentence.score * weight,
                    direction: Some(statement.direction),
                    sentences: vec![key],
                    key_stems,
                });
            }
        }
    }
    candidates
}

fn strip_determiner(phrase: &str) -> &str {
    for determiner in ["the ", "a ", "an ", "The ", "A ", "An "] {
        if let Some(rest) = phrase.strip_prefix(determiner) {
            return rest;
        }
    }
    phrase
}

/// Share of the question's term weight found among `stems`.
fn subject_weight(evidence: &Evidence, stems: &HashSet<String>) -> f32 {
    let found: f32 = evidence
        .terms
        .iter()
        .filter(|t| stems.contains(&t.stem))
        .map(|t| t.weight)
        .sum();
    found / evidence.total_weight()
}

/// Share of a phrase's content stems that are question terms.
fn subject_share(index: &Index, evidence: &Evidence, phrase: &str) -> f32 {
    let stems = content_stems(index, phrase);
    if stems.is_empty() {
        return 0.0;
    }
    let shared = stems
        .iter()
        .filter(|s| evidence.is_question_stem(s))
        .count();
    shared as f32 / stems.len() as f32
}

/// Stems of the words of `text` that are not function words.
pub(crate) fn content_stems(index: &Index, text: &str) -> HashSet<String> {
    const FUNCTION_WORDS: &[&str] = &[
        "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "and", "or",
        "as", "is", "are", "was", "were", "be", "its", "their", "that", "this", "which", "it",
    ];
    index
        .analyze(text)
        .into_iter()
        .filter(|t| !FUNCTION_WORDS.contains(&text[t.range.clone()].to_lowercase().as_str()))
        .map(|t| t.stem)
        .collect()
}

fn merge_duplicates(candidates: Vec<Factor>) -> Vec<Factor> {
    let mut merged: Vec<Factor> = Vec::new();
    for candidate in candidates {
        match merged
            .iter_mut()
            .find(|f| jaccard(&f.key_stems, &candidate.key_stems) >= 0.5)
        {
            Some(existing) => {
                for key in candidate.sentences {
                    if !existing.sentences.contains(&key) {
                        existing.sentences.push(key);
                    }
                }
                existing.support = existing.support.max(candidate.support);
            }
            None => merged.push(candidate),
        }
    }
    merged
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f32 / union as f32
}

/// Searches the index for the factor together with the question's subject, and adds
/// sentences of other documents that state the factor as a cause (or effect) in their own
/// causal statement, or that come from a document about the factor itself.
fn add_support_from_other_documents(
    index: &Index,
    evidence: &mut Evidence,
    factor: &mut Factor,
) -> Result<(), ExplainError> {
    let Some(direction) = factor.direction else {
        return Ok(());
    };
    let mut terms: Vec<WeightedTerm> = factor
        .key_stems
        .iter()
        .map(|stem| WeightedTerm {
            stem: stem.clone(),
            weight: 1.0,
        })
        .collect();
    for term in &evidence.terms {
        if !factor.key_stems.contains(&term.stem) {
            terms.push(WeightedTerm {
                stem: term.stem.clone(),
                weight: 0.5,
            });
        }
    }
    let hits = index.search(&terms, 12)?;
    let mut seen = HashSet::new();
    let mut added = 0;
    for hit in hits {
        if added >= 2 || seen.len() >= 5 || !seen.insert(hit.document) {
            continue;
        }
        let position = match evidence
            .documents
            .iter()
            .position(|d| d.stored.id == hit.document)
        {
            Some(position) => position,
            None => match index.document(hit.document)? {
                Some(stored) => evidence.add_document(index, stored, 0.5),
                None => continue,
            },
        };
        let about_factor = evidence.documents[position].title_stems == factor.key_stems;
        let best = evidence
            .sentences
            .iter()
            .filter(|s| s.document == position)
            .filter(|s| {
                let key = SentenceKey {
                    document: s.document,
                    ordinal: s.ordinal,
                };
                !factor.sentences.contains(&key)
            })
            .find(|s| {
                (about_factor && s.relevance >= 0.3)
                    || states_as_cause(
                        index,
                        evidence,
                        evidence.text(s),
                        &factor.key_stems,
                        direction,
                    )
            })
            .map(|s| SentenceKey {
                document: s.document,
                ordinal: s.ordinal,
            });
        if let Some(key) = best {
            factor.sentences.push(key);
            added += 1;
        }
    }
    Ok(())
}

/// Does `sentence` name the factor among the items of a causal statement of the same
/// direction, without naming the question's subject among the same items (which would make
/// them fellow causes rather than cause and effect)?
fn states_as_cause(
    index: &Index,
    evidence: &Evidence,
    sentence: &str,
    factor: &HashSet<String>,
    direction: Direction,
) -> bool {
    crate::causal::find_causal_statements(sentence)
        .iter()
        .filter(|statement| statement.direction == direction)
        .any(|statement| {
            let item_stems: Vec<HashSet<String>> = statement
                .items
                .iter()
                .map(|range| content_stems(index, &sentence[range.clone()]))
                .collect();
            let names_factor = item_stems.iter().any(|stems| factor.is_subset(stems));
            let names_subject = item_stems
                .iter()
                .any(|stems| stems.iter().any(|s| evidence.is_question_stem(s)));
            names_factor && !names_subject
        })
}

/// Two evidence sentences whose vectors are at least this similar give the same reason.
const SAME_REASON: f32 = 0.6;

/// Strong evidence not used by causal factors, grouped by meaning (or shared rare words).
fn cluster_candidates(
    index: &Index,
    evidence: &Evidence,
    used: &HashSet<SentenceKey>,
    config: &FactorConfig,
) -> Vec<Factor> {
    let top = evidence.sentences.first().map_or(0.0, |s| s.score);
    // Words of the documents about the subject (beyond the question's own): evidence from
    // elsewhere must share some of them to be on topic ("Four-stroke engine" shares only
    // the word "stroke" with "Stroke").
    let subject_vocabulary: HashSet<&str> = evidence
        .sentences
        .iter()
        .filter(|s| evidence.documents[s.document].about_subject)
        .flat_map(|s| s.stems.iter().map(String::as_str))
        .filter(|stem| !evidence.is_question_stem(stem) && index.idf(stem) >= 3.0)
        .collect();
    // A document elsewhere is on topic when it shares several rarer words with them.
    let on_topic = |document: usize| {
        if subject_vocabulary.is_empty() {
            return true;
        }
        let shared: HashSet<&str> = evidence
            .sentences
            .iter()
            .filter(|s| s.document == document)
            .flat_map(|s| s.stems.iter().map(String::as_str))
            .filter(|stem| subject_vocabulary.contains(stem))
            .collect();
        shared.len() >= 4
    };
    // Only strong evidence from the best-retrieved documents: a passing mention of the
    // subject elsewhere in the corpus is not a reason.
    let pool: Vec<_> = evidence
        .sentences
        .iter()
        .filter(|s| {
            let document = &evidence.documents[s.document];
            document.about_subject
                || (document.score >= 0.5 && s.relevance >= 0.4 && on_topic(s.document))
        })
        .filter(|s| s.relevance >= config.min_cluster_relevance && s.score >= 0.4 * top)
        .filter(|s| {
            !used.contains(&SentenceKey {
                document: s.document,
                ordinal: s.ordinal,
            })
        })
        .take(8)
        .collect();
    // By meaning when every sentence has a vector (average linkage: a group's members are
    // on average this close); else greedily by shared rare words.
    let vectors: Option<Vec<&[f32]>> = pool.iter().map(|s| s.vector.as_deref()).collect();
    let clusters: Vec<Vec<usize>> = match vectors {
        Some(vectors) => cluster_by_meaning(&vectors, SAME_REASON),
        None => {
            let mut clusters: Vec<Vec<usize>> = Vec::new();
            for (i, sentence) in pool.iter().enumerate() {
                let home = clusters
                    .iter_mut()
                    .find(|cluster| same_reason(index, evidence, pool[cluster[0]], sentence));
                match home {
                    Some(cluster) => cluster.push(i),
                    None => clusters.push(vec![i]),
                }
            }
            clusters
        }
    };
    clusters
        .into_iter()
        .map(|cluster| {
            let lead = pool[cluster[0]];
            let document = &evidence.documents[lead.document];
            let title_is_new = !document.about_subject
                && !document
                    .title_stems
                    .iter()
                    .all(|s| evidence.is_question_stem(s));
            let heading = if title_is_new && document.stored.title.split_whitespace().count() <= 6 {
                document.stored.title.clone()
            } else {
                key_phrase(index, evidence, evidence.text(lead))
            };
            Factor {
                key_stems: content_stems(index, &heading),
                heading,
                support: lead.score * 0.8,
                direction: None,
                sentences: cluster
                    .iter()
                    .map(|&i| SentenceKey {
                        document: pool[i].document,
                        ordinal: pool[i].ordinal,
                    })
                    .collect(),
            }
        })
        .filter(|f| !f.heading.is_empty())
        .take(config.max_cluster_factors)
        .collect()
}

/// Do two evidence sentences give the same reason? By meaning when both have vectors
/// (cosine ≥ 0.6), else by shared rare words.
fn same_reason(
    index: &Index,
    evidence: &Evidence,
    a: &crate::evidence::EvidenceSentence,
    b: &crate::evidence::EvidenceSentence,
) -> bool {
    match (&a.vector, &b.vector) {
        (Some(x), Some(y)) => x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>() >= SAME_REASON,
        _ => similarity(index, evidence, &a.stems, &b.stems) >= 0.3,
    }
}

/// IDF-weighted cosine similarity of two stem lists, ignoring the question's own terms
/// (every evidence sentence shares those).
fn similarity(index: &Index, evidence: &Evidence, a: &[String], b: &[String]) -> f32 {
    let vector = |stems: &[String]| -> std::collections::HashMap<String, f32> {
        let mut v = std::collections::HashMap::new();
        for stem in stems {
            if !evidence.is_question_stem(stem) {
                *v.entry(stem.clone()).or_insert(0.0) += index.idf(stem);
            }
        }
        v
    };
    let (va, vb) = (vector(a), vector(b));
    let dot: f32 = va
        .iter()
        .filter_map(|(k, x)| vb.get(k).map(|y| x * y))
        .sum();
    let norm =
        |v: &std::collections::HashMap<String, f32>| v.values().map(|x| x * x).sum::<f32>().sqrt();
    let denominator = norm(&va) * norm(&vb);
    if denominator == 0.0 {
        0.0
    } else {
        dot / denominator
    }
}

/// The most informative short phrase of a sentence: a run of one to four words, not
/// crossing punctuation, with the highest weight of rare words that are not in the question.
fn key_phrase(index: &Index, evidence: &Evidence, text: &str) -> String {
    let tokens = index.analyze(text);
    let weights: Vec<f32> = tokens
        .iter()
        .map(|t| {
            let word = text[t.range.clone()].to_lowercase();
            let function = crate::evidence::is_stopword(&word) || word.len() < 3;
            if function
                || evidence.is_question_stem(&t.stem)
                || word.chars().all(|c| c.is_ascii_digit())
            {
                0.0
            } else {
                index.idf(&t.stem)
            }
        })
        .collect();
    let word = |i: usize| text[tokens[i].range.clone()].to_lowercase();
    let verb_like = |w: &str| w.ends_with("ly") || w.ends_with("ing") || w.ends_with("ed");
    let mut best: Option<(f32, usize, usize)> = None;
    for start in 0..tokens.len() {
        if weights[start] == 0.0 || word(start).ends_with("ly") {
            continue;
        }
        let mut sum = 0.0;
        for end in start..tokens.len().min(start + 3) {
            if end > start {
                let gap = &text[tokens[end - 1].range.end..tokens[end].range.start];
                if gap.contains([',', ';', ':', '(', ')', '.', '"']) {
                    break;
                }
            }
            sum += weights[end];
            if weights[end] == 0.0 || verb_like(&word(end)) {
                continue;
            }
            let value = sum / (1.0 + 0.35 * (end - start) as f32);
            if best.is_none_or(|(b, _, _)| value > b) {
                best = Some((value, start, end));
            }
        }
    }
    match best {
        Some((_, start, end)) => {
            heading_from_phrase(&text[tokens[start].range.start..tokens[end].range.end])
        }
        None => String::new(),
    }
}

fn select(candidates: Vec<Factor>, config: &FactorConfig) -> Vec<Factor> {
    let best = candidates.first().map_or(0.0, |f| f.support);
    let mut chosen: Vec<Factor> = Vec::new();
    for candidate in candidates {
        if chosen.len() >= config.max_factors || candidate.support < 0.2 * best {
            break;
        }
        let repeats = chosen.iter().any(|f| {
            jaccard(&f.key_stems, &candidate.key_stems) >= 0.5
                || (!candidate.key_stems.is_empty() && candidate.key_stems.is_subset(&f.key_stems))
                || (candidate.direction.is_none()
                    && f.direction.is_none()
                    && candidate.sentences.iter().all(|k| f.sentences.contains(k)))
        });
        if repeats {
            continue;
        }
        chosen.push(candidate);
    }
    chosen
}
