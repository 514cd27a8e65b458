//! Truncated conjugate gradients (Steihaug 1983; Toint 1981).
//!
//! Minimizes `m(p) = gᵀp + ½pᵀHp` approximately by (preconditioned) CG from
//! p = 0, and stops at the first of:
//! * `‖r‖ ≤ η‖g‖` with `r = −(g + Hp)` — the inexact-Newton rule
//!   (Dembo, Eisenstat & Steihaug 1982; Nocedal & Wright 2006, §7.1);
//! * `dᵀHd ≤ ε·‖d‖²_M` — negative or zero curvature; in trust-region mode the
//!   step goes to the boundary along d, to whichever of the two boundary
//!   points has the lower model value (Nocedal & Wright, Algorithm 7.2);
//!   in line-search mode the current iterate is returned, or the
//!   (preconditioned) steepest-descent direction at the first iteration
//!   (N&W Algorithm 7.1);
//! * the next iterate would leave the trust region `‖p‖_M ≤ Δ`: the step is
//!   cut at the boundary (positive root);
//! * the iteration cap, a deadline, a non-finite product or scalar, or an
//!   indefinite preconditioner.
//!
//! Costs and numerics (`reference/pitfalls.md`):
//! * exactly **one Hessian-vector product per iteration**; the predicted
//!   reduction `−m(p) = ½ pᵀ(r − g)` comes from CG quantities (§13);
//! * `‖p‖_M²`, `pᵀMd` and `‖d‖_M²` are kept by the recurrences of Gould,
//!   Lucidi, Roma & Toint (1999), so the M-norm needs no products with M
//!   (§9); without a preconditioner M = I;
//! * boundary roots use the cancellation-free quadratic formula (§7);
//! * the boundary is reported by an explicit flag, never by comparing ‖p‖
//!   with Δ (§3);
//! * the curvature test is scaled by ‖d‖²_M (§10);
//! * the loop has a cap (§11);
//! * the vector passes are fused over cache-sized blocks: the set-up
//!   (p = 0, r = −g, d = r, ‖g‖²), the exit (pᵀr, pᵀg, pᵀp) and the
//!   boundary coefficients (dᵀd, pᵀd, pᵀp) are one pass each, and the p/r
//!   update takes ‖r‖² from the block it has just written
//!   (`docs/benchmarks.md`: at large n the solver is memory-bound).
//!
//! No allocation: all vectors live in a [`CgWorkspace`] made once per solve.

use std::time::Instant;

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Axis, Zip};

use crate::operator::LinearOperator;
use crate::precond::Preconditioner;
use crate::status::CgExit;

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
    /// Stop (with [`CgExit::TimeLimit`]) once this instant has passed.
    pub deadline: Option<Instant>,
}

/// What one inner solve did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CgInfo {
    /// Why it stopped.
    pub exit: CgExit,
    /// CG iterations performed (= Hessian-vector products).
    pub iterations: usize,
    /// Whether the step was placed on the trust-region boundary.
    pub on_boundary: bool,
    /// Predicted reduction `−m(p) = −(gᵀp + ½pᵀHp)`, from CG quantities.
    pub pred: f64,
    /// `‖p‖_M` (Euclidean norm without a preconditioner), from the
    /// recurrences.
    pub step_norm_m: f64,
}

/// Work vectors for [`steihaug`], allocated once and reused.
#[derive(Debug, Clone)]
pub struct CgWorkspace {
    r: Array1<f64>,
    z: Array1<f64>,
    d: Array1<f64>,
    hd: Array1<f64>,
}

impl CgWorkspace {
    /// Workspace for dimension n (four n-vectors).
    pub fn new(n: usize) -> Self {
        Self {
            r: Array1::zeros(n),
            z: Array1::zeros(n),
            d: Array1::zeros(n),
            hd: Array1::zeros(n),
        }
    }

    /// The dimension it was made for.
    pub fn dim(&self) -> usize {
        self.r.len()
    }
}

/// Roots τ₋ ≤ 0 ≤ τ₊ of `a τ² + 2b τ + c = 0` with `a > 0`, `c ≤ 0`:
/// the steps along d from p to the sphere `‖p + τd‖_M = Δ`, where
/// `a = ‖d‖²_M`, `b = pᵀMd`, `c = ‖p‖²_M − Δ²`. Cancellation-free.
pub(crate) fn boundary_roots(a: f64, b: f64, c: f64) -> (f64, f64) {
    let c = c.min(0.0);
    let disc = (b * b - a * c).max(0.0).sqrt();
    if b >= 0.0 {
        let q = b + disc; // ≥ 0, no cancellation
        let plus = if q > 0.0 { -c / q } else { 0.0 };
        (-q / a, plus)
    } else {
        let q = b - disc; // < 0, no cancellation
        (-c / q, -q / a)
    }
}

