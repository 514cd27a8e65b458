//! The foundation issue's "must pass" list: each seed problem with its known
//! answer. Every check compares against a closed-form optimum, a published
//! iterate sequence, or another solver — never against a recorded output of
//! the solver under test.

use ndarray::{array, Array1, ArrayView1};
use steihaug::problems::{DenseLogistic, ExtendedRosenbrock, Quadratic, Rosenbrock};
use steihaug::{
    DenseNewton, DenseNewtonConfig, Forcing, InitialRadius, KrylovConfig, LineSearchConfig,
    LineSearchNewtonCg, Objective, Report, Status, Termination, TrustRegion, TrustRegionConfig,
};

use crate::common::Recording;

/// A stopping rule that only stops at `‖g‖ ≤ gtol_abs` (no relative test).
fn tight(gtol_abs: f64) -> Termination {
    Termination {
        gtol_abs,
        gtol_rel: 0.0,
        ..Termination::default()
    }
}

fn tr(termination: Termination, forcing: Forcing) -> TrustRegion {
    TrustRegion::new(TrustRegionConfig {
        termination,
        krylov: KrylovConfig {
            forcing,
            ..KrylovConfig::default()
        },
        ..TrustRegionConfig::default()
    })
}

fn ls(termination: Termination, forcing: Forcing) -> LineSearchNewtonCg {
    LineSearchNewtonCg::new(LineSearchConfig {
        termination,
        krylov: KrylovConfig {
            forcing,
            ..KrylovConfig::default()
        },
        ..LineSearchConfig::default()
    })
}

fn dense(termination: Termination) -> DenseNewton {
    DenseNewton::new(DenseNewtonConfig {
        termination,
        ..DenseNewtonConfig::default()
    })
}

