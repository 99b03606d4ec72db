//! Approximate nearest-neighbour search over the sentence vectors, for indexes too large to
//! scan on every question.
//!
//! An HNSW graph (the `hnsw_rs` crate: `make bench-ann` compared it with `instant-distance`
//! on real vectors and questions, and it built in half the time at the same recall) over the
//! very int8 rows that [`VectorMatrix`] holds, with the cosine of those rows as its distance.
//! The graph only proposes candidates: each is scored again exactly, by the same dot product
//! as exact search, so a sentence found either way has the same similarity.
//!
//! It lives in the generation folder as `ann/`: hnsw_rs's two dump files and `points.bin`,
//! which names the sentence of every graph point with a checksum of the vector it was built
//! from. An ingest inserts only what the graph lacks (new sentences, and sentences whose
//! vector changed); the graph cannot delete, so a removed or changed sentence stays a point
//! that search skips (removed) or scores by its current vector (changed), until such stale
//! points are a fifth of the graph and it is built again. Below [`DEFAULT_THRESHOLD`] vectors
//! there is no graph: one exact pass is fast enough (about 1 ms per 36,000 vectors on
//! 2 cores) and exact search stays the reference.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use hnsw_rs::anndists::dist::Distance;
use hnsw_rs::api::AnnT;
use hnsw_rs::hnsw::Hnsw;
use hnsw_rs::hnswio::HnswIo;

use crate::IndexError;
use crate::vectors::{DenseHit, SentenceId, VectorMatrix};

/// Vectors from which an ingest builds the graph and `ask` searches it. Exact search over
/// 200,000 int8 vectors takes about 6 ms on 2 cores and grows linearly; a graph search
/// about 1 ms at any size measured (`make bench-ann`, `make bench-scale`).
pub const DEFAULT_THRESHOLD: usize = 200_000;
/// The graph's folder inside a generation.
pub const DIR: &str = "ann";
/// Where a new graph is written before it replaces `ann/`.
const TEMPORARY_DIR: &str = "ann.tmp";
const BASENAME: &str = "sentences";
const POINTS_FILE: &str = "points.bin";
const POINTS_MAGIC: &[u8; 8] = b"BCANNv1\n";
/// Bytes per point in `points.bin`: document, ordinal, checksum.
const POINT_BYTES: usize = 16;
/// Neighbours kept per point (twice as many on the lowest layer), as benchmarked.
const CONNECTIONS: usize = 16;
const EF_CONSTRUCTION: usize = 200;
/// Candidates a search keeps: recall@10 0.989 at 100,000 vectors in `make bench-ann`.
const EF_SEARCH: usize = 128;
/// hnsw_rs writes only graphs of its full 16 layers (most stay empty).
const MAX_LAYERS: usize = 16;
/// Share of stale points at which an ingest builds the graph again.
const STALE_SHARE: f64 = 0.2;

/// 1 − cosine of two int8 vectors (exact in integers; the scale of each row cancels out).
#[derive(Debug, Default, Clone, Copy)]
pub struct CosineI8;

impl Distance<i8> for CosineI8 {
    fn eval(&self, a: &[i8], b: &[i8]) -> f32 {
        cosine_distance(a, b)
    }
}

