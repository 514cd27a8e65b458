//! The Newton phase of a TRON iteration: Steihaug CG on the faces of the
//! box (MINPACK-2 `dspcg`'s loop) with projected searches, and the release
//! rounds between them (module documentation of [`super`], step 2).

use std::cell::RefCell;

use ndarray::Zip;

use super::cauchy::{cauchy_step, CauchyStep};
use super::face_ic0::FaceIc0;
use super::projection::add_step_exact_in_place;
use super::release::{releasable, release_round_worth};
use super::search::projected_search;
use super::{dot, norm, Work};
use crate::krylov::steihaug::steihaug_trial;
use crate::krylov::{KrylovExit, SteihaugParams, Truncation};
use crate::linalg::masked::{Masked, MaskedPreconditioner};
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::{for_blocks, tree_sum, Par};
use crate::linalg::precond::Preconditioner;
use crate::problem::bounds::Bounds;
use crate::solvers::config::TronConfig;
use crate::solvers::state::Run;

/// What the Newton phase works with at one iteration: the Hessian at x,
/// the preconditioner (masked to each face), the box, the radius and the
/// CG and face caps.
pub(super) struct Phase<'a, H: ?Sized> {
    pub config: &'a TronConfig,
    pub h: &'a H,
    pub precond: Option<&'a dyn Preconditioner>,
    pub bounds: &'a Bounds,
    pub radius: f64,
    pub cg_cap: usize,
    pub max_faces: usize,
    /// IC(0) of H(F,F), refactored for each face, instead of `precond`
    /// ([`crate::Preconditioning::Ic0`]).
    pub face_ic0: Option<&'a RefCell<FaceIc0>>,
}

/// What the Newton phase of one iteration did.
#[derive(Debug, Clone, Copy)]
pub(super) struct NewtonPhase {
    pub q: f64,
    pub gts: f64,
    pub faces: usize,
    pub cg_iterations: u64,
    pub cg_products: u64,
    pub search_products: u64,
    pub release_products: u64,
    pub release_rounds: usize,
    pub on_boundary: bool,
    pub last_exit: Option<KrylovExit>,
}

/// Why the face steps of [`newton_phase`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaceEnd {
    /// The face is solved (or has no free variable): a release round may
    /// follow.
    Solved,
    /// CG ended on the region's boundary, on negative curvature, on its cap
    /// or a budget: the phase ends.
    Final,
}

/// Step 2 of the module documentation: CG on the faces from x_k =
/// `w.xk` with the Cauchy step `cs` in `w.s`, `w.hs`, then release rounds.
pub(super) fn newton_phase<H: LinearOperator + ?Sized>(
    ph: &Phase<'_, H>,
    run: &mut Run<'_>,
    w: &mut Work,
    cs: CauchyStep,
) -> NewtonPhase {
    let &Phase {
        config: c,
        h,
        bounds,
        radius,
        ..
    } = ph;
    let mut np = NewtonPhase {
        q: cs.q,
        gts: cs.gts,
        faces: 0,
        cg_iterations: 0,
        cg_products: 0,
        search_products: 0,
        release_products: 0,
        release_rounds: 0,
        on_boundary: false,
        last_exit: None,
    };
    // The model value before the current round (Cauchy step and faces).
    let mut q_round = 0.0;
    loop {
        let end = face_steps(ph, run, w, &mut np);
        let round_worth = release_round_worth(q_round - np.q, -np.q);
        q_round = np.q;
        if end == FaceEnd::Final
            || !round_worth
            || np.release_rounds >= c.release_rounds
            || run.hvps_left() == 0
            || run.time_up()
        {
            break;
        }
        // The full model gradient r = g + H·s at x_k (one product: the
        // face steps keep only the face part of Hs up to date).
        for_blocks(
            c.par,
            (w.w.view_mut(), w.xk.view(), run.state.x.view()),
            |(mut s, xk, x)| {
                Zip::from(&mut s)
                    .and(&xk)
                    .and(&x)
                    .for_each(|s, &xk, &x| *s = xk - x);
            },
        );
        h.apply(w.w.view(), w.hs.view_mut());
        np.release_products += 1;
        run.counts.hvps += 1;
        for_blocks(
            c.par,
            (w.rk.view_mut(), run.state.g.view(), w.hs.view()),
            |(mut r, g, hs)| {
                Zip::from(&mut r)
                    .and(&g)
                    .and(&hs)
                    .for_each(|r, &g, &hs| *r = g + hs);
            },
        );
        if releasable(w.xk.view(), w.rk.view_mut(), bounds) == 0 {
            break;
        }
        // A projected Cauchy step on the model from x_k along −r.
        let rs = cauchy_step(
            c.par,
            h,
            bounds,
            w.xk.view(),
            w.rk.view(),
            radius,
            cs.alpha,
            &mut w.sk,
            &mut w.hsk,
            &mut w.a,
            &mut w.b,
        );
        np.release_products += rs.products;
        run.counts.hvps += rs.products;
        if !rs.found {
            break;
        }
        np.release_rounds += 1;
        np.q += rs.q;
        np.gts += dot(c.par, run.state.g.view(), w.sk.view());
        add_step_exact_in_place(c.par, w.xk.view_mut(), w.sk.view(), bounds);
        add_assign(c.par, w.hs.view_mut(), w.hsk.view());
    }
    np
}

