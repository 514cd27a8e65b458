//! Smoothed-aggregation algebraic multigrid (SA-AMG) as a preconditioner
//! for CG on symmetric positive definite sparse matrices.
//!
//! Vaněk, Mandel & Brezina (1996), "Algebraic multigrid by smoothed
//! aggregation for second and fourth order elliptic problems", Computing
//! 56; the defaults follow PyAMG's `smoothed_aggregation_solver` where this
//! crate has the same choice, and hypre/MueLu for the smoother:
//!
//! | step | file | default |
//! |---|---|---|
//! | strength of connection | `strength.rs` | symmetric, θ = [`DEFAULT_THETA`] (PyAMG: 0) |
//! | aggregation | `aggregate.rs` | standard (Vaněk et al., three passes) |
//! | tentative + smoothed prolongator | `prolongator.rs` | B = 1, one Jacobi step, ω = (4/3)/ρ(D⁻¹A) (PyAMG) |
//! | Galerkin coarse operator R·A·P, R = Pᵀ | `csr.rs` (products), here | symbolic once, numeric per refresh |
//! | coarsest solve | `coarse.rs` | dense Cholesky at ≤ [`AmgConfig::max_coarse`] unknowns |
//! | V-cycle, smoothers | `cycle.rs` | two damped Jacobi sweeps before and after (Chebyshev available) |
//!
//! Coarsening stops when a level has at most `max_coarse` unknowns, after
//! `max_levels` levels, or when aggregation no longer reduces the size by
//! [`STALL_RATIO`]. A coarsest level above [`DENSE_MAX`] unknowns (only
//! after a stall or the level cap) is smoothed instead of solved, which
//! keeps M⁻¹ symmetric positive definite.
//!
//! **Reuse.** [`Amg::refresh`] keeps the aggregates, the tentative
//! prolongators and every sparsity pattern (P, R = Pᵀ, A·P, the coarse
//! operators) and recomputes only values: the diagonals, the spectral
//! estimates, the smoothed prolongators, the Galerkin products and the
//! coarse factor. That is the Newton-step refresh of
//! [`crate::Preconditioning::Amg`] under [`AmgReuse::Aggregation`].
//!
//! **Failure.** A matrix the hierarchy cannot be built for — a
//! non-positive diagonal entry on any level, or a coarsest operator whose
//! Cholesky factorization fails (an indefinite or singular matrix) — is an
//! [`Error::Factorization`]. The Newton-CG solvers then use Jacobi for that
//! point, the rule of IC(0) ([`crate::linalg::sparse::AssembledPreconditioner`]);
//! a non-positive rᵀM⁻¹r inside CG ends the inner solve as for every
//! preconditioner ([`crate::KrylovExit::IndefinitePreconditioner`]).
//!
//! **Determinism.** Setup and cycle run over fixed row blocks with
//! sequential per-row sums and [`chunked_sum`](crate::linalg::par::chunked_sum)
//! reductions: the preconditioner is bit-for-bit the same for any thread
//! count. Apply allocates nothing (per-level work vectors behind a mutex).

mod aggregate;
mod coarse;
mod csr;
mod cycle;
mod prolongator;
mod strength;

pub use cycle::{CHEB_BOOST, CHEB_RATIO};

use std::sync::Mutex;

use ndarray::{ArrayView1, ArrayViewMut1};
use sprs::{CsMatI, SpIndex};

use crate::error::{Error, Result};
use crate::linalg::par::Par;
use crate::linalg::precond::Preconditioner;

use coarse::DenseCholesky;
use csr::{product_pattern, product_values, transpose_pattern, transpose_values, Csr};
use cycle::{LevelWork, Smooth};

/// Aggregation stalls when the next level would keep more than this
/// fraction of the unknowns; coarsening stops there.
pub const STALL_RATIO: f64 = 0.85;

