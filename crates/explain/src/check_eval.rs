//! The checker measured on a public labelled set of claims: SciFact in its BEIR layout, whose
//! `queries.jsonl` keeps each claim's evidence with a label (`metadata.evidence`: document,
//! `SUPPORT` or `CONTRADICT`).
//!
//! Pairs, each a claim and the sentences of one abstract:
//! - the claim with an abstract labelled `SUPPORT`: supported;
//! - the claim with an abstract labelled `CONTRADICT`: not supported;
//! - a claim without evidence (SciFact's "not enough info") with the abstract BM25 ranks first
//!   for it: not supported.
//!
//! Claims with evidence belong to the split whose `qrels` judge them; claims without evidence
//! have no judgements, so every third of them (by id) is a test claim and the rest are
//! training claims. The threshold is chosen on the training pairs only.

use std::collections::HashMap;
use std::path::Path;

use embed::Embedder;
use index::Index;
use serde::{Deserialize, Serialize};

use crate::check;
use crate::retrieval_eval::load_qrels;

#[derive(Deserialize)]
struct LabelledClaim {
    #[serde(rename = "_id")]
    id: String,
    text: String,
    #[serde(default)]
    metadata: ClaimMetadata,
}

#[derive(Deserialize, Default)]
struct ClaimMetadata {
    #[serde(default)]
    evidence: Vec<ClaimEvidence>,
}

#[derive(Deserialize)]
struct ClaimEvidence {
    doc_id: String,
    label: String,
}

/// One claim against one abstract, scored.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredPair {
    pub claim: String,
    pub document: String,
    pub supported: bool,
    pub score: f32,
    pub lexical: f32,
    pub semantic: Option<f32>,
    pub unmatched: usize,
}

/// The checker's verdicts at one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Verdicts {
    pub threshold: f32,
    pub pairs: usize,
    pub positives: usize,
    pub precision: f64,
    pub recall: f64,
    pub balanced_accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckerReport {
    pub with_model: bool,
    /// Chosen on the training pairs: the lowest threshold whose precision reaches the target.
    pub chosen_threshold: f32,
    pub target_precision: f64,
    pub train: Verdicts,
    pub test: Verdicts,
    /// The threshold the checker ships with, measured on the test pairs.
    pub shipped: Verdicts,
    /// How well each score alone ranks supported pairs above the others on the test pairs
    /// (area under the ROC curve; 0.5 is chance).
    pub test_auc_combined: f64,
    pub test_auc_lexical: f64,
    pub test_auc_semantic: Option<f64>,
    /// Share of the test pairs labelled supported in which a number or name of the claim is
    /// not found in the abstract word for word.
    pub test_supported_with_unmatched: f64,
}

