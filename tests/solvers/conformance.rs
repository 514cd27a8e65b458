//! The status suite: every solver runs through the same problems and must
//! report the same statuses, errors and bookkeeping, as in JSOSolvers'
//! `test/consistency.jl` (`reference/failure-modes.md`): budgets, the
//! callback, typed errors before the first iteration, non-finite values
//! during the run (injected, or from the function's own domain), and counts
//! checked against the calls really made.

use std::ops::ControlFlow;
use std::time::Duration;

use ndarray::{array, s, Array1, Array2, ArrayView1, ArrayViewMut1};
use steihaug::problems::cutest::Genrose;
use steihaug::problems::{DenseLogistic, ExtendedRosenbrock, Quadratic, Rosenbrock};
use steihaug::solvers::config::DEFAULT_MAX_CONSECUTIVE_FAILURES;
use steihaug::{
    minimize_with, ArmijoConfig, Callback, DenseNewton, DenseNewtonConfig, Error, FnObjective,
    Forcing, InitialRadius, Iterate, IterationRecord, KrylovConfig, LineSearchConfig,
    LineSearchNewtonCg, LinearOperator, Method, Objective, Options, Report, Result, Status,
    Termination, TrustRegion, TrustRegionConfig,
};

use crate::common::{Counted, Faulty, Recording, WithHessian};

/// Every solver of the crate.
const ALL: [Method; 3] = Method::ALL;
/// The solvers that take Newton-CG steps on Hessian-vector products.
const NEWTON_CG: [Method; 2] = [Method::TrustRegion, Method::LineSearch];

