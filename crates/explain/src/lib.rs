//! From a why-question to a cited explainer article — the product's own idea.
//!
//! The pipeline, one module per step:
//!
//! 1. [`question`]: validate and normalise the question (its slug, its reuse key);
//! 2. [`evidence`]: BM25 over passages, then every sentence of the best documents scored
//!    for relevance to the question, causal content and position;
//! 3. [`causal`]: explicit causal statements ("caused by A, B and C", "led to", "risk
//!    factor for"), enumerations split into one item each;
//! 4. [`factors`]: distinct reasons from those statements and from groups of strong
//!    evidence, supported by follow-up searches, deduplicated and ranked;
//! 5. [`compose`]: overview, one section per factor, summary, numbered sources and an
//!    honest evidence-coverage level;
//! 6. [`eval`]: the quality measures of docs/CONTRACTS.md over a question set.
//!
//! ```no_run
//! # fn main() -> Result<(), explain::ExplainError> {
//! let engine = explain::Engine::open(std::path::Path::new("because-data/index"))?;
//! let question = explain::Question::parse("Why do famines happen?")?;
//! let article = engine.ask(&question)?;
//! println!("{}", article.to_markdown());
//! # Ok(()) }
//! ```

pub mod aim;
pub mod article;
pub mod audit;
pub mod causal;
pub mod check;
pub mod check_eval;
pub mod cluster;
pub mod compose;
pub mod eval;
pub mod evidence;
pub mod factors;
pub mod heading;
pub mod intent;
pub mod keypoint_eval;
pub mod question;
pub mod retrieval_eval;
pub mod tagger;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub use article::{
    Article, Coverage, CoverageLevel, Evidence, FactorSection, Sentence, SentenceKind, Source,
};
pub use index::{Index, IndexError};
pub use question::{MAX_QUESTION_CHARS, Question, QuestionError};

use evidence::RetrievalConfig;
pub use evidence::{PRIOR_RANGE, SourcePriors};
use factors::FactorConfig;

/// Everything that can stop an article from being composed.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error(transparent)]
    Question(#[from] QuestionError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(
        "the index in {dir} holds no documents: run `because ingest --default-corpus` (or `because ingest PATH`) first"
    )]
    EmptyIndex { dir: std::path::PathBuf },
}

/// The explainer engine over one index. Cheap to share between threads.
pub struct Engine {
    index: Index,
    retrieval: RetrievalConfig,
    factors: FactorConfig,
    /// Part-of-speech tagger for headings; without it headings are cut by closed-class words.
    tagger: Option<Arc<tagger::Tagger>>,
}

impl Engine {
    /// Opens the index in `dir`; fails with a message that says to ingest when there is none.
    pub fn open(dir: &Path) -> Result<Engine, ExplainError> {
        let index = Index::open(dir)?;
        if index.document_count()? == 0 {
            return Err(ExplainError::EmptyIndex {
                dir: dir.to_owned(),
            });
        }
        Ok(Engine::new(index))
    }

    /// Opens the index with the sentence-embedding model in `model_dir` (when it is there
    /// and the index has vectors): retrieval then also searches by meaning.
    pub fn open_with_model(dir: &Path, model_dir: &Path) -> Result<Engine, ExplainError> {
        let mut engine = Engine::open(dir)?;
        if model_dir.join("model.safetensors").is_file() && engine.index.vector_count()? > 0 {
            let embedder = embed::Embedder::load(model_dir).map_err(IndexError::from)?;
            engine.index = engine.index.with_embedder(std::sync::Arc::new(embedder));
            // Loaded now rather than on the first question.
            engine.index.vector_graph_points()?;
        }
        Ok(engine)
    }

    /// The same engine (model, tagger, settings) over the index at `dir` as it is now: a
    /// server opens a new index generation this way without loading the model again.
    pub fn reopen(&self, dir: &Path) -> Result<Engine, ExplainError> {
        let mut index = Index::open(dir)?;
        if index.document_count()? == 0 {
            return Err(ExplainError::EmptyIndex {
                dir: dir.to_owned(),
            });
        }
        if let Some(embedder) = self.index.shared_embedder() {
            index = index.with_embedder(embedder);
            // The vectors and their graph, loaded before the new generation answers.
            index.vector_count()?;
            index.vector_graph_points()?;
        }
        Ok(Engine {
            index,
            retrieval: self.retrieval.clone(),
            factors: self.factors.clone(),
            tagger: self.tagger.clone(),
        })
    }

    pub fn new(index: Index) -> Engine {
        Engine {
            index,
            retrieval: RetrievalConfig::default(),
            factors: FactorConfig::default(),
            tagger: None,
        }
    }

    /// Names reasons with the part-of-speech tagger (see [`heading`]).
    pub fn with_tagger(mut self, tagger: Arc<tagger::Tagger>) -> Engine {
        self.tagger = Some(tagger);
        self
    }

    /// Loads the tagger from `dir` (`assets/tagger`, installed by `scripts/install-assets.sh`)
    /// when it is there; an engine without it still works, with plainer headings.
    pub fn with_tagger_from(self, dir: &Path) -> Result<Engine, tagger::TaggerError> {
        if !dir.join("en-lexicon.txt").is_file() {
            return Ok(self);
        }
        Ok(self.with_tagger(Arc::new(tagger::Tagger::load(dir)?)))
    }

    pub fn tagger(&self) -> Option<&tagger::Tagger> {
        self.tagger.as_deref()
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Composes an article, posted now.
    pub fn ask(&self, question: &Question) -> Result<Article, ExplainError> {
        self.ask_at(question, time::OffsetDateTime::now_utc())
    }

    /// Composes an article with the given posting time.
    pub fn ask_at(
        &self,
        question: &Question,
        posted_at: time::OffsetDateTime,
    ) -> Result<Article, ExplainError> {
        self.ask_with(question, posted_at, &SourcePriors::new())
    }

    /// Composes an article, ranking each source by its retrieval strength times its prior
    /// (readers' votes on earlier articles that cited it).
    pub fn ask_with(
        &self,
        question: &Question,
        posted_at: time::OffsetDateTime,
        priors: &SourcePriors,
    ) -> Result<Article, ExplainError> {
        let started = Instant::now();
        let verbs = self.tagger.as_deref().and_then(tagger::Tagger::verbs);
        let intent = intent::Intent::parse_with(&question.text, verbs);
        let mut evidence =
            evidence::retrieve_for(&self.index, &question.text, intent, &self.retrieval, priors)?;
        let retrieved = Instant::now();
        let factors = factors::discover_factors(
            &self.index,
            &mut evidence,
            &self.factors,
            self.tagger.as_deref(),
        )?;
        let overview = compose::select_overview(&evidence, &factors);
        let mut article =
            compose::compose(question, &evidence, &overview, &factors, rfc3339(posted_at));
        let finished = Instant::now();
        let ms = |from: Instant, to: Instant| {
            ((to - from).as_secs_f64() * 1000.0 * 100.0).round() / 100.0
        };
        article.timings_ms.retrieve = ms(started, retrieved);
        article.timings_ms.compose = ms(retrieved, finished);
        article.timings_ms.total = ms(started, finished);
        Ok(article)
    }
}

/// `2026-11-24T21:30:00Z`: UTC, whole seconds.
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}