fn max_abs_diff(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

fn assert_converged(r: &Report) {
    assert_eq!(r.status, Status::Converged, "{}", r.summary());
}

// ---------------------------------------------------------------------------
// Quadratic ½xᵀAx + bᵀx, A = [[4,1],[1,3]], b = [−1,2]: x* = −A⁻¹b = (5/11, −9/11).

fn seed_quadratic() -> Quadratic {
    Quadratic::new(array![[4.0, 1.0], [1.0, 3.0]], array![-1.0, 2.0]).unwrap()
}

const QUAD_XSTAR: [f64; 2] = [5.0 / 11.0, -9.0 / 11.0];

#[test]
fn quadratic_dense_newton_one_step() {
    let q = seed_quadratic();
    let r = DenseNewton::default()
        .solve(&q, array![0.0, 0.0].view())
        .unwrap();
    assert_converged(&r);
    assert_eq!(r.iterations, 1, "{}", r.summary());
    assert!(max_abs_diff(r.x.view(), ArrayView1::from(&QUAD_XSTAR)) <= 1e-12);
    // The full step α = 1 was taken with no shift.
    assert_eq!(r.history[0].alpha, 1.0);
    assert_eq!(r.history[0].shift, 0.0);
}

#[test]
fn quadratic_pure_newton_one_step() {
    let q = seed_quadratic();
    let r = DenseNewton::pure()
        .solve(&q, array![0.0, 0.0].view())
        .unwrap();
    assert_converged(&r);
    assert_eq!(r.iterations, 1);
    assert!(max_abs_diff(r.x.view(), ArrayView1::from(&QUAD_XSTAR)) <= 1e-12);
}

#[test]
fn quadratic_trust_region_one_iteration_two_cg_steps() {
    let q = seed_quadratic();
    // |x*| = √106/11 ≈ 0.936 < 1 = the default Δ₀, so the Newton step is
    // interior and needs no radius change. The default forcing term
    // η = min(½, √‖g₀‖) = ½ would let CG stop after one iteration with a
    // half-converged step; CG on a 2×2 SPD system is exact after 2 steps, so a
    // tight η makes the first outer step the Newton step.
    let solver = tr(Termination::default(), Forcing::Constant(1e-12));
    assert_eq!(
        solver.config.initial_radius,
        InitialRadius::Constant(1.0),
        "the comment above assumes the default Δ₀"
    );
    let r = solver.solve(&q, array![0.0, 0.0].view()).unwrap();
    assert_converged(&r);
    assert_eq!(r.iterations, 1, "{}", r.summary());
    assert!(r.history[0].krylov_iterations <= 2);
    assert!(r.history[0].accepted);
    assert!(max_abs_diff(r.x.view(), ArrayView1::from(&QUAD_XSTAR)) <= 1e-12);
}

#[test]
fn quadratic_line_search_one_iteration() {
    let q = seed_quadratic();
    let r = ls(Termination::default(), Forcing::Constant(1e-12))
        .solve(&q, array![0.0, 0.0].view())
        .unwrap();
    assert_converged(&r);
    assert_eq!(r.iterations, 1);
    assert!(r.history[0].krylov_iterations <= 2);
    assert!(max_abs_diff(r.x.view(), ArrayView1::from(&QUAD_XSTAR)) <= 1e-12);
}

// ---------------------------------------------------------------------------
// Rosenbrock from (3, −2).

#[test]
fn rosenbrock_pure_newton_iterates() {
    // Pure Newton evaluates f and ∇f exactly once per iteration, at the new
    // iterate, so the recorded points are x0, x1, x2, ...
    let obj = Recording::new(Rosenbrock);
    let mut solver = DenseNewton::pure();
    solver.config.termination = tight(1e-12);
    let r = solver.solve(&obj, array![3.0, -2.0].view()).unwrap();
    assert_converged(&r);
    let points = obj.points.into_inner();
    assert_eq!(points.len(), r.iterations + 1);
    assert_eq!(r.counts.evals as usize, points.len());
    let expected = [
        [3.0, -2.0],
        [2.999, 8.995],
        [1.000, -2.994],
        [1.000, 1.001],
        [1.000, 1.000],
    ];
    assert!(points.len() >= expected.len(), "{}", r.summary());
    for (k, (got, want)) in points.iter().zip(expected.iter()).enumerate() {
        for i in 0..2 {
            // "to 3 decimals": the iterate rounds to the published value.
            assert!(
                (got[i] - want[i]).abs() <= 5e-4,
                "iterate {k}: got {got}, expected {want:?}"
            );
        }
    }
    assert!(max_abs_diff(r.x.view(), array![1.0, 1.0].view()) <= 1e-8);
}

#[test]
fn rosenbrock_trust_region_reaches_minimizer() {
    let r = tr(tight(1e-12), Forcing::Sqrt)
        .solve(&Rosenbrock, array![3.0, -2.0].view())
        .unwrap();
    assert_converged(&r);
    assert!(r.grad_norm <= 1e-12);
    assert!(
        max_abs_diff(r.x.view(), array![1.0, 1.0].view()) <= 1e-8,
        "{}",
        r.x
    );
}

#[test]
fn rosenbrock_damped_dense_newton_reaches_minimizer() {
    let r = dense(tight(1e-12))
        .solve(&Rosenbrock, array![3.0, -2.0].view())
        .unwrap();
    assert_converged(&r);
    assert!(
        max_abs_diff(r.x.view(), array![1.0, 1.0].view()) <= 1e-8,
        "{}",
        r.x
    );
}

#[test]
fn rosenbrock_line_search_reaches_minimizer() {
    let r = ls(tight(1e-12), Forcing::Sqrt)
        .solve(&Rosenbrock, array![3.0, -2.0].view())
        .unwrap();
    assert_converged(&r);
    assert!(
        max_abs_diff(r.x.view(), array![1.0, 1.0].view()) <= 1e-8,
        "{}",
        r.x
    );
}

// ---------------------------------------------------------------------------
// Logistic regression (IRLS).

fn seed_logistic() -> DenseLogistic {
    DenseLogistic::synthetic(100, &[1.5, -1.0, 0.5], 0.0, 42).unwrap()
}

#[test]
fn logistic_dense_newton_at_most_ten_iterations() {
    let p = seed_logistic();
    let r = DenseNewton::default()
        .solve(&p, Array1::zeros(3).view())
        .unwrap();
    assert_converged(&r);
    assert!(r.iterations <= 10, "{}", r.summary());
    // The same holds for a tight absolute tolerance: IRLS converges
    // quadratically, so tightening costs one or two iterations.
    let r = dense(tight(1e-10))
        .solve(&p, Array1::zeros(3).view())
        .unwrap();
    assert_converged(&r);
    assert!(r.iterations <= 10, "{}", r.summary());
}

#[test]
fn logistic_three_solvers_agree() {
    let p = seed_logistic();
    let x0 = Array1::zeros(3);
    // ‖w − w*‖ ≤ ‖g‖/λ_min(H) near w*; with ‖g‖ ≤ 1e-10 and λ_min(H) of
    // order 10 for 100 samples, the solutions agree far below 1e-8.
    let term = tight(1e-10);
    let dn = dense(term).solve(&p, x0.view()).unwrap();
    let trr = tr(term, Forcing::Sqrt).solve(&p, x0.view()).unwrap();
    let lsr = ls(term, Forcing::Sqrt).solve(&p, x0.view()).unwrap();
    for r in [&dn, &trr, &lsr] {
        assert_converged(r);
    }
    // The fitted weights have the signs of the generating ones (a sanity
    // check that this is the logistic fit, not some other point).
    assert!(dn.x[0] > 0.0 && dn.x[1] < 0.0 && dn.x[2] > 0.0, "{}", dn.x);
    assert!(max_abs_diff(trr.x.view(), dn.x.view()) <= 1e-8);
    assert!(max_abs_diff(lsr.x.view(), dn.x.view()) <= 1e-8);
    assert!((trr.f - dn.f).abs() <= 1e-10 * dn.f.abs().max(1.0));
    assert!((lsr.f - dn.f).abs() <= 1e-10 * dn.f.abs().max(1.0));
}

// ---------------------------------------------------------------------------
// Quadratic convergence.

fn fmt_seq(g: &[f64]) -> String {
    let parts: Vec<String> = g.iter().map(|v| format!("{v:.3e}")).collect();
    format!("[{}]", parts.join(", "))
}

/// ‖g_0‖, ‖g_1‖, ... over accepted iterates.
fn gradient_sequence(r: &Report) -> Vec<f64> {
    std::iter::once(r.grad_norm0)
        .chain(r.history.iter().filter(|h| h.accepted).map(|h| h.grad_norm))
        .collect()
}

/// Checks `g_{k+1} ≤ C·g_k²` on every transition that starts inside the
/// local region `g_k ≤ local` and at or above `floor` (a round-off floor, or
/// where a constant forcing term η starts to dominate: ‖g_{k+1}‖ ≲ η‖g_k‖),
/// and that
/// at least `min_checked` of them are *decisive*: `C·g_k ≤ 0.1`, so the
/// bound demands a reduction by 10× or more and a linearly convergent method
/// with rate ≥ 0.1 would fail it.
fn assert_quadratic(name: &str, g: &[f64], c: f64, local: f64, floor: f64, min_checked: usize) {
    let mut decisive = 0;
    for k in 0..g.len().saturating_sub(1) {
        let (a, b) = (g[k], g[k + 1]);
        if a > local || a < floor {
            continue;
        }
        assert!(
            b <= c * a * a,
            "{name}: ‖g‖ went {a:.3e} -> {b:.3e}, more than C·g² = {:.3e}; sequence {}",
            c * a * a,
            fmt_seq(g)
        );
        if c * a <= 0.1 {
            decisive += 1;
        }
    }
    assert!(
        decisive >= min_checked,
        "{name}: only {decisive} decisive transitions in {}",
        fmt_seq(g)
    );
}

/// A strongly convex (near x* = 0) coupled problem with f* = 0:
/// `f(x) = Σ c_i (eˣⁱ − 1 − x_i) + ½ xᵀLx`, L = tridiag(−½, 1, −½) ⪰ 0,
/// c_i = 1 + i/n. ∇f = c∘(eˣ − 1) + Lx, ∇²f = diag(c∘eˣ) + L.
///
/// f* = 0 matters: near x* the decrease per Newton step, ~‖g‖², stays far
/// above the rounding unit of f, so the Armijo tests of the line-search
/// solvers keep working down to ‖g‖ ~ 1e-15. (On a problem with |f*| ~ 100,
/// Armijo cannot see decreases below ~1e-14 and backtracks on round-off
/// once ‖g‖ ≲ 1e-7.)
fn exp_coupled(n: usize) -> impl Objective {
    let c = move |i: usize| 1.0 + i as f64 / n as f64;
    let lap = move |x: ArrayView1<'_, f64>, i: usize| {
        let left = if i > 0 { x[i - 1] } else { 0.0 };
        let right = if i + 1 < n { x[i + 1] } else { 0.0 };
        x[i] - 0.5 * (left + right)
    };
    steihaug::FnObjective::new(
        n,
        move |x, mut g| {
            let mut f = 0.0;
            for i in 0..n {
                let lx = lap(x, i);
                f += c(i) * (x[i].exp_m1() - x[i]) + 0.5 * x[i] * lx;
                g[i] = c(i) * x[i].exp_m1() + lx;
            }
            f
        },
        move |x, v, mut out| {
            for i in 0..n {
                out[i] = c(i) * x[i].exp() * v[i] + lap(v, i);
            }
        },
    )
}

