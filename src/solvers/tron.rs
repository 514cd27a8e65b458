//! TRON: a matrix-free projected trust-region Newton method for
//! min f(x) subject to l ≤ x ≤ u (Lin & Moré, "Newton's method for large
//! bound-constrained optimization problems", SIAM J. Optim. 9(4), 1999;
//! MINPACK-2 `dtron`, `dcauchy`, `dspcg`, `dprsrch`, `dgpstep`,
//! `dbreakpt`; `reference/bounds.md` §1).
//!
//! One outer iteration at x with g = ∇f(x), H = ∇²f(x), radius Δ and the
//! quadratic model q(s) = gᵀs + ½sᵀHs:
//! 1. **Projected Cauchy step** ([`cauchy_step`]): s(α) = P(x − αg) − x with
//!    α accepted when ‖s(α)‖ ≤ μ₁Δ and q(s(α)) ≤ μ₀·gᵀs(α)
//!    ([`cauchy_acceptable`]); α starts from the last iteration's value,
//!    shrinks by 10 until a trial passes or grows by 10 while trials pass
//!    and α stays below the largest breakpoint. One product per trial.
//! 2. **Newton steps over faces**: from x_C = x + s_C, on the free set F of
//!    the current point, Steihaug CG ([`crate::krylov::steihaug()`]) on the
//!    masked operator D·H·D ([`crate::linalg::masked`]) with right-hand side
//!    (g + Hs)_F, radius Δ and tolerance `cg_tol·‖g_F‖`, followed by a
//!    projected search along the CG step ([`projected_search`]); repeated on
//!    the new face while the search added bounds and CG neither hit the
//!    region's boundary nor negative curvature. Only the face part of Hs is
//!    kept up to date (the free sets shrink, so that is all later faces and
//!    the model value need), and the model value q(s) is accumulated face by
//!    face.
//!
//!    **Release rounds** (not in MINPACK-2; [`crate::TronConfig`]
//!    `release_rounds`): `dspcg` only adds bounds, so an iteration frees
//!    only the variables whose gradient at x points into the box — on EPT
//!    that is one ring of nodes per iteration and the iteration count grows
//!    with the grid side. When the face steps end on a solved face, the full
//!    model gradient r = g + Hs (one product) is checked for active bounds
//!    it would release ([`releasable`]); if there are any, a projected
//!    Cauchy step on the model from that point along −r ([`cauchy_step`]
//!    with g replaced by r) frees them and the face steps continue, while
//!    each round decreases the model by more than 1% of the total
//!    ([`release_round_worth`]) — Moré & Toraldo's GPCG alternation
//!    (SIAM J. Optim. 1, 1991) inside the trust region.
//! 3. **Ratio and radius**: ρ = (f(x) − f(x + s))/(−q(s))
//!    ([`crate::solvers::ratio`]) and the radius update of
//!    [`crate::TronConfig`] `radius_rule` (default TAO's reduction update
//!    [`crate::solvers::radius::tao`]; Lin & Moré's is
//!    [`crate::solvers::radius::tron`]) on the step taken; a non-finite
//!    trial point gives ρ = −∞ and shrinks Δ.
//! 4. **Stopping**: ‖P∇f(x)‖₂ ≤ max(gtol_abs, gtol_rel·‖∇f(x₀)‖₂)
//!    ([`crate::TronConfig`]).
//!
//! Constants: μ₀ = 0.01, μ₁ = 1 ([`MU0`], [`MU1`]); factors 10 and ½ of the
//! Cauchy and projected searches; η and σ of the radius rule in
//! [`crate::solvers::radius`].

use std::cell::RefCell;

use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

use crate::error::{check_dim, Error, Result};
use crate::krylov::steihaug::steihaug_trial;
use crate::krylov::{KrylovExit, KrylovWorkspace, SteihaugParams, Truncation};
use crate::linalg::masked::{mask_in_place, Masked, MaskedPreconditioner};
use crate::linalg::operator::{check_square, LinearOperator};
use crate::linalg::precond::{Jacobi, Preconditioner};
use crate::problem::bounds::Bounds;
use crate::problem::objective::Objective;
use crate::report::bounds::{BoundsRecord, BoundsSummary};
use crate::report::method::Method;
use crate::report::observe::{no_callback, Callback};
use crate::report::status::Status;
use crate::report::Report;
use crate::solvers::config::{Preconditioning, TronConfig};
use crate::solvers::newton_cg::AmgSlot;
use crate::solvers::radius::{self, Trial};
use crate::solvers::ratio::{acceptable, reduction_ratio};
use crate::solvers::state::Run;

/// Sufficient-decrease constant of the Cauchy and projected searches.
pub const MU0: f64 = 0.01;
/// Radius factor of the Cauchy step: ‖s‖ ≤ μ₁Δ.
pub const MU1: f64 = 1.0;
/// The factor by which the Cauchy search shrinks or grows α.
pub const CAUCHY_FACTOR: f64 = 10.0;
/// The projected search halves t.
pub const SEARCH_FACTOR: f64 = 0.5;
/// The Cauchy search gives up below this α (√ of the smallest positive
/// subnormal, JSOSolvers' `:small_step` guard; MINPACK-2 has none).
pub const CAUCHY_ALPHA_MIN: f64 = 2.222_758_749_485_077e-162;

/// The bound-constrained trust-region Newton solver.
///
/// ```
/// use ndarray::array;
/// use steihaug::{Bounds, FnObjective, Tron};
/// // min Σ (x_i − 2)² on [0, 1]³: x* = (1, 1, 1), every bound binding.
/// let obj = FnObjective::new(
///     3,
///     |x, mut g| {
///         let mut f = 0.0;
///         for i in 0..3 { let d = x[i] - 2.0; f += d * d; g[i] = 2.0 * d; }
///         f
///     },
///     |_x, v, mut out| { for i in 0..3 { out[i] = 2.0 * v[i]; } },
/// );
/// let bounds = Bounds::uniform(3, 0.0, 1.0)?;
/// let r = Tron::default().solve(&obj, array![0.5, 0.5, 0.5].view(), &bounds)?;
/// assert!(r.status.is_converged());
/// assert_eq!(r.x, array![1.0, 1.0, 1.0]);
/// assert_eq!(r.bounds.unwrap().active.binding, 3);
/// # Ok::<(), steihaug::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Tron {
    config: TronConfig,
}

