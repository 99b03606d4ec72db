//! Retrieval quality on any BEIR-format folder (`corpus.jsonl`, `queries.jsonl`,
//! `qrels/<split>.tsv`): nDCG@10 and Recall@100 for BM25 alone, dense (sentence vectors)
//! alone, and the two fused by reciprocal rank fusion — the same three signals the engine
//! uses to find evidence.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use index::{Index, WeightedTerm};
use serde::{Deserialize, Serialize};

use crate::ExplainError;

/// Documents ranked per query (Recall@100 needs 100).
const DEPTH: usize = 100;
/// The usual constant of reciprocal rank fusion.
const RRF_K: f32 = 60.0;

#[derive(Deserialize)]
struct BeirDocument {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: String,
    text: String,
}

#[derive(Deserialize)]
struct BeirQuery {
    #[serde(rename = "_id")]
    id: String,
    text: String,
}

/// The measures of one ranking method.
#[derive(Debug, Clone, Serialize)]
pub struct MethodReport {
    pub method: String,
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetrievalReport {
    pub queries: usize,
    pub documents: usize,
    pub methods: Vec<MethodReport>,
}

/// Reads a BEIR corpus as documents (id, title, abstract).
pub fn load_corpus(dir: &Path) -> Result<Vec<corpus::Document>, String> {
    let path = dir.join("corpus.jsonl");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let document: BeirDocument = serde_json::from_str(line)
                .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
            Ok(corpus::Document {
                id: document.id,
                title: document.title,
                text: document.text,
                url: None,
                license: None,
                date: None,
                language: None,
            })
        })
        .collect()
}

/// Relevance judgements of a split: query id → (document id → grade).
pub(crate) fn load_qrels(
    dir: &Path,
    split: &str,
) -> Result<HashMap<String, HashMap<String, u32>>, String> {
    let path = dir.join("qrels").join(format!("{split}.tsv"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut qrels: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        if i == 0 && fields.first() == Some(&"query-id") {
            continue;
        }
        let [query, document, grade] = fields[..] else {
            return Err(format!(
                "{}:{}: expected query-id, corpus-id, score",
                path.display(),
                i + 1
            ));
        };
        let grade: u32 = grade
            .trim()
            .parse()
            .map_err(|_| format!("{}:{}: bad score", path.display(), i + 1))?;
        qrels
            .entry(query.to_owned())
            .or_default()
            .insert(document.to_owned(), grade);
    }
    Ok(qrels)
}

/// How much each list counts in the hybrid fusion. Chosen on SciFact's train queries (dense
/// weight 0.8, 1, 1.2, 1.5, 2 gave hybrid nDCG@10 0.705, 0.705, 0.702, 0.697, 0.692 with the
/// plain BM25 of the index); the test queries are only ever measured.
pub const DENSE_WEIGHT: f32 = 1.0;
pub const BM25_WEIGHT: f32 = 1.0;

/// Ranks documents for every judged query of `split` with the three methods and measures
/// them. `index` must hold the corpus (with vectors for the dense and hybrid rows).
pub fn evaluate(index: &Index, dir: &Path, split: &str) -> Result<RetrievalReport, String> {
    evaluate_weighted(index, dir, split, BM25_WEIGHT, DENSE_WEIGHT)
}

/// [`evaluate`] with explicit fusion weights (for tuning on a training split).
pub fn evaluate_weighted(
    index: &Index,
    dir: &Path,
    split: &str,
    bm25_weight: f32,
    dense_weight: f32,
) -> Result<RetrievalReport, String> {
    let qrels = load_qrels(dir, split)?;
    let path = dir.join("queries.jsonl");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut queries = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let query: BeirQuery =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if qrels.contains_key(&query.id) {
            queries.push(query);
        }
    }
    let failure = |e: ExplainError| e.to_string();
    let has_vectors =
        index.vector_count().map_err(|e| e.to_string())? > 0 && index.embedder().is_some();
    let mut totals: Vec<(&str, f64, f64)> = vec![
        ("bm25", 0.0, 0.0),
        ("dense", 0.0, 0.0),
        ("hybrid", 0.0, 0.0),
    ];
    let mut key_of: HashMap<u64, String> = HashMap::new();
    for query in &queries {
        let judged = &qrels[&query.id];
        let lexical = bm25_ranking(index, &query.text).map_err(failure)?;
        let dense = if has_vectors {
            dense_ranking(index, &query.text).map_err(failure)?
        } else {
            Vec::new()
        };
        let hybrid = fuse(&[(&lexical, bm25_weight), (&dense, dense_weight)]);
        for (slot, ranking) in [&lexical, &dense, &hybrid].into_iter().enumerate() {
            for id in ranking.iter().take(DEPTH) {
                if !key_of.contains_key(id) {
                    let key = index
                        .document(*id)
                        .map_err(|e| e.to_string())?
                        .map(|d| d.key)
                        .unwrap_or_default();
                    key_of.insert(*id, key);
                }
            }
            let keys: Vec<&str> = ranking
                .iter()
                .take(DEPTH)
                .map(|id| key_of[id].as_str())
                .collect();
            totals[slot].1 += ndcg_at(&keys, judged, 10);
            totals[slot].2 += recall_at(&keys, judged, DEPTH);
        }
    }
    let n = queries.len().max(1) as f64;
    let methods = totals
        .into_iter()
        .filter(|(name, _, _)| has_vectors || *name == "bm25")
        .map(|(name, ndcg, recall)| MethodReport {
            method: name.to_owned(),
            ndcg_at_10: ndcg / n,
            recall_at_100: recall / n,
        })
        .collect();
    Ok(RetrievalReport {
        queries: queries.len(),
        documents: index.document_count().map_err(|e| e.to_string())? as usize,
        methods,
    })
}

