//! The index folder: SQLite for documents and sentences, tantivy for passages.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use corpus::{Document, split_passages, split_sentences};
use rusqlite::{Connection, OptionalExtension, params};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::ann::GraphUpdate;
use crate::error::IndexError;
use crate::text::{ANALYZER, Token, WeightedTerm, analyzer, tokenize};
use crate::vectors::{DenseHit, SentenceId, VectorMatrix, encode};

/// Bumped whenever the layout of either store changes meaning.
const SCHEMA_VERSION: &str = "2";
/// Sentences embedded (and committed) together during ingest.
const EMBED_BATCH: usize = 1024;
/// Documents read from SQLite at a time while embedding.
const EMBED_PAGE: usize = 1024;
const WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;
/// How passages are scored beyond plain multi-field BM25.
///
/// Retrieval benchmarks measure [`Ranking::BM25`]: on SciFact's train queries the
/// adjacent-term boost and a title boost of 1.6 together lowered nDCG@10 from 0.660 to
/// 0.584. A why-question names its subject in a few words ("Black Death", "Wall Street
/// crash"), and there the adjacent-term boost is what finds it: without it the lexical engine
/// fell on the why-question development set from key-point recall 0.931 to 0.847 and source
/// recall 0.958 to 0.875 (a title boost changed nothing there). So the engine's evidence
/// searches use [`Ranking::WHY_QUESTION`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranking {
    /// Weight of a title match relative to a body match.
    pub title_boost: f32,
    /// Weight of two query terms found side by side, relative to the weaker term's own
    /// weight (0 for none).
    pub adjacent_terms: f32,
}

impl Ranking {
    /// Plain multi-field BM25: title and body matches count alike.
    pub const BM25: Ranking = Ranking {
        title_boost: 1.0,
        adjacent_terms: 0.0,
    };
    /// The engine's searches for evidence: adjacent query terms count once more.
    pub const WHY_QUESTION: Ranking = Ranking {
        title_boost: 1.0,
        adjacent_terms: 1.0,
    };
}

/// A sentence of a stored document: its ordinal and byte range.
type SentenceRow = (i64, Range<usize>);

/// An ingested document as stored, with its sentence spans.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    /// Internal numeric id, stable while the document exists.
    pub id: u64,
    /// The document's own identity ([`Document::id`]).
    pub key: String,
    pub title: String,
    pub text: String,
    pub url: Option<String>,
    pub license: Option<String>,
    /// `YYYY-MM-DD`, where the source gave a date.
    pub date: Option<String>,
    /// A lowercase BCP 47 tag, where the source gave its language.
    pub language: Option<String>,
    pub sentences: Vec<SentenceSpan>,
}

impl StoredDocument {
    pub fn sentence_text(&self, sentence: usize) -> &str {
        &self.text[self.sentences[sentence].range.clone()]
    }
}

/// A sentence as a byte range of its document's original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceSpan {
    pub range: Range<usize>,
    /// Index of the passage the sentence belongs to.
    pub passage: u32,
}

/// A passage that matched a query, with its BM25 score.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageHit {
    pub document: u64,
    pub passage: u32,
    pub score: f32,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestStats {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub sentences: usize,
    pub passages: usize,
    /// Sentences given a vector by this ingest.
    pub embedded: usize,
}

/// Reported while an ingest runs: how many of the given documents have been handled.
#[derive(Debug, Clone, Copy)]
pub struct IngestProgress {
    pub phase: IngestPhase,
    pub done: usize,
    /// 0 while indexing documents that arrive as a stream of unknown length.
    pub total: usize,
}

/// The two passes of an ingest: documents into the text index, then sentences into vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestPhase {
    Indexing,
    Embedding,
}

#[derive(Clone, Copy)]
struct Fields {
    document: Field,
    passage: Field,
    title: Field,
    body: Field,
}

/// The index folder, open for reading and (one process at a time) ingesting.
pub struct Index {
    dir: PathBuf,
    tantivy: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    analyzer: TextAnalyzer,
    db: Mutex<Connection>,
    embedder: Option<Arc<embed::Embedder>>,
    /// Whether documents have the date and language columns (read-only generations written
    /// before them have not).
    dated: bool,
    /// All sentence vectors, loaded on the first dense search and after each ingest.
    vectors: RwLock<Option<Arc<VectorMatrix>>>,
    /// The nearest-neighbour graph over them (`Some(None)`: the index has none), loaded with
    /// them.
    graph: RwLock<Option<Option<Arc<crate::ann::Graph>>>>,
}

