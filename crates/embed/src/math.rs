//! Dense kernels: a bounds-checked wrapper around `gemm`, attention, layer norm, softmax, GELU.
//!
//! The element-wise kernels are plain loops written so that they vectorise; each is compiled
//! three times (`multiversion`): for the baseline x86-64, for AVX2 with FMA and for AVX-512,
//! chosen at run time, so that one portable binary still runs 8- or 16-wide where it can.

use multiversion::multiversion;

/// A matrix view: element (i, j) is `data[i * row_stride + j * col_stride]`.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub data: &'a [f32],
    pub row_stride: usize,
    pub col_stride: usize,
}

/// `out(i, j) = (accumulate ? out(i, j) : 0) + Σ_p a(i, p) · b(p, j)` for an m×k `a`, a k×n
/// `b` and an m×n `out` with strides `out_row_stride` and 1.
///
/// Panics if any view would read or write outside its slice (a programming error).
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    m: usize,
    n: usize,
    k: usize,
    out: &mut [f32],
    out_row_stride: usize,
    a: View<'_>,
    b: View<'_>,
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(
        last(m, n, out_row_stride, 1) < out.len(),
        "matmul: out too small"
    );
    if k > 0 {
        assert!(
            last(m, k, a.row_stride, a.col_stride) < a.data.len(),
            "matmul: lhs too small"
        );
        assert!(
            last(k, n, b.row_stride, b.col_stride) < b.data.len(),
            "matmul: rhs too small"
        );
    }
    // SAFETY: the assertions above keep every index the kernel touches inside the slices;
    // `out` is borrowed mutably, so it cannot alias `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            out_row_stride as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `x = layer_norm(x + residual)` row by row, in place.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn add_and_normalize(x: &mut [f32], residual: &[f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let width = gamma.len();
    for (row, extra) in x.chunks_exact_mut(width).zip(residual.chunks_exact(width)) {
        for (value, add) in row.iter_mut().zip(extra) {
            *value += add;
        }
        normalize(row, gamma, beta, eps);
    }
}

/// Layer norm of one row, in place.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn normalize_row(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    normalize(row, gamma, beta, eps);
}

#[inline(always)]
fn normalize(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let width = row.len() as f32;
    let mean = sum(row) / width;
    let mut squares = [0.0f32; 8];
    let mut chunks = row.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, value) in squares.iter_mut().zip(chunk) {
            *lane += (value - mean) * (value - mean);
        }
    }
    let tail: f32 = chunks
        .remainder()
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum();
    let variance = (squares.iter().sum::<f32>() + tail) / width;
    let scale = 1.0 / (variance + eps).sqrt();
    for ((value, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *value = (*value - mean) * scale * g + b;
    }
}

/// `e^x` for `x` in about [-87, 88], relative error under 1e-6, written without branches or
/// libm calls so that loops over it vectorise (libm's `expf` is a call per element). Inputs
/// below the range give `e^-87`, which the attention and GELU callers treat as 0.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    // Plain comparisons (not the NaN-aware `clamp`) keep this branch-free and vectorisable.
    let x = if x < -87.0 { -87.0 } else { x };
    let x = if x > 88.0 { 88.0 } else { x };
    // e^x = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln 2 / 2. Adding 1.5·2^23 rounds to
    // the nearest integer and leaves it in the low mantissa bits.
    const ROUNDER: f32 = 12_582_912.0;
    let shifted = x * std::f32::consts::LOG2_E + ROUNDER;
    let n = shifted - ROUNDER;
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (0.166_666_67 + r * (0.041_666_3 + r * (0.008_333_6 + r * 0.001_398_4)))));
    // 2^n from the integer in the mantissa bits: (n + 127) moved into the exponent field.
    let exponent = (shifted.to_bits().wrapping_add(127)) << 23;
    p * f32::from_bits(exponent)
}

/// A sum in eight independent lanes, which the compiler can vectorise.
#[inline(always)]
pub fn sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, value) in lanes.iter_mut().zip(chunk) {
            *lane += value;
        }
    }
    lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// Softmax of a row, in place.
#[inline(always)]
pub fn softmax(row: &mut [f32]) {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    // Separate passes: a loop that also accumulated the sum would not vectorise.
    for value in row.iter_mut() {
        *value = fast_exp(*value - max);
    }
    let inverse = 1.0 / sum(row);
    for value in row.iter_mut() {
        *value *= inverse;
    }
}

