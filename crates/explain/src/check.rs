//! The checker: does a sentence say only what its evidence says?
//!
//! Shared by the audit of articles written elsewhere (`crate::audit`) and, later, by the LLM
//! writer. A sentence is *supported* by its evidence when
//! - every number and every name in it appears in the evidence (a date, a figure or a proper
//!   name that the evidence does not hold is never supported, however close the rest), and
//! - its support score reaches [`SUPPORT_THRESHOLD`].
//!
//! The score mixes two measures that run here on CPU:
//! - lexical alignment: the share of the sentence's content words, weighted by how rare they
//!   are in the index (IDF), that one evidence sentence holds;
//! - meaning: the cosine of the two sentences' MiniLM embeddings, when the model is at hand.
//!
//! Both are taken per evidence sentence and the best evidence sentence gives the score: a
//! claim stitched together from words of several sentences is not supported by any of them.
//! The threshold was chosen on the training claims of SciFact and is measured on its test
//! claims by `because eval-checker` (see BENCHMARKS.md). Neither measure can tell a claim from
//! its contradiction on the same topic: the scores rank supported pairs above the others
//! fairly well (test AUC 0.77) but a precision of 0.9 is reached only near the top of the
//! scale, where little but near-quotations pass. An entailment model would do better; none
//! whose weights ship in a package registry is used yet.

use std::collections::HashSet;

use embed::Embedder;
use index::{Index, WeightedTerm};

/// The support score at or above which a sentence counts as supported (with every number and
/// name found): the lowest with a precision of "supported" of at least 0.9 on SciFact's
/// training claims, with the embedding model (recall there 0.02; on the test claims
/// precision 1.0, recall 0.01).
pub const SUPPORT_THRESHOLD: f32 = 0.92;

/// The same for the lexical measure alone, no model (train precision 0.90, recall 0.05; test
/// precision 0.80, recall 0.03).
pub const LEXICAL_SUPPORT_THRESHOLD: f32 = 0.93;

/// How a sentence stands against its evidence.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Support {
    /// The combined score of the best evidence sentence, 0–1.
    pub score: f32,
    /// Its lexical alignment, 0–1.
    pub lexical: f32,
    /// Its embedding cosine, when the model was at hand.
    pub semantic: Option<f32>,
    /// Which evidence sentence gave the score (index into the evidence given).
    pub best: Option<usize>,
    /// Numbers and names of the sentence that no evidence sentence holds.
    pub unmatched: Vec<String>,
    /// The verdict: the score reaches the threshold and nothing is unmatched.
    pub supported: bool,
}

/// Scores `claim` against each evidence sentence and keeps the best.
pub fn support(
    index: &Index,
    embedder: Option<&Embedder>,
    claim: &str,
    evidence: &[&str],
) -> Result<Support, embed::EmbedError> {
    let vectors = match embedder {
        Some(embedder) if !evidence.is_empty() => {
            let mut texts = Vec::with_capacity(evidence.len() + 1);
            texts.push(claim);
            texts.extend_from_slice(evidence);
            Some(embedder.embed(&texts)?)
        }
        _ => None,
    };
    let claim_terms = weighted_stems(index, claim);
    let mut best: Option<(usize, f32, f32, Option<f32>)> = None;
    for (i, sentence) in evidence.iter().enumerate() {
        let lexical = alignment(&claim_terms, &stem_set(index, sentence));
        let semantic = vectors
            .as_ref()
            .map(|v| cosine(&v[0], &v[i + 1]).clamp(0.0, 1.0));
        let score = combine(lexical, semantic);
        if best.is_none_or(|(_, s, _, _)| score > s) {
            best = Some((i, score, lexical, semantic));
        }
    }
    let unmatched = unmatched_specifics(claim, evidence);
    let (best, score, lexical, semantic) = match best {
        Some((i, score, lexical, semantic)) => (Some(i), score, lexical, semantic),
        None => (None, 0.0, 0.0, None),
    };
    let threshold = if semantic.is_some() {
        SUPPORT_THRESHOLD
    } else {
        LEXICAL_SUPPORT_THRESHOLD
    };
    Ok(Support {
        score,
        lexical,
        semantic,
        best,
        supported: best.is_some() && score >= threshold && unmatched.is_empty(),
        unmatched,
    })
}

/// The combined score: the mean of the two measures, or the lexical one alone.
pub fn combine(lexical: f32, semantic: Option<f32>) -> f32 {
    match semantic {
        Some(semantic) => 0.5 * lexical + 0.5 * semantic,
        None => lexical,
    }
}

/// Every stem of `text` once, weighted by its IDF: a query for the documents that speak of it.
pub fn idf_terms(index: &Index, text: &str) -> Vec<WeightedTerm> {
    let mut terms: Vec<WeightedTerm> = Vec::new();
    for token in index.analyze(text) {
        if !terms.iter().any(|t| t.stem == token.stem) {
            let weight = index.idf(&token.stem);
            terms.push(WeightedTerm {
                stem: token.stem,
                weight,
            });
        }
    }
    terms
}