/// The outcome of the projected Cauchy search ([`cauchy_step`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CauchyStep {
    /// The accepted α.
    pub alpha: f64,
    /// q(s(α)) = gᵀs + ½sᵀHs.
    pub q: f64,
    /// gᵀs(α).
    pub gts: f64,
    /// Products used (one per trial).
    pub products: u64,
    /// Whether an acceptable α was found (false: α underflowed, or a
    /// product was not finite; s is then 0).
    pub found: bool,
    /// Whether a product was not finite.
    pub non_finite: bool,
}

/// The Cauchy conditions: ‖s‖ ≤ μ₁Δ and q(s) ≤ μ₀·gᵀs (Lin & Moré 1999,
/// eq. 2.4–2.5). NaN fails.
pub fn cauchy_acceptable(step_norm: f64, q: f64, gts: f64, radius: f64) -> bool {
    step_norm <= MU1 * radius && q <= MU0 * gts
}

/// The smallest and largest breakpoints t_i > 0 of x + t·w on the box
/// (MINPACK-2 `dbreakpt`): t_i = (u_i − x_i)/w_i for w_i > 0 and x_i < u_i,
/// (l_i − x_i)/w_i for w_i < 0 and x_i > l_i; infinite bounds give none.
/// `(+∞, 0)` when there is none (then the path never meets a bound;
/// `t_max = 0` means every component that moves is already blocked).
pub fn breakpoints(x: ArrayView1<'_, f64>, w: ArrayView1<'_, f64>, b: &Bounds) -> (f64, f64) {
    let (mut tmin, mut tmax) = (f64::INFINITY, 0.0f64);
    let mut unbounded_move = false;
    Zip::from(&x)
        .and(&w)
        .and(b.lower())
        .and(b.upper())
        .for_each(|&x, &w, &l, &u| {
            let t = breakpoint(x, w, l, u);
            if t.is_finite() {
                tmin = tmin.min(t);
                tmax = tmax.max(t);
            } else if t == f64::INFINITY {
                unbounded_move = true;
            }
        });
    if unbounded_move {
        tmax = f64::INFINITY;
    }
    (tmin, tmax)
}

/// The breakpoint of one component: +∞ when it moves without meeting a
/// bound, NaN when it does not move or is blocked already.
#[inline]
fn breakpoint(x: f64, w: f64, l: f64, u: f64) -> f64 {
    if w > 0.0 && x < u {
        (u - x) / w
    } else if w < 0.0 && x > l {
        (l - x) / w
    } else {
        f64::NAN
    }
}

/// The projected step s = P(x + t·w) − x (MINPACK-2 `dgpstep`), formed per
/// component as l_i − x_i, u_i − x_i or t·w_i, so that an unclipped
/// component carries no rounding. A component is clipped when its
/// breakpoint is at most t (the same test as [`breakpoints`], so that at
/// t = t_min the blocking bound is met exactly). Components already at a
/// bound and pointing out of the box give 0.
pub fn projected_step(
    x: ArrayView1<'_, f64>,
    t: f64,
    w: ArrayView1<'_, f64>,
    b: &Bounds,
    mut s: ArrayViewMut1<'_, f64>,
) {
    Zip::from(&mut s)
        .and(&x)
        .and(&w)
        .and(b.lower())
        .and(b.upper())
        .for_each(|s, &x, &w, &l, &u| {
            *s = if w > 0.0 {
                if x >= u {
                    0.0
                } else if (u - x) / w <= t {
                    u - x
                } else {
                    t * w
                }
            } else if w < 0.0 {
                if x <= l {
                    0.0
                } else if (l - x) / w <= t {
                    l - x
                } else {
                    t * w
                }
            } else {
                0.0
            };
        });
}

/// x₊ = x + s with the components that reach a bound set to the bound
/// itself (`reference/bounds.md` §3 rule 12).
#[allow(clippy::float_cmp)] // a step that ends on a bound lands on it exactly
pub fn add_step_exact(
    x: ArrayView1<'_, f64>,
    s: ArrayView1<'_, f64>,
    b: &Bounds,
    mut out: ArrayViewMut1<'_, f64>,
) {
    Zip::from(&mut out)
        .and(&x)
        .and(&s)
        .and(b.lower())
        .and(b.upper())
        .for_each(|o, &x, &s, &l, &u| {
            *o = if s != 0.0 && s == l - x {
                l
            } else if s != 0.0 && s == u - x {
                u
            } else {
                (x + s).clamp(l, u)
            };
        });
}

/// A release round continues only while the previous round (its projected
/// step and face steps; at first, the Cauchy step and the first faces)
/// decreased the model by more than this fraction of the total decrease so
/// far (Moré–Toraldo's GPCG stops its projected-gradient phase on a similar
/// relative test, with 1/4 against the largest single decrease).
pub const RELEASE_MIN_DECREASE: f64 = 0.01;

/// Whether another release round is worth its products: the last round's
/// model decrease `round_decrease` exceeds [`RELEASE_MIN_DECREASE`] times
/// `total_decrease`, the decrease of the whole step so far. NaN: no.
pub fn release_round_worth(round_decrease: f64, total_decrease: f64) -> bool {
    round_decrease > RELEASE_MIN_DECREASE * total_decrease
}

