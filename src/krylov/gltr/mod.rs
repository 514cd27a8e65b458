//! GLTR: the generalized Lanczos trust-region method (Gould, Lucidi, Roma &
//! Toint, "Solving the trust-region subproblem using the Lanczos method",
//! SIAM J. Optim. 9:504–525, 1999; `reference/gltr.md`).
//!
//! Minimizes `q(s) = gᵀs + ½sᵀHs` subject to `‖s‖_M ≤ Δ` over growing
//! Krylov spaces `K_k(M⁻¹H, M⁻¹g)`:
//!
//! * **Pass 1** runs preconditioned CG on `Hs = −g` from s = 0 and records
//!   `α_j`, `r_jᵀz_j`. These give the Lanczos tridiagonal `T_k = Q_kᵀHQ_k`
//!   in the M-orthonormal basis `q_j = σ_j z_j/√(r_jᵀz_j)` (diagonal
//!   `1/α_j + β_{j−1}/α_{j−1}`, off-diagonal `√β_j/|α_j|`, signs
//!   `σ₀ = 1`, `σ_{j+1} = −σ_j·sign(α_j)`), and `γ₀ = ‖g‖_{M⁻¹}`.
//!   - While the CG iterates stay inside the region with positive curvature
//!     (the *Steihaug phase*) the CG iterate is the minimizer over the
//!     Krylov space; CG stops there when `‖r‖_{M⁻¹} ≤ η‖g‖_{M⁻¹}`
//!     (with M = I this is exactly [`crate::krylov::steihaug()`]).
//!   - Once CG would leave the region or meets curvature `pᵀHp ≤ ε‖p‖²_M`
//!     (the *Lanczos phase*) the recurrences continue, and after each
//!     product the k×k problem `min γ₀e₁ᵀh + ½hᵀT_kh, ‖h‖ ≤ Δ` is solved
//!     by [`crate::krylov::tridiag::solve_tridiagonal_trs`]. The free
//!     stopping test `γ_k·|e_kᵀh| ≤ η·γ₀` (`γ_k` the next off-diagonal; the
//!     left side is `‖Hs + g + λMs‖_{M⁻¹}`) ends it, or the Lanczos cap
//!     [`GltrParams::max_lanczos`] (default [`DEFAULT_MAX_LANCZOS`], PETSc's
//!     `max_lanczos_its`).
//! * **Pass 2** (only after a Lanczos phase) recovers `s = Q_k h` without
//!   storing the basis: it replays the CG recurrences from `r₀ = g` with the
//!   recorded α_j and β_j and accumulates `s += h_j q_j` (k − 1 products and
//!   k preconditioner solves; PETSc's recovery loop, GALAHAD's `iter_pass2`).
//!   The products must be bit-deterministic at a fixed point
//!   (`reference/gltr.md` §2).
//! * **Re-solve** ([`gltr_resolve`]): `T_k` and `γ₀` depend only on H, g and
//!   M, so after a rejected step the tridiagonal problem is solved again at
//!   the smaller Δ with no pass-1 product, and s is recovered by pass 2
//!   (§6). The Lanczos iteration is *not* continued (the last vectors are
//!   overwritten by pass 2): when the stopping test fails at the new radius
//!   the step is still the exact minimizer over the same Krylov space, and
//!   the exit says [`KrylovExit::LanczosLimit`](crate::krylov::KrylovExit::LanczosLimit).
//!
//! The predicted reduction comes from T and h (`−q = −(γ₀h₀ + ½hᵀTh)`), or
//! in the Steihaug phase from `−½(gᵀs + sᵀr)` as in Steihaug's CG; no extra
//! product. Memory: four n-vectors in the [`KrylovWorkspace`](crate::krylov::KrylovWorkspace) plus O(k)
//! scalars in the [`GltrWorkspace`], preallocated to the iteration cap
//! (`Vec::with_capacity`, whose untouched pages the OS does not commit);
//! nothing is allocated in the loops.
//!
//! When the tridiagonal solve fails (non-finite) or the product budget
//! [`GltrParams::max_products`] leaves no room for pass 2, the Steihaug
//! boundary point, kept from the crossing, is returned instead (PETSc's
//! fallback).