#[multiversion::multiversion(targets("x86_64+avx512f+avx512bw", "x86_64+avx2"))]
fn cosine_distance(a: &[i8], b: &[i8]) -> f32 {
    // Products of pairs of components summed in 16 bits before they are added to 32-bit
    // lanes (127² × 2 fits): the shape the compiler turns into `pmaddwd`, four times as fast
    // as widening every component to 32 bits (51 against 230 ns per 384-component pair,
    // measured on this project's machine). 384 × 127² cannot overflow a lane.
    let mut ab = [0i32; 32];
    let mut aa = [0i32; 32];
    let mut bb = [0i32; 32];
    let (a_chunks, a_rest) = a.as_chunks::<64>();
    let (b_chunks, b_rest) = b.as_chunks::<64>();
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for k in 0..32 {
            let (x0, x1) = (i16::from(x[2 * k]), i16::from(x[2 * k + 1]));
            let (y0, y1) = (i16::from(y[2 * k]), i16::from(y[2 * k + 1]));
            ab[k] += i32::from(x0 * y0) + i32::from(x1 * y1);
            aa[k] += i32::from(x0 * x0) + i32::from(x1 * x1);
            bb[k] += i32::from(y0 * y0) + i32::from(y1 * y1);
        }
    }
    let (mut dot, mut norm_a, mut norm_b) = (
        ab.iter().sum::<i32>(),
        aa.iter().sum::<i32>(),
        bb.iter().sum::<i32>(),
    );
    for (&x, &y) in a_rest.iter().zip(b_rest) {
        let (x, y) = (i32::from(x), i32::from(y));
        dot += x * y;
        norm_a += x * x;
        norm_b += y * y;
    }
    if norm_a == 0 || norm_b == 0 {
        return 1.0;
    }
    let cosine = dot as f32 / ((norm_a as f32).sqrt() * (norm_b as f32).sqrt());
    (1.0 - cosine).max(0.0)
}

/// A query vector coded as the graph's points are: scaled so that its largest component is
/// ±127.
fn quantise(query: &[f32]) -> Vec<i8> {
    let largest = query
        .iter()
        .fold(0.0f32, |m, v| m.max(v.abs()))
        .max(f32::MIN_POSITIVE);
    query
        .iter()
        .map(|v| (v / largest * 127.0).round() as i8)
        .collect()
}

