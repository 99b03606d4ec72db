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

/// Runs the matching evaluation of `split` (`dev`, `train`) in `dir` with `embedder`.
pub fn evaluate(
    dir: &Path,
    split: &str,
    embedder: &embed::Embedder,
) -> Result<KeyPointReport, String> {
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