/// Area under the ROC curve of `score` for telling supported pairs from the others.
pub fn auc(pairs: &[ScoredPair], score: impl Fn(&ScoredPair) -> f32) -> f64 {
    let positives: Vec<f32> = pairs.iter().filter(|p| p.supported).map(&score).collect();
    let negatives: Vec<f32> = pairs.iter().filter(|p| !p.supported).map(&score).collect();
    if positives.is_empty() || negatives.is_empty() {
        return 0.5;
    }
    let mut wins = 0.0;
    for p in &positives {
        for n in &negatives {
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (positives.len() * negatives.len()) as f64
}

impl CheckerReport {
    pub fn to_text(&self) -> String {
        let row = |name: &str, v: &Verdicts| {
            format!(
                "{name:<8} threshold {:.2}  pairs {:5} (supported {:4})  precision {:.3}  recall {:.3}  balanced accuracy {:.3}\n",
                v.threshold, v.pairs, v.positives, v.precision, v.recall, v.balanced_accuracy
            )
        };
        let mut out = format!(
            "checker on SciFact claims ({}), target precision of \"supported\" {:.2}\n",
            if self.with_model {
                "lexical alignment and MiniLM cosine"
            } else {
                "lexical alignment only"
            },
            self.target_precision
        );
        out += &row("train", &self.train);
        out += &row("test", &self.test);
        out += &row("shipped", &self.shipped);
        out += &format!(
            "test AUC: combined {:.3}, lexical {:.3}, semantic {}; supported test pairs with an unmatched number or name: {:.2}\n",
            self.test_auc_combined,
            self.test_auc_lexical,
            self.test_auc_semantic
                .map_or("-".to_owned(), |a| format!("{a:.3}")),
            self.test_supported_with_unmatched
        );
        out
    }
}

/// Scores every labelled pair of `split`. `index` must hold the SciFact corpus (its
/// `document_by_key` finds abstracts by their SciFact id).
pub fn scored_pairs(
    index: &Index,
    embedder: Option<&Embedder>,
    dir: &Path,
    split: &str,
) -> Result<Vec<ScoredPair>, String> {
    let path = dir.join("queries.jsonl");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let judged = load_qrels(dir, split)?;
    let mut pairs = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let claim: LabelledClaim =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        let mut labelled: Vec<(String, bool)> = Vec::new();
        if claim.metadata.evidence.is_empty() {
            let number: u64 = claim.id.parse().unwrap_or(0);
            if number.is_multiple_of(3) != (split == "test") {
                continue;
            }
            if let Some(top) = top_document(index, &claim.text)? {
                labelled.push((top, false));
            }
        } else {
            if !judged.contains_key(&claim.id) {
                continue;
            }
            for evidence in &claim.metadata.evidence {
                if !labelled.iter().any(|(d, _)| d == &evidence.doc_id) {
                    labelled.push((evidence.doc_id.clone(), evidence.label == "SUPPORT"));
                }
            }
        }
        for (document, supported) in labelled {
            let Some(stored) = index
                .document_by_key(&document)
                .map_err(|e| e.to_string())?
            else {
                continue;
            };
            let sentences: Vec<&str> = (0..stored.sentences.len())
                .map(|n| stored.sentence_text(n))
                .collect();
            let support = check::support(index, embedder, &claim.text, &sentences)
                .map_err(|e| e.to_string())?;
            pairs.push(ScoredPair {
                claim: claim.text.clone(),
                document,
                supported,
                score: support.score,
                lexical: support.lexical,
                semantic: support.semantic,
                unmatched: support.unmatched.len(),
            });
        }
    }
    Ok(pairs)
}

/// The key of the document BM25 ranks first for `text`.
fn top_document(index: &Index, text: &str) -> Result<Option<String>, String> {
    let terms = check::idf_terms(index, text);
    let hits = index.search(&terms, 1).map_err(|e| e.to_string())?;
    let Some(hit) = hits.first() else {
        return Ok(None);
    };
    Ok(index
        .document(hit.document)
        .map_err(|e| e.to_string())?
        .map(|d| d.key))
}

/// The verdicts at `threshold`: supported when the score reaches it and no number or name is
/// unmatched.
pub fn verdicts(pairs: &[ScoredPair], threshold: f32) -> Verdicts {
    let said = |p: &ScoredPair| p.score >= threshold && p.unmatched == 0;
    let mut counts: HashMap<(bool, bool), usize> = HashMap::new();
    for pair in pairs {
        *counts.entry((pair.supported, said(pair))).or_default() += 1;
    }
    let count = |truth: bool, verdict: bool| counts.get(&(truth, verdict)).copied().unwrap_or(0);
    let (tp, fp, fneg, tn) = (
        count(true, true),
        count(false, true),
        count(true, false),
        count(false, false),
    );
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let recall = ratio(tp, tp + fneg);
    let specificity = ratio(tn, tn + fp);
    Verdicts {
        threshold,
        pairs: pairs.len(),
        positives: tp + fneg,
        precision: ratio(tp, tp + fp),
        recall,
        balanced_accuracy: (recall + specificity) / 2.0,
    }
}

/// The lowest threshold (in steps of 0.01) whose precision on `pairs` reaches `target` with at
/// least one supported verdict; the most precise one when none does.
pub fn choose_threshold(pairs: &[ScoredPair], target: f64) -> f32 {
    let steps: Vec<f32> = (0..=100).map(|i| i as f32 / 100.0).collect();
    let said = |t: f32| verdicts(pairs, t);
    steps
        .iter()
        .copied()
        .find(|&t| {
            let v = said(t);
            v.recall > 0.0 && v.precision >= target
        })
        .unwrap_or_else(|| {
            let said_something = || steps.iter().copied().filter(|&t| said(t).recall > 0.0);
            let best = said_something()
                .map(|t| said(t).precision)
                .fold(0.0, f64::max);
            said_something()
                .find(|&t| said(t).precision >= best)
                .unwrap_or(1.0)
        })
}

/// Scores both splits, chooses the threshold on train and measures it on test.
pub fn evaluate(
    index: &Index,
    embedder: Option<&Embedder>,
    dir: &Path,
    target: f64,
) -> Result<CheckerReport, String> {
    let train = scored_pairs(index, embedder, dir, "train")?;
    let test = scored_pairs(index, embedder, dir, "test")?;
    let chosen = choose_threshold(&train, target);
    let shipped = if embedder.is_some() {
        check::SUPPORT_THRESHOLD
    } else {
        check::LEXICAL_SUPPORT_THRESHOLD
    };
    Ok(CheckerReport {
        with_model: embedder.is_some(),
        chosen_threshold: chosen,
        target_precision: target,
        train: verdicts(&train, chosen),
        test: verdicts(&test, chosen),
        shipped: verdicts(&test, shipped),
        test_auc_combined: auc(&test, |p| p.score),
        test_auc_lexical: auc(&test, |p| p.lexical),
        test_auc_semantic: embedder
            .is_some()
            .then(|| auc(&test, |p| p.semantic.unwrap_or(0.0))),
        test_supported_with_unmatched: {
            let supported: Vec<&ScoredPair> = test.iter().filter(|p| p.supported).collect();
            supported.iter().filter(|p| p.unmatched > 0).count() as f64
                / supported.len().max(1) as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(supported: bool, score: f32, unmatched: usize) -> ScoredPair {
        ScoredPair {
            claim: String::new(),
            document: String::new(),
            supported,
            score,
            lexical: score,
            semantic: None,
            unmatched,
        }
    }

    #[test]
    fn verdicts_count_precision_and_recall() {
        let pairs = [
            pair(true, 0.9, 0),
            pair(true, 0.5, 0),
            pair(false, 0.95, 0),
            pair(false, 0.2, 0),
            // An unmatched name is never supported.
            pair(true, 0.99, 1),
        ];
        let v = verdicts(&pairs, 0.8);
        assert_eq!(v.positives, 3);
        assert!((v.precision - 0.5).abs() < 1e-9);
        assert!((v.recall - 1.0 / 3.0).abs() < 1e-9);
        // Only the negative above 0.95 is left out at 0.96: nothing is said, precision 0.
        assert_eq!(verdicts(&pairs, 0.96).precision, 0.0);
    }

    #[test]
    fn auc_counts_pairs_ranked_right() {
        let pairs = [pair(true, 0.9, 0), pair(false, 0.5, 0), pair(true, 0.4, 0)];
        assert!((auc(&pairs, |p| p.score) - 0.5).abs() < 1e-9);
        let perfect = [pair(true, 0.9, 0), pair(false, 0.5, 0)];
        assert_eq!(auc(&perfect, |p| p.score), 1.0);
    }

    #[test]
    fn the_threshold_is_the_lowest_that_reaches_the_target() {
        let pairs = [
            pair(true, 0.9, 0),
            pair(true, 0.85, 0),
            pair(false, 0.8, 0),
            pair(true, 0.6, 0),
            pair(false, 0.5, 0),
        ];
        assert!((choose_threshold(&pairs, 0.9) - 0.81).abs() < 1e-6);
        // Unreachable: the most precise threshold with something said.
        let hard = [pair(false, 0.9, 0), pair(true, 0.8, 0), pair(false, 0.7, 0)];
        assert!((choose_threshold(&hard, 0.9) - 0.71).abs() < 1e-6);
    }
}
