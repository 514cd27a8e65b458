//! Deterministic synthetic sparse classification data ("rcv1-shaped
//! synthetic"), for benchmarks that can be rerun exactly.
//!
//! Public sparse text-classification sets (rcv1, news20, …) cannot be
//! downloaded everywhere; [`Rcv1Shaped`] generates data with the same
//! statistics (`reference/logistic.md`). It is **not** rcv1 and must not be
//! called so. For each row, in order, from one [`SplitMix64`] stream seeded
//! with `seed`:
//!
//! 1. the number of nonzeros k ~ Poisson(`nnz_per_row`), clamped to
//!    `1..=cols` (drawn as the number of unit-rate exponential arrivals in
//!    `[0, nnz_per_row)`, which is exactly Poisson);
//! 2. k **distinct** column ranks r from a Zipf law `P(r) ∝ r^{−s}` over
//!    `1..=cols` with s = [`Rcv1Shaped::zipf_exponent`] (default 1.1), by
//!    inversion of the cumulative distribution, redrawing repeats (after
//!    `64k + 1000` draws the missing ranks are the smallest unused ones, a
//!    case that only arises when k is close to `cols`). Ranks map to column
//!    ids through a seeded random permutation, so frequent features are
//!    spread over the index range as in real data; ids are sorted;
//! 3. tf-idf-like positive values `(1 + ln tf)·idf(r)` with term count
//!    `tf = 1 + ⌊1.5·Exp(1)⌋` and `idf(r) = ln(1 + 1/(K·P(r)))` (K the mean
//!    nonzeros per row), scaled to unit 2-norm, then rounded to 6 decimals
//!    (at least 1e-6), which keeps files small and exact to reread;
//! 4. the label: the sign of `w*ᵀx` for a planted `w* ~ N(0, I)` (drawn
//!    once, before the rows), flipped with probability
//!    [`Rcv1Shaped::flip`] (default 0.05), so the problem is not separable.
//!
//! The same parameters and seed give the same rows, and
//! [`Rcv1Shaped::write_libsvm`] the same file **byte for byte** (values are
//! written with Rust's shortest round-trip formatting; the only platform
//! dependence is the accuracy of `ln`/`exp`/`cos` in the C library, which
//! the rounding to 6 decimals makes practically invisible).
//!
//! The shape of `rcv1_test.binary` is 677,399 rows × 47,236 columns with
//! about 74 nonzeros per row ([`Rcv1Shaped::rcv1_test`]).

use std::io::Write;

use crate::error::{Error, Result};
use crate::io::libsvm::{write_row, CsrMatrix};
use crate::linalg::rng::SplitMix64;

/// Parameters of the rcv1-shaped generator (see the [module](self) for the
/// exact recipe).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rcv1Shaped {
    /// Number of rows l.
    pub rows: usize,
    /// Number of columns n (at most `u32::MAX`).
    pub cols: usize,
    /// Mean nonzeros per row (Poisson mean), > 0.
    pub nnz_per_row: f64,
    /// The seed.
    pub seed: u64,
    /// Zipf exponent of the column frequencies (default 1.1).
    pub zipf_exponent: f64,
    /// Fraction of labels flipped (default 0.05).
    pub flip: f64,
}

impl Rcv1Shaped {
    /// Defaults for the exponent (1.1) and the flip fraction (0.05).
    pub fn new(rows: usize, cols: usize, nnz_per_row: f64, seed: u64) -> Self {
        Self {
            rows,
            cols,
            nnz_per_row,
            seed,
            zipf_exponent: 1.1,
            flip: 0.05,
        }
    }

    /// The shape of `rcv1_test.binary`: 677,399 × 47,236, 73.2 nonzeros per
    /// row on average (about 49.6 million in all).
    pub fn rcv1_test(seed: u64) -> Self {
        Self::new(677_399, 47_236, 73.2, seed)
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.rows == 0 || self.cols == 0 {
            return Err(Error::EmptyProblem);
        }
        crate::memory::check(
            &format!("the generator's per-column tables ({} columns)", self.cols),
            self.working_bytes(),
        )?;
        if self.cols > u32::MAX as usize {
            return Err(Error::InvalidOption {
                name: "cols",
                reason: format!("at most {} columns (32-bit indices)", u32::MAX),
            });
        }
        if !(self.nnz_per_row.is_finite() && self.nnz_per_row > 0.0 && self.nnz_per_row <= 1e6) {
            return Err(Error::InvalidOption {
                name: "nnz_per_row",
                reason: format!("must lie in (0, 1e6], got {}", self.nnz_per_row),
            });
        }
        if !(self.zipf_exponent.is_finite() && self.zipf_exponent >= 0.0) {
            return Err(Error::InvalidOption {
                name: "zipf_exponent",
                reason: format!(
                    "must be finite and non-negative, got {}",
                    self.zipf_exponent
                ),
            });
        }
        if !(0.0..=0.5).contains(&self.flip) {
            return Err(Error::InvalidOption {
                name: "flip",
                reason: format!("must lie in [0, 0.5], got {}", self.flip),
            });
        }
        Ok(())
    }

