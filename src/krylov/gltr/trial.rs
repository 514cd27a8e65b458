//! One GLTR solve on split workspaces: pass 1 (the Steihaug phase, then
//! the Lanczos phase), the re-solve of a kept record, and the step's
//! final accounting.

use std::time::Instant;

use ndarray::{ArrayView1, ArrayViewMut1};

use super::params::*;
use super::passes::*;
use super::record::*;
use crate::krylov::energy::{energy_converged, EnergyTail};
use crate::krylov::params::KrylovWorkspace;
use crate::krylov::tridiag::leftmost_eigenvalue;
use crate::krylov::KrylovExit;
use crate::linalg::operator::LinearOperator;
use crate::linalg::par::Partials;
use crate::linalg::precond::Preconditioner;
use crate::linalg::vecops;

/// [`gltr()`](crate::krylov::gltr()) on split workspaces, and, when `trial = Some((x, out))`,
/// also `out ← x + p` in the final pass (the trust-region trial point).
#[allow(clippy::too_many_arguments)]
pub(crate) fn gltr_trial<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    vectors: &mut KrylovWorkspace,
    rec: &mut GltrRecord,
    mut s: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> GltrInfo {
    let KrylovWorkspace {
        r,
        z,
        d,
        hd,
        partials: k,
    } = vectors;
    rec.clear();
    let radius = params.radius;
    let mut info = GltrInfo::empty();

    // Set-up: r = g, s = 0, z = M⁻¹r, p = −z.
    let gnorm2 = copy_and_zero(k, r, s.view_mut(), g);
    if gnorm2 == 0.0 || !gnorm2.is_finite() {
        if !gnorm2.is_finite() {
            info.exit = KrylovExit::NonFinite;
        }
        zero_step(k, s, trial);
        return info;
    }
    let mut rz = match precond {
        Some(m) => {
            m.apply(r.view(), z.view_mut());
            dot(k, r.view(), z.view())
        }
        None => gnorm2,
    };
    if !(rz > 0.0 && rz.is_finite()) {
        info.exit = KrylovExit::IndefinitePreconditioner;
        zero_step(k, s, trial);
        return info;
    }
    {
        let zsrc = if precond.is_some() { &*z } else { &*r };
        negate(k, d, zsrc);
    }
    rec.gamma0 = rz.sqrt();
    rec.rho.push(rz);
    let tol = params.eta * rec.gamma0;

    let mut lanczos = false;
    let mut s_mp = 0.0f64; // ‖s‖²_M
    let mut s_md = 0.0f64; // sᵀMp
    let mut d_md = rz; // ‖p‖²_M
    let mut q_cg = 0.0f64; // q(s) of the CG iterate (Steihaug phase)
    let mut q_fallback = 0.0f64; // q of the Steihaug boundary point
    let mut solved = 0usize; // the k of the last tridiagonal solve
    let mut last = None;
    let mut energy = EnergyTail::default();
    let exit = loop {
        let kk = rec.dim();
        if kk >= params.max_iter {
            break KrylovExit::MaxIterations;
        }
        if let Some(t) = params.deadline {
            if Instant::now() >= t {
                break KrylovExit::TimeLimit;
            }
        }
        if lanczos {
            if info.lanczos_iterations >= params.max_lanczos {
                break KrylovExit::LanczosLimit;
            }
            // One more product, and pass 2 with (kk + 1) − 1 products.
            if (kk + 1).saturating_add(kk) > params.max_products {
                break KrylovExit::MaxIterations;
            }
        } else if kk + 1 > params.max_products {
            break KrylovExit::MaxIterations;
        }
        h.apply(d.view(), hd.view_mut());
        info.iterations += 1;
        let php = dot(k, d.view(), hd.view());
        if !php.is_finite() {
            break KrylovExit::NonFinite;
        }
        let curvature = php <= params.curvature_eps * d_md;
        info.negative_curvature |= curvature;
        // T's new diagonal entry 1/α_j + β_{j−1}/α_{j−1}.
        let inv_alpha = php / rz;
        let prev = if kk > 0 {
            (rec.rho[kk] / rec.rho[kk - 1]) / rec.alpha[kk - 1]
        } else {
            0.0
        };
        if php == 0.0 {
            // CG breakdown: T_{k+1} is known, the recurrence cannot go on.
            rec.diag.push(prev);
            if !lanczos {
                let tau = boundary_step(s_mp, s_md, d_md, radius, rz, php);
                axpy(k, s.view_mut(), d, tau);
                q_fallback = q_cg - tau * rz;
                lanczos = true;
            }
            break KrylovExit::NegativeCurvature;
        }
        let alpha = rz / php;
        if lanczos {
            info.lanczos_iterations += 1;
            axpy(k, r.view_mut(), hd, alpha);
        } else if curvature || s_mp + 2.0 * alpha * s_md + alpha * alpha * d_md >= radius * radius {
            // The end of the Steihaug phase: keep the Steihaug boundary
            // point in s as a fallback, and go on with Lanczos.
            let tau = boundary_step(s_mp, s_md, d_md, radius, rz, php);
            axpy(k, s.view_mut(), d, tau);
            q_fallback = q_cg - tau * rz + 0.5 * tau * tau * php;
            axpy(k, r.view_mut(), hd, alpha);
            lanczos = true;
        } else {
            update(k, s.view_mut(), r, d, hd, alpha);
            q_cg -= 0.5 * alpha * rz;
            energy.push(0.5 * alpha * rz);
            s_mp += 2.0 * alpha * s_md + alpha * alpha * d_md;
        }
        rec.alpha.push(alpha);
        rec.diag.push(inv_alpha + prev);
        let rz_next = match precond {
            Some(m) => {
                m.apply(r.view(), z.view_mut());
                dot(k, r.view(), z.view())
            }
            None => dot(k, r.view(), r.view()),
        };
        if !rz_next.is_finite() {
            break KrylovExit::NonFinite;
        }
        if rz_next < 0.0 {
            break KrylovExit::IndefinitePreconditioner;
        }
        let beta = rz_next / rz;
        rec.off.push(beta.sqrt() * inv_alpha.abs());
        rec.rho.push(rz_next);
        let kk = rec.dim();
        {
            let zsrc = if precond.is_some() { &*z } else { &*r };
            direction(k, d, zsrc, beta);
        }
        s_md = beta * (s_md + alpha * d_md);
        d_md = rz_next + beta * beta * d_md;
        rz = rz_next;
        if !lanczos {
            info.lagrangian_norm = rz.sqrt();
            if rz.sqrt() <= tol || energy_converged(&energy, params.energy_tol) {
                break KrylovExit::Converged;
            }
        } else {
            let (sol, test) = rec.solve(kk, radius);
            solved = kk;
            last = Some(sol);
            info.lagrangian_norm = test;
            if test <= tol || rz == 0.0 {
                break KrylovExit::Converged;
            }
        }
    };
    info.exit = exit;
    if !info.negative_curvature {
        info.energy_tail = energy.tail();
        info.energy_steps = energy.steps();
        info.energy_total = energy.total();
    }
    let kdim = rec.dim();
    info.dimension = kdim;
    if kdim > 0 {
        info.leftmost = Some(leftmost_eigenvalue(&rec.diag[..kdim], &rec.off[..kdim - 1]));
    }
    rec.valid = kdim > 0;

    if !lanczos {
        // The CG iterate is the solution (as in Steihaug's CG).
        if kdim == 0
            || (exit == KrylovExit::NonFinite
                && !(vecops::all_finite(s.view()) && vecops::all_finite(r.view())))
        {
            zero_step(k, s, trial);
            return info;
        }
        let [sr, sg, ss] = exit_pass(k, s.view(), r.view(), g, trial);
        // q(s) = ½(gᵀs + sᵀr) with r = g + Hs.
        info.pred = -0.5 * (sg + sr);
        info.grad_dot_step = sg;
        info.step_norm = vecops::norm_from_squares(ss, s.view());
        info.step_norm_m = match precond {
            None => ss.sqrt(),
            Some(_) => s_mp.max(0.0).sqrt(),
        };
        return info;
    }

    // The Lanczos phase: the solution of T_k, recovered by pass 2.
    let sol = if solved == kdim {
        last
    } else {
        Some(rec.solve(kdim, radius).0)
    };
    let sol = sol.filter(|s| s.model.is_finite() && s.norm.is_finite());
    let room = params.max_products.saturating_sub(info.iterations);
    match sol {
        Some(sol) if kdim - 1 <= room => {
            info.pass2_iterations = pass2(h, precond, g, r, z, d, hd, k, rec, kdim, s.view_mut());
            finish_lanczos(
                &mut info,
                &sol,
                k,
                s.view_mut(),
                g,
                trial,
                radius,
                precond.is_some(),
            );
        }
        _ => {
            // No room for pass 2, or the tridiagonal solve failed: the
            // Steihaug boundary point (kept in s).
            if exit != KrylovExit::NonFinite && exit != KrylovExit::TimeLimit {
                info.exit = KrylovExit::MaxIterations;
            }
            let [_, sg, ss] = exit_pass(k, s.view(), r.view(), g, trial);
            info.pred = -q_fallback;
            info.grad_dot_step = sg;
            info.step_norm = vecops::norm_from_squares(ss, s.view());
            info.step_norm_m = radius;
            info.on_boundary = true;
        }
    }
    info
}