fn exp_coupled_start(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 1.5 * (i as f64 + 1.0).sin())
}

#[test]
fn quadratic_convergence_of_newton_steps() {
    // Newton's method converges quadratically near a minimizer with a
    // positive definite, Lipschitz Hessian: ‖g_{k+1}‖ ≤ (L_H/(2μ²))·‖g_k‖²
    // asymptotically. Here, in the region ‖g‖ ≤ 0.2 (so |x_i| ≲ 0.2),
    // μ ≥ min c_i·e^{−0.2} ≥ 0.8 (L ⪰ 0) and the Hessian's Lipschitz
    // constant is max c_i·e^{0.2} ≤ 2.5, so C = L_H/(2μ²) ≲ 2; C = 5 leaves
    // room for the inexact CG solves. A linearly convergent method,
    // ‖g_{k+1}‖ ≈ ρ‖g_k‖ with ρ ≥ 0.1, fails every decisive transition.
    // Since x* = 0 and f* = 0, f and ∇f are computed to full *relative*
    // accuracy near x* (expm1), so there is no round-off floor above
    // ~1e-300.
    let n = 20;
    let p = exp_coupled(n);
    let x0 = exp_coupled_start(n);
    let term = tight(1e-14);
    let (c, local, floor) = (5.0, 0.2, 1e-300);

    for r in [
        dense(term).solve(&p, x0.view()).unwrap(),
        DenseNewton::new(DenseNewtonConfig {
            termination: term,
            ..DenseNewton::pure().config
        })
        .solve(&p, x0.view())
        .unwrap(),
    ] {
        assert_converged(&r);
        assert!(r.x.iter().all(|v| v.abs() <= 1e-13), "{}", r.x);
        assert_quadratic(
            r.solver.as_str(),
            &gradient_sequence(&r),
            c,
            local,
            floor,
            2,
        );
    }

    // Truncated Newton with η_k = min(½, ‖g_k‖) is quadratically convergent
    // (N&W Theorem 7.2); with η = 1e-12 the step satisfies
    // ‖g_{k+1}‖ ≲ C‖g_k‖² + η‖g_k‖, quadratic while ‖g_k‖ ≥ 1e-10.
    for (forcing, floor) in [
        (Forcing::Quadratic, floor),
        (Forcing::Constant(1e-12), 1e-10),
    ] {
        for r in [
            tr(term, forcing).solve(&p, x0.view()).unwrap(),
            ls(term, forcing).solve(&p, x0.view()).unwrap(),
        ] {
            assert_converged(&r);
            assert!(r.x.iter().all(|v| v.abs() <= 1e-13), "{}", r.x);
            assert_quadratic(
                &format!("{}, {forcing:?}", r.solver),
                &gradient_sequence(&r),
                c,
                local,
                floor,
                2,
            );
        }
    }
}