/// Runs truncated CG on `H p = −g` and writes the step into `p`.
///
/// `h`, `g`, `p` and the workspace must have the same dimension (the solvers
/// check this once up front; a mismatch here is a programming error inside
/// the crate and panics in ndarray).
pub fn steihaug<A: LinearOperator + ?Sized>(
    h: &A,
    precond: Option<&dyn Preconditioner>,
    g: ArrayView1<'_, f64>,
    params: &SteihaugParams,
    ws: &mut CgWorkspace,
    mut p: ArrayViewMut1<'_, f64>,
) -> CgInfo {
    let CgWorkspace { r, z, d, hd } = ws;
    let radius = match params.truncation {
        Truncation::TrustRegion { radius } => radius,
        Truncation::LineSearch => f64::INFINITY,
    };
    let trust_region = matches!(params.truncation, Truncation::TrustRegion { .. });

    // p = 0, r = −g, and d = r without a preconditioner; ‖g‖². One pass.
    let gnorm2 = start_pass(&mut p, r, precond.is_none().then_some(&mut *d), g);
    let gnorm = gnorm2.sqrt();
    let mut info = CgInfo {
        exit: CgExit::Converged,
        iterations: 0,
        on_boundary: false,
        pred: 0.0,
        step_norm_m: 0.0,
    };
    if gnorm == 0.0 || !gnorm.is_finite() {
        if !gnorm.is_finite() {
            info.exit = CgExit::NonFinite;
        }
        return info;
    }
    let tol2 = (params.eta * gnorm).powi(2);

    // z = M⁻¹ r, d = z
    let mut rz = match precond {
        Some(m) => {
            m.apply(r.view(), z.view_mut());
            r.dot(&*z)
        }
        None => gnorm2,
    };
    if !(rz > 0.0 && rz.is_finite()) {
        info.exit = CgExit::IndefinitePreconditioner;
        return info;
    }
    if precond.is_some() {
        d.assign(&*z);
    }

    let mut p_mp = 0.0f64; // ‖p‖²_M
    let mut p_md = 0.0f64; // pᵀMd
    let mut d_md = rz; // ‖d‖²_M

    let mut k = 0usize;
    let exit = loop {
        if k >= params.max_iter {
            break CgExit::MaxIterations;
        }
        if let Some(t) = params.deadline {
            if Instant::now() >= t {
                break CgExit::TimeLimit;
            }
        }
        h.apply(d.view(), hd.view_mut());
        k += 1;
        let d_hd = d.dot(&*hd);
        if !d_hd.is_finite() {
            break CgExit::NonFinite;
        }

        if d_hd <= params.curvature_eps * d_md {
            // Negative or zero curvature along d.
            if trust_region {
                let (a, b, c) = boundary_coefficients(precond, &p, d, (d_md, p_md, p_mp), radius);
                let (tm, tp) = boundary_roots(a, b, c);
                // m(p + τd) − m(p) = −τ rᵀd + ½τ² dᵀHd; pick the lower one.
                let rd = r.dot(&*d);
                let dm = |t: f64| -t * rd + 0.5 * t * t * d_hd;
                let tau = if dm(tm) < dm(tp) { tm } else { tp };
                step(&mut p, r, d, hd, tau);
                p_mp = radius * radius;
                info.on_boundary = true;
            } else if k == 1 {
                // Steepest descent (preconditioned): p = d = M⁻¹(−g).
                p.assign(&*d);
                p_mp = d_md;
                Zip::from(&mut *r).and(&*hd).for_each(|r, &hd| *r -= hd);
            }
            break CgExit::NegativeCurvature;
        }

        let alpha = rz / d_hd;
        let p_mp_next = p_mp + 2.0 * alpha * p_md + alpha * alpha * d_md;
        if trust_region && p_mp_next >= radius * radius {
            let (a, b, c) = boundary_coefficients(precond, &p, d, (d_md, p_md, p_mp), radius);
            let (_, tp) = boundary_roots(a, b, c);
            step(&mut p, r, d, hd, tp);
            p_mp = radius * radius;
            info.on_boundary = true;
            break CgExit::Boundary;
        }

        let rr = step(&mut p, r, d, hd, alpha);
        p_mp = p_mp_next;
        if !rr.is_finite() {
            break CgExit::NonFinite;
        }
        if rr <= tol2 {
            break CgExit::Converged;
        }

        let rz_next = match precond {
            Some(m) => {
                m.apply(r.view(), z.view_mut());
                r.dot(&*z)
            }
            None => rr,
        };
        if !(rz_next > 0.0 && rz_next.is_finite()) {
            break CgExit::IndefinitePreconditioner;
        }
        let beta = rz_next / rz;
        match precond {
            Some(_) => Zip::from(&mut *d)
                .and(&*z)
                .for_each(|d, &z| *d = z + beta * *d),
            None => Zip::from(&mut *d)
                .and(&*r)
                .for_each(|d, &r| *d = r + beta * *d),
        }
        p_md = beta * (p_md + alpha * d_md);
        d_md = rz_next + beta * beta * d_md;
        rz = rz_next;
    };

    info.exit = exit;
    info.iterations = k;
    if exit == CgExit::NonFinite {
        // The last update may have polluted p and r: nothing is trusted; the
        // caller sees a zero step and shrinks its radius.
        if !p.iter().all(|v| v.is_finite()) || !r.iter().all(|v| v.is_finite()) {
            p.fill(0.0);
            p_mp = 0.0;
            Zip::from(&mut *r).and(&g).for_each(|r, &g| *r = -g);
        }
    }
    // −m(p) = ½ pᵀ(r − g) with r = −(g + Hp).
    let (pr, pg, pp) = exit_dots(p.view(), r.view(), g);
    info.pred = 0.5 * (pr - pg);
    info.step_norm_m = match precond {
        // M = I: the true norm, one dot product per solve.
        None => pp.sqrt(),
        Some(_) => p_mp.max(0.0).sqrt(),
    };
    info
}