/// The face steps (MINPACK-2 `dspcg`'s loop) from x_k = `w.xk` with
/// H·(x_k − x) in `w.hs` (face part), adding to `np`.
fn face_steps<H: LinearOperator + ?Sized>(
    ph: &Phase<'_, H>,
    run: &mut Run<'_>,
    w: &mut Work,
    np: &mut NewtonPhase,
) -> FaceEnd {
    let &Phase {
        config: c,
        h,
        precond,
        bounds,
        radius,
        cg_cap,
        max_faces,
        ..
    } = ph;
    loop {
        if np.faces >= max_faces || run.time_up() {
            return FaceEnd::Final;
        }
        let nfree = bounds.free_mask(w.xk.view(), w.mask.view_mut());
        if nfree == 0 {
            return FaceEnd::Solved;
        }
        // r_k = D(g + Hs); ‖g_F‖ at the outer point.
        let lanes = (
            w.rk.view_mut(),
            run.state.g.view(),
            w.hs.view(),
            w.mask.view(),
        );
        let gf2 = tree_sum(c.par, lanes, |(mut rk, g, hs, mask)| {
            let mut gf2 = 0.0;
            Zip::from(&mut rk)
                .and(&g)
                .and(&hs)
                .and(&mask)
                .for_each(|r, &g, &hs, &m| {
                    if m == 0.0 {
                        *r = 0.0;
                    } else {
                        *r = g + hs;
                        gf2 += g * g;
                    }
                });
            gf2
        });
        let tol = c.cg_tol * gf2.sqrt();
        let rnorm = norm(c.par, w.rk.view());
        if !rnorm.is_finite() {
            return FaceEnd::Final;
        }
        if rnorm <= tol {
            return FaceEnd::Solved;
        }
        let left = usize::try_from(run.hvps_left()).unwrap_or(usize::MAX);
        if left == 0 {
            return FaceEnd::Final;
        }
        let params = SteihaugParams {
            truncation: Truncation::TrustRegion { radius },
            eta: tol / rnorm,
            max_iter: cg_cap.min(left),
            curvature_eps: f64::EPSILON,
            deadline: run.deadline,
        };
        // r_k is 0 off the face, so every CG direction and the search's
        // steps are too: no copy D·v per product.
        let op = Masked::on_face(h, w.mask.view()).with_par(c.par);
        let face_guard;
        // IC(0) in the operator's own structure: exactly 0 off the face,
        // so it needs no mask passes around it.
        let own_ic0 = ph
            .face_ic0
            .and_then(|cell| h.face_ic0(w.mask.view(), cell.borrow().relax()));
        let precond = match ph.face_ic0 {
            _ if own_ic0.is_some() => None,
            Some(cell) => {
                cell.borrow_mut().factor_face(h, w.mask.view());
                face_guard = cell.borrow();
                face_guard.current()
            }
            None => precond,
        };
        let mp = precond
            .map(|m| MaskedPreconditioner::new(m, w.mask.view(), &w.pscratch).with_par(c.par));
        let info = steihaug_trial(
            &op,
            own_ic0
                .as_deref()
                .or(mp.as_ref().map(|m| m as &dyn Preconditioner)),
            w.rk.view(),
            &params,
            &mut w.ws,
            w.w.view_mut(),
            None,
        );
        np.faces += 1;
        np.cg_iterations += info.iterations as u64;
        np.cg_products += info.iterations as u64;
        run.counts.hvps += info.iterations as u64;
        run.counts.krylov_iterations += info.iterations as u64;
        np.last_exit = Some(info.exit);
        if info.step_norm == 0.0 || !info.step_norm.is_finite() {
            return FaceEnd::Final;
        }
        // H w on the face: r_CG = −(r_k + DHDw).
        let lanes = (w.hw.view_mut(), w.ws.r.view(), w.rk.view(), w.mask.view());
        for_blocks(c.par, lanes, |(mut hw, r, rk, mask)| {
            Zip::from(&mut hw)
                .and(&r)
                .and(&rk)
                .and(&mask)
                .for_each(|hw, &r, &rk, &m| *hw = if m == 0.0 { 0.0 } else { -(r + rk) });
        });
        let ss = projected_search(
            c.par,
            &op,
            bounds,
            w.xk.view(),
            w.rk.view(),
            w.w.view(),
            w.hw.view(),
            &mut w.sk,
            &mut w.hsk,
        );
        np.search_products += ss.products;
        run.counts.hvps += ss.products;
        // q(s + s_k) = q(s) + r_kᵀs_k + ½s_kᵀHs_k; s_k lives on F.
        let dq = dot(c.par, w.rk.view(), w.sk.view()) + 0.5 * dot(c.par, w.sk.view(), w.hsk.view());
        np.q += dq;
        np.gts += dot(c.par, run.state.g.view(), w.sk.view());
        // x_k ← x_k + s_k (exactly at the bounds met), Hs += Hs_k.
        add_step_exact_in_place(c.par, w.xk.view_mut(), w.sk.view(), bounds);
        add_assign(c.par, w.hs.view_mut(), w.hsk.view());
        if info.on_boundary || info.exit == KrylovExit::NegativeCurvature {
            np.on_boundary = info.on_boundary;
            return FaceEnd::Final;
        }
        if !matches!(info.exit, KrylovExit::Converged | KrylovExit::MaxIterations) {
            return FaceEnd::Final;
        }
    }
}

/// y ← y + x over the blocks of [`for_blocks`].
fn add_assign(par: Par, y: ndarray::ArrayViewMut1<'_, f64>, x: ndarray::ArrayView1<'_, f64>) {
    for_blocks(par, (y, x), |(mut y, x)| y += &x);
}
