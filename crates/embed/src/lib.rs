//! Sentence embeddings with all-MiniLM-L6-v2, on the CPU, without a deep-learning framework.
//!
//! [`Embedder::load`] reads the model folder installed by `scripts/install-assets.sh`
//! (`model.safetensors`, `tokenizer.json`, `config.json`); [`Embedder::embed`] returns one
//! L2-normalised 384-dimensional vector per text, as sentence-transformers does: the model's
//! own WordPiece tokenizer, truncation at 256 word pieces, mean pooling over all tokens.
//!
//! Why it is fast (see `forward.rs`): sequences are packed without padding, so the linear
//! layers — nearly all the arithmetic — run as one large matrix product over every token of a
//! chunk (the `gemm` crate's kernels); only attention is computed per sequence. Query, key and
//! value projections are fused into one product; buffers are reused across chunks; chunks of
//! similar length run on all cores in parallel.
//!
//! ```no_run
//! let embedder = embed::Embedder::load(std::path::Path::new("assets/model")).unwrap();
//! let vectors = embedder.embed(&["Famine is caused by war.", "Crops failed."]).unwrap();
//! let similarity: f32 = vectors[0].iter().zip(&vectors[1]).map(|(a, b)| a * b).sum();
//! ```

mod forward;
mod math;
mod quant;

use std::path::{Path, PathBuf};

pub use forward::{Bert, Precision};

/// Whether this CPU runs [`Precision::Int8`] as int8 (AVX-512 VNNI) rather than f32.
pub fn int8_available() -> bool {
    quant::available()
}

/// Word pieces per text beyond which the text is truncated (the reference's max_seq_length).
pub const MAX_TOKENS: usize = 256;

/// Why the model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Model { path: PathBuf, message: String },
    #[error("tokenizer {path}: {message}")]
    Tokenizer { path: PathBuf, message: String },
    #[error("tokenizing failed: {0}")]
    Encode(String),
}

/// The tokenizer and the model, ready to embed. Shareable between threads.
pub struct Embedder {
    tokenizer: tokenizers::Tokenizer,
    model: Bert,
    threads: usize,
    precision: Precision,
}

impl Embedder {
    /// Loads the model folder; errors name the file and what is wrong with it.
    pub fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        let tokenizer_path = dir.join("tokenizer.json");
        let tokenizer_error = |message: String| EmbedError::Tokenizer {
            path: tokenizer_path.clone(),
            message,
        };
        let mut tokenizer = tokenizers::Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| tokenizer_error(e.to_string()))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| tokenizer_error(e.to_string()))?;
        let model = Bert::load(&dir.join("model.safetensors"), &dir.join("config.json"))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Embedder {
            tokenizer,
            model,
            threads,
            precision: Precision::Int8,
        })
    }

    /// Uses at most this many threads (default: all cores).
    pub fn with_threads(mut self, threads: usize) -> Embedder {
        self.threads = threads.max(1);
        self
    }

    /// How [`Embedder::embed`] multiplies (default [`Precision::Int8`], which is
    /// [`Precision::Exact`] on a CPU without AVX-512 VNNI).
    pub fn with_precision(mut self, precision: Precision) -> Embedder {
        self.precision = precision;
        self
    }

    pub fn dimension(&self) -> usize {
        self.model.hidden_size()
    }

    /// Word-piece ids of a text, with `[CLS]` and `[SEP]`, truncated to [`MAX_TOKENS`].
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| EmbedError::Encode(e.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// The unit-length vector of one question, computed in int8 on the calling thread (see
    /// [`Bert::embed_query_tokens`]): several times faster than [`Embedder::embed`] for a
    /// short text, and within a cosine of 0.99 of the reference, so that it is compared with
    /// document vectors from `embed`.
    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        Ok(self.model.embed_query_tokens(&self.tokenize(text)?))
    }

    /// One unit-length vector per text, in the order given.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let ids: Vec<Vec<u32>> = texts
            .iter()
            .map(|text| self.tokenize(text))
            .collect::<Result<_, _>>()?;
        Ok(self
            .model
            .embed_tokenized(&ids, self.threads, self.precision))
    }
}