/// The default strength threshold θ, chosen by measurement
/// (`docs/multigrid.md`, "Strength threshold"): on the MINPACK-2 MSA
/// Hessian θ = 0 (PyAMG's default) lets CG iterations to 1e-8 grow from 18
/// at n = 10⁴ to 51 at 10⁷, θ = 0.08 from 13 to 18, and EPT is the same
/// either way (10-17 against 11-15); θ = 0.25 breaks MSA (over 1000).
pub const DEFAULT_THETA: f64 = 0.08;

/// The largest coarsest level solved by a dense Cholesky factor.
pub const DENSE_MAX: usize = 4000;

/// Relative tolerance of the value-symmetry check of [`Amg::new`]:
/// `|a_ij − a_ji| ≤ SYMMETRY_TOL·max(|a_ij|, |a_ji|)`.
pub const SYMMETRY_TOL: f64 = 1e-10;

/// The smoother of every level but a directly solved coarsest one.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum AmgSmoother {
    /// Chebyshev polynomial of this degree (≥ 1) on
    /// [λ_max/[`CHEB_RATIO`], λ_max] of D⁻¹A, one application before and
    /// one after the coarse correction.
    Chebyshev {
        /// Degree (products per application).
        degree: usize,
    },
    /// Damped Jacobi with ω = 4/(3ρ(D⁻¹A)), this many sweeps before and
    /// after the coarse correction (the default, 2 sweeps).
    Jacobi {
        /// Sweeps (≥ 1).
        sweeps: usize,
    },
}

/// What [`crate::Preconditioning::Amg`] keeps from one Newton step to the
/// next (the Hessian's pattern is fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum AmgReuse {
    /// A new hierarchy at every Newton step.
    Rebuild,
    /// Keep the aggregates and all patterns, refresh the values
    /// ([`Amg::refresh`]).
    Aggregation,
}

/// Options of [`Amg`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct AmgConfig {
    /// θ of the symmetric strength test `|a_ij| ≥ θ·sqrt(|a_ii a_jj|)`
    /// (default [`DEFAULT_THETA`]; PyAMG's is 0).
    pub strength_theta: f64,
    /// Stop coarsening at this many unknowns (default 500).
    pub max_coarse: usize,
    /// At most this many levels (default 10, PyAMG's).
    pub max_levels: usize,
    /// ω·ρ(D⁻¹A) of the prolongator smoother (default 4/3, PyAMG's).
    pub prolongator_omega: f64,
    /// The level smoother (default two damped Jacobi sweeps: on the 2-D
    /// Laplacian it gives a V-cycle factor of 0.26 for 4 products a level,
    /// Chebyshev of degree 4 0.20 for 8, degree 2 0.59 for 4;
    /// `docs/multigrid.md`).
    pub smoother: AmgSmoother,
    /// Reuse across Newton steps (default [`AmgReuse::Aggregation`]).
    pub reuse: AmgReuse,
}

impl Default for AmgConfig {
    fn default() -> Self {
        Self {
            strength_theta: DEFAULT_THETA,
            max_coarse: 500,
            max_levels: 10,
            prolongator_omega: 4.0 / 3.0,
            smoother: AmgSmoother::Jacobi { sweeps: 2 },
            reuse: AmgReuse::Aggregation,
        }
    }
}

impl AmgConfig {
    /// Checks every field ([`Error::InvalidOption`]).
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &'static str, reason: String| Err(Error::InvalidOption { name, reason });
        if !(self.strength_theta >= 0.0 && self.strength_theta < 1.0) {
            return bad(
                "amg.strength_theta",
                format!("must lie in [0, 1), got {}", self.strength_theta),
            );
        }
        if self.max_levels == 0 || self.max_coarse == 0 {
            return bad(
                "amg.max_levels",
                "max_levels and max_coarse must be at least 1".into(),
            );
        }
        if !(self.prolongator_omega > 0.0 && self.prolongator_omega < 2.0) {
            return bad(
                "amg.prolongator_omega",
                format!("must lie in (0, 2), got {}", self.prolongator_omega),
            );
        }
        match self.smoother {
            AmgSmoother::Chebyshev { degree: 0 } | AmgSmoother::Jacobi { sweeps: 0 } => bad(
                "amg.smoother",
                "degree and sweeps must be at least 1".into(),
            ),
            _ => Ok(()),
        }
    }
}