fn continue_always(_: &Iterate<'_>) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Solves with `method`, its defaults and the given termination rules.
fn solve_with<O: Objective + ?Sized>(
    method: Method,
    termination: Termination,
    obj: &O,
    x0: ArrayView1<'_, f64>,
    callback: &mut Callback<'_>,
) -> Result<Report> {
    let mut options = Options::new(method);
    *options.termination_mut() = termination;
    let r = minimize_with(obj, x0, &options, callback)?;
    assert_eq!(r.solver, method);
    Ok(r)
}

fn solve<O: Objective + ?Sized>(
    method: Method,
    termination: Termination,
    obj: &O,
    x0: ArrayView1<'_, f64>,
) -> Result<Report> {
    solve_with(method, termination, obj, x0, &mut continue_always)
}

fn term() -> Termination {
    Termination::default()
}

/// Rosenbrock's standard start; every solver needs well over 5 iterations.
fn rosenbrock_start() -> Array1<f64> {
    array![-1.2, 1.0]
}

/// The bookkeeping every report must satisfy, and its point: f and ‖∇f‖
/// reported are those of `obj` at the reported x.
fn assert_consistent<O: Objective + ?Sized>(method: Method, obj: &O, r: &Report) {
    let ctx = format!("{method:?}: {}", r.summary());
    let mut g = Array1::zeros(r.x.len());
    let f = obj.value_grad(r.x.view(), g.view_mut());
    assert_eq!(f.to_bits(), r.f.to_bits(), "f(x) = {f}; {ctx}");
    let gnorm = g.dot(&g).sqrt();
    assert!(
        (gnorm - r.grad_norm).abs() <= 1e-12 * gnorm,
        "‖∇f(x)‖ = {gnorm}; {ctx}"
    );
    assert_eq!(r.history.len(), r.iterations, "{ctx}");
    for (k, h) in r.history.iter().enumerate() {
        assert_eq!(h.iter, k + 1, "{ctx}");
    }
    let cg: u64 = r.history.iter().map(|h| h.krylov_iterations as u64).sum();
    assert_eq!(cg, r.counts.krylov_iterations, "{ctx}");
    assert!(
        r.history.windows(2).all(|w| w[0].hvps <= w[1].hvps),
        "{ctx}"
    );
    if let Some(last) = r.history.last() {
        assert_eq!(last.hvps, r.counts.hvps, "{ctx}");
        assert_eq!(last.f, r.f, "{ctx}");
        assert_eq!(last.grad_norm, r.grad_norm, "{ctx}");
    }
    if method.is_matrix_free() {
        // One product per CG iteration, GLTR's second pass, and the
        // second-order check's.
        assert_eq!(
            r.counts.hvps,
            r.counts.krylov_iterations + r.counts.pass2_hvps + r.counts.second_order_hvps,
            "{ctx}"
        );
    } else {
        assert_eq!(r.counts.krylov_iterations, 0, "{ctx}");
        assert!(r.history.iter().all(|h| h.krylov_exit.is_none()), "{ctx}");
    }
    if method == Method::TrustRegion {
        // One trial evaluation per iteration with a non-zero step, plus x0.
        let trials = r.history.iter().filter(|h| h.step_norm > 0.0).count() as u64;
        assert!(r.counts.evals <= 1 + trials, "{ctx}");
        // The Hessian is prepared only at accepted points (pitfalls §6).
        let accepted = r.history.iter().filter(|h| h.accepted).count() as u64;
        assert!(r.counts.hessians <= 1 + accepted, "{ctx}");
    }
}

// ---------------------------------------------------------------------------
// Start at the optimum.

#[test]
fn start_at_the_optimum() {
    let q = Quadratic::new(array![[2.0, 0.5], [0.5, 1.0]], array![0.0, 0.0]).unwrap();
    for method in ALL {
        let rosenbrock = solve(method, term(), &Rosenbrock, array![1.0, 1.0].view()).unwrap();
        assert_consistent(method, &Rosenbrock, &rosenbrock);
        let quadratic = solve(method, term(), &q, array![0.0, 0.0].view()).unwrap();
        assert_consistent(method, &q, &quadratic);
        for r in [rosenbrock, quadratic] {
            assert_eq!(r.status, Status::Converged, "{method:?}");
            assert_eq!(r.iterations, 0, "{method:?}");
            assert!(r.history.is_empty());
            // The trust region's second-order check (n = 2 Lanczos steps at
            // a minimizer) is the only work.
            assert_eq!(r.counts.hvps, r.counts.second_order_hvps, "{method:?}");
            let check = if method == Method::TrustRegion { 2 } else { 0 };
            assert_eq!(r.counts.second_order_hvps, check, "{method:?}");
            assert_eq!(r.counts.hessians, check.min(1), "{method:?}");
            assert_eq!(r.counts.evals, 1, "{method:?}");
            assert_eq!(r.grad_norm, 0.0);
        }
    }
}

// ---------------------------------------------------------------------------
// Budgets.

#[test]
fn max_iter_is_honoured() {
    for method in ALL {
        for max_iter in [0, 1, 3] {
            let t = Termination { max_iter, ..term() };
            let r = solve(method, t, &Rosenbrock, rosenbrock_start().view()).unwrap();
            assert_eq!(r.status, Status::MaxIterations, "{method:?}");
            assert_eq!(r.iterations, max_iter, "{method:?}");
            assert_consistent(method, &Rosenbrock, &r);
        }
    }
}

#[test]
fn max_hvps_is_honoured_exactly() {
    let ext = ExtendedRosenbrock::new(1000).unwrap();
    let genrose = Genrose::new(1000).unwrap();
    for method in NEWTON_CG {
        for max_hvps in [1u64, 2, 7, 50] {
            let t = Termination {
                max_hvps: Some(max_hvps),
                ..term()
            };
            let r = solve(method, t, &ext, ext.start().view()).unwrap();
            assert_eq!(r.status, Status::MaxHvps, "{method:?}, {max_hvps}");
            // The CG loop is cut at the remaining budget, so the budget is
            // used up exactly, never exceeded.
            assert_eq!(r.counts.hvps, max_hvps, "{method:?}: {}", r.summary());
            assert_consistent(method, &ext, &r);
        }
        // GENROSE needs thousands of products: budgets far into the run.
        for max_hvps in [1u64, 37, 500] {
            let t = Termination {
                max_hvps: Some(max_hvps),
                ..term()
            };
            let r = solve(method, t, &genrose, genrose.start().view()).unwrap();
            assert_eq!(r.status, Status::MaxHvps, "{method:?}, {max_hvps}");
            assert_eq!(r.counts.hvps, max_hvps, "{method:?}: {}", r.summary());
            assert_consistent(method, &genrose, &r);
        }
    }
}

#[test]
fn max_hvps_is_never_exceeded_by_dense_newton() {
    // Without a dense Hessian, dense Newton assembles H from n products per
    // iteration, so it cannot use a budget exactly; it must still not
    // exceed it.
    let p = DenseLogistic::synthetic(50, &[0.5, -1.0, 0.25, 2.0], 0.0, 3).unwrap();
    for max_hvps in [3u64, 4, 8, 9] {
        let t = Termination {
            max_hvps: Some(max_hvps),
            ..term()
        };
        let r = solve(Method::DenseNewton, t, &p, Array1::zeros(4).view()).unwrap();
        assert_eq!(r.status, Status::MaxHvps, "{}", r.summary());
        assert!(r.counts.hvps <= max_hvps, "{}", r.summary());
        assert_eq!(r.counts.hvps, 4 * (max_hvps / 4), "{}", r.summary());
        assert_consistent(Method::DenseNewton, &p, &r);
    }
}

#[test]
fn max_evals_is_honoured() {
    for method in ALL {
        for max_evals in [1u64, 2, 5] {
            let t = Termination {
                max_evals: Some(max_evals),
                ..term()
            };
            let r = solve(method, t, &Rosenbrock, rosenbrock_start().view()).unwrap();
            assert_eq!(
                r.status,
                Status::MaxEvaluations,
                "{method:?}: {}",
                r.summary()
            );
            assert!(r.counts.evals <= max_evals, "{method:?}: {}", r.summary());
            assert_consistent(method, &Rosenbrock, &r);
        }
    }
}

#[test]
fn max_time_is_honoured() {
    for method in ALL {
        for max_time in [Duration::ZERO, Duration::from_nanos(1)] {
            let t = Termination {
                max_time: Some(max_time),
                ..term()
            };
            let r = solve(method, t, &Rosenbrock, rosenbrock_start().view()).unwrap();
            assert_eq!(r.status, Status::TimeLimit, "{method:?}");
            assert_eq!(r.iterations, 0, "{method:?}");
            assert_consistent(method, &Rosenbrock, &r);
        }
    }
    // A deadline that passes during the run: every evaluation takes 2 ms,
    // and the solvers need far more than 5 evaluations.
    let slow = FnObjective::new(
        2,
        |x, g| {
            std::thread::sleep(Duration::from_millis(2));
            Rosenbrock.value_grad(x, g)
        },
        |x, v, out| Rosenbrock.hessian(x).apply(v, out),
    );
    for method in ALL {
        let t = Termination {
            max_time: Some(Duration::from_millis(10)),
            ..term()
        };
        let r = solve(method, t, &slow, rosenbrock_start().view()).unwrap();
        assert_eq!(r.status, Status::TimeLimit, "{method:?}: {}", r.summary());
        assert_consistent(method, &slow, &r);
    }
    // Dense Newton assembling H from 100 slow products (1 ms each) under a
    // 20 ms limit: it stops inside the first assembly, before all n
    // products, and counts the products it made.
    let p = Genrose::new(100).unwrap();
    let slow_hvp = FnObjective::new(
        100,
        |x, g| p.value_grad(x, g),
        |x, v, out| {
            std::thread::sleep(Duration::from_millis(1));
            p.hessian(x).apply(v, out)
        },
    );
    let t = Termination {
        max_time: Some(Duration::from_millis(20)),
        ..term()
    };
    let r = solve(Method::DenseNewton, t, &slow_hvp, p.start().view()).unwrap();
    assert_eq!(r.status, Status::TimeLimit, "{}", r.summary());
    assert!(r.counts.hvps < 100, "{}", r.summary());
    assert_eq!(r.iterations, 0);
    assert_consistent(Method::DenseNewton, &slow_hvp, &r);
}

// ---------------------------------------------------------------------------
// The callback.

#[test]
fn callback_break_stops_after_that_iteration() {
    for method in ALL {
        for stop_at in [1usize, 3] {
            let mut seen = Vec::new();
            let mut cb = |rec: &Iterate| {
                seen.push(rec.iter);
                if rec.iter == stop_at {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            };
            let r = solve_with(
                method,
                term(),
                &Rosenbrock,
                rosenbrock_start().view(),
                &mut cb,
            )
            .unwrap();
            assert_eq!(r.status, Status::StoppedByUser, "{method:?}");
            assert!(!r.status.is_converged());
            assert_eq!(r.iterations, stop_at, "{method:?}");
            assert_eq!(seen, (1..=stop_at).collect::<Vec<_>>());
            // The report holds the accepted point: f(x) is the reported f.
            assert_consistent(method, &Rosenbrock, &r);
        }
    }
}

// ---------------------------------------------------------------------------
// Errors before the first iteration.

type ValueGrad = fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64;

/// A counted objective in R² with value and gradient `f` and Hessian I.
fn counted_2d(f: ValueGrad) -> Counted<impl Objective> {
    Counted::new(FnObjective::new(2, f, |_x, v, mut out| out.assign(&v)))
}

#[test]
fn wrong_x0_length_is_a_dimension_mismatch() {
    for method in ALL {
        for x0 in [array![1.0], array![1.0, 2.0, 3.0]] {
            let e = solve(method, term(), &Rosenbrock, x0.view()).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::DimensionMismatch {
                        expected: 2,
                        found,
                        ..
                    } if found == x0.len()
                ),
                "{method:?}: {e}"
            );
        }
    }
}