#[test]
fn linear_convergence_fails_the_quadratic_check() {
    // The check above must be able to fail: a sequence contracting by ½ per
    // step (linear convergence) is rejected.
    let g: Vec<f64> = (0..60).map(|k| 0.5f64.powi(k)).collect();
    let result = std::panic::catch_unwind(|| assert_quadratic("linear", &g, 5.0, 0.2, 1e-300, 2));
    assert!(result.is_err());
    // ... and so is a loose constant forcing term, η = 0.5, which makes
    // truncated Newton linearly convergent.
    let n = 20;
    let p = exp_coupled(n);
    for r in [
        tr(tight(1e-14), Forcing::Constant(0.5))
            .solve(&p, exp_coupled_start(n).view())
            .unwrap(),
        ls(tight(1e-14), Forcing::Constant(0.5))
            .solve(&p, exp_coupled_start(n).view())
            .unwrap(),
    ] {
        let g = gradient_sequence(&r);
        let result =
            std::panic::catch_unwind(|| assert_quadratic("eta 0.5", &g, 5.0, 0.2, 1e-300, 2));
        assert!(result.is_err(), "η = 0.5 looked quadratic: {}", fmt_seq(&g));
    }
}

// ---------------------------------------------------------------------------
// Extended Rosenbrock at n = 10⁶.