/// Documents by their best passage's BM25 score (query terms as the engine takes them).
fn bm25_ranking(index: &Index, query: &str) -> Result<Vec<u64>, ExplainError> {
    let (terms, _) = crate::evidence::query_terms(index, query);
    let weighted: Vec<WeightedTerm> = terms
        .iter()
        .map(|t| WeightedTerm {
            stem: t.stem.clone(),
            weight: 1.0,
        })
        .collect();
    let mut ranking = Vec::new();
    for hit in index.search(&weighted, DEPTH * 3)? {
        if !ranking.contains(&hit.document) {
            ranking.push(hit.document);
        }
    }
    Ok(ranking)
}

/// Documents by their most similar sentence.
fn dense_ranking(index: &Index, query: &str) -> Result<Vec<u64>, ExplainError> {
    let Some(vector) = index.embed_query(query)? else {
        return Ok(Vec::new());
    };
    let mut ranking = Vec::new();
    for hit in index.dense_search(&vector, DEPTH * 20)? {
        if !ranking.contains(&hit.document) {
            ranking.push(hit.document);
            if ranking.len() == DEPTH * 2 {
                break;
            }
        }
    }
    Ok(ranking)
}

/// Weighted reciprocal rank fusion: each list gives weight / (60 + rank).
pub fn fuse(rankings: &[(&Vec<u64>, f32)]) -> Vec<u64> {
    let mut scores: HashMap<u64, f32> = HashMap::new();
    for (ranking, weight) in rankings {
        for (rank, id) in ranking.iter().enumerate() {
            *scores.entry(*id).or_insert(0.0) += weight / (RRF_K + rank as f32 + 1.0);
        }
    }
    let mut fused: Vec<(u64, f32)> = scores.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    fused.into_iter().map(|(id, _)| id).collect()
}

/// nDCG at `k` with graded relevance (gain = grade, log2 discount), as BEIR computes it.
pub fn ndcg_at(ranking: &[&str], judged: &HashMap<String, u32>, k: usize) -> f64 {
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| f64::from(judged.get(*id).copied().unwrap_or(0)) / (i as f64 + 2.0).log2())
        .sum();
    let mut grades: Vec<u32> = judged.values().copied().collect();
    grades.sort_unstable_by(|a, b| b.cmp(a));
    let ideal: f64 = grades
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| f64::from(*g) / (i as f64 + 2.0).log2())
        .sum();
    if ideal == 0.0 { 0.0 } else { dcg / ideal }
}

/// Share of the relevant documents found in the first `k`.
pub fn recall_at(ranking: &[&str], judged: &HashMap<String, u32>, k: usize) -> f64 {
    let relevant: HashSet<&str> = judged
        .iter()
        .filter(|(_, g)| **g > 0)
        .map(|(id, _)| id.as_str())
        .collect();
    if relevant.is_empty() {
        return 0.0;
    }
    let found = ranking
        .iter()
        .take(k)
        .filter(|id| relevant.contains(**id))
        .count();
    found as f64 / relevant.len() as f64
}

impl RetrievalReport {
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} queries over {} documents\n\nmethod   nDCG@10  Recall@100\n",
            self.queries, self.documents
        );
        for method in &self.methods {
            out.push_str(&format!(
                "{:<8} {:>7.3}  {:>10.3}\n",
                method.method, method.ndcg_at_10, method.recall_at_100
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(id, g)| ((*id).to_owned(), *g)).collect()
    }

    #[test]
    fn ndcg_and_recall_follow_their_definitions() {
        let qrels = judged(&[("a", 1), ("b", 1)]);
        assert_eq!(ndcg_at(&["a", "b", "c"], &qrels, 10), 1.0);
        let swapped = ndcg_at(&["c", "a", "b"], &qrels, 10);
        let expected = (1.0 / 3f64.log2() + 1.0 / 4f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!((swapped - expected).abs() < 1e-12);
        assert_eq!(recall_at(&["c", "a"], &qrels, 100), 0.5);
        assert_eq!(recall_at(&["a"], &judged(&[]), 100), 0.0);
    }

    #[test]
    fn fusion_rewards_agreement() {
        let fused = fuse(&[(&vec![1, 2, 3], 1.0), (&vec![4, 2, 5], 1.0)]);
        assert_eq!(fused[0], 2, "second in both beats first in one: {fused:?}");
        assert_eq!(fused.len(), 5);
    }
}
