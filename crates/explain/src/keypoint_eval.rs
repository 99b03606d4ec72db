//! Key-point matching on data in the layout of IBM's ArgKP-2021 (`arguments_<split>.csv`,
//! `key_points_<split>.csv`, `labels_<split>.csv`): every argument is matched to the key point
//! of its topic and stance that the engine finds most similar in meaning, and the matches are
//! scored with the shared task's mean average precision, strict and relaxed.
//!
//! As defined for the 2021 Key Point Analysis shared task (track 1): per topic and stance,
//! the top-scoring half of the arguments' best matches is ranked by score; average precision
//! is computed with unlabelled pairs counted as non-matching (strict) or matching (relaxed);
//! the mean over topics and stances is reported.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::cluster::cluster_by_meaning;

#[derive(Debug, Clone, Serialize)]
pub struct KeyPointReport {
    pub arguments: usize,
    pub key_points: usize,
    pub map_strict: f64,
    pub map_relaxed: f64,
}

/// An argument's best key point: its score and whether the pair counts as matching when
/// unlabelled pairs are non-matching (strict) or matching (relaxed).
struct Prediction {
    score: f32,
    strict: bool,
    relaxed: bool,
}

struct Item {
    id: String,
    text: String,
    group: (String, String),
}

fn read_items(path: &Path) -> Result<Vec<Item>, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut items = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: record {}: {e}", path.display(), i + 1))?;
        if record.len() < 4 {
            return Err(format!(
                "{}: record {}: expected id, text, topic, stance",
                path.display(),
                i + 1
            ));
        }
        items.push(Item {
            id: record[0].to_owned(),
            text: record[1].to_owned(),
            group: (record[2].to_owned(), record[3].trim().to_owned()),
        });
    }
    Ok(items)
}

/// Arguments, key points and the labelled (argument id, key point id) pairs of a split.
type Split = (Vec<Item>, Vec<Item>, HashMap<(String, String), bool>);

fn load(dir: &Path, split: &str) -> Result<Split, String> {
    let arguments = read_items(&dir.join(format!("arguments_{split}.csv")))?;
    let key_points = read_items(&dir.join(format!("key_points_{split}.csv")))?;
    let labels_path = dir.join(format!("labels_{split}.csv"));
    let mut labels: HashMap<(String, String), bool> = HashMap::new();
    let mut reader = csv::Reader::from_path(&labels_path)
        .map_err(|e| format!("cannot read {}: {e}", labels_path.display()))?;
    for (i, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| format!("{}: record {}: {e}", labels_path.display(), i + 1))?;
        if record.len() < 3 {
            return Err(format!(
                "{}: record {}: expected arg_id, key_point_id, label",
                labels_path.display(),
                i + 1
            ));
        }
        labels.insert(
            (record[0].to_owned(), record[1].to_owned()),
            record[2].trim() == "1",
        );
    }
    Ok((arguments, key_points, labels))
}