#[test]
fn extended_rosenbrock_one_million() {
    let n = 1_000_000;
    let p = ExtendedRosenbrock::new(n).unwrap();
    let term = Termination {
        gtol_abs: 0.0,
        gtol_rel: 1e-8,
        ..Termination::default()
    };
    let r = TrustRegion::new(TrustRegionConfig {
        termination: term,
        ..TrustRegionConfig::default()
    })
    .solve(&p, p.start().view())
    .unwrap();
    assert_converged(&r);
    assert!(r.grad_norm <= 1e-8 * r.grad_norm0, "{}", r.summary());
    // Near x* = 1 each 2×2 block of the Hessian has λ_min ≈ 0.4, so
    // ‖x − 1‖ ≲ ‖g‖/0.4 and f ≲ ‖g‖²/(2·0.4).
    let err = r.x.iter().fold(0.0f64, |m, &v| m.max((v - 1.0).abs()));
    assert!(err <= 3.0 * r.grad_norm + 1e-12, "max |x-1| = {err:e}");
    assert!(
        r.f <= 2.0 * r.grad_norm * r.grad_norm + 1e-20,
        "f = {:e}",
        r.f
    );
    assert!(err <= 1e-4);
}

/// Damped dense Newton where the Hessian is indefinite: Rosenbrock at
/// (0, 1) has det ∇²f = 80000(x² − y) + 400 < 0, so plain Cholesky fails
/// and the solver must add τI (τ > 0, and H + τI positive definite: the
/// step is then a descent direction, gᵀp < 0) before reaching (1, 1).
#[test]
fn dense_newton_shifts_an_indefinite_hessian() {
    let x0 = array![0.0, 1.0];
    let h = {
        let mut h = ndarray::Array2::zeros((2, 2));
        assert!(Rosenbrock.dense_hessian(x0.view(), h.view_mut()));
        h
    };
    assert!(
        h[[0, 0]] * h[[1, 1]] - h[[0, 1]] * h[[1, 0]] < 0.0,
        "indefinite at x0"
    );
    let r = DenseNewton::default()
        .solve(&Rosenbrock, x0.view())
        .unwrap();
    assert_converged(&r);
    let first = &r.history[0];
    assert!(
        first.shift > 0.0,
        "no shift at an indefinite Hessian: {first:?}"
    );
    // H + τI is positive definite: its determinant and trace are positive.
    let t = first.shift;
    let det = (h[[0, 0]] + t) * (h[[1, 1]] + t) - h[[0, 1]] * h[[1, 0]];
    assert!(det > 0.0 && h[[0, 0]] + h[[1, 1]] + 2.0 * t > 0.0);
    // The shifted step is accepted and lowers f below f(x0) = 101.
    let mut g = ndarray::Array1::zeros(2);
    let f0 = Rosenbrock.value_grad(x0.view(), g.view_mut());
    assert!(
        first.accepted && first.f < f0,
        "{} vs f(x0) = {f0}",
        first.f
    );
    assert!(
        max_abs_diff(r.x.view(), array![1.0, 1.0].view()) <= 1e-8,
        "{:?}",
        r.x
    );
    // Near the solution the Hessian is positive definite: no shift.
    assert_eq!(r.history.last().unwrap().shift, 0.0);
}