impl Index {
    /// Opens an existing index; [`IndexError::NotFound`] when nothing was ingested yet.
    ///
    /// An index with generations (see [`crate::generation`]) is opened at its live
    /// generation, read-only: readers never write to it. An index from before generations is
    /// opened in place.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let live = crate::generation::live_dir(dir);
        if !live.join("documents.sqlite").is_file() || !live.join("tantivy/meta.json").is_file() {
            return Err(IndexError::NotFound {
                dir: dir.to_owned(),
            });
        }
        if live != dir {
            return Self::open_read_only(&live);
        }
        Self::create_or_open(dir)
    }

    /// Opens a finished index read-only: SQLite without writes, tantivy without a writer.
    pub fn open_read_only(dir: &Path) -> Result<Self, IndexError> {
        let db = Connection::open_with_flags(
            dir.join("documents.sqlite"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        let found: Option<String> = db
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |row| {
                row.get(0)
            })
            .optional()?;
        if found.as_deref() != Some(SCHEMA_VERSION) {
            return Err(IndexError::IncompatibleSchema {
                dir: dir.to_owned(),
                found: found.unwrap_or_else(|| "none".into()),
                expected: SCHEMA_VERSION.into(),
            });
        }
        let directory = tantivy::directory::MmapDirectory::open(dir.join("tantivy"))
            .map_err(|error| IndexError::Corrupt(error.to_string()))?;
        let tantivy = tantivy::Index::open(directory)?;
        Self::assemble(dir, tantivy, db, ReloadPolicy::Manual)
    }

    /// Opens the index in `dir` for ingesting, creating an empty one if there is none. With
    /// generations, that is the live generation, changed in place: `because ingest` builds a
    /// new generation instead ([`crate::NextGeneration`]).
    pub fn create_or_open(dir: &Path) -> Result<Self, IndexError> {
        let dir = &crate::generation::live_dir(dir);
        let tantivy_dir = dir.join("tantivy");
        std::fs::create_dir_all(&tantivy_dir).map_err(|source| IndexError::CreateDir {
            dir: tantivy_dir.clone(),
            source,
        })?;
        let db = Connection::open(dir.join("documents.sqlite"))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&db, dir)?;

        let (schema, _) = schema();
        let directory = tantivy::directory::MmapDirectory::open(&tantivy_dir)
            .map_err(|error| IndexError::Corrupt(error.to_string()))?;
        let tantivy = tantivy::Index::open_or_create(directory, schema)?;
        Self::assemble(dir, tantivy, db, ReloadPolicy::OnCommitWithDelay)
    }

    fn assemble(
        dir: &Path,
        tantivy: tantivy::Index,
        db: Connection,
        reload: ReloadPolicy,
    ) -> Result<Self, IndexError> {
        let (_, fields) = schema();
        tantivy.tokenizers().register(ANALYZER, analyzer());
        let reader = tantivy.reader_builder().reload_policy(reload).try_into()?;
        let dated = has_dates(&db)?;
        Ok(Index {
            dir: dir.to_owned(),
            tantivy,
            reader,
            fields,
            analyzer: analyzer(),
            dated,
            db: Mutex::new(db),
            embedder: None,
            vectors: RwLock::new(None),
            graph: RwLock::new(None),
        })
    }

    /// Gives the index a sentence embedder: ingest then stores a vector per sentence and
    /// [`Index::dense_search`] works.
    pub fn with_embedder(mut self, embedder: Arc<embed::Embedder>) -> Index {
        self.embedder = Some(embedder);
        self
    }

    pub fn embedder(&self) -> Option<&embed::Embedder> {
        self.embedder.as_deref()
    }

    /// The question's vector (by the embedder's int8-weight query path), when there is an
    /// embedder.
    pub fn embed_query(&self, text: &str) -> Result<Option<Vec<f32>>, IndexError> {
        match &self.embedder {
            Some(embedder) => Ok(Some(embedder.embed_query(text)?)),
            None => Ok(None),
        }
    }

    /// The sentences most similar to a query vector: through the nearest-neighbour graph
    /// when the index has one (see [`crate::ann`]), else by exact search over all stored
    /// vectors.
    pub fn dense_search(&self, query: &[f32], limit: usize) -> Result<Vec<DenseHit>, IndexError> {
        let matrix = self.vector_matrix()?;
        Ok(match self.vector_graph() {
            Some(graph) => graph.search(&matrix, query, limit),
            None => matrix.search(query, limit),
        })
    }

    /// [`Index::dense_search`] by exact search, graph or not: the reference the graph is
    /// measured against.
    pub fn exact_dense_search(
        &self,
        query: &[f32],
        limit: usize,
    ) -> Result<Vec<DenseHit>, IndexError> {
        Ok(self.vector_matrix()?.search(query, limit))
    }

    /// Stores sentence vectors computed elsewhere (by the same model outside this process,
    /// or a benchmark's copies of real vectors): for each document id, one vector per
    /// sentence in order, all of one dimension. They replace the document's vectors, and it
    /// counts as embedded. A document whose sentence count differs is refused, and nothing
    /// of the call is stored.
    pub fn store_vectors(&self, documents: &[(u64, Vec<Vec<f32>>)]) -> Result<(), IndexError> {
        let dimension = self.embedder.as_ref().map_or(384, |e| e.dimension());
        let mut db = self.db();
        let tx = db.transaction()?;
        {
            let mut count =
                tx.prepare_cached("SELECT COUNT(*) FROM sentences WHERE document = ?1")?;
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO vectors (document, ordinal, vector) VALUES (?1, ?2, ?3)",
            )?;
            for (document, vectors) in documents {
                let id = *document as i64;
                let sentences: i64 = count.query_row([id], |row| row.get(0))?;
                if sentences != vectors.len() as i64 {
                    return Err(IndexError::Corrupt(format!(
                        "document {document} has {sentences} sentences, given {} vectors",
                        vectors.len()
                    )));
                }
                if let Some(wrong) = vectors.iter().find(|v| v.len() != dimension) {
                    return Err(IndexError::Corrupt(format!(
                        "a vector of {} components for document {document}; the index's have {dimension}",
                        wrong.len()
                    )));
                }
                tx.execute("DELETE FROM vectors WHERE document = ?1", [id])?;
                for (ordinal, vector) in vectors.iter().enumerate() {
                    insert.execute(params![id, ordinal as i64, encode(vector)])?;
                }
                tx.execute("UPDATE documents SET embedded = 1 WHERE id = ?1", [id])?;
            }
        }
        tx.commit()?;
        *self.vectors.write().unwrap_or_else(|p| p.into_inner()) = None;
        *self.graph.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    /// Points in the nearest-neighbour graph (stale ones included); `None` without a graph.
    pub fn vector_graph_points(&self) -> Result<Option<usize>, IndexError> {
        Ok(self.vector_graph().map(|graph| graph.len()))
    }

    /// Brings the nearest-neighbour graph in step with the stored vectors, once an ingest has
    /// stored them: with at least `threshold` vectors, the sentences the saved graph lacks are
    /// inserted (or it is built, or built again when too many of its points are stale) and it
    /// is saved; below `threshold` there is no graph and search stays exact. `None` when
    /// there is no graph afterwards.
    pub fn update_vector_graph(&self, threshold: usize) -> Result<Option<GraphUpdate>, IndexError> {
        let matrix = self.vector_matrix()?;
        if matrix.len() < threshold.max(1) {
            crate::ann::remove(&self.dir)?;
            *self.graph.write().unwrap_or_else(|p| p.into_inner()) = Some(None);
            return Ok(None);
        }
        let saved = crate::ann::Graph::load(&self.dir).unwrap_or_else(|error| {
            tracing::warn!(%error, "the saved vector graph is built again");
            None
        });
        let (graph, update) = match saved {
            Some(graph) => graph.update(&matrix),
            None => crate::ann::Graph::rebuild(&matrix),
        };
        if update.inserted > 0 {
            graph.save(&self.dir)?;
        }
        *self.graph.write().unwrap_or_else(|p| p.into_inner()) = Some(Some(Arc::new(graph)));
        Ok(Some(update))
    }

    /// The graph, loaded once; `None` without one. A damaged graph costs speed, never
    /// answers: search is exact without it.
    fn vector_graph(&self) -> Option<Arc<crate::ann::Graph>> {
        if let Some(loaded) = self
            .graph
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            return loaded.clone();
        }
        let graph = match crate::ann::Graph::load(&self.dir) {
            Ok(graph) => graph.map(Arc::new),
            Err(error) => {
                tracing::warn!(%error, "searching the sentence vectors exactly");
                None
            }
        };
        *self.graph.write().unwrap_or_else(|p| p.into_inner()) = Some(graph.clone());
        graph
    }

    /// The stored vector of one sentence, if it has one.
    pub fn sentence_vector(
        &self,
        document: u64,
        ordinal: usize,
    ) -> Result<Option<Vec<f32>>, IndexError> {
        Ok(self.vector_matrix()?.vector(document, ordinal as u32))
    }

    /// Every stored sentence vector (dequantised) with its document and ordinal: for
    /// measuring search methods against exact search.
    pub fn sentence_vectors(&self) -> Result<Vec<(SentenceId, Vec<f32>)>, IndexError> {
        Ok(self.vector_matrix()?.iter().collect())
    }

    /// Number of sentences that have a vector.
    pub fn vector_count(&self) -> Result<usize, IndexError> {
        Ok(self.vector_matrix()?.len())
    }

    fn vector_matrix(&self) -> Result<Arc<VectorMatrix>, IndexError> {
        if let Some(matrix) = self
            .vectors
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            return Ok(matrix.clone());
        }
        let dimension = self.embedder.as_ref().map_or(384, |e| e.dimension());
        let mut matrix = VectorMatrix::new(dimension);
        {
            let db = self.db();
            let mut query = db.prepare(
                "SELECT document, ordinal, vector FROM vectors ORDER BY document, ordinal",
            )?;
            let mut rows = query.query([])?;
            while let Some(row) = rows.next()? {
                let document: i64 = row.get(0)?;
                let ordinal: i64 = row.get(1)?;
                let bytes: Vec<u8> = row.get(2)?;
                matrix
                    .push(document as u64, ordinal as u32, &bytes)
                    .ok_or_else(|| {
                        IndexError::Corrupt(format!(
                            "vector of document {document} has {} bytes",
                            bytes.len()
                        ))
                    })?;
            }
        }
        let matrix = Arc::new(matrix);
        *self.vectors.write().unwrap_or_else(|p| p.into_inner()) = Some(matrix.clone());
        Ok(matrix)
    }

    /// The folder this index was opened from: a generation's folder, or the index folder
    /// of an index without generations.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The index folder (what `--data-dir`'s `index` is), whichever generation is open.
    pub fn root(&self) -> PathBuf {
        crate::generation::root_of(&self.dir)
    }

    /// The generation open (`None` for an index without generations).
    pub fn generation(&self) -> Option<String> {
        (self.root() != self.dir)
            .then(|| {
                self.dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .flatten()
    }

    /// The embedder, shared (to give a newly opened generation the model already loaded).
    pub fn shared_embedder(&self) -> Option<Arc<embed::Embedder>> {
        self.embedder.clone()
    }

    /// Number of stored documents.
    pub fn document_count(&self) -> Result<u64, IndexError> {
        let db = self.db();
        let count: i64 = db.query_row("SELECT COUNT(*) FROM documents", [], |row| row.get(0))?;
        Ok(count as u64)
    }

    /// Number of stored sentences.
    pub fn sentence_count(&self) -> Result<u64, IndexError> {
        let db = self.db();
        let count: i64 = db.query_row("SELECT COUNT(*) FROM sentences", [], |row| row.get(0))?;
        Ok(count as u64)
    }

    /// Splits `text` into stemmed terms exactly as the index does.
    pub fn analyze(&self, text: &str) -> Vec<Token> {
        tokenize(&mut self.analyzer.clone(), text)
    }

    /// Inverse document frequency of a stem over passages (BM25's form, always positive).
    pub fn idf(&self, stem: &str) -> f32 {
        let searcher = self.reader.searcher();
        let total = searcher.num_docs() as f32;
        let frequency = searcher
            .doc_freq(&Term::from_field_text(self.fields.body, stem))
            .unwrap_or(0) as f32;
        (1.0 + (total - frequency + 0.5) / (frequency + 0.5)).ln()
    }

    /// Plain BM25 search over passage bodies and titles, best first.
    pub fn search(
        &self,
        terms: &[WeightedTerm],
        limit: usize,
    ) -> Result<Vec<PassageHit>, IndexError> {
        self.search_with(terms, &[], limit, Ranking::BM25)
    }

    /// Search with the given ranking. When `any_of` is not empty only passages whose body
    /// contains at least one of its stems match; those stems barely affect the score.
    pub fn search_with(
        &self,
        terms: &[WeightedTerm],
        any_of: &[String],
        limit: usize,
        ranking: Ranking,
    ) -> Result<Vec<PassageHit>, IndexError> {
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let fields = [
            (self.fields.body, 1.0),
            (self.fields.title, ranking.title_boost),
        ];
        for term in terms {
            for (field, boost) in fields {
                let query = TermQuery::new(
                    Term::from_field_text(field, &term.stem),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost * term.weight)),
                ));
            }
        }
        if ranking.adjacent_terms > 0.0 {
            // Query terms found side by side ("world war") count once more: a phrase says
            // more than its words scattered through a passage.
            for pair in terms.windows(2) {
                for (field, boost) in fields {
                    let phrase = PhraseQuery::new(vec![
                        Term::from_field_text(field, &pair[0].stem),
                        Term::from_field_text(field, &pair[1].stem),
                    ]);
                    let weight =
                        ranking.adjacent_terms * boost * pair[0].weight.min(pair[1].weight);
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(phrase), weight)),
                    ));
                }
            }
        }
        let mut query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        if !any_of.is_empty() {
            // Both must hold: some query term matches, and some required stem is present.
            let required: Vec<(Occur, Box<dyn Query>)> = any_of
                .iter()
                .map(|stem| {
                    let term: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.body, stem),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, term)
                })
                .collect();
            let required = BoostQuery::new(Box::new(BooleanQuery::new(required)), 0.01);
            query = Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::Must, Box::new(required)),
            ]));
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address)?;
            let number = |field| {
                stored
                    .get_first(field)
                    .and_then(|value| value.as_u64())
                    .ok_or_else(|| IndexError::Corrupt("passage without ids".into()))
            };
            hits.push(PassageHit {
                document: number(self.fields.document)?,
                passage: number(self.fields.passage)? as u32,
                score,
            });
        }
        Ok(hits)
    }

    /// A stored document with its sentences, or `None` for an unknown id.
    pub fn document(&self, id: u64) -> Result<Option<StoredDocument>, IndexError> {
        let db = self.db();
        read_document(
            &db,
            self.dated,
            "id = ?1",
            rusqlite::types::Value::Integer(id as i64),
        )
    }

    /// A stored document by its own identity ([`Document::id`], e.g. a Wikipedia title).
    pub fn document_by_key(&self, key: &str) -> Result<Option<StoredDocument>, IndexError> {
        let db = self.db();
        read_document(
            &db,
            self.dated,
            "key = ?1",
            rusqlite::types::Value::Text(key.to_owned()),
        )
    }

    /// Adds new documents, replaces changed ones, skips unchanged ones (by content hash).
    pub fn ingest(
        &self,
        documents: impl IntoIterator<Item = Document>,
        progress: &mut dyn FnMut(IngestProgress),
    ) -> Result<IngestStats, IndexError> {
        self.ingest_from(documents, None, progress)
    }

    /// [`Index::ingest`], recording where the documents came from (a folder, a file, the
    /// default corpus): what [`Index::remove_missing`] and [`Index::origins`] go by.
    pub fn ingest_from(
        &self,
        documents: impl IntoIterator<Item = Document>,
        origin: Option<&str>,
        progress: &mut dyn FnMut(IngestProgress),
    ) -> Result<IngestStats, IndexError> {
        // Streamed: one document in memory at a time (a collection's length is reported as
        // the total; a stream's is not known).
        let documents = documents.into_iter();
        let total = match documents.size_hint() {
            (lower, Some(upper)) if lower == upper => lower,
            _ => 0,
        };
        let mut writer = self.writer()?;
        let mut stats = IngestStats::default();
        {
            let mut db = self.db();
            let tx = db.transaction()?;
            self.reindex_unfinished(&tx, &writer, &mut stats)?;
            let mut done = 0;
            for document in documents {
                self.ingest_one(&tx, &writer, &document, &mut stats)?;
                if let Some(origin) = origin {
                    tx.execute(
                        "UPDATE documents SET origin = ?2 WHERE key = ?1 AND origin IS NOT ?2",
                        params![document.id, origin],
                    )?;
                }
                done += 1;
                if done % 256 == 1 {
                    progress(IngestProgress {
                        phase: IngestPhase::Indexing,
                        done,
                        total,
                    });
                }
            }
            progress(IngestProgress {
                phase: IngestPhase::Indexing,
                done,
                total: done,
            });
            tx.commit()?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.db()
            .execute("UPDATE documents SET indexed = 1 WHERE indexed = 0", [])?;
        self.reader.reload()?;
        if let Some(embedder) = &self.embedder {
            stats.embedded = self.embed_missing(embedder, progress)?;
        }
        *self.vectors.write().unwrap_or_else(|p| p.into_inner()) = None;
        *self.graph.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(stats)
    }

    /// Removes the documents of `origin` whose keys are not in `keep` (text, sentences,
    /// passages and vectors): what a synchronised source no longer holds. Returns the keys
    /// removed.
    pub fn remove_missing(
        &self,
        origin: &str,
        keep: &std::collections::HashSet<String>,
    ) -> Result<Vec<String>, IndexError> {
        let gone: Vec<(i64, String)> = {
            let db = self.db();
            let mut query = db.prepare("SELECT id, key FROM documents WHERE origin = ?1")?;
            query
                .query_map([origin], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<Vec<(i64, String)>, _>>()?
                .into_iter()
                .filter(|(_, key)| !keep.contains(key))
                .collect()
        };
        if gone.is_empty() {
            return Ok(Vec::new());
        }
        let mut writer = self.writer()?;
        for (id, _) in &gone {
            writer.delete_term(Term::from_field_u64(self.fields.document, *id as u64));
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        {
            let mut db = self.db();
            let tx = db.transaction()?;
            for (id, _) in &gone {
                tx.execute("DELETE FROM sentences WHERE document = ?1", [id])?;
                tx.execute("DELETE FROM vectors WHERE document = ?1", [id])?;
                tx.execute("DELETE FROM documents WHERE id = ?1", [id])?;
            }
            tx.commit()?;
        }
        self.reader.reload()?;
        *self.vectors.write().unwrap_or_else(|p| p.into_inner()) = None;
        *self.graph.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(gone.into_iter().map(|(_, key)| key).collect())
    }

    /// Where the indexed documents came from, with how many documents and sentences each
    /// gave (`None`: ingested without a recorded origin, before origins were kept).
    pub fn origins(&self) -> Result<Vec<(Option<String>, u64, u64)>, IndexError> {
        let db = self.db();
        let mut query = db.prepare(
            "SELECT d.origin, COUNT(DISTINCT d.id), COUNT(s.ordinal)
             FROM documents d LEFT JOIN sentences s ON s.document = d.id
             GROUP BY d.origin ORDER BY d.origin",
        )?;
        let rows = query
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Embeds the sentences of every document that has no vectors yet (new, changed, or
    /// ingested without a model), committing batch by batch so that an interrupted ingest
    /// resumes where it stopped.
    fn embed_missing(
        &self,
        embedder: &embed::Embedder,
        progress: &mut dyn FnMut(IngestProgress),
    ) -> Result<usize, IndexError> {
        let total: i64 = self.db().query_row(
            "SELECT COUNT(*) FROM sentences s JOIN documents d ON d.id = s.document WHERE d.embedded = 0",
            [],
            |row| row.get(0),
        )?;
        let total = total as usize;
        let mut done = 0;
        // Documents are read a page at a time, so that an ingest of any size holds only a
        // page of text in memory.
        let mut after = i64::MIN;
        loop {
            let pending: Vec<(i64, String)> = {
                let db = self.db();
                let mut query = db.prepare_cached(
                    "SELECT id, text FROM documents WHERE embedded = 0 AND id > ?1 ORDER BY id LIMIT ?2",
                )?;
                query
                    .query_map(params![after, EMBED_PAGE as i64], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })?
                    .collect::<Result<_, _>>()?
            };
            let Some(&(last, _)) = pending.last() else {
                break;
            };
            after = last;
            done = self.embed_page(embedder, &pending, done, total, progress)?;
        }
        Ok(done)
    }

    /// Embeds the sentences of one page of documents, committing batch by batch; returns the
    /// sentences done so far.
    fn embed_page(
        &self,
        embedder: &embed::Embedder,
        pending: &[(i64, String)],
        mut done: usize,
        total: usize,
        progress: &mut dyn FnMut(IngestProgress),
    ) -> Result<usize, IndexError> {
        let mut spans: Vec<(i64, Vec<SentenceRow>)> = Vec::with_capacity(pending.len());
        {
            let db = self.db();
            let mut query = db.prepare_cached(
                "SELECT ordinal, start, end FROM sentences WHERE document = ?1 ORDER BY ordinal",
            )?;
            for (id, _) in pending {
                let rows = query
                    .query_map([id], |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, i64>(1)? as usize..row.get::<_, i64>(2)? as usize,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                spans.push((*id, rows));
            }
        }
        let mut start = 0;
        while start < pending.len() {
            // A batch of whole documents, about EMBED_BATCH sentences.
            let mut end = start;
            let mut count = 0;
            while end < pending.len() && (count == 0 || count + spans[end].1.len() <= EMBED_BATCH) {
                count += spans[end].1.len();
                end += 1;
            }
            let mut texts = Vec::with_capacity(count);
            for ((_, text), (_, rows)) in pending[start..end].iter().zip(&spans[start..end]) {
                for (_, range) in rows {
                    let sentence = text.get(range.clone()).ok_or_else(|| {
                        IndexError::Corrupt("sentence outside its document".into())
                    })?;
                    texts.push(sentence);
                }
            }
            let vectors = embedder.embed(&texts)?;
            let mut db = self.db();
            let tx = db.transaction()?;
            {
                let mut insert = tx.prepare_cached("INSERT OR REPLACE INTO vectors (document, ordinal, vector) VALUES (?1, ?2, ?3)")?;
                let mut vectors = vectors.iter();
                for (id, rows) in &spans[start..end] {
                    for (ordinal, _) in rows {
                        let vector = vectors.next().ok_or_else(|| {
                            IndexError::Corrupt("embedder returned too few vectors".into())
                        })?;
                        insert.execute(params![id, ordinal, encode(vector)])?;
                    }
                    tx.execute("UPDATE documents SET embedded = 1 WHERE id = ?1", [id])?;
                }
            }
            tx.commit()?;
            done += count;
            progress(IngestProgress {
                phase: IngestPhase::Embedding,
                done,
                total,
            });
            start = end;
        }
        Ok(done)
    }

    fn ingest_one(
        &self,
        tx: &rusqlite::Transaction<'_>,
        writer: &IndexWriter,
        document: &Document,
        stats: &mut IngestStats,
    ) -> Result<(), IndexError> {
        let hash = document.content_hash();
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, hash FROM documents WHERE key = ?1",
                [&document.id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let id = match existing {
            Some((_, old_hash)) if old_hash == hash => {
                stats.unchanged += 1;
                return Ok(());
            }
            Some((id, _)) => {
                tx.execute(
                    "UPDATE documents SET title = ?2, text = ?3, url = ?4, license = ?5, hash = ?6, date = ?7, language = ?8, indexed = 0, embedded = 0 WHERE id = ?1",
                    params![id, document.title, document.text, document.url, document.license, hash, document.date, document.language],
                )?;
                tx.execute("DELETE FROM sentences WHERE document = ?1", [id])?;
                tx.execute("DELETE FROM vectors WHERE document = ?1", [id])?;
                writer.delete_term(Term::from_field_u64(self.fields.document, id as u64));
                stats.updated += 1;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO documents (key, title, text, url, license, hash, date, language, indexed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)",
                    params![document.id, document.title, document.text, document.url, document.license, hash, document.date, document.language],
                )?;
                stats.added += 1;
                tx.last_insert_rowid()
            }
        };
        self.write_passages(
            tx,
            writer,
            id as u64,
            &document.title,
            &document.text,
            stats,
        )
    }

    /// Documents marked unindexed were written to SQLite but their passages may not have
    /// reached tantivy (an interrupted ingest): index them again.
    fn reindex_unfinished(
        &self,
        tx: &rusqlite::Transaction<'_>,
        writer: &IndexWriter,
        stats: &mut IngestStats,
    ) -> Result<(), IndexError> {
        let unfinished: Vec<(i64, String, String)> = tx
            .prepare("SELECT id, title, text FROM documents WHERE indexed = 0")?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        for (id, title, text) in unfinished {
            tx.execute("DELETE FROM sentences WHERE document = ?1", [id])?;
            writer.delete_term(Term::from_field_u64(self.fields.document, id as u64));
            self.write_passages(tx, writer, id as u64, &title, &text, stats)?;
        }
        Ok(())
    }

    fn write_passages(
        &self,
        tx: &rusqlite::Transaction<'_>,
        writer: &IndexWriter,
        id: u64,
        title: &str,
        text: &str,
        stats: &mut IngestStats,
    ) -> Result<(), IndexError> {
        let sentences = split_sentences(text);
        let passages = split_passages(text, &sentences);
        let mut insert = tx.prepare_cached(
            "INSERT INTO sentences (document, ordinal, passage, start, end) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (number, passage) in passages.iter().enumerate() {
            for ordinal in passage.sentences.clone() {
                let range = &sentences[ordinal];
                insert.execute(params![
                    id as i64,
                    ordinal as i64,
                    number as i64,
                    range.start as i64,
                    range.end as i64
                ])?;
            }
            let mut stored = TantivyDocument::default();
            stored.add_u64(self.fields.document, id);
            stored.add_u64(self.fields.passage, number as u64);
            stored.add_text(self.fields.title, title);
            stored.add_text(self.fields.body, &text[passage.range.clone()]);
            writer.add_document(stored)?;
        }
        stats.sentences += sentences.len();
        stats.passages += passages.len();
        Ok(())
    }

    /// The index's one tantivy writer; another process holding it is `IndexError::Locked`.
    fn writer(&self) -> Result<IndexWriter, IndexError> {
        self.tantivy
            .writer(WRITER_MEMORY_BYTES)
            .map_err(|error| match error {
                tantivy::TantivyError::LockFailure(..) => IndexError::Locked(error.to_string()),
                other => IndexError::Tantivy(other),
            })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (transactions roll
        // back on drop), so a poisoned lock is safe to keep using.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        document: builder.add_u64_field("document", INDEXED | STORED),
        passage: builder.add_u64_field("passage", STORED),
        title: builder.add_text_field("title", text.clone()),
        body: builder.add_text_field("body", text),
    };
    (builder.build(), fields)
}

fn migrate(db: &Connection, dir: &Path) -> Result<(), IndexError> {
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS documents (
             id INTEGER PRIMARY KEY,
             key TEXT NOT NULL UNIQUE,
             title TEXT NOT NULL,
             text TEXT NOT NULL,
             url TEXT,
             license TEXT,
             hash TEXT NOT NULL,
             indexed INTEGER NOT NULL,
             embedded INTEGER NOT NULL DEFAULT 0
         );
         CREATE TABLE IF NOT EXISTS vectors (
             document INTEGER NOT NULL REFERENCES documents(id),
             ordinal INTEGER NOT NULL,
             vector BLOB NOT NULL,
             PRIMARY KEY (document, ordinal)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS sentences (
             document INTEGER NOT NULL REFERENCES documents(id),
             ordinal INTEGER NOT NULL,
             passage INTEGER NOT NULL,
             start INTEGER NOT NULL,
             end INTEGER NOT NULL,
             PRIMARY KEY (document, ordinal)
         ) WITHOUT ROWID;",
    )?;
    // Origins came later: the column is added to an index built before them.
    let has_origin: bool = db.query_row(
        "SELECT EXISTS(SELECT 1 FROM pragma_table_info('documents') WHERE name = 'origin')",
        [],
        |row| row.get(0),
    )?;
    if !has_origin {
        db.execute_batch(
            "ALTER TABLE documents ADD COLUMN origin TEXT;
             CREATE INDEX IF NOT EXISTS documents_by_origin ON documents (origin);",
        )?;
    }
    // So did dates and languages.
    if !has_dates(db)? {
        db.execute_batch(
            "ALTER TABLE documents ADD COLUMN date TEXT;
             ALTER TABLE documents ADD COLUMN language TEXT;",
        )?;
    }
    let found: Option<String> = db
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |row| {
            row.get(0)
        })
        .optional()?;
    match found {
        None => {
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION],
            )?;
        }
        Some(version) if version == SCHEMA_VERSION => {}
        Some(version) => {
            return Err(IndexError::IncompatibleSchema {
                dir: dir.to_owned(),
                found: version,
                expected: SCHEMA_VERSION.into(),
            });
        }
    }
    Ok(())
}

/// Whether the documents table has the date and language columns (a generation written
/// before them, opened read-only, has not).
fn has_dates(db: &Connection) -> Result<bool, IndexError> {
    Ok(db.query_row(
        "SELECT EXISTS(SELECT 1 FROM pragma_table_info('documents') WHERE name = 'date')",
        [],
        |row| row.get(0),
    )?)
}

fn read_document(
    db: &Connection,
    dated: bool,
    condition: &str,
    key: rusqlite::types::Value,
) -> Result<Option<StoredDocument>, IndexError> {
    let dates = if dated {
        "date, language"
    } else {
        "NULL, NULL"
    };
    let sql = format!(
        "SELECT id, key, title, text, url, license, {dates} FROM documents WHERE {condition}"
    );
    let document = db
        .prepare_cached(&sql)?
        .query_row([key], |row| {
            Ok(StoredDocument {
                id: row.get::<_, i64>(0)? as u64,
                key: row.get(1)?,
                title: row.get(2)?,
                text: row.get(3)?,
                url: row.get(4)?,
                license: row.get(5)?,
                date: row.get(6)?,
                language: row.get(7)?,
                sentences: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut document) = document else {
        return Ok(None);
    };
    let mut query = db.prepare_cached(
        "SELECT passage, start, end FROM sentences WHERE document = ?1 ORDER BY ordinal",
    )?;
    let rows = query.query_map([document.id as i64], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (passage, start, end) = row?;
        let range = start as usize..end as usize;
        if range.end > document.text.len()
            || !document.text.is_char_boundary(range.start)
            || !document.text.is_char_boundary(range.end)
        {
            return Err(IndexError::Corrupt(format!(
                "sentence {range:?} outside document {}",
                document.key
            )));
        }
        document.sentences.push(SentenceSpan {
            range,
            passage: passage as u32,
        });
    }
    Ok(Some(document))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(id: &str, title: &str, text: &str) -> Document {
        Document {
            id: id.into(),
            title: title.into(),
            text: text.into(),
            url: None,
            license: None,
            date: None,
            language: None,
        }
    }

    /// The sentence-embedding model, when `scripts/install-assets.sh` installed it.
    fn installed_model() -> Option<PathBuf> {
        let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/model");
        if model.join("model.safetensors").is_file() {
            Some(model)
        } else {
            eprintln!(
                "skipped: needs {} (scripts/install-assets.sh)",
                model.display()
            );
            None
        }
    }

    fn fixture() -> Vec<Document> {
        vec![
            document(
                "famine",
                "Famine",
                "A famine is a scarcity of food. It is caused by war, drought and crop failure.",
            ),
            document(
                "river",
                "River",
                "A river is a natural stream of water. Rivers flood after heavy rain.",
            ),
            document("war", "War", "War is an armed conflict between states."),
        ]
    }

    fn term(index: &Index, word: &str) -> WeightedTerm {
        WeightedTerm {
            stem: index.analyze(word)[0].stem.clone(),
            weight: 1.0,
        }
    }

    #[test]
    fn the_why_question_ranking_prefers_query_terms_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create_or_open(dir.path()).unwrap();
        let documents = vec![
            document(
                "scattered",
                "Markets",
                "Prices crashed as a wall of debt rose over the street.",
            ),
            document(
                "together",
                "Crisis",
                "The Wall Street crash of 1929 began a long decline of trade, credit, farm \
                 incomes and employment in many countries during the following decade.",
            ),
        ];
        // Other documents, so that the query words are rare, as they are in a real corpus.
        let documents: Vec<Document> = documents.into_iter().chain(fixture()).collect();
        index.ingest(documents, &mut |_| {}).unwrap();
        let terms = [
            term(&index, "wall"),
            term(&index, "street"),
            term(&index, "crash"),
        ];
        let first = |ranking| {
            let hits = index.search_with(&terms, &[], 10, ranking).unwrap();
            assert_eq!(hits.len(), 2);
            index.document(hits[0].document).unwrap().unwrap().key
        };
        // Plain BM25 prefers the short passage with the words apart; the phrase wins when
        // adjacent terms count.
        assert_eq!(first(Ranking::BM25), "scattered");
        assert_eq!(first(Ranking::WHY_QUESTION), "together");
    }

    #[test]
    fn a_synchronised_origin_loses_what_it_no_longer_holds() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create_or_open(dir.path()).unwrap();
        let [famine, river, war] = <[Document; 3]>::try_from(fixture()).unwrap();
        index
            .ingest_from([famine.clone(), river], Some("notes/"), &mut |_| {})
            .unwrap();
        index
            .ingest_from([war], Some("wiki.xml"), &mut |_| {})
            .unwrap();
        assert_eq!(
            index.origins().unwrap(),
            [
                (Some("notes/".to_owned()), 2, 4),
                (Some("wiki.xml".to_owned()), 1, 1)
            ]
        );
        // The folder now holds only the famine: the river goes, the other origin stays.
        let keep: std::collections::HashSet<String> = ["famine".to_owned()].into();
        assert_eq!(index.remove_missing("notes/", &keep).unwrap(), ["river"]);
        assert!(index.document_by_key("river").unwrap().is_none());
        assert!(
            index
                .search(&[term(&index, "rivers")], 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(index.search(&[term(&index, "armed")], 10).unwrap().len(), 1);
        assert_eq!(index.document_count().unwrap(), 2);
        assert!(index.remove_missing("notes/", &keep).unwrap().is_empty());
        // Re-ingesting the same document again changes nothing.
        let stats = index
            .ingest_from([famine], Some("notes/"), &mut |_| {})
            .unwrap();
        assert_eq!(stats.unchanged, 1);
    }

    #[test]
    fn opening_a_missing_index_says_to_ingest() {
        let dir = tempfile::tempdir().unwrap();
        let error = Index::open(&dir.path().join("index"))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("because ingest"), "{error}");
    }

    #[test]
    fn ingest_then_search_finds_the_passage() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create_or_open(dir.path()).unwrap();
        let stats = index.ingest(fixture(), &mut |_| {}).unwrap();
        assert_eq!(stats.added, 3);
        assert_eq!(stats.sentences, 5);
        let hits = index.search(&[term(&index, "famines")], 10).unwrap();
        assert_eq!(hits.len(), 1);
        let caused = index.analyze("caused")[0].stem.clone();
        let rivers = [term(&index, "river"), term(&index, "famine")];
        let causal = index
            .search_with(&rivers, &[caused], 10, Ranking::BM25)
            .unwrap();
        assert_eq!(
            causal.len(),
            1,
            "only the passage with a causal word matches"
        );
        let found = index.document(hits[0].document).unwrap().unwrap();
        assert_eq!(found.title, "Famine");
        assert_eq!(
            found.sentence_text(1),
            "It is caused by war, drought and crop failure."
        );
        assert!(index.idf("famin") > index.idf("a"));
    }

    #[test]
    fn reingest_skips_unchanged_and_replaces_changed_documents() {
        let dir = tempfile::tempdir().unwrap();
        {
            let index = Index::create_or_open(dir.path()).unwrap();
            index.ingest(fixture(), &mut |_| {}).unwrap();
        }
        let index = Index::open(dir.path()).unwrap();
        let stats = index.ingest(fixture(), &mut |_| {}).unwrap();
        assert_eq!((stats.added, stats.updated, stats.unchanged), (0, 0, 3));

        let mut changed = fixture();
        changed[1].text = "A river floods. Levees hold it back.".into();
        let stats = index.ingest(changed, &mut |_| {}).unwrap();
        assert_eq!((stats.added, stats.updated, stats.unchanged), (0, 1, 2));
        assert!(
            index
                .search(&[term(&index, "heavy")], 10)
                .unwrap()
                .is_empty()
        );
        let hits = index.search(&[term(&index, "levees")], 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(index.document_count().unwrap(), 3);
    }

    /// Documents of a stream (no length known) are ingested as they come; progress says the
    /// total is unknown until the end.
    #[test]
    fn a_stream_of_documents_is_ingested_as_it_comes() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create_or_open(dir.path()).unwrap();
        let mut source = fixture().into_iter();
        let mut handed = 0;
        let stream = std::iter::from_fn(|| {
            handed += 1;
            source.next()
        });
        let mut reports = Vec::new();
        let stats = index
            .ingest_from(stream, Some("stream"), &mut |p| {
                reports.push((p.phase, p.done, p.total))
            })
            .unwrap();
        assert_eq!(stats.added, 3);
        assert_eq!(handed, 4, "read to its end, once");
        assert_eq!(reports.first(), Some(&(IngestPhase::Indexing, 1, 0)));
        assert_eq!(reports.last(), Some(&(IngestPhase::Indexing, 3, 3)));
        assert_eq!(index.origins().unwrap()[0], (Some("stream".into()), 3, 5));
    }

    #[test]
    fn vectors_computed_elsewhere_are_stored_whole_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create_or_open(dir.path()).unwrap();
        index.ingest(fixture(), &mut |_| {}).unwrap();
        let famine = index.document_by_key("famine").unwrap().unwrap();
        let river = index.document_by_key("river").unwrap().unwrap();
        let unit = |axis: usize| {
            let mut v = vec![0.0f32; 384];
            v[axis] = 1.0;
            v
        };
        index
            .store_vectors(&[(famine.id, vec![unit(0), unit(1)])])
            .unwrap();
        assert_eq!(index.vector_count().unwrap(), 2);
        let hits = index.dense_search(&unit(1), 1).unwrap();
        assert_eq!((hits[0].document, hits[0].ordinal), (famine.id, 1));
        // One vector short for the river, or the wrong length: nothing of the call is kept.
        let refused = index.store_vectors(&[
            (famine.id, vec![unit(2), unit(3)]),
            (river.id, vec![unit(4)]),
        ]);
        assert!(refused.is_err());
        assert!(
            index
                .store_vectors(&[(river.id, vec![vec![1.0; 3], unit(5)])])
                .is_err()
        );
        assert_eq!(index.vector_count().unwrap(), 2);
        let hits = index.dense_search(&unit(1), 1).unwrap();
        assert_eq!((hits[0].document, hits[0].ordinal), (famine.id, 1));
    }

    /// The nearest-neighbour graph is built at ingest, saved in the generation, extended by
    /// the next ingest with only what is new (the live generation's files untouched), read by
    /// a reader of the live generation, never returns a removed document, and is dropped
    /// when the index falls below the threshold.
    #[test]
    fn the_vector_graph_follows_ingests_across_generations() {
        let Some(model) = installed_model() else {
            return;
        };
        let embedder = Arc::new(embed::Embedder::load(&model).unwrap());
        let root = tempfile::tempdir().unwrap();
        let origin = Some("fixture");
        let questions = [
            "harvests ruined by lack of rain",
            "water overflowing its banks",
            "insects devouring the crops",
        ];

        let next = crate::NextGeneration::begin(root.path()).unwrap();
        let index = Index::create_or_open(next.dir())
            .unwrap()
            .with_embedder(embedder.clone());
        index.ingest_from(fixture(), origin, &mut |_| {}).unwrap();
        let built = index.update_vector_graph(1).unwrap().expect("a graph");
        assert_eq!(
            built,
            GraphUpdate {
                points: 5,
                inserted: 5,
                rebuilt: true
            }
        );
        for question in questions {
            let query = index.embed_query(question).unwrap().unwrap();
            assert_eq!(
                index.dense_search(&query, 3).unwrap(),
                index.exact_dense_search(&query, 3).unwrap(),
                "{question}"
            );
        }
        let first = next.dir().to_owned();
        drop(index);
        next.commit().unwrap();
        let saved = std::fs::read(first.join("ann/points.bin")).unwrap();

        let next = crate::NextGeneration::begin(root.path()).unwrap();
        let index = Index::create_or_open(next.dir())
            .unwrap()
            .with_embedder(embedder.clone());
        let mut more = fixture();
        more.push(document(
            "locust",
            "Locust",
            "Locust swarms strip fields bare. A swarm eats its weight in plants every day.",
        ));
        index.ingest_from(more, origin, &mut |_| {}).unwrap();
        assert_eq!(
            index.update_vector_graph(1).unwrap(),
            Some(GraphUpdate {
                points: 7,
                inserted: 2,
                rebuilt: false
            }),
            "only the new document's sentences are inserted"
        );
        drop(index);
        next.commit().unwrap();
        assert_eq!(
            std::fs::read(first.join("ann/points.bin")).unwrap(),
            saved,
            "the generation before is unchanged"
        );

        let reader = Index::open(root.path())
            .unwrap()
            .with_embedder(embedder.clone());
        assert_eq!(reader.vector_graph_points().unwrap(), Some(7));
        let query = reader.embed_query(questions[2]).unwrap().unwrap();
        let hits = reader.dense_search(&query, 7).unwrap();
        assert_eq!(hits, reader.exact_dense_search(&query, 7).unwrap());
        let best = reader.document(hits[0].document).unwrap().unwrap();
        assert_eq!(best.title, "Locust", "{hits:?}");
        let locust = hits[0].document;
        drop(reader);

        // The locust document is gone from its source: its points stay in the graph, but
        // search never returns them; too many stale points and the graph is built again.
        let next = crate::NextGeneration::begin(root.path()).unwrap();
        let index = Index::create_or_open(next.dir())
            .unwrap()
            .with_embedder(embedder.clone());
        let keep = fixture().into_iter().map(|d| d.id).collect();
        assert_eq!(index.remove_missing("fixture", &keep).unwrap(), ["locust"]);
        let hits = index.dense_search(&query, 10).unwrap();
        assert_eq!(hits.len(), 5);
        assert!(hits.iter().all(|h| h.document != locust), "{hits:?}");
        let update = index.update_vector_graph(1).unwrap().unwrap();
        assert!(update.rebuilt && update.points == 5, "{update:?}");
        // Below the threshold there is no graph, and search is exact.
        assert_eq!(index.update_vector_graph(6).unwrap(), None);
        assert_eq!(index.vector_graph_points().unwrap(), None);
        assert!(!next.dir().join("ann").exists());
        assert_eq!(index.dense_search(&query, 3).unwrap().len(), 3);
    }

    #[test]
    fn sentences_get_vectors_and_dense_search_finds_meaning() {
        let Some(model) = installed_model() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let embedder = Arc::new(embed::Embedder::load(&model).unwrap());
        {
            // Ingested first without a model: the next ingest with one adds the vectors.
            let index = Index::create_or_open(dir.path()).unwrap();
            index.ingest(fixture(), &mut |_| {}).unwrap();
            assert_eq!(index.vector_count().unwrap(), 0);
        }
        let index = Index::open(dir.path()).unwrap().with_embedder(embedder);
        let stats = index.ingest(fixture(), &mut |_| {}).unwrap();
        assert_eq!((stats.unchanged, stats.embedded), (3, 5));
        assert_eq!(index.vector_count().unwrap(), 5);
        // No word in common with "It is caused by war, drought and crop failure.".
        let query = index
            .embed_query("harvests ruined by lack of rain")
            .unwrap()
            .unwrap();
        let hits = index.dense_search(&query, 2).unwrap();
        let best = index.document(hits[0].document).unwrap().unwrap();
        assert_eq!(best.title, "Famine", "{hits:?}");

        let mut changed = fixture();
        changed[1].text = "A river floods. Levees hold it back. Dams store water.".into();
        let stats = index.ingest(changed, &mut |_| {}).unwrap();
        assert_eq!(
            stats.embedded, 3,
            "only the changed document is embedded again"
        );
        assert_eq!(index.vector_count().unwrap(), 6);
    }

    #[test]
    fn interrupted_ingest_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create_or_open(dir.path()).unwrap();
        index.ingest(fixture(), &mut |_| {}).unwrap();
        // Simulate a crash after SQLite committed but before tantivy did.
        index
            .db()
            .execute("UPDATE documents SET indexed = 0 WHERE key = 'river'", [])
            .unwrap();
        let stats = index.ingest(Vec::new(), &mut |_| {}).unwrap();
        assert_eq!(stats.passages, 1);
        let hits = index.search(&[term(&index, "rivers")], 10).unwrap();
        assert_eq!(hits.len(), 1, "re-indexing must not duplicate passages");
    }
}