/// FNV-1a of a row: tells a sentence's current vector from the one its point was built from.
fn checksum(components: &[i8]) -> u32 {
    components.iter().fold(0x811c_9dc5u32, |hash, &c| {
        (hash ^ u32::from(c as u8)).wrapping_mul(0x0100_0193)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Point {
    sentence: SentenceId,
    checksum: u32,
}

/// What [`Graph::update`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GraphUpdate {
    /// Points in the graph afterwards (stale ones included).
    pub points: usize,
    /// Points inserted by this update.
    pub inserted: usize,
    /// Whether the graph was built from scratch.
    pub rebuilt: bool,
}

/// The graph and the sentence of each of its points (a point's id is its place in `points`).
pub struct Graph {
    hnsw: Hnsw<'static, i8, CosineI8>,
    points: Vec<Point>,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("points", &self.points.len())
            .finish()
    }
}

impl Graph {
    fn empty(capacity: usize) -> Graph {
        Graph {
            hnsw: Hnsw::new(
                CONNECTIONS,
                capacity.max(1),
                MAX_LAYERS,
                EF_CONSTRUCTION,
                CosineI8,
            ),
            points: Vec::new(),
        }
    }

    /// A graph over every row of `matrix`.
    pub fn build(matrix: &VectorMatrix) -> Graph {
        let mut graph = Graph::empty(matrix.len());
        graph.insert(matrix, |_| true);
        graph
    }

    /// [`Graph::build`], reported as an update that built the graph.
    pub fn rebuild(matrix: &VectorMatrix) -> (Graph, GraphUpdate) {
        let graph = Graph::build(matrix);
        let update = GraphUpdate {
            points: graph.len(),
            inserted: graph.len(),
            rebuilt: true,
        };
        (graph, update)
    }

    /// Number of points, stale ones included.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Inserts the rows `wanted` picks, in parallel; returns how many.
    fn insert(&mut self, matrix: &VectorMatrix, wanted: impl Fn(&Point) -> bool) -> usize {
        let first = self.points.len();
        let mut batch: Vec<(&[i8], usize)> = Vec::new();
        for (sentence, components) in matrix.rows() {
            let point = Point {
                sentence,
                checksum: checksum(components),
            };
            if wanted(&point) {
                batch.push((components, self.points.len()));
                self.points.push(point);
            }
        }
        self.hnsw.set_searching_mode(false);
        self.hnsw.parallel_insert_slice(&batch);
        self.hnsw.set_searching_mode(true);
        self.points.len() - first
    }

    /// Brings the graph in step with `matrix`: inserts the rows it lacks, or builds it again
    /// when stale points would be too large a share.
    pub fn update(self, matrix: &VectorMatrix) -> (Graph, GraphUpdate) {
        let live: HashSet<Point> = matrix
            .rows()
            .map(|(sentence, components)| Point {
                sentence,
                checksum: checksum(components),
            })
            .collect();
        let present: HashSet<Point> = self.points.iter().copied().collect();
        let stale = self.points.iter().filter(|p| !live.contains(p)).count();
        let missing = live.iter().filter(|p| !present.contains(p)).count();
        let total = self.points.len() + missing;
        if stale as f64 > STALE_SHARE * total as f64 {
            return Graph::rebuild(matrix);
        }
        let mut graph = self;
        let inserted = graph.insert(matrix, |p| !present.contains(p));
        let update = GraphUpdate {
            points: graph.len(),
            inserted,
            rebuilt: false,
        };
        (graph, update)
    }

    /// The `limit` sentences most similar to `query` (a unit vector) among the graph's
    /// candidates, each scored exactly against its current row in `matrix`, best first.
    pub fn search(&self, matrix: &VectorMatrix, query: &[f32], limit: usize) -> Vec<DenseHit> {
        if query.len() != matrix.dimension || limit == 0 {
            return Vec::new();
        }
        let ef = EF_SEARCH.max(limit);
        let mut seen = HashSet::new();
        let mut hits: Vec<DenseHit> = self
            .hnsw
            .search(&quantise(query), ef, ef)
            .into_iter()
            .filter_map(|neighbour| {
                let point = self.points.get(neighbour.d_id)?;
                if !seen.insert(point.sentence) {
                    return None;
                }
                let similarity = matrix.similarity(point.sentence, query)?;
                Some(DenseHit {
                    document: point.sentence.0,
                    ordinal: point.sentence.1,
                    similarity,
                })
            })
            .collect();
        hits.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        hits.truncate(limit);
        hits
    }

    /// Writes the graph as `dir/ann/`, replacing what is there (written beside it first, so
    /// that a failed write leaves the old graph whole). Files are never changed in place: a
    /// generation may share them with the one before it by hard links.
    pub fn save(&self, dir: &Path) -> Result<(), IndexError> {
        let temporary = dir.join(TEMPORARY_DIR);
        let io = |source| IndexError::CreateDir {
            dir: temporary.clone(),
            source,
        };
        if temporary.exists() {
            std::fs::remove_dir_all(&temporary).map_err(io)?;
        }
        std::fs::create_dir_all(&temporary).map_err(io)?;
        let dumped = catch_unwind(AssertUnwindSafe(|| {
            self.hnsw.file_dump(&temporary, BASENAME)
        }))
        .map_err(|_| IndexError::Corrupt("the vector graph could not be written".into()))?
        .map_err(|error| IndexError::Corrupt(format!("writing the vector graph: {error}")))?;
        if dumped != BASENAME {
            return Err(IndexError::Corrupt(format!(
                "the vector graph was written as {dumped}, not {BASENAME}"
            )));
        }
        let mut bytes =
            Vec::with_capacity(POINTS_MAGIC.len() + 8 + self.points.len() * POINT_BYTES);
        bytes.extend_from_slice(POINTS_MAGIC);
        bytes.extend_from_slice(&(self.points.len() as u64).to_le_bytes());
        for point in &self.points {
            bytes.extend_from_slice(&point.sentence.0.to_le_bytes());
            bytes.extend_from_slice(&point.sentence.1.to_le_bytes());
            bytes.extend_from_slice(&point.checksum.to_le_bytes());
        }
        let mut file = std::fs::File::create(temporary.join(POINTS_FILE)).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        let target = dir.join(DIR);
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(io)?;
        }
        std::fs::rename(&temporary, &target).map_err(io)?;
        Ok(())
    }

    /// The graph saved in `dir/ann/`; `None` when there is none. A damaged graph is an
    /// error, never a panic.
    pub fn load(dir: &Path) -> Result<Option<Graph>, IndexError> {
        let folder = dir.join(DIR);
        let points_path = folder.join(POINTS_FILE);
        let mut bytes = Vec::new();
        match std::fs::File::open(&points_path) {
            Ok(mut file) => file.read_to_end(&mut bytes).map_err(|error| {
                IndexError::Corrupt(format!("{}: {error}", points_path.display()))
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(IndexError::Corrupt(format!(
                    "{}: {error}",
                    points_path.display()
                )));
            }
        };
        let points = parse_points(&bytes)
            .ok_or_else(|| IndexError::Corrupt(format!("{} is damaged", points_path.display())))?;
        // hnsw_rs's loaded graph borrows from its loader for as long as it lives (so that it
        // could map the data file); ours owns its points, so the loader, a few hundred bytes,
        // is leaked once per loaded graph instead of tying the graph to a borrow.
        let hnsw = catch_unwind(AssertUnwindSafe(|| {
            let loader: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(&folder, BASENAME)));
            loader.load_hnsw::<i8, CosineI8>()
        }))
        .map_err(|_| {
            IndexError::Corrupt(format!(
                "the vector graph in {} is damaged",
                folder.display()
            ))
        })?
        .map_err(|error| {
            IndexError::Corrupt(format!("the vector graph in {}: {error}", folder.display()))
        })?;
        if hnsw.get_nb_point() != points.len() {
            return Err(IndexError::Corrupt(format!(
                "the vector graph in {} has {} points, its point list {}",
                folder.display(),
                hnsw.get_nb_point(),
                points.len()
            )));
        }
        let mut hnsw = hnsw;
        hnsw.set_searching_mode(true);
        Ok(Some(Graph { hnsw, points }))
    }
}