#[test]
fn empty_problem_is_an_error() {
    let empty = FnObjective::new(0, |_x, _g| 0.0, |_x, _v, _out| {});
    for method in ALL {
        let e = solve(method, term(), &empty, Array1::zeros(0).view()).unwrap_err();
        assert_eq!(e, Error::EmptyProblem, "{method:?}");
    }
}

#[test]
fn non_finite_start_is_an_error() {
    let nan_f: ValueGrad = |x, g| {
        Rosenbrock.value_grad(x, g);
        f64::NAN
    };
    let inf_f: ValueGrad = |x, g| {
        Rosenbrock.value_grad(x, g);
        f64::INFINITY
    };
    let nan_g: ValueGrad = |x, mut g| {
        let f = Rosenbrock.value_grad(x, g.view_mut());
        g[1] = f64::NAN;
        f
    };
    let inf_g: ValueGrad = |x, mut g| {
        let f = Rosenbrock.value_grad(x, g.view_mut());
        g[1] = f64::INFINITY;
        f
    };
    let x0 = rosenbrock_start();
    for method in ALL {
        for x0 in [array![f64::NAN, 1.0], array![1.0, f64::INFINITY]] {
            let e = solve(method, term(), &Rosenbrock, x0.view()).unwrap_err();
            assert_eq!(e, Error::NonFiniteStart { what: "x0" }, "{method:?}");
        }
        for (obj, what) in [
            (counted_2d(nan_f), "f(x0)"),
            (counted_2d(inf_f), "f(x0)"),
            (counted_2d(nan_g), "gradient at x0"),
            (counted_2d(inf_g), "gradient at x0"),
        ] {
            let e = solve(method, term(), &obj, x0.view()).unwrap_err();
            assert_eq!(e, Error::NonFiniteStart { what }, "{method:?}");
            // It failed after the single evaluation at x0.
            assert_eq!(obj.evals.get(), 1, "{method:?}: {what}");
        }
    }
    // Pure Newton checks its start as the damped one does.
    for (obj, what) in [
        (counted_2d(nan_f), "f(x0)"),
        (counted_2d(inf_g), "gradient at x0"),
    ] {
        let e = DenseNewton::pure().solve(&obj, x0.view()).unwrap_err();
        assert_eq!(e, Error::NonFiniteStart { what });
        assert_eq!(obj.evals.get(), 1, "{what}");
    }
}