/// BERT's GELU, `0.5·x·(1 + erf(x/√2))`, with an erf accurate to about 1.5e-7
/// (Abramowitz & Stegun 7.1.26).
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn gelu(values: &mut [f32]) {
    for value in values {
        let x = *value;
        let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
        let t = 1.0 / (1.0 + 0.327_591_1 * z);
        let poly = ((((1.061_405_4 * t - 1.453_152_1) * t + 1.421_413_8) * t - 0.284_496_74) * t
            + 0.254_829_6)
            * t;
        let erf = (1.0 - poly * fast_exp(-z * z)).copysign(x);
        *value = 0.5 * x * (1.0 + erf);
    }
}

/// Scaled dot-product attention of one sequence, every head, over packed rows.
///
/// `qkv` holds the sequence's `length` rows, each `[query | key | value]` of `heads` heads of
/// `head_size` values; `context` receives `length` rows of `heads · head_size` values (row
/// stride `context_stride`). `keys_t` and `scores` are scratch space.
///
/// Plain loops instead of a matrix-multiply call per head: for the short sequences of
/// sentence embedding (tens of tokens) the products are tiny, and a general kernel spends
/// more time packing operands than multiplying. Keys are transposed once per head so that
/// each query's scores, and then its context, are contiguous vector loops.
/// Keys scored together: two 8-wide vectors, so two independent chains of additions (one
/// chain was bound by the adder's latency; measured about 5 % faster embedding overall).
const BLOCK: usize = 16;

#[allow(clippy::too_many_arguments)]
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn attention(
    qkv: &[f32],
    length: usize,
    heads: usize,
    head_size: usize,
    scale: f32,
    context: &mut [f32],
    context_stride: usize,
    keys_t: &mut Vec<f32>,
    scores: &mut Vec<f32>,
) {
    if length == 0 {
        return;
    }
    let width = heads * head_size;
    let stride = 3 * width;
    assert!(qkv.len() >= length * stride, "attention: qkv too small");
    assert!(
        context.len() >= (length - 1) * context_stride + width,
        "attention: context too small"
    );
    // Key rows padded with zeros to whole blocks, so that every block of scores is full
    // vectors whose accumulators stay in registers.
    let padded = length.div_ceil(BLOCK) * BLOCK;
    keys_t.clear();
    keys_t.resize(head_size * padded, 0.0);
    scores.resize(padded, 0.0);
    for head in 0..heads {
        let q_at = head * head_size;
        let k_at = width + head * head_size;
        let v_at = 2 * width + head * head_size;
        for (j, row) in qkv.chunks_exact(stride).take(length).enumerate() {
            for (d, &k) in row[k_at..k_at + head_size].iter().enumerate() {
                keys_t[d * padded + j] = k;
            }
        }
        for i in 0..length {
            let query = &qkv[i * stride + q_at..i * stride + q_at + head_size];
            for (block, out) in scores.chunks_exact_mut(BLOCK).enumerate() {
                let mut sums = [0.0f32; BLOCK];
                for (d, &q) in query.iter().enumerate() {
                    let q = q * scale;
                    let at = d * padded + block * BLOCK;
                    let keys = &keys_t[at..at + BLOCK];
                    for (sum, &k) in sums.iter_mut().zip(keys) {
                        *sum += q * k;
                    }
                }
                out.copy_from_slice(&sums);
            }
            let scores = &mut scores[..length];
            softmax(scores);
            let out =
                &mut context[i * context_stride + q_at..i * context_stride + q_at + head_size];
            out.fill(0.0);
            for (j, &weight) in scores.iter().enumerate() {
                let value = &qkv[j * stride + v_at..j * stride + v_at + head_size];
                for (o, &v) in out.iter_mut().zip(value) {
                    *o += weight * v;
                }
            }
        }
    }
}

/// A linear layer's weights in int8, one row per output with its own scale
/// (`weight ≈ scale · q`): a quarter of the bytes of f32, which is what bounds a forward pass
/// over a few tokens (every weight is read once per pass, and 43 MB of f32 do not stay in
/// cache between questions).
pub struct Int8Rows {
    /// `[outputs × inputs]`, row-major.
    pub q: Vec<i8>,
    pub scales: Vec<f32>,
    pub inputs: usize,
}

impl Int8Rows {
    /// Symmetric per-row quantisation of a `[outputs × inputs]` row-major matrix.
    pub fn quantize(weight: &[f32], outputs: usize, inputs: usize) -> Int8Rows {
        assert_eq!(weight.len(), outputs * inputs, "quantize: shape");
        let mut q = Vec::with_capacity(weight.len());
        let mut scales = Vec::with_capacity(outputs);
        for row in weight.chunks_exact(inputs) {
            let max = row.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            scales.push(scale);
            q.extend(
                row.iter()
                    .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8),
            );
        }
        Int8Rows { q, scales, inputs }
    }
}