use ndarray::{ArrayView1, ArrayViewMut1};

use crate::error::{check_dim, Error, Result};
use crate::linalg::operator::LinearOperator;
use crate::linalg::precond::Preconditioner;

mod params;
mod passes;
mod record;
#[cfg(test)]
mod tests;
mod trial;

pub use params::{GltrInfo, GltrParams, DEFAULT_MAX_LANCZOS};
pub(crate) use record::GltrRecord;
pub use record::GltrWorkspace;
pub(crate) use trial::{gltr_trial, resolve_trial};

fn check_params(params: &GltrParams) -> Result<()> {
    let r = params.radius;
    if !(r.is_finite() && r > 0.0) {
        return Err(Error::InvalidOption {
            name: "radius",
            reason: format!("must be finite and positive, got {r}"),
        });
    }
    if !(params.eta.is_finite() && params.eta >= 0.0) {
        return Err(Error::InvalidOption {
            name: "eta",
            reason: format!("must be finite and non-negative, got {}", params.eta),
        });
    }
    if !(params.curvature_eps.is_finite() && params.curvature_eps >= 0.0) {
        return Err(Error::InvalidOption {
            name: "curvature_eps",
            reason: format!(
                "must be finite and non-negative, got {}",
                params.curvature_eps
            ),
        });
    }
    Ok(())
}

fn check_dims<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    n: usize,
    ws: &GltrWorkspace,
    p: usize,
) -> Result<()> {
    crate::linalg::operator::check_square("Hessian operator", n, h)?;
    if let Some(m) = precond {
        check_dim("preconditioner", n, m.dim())?;
    }
    check_dim("step p", n, p)?;
    check_dim("GLTR workspace", n, ws.dim())
}

/// Runs GLTR on `min gᵀs + ½sᵀHs, ‖s‖_M ≤ Δ` and writes the step into `p`.
///
/// Errors (checked before any work): operator, preconditioner, `g`, `p` and
/// workspace of different dimensions ([`Error::DimensionMismatch`]); a
/// radius that is not finite and positive, or η or ε not finite and
/// non-negative ([`Error::InvalidOption`]).
pub fn gltr<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    ws: &mut GltrWorkspace,
    p: ArrayViewMut1<'_, f64>,
) -> Result<GltrInfo> {
    check_dims(h, precond, g.len(), ws, p.len())?;
    check_params(params)?;
    let GltrWorkspace { vectors, record } = ws;
    Ok(gltr_trial(h, precond, g, params, vectors, record, p, None))
}

/// Re-solves at `params.radius` in the Krylov space of the last pass 1 of
/// `ws` (0 pass-1 products, k − 1 pass-2 products). `h`, `precond` and `g`
/// must be those of that pass 1 (`g` and M are checked through
/// `gᵀM⁻¹g`, bit for bit); `params.eta` decides the stopping test and
/// `params.max_products` caps pass 2.
///
/// Errors: as [`gltr()`], and [`Error::InvalidOption`] (`"resolve"`) when no
/// Krylov space is kept or `g`/M differ from the last pass 1.
pub fn gltr_resolve<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    ws: &mut GltrWorkspace,
    p: ArrayViewMut1<'_, f64>,
) -> Result<GltrInfo> {
    check_dims(h, precond, g.len(), ws, p.len())?;
    check_params(params)?;
    if !ws.record.valid() {
        return Err(Error::InvalidOption {
            name: "resolve",
            reason: "no Krylov space is kept from a previous GLTR solve".into(),
        });
    }
    let GltrWorkspace { vectors, record } = ws;
    resolve_trial(h, precond, g, params, vectors, record, p, None).ok_or_else(|| {
        Error::InvalidOption {
            name: "resolve",
            reason: "g or the preconditioner differ from the last GLTR pass 1".into(),
        }
    })
}