/// Inward model-gradient components at most this fraction of ‖r‖∞ do not
/// release a bound ([`releasable`]): at degenerate active bounds (g_i = 0,
/// as on the flat part of DMSO_C's plate) r_i is rounding or a small
/// coupling term, and releasing them would only blur the active set.
pub const RELEASE_REL_TOL: f64 = 1e-3;

/// The active bounds at x that the model gradient r = g + Hs releases:
/// x_i = l_i < u_i with r_i < −τ, or x_i = u_i > l_i with r_i > τ (−r
/// points into the box), τ = [`RELEASE_REL_TOL`]·‖r‖∞. Returns their
/// number and sets r_i = 0 at every other active bound, so that a
/// projected step along −r moves only free variables and the released
/// ones (at an active bound with r_i = 0 the step is 0, and rᵀs is
/// unchanged).
pub fn releasable(x: ArrayView1<'_, f64>, mut r: ArrayViewMut1<'_, f64>, b: &Bounds) -> usize {
    let tau = RELEASE_REL_TOL * r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut n = 0usize;
    Zip::from(&x)
        .and(&mut r)
        .and(b.lower())
        .and(b.upper())
        .for_each(|&x, r, &l, &u| {
            let at_l = x <= l;
            let at_u = x >= u;
            if !(at_l || at_u) {
                return;
            }
            if l < u && ((at_l && *r < -tau) || (at_u && *r > tau)) {
                n += 1;
            } else {
                *r = 0.0;
            }
        });
    n
}

fn dot(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.dot(&b)
}

fn norm(a: ArrayView1<'_, f64>) -> f64 {
    a.dot(&a).sqrt()
}

/// The projected Cauchy search (MINPACK-2 `dcauchy`; module
/// documentation, step 1) from α = `alpha0` along −g at x. On return `s`
/// and `hs` hold the accepted s(α) and H·s(α) (0 when none was found);
/// `s_try`, `hs_try` are work vectors. One product with `h` per trial.
#[allow(clippy::too_many_arguments)]
pub fn cauchy_step<H: LinearOperator + ?Sized>(
    h: &H,
    b: &Bounds,
    x: ArrayView1<'_, f64>,
    g: ArrayView1<'_, f64>,
    radius: f64,
    alpha0: f64,
    s: &mut Array1<f64>,
    hs: &mut Array1<f64>,
    s_try: &mut Array1<f64>,
    hs_try: &mut Array1<f64>,
) -> CauchyStep {
    let mut out = CauchyStep {
        alpha: alpha0,
        q: 0.0,
        gts: 0.0,
        products: 0,
        found: false,
        non_finite: false,
    };
    // −g as the direction: s(α) = P(x − αg) − x.
    s_try.assign(&g);
    s_try.mapv_inplace(|v| -v);
    let (_, brpt_max) = breakpoints(x, s_try.view(), b);
    // One trial at α: writes s_try, hs_try; returns (q, gᵀs, ok).
    let trial =
        |alpha: f64, s_try: &mut Array1<f64>, hs_try: &mut Array1<f64>, out: &mut CauchyStep| {
            // s_try holds −g on entry of the first call only; recompute from g.
            Zip::from(&mut *hs_try).and(&g).for_each(|h, &g| *h = -g);
            projected_step(x, alpha, hs_try.view(), b, s_try.view_mut());
            h.apply(s_try.view(), hs_try.view_mut());
            out.products += 1;
            let gts = dot(g, s_try.view());
            let q = gts + 0.5 * dot(s_try.view(), hs_try.view());
            if !q.is_finite() {
                out.non_finite = true;
            }
            let ok = cauchy_acceptable(norm(s_try.view()), q, gts, radius);
            (q, gts, ok)
        };
    let mut alpha = alpha0;
    let (q, gts, ok) = trial(alpha, s_try, hs_try, &mut out);
    if !ok {
        // Shrink until a trial passes.
        loop {
            if out.non_finite {
                break;
            }
            alpha /= CAUCHY_FACTOR;
            if alpha < CAUCHY_ALPHA_MIN {
                break;
            }
            let (q, gts, ok) = trial(alpha, s_try, hs_try, &mut out);
            if ok {
                std::mem::swap(s, s_try);
                std::mem::swap(hs, hs_try);
                out = CauchyStep {
                    alpha,
                    q,
                    gts,
                    found: true,
                    ..out
                };
                return out;
            }
        }
        s.fill(0.0);
        hs.fill(0.0);
        out.found = false;
        return out;
    }
    // Passed: keep it and grow while trials pass and α ≤ the largest
    // breakpoint.
    std::mem::swap(s, s_try);
    std::mem::swap(hs, hs_try);
    out = CauchyStep {
        alpha,
        q,
        gts,
        found: true,
        ..out
    };
    while alpha <= brpt_max {
        let next = alpha * CAUCHY_FACTOR;
        if !next.is_finite() {
            break;
        }
        let (q, gts, ok) = trial(next, s_try, hs_try, &mut out);
        if !ok {
            break;
        }
        alpha = next;
        std::mem::swap(s, s_try);
        std::mem::swap(hs, hs_try);
        out.alpha = alpha;
        out.q = q;
        out.gts = gts;
    }
    out.non_finite = false;
    out
}

/// The outcome of a projected search ([`projected_search`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchStep {
    /// The step length t taken.
    pub t: f64,
    /// Products used.
    pub products: u64,
}