/// `out[t][j] += scale_j · Σ_p x[t][p] · q[j][p]` for `tokens` rows of `x` (`[tokens × inputs]`)
/// and `out` (`[tokens × outputs]`). Each weight row is widened to f32 once and used for every
/// token.
pub fn matmul_int8_rows(tokens: usize, x: &[f32], weights: &Int8Rows, out: &mut [f32]) {
    let inputs = weights.inputs;
    let outputs = weights.scales.len();
    assert!(x.len() >= tokens * inputs, "matmul_int8_rows: x too small");
    assert!(
        out.len() >= tokens * outputs,
        "matmul_int8_rows: out too small"
    );
    int8_rows_kernel(tokens, x, weights, out, inputs, outputs);
}

fn int8_rows_kernel(
    tokens: usize,
    x: &[f32],
    weights: &Int8Rows,
    out: &mut [f32],
    inputs: usize,
    outputs: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F; `matmul_int8_rows` checked the slices' lengths.
        unsafe { int8_rows_avx512(tokens, x, weights, out, inputs, outputs) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA; `matmul_int8_rows` checked the slices' lengths.
        unsafe { int8_rows_avx2(tokens, x, weights, out, inputs, outputs) };
        return;
    }
    int8_rows_portable(tokens, x, weights, out, inputs, outputs);
}

/// The kernel for any CPU: a row widened to f32 once, then a dot product per token.
fn int8_rows_portable(
    tokens: usize,
    x: &[f32],
    weights: &Int8Rows,
    out: &mut [f32],
    inputs: usize,
    outputs: usize,
) {
    let mut row = vec![0.0f32; inputs];
    for j in 0..outputs {
        let q = &weights.q[j * inputs..(j + 1) * inputs];
        for (w, &v) in row.iter_mut().zip(q) {
            *w = f32::from(v);
        }
        for t in 0..tokens {
            let dot: f32 = x[t * inputs..(t + 1) * inputs]
                .iter()
                .zip(&row)
                .map(|(a, b)| a * b)
                .sum();
            out[t * outputs + j] += weights.scales[j] * dot;
        }
    }
}

/// AVX2: eight weights widened in registers and multiplied into four tokens at once, so
/// that each weight byte is read once per four tokens and nothing is written back but the
/// sums.
///
/// # Safety
/// The CPU must have AVX2 and FMA; `x` must hold `tokens × inputs` values, `weights`
/// `outputs × inputs`, and `out` `tokens × outputs`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn int8_rows_avx2(
    tokens: usize,
    x: &[f32],
    weights: &Int8Rows,
    out: &mut [f32],
    inputs: usize,
    outputs: usize,
) {
    use std::arch::x86_64::*;
    let full = inputs - inputs % 8;
    let horizontal = |v: __m256| {
        let mut lanes = [0.0f32; 8];
        // SAFETY: an unaligned store into an array of eight floats.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), v) };
        lanes.iter().sum::<f32>()
    };
    for j in 0..outputs {
        let q = &weights.q[j * inputs..(j + 1) * inputs];
        let scale = weights.scales[j];
        let mut t = 0;
        while t < tokens {
            let block = (tokens - t).min(4);
            // Rows past the block repeat its last row; their sums are not used.
            let row = |b: usize| x[(t + b.min(block - 1)) * inputs..].as_ptr();
            let (x0, x1, x2, x3) = (row(0), row(1), row(2), row(3));
            let mut sums = [_mm256_setzero_ps(); 4];
            let mut p = 0;
            while p < full {
                // SAFETY: p + 8 <= inputs, inside this weight row and each token's row.
                unsafe {
                    let bytes = _mm_loadl_epi64(q.as_ptr().add(p).cast::<__m128i>());
                    let w = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
                    sums[0] = _mm256_fmadd_ps(_mm256_loadu_ps(x0.add(p)), w, sums[0]);
                    sums[1] = _mm256_fmadd_ps(_mm256_loadu_ps(x1.add(p)), w, sums[1]);
                    sums[2] = _mm256_fmadd_ps(_mm256_loadu_ps(x2.add(p)), w, sums[2]);
                    sums[3] = _mm256_fmadd_ps(_mm256_loadu_ps(x3.add(p)), w, sums[3]);
                }
                p += 8;
            }
            for (b, sum) in sums.iter().enumerate().take(block) {
                let xs = &x[(t + b) * inputs..(t + b + 1) * inputs];
                let mut dot = horizontal(*sum);
                for p in full..inputs {
                    dot += xs[p] * f32::from(q[p]);
                }
                out[(t + b) * outputs + j] += scale * dot;
            }
            t += block;
        }
    }
}