fn assert_invalid_option<O>(what: &str, r: Result<Report>, obj: &Counted<O>) {
    match r {
        Err(Error::InvalidOption { .. }) => {}
        other => panic!("{what}: expected InvalidOption, got {other:?}"),
    }
    assert_eq!(
        obj.evals.get(),
        0,
        "{what}: options are checked before f is evaluated"
    );
}

#[test]
fn invalid_options_are_rejected_before_any_evaluation() {
    let obj = Counted::new(Rosenbrock);
    let x0 = rosenbrock_start();

    let bad_terms = [
        Termination {
            gtol_abs: -1.0,
            ..term()
        },
        Termination {
            gtol_rel: -1e-8,
            ..term()
        },
        Termination {
            gtol_rel: f64::NAN,
            ..term()
        },
        Termination {
            ftol: -1.0,
            ..term()
        },
        Termination {
            xtol: f64::INFINITY,
            ..term()
        },
    ];
    for method in ALL {
        for t in bad_terms {
            assert_invalid_option(
                &format!("{method:?} {t:?}"),
                solve(method, t, &obj, x0.view()),
                &obj,
            );
        }
    }

    let cg_bad = [
        KrylovConfig {
            forcing: Forcing::Constant(1.5),
            ..KrylovConfig::default()
        },
        KrylovConfig {
            forcing: Forcing::Constant(0.0),
            ..KrylovConfig::default()
        },
        KrylovConfig {
            forcing: Forcing::Constant(f64::NAN),
            ..KrylovConfig::default()
        },
        KrylovConfig {
            max_iter: Some(0),
            ..KrylovConfig::default()
        },
        KrylovConfig {
            curvature_eps: -1.0,
            ..KrylovConfig::default()
        },
    ];
    for cg in cg_bad {
        let tr = TrustRegion::new(TrustRegionConfig {
            krylov: cg,
            ..TrustRegionConfig::default()
        });
        assert_invalid_option(&format!("TR {cg:?}"), tr.solve(&obj, x0.view()), &obj);
        let ls = LineSearchNewtonCg::new(LineSearchConfig {
            krylov: cg,
            ..LineSearchConfig::default()
        });
        assert_invalid_option(&format!("LS {cg:?}"), ls.solve(&obj, x0.view()), &obj);
    }

    let tr_bad = [
        TrustRegionConfig {
            eta_accept: 0.5,
            ..TrustRegionConfig::default()
        },
        TrustRegionConfig {
            eta_accept: -0.1,
            ..TrustRegionConfig::default()
        },
        TrustRegionConfig {
            initial_radius: InitialRadius::Constant(-1.0),
            ..TrustRegionConfig::default()
        },
        TrustRegionConfig {
            initial_radius: InitialRadius::GradientNorm(0.0),
            ..TrustRegionConfig::default()
        },
        TrustRegionConfig {
            max_radius: 0.0,
            ..TrustRegionConfig::default()
        },
        TrustRegionConfig {
            min_radius: 2.0,
            max_radius: 1.0,
            ..TrustRegionConfig::default()
        },
        TrustRegionConfig {
            max_consecutive_failures: 0,
            ..TrustRegionConfig::default()
        },
    ];
    for c in tr_bad {
        assert_invalid_option(
            &format!("TR {c:?}"),
            TrustRegion::new(c).solve(&obj, x0.view()),
            &obj,
        );
    }

    let armijo_bad = [
        ArmijoConfig {
            c1: 0.0,
            ..ArmijoConfig::default()
        },
        ArmijoConfig {
            c1: 1.0,
            ..ArmijoConfig::default()
        },
        ArmijoConfig {
            backtrack: 1.0,
            ..ArmijoConfig::default()
        },
        ArmijoConfig {
            backtrack: 0.0,
            ..ArmijoConfig::default()
        },
    ];
    for a in armijo_bad {
        let ls = LineSearchNewtonCg::new(LineSearchConfig {
            line_search: a,
            ..LineSearchConfig::default()
        });
        assert_invalid_option(&format!("LS {a:?}"), ls.solve(&obj, x0.view()), &obj);
        let dn = DenseNewton::new(DenseNewtonConfig {
            line_search: a,
            ..DenseNewtonConfig::default()
        });
        assert_invalid_option(&format!("dense {a:?}"), dn.solve(&obj, x0.view()), &obj);
    }
    let dn = DenseNewton::new(DenseNewtonConfig {
        symmetry_tol: -1.0,
        ..DenseNewtonConfig::default()
    });
    assert_invalid_option("dense symmetry_tol", dn.solve(&obj, x0.view()), &obj);
}

