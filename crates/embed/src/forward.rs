//! The BERT encoder of all-MiniLM-L6-v2, forward pass only, over packed sequences.
//!
//! Layout: activations are row-major `[tokens × width]` for all the tokens of a chunk laid
//! end to end (no padding). Linear weights are stored transposed (`[in × out]`), the query,
//! key and value projections side by side in one `[hidden × 3·hidden]` matrix.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;

use crate::EmbedError;
use crate::math::{
    Int8Rows, View, add_and_normalize, attention, gelu, matmul, matmul_int8_rows, normalize_row,
};
use crate::quant::{PackedInt8, QuantizedRows, matmul_int8};

/// A chunk holds at most this many tokens, so that buffers stay in cache-friendly sizes.
const CHUNK_TOKENS: usize = 2048;

#[derive(Deserialize)]
struct Config {
    hidden_size: usize,
    num_attention_heads: usize,
    num_hidden_layers: usize,
    intermediate_size: usize,
    layer_norm_eps: f32,
    vocab_size: usize,
    max_position_embeddings: usize,
    hidden_act: String,
}

struct Linear {
    /// `[inputs × outputs]`, row-major.
    weight: Vec<f32>,
    /// The same weights in int8, a row per output, for passes over a few tokens.
    int8: Int8Rows,
    /// Those int8 weights packed for the int8 × int8 kernel, where the CPU has one.
    packed: Option<PackedInt8>,
    bias: Vec<f32>,
    outputs: usize,
}

/// How the linear layers multiply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Precision {
    /// f32 weights and activations (gemm): the reference's arithmetic.
    Exact,
    /// int8 weights, one scale per output, f32 activations: a question's vector, about four
    /// times less memory to stream per pass.
    Int8Weights,
    /// int8 weights and int8 activations (one scale per token), summed in 32-bit integers
    /// by AVX-512 VNNI: documents in bulk, where arithmetic bounds the pass. Falls back to
    /// [`Precision::Exact`] on a CPU without VNNI.
    Int8,
}

struct LayerNorm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

struct Layer {
    qkv: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// The loaded encoder.
pub struct Bert {
    hidden: usize,
    heads: usize,
    intermediate: usize,
    eps: f32,
    vocab: usize,
    max_positions: usize,
    word_embeddings: Vec<f32>,
    position_embeddings: Vec<f32>,
    token_type_embedding: Vec<f32>,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
}

/// Reusable buffers of one worker thread.
#[derive(Default)]
struct Workspace {
    x: Vec<f32>,
    qkv: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    inner: Vec<f32>,
    keys_t: Vec<f32>,
    scores: Vec<f32>,
    quantized: QuantizedRows,
}

impl Bert {
    pub fn load(weights_path: &Path, config_path: &Path) -> Result<Bert, EmbedError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| EmbedError::Io { path, source }
        };
        let model_error = |message: String| EmbedError::Model {
            path: weights_path.to_owned(),
            message,
        };
        let config_text = std::fs::read_to_string(config_path).map_err(io(config_path))?;
        let config: Config = serde_json::from_str(&config_text).map_err(|e| EmbedError::Model {
            path: config_path.to_owned(),
            message: e.to_string(),
        })?;
        if config.hidden_act != "gelu"
            || !config
                .hidden_size
                .is_multiple_of(config.num_attention_heads)
        {
            return Err(EmbedError::Model {
                path: config_path.to_owned(),
                message: format!(
                    "unsupported configuration (activation {}, hidden {}, heads {})",
                    config.hidden_act, config.hidden_size, config.num_attention_heads
                ),
            });
        }
        let bytes = std::fs::read(weights_path).map_err(io(weights_path))?;
        let tensors = safetensors::SafeTensors::deserialize(&bytes)
            .map_err(|e| model_error(e.to_string()))?;
        let load = |name: &str, shape: &[usize]| -> Result<Vec<f32>, EmbedError> {
            let view = tensors
                .tensor(name)
                .map_err(|e| model_error(format!("{name}: {e}")))?;
            if view.dtype() != safetensors::Dtype::F32 || view.shape() != shape {
                return Err(model_error(format!(
                    "{name}: expected F32 {shape:?}, found {:?} {:?}",
                    view.dtype(),
                    view.shape()
                )));
            }
            Ok(view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let h = config.hidden_size;
        let norm = |prefix: &str| -> Result<LayerNorm, EmbedError> {
            Ok(LayerNorm {
                gamma: load(&format!("{prefix}.weight"), &[h])?,
                beta: load(&format!("{prefix}.bias"), &[h])?,
            })
        };
        // nn.Linear stores [out × in]; we keep [in × out].
        let linear = |prefix: &str, inputs: usize, outputs: usize| -> Result<Linear, EmbedError> {
            let weight = load(&format!("{prefix}.weight"), &[outputs, inputs])?;
            let int8 = Int8Rows::quantize(&weight, outputs, inputs);
            Ok(Linear {
                packed: PackedInt8::new(&int8),
                int8,
                weight: transpose(&weight, outputs, inputs),
                bias: load(&format!("{prefix}.bias"), &[outputs])?,
                outputs,
            })
        };
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let prefix = format!("encoder.layer.{i}");
            let parts = ["query", "key", "value"]
                .map(|part| linear(&format!("{prefix}.attention.self.{part}"), h, h));
            let [query, key, value] = parts;
            let (query, key, value) = (query?, key?, value?);
            let mut weight = vec![0.0; h * 3 * h];
            for row in 0..h {
                for (slot, part) in [&query, &key, &value].iter().enumerate() {
                    weight[row * 3 * h + slot * h..row * 3 * h + (slot + 1) * h]
                        .copy_from_slice(&part.weight[row * h..(row + 1) * h]);
                }
            }
            let bias = [query.bias, key.bias, value.bias].concat();
            // Rows per output: the query's, then the key's, then the value's, as in `weight`.
            let int8 = Int8Rows {
                q: [&query.int8.q[..], &key.int8.q[..], &value.int8.q[..]].concat(),
                scales: [
                    &query.int8.scales[..],
                    &key.int8.scales[..],
                    &value.int8.scales[..],
                ]
                .concat(),
                inputs: h,
            };
            layers.push(Layer {
                qkv: Linear {
                    weight,
                    packed: PackedInt8::new(&int8),
                    int8,
                    bias,
                    outputs: 3 * h,
                },
                attention_output: linear(&format!("{prefix}.attention.output.dense"), h, h)?,
                attention_norm: norm(&format!("{prefix}.attention.output.LayerNorm"))?,
                intermediate: linear(
                    &format!("{prefix}.intermediate.dense"),
                    h,
                    config.intermediate_size,
                )?,
                output: linear(
                    &format!("{prefix}.output.dense"),
                    config.intermediate_size,
                    h,
                )?,
                output_norm: norm(&format!("{prefix}.output.LayerNorm"))?,
            });
        }
        let token_types = load("embeddings.token_type_embeddings.weight", &[2, h])?;
        Ok(Bert {
            hidden: h,
            heads: config.num_attention_heads,
            intermediate: config.intermediate_size,
            eps: config.layer_norm_eps,
            vocab: config.vocab_size,
            max_positions: config.max_position_embeddings,
            word_embeddings: load("embeddings.word_embeddings.weight", &[config.vocab_size, h])?,
            position_embeddings: load(
                "embeddings.position_embeddings.weight",
                &[config.max_position_embeddings, h],
            )?,
            token_type_embedding: token_types[..h].to_vec(),
            embedding_norm: norm("embeddings.LayerNorm")?,
            layers,
        })
    }