    /// Calls `sink(label, column ids, values)` for every row in order.
    pub fn for_each_row<F>(&self, mut sink: F) -> Result<()>
    where
        F: FnMut(f64, &[u32], &[f64]) -> Result<()>,
    {
        self.validate()?;
        let n = self.cols;
        let mut rng = SplitMix64::new(self.seed);
        // Zipf CDF over ranks 1..=n.
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 1..=n {
            acc += (r as f64).powf(-self.zipf_exponent);
            cdf.push(acc);
        }
        let total = acc;
        let prob = |r: usize| -> f64 {
            let lo = if r == 0 { 0.0 } else { cdf[r - 1] };
            (cdf[r] - lo) / total
        };
        // Rank → column permutation (Fisher-Yates).
        let mut perm: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            perm.swap(i, j);
        }
        // Planted weights.
        let w_star: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let k_mean = self.nnz_per_row;
        let mut stamp = vec![0u64; n];
        let mut ranks: Vec<usize> = Vec::new();
        let mut entries: Vec<(u32, f64)> = Vec::new();
        let mut cols: Vec<u32> = Vec::new();
        let mut vals: Vec<f64> = Vec::new();
        for row in 0..self.rows {
            let tag = row as u64 + 1;
            // 1. Poisson count.
            let mut k = 0usize;
            let mut t = 0.0;
            loop {
                t -= (1.0 - rng.uniform()).ln();
                if t >= k_mean {
                    break;
                }
                k += 1;
            }
            let k = k.clamp(1, n);
            // 2. Distinct Zipf ranks.
            ranks.clear();
            let mut draws = 0usize;
            let cap = 64 * k + 1000;
            while ranks.len() < k && draws < cap {
                draws += 1;
                let u = rng.uniform() * total;
                let r = cdf.partition_point(|&c| c <= u).min(n - 1);
                if stamp[r] != tag {
                    stamp[r] = tag;
                    ranks.push(r);
                }
            }
            let mut r = 0;
            while ranks.len() < k {
                if stamp[r] != tag {
                    stamp[r] = tag;
                    ranks.push(r);
                }
                r += 1;
            }
            // 3. Values.
            entries.clear();
            let mut norm2 = 0.0;
            for &r in &ranks {
                let tf = 1.0 + (-1.5 * (1.0 - rng.uniform()).ln()).floor();
                let idf = (1.0 + 1.0 / (k_mean * prob(r))).ln();
                let v = (1.0 + tf.ln()) * idf;
                norm2 += v * v;
                entries.push((perm[r], v));
            }
            let scale = 1.0 / norm2.sqrt();
            entries.sort_unstable_by_key(|e| e.0);
            cols.clear();
            vals.clear();
            let mut margin = 0.0;
            for &(c, v) in &entries {
                let v = ((v * scale * 1e6).round() / 1e6).max(1e-6);
                cols.push(c);
                vals.push(v);
                margin += w_star[c as usize] * v;
            }
            // 4. Label.
            let mut label = if margin >= 0.0 { 1.0 } else { -1.0 };
            if rng.uniform() < self.flip {
                label = -label;
            }
            sink(label, &cols, &vals)?;
        }
        Ok(())
    }

    /// The rows in memory: labels ±1 and the CSR matrix (`rows × cols`).
    pub fn generate(&self) -> Result<(Vec<f64>, CsrMatrix)> {
        let mut labels = Vec::with_capacity(self.rows);
        let mut indptr = vec![0usize];
        let mut indices = Vec::new();
        let mut data = Vec::new();
        self.for_each_row(|y, c, v| {
            labels.push(y);
            indices.extend_from_slice(c);
            data.extend_from_slice(v);
            indptr.push(indices.len());
            Ok(())
        })?;
        let x = CsrMatrix::try_new((self.rows, self.cols), indptr, indices, data)
            .map_err(|(_, _, _, e)| Error::InvalidInput(format!("generated data: {e}")))?;
        Ok((labels, x))
    }

    /// The memory of the per-column tables (Zipf CDF, permutation, planted
    /// weights, stamps: 28 bytes per column), estimated by [`Self::validate`]
    /// before anything is allocated.
    pub fn working_bytes(&self) -> u128 {
        crate::memory::bytes_of(self.cols as u128, 8 + 4 + 8 + 8)
    }

    /// Streams the rows to `out` in LIBSVM format (one row in memory at a
    /// time). Returns the number of nonzeros written.
    pub fn write_libsvm<W: Write>(&self, mut out: W) -> Result<u64> {
        let mut nnz = 0u64;
        self.for_each_row(|y, c, v| {
            nnz += c.len() as u64;
            write_row(&mut out, y, c, v)
        })?;
        out.flush()?;
        Ok(nnz)
    }
}