/// The projected search along the CG step w from x_k (MINPACK-2 `dprsrch`):
/// s(t) = P(x_k + t·w) − x_k with t = 1, ½, ¼, … while t exceeds the
/// smallest breakpoint t_min, until q_k(s(t)) ≤ μ₀·r_kᵀs(t), where
/// q_k(s) = r_kᵀs + ½sᵀHs is the model at x_k (r_k = g + Hs so far). If t
/// fell below 1 and below t_min, t = t_min (at least one more bound becomes
/// active). Writes s(t) into `s` and H·s(t) into `hs`; trials at t ≤ t_min,
/// where s = t·w, use `hw` = H·w and cost no product, every other trial
/// one. Returns t and the products.
#[allow(clippy::too_many_arguments)]
pub fn projected_search<H: LinearOperator + ?Sized>(
    h: &H,
    b: &Bounds,
    xk: ArrayView1<'_, f64>,
    rk: ArrayView1<'_, f64>,
    w: ArrayView1<'_, f64>,
    hw: ArrayView1<'_, f64>,
    s: &mut Array1<f64>,
    hs: &mut Array1<f64>,
) -> SearchStep {
    let (t_min, _) = breakpoints(xk, w, b);
    let mut t = 1.0f64;
    let mut products = 0;
    let mut have_product = false;
    while t > t_min {
        projected_step(xk, t, w, b, s.view_mut());
        h.apply(s.view(), hs.view_mut());
        products += 1;
        let gts = dot(rk, s.view());
        let q = gts + 0.5 * dot(s.view(), hs.view());
        if q <= MU0 * gts {
            have_product = true;
            break;
        }
        t *= SEARCH_FACTOR;
    }
    if !have_product {
        if t < 1.0 && t < t_min {
            t = t_min;
        }
        // t ≤ t_min: s = t·w up to the components whose breakpoint is t
        // (set exactly to the bound), and Hs = t·Hw.
        projected_step(xk, t, w, b, s.view_mut());
        Zip::from(&mut *hs).and(&hw).for_each(|h, &hw| *h = t * hw);
    }
    SearchStep { t, products }
}

/// A checksum of the active set at x (which indices are at which bound),
/// to find the iteration after which it stops changing.
fn active_signature(x: ArrayView1<'_, f64>, b: &Bounds) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, ((&x, &l), &u)) in x.iter().zip(b.lower()).zip(b.upper()).enumerate() {
        let code = if x <= l {
            1u64
        } else if x >= u {
            2
        } else {
            continue;
        };
        h ^= (i as u64).wrapping_mul(4).wrapping_add(code);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Work vectors of a TRON solve, allocated once.
struct Work {
    s: Array1<f64>,
    hs: Array1<f64>,
    a: Array1<f64>,
    b: Array1<f64>,
    w: Array1<f64>,
    hw: Array1<f64>,
    sk: Array1<f64>,
    hsk: Array1<f64>,
    rk: Array1<f64>,
    xk: Array1<f64>,
    mask: Array1<f64>,
    g_trial: Array1<f64>,
    diag: Array1<f64>,
    scratch: RefCell<Array1<f64>>,
    pscratch: RefCell<Array1<f64>>,
    ws: KrylovWorkspace,
}

impl Work {
    fn new(n: usize, config: &TronConfig) -> Self {
        let z = || Array1::zeros(n);
        Self {
            s: z(),
            hs: z(),
            a: z(),
            b: z(),
            w: z(),
            hw: z(),
            sk: z(),
            hsk: z(),
            rk: z(),
            xk: z(),
            mask: z(),
            g_trial: z(),
            diag: if config.preconditioning == Preconditioning::Jacobi {
                z()
            } else {
                Array1::zeros(0)
            },
            scratch: RefCell::new(z()),
            pscratch: RefCell::new(z()),
            ws: KrylovWorkspace::new(n).with_par(config.par),
        }
    }
}

/// What the Newton phase of one iteration did.
#[derive(Debug, Clone, Copy)]
struct NewtonPhase {
    q: f64,
    gts: f64,
    faces: usize,
    cg_iterations: u64,
    cg_products: u64,
    search_products: u64,
    release_products: u64,
    release_rounds: usize,
    on_boundary: bool,
    last_exit: Option<KrylovExit>,
}

/// Why the face steps of [`Tron::newton_phase`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaceEnd {
    /// The face is solved (or has no free variable): a release round may
    /// follow.
    Solved,
    /// CG ended on the region's boundary, on negative curvature, on its cap
    /// or a budget: the phase ends.
    Final,
}

impl Tron {
    /// TRON with `config`.
    pub fn new(config: TronConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    pub fn config(&self) -> &TronConfig {
        &self.config
    }

    /// Minimizes `obj` on `bounds` from `x0` (projected onto the box first;
    /// the report's [`BoundsSummary::projected_start`] counts the moved
    /// components).
    ///
    /// Errors: invalid options; `x0` or `bounds` of the wrong length; x0,
    /// f or ∇f not finite at the projected start.
    pub fn solve<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        bounds: &Bounds,
    ) -> Result<Report> {
        self.solve_with(obj, x0, bounds, &mut no_callback)
    }