/// The transfer between a level and the next coarser one.
#[derive(Debug, Clone)]
struct Transfer {
    /// Tentative prolongator (fixed by the aggregation).
    t: Csr,
    /// P = (I − ω D⁻¹A) T (S never stored), R = Pᵀ (with the gather map), and A·P.
    p: Csr,
    r: Csr,
    r_map: Vec<usize>,
    ap: Csr,
    /// The mirror (j, i) of each entry (i, j) of the coarse operator.
    mirror: Vec<usize>,
}

/// One level: its operator and what its smoother needs.
#[derive(Debug, Clone)]
struct Level {
    a: Csr,
    diag_pos: Vec<usize>,
    dinv: Vec<f64>,
    smooth: Smooth,
    /// The power estimate of ρ(D⁻¹A).
    rho: f64,
}

/// How the coarsest level is handled.
#[derive(Debug, Clone)]
enum CoarseSolve {
    Dense(DenseCholesky),
    /// Too large for a dense factor: smoothed like the other levels.
    Smooth,
}

/// A smoothed-aggregation AMG hierarchy; applied as one symmetric V-cycle.
/// See the module documentation.
///
/// ```
/// use ndarray::Array1;
/// use steihaug::linalg::sparse::{Amg, AmgConfig};
/// use steihaug::Preconditioner;
/// // The 1-D Laplacian on 2000 points.
/// let n = 2000;
/// let mut t = sprs::TriMat::new((n, n));
/// for i in 0..n {
///     t.add_triplet(i, i, 2.0);
///     if i + 1 < n {
///         t.add_triplet(i, i + 1, -1.0);
///         t.add_triplet(i + 1, i, -1.0);
///     }
/// }
/// let amg = Amg::from_csr(&t.to_csr::<usize>(), AmgConfig::default()).unwrap();
/// assert!(amg.levels() >= 2);
/// let mut z = Array1::zeros(n);
/// amg.apply(Array1::ones(n).view(), z.view_mut());
/// assert!(z.iter().all(|v| v.is_finite() && *v > 0.0));
/// ```
#[derive(Debug)]
pub struct Amg {
    cfg: AmgConfig,
    par: Par,
    levels: Vec<Level>,
    transfers: Vec<Transfer>,
    coarse: CoarseSolve,
    /// Power-iteration vectors (length n of the finest level).
    scratch: (Vec<f64>, Vec<f64>),
    work: Mutex<Vec<LevelWork>>,
}