/// The content stems of `text` with their IDF weights; function words left out.
fn weighted_stems(index: &Index, text: &str) -> Vec<(String, f32)> {
    let mut seen = HashSet::new();
    index
        .analyze(text)
        .into_iter()
        .filter(|t| !is_function_word(&text[t.range.clone()]))
        .filter(|t| seen.insert(t.stem.clone()))
        .map(|t| {
            let weight = index.idf(&t.stem);
            (t.stem, weight)
        })
        .collect()
}

fn stem_set(index: &Index, text: &str) -> HashSet<String> {
    index.analyze(text).into_iter().map(|t| t.stem).collect()
}

/// The weighted share of the claim's stems that the evidence holds.
pub fn alignment(claim: &[(String, f32)], evidence: &HashSet<String>) -> f32 {
    let total: f32 = claim.iter().map(|(_, w)| w).sum();
    if total <= f32::EPSILON {
        return 0.0;
    }
    let found: f32 = claim
        .iter()
        .filter(|(stem, _)| evidence.contains(stem))
        .map(|(_, w)| w)
        .sum();
    found / total
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    // The embedder returns unit-length vectors.
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn is_function_word(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "and", "or",
        "as", "is", "are", "was", "were", "be", "been", "being", "its", "their", "that", "this",
        "these", "those", "which", "it", "has", "have", "had", "not", "no", "but", "also", "such",
        "while", "there", "than", "into", "over", "about",
    ];
    WORDS.contains(&word.to_lowercase().as_str())
}

/// Numbers and names of `claim` that no evidence sentence holds, each compared as a whole
/// word without case ("1" is not found in "1929", nor "Ring" in "during"; "2,200" is found as
/// "2200"). A name is a capitalised word that does not open a sentence or follow a colon; a
/// number is any token with a digit ("1912", "2,200", "50%").
pub fn unmatched_specifics(claim: &str, evidence: &[&str]) -> Vec<String> {
    let mut words: HashSet<String> = HashSet::new();
    for sentence in evidence {
        for raw in sentence.split_whitespace() {
            let word = bare_word(raw).to_lowercase();
            // Hyphenated and slashed words hold their parts too ("Austria-Hungary").
            for part in word.split(['-', '–', '/']) {
                words.insert(part.replace(',', ""));
            }
            words.insert(word.replace(',', ""));
        }
    }
    let mut missing = Vec::new();
    let mut opens = true;
    for raw in claim.split_whitespace() {
        let word = bare_word(raw);
        let closes = raw.ends_with(['.', '!', '?', ':']);
        let specific = !word.is_empty()
            && (word.chars().any(|c| c.is_ascii_digit())
                || (!opens
                    && word.chars().next().is_some_and(char::is_uppercase)
                    && word.chars().skip(1).any(char::is_lowercase)));
        let found = |w: &str| {
            let w = w.to_lowercase().replace(',', "");
            words.contains(&w)
                || (w.contains(['-', '–', '/'])
                    && w.split(['-', '–', '/']).all(|p| words.contains(p)))
        };
        if specific && !found(word) && !missing.iter().any(|m| m == word) {
            missing.push(word.to_owned());
        }
        opens = closes;
    }
    missing
}

/// A word without the punctuation around it and without a possessive "'s" ("NATO's" is
/// "NATO").
fn bare_word(raw: &str) -> &str {
    let word = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '%');
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_must_be_in_the_evidence() {
        let evidence = ["RMS Titanic sank in the North Atlantic Ocean on 15 April 1912."];
        assert!(unmatched_specifics("The Titanic sank in 1912.", &evidence).is_empty());
        assert_eq!(
            unmatched_specifics("The Titanic sank in 1913 near Greenland.", &evidence),
            ["1913", "Greenland"]
        );
        // Whole words only: "1" is not in "1912", "Ant" not in "Atlantic".
        assert_eq!(
            unmatched_specifics("It sank on 1 April near Ant Island.", &evidence),
            ["1", "Ant", "Island"]
        );
        let crowd = ["Over 2,200 people from Austria-Hungary were aboard."];
        assert!(unmatched_specifics("There were 2200 passengers from Austria.", &crowd).is_empty());
        // A sentence's first word is no name; a possessive is found by its name.
        assert!(
            unmatched_specifics("Ocean liners sank. Titanic's end came in April.", &evidence)
                .is_empty()
        );
    }

    #[test]
    fn alignment_weighs_rare_words_more() {
        let claim = vec![("iceberg".to_owned(), 5.0), ("ship".to_owned(), 1.0)];
        let with_rare: HashSet<String> = ["iceberg".to_owned()].into();
        let with_common: HashSet<String> = ["ship".to_owned()].into();
        assert!(alignment(&claim, &with_rare) > 0.8);
        assert!(alignment(&claim, &with_common) < 0.2);
        assert_eq!(alignment(&[], &with_rare), 0.0);
    }
}