/// The re-solve of [`gltr_resolve`](crate::krylov::gltr_resolve) on split workspaces (`None` when `g`
/// or M differ from the recorded pass 1).
#[allow(clippy::too_many_arguments)]
pub(crate) fn resolve_trial<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &GltrParams,
    vectors: &mut KrylovWorkspace,
    rec: &mut GltrRecord,
    mut s: ArrayViewMut1<'_, f64>,
    trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> Option<GltrInfo> {
    let KrylovWorkspace {
        r,
        z,
        d,
        hd,
        partials: k,
    } = vectors;
    let kdim = rec.dim();
    let mut info = GltrInfo::empty();
    info.dimension = kdim;
    info.leftmost = Some(leftmost_eigenvalue(&rec.diag[..kdim], &rec.off[..kdim - 1]));
    if kdim - 1 > params.max_products {
        info.exit = KrylovExit::MaxIterations;
        zero_step(k, s, trial);
        return Some(info);
    }
    // g and M: the same γ₀² = gᵀM⁻¹g, bit for bit.
    r.assign(&g);
    let rz0 = match precond {
        Some(m) => {
            m.apply(r.view(), z.view_mut());
            dot(k, r.view(), z.view())
        }
        None => dot(k, r.view(), r.view()),
    };
    if rz0.to_bits() != rec.rho[0].to_bits() {
        return None;
    }
    let (sol, test) = rec.solve(kdim, params.radius);
    if !(sol.model.is_finite() && sol.norm.is_finite()) {
        info.exit = KrylovExit::NonFinite;
        zero_step(k, s, trial);
        return Some(info);
    }
    info.lagrangian_norm = test;
    info.exit = if test <= params.eta * rec.gamma0 {
        KrylovExit::Converged
    } else {
        KrylovExit::LanczosLimit
    };
    info.pass2_iterations = pass2(h, precond, g, r, z, d, hd, k, rec, kdim, s.view_mut());
    finish_lanczos(
        &mut info,
        &sol,
        k,
        s.view_mut(),
        g,
        trial,
        params.radius,
        precond.is_some(),
    );
    Some(info)
}