/// Validates a square CSR matrix for [`Amg::new`]: rows sorted and unique,
/// columns in range, no empty row, finite values, symmetric pattern and
/// values (to [`SYMMETRY_TOL`]).
fn validate_matrix(n: usize, indptr: &[usize], indices: &[usize], values: &[f64]) -> Result<()> {
    let bad = |m: String| Err(Error::InvalidInput(format!("Amg: {m}")));
    if n == 0 {
        return Err(Error::EmptyProblem);
    }
    if indptr.len() != n + 1
        || indptr[0] != 0
        || indptr[n] != indices.len()
        || values.len() != indices.len()
    {
        return bad(format!(
            "inconsistent CSR arrays (n = {n}, indptr {}, indices {}, values {})",
            indptr.len(),
            indices.len(),
            values.len()
        ));
    }
    if let Some(i) = (0..n).find(|&i| indptr[i] > indptr[i + 1]) {
        return bad(format!("indptr decreases at row {i}"));
    }
    for i in 0..n {
        let row = &indices[indptr[i]..indptr[i + 1]];
        if row.is_empty() {
            return bad(format!("row {i} is empty"));
        }
        if let Some(t) = (0..row.len()).find(|&t| row[t] >= n || (t > 0 && row[t - 1] >= row[t])) {
            return bad(format!(
                "row {i}: column {} out of range, unsorted or repeated",
                row[t]
            ));
        }
    }
    if let Some(q) = values.iter().position(|v| !v.is_finite()) {
        let i = indptr.partition_point(|&p| p <= q) - 1;
        return bad(format!("entry ({i}, {}) is not finite", indices[q]));
    }
    for i in 0..n {
        for q in indptr[i]..indptr[i + 1] {
            let j = indices[q];
            let row_j = &indices[indptr[j]..indptr[j + 1]];
            match row_j.binary_search(&i) {
                Err(_) => {
                    return bad(format!(
                    "the matrix must be symmetric, but ({i}, {j}) is stored and ({j}, {i}) is not"
                ))
                }
                Ok(p) => {
                    let (a, b) = (values[q], values[indptr[j] + p]);
                    if (a - b).abs() > SYMMETRY_TOL * a.abs().max(b.abs()) {
                        return bad(format!(
                            "the matrix must be symmetric, but a({i}, {j}) = {a:e} and a({j}, {i}) = {b:e}"
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The inverse diagonal of a level (from the stored diagonal positions);
/// [`Error::Factorization`] for a missing or non-positive diagonal entry.
fn inverse_diagonal(a: &Csr, diag_pos: &[usize], level: usize, dinv: &mut [f64]) -> Result<()> {
    for (i, (di, &p)) in dinv.iter_mut().zip(diag_pos).enumerate() {
        let d = if p == usize::MAX { 0.0 } else { a.data[p] };
        if !(d > 0.0 && d.is_finite()) {
            return Err(Error::Factorization(format!(
                "AMG needs a positive diagonal, but a({i}, {i}) = {d:e} on level {level}"
            )));
        }
        *di = 1.0 / d;
    }
    Ok(())
}

/// The smoother of a level from its spectral estimates.
fn level_smoother(cfg: &AmgConfig, rho: f64, gersh: f64) -> Smooth {
    match cfg.smoother {
        AmgSmoother::Chebyshev { degree } => Smooth::Chebyshev {
            degree,
            lmax: (CHEB_BOOST * rho).min(gersh),
        },
        AmgSmoother::Jacobi { sweeps } => Smooth::Jacobi {
            sweeps,
            omega: 4.0 / (3.0 * rho),
        },
    }
}

/// Makes the values of a structurally symmetric matrix exactly symmetric:
/// `a_ij, a_ji ← (a_ij + a_ji)/2` (the Galerkin product R(AP) is symmetric
/// only up to rounding).
fn symmetrize(a: &mut Csr, mirror: &[usize]) {
    for (q, &m) in mirror.iter().enumerate() {
        if m > q {
            let v = 0.5 * (a.data[q] + a.data[m]);
            a.data[q] = v;
            a.data[m] = v;
        }
    }
}

impl Amg {
    /// Builds the hierarchy for the symmetric positive definite matrix
    /// given by CSR arrays (full storage, rows sorted).
    ///
    /// Errors: n = 0 ([`Error::EmptyProblem`]); inconsistent arrays, an
    /// empty row, a non-finite entry, an unsymmetric pattern or values
    /// ([`Error::InvalidInput`]); invalid options
    /// ([`Error::InvalidOption`]); a non-positive diagonal on some level or
    /// a failed coarsest factorization ([`Error::Factorization`]).
    pub fn new(
        n: usize,
        indptr: &[usize],
        indices: &[usize],
        values: &[f64],
        cfg: AmgConfig,
    ) -> Result<Self> {
        Self::from_values(n, indptr, indices, values.to_vec(), cfg)
    }

    /// As [`Amg::new`], taking the values by value: the finest level keeps
    /// this vector, so no second copy of the matrix's values is held.
    pub fn from_values(
        n: usize,
        indptr: &[usize],
        indices: &[usize],
        values: Vec<f64>,
        cfg: AmgConfig,
    ) -> Result<Self> {
        cfg.validate()?;
        validate_matrix(n, indptr, indices, &values)?;
        let par = Par::Rayon;
        let a0 = Csr {
            nrows: n,
            ncols: n,
            indptr: indptr.to_vec(),
            indices: indices.to_vec(),
            data: values,
        };
        let mut scratch = (vec![0.0; n], vec![0.0; n]);
        let mut levels: Vec<Level> = Vec::new();
        let mut transfers: Vec<Transfer> = Vec::new();
        let mut a = a0;
        let mut b = vec![1.0; n];
        loop {
            let l = levels.len();
            let diag_pos = a.diagonal_positions();
            let mut dinv = vec![0.0; a.nrows];
            inverse_diagonal(&a, &diag_pos, l, &mut dinv)?;
            let nl = a.nrows;
            let (rho, gersh) = prolongator::spectral_radius(
                par,
                &a,
                &dinv,
                &mut scratch.0[..nl],
                &mut scratch.1[..nl],
            );
            let level = Level {
                diag_pos,
                dinv,
                smooth: level_smoother(&cfg, rho, gersh),
                rho,
                a,
            };
            let last_allowed = l + 1 >= cfg.max_levels;
            if nl <= cfg.max_coarse || last_allowed {
                levels.push(level);
                break;
            }
            let (sp, si) = strength::symmetric_strength(&level.a, &level.dinv, cfg.strength_theta);
            let (agg, count) = aggregate::standard_aggregation(&sp, &si);
            if count == 0 || count as f64 > STALL_RATIO * nl as f64 {
                levels.push(level);
                break;
            }
            let (t, bc) = prolongator::tentative(&agg, count, &b);
            // P = (I − ω D⁻¹A) T has the pattern of A·T (A holds its diagonal).
            let p = product_pattern(&level.a, &t);
            let (r, r_map) = transpose_pattern(&p);
            let ap = product_pattern(&level.a, &p);
            let ac = product_pattern(&r, &ap);
            let (_, mirror) = transpose_pattern(&ac);
            let mut tr = Transfer {
                t,
                p,
                r,
                r_map,
                ap,
                mirror,
            };
            let mut ac = ac;
            Self::transfer_values(par, &cfg, &level, &mut tr, &mut ac);
            levels.push(level);
            transfers.push(tr);
            a = ac;
            b = bc;
        }
        let coarse = Self::coarse_factor(levels.last().expect("one level"), None)?;
        let work = Mutex::new(levels.iter().map(|l| LevelWork::new(l.a.nrows)).collect());
        Ok(Self {
            cfg,
            par,
            levels,
            transfers,
            coarse,
            scratch,
            work,
        })
    }

    /// As [`Amg::new`] for an sprs matrix (CSC input is converted; it must
    /// store the full symmetric matrix, not a triangle).
    pub fn from_csr<I: SpIndex, P: SpIndex>(a: &CsMatI<f64, I, P>, cfg: AmgConfig) -> Result<Self> {
        crate::linalg::sparse::check_square("Amg", a.rows(), a.cols())?;
        let a = if a.is_csr() { a.clone() } else { a.to_csr() };
        let ip = a.indptr();
        let raw = ip.raw_storage();
        let base = raw[0].index();
        let indptr: Vec<usize> = raw.iter().map(|p| p.index() - base).collect();
        let indices: Vec<usize> = a.indices().iter().map(|j| j.index()).collect();
        Self::new(a.rows(), &indptr, &indices, a.data(), cfg)
    }

    /// Chooses sequential or parallel kernels (identical results).
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }

    /// New values on the finest level's pattern (in its CSR order): keeps the
    /// aggregation and every pattern, recomputes all values (see the module
    /// documentation). No allocation but the per-job accumulators of the
    /// sparse products.
    ///
    /// Errors: a wrong length or a non-finite value ([`Error::InvalidInput`]);
    /// a non-positive diagonal or failed coarsest factorization
    /// ([`Error::Factorization`]). After an error the hierarchy must be
    /// refreshed successfully (or rebuilt) before it is applied again.
    /// Value symmetry is not re-checked.
    pub fn refresh(&mut self, values: &[f64]) -> Result<()> {
        crate::error::check_dim("Amg values", self.levels[0].a.nnz(), values.len())?;
        self.refresh_in_place(|v| {
            v.copy_from_slice(values);
            true
        })
    }

    /// As [`Amg::refresh`], with the new values written by `fill` straight
    /// into the finest level's storage (length [`Amg::nnz`], CSR order), so
    /// the caller holds no copy. `fill` returns false when it has no values
    /// to give ([`Error::InvalidInput`]); the errors and the state after an
    /// error are those of [`Amg::refresh`].
    pub fn refresh_in_place<F: FnOnce(&mut [f64]) -> bool>(&mut self, fill: F) -> Result<()> {
        if !fill(&mut self.levels[0].a.data) {
            return Err(Error::InvalidInput(
                "Amg: no values were supplied for the refresh".into(),
            ));
        }
        if self.levels[0].a.data.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidInput(
                "Amg: the matrix has non-finite entries".into(),
            ));
        }
        let par = self.par;
        for l in 0..self.levels.len() {
            let lv = &mut self.levels[l];
            inverse_diagonal(&lv.a, &lv.diag_pos, l, &mut lv.dinv)?;
            let nl = lv.a.nrows;
            let (v, w) = (&mut self.scratch.0[..nl], &mut self.scratch.1[..nl]);
            let (rho, gersh) = prolongator::spectral_radius(par, &lv.a, &lv.dinv, v, w);
            lv.rho = rho;
            lv.smooth = level_smoother(&self.cfg, rho, gersh);
            if l + 1 < self.levels.len() {
                let (fine, coarse) = self.levels.split_at_mut(l + 1);
                Self::transfer_values(
                    par,
                    &self.cfg,
                    &fine[l],
                    &mut self.transfers[l],
                    &mut coarse[0].a,
                );
            }
        }
        let last = self.levels.last().expect("one level");
        let old = std::mem::replace(&mut self.coarse, CoarseSolve::Smooth);
        self.coarse = Self::coarse_factor(last, Some(old))?;
        Ok(())
    }

    /// The numeric phase of one transfer: P = (I − ω D⁻¹A) T, R = Pᵀ, A P and the
    /// coarse operator R (A P), symmetrized.
    fn transfer_values(par: Par, cfg: &AmgConfig, lv: &Level, tr: &mut Transfer, ac: &mut Csr) {
        let omega = cfg.prolongator_omega / lv.rho;
        prolongator::smoothed_values(par, &lv.a, &lv.dinv, omega, &tr.t, &mut tr.p);
        transpose_values(&tr.p, &tr.r_map, &mut tr.r);
        product_values(par, &lv.a, &tr.p, &mut tr.ap);
        product_values(par, &tr.r, &tr.ap, ac);
        symmetrize(ac, &tr.mirror);
    }

    /// The coarsest solve for the last level, reusing an old dense factor's
    /// storage.
    fn coarse_factor(last: &Level, old: Option<CoarseSolve>) -> Result<CoarseSolve> {
        let n = last.a.nrows;
        if n > DENSE_MAX {
            return Ok(CoarseSolve::Smooth);
        }
        let mut f = match old {
            Some(CoarseSolve::Dense(f)) => f,
            _ => DenseCholesky::with_dim(n),
        };
        f.factor(&last.a.indptr, &last.a.indices, &last.a.data)?;
        Ok(CoarseSolve::Dense(f))
    }

    /// Stored entries of the finest level (the length of the values of
    /// [`Amg::refresh`]).
    pub fn nnz(&self) -> usize {
        self.levels[0].a.nnz()
    }

    /// Number of levels (1: the matrix was small enough to factor).
    pub fn levels(&self) -> usize {
        self.levels.len()
    }

    /// The unknowns and stored entries of each level, finest first.
    pub fn level_sizes(&self) -> Vec<(usize, usize)> {
        self.levels.iter().map(|l| (l.a.nrows, l.a.nnz())).collect()
    }

    /// Operator complexity Σ nnz(A_l) / nnz(A_0) (PyAMG's definition).
    pub fn operator_complexity(&self) -> f64 {
        let s: usize = self.levels.iter().map(|l| l.a.nnz()).sum();
        s as f64 / self.levels[0].a.nnz() as f64
    }

    /// Grid complexity Σ n_l / n_0.
    pub fn grid_complexity(&self) -> f64 {
        let s: usize = self.levels.iter().map(|l| l.a.nrows).sum();
        s as f64 / self.levels[0].a.nrows as f64
    }

    /// Whether the coarsest level is factored (else smoothed).
    pub fn coarsest_is_direct(&self) -> bool {
        matches!(self.coarse, CoarseSolve::Dense(_))
    }

    /// The options.
    pub fn config(&self) -> &AmgConfig {
        &self.cfg
    }

    /// One V-cycle from x = 0 for the right-hand side in `w[0].b`, leaving
    /// the result in `w[0].x`.
    fn vcycle(&self, w: &mut [LevelWork]) {
        let par = self.par;
        let nl = self.levels.len();
        for l in 0..nl - 1 {
            let lv = &self.levels[l];
            let (fine, coarse) = w.split_at_mut(l + 1);
            let wl = &mut fine[l];
            cycle::smooth(par, &lv.a, &lv.dinv, lv.smooth, wl, true);
            cycle::residual(par, &lv.a, None, &wl.b, &wl.x, &mut wl.z);
            self.transfers[l].r.matvec(par, &wl.z, &mut coarse[0].b);
        }
        let last = &self.levels[nl - 1];
        let wc = &mut w[nl - 1];
        match &self.coarse {
            CoarseSolve::Dense(f) => {
                wc.x.copy_from_slice(&wc.b);
                f.solve(&mut wc.x);
            }
            CoarseSolve::Smooth => {
                cycle::smooth(par, &last.a, &last.dinv, last.smooth, wc, true);
                // Symmetric: a second application continuing from the first.
                cycle::smooth(par, &last.a, &last.dinv, last.smooth, wc, false);
            }
        }
        for l in (0..nl - 1).rev() {
            let lv = &self.levels[l];
            let (fine, coarse) = w.split_at_mut(l + 1);
            let wl = &mut fine[l];
            cycle::prolong_add(par, &self.transfers[l].p, &coarse[0].x, &mut wl.x);
            cycle::smooth(par, &lv.a, &lv.dinv, lv.smooth, wl, false);
        }
    }
}

impl Preconditioner for Amg {
    fn dim(&self) -> usize {
        self.levels[0].a.nrows
    }

    /// `z ← M⁻¹ r`: one V-cycle for `A z = r` from z = 0.
    fn apply(&self, r: ArrayView1<'_, f64>, mut z: ArrayViewMut1<'_, f64>) {
        let mut w = self.work.lock().unwrap_or_else(|e| e.into_inner());
        for (b, &ri) in w[0].b.iter_mut().zip(r.iter()) {
            *b = ri;
        }
        self.vcycle(&mut w);
        for (zi, &x) in z.iter_mut().zip(&w[0].x) {
            *zi = x;
        }
    }
}

#[cfg(test)]
mod tests;
