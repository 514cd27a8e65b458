//! Options of the inner Krylov loop shared by the Newton-CG solvers: the
//! forcing term, the iteration cap, the curvature test, parallelism, and the
//! preconditioner choice.

use crate::error::{Error, Result};
use crate::linalg::par::Par;
use crate::solvers::config::nonneg;
use crate::solvers::forcing::{self, ForcingMemory, EW2_ALPHA, EW2_GAMMA, EW_ETA0};

/// The inexact-Newton forcing term η_k: CG stops when `‖r‖ ≤ η_k‖g_k‖`.
///
/// Nocedal & Wright (2006), §7.1, eq. (7.3) and Theorem 7.2: η_k → 0 gives
/// superlinear convergence, η_k = O(‖g_k‖) quadratic.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Forcing {
    /// η_k = min(0.5, sqrt(‖g_k‖)): superlinear (the default, N&W §7.1).
    Sqrt,
    /// η_k = min(0.5, ‖g_k‖): quadratic (N&W Theorem 7.2).
    Quadratic,
    /// A fixed η in (0, 1).
    Constant(f64),
    /// Eisenstat & Walker (1996) choice 1: how far the last step's linear
    /// model missed the new gradient ([`forcing::choice1`]). JSON `ew1`.
    #[cfg_attr(feature = "serde", serde(rename = "ew1"))]
    EisenstatWalker1,
    /// Eisenstat & Walker (1996) choice 2: γ(‖g_k‖/‖g_{k−1}‖)^α
    /// ([`forcing::choice2`]; [`Forcing::ew2`] gives PETSc's γ = 1,
    /// α = (1+√5)/2). JSON `ew2`.
    #[cfg_attr(feature = "serde", serde(rename = "ew2"))]
    EisenstatWalker2 {
        /// γ in (0, 1].
        gamma: f64,
        /// α in (1, 2].
        alpha: f64,
    },
}

impl Forcing {
    /// Choice 2 with PETSc's defaults γ = 1, α = (1+√5)/2.
    pub fn ew2() -> Self {
        Forcing::EisenstatWalker2 {
            gamma: EW2_GAMMA,
            alpha: EW2_ALPHA,
        }
    }

    /// η for a gradient of norm `gnorm`, given what the solve remembers of
    /// its last accepted step (`None` before the first one; only the
    /// Eisenstat-Walker choices use it, and give [`EW_ETA0`] without it).
    pub fn eta(self, gnorm: f64, memory: Option<&ForcingMemory>) -> f64 {
        match (self, memory) {
            (Forcing::Sqrt, _) => 0.5f64.min(gnorm.sqrt()),
            (Forcing::Quadratic, _) => 0.5f64.min(gnorm),
            (Forcing::Constant(e), _) => e,
            (Forcing::EisenstatWalker1 | Forcing::EisenstatWalker2 { .. }, None) => EW_ETA0,
            (Forcing::EisenstatWalker1, Some(m)) => forcing::choice1(gnorm, m),
            (Forcing::EisenstatWalker2 { gamma, alpha }, Some(m)) => {
                forcing::choice2(gnorm, m, gamma, alpha)
            }
        }
    }

    /// Whether η depends on the solve's history.
    pub fn is_adaptive(self) -> bool {
        matches!(
            self,
            Forcing::EisenstatWalker1 | Forcing::EisenstatWalker2 { .. }
        )
    }

    fn validate(self) -> Result<()> {
        match self {
            Forcing::Constant(e) if !(e > 0.0 && e < 1.0) => Err(Error::InvalidOption {
                name: "forcing",
                reason: format!("a constant forcing term must lie in (0, 1), got {e}"),
            }),
            Forcing::EisenstatWalker2 { gamma, alpha }
                if !(gamma > 0.0 && gamma <= 1.0 && alpha > 1.0 && alpha <= 2.0) =>
            {
                Err(Error::InvalidOption {
                    name: "forcing",
                    reason: format!(
                        "Eisenstat-Walker choice 2 needs gamma in (0, 1] and alpha in (1, 2], got gamma = {gamma}, alpha = {alpha}"
                    ),
                })
            }
            _ => Ok(()),
        }
    }
}

/// Settings of the truncated CG inner loop, shared by the trust-region and
/// line-search Newton-CG solvers.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KrylovConfig {
    /// Forcing term (default [`Forcing::Sqrt`]).
    pub forcing: Forcing,
    /// CG iteration cap per outer iteration; `None` means `max(2n, 50)`
    /// (the JSOSolvers cap; `reference/pitfalls.md` §11).
    pub max_iter: Option<usize>,
    /// Curvature threshold: stop when `dᵀHd ≤ curvature_eps·‖d‖²`
    /// (scaled test, Krylov.jl; `reference/pitfalls.md` §10). Default
    /// `f64::EPSILON`.
    pub curvature_eps: f64,
    /// How the solver's own vector passes (CG updates, dot products, trial
    /// point, norms) run: [`Par::Rayon`] (the default) on rayon's current
    /// pool for n ≥ [`crate::linalg::par::PAR_MIN_LEN`], [`Par::Seq`] on the calling
    /// thread. The results are bit-for-bit the same either way; `Seq` can
    /// be faster when the machine's cores are already busy
    /// (`docs/benchmarks-core.md`). The objective's own kernels are the
    /// objective's business.
    pub par: Par,
    /// Hidden: keeps struct literals that end in `..Default::default()`
    /// compiling when fields are added (see [`crate::solvers::config`]).
    #[doc(hidden)]
    #[cfg_attr(feature = "serde", serde(skip))]
    pub non_exhaustive: crate::solvers::config::NonExhaustive,
}