fn parse_points(bytes: &[u8]) -> Option<Vec<Point>> {
    let rest = bytes.strip_prefix(POINTS_MAGIC.as_slice())?;
    let (count, rest) = rest.split_first_chunk::<8>()?;
    let count = usize::try_from(u64::from_le_bytes(*count)).ok()?;
    if rest.len() != count.checked_mul(POINT_BYTES)? {
        return None;
    }
    Some(
        rest.chunks_exact(POINT_BYTES)
            .map(|chunk| {
                let document = u64::from_le_bytes(chunk[0..8].try_into().expect("8 bytes"));
                let ordinal = u32::from_le_bytes(chunk[8..12].try_into().expect("4 bytes"));
                let checksum = u32::from_le_bytes(chunk[12..16].try_into().expect("4 bytes"));
                Point {
                    sentence: (document, ordinal),
                    checksum,
                }
            })
            .collect(),
    )
}

/// Points of the graph saved in `dir/ann/`, read from its point list's header alone (the
/// graph is not loaded); `None` when there is none or the header is damaged.
pub fn saved_points(dir: &Path) -> Option<usize> {
    let mut header = [0u8; 16];
    std::fs::File::open(dir.join(DIR).join(POINTS_FILE))
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    let count = header.strip_prefix(POINTS_MAGIC.as_slice())?;
    usize::try_from(u64::from_le_bytes(count.try_into().ok()?)).ok()
}

