//! The types every inner solve shares: what truncates it, its parameters,
//! what it reports, and the workspace that holds its vectors.

use std::time::Instant;

use ndarray::Array1;

use crate::krylov::KrylovExit;
use crate::linalg::par::{Par, Partials};

/// Whether the CG loop is truncated by a trust region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Truncation {
    /// Steihaug-Toint: stay inside `‖p‖_M ≤ radius`.
    TrustRegion {
        /// The radius Δ > 0.
        radius: f64,
    },
    /// Truncated Newton for a line search: no region; negative curvature
    /// returns the current iterate (or the steepest-descent direction at the
    /// first iteration).
    LineSearch,
}

/// Parameters of one inner solve.
#[derive(Debug, Clone, Copy)]
pub struct SteihaugParams {
    /// Trust region or line search.
    pub truncation: Truncation,
    /// Forcing term η: stop when `‖r‖ ≤ η‖g‖`.
    pub eta: f64,
    /// Iteration cap (and thus product cap).
    pub max_iter: usize,
    /// Curvature threshold ε in `dᵀHd ≤ ε‖d‖²_M`.
    pub curvature_eps: f64,
    /// Stop (with [`KrylovExit::TimeLimit`]) once this instant has passed.
    pub deadline: Option<Instant>,
}

/// What one inner solve did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KrylovInfo {
    /// Why it stopped.
    pub exit: KrylovExit,
    /// CG iterations performed (= Hessian-vector products).
    pub iterations: usize,
    /// Whether the step was placed on the trust-region boundary.
    pub on_boundary: bool,
    /// Predicted reduction `−m(p) = −(gᵀp + ½pᵀHp)`, from CG quantities.
    pub pred: f64,
    /// `‖p‖_M` (Euclidean norm without a preconditioner), from the
    /// recurrences.
    pub step_norm_m: f64,
    /// The Euclidean norm `‖p‖`, from the final pass over p.
    pub step_norm: f64,
    /// `gᵀp`, from the final pass over p (it is also in `pred`).
    pub grad_dot_step: f64,
    /// The leftmost Ritz value θ_min(T_k) of the Lanczos tridiagonal, an
    /// upper bound on λ_min(M⁻¹H) (GLTR; `None` for Steihaug's CG).
    pub leftmost: Option<f64>,
    /// The linear residual `‖g + Hp‖` of the returned step (Euclidean; ‖g‖
    /// for a zero step), from the recurrences: what Eisenstat-Walker's
    /// choice 1 compares with the next gradient.
    pub residual_norm: f64,
    /// The curvature dᵀHd/‖d‖²_M of the direction that stopped the solve
    /// with [`KrylovExit::NegativeCurvature`]; NaN for the other exits.
    pub curvature: f64,
    /// The delayed estimate [`EnergyTail::tail`](crate::krylov::energy::EnergyTail::tail)
    /// of the model gap ½‖s* − s‖²_H over the interior CG steps (up to the
    /// first boundary crossing); NaN when it means nothing (negative
    /// curvature met, no CG iterate, a re-solve or an escape step).
    pub energy_tail: f64,
    /// Interior CG steps behind [`KrylovInfo::energy_tail`].
    pub energy_steps: usize,
    /// The model reduction pred_K of the last interior CG iterate (the
    /// whole sum behind [`KrylovInfo::energy_tail`]).
    pub energy_total: f64,
}

/// Work vectors for [`crate::krylov::steihaug()`], allocated once and reused.
#[derive(Debug, Clone)]
pub struct KrylovWorkspace {
    pub(crate) r: Array1<f64>,
    pub(crate) z: Array1<f64>,
    pub(crate) d: Array1<f64>,
    pub(crate) hd: Array1<f64>,
    pub(crate) partials: Partials,
}

impl KrylovWorkspace {
    /// Workspace for dimension n (four n-vectors, and one partial sum per
    /// block of [`crate::linalg::par::BLOCK`] elements). Its vector passes use
    /// [`Par::Rayon`].
    pub fn new(n: usize) -> Self {
        Self {
            r: Array1::zeros(n),
            z: Array1::zeros(n),
            d: Array1::zeros(n),
            hd: Array1::zeros(n),
            partials: Partials::new(n, Par::Rayon),
        }
    }

    /// Chooses how the vector passes run. With [`Par::Rayon`] (the default)
    /// they run on rayon's current pool from [`crate::linalg::par::PAR_MIN_LEN`]
    /// elements on; the results are bit-for-bit the same with [`Par::Seq`]
    /// and for any number of threads.
    pub fn with_par(mut self, par: Par) -> Self {
        self.partials = Partials::new(self.dim(), par);
        self
    }

    /// The dimension it was made for.
    pub fn dim(&self) -> usize {
        self.r.len()
    }
}
