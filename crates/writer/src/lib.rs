//! The LLM writer: the extractive article's plan turned into fluent prose by any
//! OpenAI-compatible server, every generated sentence checked against the evidence it cites
//! before it may reach the page.
//!
//! 1. [`plan`]: the question, the reasons with their headings and the numbered evidence
//!    sentences (the article's quotations, only those), as a prompt and a JSON schema;
//! 2. [`llm`]: the HTTP client (streaming, timeouts, bounded retries, structured output
//!    where the server takes it);
//! 3. [`parse`]: the answer read tolerantly, JSON or plain text;
//! 4. [`verify`]: the checker of [`explain::check`] applied to each sentence; what fails is
//!    replaced by the evidence it rests on or dropped;
//! 5. [`eval`]: the writer measured over a question set; [`local`]: a llama-cpp-python
//!    server on loopback for tests and benchmarks.
//!
//! The writer never makes an article worse than the extractive one it starts from: a part
//! the model did not write acceptably keeps the extractive text, and a failure of the server
//! is an error for the caller to record while the extractive article stays published.

pub mod eval;
pub mod llm;
pub mod local;
pub mod parse;
pub mod plan;
pub mod verify;

use std::time::Instant;

use explain::Article;
use index::Index;

pub use llm::{LlmClient, LlmConfig, LlmError};
pub use plan::Plan;
pub use verify::{Failure, Tally};

/// Why no LLM article could be written (the extractive one stands).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Llm(#[from] LlmError),
    #[error("checking the written sentences failed: {0}")]
    Check(#[from] embed::EmbedError),
    #[error("the model's answer held no sentence that passed the checker ({} written)", .tally.generated)]
    NothingKept {
        tally: Tally,
        /// Tokens the model wrote and the seconds it took, for the record.
        tokens: u32,
        llm_seconds: f64,
    },
    #[error("the article quotes no evidence for a model to write from")]
    NoEvidence,
}

/// A written article and how it was written.
#[derive(Debug, Clone)]
pub struct Written {
    pub article: Article,
    pub tally: Tally,
    pub tokens: u32,
    pub seconds: f64,
    /// Of which the server's answer (prompt reading and writing).
    pub llm_seconds: f64,
    pub model: String,
    /// Whether the server wrote under the JSON schema.
    pub structured: bool,
    /// Attempts the server needed.
    pub attempts: u32,
}

/// Writes articles with one LLM server.
pub struct Writer {
    client: LlmClient,
}

impl Writer {
    pub fn new(config: LlmConfig) -> Writer {
        Writer {
            client: LlmClient::new(config),
        }
    }

    pub fn client(&self) -> &LlmClient {
        &self.client
    }

    /// Rewrites `article` (extractive) as prose, checked against `index` (and its embedder,
    /// when it has one).
    pub fn write(&self, article: &Article, index: &Index) -> Result<Written, WriteError> {
        let started = Instant::now();
        let plan = Plan::from_article(article);
        if plan.evidence.is_empty() {
            return Err(WriteError::NoEvidence);
        }
        let completion = self.client.complete(&plan.prompt(), Some(&plan.schema()))?;
        tracing::debug!(answer = %completion.text, "the model's answer");
        let draft = parse::parse(&completion.text, &plan);
        let (mut written, tally) = verify::apply(article, &plan, &draft, index, index.embedder())?;
        for failure in &tally.failures {
            tracing::debug!(sentence = %failure.text, reason = %failure.reason, "checker refused");
        }
        // What passed may all have been word-for-word evidence or repeats: an article with no
        // generated sentence left is no LLM version.
        let published = written
            .sentences()
            .filter(|s| s.kind == explain::SentenceKind::Generated)
            .count();
        if tally.kept == 0 || published == 0 {
            return Err(WriteError::NothingKept {
                tally,
                tokens: completion.tokens,
                llm_seconds: completion.seconds,
            });
        }
        written.generator = explain::article::Generator {
            mode: "llm".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            model: Some(completion.model.clone()),
        };
        let total = started.elapsed().as_secs_f64() * 1000.0;
        written.timings_ms.total = ((article.timings_ms.total + total) * 100.0).round() / 100.0;
        Ok(Written {
            article: written,
            tally,
            tokens: completion.tokens,
            seconds: started.elapsed().as_secs_f64(),
            llm_seconds: completion.seconds,
            model: completion.model,
            structured: completion.structured,
            attempts: completion.attempts,
        })
    }
}
