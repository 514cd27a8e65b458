//! What pass 1 keeps (the CG scalars and the tridiagonal, O(k)) and the
//! workspace of a GLTR solve.

use crate::krylov::params::KrylovWorkspace;
use crate::krylov::tridiag::{solve_tridiagonal_trs, TridiagWorkspace};
use crate::linalg::par::Par;

/// What pass 1 recorded: the CG scalars, the tridiagonal and the
/// tridiagonal solver's buffers. O(k) scalars.
#[derive(Debug, Clone)]
pub(crate) struct GltrRecord {
    /// α_j, j < k.
    pub(super) alpha: Vec<f64>,
    /// r_jᵀz_j, j ≤ k.
    pub(super) rho: Vec<f64>,
    /// Diagonal of T_k.
    pub(super) diag: Vec<f64>,
    /// Off-diagonals γ₁ … γ_k (`off[j]` between rows j and j+1; the last is
    /// the stopping test's γ_k).
    pub(super) off: Vec<f64>,
    pub(super) gamma0: f64,
    /// Whether the record belongs to the last pass 1 and can be re-solved.
    pub(super) valid: bool,
    /// The multiplier of the last tridiagonal solve (warm start).
    pub(super) lambda: f64,
    pub(super) tri: TridiagWorkspace,
}

impl GltrRecord {
    pub(crate) fn with_capacity(cap: usize) -> Self {
        let cap = cap.saturating_add(1);
        Self {
            alpha: Vec::with_capacity(cap),
            rho: Vec::with_capacity(cap),
            diag: Vec::with_capacity(cap),
            off: Vec::with_capacity(cap),
            gamma0: 0.0,
            valid: false,
            lambda: 0.0,
            tri: TridiagWorkspace::with_capacity(cap),
        }
    }

    pub(super) fn clear(&mut self) {
        self.alpha.clear();
        self.rho.clear();
        self.diag.clear();
        self.off.clear();
        self.valid = false;
        self.lambda = 0.0;
    }

    pub(super) fn dim(&self) -> usize {
        self.diag.len()
    }

    /// Whether a Krylov space from the last pass 1 is kept for a re-solve.
    pub(crate) fn valid(&self) -> bool {
        self.valid && self.dim() > 0
    }

    /// Forgets the Krylov space (H, g or M changed).
    pub(crate) fn invalidate(&mut self) {
        self.valid = false;
    }

    /// Solves the k×k problem at `radius`; returns the solution's summary
    /// and the stopping-test value γ_k|h_{k−1}|.
    pub(super) fn solve(
        &mut self,
        k: usize,
        radius: f64,
    ) -> (crate::krylov::tridiag::TridiagSolution, f64) {
        let sol = solve_tridiagonal_trs(
            &self.diag[..k],
            &self.off[..k - 1],
            self.gamma0,
            radius,
            self.lambda,
            &mut self.tri,
        );
        if sol.lambda.is_finite() {
            self.lambda = sol.lambda;
        }
        let test = self.off.get(k - 1).copied().unwrap_or(0.0) * self.tri.h[k - 1].abs();
        (sol, test)
    }
}

/// Work space of [`gltr()`](crate::krylov::gltr()): the four n-vectors of a [`KrylovWorkspace`](crate::krylov::KrylovWorkspace) and
/// the O(k) record of the last pass 1 (which [`gltr_resolve`](crate::krylov::gltr_resolve) re-solves).
#[derive(Debug, Clone)]
pub struct GltrWorkspace {
    pub(crate) vectors: KrylovWorkspace,
    pub(crate) record: GltrRecord,
}

impl GltrWorkspace {
    /// Workspace for dimension n and Krylov dimensions up to `capacity`
    /// without allocating (larger ones grow the scalar buffers once).
    pub fn new(n: usize, capacity: usize) -> Self {
        Self {
            vectors: KrylovWorkspace::new(n),
            record: GltrRecord::with_capacity(capacity),
        }
    }

    /// Chooses how the vector passes run (same results; see
    /// [`KrylovWorkspace::with_par`]).
    pub fn with_par(mut self, par: Par) -> Self {
        self.vectors = self.vectors.with_par(par);
        self
    }

    /// The dimension n.
    pub fn dim(&self) -> usize {
        self.vectors.dim()
    }

    /// The tridiagonal `(diagonal, off-diagonal, γ₀)` of the last pass 1
    /// (`off` has k − 1 entries), if one is kept for a re-solve.
    pub fn tridiagonal(&self) -> Option<(&[f64], &[f64], f64)> {
        let r = &self.record;
        r.valid().then(|| {
            let k = r.dim();
            (&r.diag[..k], &r.off[..k - 1], r.gamma0)
        })
    }

    /// Forgets the kept Krylov space.
    pub fn invalidate(&mut self) {
        self.record.invalidate();
    }
}
