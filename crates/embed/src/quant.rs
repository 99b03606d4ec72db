//! Linear layers over many tokens in 8-bit integers: weights and activations both int8, the
//! products summed in 32-bit integers by AVX-512 VNNI (`vpdpbusd`, sixty-four multiply-adds
//! per instruction, four times as many as an f32 fused multiply-add).
//!
//! Weights are quantised once, symmetrically per output row ([`Int8Rows`]), and packed in the
//! order `vpdpbusd` reads them. Activations are quantised per token as the product runs, into
//! the unsigned bytes that `vpdpbusd` multiplies: the token's range `[min, max]` (widened to
//! hold 0) spread over 0..=255, with the byte `zero[t]` standing for 0. Asymmetric, because
//! the GELU outputs that feed the last linear layer of a block are nearly all ≥ −0.17: a
//! symmetric code would waste half its values there. What the zero adds, `zero[t] · Σ_p qw[j][p]`,
//! is taken off again from precomputed sums of each weight row. So
//!
//! `out[t][j] += scale_x[t] · scale_w[j] · (Σ_p ux[t][p] · qw[j][p] − zero[t] · Σ_p qw[j][p])`
//!
//! On a CPU without AVX-512 VNNI, [`PackedInt8::new`] gives `None` and callers keep f32.

use crate::math::Int8Rows;

/// Outputs in one 512-bit register of 32-bit sums.
const LANES: usize = 16;
/// Inputs one `vpdpbusd` lane sums.
const GROUP: usize = 4;
/// Registers of outputs per tile (sixty-four outputs) and tokens per tile: 16 accumulators,
/// 4 weight registers and a broadcast fit the 32 vector registers.
const COLUMNS: usize = 4;
const ROWS: usize = 4;

/// A linear layer's int8 weights packed for `vpdpbusd`.
pub struct PackedInt8 {
    /// For each block of 16 outputs, for each group of 4 inputs, 64 bytes:
    /// `[output 0: inputs p..p+4][output 1: …]…[output 15: …]`.
    q: Vec<i8>,
    scales: Vec<f32>,
    /// `Σ_p q[j][p]` per output `j`.
    sums: Vec<i32>,
    inputs: usize,
    outputs: usize,
}

/// Per-token quantised activations, reused across products.
#[derive(Default)]
pub struct QuantizedRows {
    bytes: Vec<u8>,
    scales: Vec<f32>,
    zeros: Vec<i32>,
}

impl PackedInt8 {
    /// The packed weights, or `None` when this CPU lacks AVX-512 VNNI or the shape does not
    /// fit the kernel (outputs a multiple of 16, inputs of 4).
    pub fn new(rows: &Int8Rows) -> Option<PackedInt8> {
        if !available() {
            return None;
        }
        PackedInt8::pack(rows)
    }

    fn pack(rows: &Int8Rows) -> Option<PackedInt8> {
        let inputs = rows.inputs;
        let outputs = rows.scales.len();
        if inputs == 0 || !inputs.is_multiple_of(GROUP) || !outputs.is_multiple_of(LANES) {
            return None;
        }
        let mut q = Vec::with_capacity(inputs * outputs);
        for block in 0..outputs / LANES {
            for group in 0..inputs / GROUP {
                for lane in 0..LANES {
                    let row = (block * LANES + lane) * inputs + group * GROUP;
                    q.extend_from_slice(&rows.q[row..row + GROUP]);
                }
            }
        }
        let sums = rows
            .q
            .chunks_exact(inputs)
            .map(|row| row.iter().map(|&v| i32::from(v)).sum::<i32>())
            .collect();
        Some(PackedInt8 {
            q,
            scales: rows.scales.clone(),
            sums,
            inputs,
            outputs,
        })
    }
}

/// Whether this CPU runs the int8 kernel.
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The scale and zero byte of a row whose values lie in `[min, max]`.
fn row_code(min: f32, max: f32) -> (f32, i32) {
    let (min, max) = (min.min(0.0), max.max(0.0));
    let scale = if max > min { (max - min) / 255.0 } else { 1.0 };
    let zero = (-min / scale).round_ties_even().clamp(0.0, 255.0) as i32;
    (scale, zero)
}

/// One value as a byte, rounding half to even as `vcvtps2dq` does.
fn byte(value: f32, inverse: f32, zero: i32) -> u8 {
    ((value * inverse).round_ties_even() as i32 + zero).clamp(0, 255) as u8
}