/// AVX-512: as [`int8_rows_avx2`], sixteen weights at a time.
///
/// # Safety
/// The CPU must have AVX-512F; the slices as for [`int8_rows_avx2`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn int8_rows_avx512(
    tokens: usize,
    x: &[f32],
    weights: &Int8Rows,
    out: &mut [f32],
    inputs: usize,
    outputs: usize,
) {
    use std::arch::x86_64::*;
    // Two accumulators per token (even and odd chunks of 16): eight independent chains of
    // fused multiply-adds keep both FMA units busy despite their latency.
    let full = inputs - inputs % 32;
    for j in 0..outputs {
        let q = &weights.q[j * inputs..(j + 1) * inputs];
        let scale = weights.scales[j];
        let mut t = 0;
        while t < tokens {
            let block = (tokens - t).min(4);
            let row = |b: usize| x[(t + b.min(block - 1)) * inputs..].as_ptr();
            let (x0, x1, x2, x3) = (row(0), row(1), row(2), row(3));
            let mut even = [_mm512_setzero_ps(); 4];
            let mut odd = [_mm512_setzero_ps(); 4];
            let mut p = 0;
            while p < full {
                // SAFETY: p + 32 <= inputs, inside this weight row and each token's row.
                unsafe {
                    let bytes = _mm_loadu_si128(q.as_ptr().add(p).cast::<__m128i>());
                    let w = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
                    even[0] = _mm512_fmadd_ps(_mm512_loadu_ps(x0.add(p)), w, even[0]);
                    even[1] = _mm512_fmadd_ps(_mm512_loadu_ps(x1.add(p)), w, even[1]);
                    even[2] = _mm512_fmadd_ps(_mm512_loadu_ps(x2.add(p)), w, even[2]);
                    even[3] = _mm512_fmadd_ps(_mm512_loadu_ps(x3.add(p)), w, even[3]);
                    let bytes = _mm_loadu_si128(q.as_ptr().add(p + 16).cast::<__m128i>());
                    let w = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
                    odd[0] = _mm512_fmadd_ps(_mm512_loadu_ps(x0.add(p + 16)), w, odd[0]);
                    odd[1] = _mm512_fmadd_ps(_mm512_loadu_ps(x1.add(p + 16)), w, odd[1]);
                    odd[2] = _mm512_fmadd_ps(_mm512_loadu_ps(x2.add(p + 16)), w, odd[2]);
                    odd[3] = _mm512_fmadd_ps(_mm512_loadu_ps(x3.add(p + 16)), w, odd[3]);
                }
                p += 32;
            }
            for (b, (e, o)) in even.iter().zip(&odd).enumerate().take(block) {
                let xs = &x[(t + b) * inputs..(t + b + 1) * inputs];
                let mut dot = _mm512_reduce_add_ps(_mm512_add_ps(*e, *o));
                for p in full..inputs {
                    dot += xs[p] * f32::from(q[p]);
                }
                out[(t + b) * outputs + j] += scale * dot;
            }
            t += block;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_matches_the_definition_with_strides() {
        // a = [[1, 2, 3], [4, 5, 6]], b given transposed: b(p, j) = bt[j][p], bt = [[1, 0, 1], [0, 1, 0]]
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let bt = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        let mut out = [10.0; 4];
        let a_view = View {
            data: &a,
            row_stride: 3,
            col_stride: 1,
        };
        let b_view = View {
            data: &bt,
            row_stride: 1,
            col_stride: 3,
        };
        matmul(2, 2, 3, &mut out, 2, a_view, b_view, false);
        assert_eq!(out, [4.0, 2.0, 10.0, 5.0]);
        matmul(2, 2, 3, &mut out, 2, a_view, b_view, true);
        assert_eq!(out, [8.0, 4.0, 20.0, 10.0]);
    }

    #[test]
    #[should_panic(expected = "too small")]
    fn matmul_refuses_views_outside_the_slice() {
        let a = [1.0; 4];
        let mut out = [0.0; 4];
        let view = View {
            data: &a,
            row_stride: 2,
            col_stride: 1,
        };
        matmul(2, 2, 3, &mut out, 2, view, view, false);
    }

    /// The attention kernel against the textbook definition, head by head, for lengths
    /// around the vector width (remainders) and a context row stride wider than the heads.
    #[test]
    fn attention_matches_the_definition() {
        let (heads, head_size) = (3, 5);
        let width = heads * head_size;
        for length in [1, 2, 7, 8, 9, 17] {
            let qkv: Vec<f32> = (0..length * 3 * width)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 40.0)
                .collect();
            let stride = width + 4;
            let mut context = vec![f32::NAN; length * stride];
            let (mut keys_t, mut scores) = (Vec::new(), vec![9.0; 100]);
            attention(
                &qkv,
                length,
                heads,
                head_size,
                0.4,
                &mut context,
                stride,
                &mut keys_t,
                &mut scores,
            );
            for head in 0..heads {
                let at = |row: usize, part: usize, d: usize| {
                    qkv[row * 3 * width + part * width + head * head_size + d]
                };
                for i in 0..length {
                    let logits: Vec<f32> = (0..length)
                        .map(|j| {
                            0.4 * (0..head_size)
                                .map(|d| at(i, 0, d) * at(j, 1, d))
                                .sum::<f32>()
                        })
                        .collect();
                    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let weights: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
                    let total: f32 = weights.iter().sum();
                    for d in 0..head_size {
                        let want: f32 = (0..length).map(|j| weights[j] / total * at(j, 2, d)).sum();
                        let got = context[i * stride + head * head_size + d];
                        assert!(
                            (got - want).abs() < 1e-5,
                            "length {length}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn int8_rows_match_the_f32_product_closely() {
        // 6 tokens: a block of four and one of two; 37 inputs: two chunks of 16 and a rest.
        let (tokens, inputs, outputs) = (6, 37, 5);
        let x: Vec<f32> = (0..tokens * inputs)
            .map(|i| ((i * 7 % 11) as f32 - 5.0) / 3.0)
            .collect();
        let w: Vec<f32> = (0..outputs * inputs)
            .map(|i| ((i * 13 % 17) as f32 - 8.0) / 40.0)
            .collect();
        let q = Int8Rows::quantize(&w, outputs, inputs);
        let mut out = vec![1.0f32; tokens * outputs];
        matmul_int8_rows(tokens, &x, &q, &mut out);
        let mut portable = vec![1.0f32; tokens * outputs];
        int8_rows_portable(tokens, &x, &q, &mut portable, inputs, outputs);
        for (a, b) in out.iter().zip(&portable) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            let mut avx2 = vec![1.0f32; tokens * outputs];
            // SAFETY: the CPU has AVX2 and FMA; the slices have the sizes given.
            unsafe { int8_rows_avx2(tokens, &x, &q, &mut avx2, inputs, outputs) };
            for (a, b) in avx2.iter().zip(&portable) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b}");
            }
        }
        for t in 0..tokens {
            for j in 0..outputs {
                let exact: f32 = 1.0
                    + (0..inputs)
                        .map(|p| x[t * inputs + p] * w[j * inputs + p])
                        .sum::<f32>();
                let got = out[t * outputs + j];
                assert!((got - exact).abs() < 0.02, "{t},{j}: {got} vs {exact}");
            }
        }
    }

    #[test]
    fn gelu_matches_known_values() {
        let mut values = [-3.0, -1.0, 0.0, 0.5, 1.0, 3.0];
        gelu(&mut values);
        let expected = [
            -0.004_049_7,
            -0.158_655_25,
            0.0,
            0.345_731_14,
            0.841_344_8,
            2.995_950_3,
        ];
        for (got, want) in values.iter().zip(expected) {
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
    }

    #[test]
    fn fast_exp_is_accurate() {
        let mut x = -87.0f32;
        while x < 88.0 {
            let (got, want) = (fast_exp(x), x.exp());
            assert!(
                ((got - want) / want).abs() < 1e-6,
                "exp({x}) = {got}, want {want}"
            );
            x += 0.37;
        }
        assert_eq!(fast_exp(-1000.0), fast_exp(-87.0));
        let values: Vec<f32> = (0..37).map(|i| i as f32).collect();
        assert_eq!(sum(&values), 666.0);
    }

    #[test]
    fn softmax_sums_to_one_and_layer_norm_centres() {
        let mut row = [1.0, 2.0, 3.0];
        softmax(&mut row);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(row[2] > row[1] && row[1] > row[0]);
        let mut x = [1.0, 2.0, 3.0, 4.0];
        normalize_row(&mut x, &[1.0; 4], &[0.0; 4], 1e-12);
        assert!(x.iter().sum::<f32>().abs() < 1e-5);
    }
}
