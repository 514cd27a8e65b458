//! The direct solve on the coarsest level: a dense Cholesky factorization
//! A = L Lᵀ (Golub & Van Loan 2013, Algorithm 4.2.1, the row-oriented
//! "dot product" form), held row-major in the lower triangle, and the two
//! triangular solves. The coarsest level has at most
//! [`super::AmgConfig::max_coarse`] unknowns (a few hundred by default),
//! where a dense factor is cheaper than any sparse bookkeeping.

use crate::error::{Error, Result};

/// Relative pivot threshold: a pivot at or below `PIVOT_REL·a_jj` means the
/// coarse operator is not (numerically) positive definite.
const PIVOT_REL: f64 = 1e-14;

/// A dense Cholesky factor.
#[derive(Debug, Clone, Default)]
pub(crate) struct DenseCholesky {
    n: usize,
    /// Row-major n×n; the lower triangle holds L.
    l: Vec<f64>,
}

impl DenseCholesky {
    /// An empty factor of dimension n (storage allocated once).
    pub fn with_dim(n: usize) -> Self {
        Self {
            n,
            l: vec![0.0; n * n],
        }
    }

    /// Factors the CSR matrix (`indptr`, `indices`, `data`, n×n, symmetric)
    /// in place of the old factor. Errors: a pivot that is not positive and
    /// finite ([`Error::Factorization`]: the matrix is indefinite or
    /// singular).
    pub fn factor(&mut self, indptr: &[usize], indices: &[usize], data: &[f64]) -> Result<()> {
        let n = self.n;
        let l = &mut self.l;
        l.fill(0.0);
        for i in 0..n {
            for q in indptr[i]..indptr[i + 1] {
                if indices[q] <= i {
                    l[i * n + indices[q]] = data[q];
                }
            }
        }
        for j in 0..n {
            let ajj = l[j * n + j];
            let d = ajj - l[j * n..j * n + j].iter().map(|v| v * v).sum::<f64>();
            if !(d.is_finite() && d > PIVOT_REL * ajj.abs()) {
                return Err(Error::Factorization(format!(
                    "AMG: the coarsest operator ({n}×{n}) is not positive definite \
                     (pivot {d:e} at row {j})"
                )));
            }
            let ljj = d.sqrt();
            l[j * n + j] = ljj;
            // Column j below the diagonal: L_ij = (a_ij − Σ_k L_ik L_jk)/L_jj.
            let (upto, rest) = l.split_at_mut((j + 1) * n);
            let rj = &upto[j * n..j * n + j];
            for i in (j + 1)..n {
                let ri = &mut rest[(i - j - 1) * n..(i - j) * n];
                let s: f64 = ri[..j].iter().zip(rj).map(|(a, b)| a * b).sum();
                ri[j] = (ri[j] - s) / ljj;
            }
        }
        Ok(())
    }

    /// `x ← A⁻¹ x` by the two triangular solves.
    pub fn solve(&self, x: &mut [f64]) {
        let n = self.n;
        let l = &self.l;
        for i in 0..n {
            let s: f64 = l[i * n..i * n + i]
                .iter()
                .zip(&x[..i])
                .map(|(a, b)| a * b)
                .sum();
            x[i] = (x[i] - s) / l[i * n + i];
        }
        for i in (0..n).rev() {
            let xi = x[i] / l[i * n + i];
            x[i] = xi;
            for k in 0..i {
                x[k] -= l[i * n + k] * xi;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_spd_system_and_rejects_an_indefinite_one() {
        // [[4, 1, 0], [1, 3, 1], [0, 1, 2]] x = b.
        let indptr = [0, 2, 5, 7];
        let indices = [0, 1, 0, 1, 2, 1, 2];
        let data = [4.0, 1.0, 1.0, 3.0, 1.0, 1.0, 2.0];
        let mut c = DenseCholesky::with_dim(3);
        c.factor(&indptr, &indices, &data).unwrap();
        let x_true = [1.0, -2.0, 0.5];
        let mut b = [4.0 - 2.0, 1.0 - 6.0 + 0.5, -2.0 + 1.0];
        c.solve(&mut b);
        for (a, e) in b.iter().zip(&x_true) {
            assert!((a - e).abs() < 1e-14, "{a} vs {e}");
        }
        let bad = [1.0, 2.0, 2.0, 1.0, 1.0, 1.0, 2.0];
        assert!(matches!(
            c.factor(&indptr, &indices, &bad),
            Err(Error::Factorization(_))
        ));
    }
}