    pub fn hidden_size(&self) -> usize {
        self.hidden
    }

    /// Mean-pooled, L2-normalised embeddings of tokenized sequences, in input order.
    /// Sequences are sorted by length and cut into chunks that `threads` workers share.
    pub fn embed_tokenized(
        &self,
        sequences: &[Vec<u32>],
        threads: usize,
        precision: Precision,
    ) -> Vec<Vec<f32>> {
        let mut order: Vec<usize> = (0..sequences.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(sequences[i].len()));
        let mut chunks: Vec<Vec<usize>> = Vec::new();
        let mut tokens = 0;
        for i in order {
            let length = sequences[i].len().clamp(1, self.max_positions);
            if chunks.is_empty() || tokens + length > CHUNK_TOKENS {
                chunks.push(Vec::new());
                tokens = 0;
            }
            chunks.last_mut().expect("a chunk was just pushed").push(i);
            tokens += length;
        }
        let results: Mutex<Vec<Vec<f32>>> = Mutex::new(vec![Vec::new(); sequences.len()]);
        let next = AtomicUsize::new(0);
        let workers = threads.clamp(1, chunks.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    let mut workspace = Workspace::default();
                    loop {
                        let chunk = next.fetch_add(1, Ordering::Relaxed);
                        let Some(members) = chunks.get(chunk) else {
                            break;
                        };
                        let batch: Vec<&[u32]> = members
                            .iter()
                            .map(|&i| &sequences[i][..sequences[i].len().min(self.max_positions)])
                            .collect();
                        let vectors = self.forward(&batch, &mut workspace, precision);
                        let mut results = results.lock().unwrap_or_else(|p| p.into_inner());
                        for (&i, vector) in members.iter().zip(vectors) {
                            results[i] = vector;
                        }
                    }
                });
            }
        });
        results.into_inner().unwrap_or_else(|p| p.into_inner())
    }

    /// The vector of one short text (a question) on the calling thread, by int8 weights: the
    /// pass over a dozen tokens is bound by reading the weights, and int8 reads a quarter of
    /// the bytes. With AVX-512 VNNI the activations are int8 too ([`Precision::Int8`], 3–4×
    /// faster again: about 1.5 ms for a 12-token question on one core); without it, f32
    /// activations ([`Precision::Int8Weights`]). Within a cosine of 0.99 of the reference
    /// vectors either way (see the tests).
    pub fn embed_query_tokens(&self, sequence: &[u32]) -> Vec<f32> {
        let sequence = &sequence[..sequence.len().min(self.max_positions)];
        let mut workspace = Workspace::default();
        let precision = if crate::quant::available() {
            Precision::Int8
        } else {
            Precision::Int8Weights
        };
        self.forward(&[sequence], &mut workspace, precision)
            .pop()
            .expect("one sequence, one vector")
    }

    /// The encoder over one chunk of packed sequences.
    fn forward(
        &self,
        sequences: &[&[u32]],
        work: &mut Workspace,
        precision: Precision,
    ) -> Vec<Vec<f32>> {
        let h = self.hidden;
        let head_size = h / self.heads;
        let lengths: Vec<usize> = sequences.iter().map(|s| s.len().max(1)).collect();
        let total: usize = lengths.iter().sum();
        resize(&mut work.x, total * h);
        resize(&mut work.qkv, total * 3 * h);
        resize(&mut work.context, total * h);
        resize(&mut work.projected, total * h);
        resize(&mut work.inner, total * self.intermediate);

        // Embeddings: word + position + token type 0, then layer norm.
        let mut row = 0;
        for (sequence, &length) in sequences.iter().zip(&lengths) {
            for position in 0..length {
                let id = sequence
                    .get(position)
                    .map_or(0, |&id| (id as usize).min(self.vocab - 1));
                let out = &mut work.x[row * h..(row + 1) * h];
                let word = &self.word_embeddings[id * h..(id + 1) * h];
                let place = &self.position_embeddings[position * h..(position + 1) * h];
                for j in 0..h {
                    out[j] = word[j] + place[j] + self.token_type_embedding[j];
                }
                normalize_row(
                    out,
                    &self.embedding_norm.gamma,
                    &self.embedding_norm.beta,
                    self.eps,
                );
                row += 1;
            }
        }

        let scale = 1.0 / (head_size as f32).sqrt();
        for layer in &self.layers {
            project(
                &layer.qkv,
                &work.x,
                h,
                &mut work.qkv,
                total,
                precision,
                &mut work.quantized,
            );
            // Attention, per sequence, over the packed rows.
            let mut offset = 0;
            for &length in &lengths {
                attention(
                    &work.qkv[offset * 3 * h..(offset + length) * 3 * h],
                    length,
                    self.heads,
                    head_size,
                    scale,
                    &mut work.context[offset * h..],
                    h,
                    &mut work.keys_t,
                    &mut work.scores,
                );
                offset += length;
            }
            project(
                &layer.attention_output,
                &work.context,
                h,
                &mut work.projected,
                total,
                precision,
                &mut work.quantized,
            );
            add_and_normalize(
                &mut work.x,
                &work.projected,
                &layer.attention_norm.gamma,
                &layer.attention_norm.beta,
                self.eps,
            );
            project(
                &layer.intermediate,
                &work.x,
                h,
                &mut work.inner,
                total,
                precision,
                &mut work.quantized,
            );
            gelu(&mut work.inner);
            project(
                &layer.output,
                &work.inner,
                self.intermediate,
                &mut work.projected,
                total,
                precision,
                &mut work.quantized,
            );
            add_and_normalize(
                &mut work.x,
                &work.projected,
                &layer.output_norm.gamma,
                &layer.output_norm.beta,
                self.eps,
            );
        }

        // Mean pooling over each sequence's tokens, then unit length.
        let mut vectors = Vec::with_capacity(sequences.len());
        let mut offset = 0;
        for &length in &lengths {
            let mut mean = vec![0.0f32; h];
            for row in work.x[offset * h..(offset + length) * h].chunks_exact(h) {
                for (m, v) in mean.iter_mut().zip(row) {
                    *m += v;
                }
            }
            let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
            for m in &mut mean {
                *m /= norm;
            }
            vectors.push(mean);
            offset += length;
        }
        vectors
    }
}

/// `out[tokens × outputs] = input[tokens × inputs] · weight + bias`.
fn project(
    linear: &Linear,
    input: &[f32],
    inputs: usize,
    out: &mut [f32],
    tokens: usize,
    precision: Precision,
    scratch: &mut QuantizedRows,
) {
    let outputs = linear.outputs;
    for row in out[..tokens * outputs].chunks_exact_mut(outputs) {
        row.copy_from_slice(&linear.bias);
    }
    match (precision, &linear.packed) {
        (Precision::Int8Weights, _) => {
            matmul_int8_rows(tokens, &input[..tokens * inputs], &linear.int8, out);
            return;
        }
        (Precision::Int8, Some(packed)) => {
            matmul_int8(tokens, &input[..tokens * inputs], packed, out, scratch);
            return;
        }
        _ => {}
    }
    let a = View {
        data: &input[..tokens * inputs],
        row_stride: inputs,
        col_stride: 1,
    };
    let b = View {
        data: &linear.weight,
        row_stride: outputs,
        col_stride: 1,
    };
    matmul(tokens, outputs, inputs, out, outputs, a, b, true);
}

fn transpose(matrix: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = matrix[r * cols + c];
        }
    }
    out
}

fn resize(buffer: &mut Vec<f32>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}
