//! Incomplete Cholesky with zero fill, IC(0), with a diagonal-shift retry.
//!
//! For a symmetric matrix A (its lower triangle is read), IC(0) computes a
//! lower-triangular L with the sparsity pattern of tril(A) such that
//! `(L Lᵀ)_ij = A_ij` on that pattern (Meijerink & van der Vorst 1977;
//! Saad 2003, §10.3.2). For a matrix whose Cholesky factor has no fill —
//! tridiagonal, or any matrix with a "perfect elimination" pattern — IC(0) is
//! the exact Cholesky factor.
//!
//! Robustness follows Lin & Moré (1999), "Incomplete Cholesky
//! factorizations with limited memory", SIAM J. Sci. Comput. 21(1):
//! 1. scale `Â = D A D` with `D = diag(|a_ii|^{-1/2})` (1 where `a_ii = 0`);
//! 2. factor `Â + αI`, starting with α = 0 if `min â_ii > 0`, else
//!    `α = β − min â_ii`;
//! 3. on a pivot breakdown (a pivot that is not positive, not finite, or
//!    below `PIVOT_REL·(â_ii + α)`), retry with `α ← max(2α, β)`.
//!
//! The preconditioner is `M = D⁻¹ L Lᵀ D⁻¹`, applied as
//! `z = D L⁻ᵀ L⁻¹ D r` by two triangular solves (sequential, no allocation).

use ndarray::{ArrayView1, ArrayViewMut1};
use sprs::{CsMatI, SpIndex};

use crate::error::{Error, Result};
use crate::linalg::precond::Preconditioner;

/// Relative pivot threshold: a pivot `≤ PIVOT_REL·(â_ii + α)` is a
/// breakdown.
pub(crate) const PIVOT_REL: f64 = 1e-12;

/// Options of [`Ic0`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ic0Config {
    /// β: the smallest nonzero shift (Lin & Moré use 1e-3).
    pub beta: f64,
    /// Factorization attempts before giving up (default 40: α reaches
    /// β·2³⁸ ≈ 2.7e8, far beyond diagonal dominance of the scaled matrix).
    pub max_attempts: usize,
}

impl Default for Ic0Config {
    fn default() -> Self {
        Self {
            beta: 1e-3,
            max_attempts: 40,
        }
    }
}

/// An IC(0) factor `M = D⁻¹ L Lᵀ D⁻¹ ≈ A`; see the module documentation.
#[derive(Debug, Clone)]
pub struct Ic0 {
    /// Lower-triangular CSR pattern; the diagonal is the last entry of each row.
    indptr: Vec<usize>,
    indices: Vec<usize>,
    l: Vec<f64>,
    /// 1 / L_ii (multiplications instead of divisions in the solves).
    inv_diag: Vec<f64>,
    /// Scaling D (diagonal).
    d: Vec<f64>,
    shift: f64,
    attempts: usize,
}

impl Ic0 {
    /// IC(0) of a square symmetric sprs matrix (CSR or CSC; only the lower
    /// triangle is read) with default options.
    ///
    /// Errors: non-square or empty, non-finite entries
    /// ([`Error::InvalidInput`]); no successful factorization within
    /// `max_attempts` shifts ([`Error::Factorization`]).
    pub fn new<I: SpIndex, P: SpIndex>(a: &CsMatI<f64, I, P>) -> Result<Self> {
        Self::with_config(a, Ic0Config::default())
    }

    /// As [`Ic0::new`] with chosen options.
    pub fn with_config<I: SpIndex, P: SpIndex>(
        a: &CsMatI<f64, I, P>,
        cfg: Ic0Config,
    ) -> Result<Self> {
        super::check_square("Ic0", a.rows(), a.cols())?;
        // For a symmetric matrix the CSC arrays are the CSR arrays.
        let ip = a.indptr();
        let raw = ip.raw_storage();
        let base = raw[0].index();
        let indptr: Vec<usize> = raw.iter().map(|p| p.index() - base).collect();
        let indices: Vec<usize> = a.indices().iter().map(|j| j.index()).collect();
        Self::from_csr(a.rows(), &indptr, &indices, a.data(), cfg)
    }