/// "Wrong-length output" from user code: the Objective API writes into
/// caller-owned buffers, so the only size the user controls is the Hessian
/// operator's; a wrong one is `Error::DimensionMismatch`, not a panic.
#[test]
fn hessian_of_the_wrong_dimension_is_an_error() {
    // ½‖x‖² in R³ whose operator is 4 × 4, 2 × 2, or 3 × 4 (the row count
    // is right, the column count is not).
    let shapes = [
        (Array2::eye(4), 4),
        (Array2::eye(2), 2),
        (Array2::eye(4).slice_move(s![..3, ..]), 4),
    ];
    for method in ALL {
        for (h, found) in &shapes {
            let wrong = WithHessian { n: 3, h: h.clone() };
            let e = solve(method, term(), &wrong, array![1.0, 2.0, 3.0].view()).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::DimensionMismatch {
                        expected: 3,
                        found: f,
                        ..
                    } if f == *found
                ),
                "{method:?}, {:?}: {e}",
                h.dim()
            );
        }
    }
}

#[test]
fn non_symmetric_hessian_is_an_error_for_dense_newton() {
    // f = ½‖x‖² with an HVP that applies [[1, 1], [0, 1]]: not a Hessian.
    let obj = FnObjective::new(
        2,
        |x, mut g| {
            g.assign(&x);
            0.5 * x.dot(&x)
        },
        |_x, v, mut out| {
            out[0] = v[0] + v[1];
            out[1] = v[1];
        },
    );
    let e = DenseNewton::default()
        .solve(&obj, array![1.0, -2.0].view())
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    let e = DenseNewton::pure()
        .solve(&obj, array![1.0, -2.0].view())
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
}

// ---------------------------------------------------------------------------
// Non-finite values during the run.

/// f(x) = √(1 + (x₀ − 1.9)²) + ½x₁², undefined (NaN) for x₀ > 2.
///
/// The first term is nearly linear far from x₀ = 1.9, so the model's
/// curvature is tiny there, steps go to the boundary, ρ ≈ 1 and the radius
/// doubles: from x₀ = −3 the trust-region iterates reach x₀ = 0 with Δ = 4 and
/// the next trial point has x₀ > 2. The minimizer (1.9, 0) is in the domain.
fn partial_domain() -> impl Objective {
    FnObjective::new(
        2,
        |x, mut g| {
            if x[0] > 2.0 {
                g.fill(f64::NAN);
                return f64::NAN;
            }
            let t = x[0] - 1.9;
            let s = (1.0 + t * t).sqrt();
            g[0] = t / s;
            g[1] = x[1];
            s + 0.5 * x[1] * x[1]
        },
        |x, v, mut out| {
            let t = x[0] - 1.9;
            out[0] = (1.0 + t * t).powf(-1.5) * v[0];
            out[1] = v[1];
        },
    )
}