    /// As [`Tron::solve`], calling `callback` after every iteration.
    pub fn solve_with<O: Objective + ?Sized>(
        &self,
        obj: &O,
        x0: ArrayView1<'_, f64>,
        bounds: &Bounds,
        callback: &mut Callback<'_>,
    ) -> Result<Report> {
        let c = &self.config;
        c.validate()?;
        let n = obj.dim();
        if n == 0 {
            return Err(Error::EmptyProblem);
        }
        check_dim("bounds", n, bounds.dim())?;
        check_dim("x0", n, x0.len())?;
        let mut xs = x0.to_owned();
        if xs.iter().any(|v| v.is_nan()) {
            return Err(Error::NonFiniteStart { what: "x0" });
        }
        let projected_start = bounds.project(xs.view_mut())?;
        let mut run = Run::start(obj, xs.view(), &c.termination)?;
        run.set_par(c.par);
        drop(xs);
        run.state.grad_norm = bounds.projected_gradient_norm(run.x.view(), run.g.view());
        let gtol = c
            .termination
            .gtol_abs
            .max(c.termination.gtol_rel * run.grad_norm0);
        let max_radius = c.max_radius;
        run.state.radius = c
            .initial_radius
            .radius(run.grad_norm0, max_radius)
            .unwrap_or(1.0);
        if !(run.radius > 0.0 && run.radius.is_finite()) {
            // g(x₀) = 0 with a gradient-norm start: any positive radius.
            run.state.radius = 1.0f64.min(max_radius);
        }
        let mut w = Work::new(n, c);
        let cg_cap = c.cg_max_iter.unwrap_or(n);
        let max_faces = c.max_faces.unwrap_or(n);
        let mut alpha_c = 1.0f64;
        let mut signature = active_signature(run.x.view(), bounds);
        let mut settled_at = 0usize;

        let mut status = if run.grad_norm <= gtol {
            Some(Status::Converged)
        } else {
            None
        };
        let mut hessian: Option<O::Hessian<'_>> = None;
        let mut objective_precond: Option<Box<dyn Preconditioner + '_>> = None;
        let mut jacobi: Option<Jacobi> = None;
        // Multigrid of the full Hessian, masked to the free variables in CG
        // like every preconditioner here (D·M⁻¹·D); Jacobi where it cannot
        // be built (the rule of `newton_cg`).
        let mut amg = matches!(c.preconditioning, Preconditioning::Amg(_)).then(AmgSlot::default);

        while status.is_none() {
            if let Some(s) = run.budget_exhausted() {
                status = Some(s);
                break;
            }
            run.state.iter += 1;
            // H (and M) at x, once per point.
            if hessian.is_none() {
                let h = obj.hessian(run.x.view());
                check_square("Hessian operator", n, &h)?;
                run.counts.hessians += 1;
                match c.preconditioning {
                    Preconditioning::None => {}
                    Preconditioning::Amg(cfg) => {
                        if let Some(slot) = amg.as_mut() {
                            slot.prepare(&h, n, cfg)?;
                        }
                    }
                    Preconditioning::Jacobi => {
                        jacobi = if h.diagonal(w.diag.view_mut()) {
                            Some(Jacobi::new(w.diag.view())?)
                        } else {
                            None
                        };
                    }
                    Preconditioning::Objective => {
                        objective_precond = obj.preconditioner(run.x.view(), &h);
                        if let Some(m) = &objective_precond {
                            check_dim("preconditioner", n, m.dim())?;
                        }
                    }
                }
                hessian = Some(h);
            }
            let h = hessian.as_ref().expect("prepared");
            let radius = run.radius;
            let hvps_before = run.counts.hvps;

            // 1. Projected Cauchy step.
            let cs = cauchy_step(
                h,
                bounds,
                run.x.view(),
                run.g.view(),
                radius,
                alpha_c,
                &mut w.s,
                &mut w.hs,
                &mut w.a,
                &mut w.b,
            );
            run.counts.hvps += cs.products;
            let cauchy_hvps = cs.products;
            if !cs.found {
                status = Some(if cs.non_finite {
                    Status::NonFiniteHessian
                } else {
                    Status::ModelFailure
                });
                let rec = run.blank_record();
                if let Some(s) = run.record(rec, callback) {
                    status = status.or(Some(s));
                }
                break;
            }
            alpha_c = cs.alpha;
            add_step_exact(run.x.view(), w.s.view(), bounds, w.xk.view_mut());

            // 2. Newton steps over faces.
            let precond: Option<&dyn Preconditioner> = match c.preconditioning {
                Preconditioning::None => None,
                Preconditioning::Amg(_) => amg.as_ref().and_then(AmgSlot::current),
                Preconditioning::Jacobi => jacobi.as_ref().map(|j| j as &dyn Preconditioner),
                Preconditioning::Objective => objective_precond.as_deref(),
            };
            let np = self.newton_phase(
                &mut run, h, precond, bounds, &mut w, cs, radius, cg_cap, max_faces,
            );

            // 3. Ratio and radius.
            let pred = -np.q;
            // s = x_k − x (exact on the clipped components).
            Zip::from(&mut w.s)
                .and(&w.xk)
                .and(&run.state.x)
                .for_each(|s, &xk, &x| *s = xk - x);
            let step_norm = norm(w.s.view());
            let base = BoundsRecord {
                faces: np.faces,
                cauchy_hvps,
                cg_hvps: np.cg_products,
                search_hvps: np.search_products,
                release_hvps: np.release_products,
                release_rounds: np.release_rounds,
                cauchy_alpha: cs.alpha,
                ..BoundsRecord::default()
            };
            if !(pred > 0.0 && pred.is_finite()) {
                status = Some(if pred.is_finite() {
                    Status::ModelFailure
                } else {
                    Status::NonFiniteHessian
                });
                let rec = crate::report::IterationRecord {
                    radius,
                    next_radius: radius,
                    krylov_iterations: np.cg_iterations as usize,
                    krylov_exit: np.last_exit,
                    step_norm,
                    hvps: run.counts.hvps,
                    bounds: Some(BoundsRecord {
                        active: bounds.counts(run.x.view(), run.g.view()),
                        ..base
                    }),
                    ..run.blank_record()
                };
                if let Some(s) = run.record(rec, callback) {
                    status = status.or(Some(s));
                }
                break;
            }
            let f_trial = obj.value_grad(w.xk.view(), w.g_trial.view_mut());
            run.counts.evals += 1;
            let g_finite = w.g_trial.iter().all(|v| v.is_finite());
            let trial_finite = f_trial.is_finite() && g_finite;
            let rho = reduction_ratio(run.f, f_trial, trial_finite, pred);
            let trial = Trial {
                radius,
                step_norm,
                rho,
                on_boundary: np.on_boundary,
                f: run.f,
                f_trial,
                grad_dot_step: np.gts,
                before_first_accepted: run.accepted_steps == 0,
            };
            let next_radius = radius::update(c.radius_rule, &trial, c.eta_accept, max_radius);
            run.state.radius = next_radius;
            let accepted = acceptable(rho, c.eta_accept);
            let f_before = run.f;
            if accepted {
                let pg = bounds.projected_gradient_norm(w.xk.view(), w.g_trial.view());
                run.accept(&mut w.xk, &mut w.g_trial, f_trial, pg);
                run.state.failures.non_finite_trial = 0;
                hessian = None;
                objective_precond = None;
                let sig = active_signature(run.x.view(), bounds);
                if sig != signature {
                    signature = sig;
                    settled_at = run.iter;
                }
                run.state.gap_estimate = None;
                status = if run.grad_norm <= gtol {
                    Some(Status::Converged)
                } else if c.termination.target_f.is_some_and(|t| run.f <= t) {
                    Some(Status::TargetReached)
                } else if run.f < c.termination.f_floor {
                    Some(Status::Unbounded)
                } else {
                    run.stalled(f_trial - f_before, step_norm)
                };
            } else {
                if !trial_finite {
                    run.state.failures.non_finite_trial += 1;
                    if run.failures.non_finite_trial >= c.max_consecutive_failures {
                        status = Some(Status::NonFiniteObjective);
                    }
                }
                let xn = run.x_norm();
                if status.is_none() && radius::collapsed(next_radius, c.min_radius, xn) {
                    status = Some(Status::RadiusCollapsed);
                }
            }
            let rec = crate::report::IterationRecord {
                radius,
                next_radius,
                ratio: rho,
                accepted,
                krylov_iterations: np.cg_iterations as usize,
                krylov_exit: np.last_exit,
                step_norm,
                hvps: run.counts.hvps,
                bounds: Some(BoundsRecord {
                    active: bounds.counts(run.x.view(), run.g.view()),
                    ..base
                }),
                ..run.blank_record()
            };
            debug_assert!(run.counts.hvps >= hvps_before);
            if let Some(s) = run.record(rec, callback) {
                status = status.or(Some(s));
            }
        }
        let summary = BoundsSummary {
            projected_start,
            active: bounds.counts(run.x.view(), run.g.view()),
            projected_grad_norm: run.grad_norm,
            active_set_settled_at: settled_at,
        };
        let mut report = run.finish(Method::Tron, status.unwrap_or(Status::MaxIterations));
        report.bounds = Some(summary);
        Ok(report)
    }