/// Removes the graph of `dir`, if it has one (the index fell below the threshold).
pub fn remove(dir: &Path) -> Result<(), IndexError> {
    let folder = dir.join(DIR);
    if folder.exists() {
        std::fs::remove_dir_all(&folder).map_err(|source| IndexError::CreateDir {
            dir: folder.clone(),
            source,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::encode;

    /// Deterministic unit vectors (xorshift): `count` of `dimension` components.
    fn vectors(count: usize, dimension: usize, seed: u64) -> Vec<Vec<f32>> {
        // Distinct seeds, distinct streams (a plain `seed | 1` makes 12 and 13 the same).
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f32 / (1u64 << 53) as f32 - 0.5
        };
        (0..count)
            .map(|_| {
                let v: Vec<f32> = (0..dimension).map(|_| next()).collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.into_iter().map(|x| x / norm).collect()
            })
            .collect()
    }

    fn matrix(rows: &[(SentenceId, Vec<f32>)], dimension: usize) -> VectorMatrix {
        let mut matrix = VectorMatrix::new(dimension);
        for ((document, ordinal), vector) in rows {
            matrix.push(*document, *ordinal, &encode(vector)).unwrap();
        }
        matrix
    }

    fn numbered(vectors: Vec<Vec<f32>>, first_document: u64) -> Vec<(SentenceId, Vec<f32>)> {
        vectors
            .into_iter()
            .enumerate()
            .map(|(i, v)| ((first_document + i as u64 / 4, (i % 4) as u32), v))
            .collect()
    }

    fn keys(hits: &[DenseHit]) -> Vec<SentenceId> {
        hits.iter().map(|h| (h.document, h.ordinal)).collect()
    }

    /// Recall@10 of the graph against exact search, and the same similarity for a sentence
    /// found both ways.
    fn recall(graph: &Graph, matrix: &VectorMatrix, queries: &[Vec<f32>]) -> f64 {
        let mut found = 0;
        for query in queries {
            let exact = matrix.search(query, 10);
            let approximate = graph.search(matrix, query, 10);
            assert_eq!(approximate.len(), 10);
            for hit in &approximate {
                if let Some(same) = exact
                    .iter()
                    .find(|e| (e.document, e.ordinal) == (hit.document, hit.ordinal))
                {
                    assert_eq!(same.similarity, hit.similarity);
                    found += 1;
                }
            }
        }
        found as f64 / (10 * queries.len()) as f64
    }

    #[test]
    fn the_graph_finds_what_exact_search_finds() {
        let rows = numbered(vectors(3000, 32, 7), 1);
        let matrix = matrix(&rows, 32);
        let graph = Graph::build(&matrix);
        assert_eq!(graph.len(), 3000);
        let queries = vectors(60, 32, 99);
        let recall = recall(&graph, &matrix, &queries);
        assert!(recall >= 0.95, "recall@10 {recall}");
        // A stored vector is its own nearest neighbour.
        let hits = graph.search(&matrix, &rows[1234].1, 1);
        assert_eq!(keys(&hits), [rows[1234].0]);
        assert!(
            graph.search(&matrix, &[1.0; 3], 5).is_empty(),
            "wrong dimension"
        );
    }

    #[test]
    fn a_saved_graph_loads_and_answers_the_same() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Graph::load(dir.path()).unwrap().is_none(), "no graph yet");
        let rows = numbered(vectors(1500, 24, 3), 10);
        let matrix = matrix(&rows, 24);
        let graph = Graph::build(&matrix);
        graph.save(dir.path()).unwrap();
        assert_eq!(saved_points(dir.path()), Some(1500));
        // Saved again over itself: replaced whole, nothing left beside it.
        graph.save(dir.path()).unwrap();
        assert!(!dir.path().join(TEMPORARY_DIR).exists());
        let loaded = Graph::load(dir.path()).unwrap().expect("a saved graph");
        assert_eq!(loaded.len(), graph.len());
        for query in vectors(20, 24, 5) {
            assert_eq!(
                keys(&loaded.search(&matrix, &query, 10)),
                keys(&graph.search(&matrix, &query, 10))
            );
        }
        remove(dir.path()).unwrap();
        assert!(Graph::load(dir.path()).unwrap().is_none());
        assert_eq!(saved_points(dir.path()), None);
    }

    #[test]
    fn an_update_inserts_only_new_and_changed_sentences_and_rebuilds_when_stale() {
        let mut rows = numbered(vectors(2000, 24, 11), 1);
        let graph = Graph::build(&matrix(&rows, 24));
        // 200 new sentences, and 10 sentences whose vector changed (their document was
        // edited).
        rows.extend(numbered(vectors(200, 24, 12), 10_000));
        let changed = vectors(10, 24, 13);
        for (row, vector) in rows.iter_mut().step_by(100).zip(&changed) {
            row.1 = vector.clone();
        }
        let after = matrix(&rows, 24);
        let (graph, update) = graph.update(&after);
        assert_eq!(
            update,
            GraphUpdate {
                points: 2210,
                inserted: 210,
                rebuilt: false
            }
        );
        // A changed sentence is found by its new vector, once, with its exact similarity.
        let hits = graph.search(&after, &changed[3], 3);
        assert_eq!(hits[0].document, rows[300].0.0);
        assert_eq!(hits[0].ordinal, rows[300].0.1);
        assert!(hits[0].similarity > 0.99);
        assert_eq!(keys(&hits).iter().filter(|k| **k == rows[300].0).count(), 1);
        let recall = recall(&graph, &after, &vectors(40, 24, 14));
        assert!(recall >= 0.95, "recall@10 after the update {recall}");
        // Nothing to do when nothing changed.
        let (graph, update) = graph.update(&after);
        assert_eq!(update.inserted, 0);
        // Removed sentences are never returned; past a fifth of stale points the graph is
        // built again from the live rows alone.
        let kept: Vec<_> = rows[..1000].to_vec();
        let smaller = matrix(&kept, 24);
        for query in vectors(20, 24, 15) {
            assert!(graph.search(&smaller, &query, 10).iter().all(|h| {
                h.document < 10_000
                    && smaller
                        .similarity((h.document, h.ordinal), &query)
                        .is_some()
            }));
        }
        let (graph, update) = graph.update(&smaller);
        assert!(update.rebuilt);
        assert_eq!(graph.len(), 1000);
    }

    #[test]
    fn a_damaged_graph_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let rows = numbered(vectors(300, 16, 21), 1);
        Graph::build(&matrix(&rows, 16)).save(dir.path()).unwrap();
        let points = dir.path().join(DIR).join(POINTS_FILE);
        let bytes = std::fs::read(&points).unwrap();
        std::fs::write(&points, &bytes[..bytes.len() - 5]).unwrap();
        assert!(Graph::load(dir.path()).is_err(), "a cut point list");
        std::fs::write(&points, &bytes).unwrap();
        let graph_file = dir.path().join(DIR).join(format!("{BASENAME}.hnsw.graph"));
        let graph_bytes = std::fs::read(&graph_file).unwrap();
        std::fs::write(&graph_file, &graph_bytes[..graph_bytes.len() / 2]).unwrap();
        assert!(Graph::load(dir.path()).is_err(), "a cut graph");
        std::fs::write(&graph_file, b"not a graph at all").unwrap();
        assert!(Graph::load(dir.path()).is_err(), "a foreign file");
    }

    #[test]
    fn integer_cosine_matches_float_cosine() {
        let a: Vec<i8> = (0..37).map(|i| ((i * 29) % 255 - 127) as i8).collect();
        let b: Vec<i8> = (0..37).map(|i| ((i * 53 + 7) % 255 - 127) as i8).collect();
        let dot: f32 = a
            .iter()
            .zip(&b)
            .map(|(&x, &y)| f32::from(x) * f32::from(y))
            .sum();
        let norm = |v: &[i8]| v.iter().map(|&x| f32::from(x).powi(2)).sum::<f32>().sqrt();
        let want = 1.0 - dot / (norm(&a) * norm(&b));
        assert!((CosineI8.eval(&a, &b) - want.max(0.0)).abs() < 1e-5);
        assert!(CosineI8.eval(&a, &a) < 1e-6);
        assert_eq!(CosineI8.eval(&a, &[0; 37]), 1.0);
    }
}