#[test]
fn trust_region_rejects_and_shrinks_at_nan_trial_points() {
    let obj = partial_domain();
    let r = TrustRegion::default()
        .solve(&obj, array![-3.0, 1.0].view())
        .unwrap();
    assert_eq!(r.status, Status::Converged, "{}", r.summary());
    assert!(
        (r.x[0] - 1.9).abs() <= 1e-8 && r.x[1].abs() <= 1e-8,
        "{}",
        r.x
    );
    let rejected: Vec<_> = r
        .history
        .iter()
        .filter(|h| !h.accepted && h.ratio == f64::NEG_INFINITY)
        .collect();
    assert!(!rejected.is_empty(), "no NaN trial point was met");
    for h in rejected {
        assert!(h.next_radius <= 0.25 * h.radius.min(h.step_norm) * (1.0 + 1e-12));
    }
    assert_consistent(Method::TrustRegion, &obj, &r);

    // The line searches backtrack out of the undefined region.
    for method in [Method::LineSearch, Method::DenseNewton] {
        let r = solve(method, term(), &obj, array![-3.0, 1.0].view()).unwrap();
        assert_eq!(r.status, Status::Converged, "{method:?}: {}", r.summary());
        assert!((r.x[0] - 1.9).abs() <= 1e-8 && r.x[1].abs() <= 1e-8);
        assert_consistent(method, &obj, &r);
    }
}

/// Non-finite values injected at every 7th evaluation (f and every gradient
/// entry NaN, or +∞): the trust region rejects those trials with ρ = −∞ and
/// shrinks the radius, the line searches backtrack, and every solver still
/// reaches x* = 1.
#[test]
fn injected_non_finite_values_are_rejected_or_backtracked() {
    for bad in [f64::NAN, f64::INFINITY] {
        for method in ALL {
            let p = ExtendedRosenbrock::new(100).unwrap();
            let x0 = p.start();
            let obj = Faulty::new(p, 7, bad);
            let r = solve(method, term(), &obj, x0.view()).unwrap();
            let ctx = format!("{method:?}, {bad}: {}", r.summary());
            assert!(obj.injected.get() > 0, "{ctx}");
            assert!(r.status.is_converged(), "{ctx}");
            assert!(r.x.iter().all(|v| (v - 1.0).abs() < 1e-6), "{ctx}");
            if method == Method::TrustRegion {
                let rejected: Vec<&IterationRecord> = r
                    .history
                    .iter()
                    .filter(|h| h.ratio == f64::NEG_INFINITY)
                    .collect();
                assert!(!rejected.is_empty(), "{ctx}");
                for h in rejected {
                    assert!(!h.accepted, "{ctx}");
                    assert!(
                        h.next_radius <= 0.25 * h.radius.min(h.step_norm) * (1.0 + 1e-12),
                        "{h:?}"
                    );
                }
            } else {
                assert!(r.history.iter().any(|h| h.alpha < 1.0), "{ctx}");
            }
            assert_consistent(method, &obj.inner, &r);
        }
    }
}

/// `f = Σ c_i x_i − ln x_i`, `c_i = 1 + i/n`: NaN for x_i < 0 (and −∞ … +∞
/// at 0), minimizer `x_i = 1/c_i`.
fn log_barrier(c: &Array1<f64>) -> impl Objective + '_ {
    let n = c.len();
    FnObjective::new(
        n,
        move |x, mut g| {
            let mut f = 0.0;
            for i in 0..n {
                f += c[i] * x[i] - x[i].ln();
                g[i] = c[i] - 1.0 / x[i];
            }
            f
        },
        move |x, v, mut out| {
            for i in 0..n {
                out[i] = v[i] / (x[i] * x[i]);
            }
        },
    )
}

/// From x0 = 8 the Newton step `x − c x²` of [`log_barrier`] lands far
/// outside the domain, so every solver must reject or backtrack from
/// non-finite values that the function itself produces.
#[test]
fn nan_outside_the_domain_of_a_logarithm() {
    let n = 20;
    let c = Array1::from_shape_fn(n, |i| 1.0 + i as f64 / n as f64);
    let x0 = Array1::from_elem(n, 8.0);
    for method in ALL {
        let obj = Recording::new(log_barrier(&c));
        let r = solve(method, term(), &obj, x0.view()).unwrap();
        assert!(r.status.is_converged(), "{method:?}: {}", r.summary());
        assert!(r.x.iter().zip(&c).all(|(x, c)| (x * c - 1.0).abs() < 1e-6));
        // The domain was left (otherwise the test would test nothing).
        let outside = obj
            .points
            .borrow()
            .iter()
            .filter(|x| x.iter().any(|&v| v <= 0.0))
            .count();
        assert!(outside > 0, "{method:?}");
        assert_consistent(method, &obj.inner, &r);
    }
}