/// Coefficients `(‖d‖²_M, pᵀMd, ‖p‖²_M − Δ²)` of the boundary equation
/// `‖p + τd‖_M = Δ`. Without a preconditioner they are computed from the
/// vectors (three dot products, once per solve): the scalar recurrences
/// assume the CG orthogonality `pᵀr_{k+1} = 0`, which round-off erodes on
/// long runs with an ill-conditioned or indefinite H, and a step placed on
/// the boundary with drifted coefficients lands off it (relative errors up
/// to 1e-5 were seen in `tests/properties.rs`). With a preconditioner only
/// M⁻¹ is available, so the recurrences (`recurrence` = `(d_md, p_md,
/// p_mp)`) are used.
fn boundary_coefficients(
    precond: Option<&dyn Preconditioner>,
    p: &ArrayViewMut1<'_, f64>,
    d: &Array1<f64>,
    recurrence: (f64, f64, f64),
    radius: f64,
) -> (f64, f64, f64) {
    match precond {
        None => {
            let (dd, pd, pp) = boundary_dots(p.view(), d.view());
            (dd, pd, pp - radius * radius)
        }
        Some(_) => {
            let (d_md, p_md, p_mp) = recurrence;
            (d_md, p_md, p_mp - radius * radius)
        }
    }
}

/// Block length of the fused passes: the blocks of the vectors involved
/// stay in cache between the element-wise update and the reductions over
/// them, so a fused pass reads and writes each vector once from memory
/// (`docs/benchmarks.md`: at large n the solver is memory-bound).
const BLOCK: usize = 2048;

/// `p ← 0`, `r ← −g`, and `d ← −g` when given; returns ‖g‖².
fn start_pass(
    p: &mut ArrayViewMut1<'_, f64>,
    r: &mut Array1<f64>,
    d: Option<&mut Array1<f64>>,
    g: ArrayView1<'_, f64>,
) -> f64 {
    let mut gg = 0.0;
    let blocks = p
        .axis_chunks_iter_mut(Axis(0), BLOCK)
        .zip(r.axis_chunks_iter_mut(Axis(0), BLOCK))
        .zip(g.axis_chunks_iter(Axis(0), BLOCK));
    match d {
        Some(d) => {
            for (((mut pb, mut rb), gb), mut db) in
                blocks.zip(d.axis_chunks_iter_mut(Axis(0), BLOCK))
            {
                pb.fill(0.0);
                Zip::from(&mut rb)
                    .and(&mut db)
                    .and(&gb)
                    .for_each(|r, d, &g| {
                        *r = -g;
                        *d = -g;
                    });
                gg += gb.dot(&gb);
            }
        }
        None => {
            for ((mut pb, mut rb), gb) in blocks {
                pb.fill(0.0);
                Zip::from(&mut rb).and(&gb).for_each(|r, &g| *r = -g);
                gg += gb.dot(&gb);
            }
        }
    }
    gg
}