    /// IC(0) from raw CSR arrays of a symmetric matrix with sorted rows
    /// (only entries with column ≤ row are read).
    pub(crate) fn from_csr(
        n: usize,
        indptr: &[usize],
        indices: &[usize],
        values: &[f64],
        cfg: Ic0Config,
    ) -> Result<Self> {
        if !(cfg.beta > 0.0 && cfg.beta.is_finite()) || cfg.max_attempts == 0 {
            return Err(Error::InvalidOption {
                name: "ic0",
                reason: format!(
                    "beta must be positive and max_attempts ≥ 1, got {} and {}",
                    cfg.beta, cfg.max_attempts
                ),
            });
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(
                "Ic0: the matrix has non-finite entries".into(),
            ));
        }
        // Lower pattern with a diagonal slot in every row; `src[q]` is the
        // position of the entry in `values` (usize::MAX: structural zero).
        let mut lptr = Vec::with_capacity(n + 1);
        let mut lind = Vec::new();
        let mut src = Vec::new();
        let mut diag = vec![0.0; n];
        lptr.push(0);
        for i in 0..n {
            let mut have_diag = false;
            for q in indptr[i]..indptr[i + 1] {
                let j = indices[q];
                if j < i {
                    lind.push(j);
                    src.push(q);
                } else if j == i {
                    have_diag = true;
                    diag[i] = values[q];
                    lind.push(i);
                    src.push(q);
                }
            }
            if !have_diag {
                lind.push(i);
                src.push(usize::MAX);
            }
            lptr.push(lind.len());
        }
        let d: Vec<f64> = diag
            .iter()
            .map(|&a| if a != 0.0 { 1.0 / a.abs().sqrt() } else { 1.0 })
            .collect();
        // Scaled lower values Â.
        let mut ahat = vec![0.0; lind.len()];
        for i in 0..n {
            for q in lptr[i]..lptr[i + 1] {
                if src[q] != usize::MAX {
                    ahat[q] = d[i] * values[src[q]] * d[lind[q]];
                }
            }
        }
        let min_diag = (0..n)
            .map(|i| ahat[lptr[i + 1] - 1])
            .fold(f64::INFINITY, f64::min);
        let mut alpha = if min_diag > 0.0 {
            0.0
        } else {
            cfg.beta - min_diag
        };
        let mut l = vec![0.0; lind.len()];
        for attempt in 1..=cfg.max_attempts {
            if factor(n, &lptr, &lind, &ahat, alpha, &mut l) {
                let inv_diag = (0..n).map(|i| 1.0 / l[lptr[i + 1] - 1]).collect();
                return Ok(Self {
                    inv_diag,
                    indptr: lptr,
                    indices: lind,
                    l,
                    d,
                    shift: alpha,
                    attempts: attempt,
                });
            }
            alpha = (2.0 * alpha).max(cfg.beta);
        }
        Err(Error::Factorization(format!(
            "IC(0) broke down for every shift up to {alpha:e}"
        )))
    }

    /// The shift α of the successful factorization (of the scaled matrix).
    pub fn shift(&self) -> f64 {
        self.shift
    }

    /// Factorizations tried (1 when no shift was needed).
    pub fn attempts(&self) -> usize {
        self.attempts
    }

    /// Entries of L.
    pub fn nnz(&self) -> usize {
        self.l.len()
    }

    fn solve_in_place(&self, z: &mut [f64]) {
        let n = self.d.len();
        // Forward: L w = D r (z holds r on entry).
        for i in 0..n {
            let (s, e) = (self.indptr[i], self.indptr[i + 1] - 1);
            let mut acc = self.d[i] * z[i];
            for (&k, &lik) in self.indices[s..e].iter().zip(&self.l[s..e]) {
                acc -= lik * z[k];
            }
            z[i] = acc * self.inv_diag[i];
        }
        // Backward: Lᵀ y = w, column sweep over the rows of L.
        for i in (0..n).rev() {
            let (s, e) = (self.indptr[i], self.indptr[i + 1] - 1);
            let yi = z[i] * self.inv_diag[i];
            z[i] = yi;
            for (&k, &lik) in self.indices[s..e].iter().zip(&self.l[s..e]) {
                z[k] -= lik * yi;
            }
        }
        for (zi, &di) in z.iter_mut().zip(&self.d) {
            *zi *= di;
        }
    }
}

/// Up-looking IC(0) of `Â + αI` into `l`; `false` on a pivot breakdown.
fn factor(
    n: usize,
    lptr: &[usize],
    lind: &[usize],
    ahat: &[f64],
    alpha: f64,
    l: &mut [f64],
) -> bool {
    for i in 0..n {
        let (s, e) = (lptr[i], lptr[i + 1] - 1); // e: the diagonal slot
        let mut sum_sq = 0.0;
        for q in s..e {
            let k = lind[q];
            // Σ_{j<k} L_ij L_kj over the common pattern of rows i and k.
            let (ks, ke) = (lptr[k], lptr[k + 1] - 1);
            let (mut a, mut b) = (s, ks);
            let mut dot = 0.0;
            while a < q && b < ke {
                let (ja, jb) = (lind[a], lind[b]);
                if ja == jb {
                    dot += l[a] * l[b];
                    a += 1;
                    b += 1;
                } else if ja < jb {
                    a += 1;
                } else {
                    b += 1;
                }
            }
            let v = (ahat[q] - dot) / l[ke];
            l[q] = v;
            sum_sq += v * v;
        }
        let top = ahat[e] + alpha;
        let piv = top - sum_sq;
        if !(piv.is_finite() && piv > PIVOT_REL * top.abs()) || piv <= 0.0 {
            return false;
        }
        l[e] = piv.sqrt();
    }
    true
}

impl Preconditioner for Ic0 {
    fn dim(&self) -> usize {
        self.d.len()
    }
    fn apply(&self, r: ArrayView1<'_, f64>, mut z: ArrayViewMut1<'_, f64>) {
        z.assign(&r);
        match z.as_slice_mut() {
            Some(zs) => self.solve_in_place(zs),
            None => {
                let mut tmp = z.to_vec();
                self.solve_in_place(&mut tmp);
                z.assign(&ArrayView1::from(&tmp[..]));
            }
        }
    }
}