/// Fills the info of a step `s = Q_k h` from the tridiagonal solution and
/// the final pass over s.
///
/// Without re-orthogonalization, Lanczos loses orthogonality once a Ritz
/// value converges (Paige 1976), which is exactly what the (nearly) hard
/// case provokes: h then leans on the converged eigenvector and
/// `‖Q_k h‖ ≠ ‖h‖`, so s can leave the region although `‖h‖ = Δ` (measured:
/// up to 2.2e-6 relative in the oracle test). Without a preconditioner the
/// true ‖s‖ is known from the exit pass; a step outside the region is
/// pulled back to its boundary ([`pull_back_factor`]) and its predicted
/// reduction rescaled with it ([`scaled_model`]). With a preconditioner
/// the M-norm of s is not computable without M itself, and the step is
/// left as recovered.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish_lanczos(
    info: &mut GltrInfo,
    sol: &crate::krylov::tridiag::TridiagSolution,
    k: &mut Partials,
    mut s: ArrayViewMut1<'_, f64>,
    g: ArrayView1<'_, f64>,
    mut trial: Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
    radius: f64,
    preconditioned: bool,
) {
    let [_, mut sg, mut ss] = exit_pass(k, s.view(), g, g, reborrow(&mut trial));
    let mut model = sol.model;
    let t = pull_back_factor(ss.sqrt(), radius);
    if !preconditioned && t < 1.0 {
        k.for_each(s.view_mut(), |mut s| s.mapv_inplace(|v| v * t));
        [_, sg, ss] = exit_pass(k, s.view(), g, g, reborrow(&mut trial));
        model = scaled_model(sol.model, sol.lambda, sol.norm, t);
    }
    info.pred = -model;
    info.grad_dot_step = sg;
    info.step_norm = vecops::norm_from_squares(ss, s.view());
    info.step_norm_m = if preconditioned {
        sol.norm
    } else {
        info.step_norm
    };
    info.multiplier = sol.lambda;
    info.hard_case = sol.hard_case;
    info.on_boundary = !sol.interior;
}

/// A shorter-lived copy of an optional trial-point request.
pub(super) fn reborrow<'a>(
    t: &'a mut Option<(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>)>,
) -> Option<(ArrayView1<'a, f64>, ArrayViewMut1<'a, f64>)> {
    t.as_mut().map(|(x, out)| (x.view(), out.view_mut()))
}

/// The factor `t = Δ/‖s‖` that brings a step just outside the region back
/// to its boundary, or 1 for a step inside it (or up to 4ε outside, which
/// is round-off in ‖s‖ itself).
pub(crate) fn pull_back_factor(step_norm: f64, radius: f64) -> f64 {
    if step_norm.is_finite() && step_norm > radius * (1.0 + 4.0 * f64::EPSILON) {
        radius / step_norm
    } else {
        1.0
    }
}

/// The model value `q(t·h)` of a scaled tridiagonal solution, from
/// `q(h)`, λ and ‖h‖ alone. With `(T + λI)h = −γ₀e₁`, the linear term is
/// `L = γ₀h₀ = −hᵀTh − λ‖h‖²`, so `B = ½hᵀTh = −q(h) − λ‖h‖²`,
/// `L = −2B − λ‖h‖²` and `q(th) = tL + t²B`.
pub(crate) fn scaled_model(model: f64, lambda: f64, h_norm: f64, t: f64) -> f64 {
    let lh2 = lambda * h_norm * h_norm;
    let b = -model - lh2;
    let l = -2.0 * b - lh2;
    t * l + t * t * b
}
