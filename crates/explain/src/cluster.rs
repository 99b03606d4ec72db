//! Grouping by meaning: average-linkage agglomerative clustering of unit-length sentence
//! vectors. Two groups merge while the mean cosine similarity between their members is at
//! least the threshold, most similar pair first, so a chain of loosely related sentences
//! does not collapse into one group (as it can with single linkage or a greedy leader).
//! Used by factor discovery, by the key-point discovery evaluation and by the audit's groups of
//! sections that say the same thing.

/// Groups of indices into `vectors`, each sorted, groups in order of their first member.
/// Vectors are expected to be L2-normalised (cosine = dot product).
pub fn cluster_by_meaning(vectors: &[&[f32]], threshold: f32) -> Vec<Vec<usize>> {
    let n = vectors.len();
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    let mut similarity = vec![vec![1.0f32; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let s = dot(vectors[i], vectors[j]);
            similarity[i][j] = s;
            similarity[j][i] = s;
        }
    }
    cluster_by_similarity(&similarity, threshold)
}

/// The same grouping over any symmetric similarity matrix (the diagonal is not read): by
/// embedding cosine, or by shared words when there is no model.
pub fn cluster_by_similarity(similarity: &[Vec<f32>], threshold: f32) -> Vec<Vec<usize>> {
    let n = similarity.len();
    // Sum of pairwise similarities between clusters i and j (average = sum / (|i|·|j|)).
    let mut sums = vec![vec![0.0f32; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            sums[i][j] = similarity[i][j];
            sums[j][i] = similarity[i][j];
        }
    }
    let mut members: Vec<Option<Vec<usize>>> = (0..n).map(|i| Some(vec![i])).collect();
    loop {
        let mut best: Option<(f32, usize, usize)> = None;
        for i in 0..n {
            let Some(a) = &members[i] else { continue };
            for j in (i + 1)..n {
                let Some(b) = &members[j] else { continue };
                let average = sums[i][j] / (a.len() * b.len()) as f32;
                if average >= threshold && best.is_none_or(|(s, _, _)| average > s) {
                    best = Some((average, i, j));
                }
            }
        }
        let Some((_, i, j)) = best else { break };
        let absorbed = members[j].take().expect("j is a live cluster");
        members[i]
            .as_mut()
            .expect("i is a live cluster")
            .extend(absorbed);
        for k in 0..n {
            if k != i && members[k].is_some() {
                let s = sums[i][k] + sums[j][k];
                sums[i][k] = s;
                sums[k][i] = s;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = members
        .into_iter()
        .flatten()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    groups.sort_by_key(|g| g[0]);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    #[test]
    fn groups_near_vectors_and_keeps_distant_ones_apart() {
        let vectors = [
            unit(&[1.0, 0.1, 0.0]),
            unit(&[0.0, 1.0, 0.0]),
            unit(&[1.0, 0.0, 0.1]),
            unit(&[0.1, 1.0, 0.1]),
            unit(&[0.0, 0.0, 1.0]),
        ];
        let refs: Vec<&[f32]> = vectors.iter().map(Vec::as_slice).collect();
        assert_eq!(
            cluster_by_meaning(&refs, 0.9),
            vec![vec![0, 2], vec![1, 3], vec![4]]
        );
        assert_eq!(cluster_by_meaning(&refs, 1.01).len(), 5);
        assert_eq!(cluster_by_meaning(&[], 0.5), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn a_similarity_matrix_groups_the_same_way() {
        let m = vec![
            vec![1.0, 0.9, 0.8, 0.1],
            vec![0.9, 1.0, 0.75, 0.2],
            vec![0.8, 0.75, 1.0, 0.1],
            vec![0.1, 0.2, 0.1, 1.0],
        ];
        assert_eq!(cluster_by_similarity(&m, 0.7), [vec![0, 1, 2], vec![3]]);
        // At 0.85 only the closest pair goes together.
        assert_eq!(
            cluster_by_similarity(&m, 0.85),
            [vec![0, 1], vec![2], vec![3]]
        );
    }

    #[test]
    fn average_linkage_does_not_chain() {
        // a–b and b–c are close, a–c far: with single linkage all three would merge.
        let a = unit(&[1.0, 0.0]);
        let b = unit(&[0.8, 0.6]);
        let c = unit(&[0.0, 1.0]);
        let refs: Vec<&[f32]> = vec![&a, &b, &c];
        let groups = cluster_by_meaning(&refs, 0.55);
        assert_eq!(groups.len(), 2, "{groups:?}");
    }
}