/// Runs the matching evaluation of `split` (`dev`, `train`) in `dir` with `embedder`.
pub fn evaluate(
    dir: &Path,
    split: &str,
    embedder: &embed::Embedder,
) -> Result<KeyPointReport, String> {
    let (arguments, key_points, labels) = load(dir, split)?;
    let embed = |items: &[Item]| -> Result<Vec<Vec<f32>>, String> {
        let texts: Vec<&str> = items.iter().map(|item| item.text.as_str()).collect();
        embedder.embed(&texts).map_err(|e| e.to_string())
    };
    let argument_vectors = embed(&arguments)?;
    let key_point_vectors = embed(&key_points)?;

    // Each argument's best key point of the same topic and stance.
    let mut predictions: HashMap<&(String, String), Vec<Prediction>> = HashMap::new();
    for (argument, vector) in arguments.iter().zip(&argument_vectors) {
        let best = key_points
            .iter()
            .zip(&key_point_vectors)
            .filter(|(kp, _)| kp.group == argument.group)
            .map(|(kp, kp_vector)| {
                (
                    vector
                        .iter()
                        .zip(kp_vector)
                        .map(|(a, b)| a * b)
                        .sum::<f32>(),
                    kp,
                )
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((score, kp)) = best {
            let label = labels.get(&(argument.id.clone(), kp.id.clone())).copied();
            predictions
                .entry(&argument.group)
                .or_default()
                .push(Prediction {
                    score,
                    strict: label == Some(true),
                    relaxed: label != Some(false),
                });
        }
    }
    let (mut strict, mut relaxed) = (Vec::new(), Vec::new());
    for group in predictions.values_mut() {
        group.sort_by(|a, b| b.score.total_cmp(&a.score));
        group.truncate(group.len() / 2);
        strict.push(average_precision(group.iter().map(|p| p.strict)));
        relaxed.push(average_precision(group.iter().map(|p| p.relaxed)));
    }
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
    Ok(KeyPointReport {
        arguments: arguments.len(),
        key_points: key_points.len(),
        map_strict: mean(&strict),
        map_relaxed: mean(&relaxed),
    })
}

/// Key-point discovery: per topic and stance, the arguments are the evidence, grouped into
/// factors by [`crate::cluster::cluster_by_meaning`] (the clustering factor discovery uses);
/// a factor's label is the key point most of its arguments are labelled with.
#[derive(Debug, Clone, Serialize)]
pub struct DiscoveryReport {
    pub groups: usize,
    /// Factors of at least [`MIN_FACTOR_ARGUMENTS`] arguments.
    pub factors: usize,
    pub threshold: f32,
    /// Share of gold key points that are the majority label of some factor.
    pub key_point_recall: f64,
    /// Mean over factors of the share of their arguments that match the majority key point.
    pub purity: f64,
}

/// A factor needs this many arguments: one argument is an opinion, not yet a key point.
pub const MIN_FACTOR_ARGUMENTS: usize = 3;

/// At most this many factors per topic and stance, the largest first (an article has at
/// most 7 sections).
pub const MAX_FACTORS: usize = 7;

/// Similarity at which arguments are grouped, chosen on the train split (see BENCHMARKS.md).
pub const DISCOVERY_THRESHOLD: f32 = 0.4;

/// Runs the discovery evaluation of `split` in `dir` with `embedder`, grouping at
/// `threshold` (mean cosine similarity within a factor).
pub fn evaluate_discovery(
    dir: &Path,
    split: &str,
    embedder: &embed::Embedder,
    threshold: f32,
) -> Result<DiscoveryReport, String> {
    let (arguments, key_points, labels) = load(dir, split)?;
    let texts: Vec<&str> = arguments.iter().map(|a| a.text.as_str()).collect();
    let vectors = embedder.embed(&texts).map_err(|e| e.to_string())?;
    let mut groups: Vec<&(String, String)> = arguments.iter().map(|a| &a.group).collect();
    groups.sort();
    groups.dedup();
    let (mut found, mut gold, mut purities, mut factors) = (0usize, 0usize, Vec::new(), 0usize);
    for group in &groups {
        let members: Vec<usize> = (0..arguments.len())
            .filter(|&i| &arguments[i].group == *group)
            .collect();
        let group_key_points: Vec<&Item> =
            key_points.iter().filter(|k| &k.group == *group).collect();
        let centred = centre(members.iter().map(|&i| vectors[i].as_slice()));
        let refs: Vec<&[f32]> = centred.iter().map(Vec::as_slice).collect();
        let mut majorities = std::collections::HashSet::new();
        // As in an article: the best-supported factors, at most as many as it has sections.
        let mut clusters: Vec<Vec<usize>> = cluster_by_meaning(&refs, threshold)
            .into_iter()
            .filter(|c| c.len() >= MIN_FACTOR_ARGUMENTS)
            .collect();
        clusters.sort_by_key(|c| std::cmp::Reverse(c.len()));
        clusters.truncate(MAX_FACTORS);
        for cluster in clusters {
            factors += 1;
            let mut votes: HashMap<&str, usize> = HashMap::new();
            for &c in &cluster {
                let argument = &arguments[members[c]];
                for key_point in &group_key_points {
                    if labels.get(&(argument.id.clone(), key_point.id.clone())) == Some(&true) {
                        *votes.entry(key_point.id.as_str()).or_default() += 1;
                    }
                }
            }
            let majority = votes
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)));
            match majority {
                Some((key_point, &count)) => {
                    majorities.insert(*key_point);
                    purities.push(count as f64 / cluster.len() as f64);
                }
                None => purities.push(0.0),
            }
        }
        gold += group_key_points.len();
        found += group_key_points
            .iter()
            .filter(|k| majorities.contains(k.id.as_str()))
            .count();
    }
    Ok(DiscoveryReport {
        groups: groups.len(),
        factors,
        threshold,
        key_point_recall: found as f64 / gold.max(1) as f64,
        purity: if purities.is_empty() {
            0.0
        } else {
            purities.iter().sum::<f64>() / purities.len() as f64
        },
    })
}

/// The vectors less their mean, renormalised: what the arguments of one topic and stance
/// share (the topic itself) no longer makes them look alike, what sets them apart remains.
pub fn centre<'a>(vectors: impl Iterator<Item = &'a [f32]>) -> Vec<Vec<f32>> {
    let vectors: Vec<&[f32]> = vectors.collect();
    let Some(first) = vectors.first() else {
        return Vec::new();
    };
    let mut mean = vec![0.0f32; first.len()];
    for vector in &vectors {
        for (m, x) in mean.iter_mut().zip(vector.iter()) {
            *m += x / vectors.len() as f32;
        }
    }
    vectors
        .iter()
        .map(|vector| {
            let mut v: Vec<f32> = vector.iter().zip(&mean).map(|(x, m)| x - m).collect();
            let norm = v
                .iter()
                .map(|x| x * x)
                .sum::<f32>()
                .sqrt()
                .max(f32::EPSILON);
            v.iter_mut().for_each(|x| *x /= norm);
            v
        })
        .collect()
}

impl DiscoveryReport {
    pub fn to_text(&self) -> String {
        format!(
            "discovery (threshold {:.2}): {} factors (≥ {MIN_FACTOR_ARGUMENTS} arguments, ≤ {MAX_FACTORS} per group) over {} topic-stance groups; key-point recall {:.3}, purity {:.3}\n",
            self.threshold, self.factors, self.groups, self.key_point_recall, self.purity
        )
    }
}

/// Average precision of a ranking given best first: the mean of precision@k over the ranks
/// k that hold a positive (0 when there is none).
pub fn average_precision(ranked: impl Iterator<Item = bool>) -> f64 {
    let (mut positives, mut sum) = (0usize, 0.0);
    for (rank, positive) in ranked.enumerate() {
        if positive {
            positives += 1;
            sum += positives as f64 / (rank + 1) as f64;
        }
    }
    if positives == 0 {
        0.0
    } else {
        sum / positives as f64
    }
}

impl KeyPointReport {
    pub fn to_text(&self) -> String {
        format!(
            "{} arguments, {} key points\nmatching mAP: strict {:.3}, relaxed {:.3}\n",
            self.arguments, self.key_points, self.map_strict, self.map_relaxed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_precision_follows_its_definition() {
        assert_eq!(average_precision([true, true].into_iter()), 1.0);
        assert_eq!(average_precision([false, false].into_iter()), 0.0);
        let ap = average_precision([false, true, true].into_iter());
        assert!((ap - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }
}