    /// Step 2 of the module documentation: CG on the faces from x_k =
    /// `w.xk` with the Cauchy step in `w.s`, `w.hs`.
    #[allow(clippy::too_many_arguments)]
    fn newton_phase<H: LinearOperator + ?Sized>(
        &self,
        run: &mut Run<'_>,
        h: &H,
        precond: Option<&dyn Preconditioner>,
        bounds: &Bounds,
        w: &mut Work,
        cs: CauchyStep,
        radius: f64,
        cg_cap: usize,
        max_faces: usize,
    ) -> NewtonPhase {
        let c = &self.config;
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
            let end = self.face_steps(
                run, h, precond, bounds, w, radius, cg_cap, max_faces, &mut np,
            );
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
            Zip::from(&mut w.w)
                .and(&w.xk)
                .and(&run.state.x)
                .for_each(|s, &xk, &x| *s = xk - x);
            h.apply(w.w.view(), w.hs.view_mut());
            np.release_products += 1;
            run.counts.hvps += 1;
            Zip::from(&mut w.rk)
                .and(&run.state.g)
                .and(&w.hs)
                .for_each(|r, &g, &hs| *r = g + hs);
            if releasable(w.xk.view(), w.rk.view_mut(), bounds) == 0 {
                break;
            }
            // A projected Cauchy step on the model from x_k along −r.
            let rs = cauchy_step(
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
            np.gts += dot(run.state.g.view(), w.sk.view());
            w.a.assign(&w.xk);
            add_step_exact(w.a.view(), w.sk.view(), bounds, w.xk.view_mut());
            w.hs += &w.hsk;
        }
        np
    }