impl Default for KrylovConfig {
    fn default() -> Self {
        Self {
            forcing: Forcing::Sqrt,
            max_iter: None,
            curvature_eps: f64::EPSILON,
            par: Par::Rayon,
            non_exhaustive: crate::solvers::config::NonExhaustive::default(),
        }
    }
}

impl KrylovConfig {
    /// The CG cap for dimension n.
    pub fn cap(&self, n: usize) -> usize {
        self.max_iter.unwrap_or_else(|| (2 * n).max(50))
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        self.forcing.validate()?;
        nonneg("cg.curvature_eps", self.curvature_eps)?;
        if self.max_iter == Some(0) {
            return Err(Error::InvalidOption {
                name: "cg.max_iter",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// Which preconditioner the Newton-CG solvers use.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Preconditioning {
    /// No preconditioner (M = I). The default.
    #[default]
    None,
    /// Jacobi, from [`crate::LinearOperator::diagonal`] of the Hessian, with
    /// the safeguards of [`crate::Jacobi`]. Falls back to none if the
    /// operator has no diagonal.
    Jacobi,
    /// The objective's own [`crate::Objective::preconditioner`] (for example
    /// an incomplete Cholesky factor). Falls back to none if it gives `None`.
    Objective,
    /// Smoothed-aggregation algebraic multigrid ([`crate::linalg::sparse::Amg`],
    /// one V-cycle per application) of the assembled Hessian, for Hessian
    /// operators that expose one ([`crate::LinearOperator::assembled_pattern`]:
    /// [`crate::linalg::sparse::Assembled`] problems, the MINPACK-2 grid
    /// problems). Under [`crate::linalg::sparse::AmgReuse::Aggregation`] (the
    /// default) the hierarchy is built at the first Newton step and its values
    /// refreshed at the next ones. Falls back as IC(0) does: when the
    /// hierarchy cannot be built at a point (an indefinite or singular
    /// Hessian: a non-positive diagonal, a failed coarsest factorization) or
    /// the operator has no assembled matrix, that point uses Jacobi
    /// (none if the operator has no diagonal either).
    Amg(crate::linalg::sparse::AmgConfig),
    /// IC(0) ([`crate::linalg::sparse::Ic0`], default options) of the
    /// assembled Hessian, built by the solver from
    /// [`crate::LinearOperator::assembled_pattern`] rather than by the
    /// objective. TRON factors the **reduced** Hessian H(F,F) on each face
    /// (MINPACK-2 `dtron`'s preconditioner); the unconstrained solvers
    /// factor H. Where IC(0) fails for every shift or the operator has no
    /// assembled matrix: Jacobi (none without a diagonal).
    Ic0,
    /// TRON's face preconditioner as **relaxed modified** IC(0), MIC(0)
    /// (Gustafsson 1978; Axelsson & Lindskog 1986): ω = `relax` ∈ [0, 1]
    /// times each fill entry IC(0) drops is subtracted from its row's pivot
    /// (ω = 1 keeps A's row sums; ω = 0 is [`Preconditioning::Ic0`]). It is
    /// built by operators that factor a face in their own structure
    /// ([`crate::LinearOperator::face_ic0`]: the 5-point MINPACK-2
    /// stencils `ept-bound`, `pjb-bound`, `dssc-c`), where at 1000² it
    /// needs 0.47–0.57× IC(0)'s CG iterations (`docs/bounds.md`,
    /// "Session 15"). Everywhere else (other operators, the unconstrained
    /// solvers) it is [`Preconditioning::Ic0`]. Default ω:
    /// [`DEFAULT_MIC0_RELAX`].
    Mic0 {
        /// ω ∈ [0, 1].
        relax: f64,
    },
}

/// The default ω of [`Preconditioning::Mic0`], by measurement
/// (`docs/bounds.md`, "Session 15": on `dssc-c`, `ept-bound` and
/// `pjb-bound` at 1000², 0.95 and 0.99 are within 12 % of each other in CG
/// iterations, each winning somewhere, and 0.95 needs under 0.6× IC(0)'s;
/// ω = 1 needs more than either at 500²; the smaller value stays farther
/// from a breakdown on shifted stencils).
pub const DEFAULT_MIC0_RELAX: f64 = 0.95;

impl Preconditioning {
    /// [`Preconditioning::Mic0`] with [`DEFAULT_MIC0_RELAX`].
    pub const MIC0: Preconditioning = Preconditioning::Mic0 {
        relax: DEFAULT_MIC0_RELAX,
    };

    /// ω of the face factor: `Some(0)` for [`Preconditioning::Ic0`],
    /// `Some(relax)` for [`Preconditioning::Mic0`], else `None`.
    pub fn ic0_relax(&self) -> Option<f64> {
        match *self {
            Preconditioning::Ic0 => Some(0.0),
            Preconditioning::Mic0 { relax } => Some(relax),
            _ => None,
        }
    }

    /// Checks the options of [`Preconditioning::Amg`] and
    /// [`Preconditioning::Mic0`].
    pub fn validate(&self) -> Result<()> {
        match *self {
            Preconditioning::Amg(c) => c.validate(),
            Preconditioning::Mic0 { relax } if !(0.0..=1.0).contains(&relax) => {
                Err(Error::InvalidOption {
                    name: "preconditioning",
                    reason: format!("MIC(0) relaxation must lie in [0, 1], got {relax}"),
                })
            }
            _ => Ok(()),
        }
    }
}