#[test]
fn nan_everywhere_but_x0_gives_non_finite_objective() {
    // f is finite only at the start: every trial is rejected, and after the
    // consecutive-failure limit the trust region stops with a typed status.
    let x0 = array![0.5, 0.5];
    let obj = FnObjective::new(
        2,
        move |x, mut g| {
            if x[0] == 0.5 && x[1] == 0.5 {
                g.assign(&x);
                0.5 * x.dot(&x)
            } else {
                g.fill(f64::NAN);
                f64::NAN
            }
        },
        |_x, v, mut out| out.assign(&v),
    );
    let r = TrustRegion::default().solve(&obj, x0.view()).unwrap();
    assert_eq!(r.status, Status::NonFiniteObjective, "{}", r.summary());
    assert_eq!(r.iterations, DEFAULT_MAX_CONSECUTIVE_FAILURES);
    assert_eq!(r.x, x0);
    assert!(r.history.iter().all(|h| h.ratio == f64::NEG_INFINITY));
    assert_consistent(Method::TrustRegion, &obj, &r);
}

#[test]
fn nan_hessian_products_give_non_finite_hessian() {
    let obj = FnObjective::new(
        2,
        |x, g| Rosenbrock.value_grad(x, g),
        |_x, _v, mut out| out.fill(f64::NAN),
    );
    let x0 = rosenbrock_start();
    let r = TrustRegion::default().solve(&obj, x0.view()).unwrap();
    assert_eq!(r.status, Status::NonFiniteHessian, "{}", r.summary());
    assert_eq!(r.iterations, DEFAULT_MAX_CONSECUTIVE_FAILURES);
    assert_eq!(r.x, x0, "no step is taken from a NaN model");
    assert_consistent(Method::TrustRegion, &obj, &r);

    // Line search: CG fails every time; steepest-descent fallback steps are
    // taken, but the run ends with the same status, not with "converged".
    let r = LineSearchNewtonCg::default()
        .solve(&obj, x0.view())
        .unwrap();
    assert_eq!(r.status, Status::NonFiniteHessian, "{}", r.summary());
    assert_consistent(Method::LineSearch, &obj, &r);

    // Dense Newton cannot factor a NaN matrix: the same status, with the
    // report (no step taken), not a wrong answer.
    let r = DenseNewton::default().solve(&obj, x0.view()).unwrap();
    assert_eq!(r.status, Status::NonFiniteHessian, "{}", r.summary());
    assert_eq!(r.x, x0);
    assert_eq!(r.counts.hvps, 2, "the two products that assembled H");
    assert_consistent(Method::DenseNewton, &obj, &r);
}

#[test]
fn singular_hessian_in_pure_newton_is_a_status() {
    // f = x₀ + x₁²: ∇²f = diag(0, 2) is singular and ∇f never vanishes.
    let obj = FnObjective::new(
        2,
        |x, mut g| {
            g[0] = 1.0;
            g[1] = 2.0 * x[1];
            x[0] + x[1] * x[1]
        },
        |_x, v, mut out| {
            out[0] = 0.0;
            out[1] = 2.0 * v[1];
        },
    );
    let r = DenseNewton::pure()
        .solve(&obj, array![0.0, 1.0].view())
        .unwrap();
    assert_eq!(r.status, Status::SingularHessian, "{}", r.summary());
    assert_eq!(r.iterations, 1);
    assert_eq!(r.x, array![0.0, 1.0]);
    assert_consistent(Method::DenseNewton, &obj, &r);
}

// ---------------------------------------------------------------------------
// Counts and the radius rule.

