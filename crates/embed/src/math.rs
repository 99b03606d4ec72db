//! Dense kernels: a bounds-checked wrapper around `gemm`, layer norm, softmax, GELU.

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
pub fn add_and_normalize(x: &mut [f32], residual: &[f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let width = gamma.len();
    for (row, extra) in x.chunks_exact_mut(width).zip(residual.chunks_exact(width)) {
        for (value, add) in row.iter_mut().zip(extra) {
            *value += add;
        }
        normalize_row(row, gamma, beta, eps);
    }
}

pub fn normalize_row(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let width = row.len() as f32;
    let mean = row.iter().sum::<f32>() / width;
    let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width;
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

/// Softmax of `scale · row`, in place.
pub fn softmax_scaled(row: &mut [f32], scale: f32) {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    // Separate passes: a loop that also accumulated the sum would not vectorise.
    for value in row.iter_mut() {
        *value = fast_exp((*value - max) * scale);
    }
    let inverse = 1.0 / sum(row);
    for value in row.iter_mut() {
        *value *= inverse;
    }
}

/// BERT's GELU, `0.5·x·(1 + erf(x/√2))`, with an erf accurate to about 1.5e-7
/// (Abramowitz & Stegun 7.1.26).
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
        softmax_scaled(&mut row, 1.0);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(row[2] > row[1] && row[1] > row[0]);
        let mut x = [1.0, 2.0, 3.0, 4.0];
        normalize_row(&mut x, &[1.0; 4], &[0.0; 4], 1e-12);
        assert!(x.iter().sum::<f32>().abs() < 1e-5);
    }
}