/// Per-row 8-bit codes of `x` (`[tokens × inputs]`): see the module's comment.
///
/// # Safety
/// The CPU must have AVX-512F and BW; `x` must hold `tokens × inputs` values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn quantize(tokens: usize, inputs: usize, x: &[f32], into: &mut QuantizedRows) {
    use std::arch::x86_64::*;
    into.bytes.resize(tokens * inputs, 0);
    into.scales.clear();
    into.zeros.clear();
    let full = inputs - inputs % LANES;
    for (row, bytes) in x[..tokens * inputs]
        .chunks_exact(inputs)
        .zip(into.bytes.chunks_exact_mut(inputs))
    {
        let (mut min, mut max) = (_mm512_setzero_ps(), _mm512_setzero_ps());
        for p in (0..full).step_by(LANES) {
            // SAFETY: p + 16 <= inputs.
            let v = unsafe { _mm512_loadu_ps(row.as_ptr().add(p)) };
            min = _mm512_min_ps(min, v);
            max = _mm512_max_ps(max, v);
        }
        let (min, max) = row[full..].iter().fold(
            (_mm512_reduce_min_ps(min), _mm512_reduce_max_ps(max)),
            |(low, high), &v| (low.min(v), high.max(v)),
        );
        let (scale, zero) = row_code(min, max);
        let inverse = 1.0 / scale;
        into.scales.push(scale);
        into.zeros.push(zero);
        let (low, high, offset) = (
            _mm512_setzero_si512(),
            _mm512_set1_epi32(255),
            _mm512_set1_epi32(zero),
        );
        for p in (0..full).step_by(LANES) {
            // SAFETY: p + 16 <= inputs, in this row of `x` and of `bytes`.
            unsafe {
                let v = _mm512_mul_ps(
                    _mm512_loadu_ps(row.as_ptr().add(p)),
                    _mm512_set1_ps(inverse),
                );
                let q = _mm512_add_epi32(_mm512_cvtps_epi32(v), offset);
                let q = _mm512_min_epi32(_mm512_max_epi32(q, low), high);
                let packed = _mm512_cvtepi32_epi8(q);
                _mm_storeu_si128(bytes.as_mut_ptr().add(p).cast::<__m128i>(), packed);
            }
        }
        for (code, &value) in bytes[full..].iter_mut().zip(&row[full..]) {
            *code = byte(value, inverse, zero);
        }
    }
}