/// The largest |a_i − b_i|.
fn max_abs_diff(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

#[test]
fn counts_are_consistent_across_problems() {
    let logistic = DenseLogistic::synthetic(100, &[1.5, -1.0, 0.5], 0.1, 42).unwrap();
    let ext = ExtendedRosenbrock::new(100).unwrap();
    // The logistic fit has no closed form: the dense solver's answer,
    // checked by the size of its gradient.
    let w_star = solve(
        Method::DenseNewton,
        term(),
        &logistic,
        Array1::zeros(3).view(),
    )
    .unwrap();
    assert!(w_star.grad_norm <= 1e-8 * w_star.grad_norm0);
    for method in ALL {
        // The default test ‖g‖ ≤ 1e-8‖g₀‖ leaves x within 1e-5 of x* on
        // these well-conditioned minimizers.
        let r = solve(method, term(), &Rosenbrock, rosenbrock_start().view()).unwrap();
        assert_eq!(r.status, Status::Converged);
        assert!(
            max_abs_diff(r.x.view(), array![1.0, 1.0].view()) <= 1e-5,
            "{method:?}: {}",
            r.x
        );
        assert_consistent(method, &Rosenbrock, &r);
        let r = solve(method, term(), &logistic, Array1::zeros(3).view()).unwrap();
        assert_eq!(r.status, Status::Converged);
        assert!(
            max_abs_diff(r.x.view(), w_star.x.view()) <= 1e-5,
            "{method:?}: {}",
            r.x
        );
        assert_consistent(method, &logistic, &r);
        if method == Method::DenseNewton {
            // Assembled from 3 products per Hessian.
            assert_eq!(r.counts.hvps, 3 * r.counts.hessians);
        }
        let r = solve(method, term(), &ext, ext.start().view()).unwrap();
        assert_eq!(r.status, Status::Converged);
        assert!(
            max_abs_diff(r.x.view(), Array1::ones(100).view()) <= 1e-5,
            "{method:?}"
        );
        assert_consistent(method, &ext, &r);
    }
}

#[test]
fn radius_shrinks_on_rejection_relative_to_the_step() {
    // Large initial radii force rejected steps on Rosenbrock; the NaN
    // problem adds rejections at ρ = −∞.
    let obj = partial_domain();
    let mut rejections = 0;
    for r0 in [1.0, 10.0, 100.0, 1e4] {
        let tr = TrustRegion::new(TrustRegionConfig {
            initial_radius: InitialRadius::Constant(r0),
            termination: Termination {
                gtol_abs: 1e-12,
                gtol_rel: 0.0,
                ..term()
            },
            ..TrustRegionConfig::default()
        });
        let standard = tr.solve(&Rosenbrock, rosenbrock_start().view()).unwrap();
        assert_consistent(Method::TrustRegion, &Rosenbrock, &standard);
        let far = tr.solve(&Rosenbrock, array![3.0, -2.0].view()).unwrap();
        assert_consistent(Method::TrustRegion, &Rosenbrock, &far);
        let nan = tr.solve(&obj, array![-3.0, 1.0].view()).unwrap();
        assert_consistent(Method::TrustRegion, &obj, &nan);
        let eta = tr.config.eta_accept;
        for r in [standard, far, nan] {
            assert_eq!(r.status, Status::Converged, "Δ₀ = {r0}: {}", r.summary());
            assert_eq!(r.history[0].radius, r0);
            for w in r.history.windows(2) {
                assert_eq!(w[1].radius, w[0].next_radius);
            }
            for h in &r.history {
                // ‖p‖ ≤ Δ (no preconditioner).
                assert!(h.step_norm <= h.radius * (1.0 + 1e-12));
                // Accepted exactly when ρ > η_accept (ρ is NaN when no trial
                // point was evaluated).
                assert_eq!(h.accepted, h.ratio > eta, "ρ = {}", h.ratio);
                if h.accepted {
                    assert!(h.next_radius <= 2.0 * h.radius);
                    assert!(h.next_radius >= h.radius || h.ratio < 0.25);
                } else {
                    rejections += 1;
                    assert!(
                        h.next_radius <= 0.25 * h.radius.min(h.step_norm) * (1.0 + 1e-12),
                        "Δ = {}, ‖p‖ = {}, next Δ = {}",
                        h.radius,
                        h.step_norm,
                        h.next_radius
                    );
                }
            }
        }
    }
    assert!(rejections >= 10, "only {rejections} rejected steps");
}

/// The report's counts are the calls made: one product per CG iteration
/// (the predicted reduction costs no product), and nothing uncounted. On
/// extended Rosenbrock at n = 1000 (boundary, negative-curvature and
/// rejected steps from the standard start), with an HVP budget too; dense
/// Newton, which assembles H from n products, on Rosenbrock.
#[test]
fn counts_are_the_calls_really_made() {
    for method in ALL {
        for budget in [None, Some(40u64)] {
            let t = Termination {
                max_hvps: budget.filter(|_| method != Method::DenseNewton),
                ..term()
            };
            if method == Method::DenseNewton {
                let obj = Counted::new(Rosenbrock);
                let r = solve(method, t, &obj, rosenbrock_start().view()).unwrap();
                assert_eq!(r.counts.hvps, obj.products.get(), "{method:?}");
                assert_eq!(r.counts.evals, obj.evals.get(), "{method:?}");
                assert_eq!(r.counts.hessians, obj.hessians.get(), "{method:?}");
                assert_consistent(method, &obj.inner, &r);
            } else {
                let obj = Counted::new(ExtendedRosenbrock::new(1000).unwrap());
                let r = solve(method, t, &obj, obj.inner.start().view()).unwrap();
                let ctx = format!("{method:?}, budget {budget:?}: {}", r.summary());
                assert_eq!(r.counts.hvps, obj.products.get(), "{ctx}");
                assert_eq!(
                    r.counts.krylov_iterations + r.counts.pass2_hvps + r.counts.second_order_hvps,
                    obj.products.get(),
                    "{ctx}"
                );
                assert_eq!(r.counts.evals, obj.evals.get(), "{ctx}");
                assert_eq!(r.counts.hessians, obj.hessians.get(), "{ctx}");
                if let Some(b) = budget {
                    assert_eq!(obj.products.get(), b, "{ctx}");
                }
                assert_consistent(method, &obj.inner, &r);
            }
        }
    }
}