/// `(pᵀr, pᵀg, pᵀp)` in one pass.
fn exit_dots(
    p: ArrayView1<'_, f64>,
    r: ArrayView1<'_, f64>,
    g: ArrayView1<'_, f64>,
) -> (f64, f64, f64) {
    let (mut pr, mut pg, mut pp) = (0.0, 0.0, 0.0);
    for ((pb, rb), gb) in p
        .axis_chunks_iter(Axis(0), BLOCK)
        .zip(r.axis_chunks_iter(Axis(0), BLOCK))
        .zip(g.axis_chunks_iter(Axis(0), BLOCK))
    {
        pr += pb.dot(&rb);
        pg += pb.dot(&gb);
        pp += pb.dot(&pb);
    }
    (pr, pg, pp)
}

/// `(dᵀd, pᵀd, pᵀp)` in one pass.
fn boundary_dots(p: ArrayView1<'_, f64>, d: ArrayView1<'_, f64>) -> (f64, f64, f64) {
    let (mut dd, mut pd, mut pp) = (0.0, 0.0, 0.0);
    for (pb, db) in p
        .axis_chunks_iter(Axis(0), BLOCK)
        .zip(d.axis_chunks_iter(Axis(0), BLOCK))
    {
        dd += db.dot(&db);
        pd += pb.dot(&db);
        pp += pb.dot(&pb);
    }
    (dd, pd, pp)
}

/// `p ← p + τd`, `r ← r − τHd`; returns the new ‖r‖².
fn step(
    p: &mut ArrayViewMut1<'_, f64>,
    r: &mut Array1<f64>,
    d: &Array1<f64>,
    hd: &Array1<f64>,
    tau: f64,
) -> f64 {
    let mut rr = 0.0;
    for (((pb, mut rb), db), hb) in p
        .axis_chunks_iter_mut(Axis(0), BLOCK)
        .zip(r.axis_chunks_iter_mut(Axis(0), BLOCK))
        .zip(d.axis_chunks_iter(Axis(0), BLOCK))
        .zip(hd.axis_chunks_iter(Axis(0), BLOCK))
    {
        Zip::from(pb)
            .and(&mut rb)
            .and(&db)
            .and(&hb)
            .for_each(|p, r, &d, &hd| {
                *p += tau * d;
                *r -= tau * hd;
            });
        rr += rb.dot(&rb);
    }
    rr
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn roots_are_accurate_and_ordered() {
        // ‖p + τd‖² = Δ² with p = (0.5, 0), d = (1, 0), Δ = 1: τ = 0.5 and −1.5
        let (tm, tp) = boundary_roots(1.0, 0.5, 0.25 - 1.0);
        assert!((tp - 0.5).abs() < 1e-15 && (tm + 1.5).abs() < 1e-15);
        let (tm, tp) = boundary_roots(1.0, -0.5, 0.25 - 1.0);
        assert!((tp - 1.5).abs() < 1e-15 && (tm + 0.5).abs() < 1e-15);
        // Tiny c: no cancellation in the small root.
        let (_, tp) = boundary_roots(1.0, 1e8, -1e-8);
        assert!((tp - 5e-17).abs() < 1e-30);
    }

    #[test]
    fn zero_gradient_gives_zero_step_without_products() {
        let h = array![[2.0, 0.0], [0.0, 3.0]];
        let mut ws = CgWorkspace::new(2);
        let mut p = array![1.0, 1.0];
        let params = SteihaugParams {
            truncation: Truncation::TrustRegion { radius: 1.0 },
            eta: 0.1,
            max_iter: 10,
            curvature_eps: f64::EPSILON,
            deadline: None,
        };
        let info = steihaug(
            &h,
            None,
            array![0.0, 0.0].view(),
            &params,
            &mut ws,
            p.view_mut(),
        );
        assert_eq!(info.iterations, 0);
        assert_eq!(info.exit, CgExit::Converged);
        assert_eq!(p, array![0.0, 0.0]);
    }
}