    /// The face steps (MINPACK-2 `dspcg`'s loop) from x_k = `w.xk` with
    /// H·(x_k − x) in `w.hs` (face part), adding to `np`.
    #[allow(clippy::too_many_arguments)]
    fn face_steps<H: LinearOperator + ?Sized>(
        &self,
        run: &mut Run<'_>,
        h: &H,
        precond: Option<&dyn Preconditioner>,
        bounds: &Bounds,
        w: &mut Work,
        radius: f64,
        cg_cap: usize,
        max_faces: usize,
        np: &mut NewtonPhase,
    ) -> FaceEnd {
        let c = &self.config;
        loop {
            if np.faces >= max_faces || run.time_up() {
                return FaceEnd::Final;
            }
            let nfree = bounds.free_mask(w.xk.view(), w.mask.view_mut());
            if nfree == 0 {
                return FaceEnd::Solved;
            }
            // r_k = D(g + Hs); ‖g_F‖ at the outer point.
            let mut gf2 = 0.0;
            Zip::from(&mut w.rk)
                .and(&run.state.g)
                .and(&w.hs)
                .and(&w.mask)
                .for_each(|r, &g, &hs, &m| {
                    if m == 0.0 {
                        *r = 0.0;
                    } else {
                        *r = g + hs;
                        gf2 += g * g;
                    }
                });
            let tol = c.cg_tol * gf2.sqrt();
            let rnorm = norm(w.rk.view());
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
            let op = Masked::new(h, w.mask.view(), &w.scratch);
            let mp = precond.map(|m| MaskedPreconditioner::new(m, w.mask.view(), &w.pscratch));
            let info = steihaug_trial(
                &op,
                mp.as_ref().map(|m| m as &dyn Preconditioner),
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
            Zip::from(&mut w.hw)
                .and(&w.ws.r)
                .and(&w.rk)
                .for_each(|hw, &r, &rk| *hw = -(r + rk));
            mask_in_place(w.hw.view_mut(), w.mask.view());
            let ss = projected_search(
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
            let dq = dot(w.rk.view(), w.sk.view()) + 0.5 * dot(w.sk.view(), w.hsk.view());
            np.q += dq;
            np.gts += dot(run.state.g.view(), w.sk.view());
            // x_k ← x_k + s_k (exactly at the bounds met), Hs += Hs_k.
            w.a.assign(&w.xk);
            add_step_exact(w.a.view(), w.sk.view(), bounds, w.xk.view_mut());
            w.hs += &w.hsk;
            if info.on_boundary || info.exit == KrylovExit::NegativeCurvature {
                np.on_boundary = info.on_boundary;
                return FaceEnd::Final;
            }
            if !matches!(info.exit, KrylovExit::Converged | KrylovExit::MaxIterations) {
                return FaceEnd::Final;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn spd3() -> Array2<f64> {
        array![[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]
    }

    #[test]
    fn cauchy_conditions() {
        // Inside the radius with enough decrease.
        assert!(cauchy_acceptable(1.0, -1.0, -2.0, 1.0));
        // Outside the radius.
        assert!(!cauchy_acceptable(1.0 + 1e-12, -1.0, -2.0, 1.0));
        // Not enough decrease: q > μ₀ gᵀs.
        assert!(!cauchy_acceptable(0.5, -0.01, -2.0, 1.0));
        assert!(!cauchy_acceptable(0.5, f64::NAN, -2.0, 1.0));
    }

    #[test]
    fn breakpoints_and_projected_step() {
        let b = Bounds::new(
            array![0.0, 0.0, f64::NEG_INFINITY, 0.0],
            array![1.0, 1.0, 1.0, 1.0],
        )
        .unwrap();
        let x = array![0.5, 0.0, 0.0, 1.0];
        let w = array![1.0, -1.0, -1.0, 2.0];
        // Component 0 meets u at t = 0.5; 1 is blocked; 2 never meets l;
        // 3 is blocked.
        let (tmin, tmax) = breakpoints(x.view(), w.view(), &b);
        assert_eq!(tmin, 0.5);
        assert_eq!(tmax, f64::INFINITY);
        let mut s = Array1::zeros(4);
        projected_step(x.view(), 2.0, w.view(), &b, s.view_mut());
        assert_eq!(s, array![0.5, 0.0, -2.0, 0.0]);
        let mut xp = Array1::zeros(4);
        add_step_exact(x.view(), s.view(), &b, xp.view_mut());
        assert_eq!(xp, array![1.0, 0.0, -2.0, 1.0]);
        // At t = t_min the blocking component lands exactly on its bound,
        // even when (u − x)/w·w rounds below u − x.
        let b1 = Bounds::new(array![0.0], array![0.3]).unwrap();
        let x1 = array![0.1];
        let w1 = array![0.7];
        let (t1, _) = breakpoints(x1.view(), w1.view(), &b1);
        let mut s1 = Array1::zeros(1);
        projected_step(x1.view(), t1, w1.view(), &b1, s1.view_mut());
        let mut x1p = Array1::zeros(1);
        add_step_exact(x1.view(), s1.view(), &b1, x1p.view_mut());
        assert_eq!(x1p[0], 0.3);
    }

    /// The accepted Cauchy step satisfies both conditions; for a radius so
    /// small that α = 1 violates ‖s‖ ≤ Δ, α shrinks by powers of 10; with a
    /// large radius α grows while the trials pass.
    #[test]
    fn cauchy_step_meets_its_conditions() {
        let h = spd3();
        let b = Bounds::new(array![-10.0, -10.0, 0.0], array![10.0, 10.0, 10.0]).unwrap();
        let x = array![1.0, 1.0, 0.5];
        let g = h.dot(&x) - array![1.0, 0.0, -5.0];
        let z = || Array1::zeros(3);
        let (mut s, mut hs, mut a, mut bb) = (z(), z(), z(), z());
        for (radius, alpha0) in [(1e-3, 1.0), (10.0, 1e-4), (0.5, 1.0)] {
            let cs = cauchy_step(
                &h,
                &b,
                x.view(),
                g.view(),
                radius,
                alpha0,
                &mut s,
                &mut hs,
                &mut a,
                &mut bb,
            );
            assert!(cs.found);
            let sn = norm(s.view());
            let gts = g.dot(&s);
            let q = gts + 0.5 * s.dot(&h.dot(&s));
            assert!(
                cauchy_acceptable(sn, q, gts, radius),
                "Δ = {radius}: {cs:?}"
            );
            assert!((cs.q - q).abs() <= 1e-14 * q.abs().max(1.0));
            assert_eq!(hs, h.dot(&s));
            // α is alpha0 times a power of 10.
            let k = (cs.alpha / alpha0).log10();
            assert!((k - k.round()).abs() < 1e-9, "{cs:?}");
            // The next trial out (α·10) fails, unless past the breakpoints.
            let mut s2 = z();
            projected_step(x.view(), cs.alpha * 10.0, (-&g).view(), &b, s2.view_mut());
            let gts2 = g.dot(&s2);
            let q2 = gts2 + 0.5 * s2.dot(&h.dot(&s2));
            assert!(
                !cauchy_acceptable(norm(s2.view()), q2, gts2, radius),
                "Δ = {radius}"
            );
            assert!(cs.products >= 1);
        }
        // Radius 1e-3 from α = 1: ‖g‖ ≈ 8.5, so α ≤ 1e-4 is needed.
        let cs = cauchy_step(
            &h,
            &b,
            x.view(),
            g.view(),
            1e-3,
            1.0,
            &mut s,
            &mut hs,
            &mut a,
            &mut bb,
        );
        assert_eq!(cs.alpha, 1e-4);
        assert_eq!(cs.products, 5);
    }

    /// `releasable` counts exactly the active bounds where −r points into
    /// the box by more than 1e-3·‖r‖∞; free variables, fixed variables
    /// (l = u) and active bounds with the binding sign do not count.
    #[test]
    fn releasable_counts_inward_model_gradients() {
        let b = Bounds::new(
            array![0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            array![1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        )
        .unwrap();
        // at l, r < 0: release; at l, r > 0: binding; at u, r > 0:
        // release; at u, r < 0: binding; fixed; free.
        let x = array![0.0, 0.0, 1.0, 1.0, 1.0, 0.5];
        let mut r = array![-1.0, 1.0, 2.0, -2.0, -5.0, 3.0];
        assert_eq!(releasable(x.view(), r.view_mut(), &b), 2);
        // The releasing and free components are kept, the others zeroed.
        assert_eq!(r, array![-1.0, 0.0, 2.0, 0.0, 0.0, 3.0]);
        // r = 0 at a bound releases nothing.
        let mut r0 = array![0.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(releasable(x.view(), r0.view_mut(), &b), 0);
        // An inward component at most 1e-3·‖r‖∞ does not release, and is
        // zeroed; just above it does.
        let mut r1 = array![-1e-3 * 3.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(releasable(x.view(), r1.view_mut(), &b), 0);
        assert_eq!(r1[0], 0.0);
        let mut r2 = array![-1.01e-3 * 3.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(releasable(x.view(), r2.view_mut(), &b), 1);
    }

    /// A release round is taken only after a round that decreased the
    /// model by more than 1% of the total decrease; NaN never passes.
    #[test]
    fn release_round_worth_is_relative() {
        assert!(release_round_worth(0.5, 1.0));
        assert!(release_round_worth(0.011, 1.0));
        assert!(!release_round_worth(0.01, 1.0));
        assert!(!release_round_worth(0.0, 1.0));
        assert!(!release_round_worth(f64::NAN, 1.0));
        assert!(!release_round_worth(0.5, f64::NAN));
    }

    /// min ½xᵀTx + c·x₀ (T tridiagonal 2, −1) on [−100, 0]ⁿ from x = 0,
    /// every variable at its upper bound: only ∂f/∂x₀ = c points into the
    /// box, and each variable is released only after its neighbour moved.
    /// The minimizer x_i = −c(n − i)/(n + 1) (0-based) is interior. Without
    /// release rounds TRON frees about one variable per iteration; with
    /// them far fewer iterations are needed, to the same x*.
    #[test]
    fn release_rounds_free_a_chain_in_one_iteration() {
        let n = 30;
        let t = Array2::from_shape_fn((n, n), |(i, j)| {
            if i == j {
                2.0
            } else if i.abs_diff(j) == 1 {
                -1.0
            } else {
                0.0
            }
        });
        let c = 1.0;
        let tt = t.clone();
        let obj = crate::FnObjective::new(
            n,
            move |x, mut g| {
                let tx = tt.dot(&x);
                g.assign(&tx);
                g[0] += c;
                0.5 * x.dot(&tx) + c * x[0]
            },
            {
                let t = t.clone();
                move |_x, v, mut out| out.assign(&t.dot(&v))
            },
        );
        let b = Bounds::uniform(n, -100.0, 0.0).unwrap();
        let x0 = Array1::zeros(n);
        let solve = |rounds: usize| {
            let cfg = TronConfig {
                release_rounds: rounds,
                ..TronConfig::default()
            };
            Tron::new(cfg).solve(&obj, x0.view(), &b).unwrap()
        };
        let with = solve(10 * n);
        let without = solve(0);
        assert!(with.status.is_converged() && without.status.is_converged());
        // x* = −c·T⁻¹e_0: x_i = −c(n − i)/(n + 1).
        for (i, &xi) in with.x.iter().enumerate() {
            let exact = -c * (n - i) as f64 / (n + 1) as f64;
            assert!((xi - exact).abs() <= 1e-6, "x[{i}] = {xi}, exact {exact}");
        }
        assert!(
            with.iterations * 3 <= without.iterations,
            "with {} without {}",
            with.iterations,
            without.iterations
        );
    }

    /// The projected search on a strictly convex quadratic: t = 1 when the
    /// full step stays feasible (no product, Hs from Hw), t_min when the
    /// box cuts it and the model rises past the bound.
    #[test]
    fn projected_search_rules() {
        let h = spd3();
        let b = Bounds::new(array![-1.0, -1.0, -1.0], array![1.0, 1.0, 1.0]).unwrap();
        let xk = array![0.0, 0.0, 0.0];
        let rk = array![-1.0, 0.5, 0.2];
        let w = array![0.2, -0.1, 0.0];
        let hw = h.dot(&w);
        let (mut s, mut hs) = (Array1::zeros(3), Array1::zeros(3));
        let r = projected_search(
            &h,
            &b,
            xk.view(),
            rk.view(),
            w.view(),
            hw.view(),
            &mut s,
            &mut hs,
        );
        assert_eq!((r.t, r.products), (1.0, 0));
        assert_eq!(s, w);
        // A direction that leaves the box at t = 0.25 on component 0.
        let w = array![4.0, 0.0, 0.0];
        let hw = h.dot(&w);
        let rk = array![-1.0, 0.0, 0.0];
        let r = projected_search(
            &h,
            &b,
            xk.view(),
            rk.view(),
            w.view(),
            hw.view(),
            &mut s,
            &mut hs,
        );
        // q(s(1)) = −1 + ½·4 = 1 > μ₀(−1): halve to 0.5, still above t_min
        // = 0.25 and s(0.5) = s(1) (clipped): fails again; stop at t_min.
        assert_eq!(r.t, 0.25);
        assert_eq!(r.products, 2);
        assert_eq!(s, array![1.0, 0.0, 0.0]);
        assert_eq!(hs, h.dot(&s));
    }
}