/// `out[t][j] += Σ_p x[t][p] · w[p][j]` for `tokens` rows of `x` (`[tokens × inputs]`) and
/// `out` (`[tokens × outputs]`), in int8 (see the module's comment).
pub fn matmul_int8(
    tokens: usize,
    x: &[f32],
    weights: &PackedInt8,
    out: &mut [f32],
    scratch: &mut QuantizedRows,
) {
    let (inputs, outputs) = (weights.inputs, weights.outputs);
    assert!(x.len() >= tokens * inputs, "matmul_int8: x too small");
    assert!(out.len() >= tokens * outputs, "matmul_int8: out too small");
    assert!(available(), "matmul_int8: the CPU lacks AVX-512 VNNI");
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `available()` confirmed AVX-512F, BW and VNNI; `x` holds `tokens × inputs`
    // values, so `quantize` writes `tokens × inputs` bytes and `tokens` scales; `out` holds
    // `tokens × outputs` values; `pack` laid out `outputs / 16` blocks of `inputs / 4`
    // groups of 64 bytes.
    unsafe {
        quantize(tokens, inputs, x, scratch);
        product(tokens, scratch, weights, out);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn product(tokens: usize, x: &QuantizedRows, w: &PackedInt8, out: &mut [f32]) {
    let blocks = w.outputs / LANES;
    let mut block = 0;
    while block < blocks {
        let columns = (blocks - block).min(COLUMNS);
        let mut t = 0;
        while t < tokens {
            let rows = (tokens - t).min(ROWS);
            // SAFETY: the caller's guarantees; the tile lies inside `tokens` and `blocks`.
            unsafe {
                match (rows, columns) {
                    (4, 4) => tile::<4, 4>(t, block, x, w, out),
                    (3, 4) => tile::<3, 4>(t, block, x, w, out),
                    (2, 4) => tile::<2, 4>(t, block, x, w, out),
                    (1, 4) => tile::<1, 4>(t, block, x, w, out),
                    (4, _) => tile::<4, 1>(t, block, x, w, out),
                    (3, _) => tile::<3, 1>(t, block, x, w, out),
                    (2, _) => tile::<2, 1>(t, block, x, w, out),
                    _ => tile::<1, 1>(t, block, x, w, out),
                }
            }
            t += rows;
        }
        block += if columns == COLUMNS { COLUMNS } else { 1 };
    }
}

/// `R` tokens from `t` times `C` blocks of 16 outputs from `block`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn tile<const R: usize, const C: usize>(
    t: usize,
    block: usize,
    x: &QuantizedRows,
    w: &PackedInt8,
    out: &mut [f32],
) {
    use std::arch::x86_64::*;
    let inputs = w.inputs;
    let block_bytes = LANES * inputs;
    let mut sums = [[_mm512_setzero_si512(); C]; R];
    let weights = w.q.as_ptr().wrapping_add(block * block_bytes);
    let rows: [*const u8; R] = std::array::from_fn(|r| x.bytes[(t + r) * inputs..].as_ptr());
    for group in 0..inputs / GROUP {
        // SAFETY: group · 64 + 64 ≤ block_bytes, and blocks `block..block + C` exist.
        let packed: [__m512i; C] = std::array::from_fn(|c| unsafe {
            _mm512_loadu_si512(
                weights
                    .add(c * block_bytes + group * GROUP * LANES)
                    .cast::<__m512i>(),
            )
        });
        for r in 0..R {
            // SAFETY: four bytes at group · 4 < inputs of token t + r's row.
            let four = unsafe { rows[r].add(group * GROUP).cast::<i32>().read_unaligned() };
            let broadcast = _mm512_set1_epi32(four);
            for c in 0..C {
                sums[r][c] = _mm512_dpbusd_epi32(sums[r][c], broadcast, packed[c]);
            }
        }
    }
    let outputs = w.outputs;
    for (r, row) in sums.iter().enumerate() {
        let x_scale = _mm512_set1_ps(x.scales[t + r]);
        let zero = _mm512_set1_epi32(x.zeros[t + r]);
        for (c, &sum) in row.iter().enumerate() {
            let j = (block + c) * LANES;
            // SAFETY: outputs j..j + 16 exist in `sums`, `scales` and token t + r's row.
            unsafe {
                let sums = _mm512_loadu_si512(w.sums.as_ptr().add(j).cast::<__m512i>());
                let shift = _mm512_mullo_epi32(sums, zero);
                let exact = _mm512_cvtepi32_ps(_mm512_sub_epi32(sum, shift));
                let scale = _mm512_mul_ps(_mm512_loadu_ps(w.scales.as_ptr().add(j)), x_scale);
                let at = out.as_mut_ptr().add((t + r) * outputs + j);
                _mm512_storeu_ps(at, _mm512_fmadd_ps(exact, scale, _mm512_loadu_ps(at)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The product against f32 arithmetic on the same quantised values, so that only the
    /// kernel is tested, exactly: every integer sum fits an f32 here.
    #[test]
    fn the_kernel_sums_exactly_what_it_quantised() {
        if !available() {
            eprintln!("skipped: this CPU lacks AVX-512 VNNI");
            return;
        }
        let (inputs, outputs) = (36, 80);
        let weight: Vec<f32> = (0..inputs * outputs)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
            .collect();
        let rows = Int8Rows::quantize(&weight, outputs, inputs);
        let packed = PackedInt8::new(&rows).expect("shape fits");
        for tokens in [1, 2, 3, 4, 5, 7, 9] {
            let x: Vec<f32> = (0..tokens * inputs)
                .map(|i| ((i * 53 % 89) as f32 - 44.0) / 10.0)
                .collect();
            let mut out = vec![0.5f32; tokens * outputs];
            let mut scratch = QuantizedRows::default();
            matmul_int8(tokens, &x, &packed, &mut out, &mut scratch);
            for t in 0..tokens {
                for j in 0..outputs {
                    let sum: i32 = (0..inputs)
                        .map(|p| {
                            (i32::from(scratch.bytes[t * inputs + p]) - scratch.zeros[t])
                                * i32::from(rows.q[j * inputs + p])
                        })
                        .sum();
                    let want = 0.5 + sum as f32 * rows.scales[j] * scratch.scales[t];
                    let got = out[t * outputs + j];
                    assert!(
                        (got - want).abs() <= 1e-4 * want.abs().max(1.0),
                        "{tokens} tokens, ({t}, {j}): {got} != {want}"
                    );
                    // And close to the f32 product itself.
                    let exact: f32 = 0.5
                        + (0..inputs)
                            .map(|p| x[t * inputs + p] * weight[j * inputs + p])
                            .sum::<f32>();
                    assert!((got - exact).abs() < 0.5, "({t}, {j}): {got} vs {exact}");
                }
            }
        }
    }

    #[test]
    fn vector_and_scalar_quantisation_agree() {
        if !available() {
            eprintln!("skipped: this CPU lacks AVX-512 VNNI");
            return;
        }
        // 37 inputs: two full vectors and a scalar tail; halves test the rounding.
        let inputs = 37;
        let x: Vec<f32> = (0..3 * inputs)
            .map(|i| ((i * 29 % 71) as f32 - 35.0) * 0.5)
            .collect();
        let mut rows = QuantizedRows::default();
        // SAFETY: AVX-512 is available; `x` holds 3 rows of `inputs`.
        unsafe { quantize(3, inputs, &x, &mut rows) };
        for (t, row) in x.chunks_exact(inputs).enumerate() {
            let min = row.iter().fold(0.0f32, |m, &v| m.min(v));
            let max = row.iter().fold(0.0f32, |m, &v| m.max(v));
            let (scale, zero) = row_code(min, max);
            assert_eq!((rows.scales[t], rows.zeros[t]), (scale, zero));
            for (p, &value) in row.iter().enumerate() {
                assert_eq!(
                    rows.bytes[t * inputs + p],
                    byte(value, 1.0 / scale, zero),
                    "({t}, {p})"
                );
            }
        }
    }

    #[test]
    fn shapes_the_kernel_cannot_take_are_refused() {
        let rows = Int8Rows::quantize(&[1.0; 3 * 16], 16, 3);
        assert!(PackedInt8::pack(&rows).is_none());
        let rows = Int8Rows::quantize(&[1.0; 4 * 8], 8, 4);
        assert!(PackedInt8::pack(&rows).is_none());
    }
}
