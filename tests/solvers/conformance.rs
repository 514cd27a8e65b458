//! One conformance suite for every solver: the same budgets, statuses,
//! errors and bookkeeping rules, checked for trust region, line search and
//! dense Newton alike (`reference/failure-modes.md`).

use std::cell::Cell;
use std::ops::ControlFlow;
use std::time::Duration;

use ndarray::{array, Array1, Array2, ArrayView1, ArrayViewMut1};
use steihaug::problems::{DenseLogistic, ExtendedRosenbrock, Quadratic, Rosenbrock};
use steihaug::solvers::config::DEFAULT_MAX_CONSECUTIVE_FAILURES;
use steihaug::{
    ArmijoConfig, Callback, DenseNewton, DenseNewtonConfig, Error, FnObjective, Forcing,
    InitialRadius, KrylovConfig, LineSearchConfig, LineSearchNewtonCg, Objective, Report, Result,
    Status, Termination, TrustRegion, TrustRegionConfig,
};

use crate::common::WithHessian;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    TrustRegion,
    LineSearch,
    Dense,
}

const ALL: [Kind; 3] = [Kind::TrustRegion, Kind::LineSearch, Kind::Dense];
const NEWTON_CG: [Kind; 2] = [Kind::TrustRegion, Kind::LineSearch];

fn continue_always(_: &steihaug::Iterate<'_>) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Solves with `kind` and the given termination rules, default otherwise.
fn solve_with<O: Objective + ?Sized>(
    kind: Kind,
    termination: Termination,
    obj: &O,
    x0: ArrayView1<'_, f64>,
    callback: &mut Callback<'_>,
) -> Result<Report> {
    match kind {
        Kind::TrustRegion => TrustRegion::new(TrustRegionConfig {
            termination,
            ..TrustRegionConfig::default()
        })
        .solve_with(obj, x0, callback),
        Kind::LineSearch => LineSearchNewtonCg::new(LineSearchConfig {
            termination,
            ..LineSearchConfig::default()
        })
        .solve_with(obj, x0, callback),
        Kind::Dense => DenseNewton::new(DenseNewtonConfig {
            termination,
            ..DenseNewtonConfig::default()
        })
        .solve_with(obj, x0, callback),
    }
}

fn solve<O: Objective + ?Sized>(
    kind: Kind,
    termination: Termination,
    obj: &O,
    x0: ArrayView1<'_, f64>,
) -> Result<Report> {
    solve_with(kind, termination, obj, x0, &mut continue_always)
}

fn term() -> Termination {
    Termination::default()
}

/// Rosenbrock's standard start; every solver needs well over 5 iterations.
fn rosenbrock_start() -> Array1<f64> {
    array![-1.2, 1.0]
}

/// The bookkeeping every report must satisfy.
fn assert_consistent(kind: Kind, r: &Report) {
    let ctx = format!("{kind:?}: {}", r.summary());
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
    assert!(r.counts.evals >= 1, "{ctx}");
    match kind {
        Kind::TrustRegion | Kind::LineSearch => {
            // One product per CG iteration, none elsewhere.
            assert_eq!(r.counts.hvps, r.counts.krylov_iterations, "{ctx}");
        }
        Kind::Dense => {
            assert_eq!(r.counts.krylov_iterations, 0, "{ctx}");
            assert!(r.history.iter().all(|h| h.krylov_exit.is_none()), "{ctx}");
        }
    }
    if kind == Kind::TrustRegion {
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
    for kind in ALL {
        for r in [
            solve(kind, term(), &Rosenbrock, array![1.0, 1.0].view()).unwrap(),
            solve(kind, term(), &q, array![0.0, 0.0].view()).unwrap(),
        ] {
            assert_eq!(r.status, Status::Converged, "{kind:?}");
            assert_eq!(r.iterations, 0, "{kind:?}");
            assert!(r.history.is_empty());
            assert_eq!(r.counts.hvps, 0, "{kind:?}");
            assert_eq!(r.counts.hessians, 0, "{kind:?}");
            assert_eq!(r.counts.evals, 1, "{kind:?}");
            assert_eq!(r.grad_norm, 0.0);
            assert_consistent(kind, &r);
        }
    }
}

// ---------------------------------------------------------------------------
// Budgets.

#[test]
fn max_iter_is_honoured() {
    for kind in ALL {
        for max_iter in [0, 1, 3] {
            let t = Termination { max_iter, ..term() };
            let r = solve(kind, t, &Rosenbrock, rosenbrock_start().view()).unwrap();
            assert_eq!(r.status, Status::MaxIterations, "{kind:?}");
            assert_eq!(r.iterations, max_iter, "{kind:?}");
            assert_consistent(kind, &r);
        }
    }
}

#[test]
fn max_hvps_is_honoured_exactly() {
    let p = ExtendedRosenbrock::new(1000).unwrap();
    for kind in NEWTON_CG {
        for max_hvps in [1u64, 2, 7, 50] {
            let t = Termination {
                max_hvps: Some(max_hvps),
                ..term()
            };
            let r = solve(kind, t, &p, p.start().view()).unwrap();
            assert_eq!(r.status, Status::MaxHvps, "{kind:?}, {max_hvps}");
            // The CG loop is cut at the remaining budget, so the budget is
            // used up exactly, never exceeded.
            assert_eq!(r.counts.hvps, max_hvps, "{kind:?}: {}", r.summary());
            assert_consistent(kind, &r);
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
        let r = solve(Kind::Dense, t, &p, Array1::zeros(4).view()).unwrap();
        assert_eq!(r.status, Status::MaxHvps, "{}", r.summary());
        assert!(r.counts.hvps <= max_hvps, "{}", r.summary());
        assert_eq!(r.counts.hvps, 4 * (max_hvps / 4), "{}", r.summary());
        assert_consistent(Kind::Dense, &r);
    }
}

#[test]
fn max_evals_is_honoured() {
    for kind in ALL {
        for max_evals in [1u64, 2, 5] {
            let t = Termination {
                max_evals: Some(max_evals),
                ..term()
            };
            let r = solve(kind, t, &Rosenbrock, rosenbrock_start().view()).unwrap();
            assert_eq!(
                r.status,
                Status::MaxEvaluations,
                "{kind:?}: {}",
                r.summary()
            );
            assert!(r.counts.evals <= max_evals, "{kind:?}: {}", r.summary());
            assert_consistent(kind, &r);
        }
    }
}

#[test]
fn max_time_is_honoured() {
    for kind in ALL {
        for max_time in [Duration::ZERO, Duration::from_nanos(1)] {
            let t = Termination {
                max_time: Some(max_time),
                ..term()
            };
            let r = solve(kind, t, &Rosenbrock, rosenbrock_start().view()).unwrap();
            assert_eq!(r.status, Status::TimeLimit, "{kind:?}");
            assert_eq!(r.iterations, 0, "{kind:?}");
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
        |x, v, out| {
            use steihaug::LinearOperator;
            Rosenbrock.hessian(x).apply(v, out)
        },
    );
    for kind in ALL {
        let t = Termination {
            max_time: Some(Duration::from_millis(10)),
            ..term()
        };
        let r = solve(kind, t, &slow, rosenbrock_start().view()).unwrap();
        assert_eq!(r.status, Status::TimeLimit, "{kind:?}: {}", r.summary());
        assert_consistent(kind, &r);
    }
}

// ---------------------------------------------------------------------------
// The callback.

#[test]
fn callback_break_stops_after_that_iteration() {
    for kind in ALL {
        for stop_at in [1usize, 3] {
            let mut seen = Vec::new();
            let mut cb = |rec: &steihaug::Iterate| {
                seen.push(rec.iter);
                if rec.iter == stop_at {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            };
            let r = solve_with(
                kind,
                term(),
                &Rosenbrock,
                rosenbrock_start().view(),
                &mut cb,
            )
            .unwrap();
            assert_eq!(r.status, Status::StoppedByUser, "{kind:?}");
            assert_eq!(r.iterations, stop_at, "{kind:?}");
            assert_eq!(seen, (1..=stop_at).collect::<Vec<_>>());
            assert_consistent(kind, &r);
            // The report holds the accepted point: f(x) is the reported f.
            let mut g = Array1::zeros(2);
            assert_eq!(Rosenbrock.value_grad(r.x.view(), g.view_mut()), r.f);
        }
    }
}

// ---------------------------------------------------------------------------
// Errors before the first iteration.

/// Counts `value_grad` calls of an inner objective.
fn counting<'a>(
    evals: &'a Cell<usize>,
    f: impl Fn(ArrayView1<'_, f64>, ArrayViewMut1<'_, f64>) -> f64 + 'a,
) -> impl Objective + 'a {
    FnObjective::new(
        2,
        move |x, g| {
            evals.set(evals.get() + 1);
            f(x, g)
        },
        |_x, v, mut out| out.assign(&v),
    )
}

#[test]
fn wrong_x0_length_is_a_dimension_mismatch() {
    for kind in ALL {
        for x0 in [array![1.0], array![1.0, 2.0, 3.0]] {
            let e = solve(kind, term(), &Rosenbrock, x0.view()).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::DimensionMismatch {
                        expected: 2,
                        found,
                        ..
                    } if found == x0.len()
                ),
                "{kind:?}: {e}"
            );
        }
    }
}

#[test]
fn empty_problem_is_an_error() {
    let empty = FnObjective::new(0, |_x, _g| 0.0, |_x, _v, _out| {});
    for kind in ALL {
        let e = solve(kind, term(), &empty, Array1::zeros(0).view()).unwrap_err();
        assert_eq!(e, Error::EmptyProblem, "{kind:?}");
    }
}

#[test]
fn non_finite_start_is_an_error() {
    let nan_f = |x: ArrayView1<'_, f64>, g: ArrayViewMut1<'_, f64>| {
        Rosenbrock.value_grad(x, g);
        f64::NAN
    };
    let inf_f = |x: ArrayView1<'_, f64>, g: ArrayViewMut1<'_, f64>| {
        Rosenbrock.value_grad(x, g);
        f64::INFINITY
    };
    let nan_g = |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
        let f = Rosenbrock.value_grad(x, g.view_mut());
        g[1] = f64::NAN;
        f
    };
    for kind in ALL {
        for x0 in [array![f64::NAN, 1.0], array![1.0, f64::INFINITY]] {
            let e = solve(kind, term(), &Rosenbrock, x0.view()).unwrap_err();
            assert_eq!(e, Error::NonFiniteStart { what: "x0" }, "{kind:?}");
        }
        let x0 = rosenbrock_start();
        let evals = Cell::new(0);
        let e = solve(kind, term(), &counting(&evals, nan_f), x0.view()).unwrap_err();
        assert_eq!(e, Error::NonFiniteStart { what: "f(x0)" }, "{kind:?}");
        let e = solve(kind, term(), &counting(&evals, inf_f), x0.view()).unwrap_err();
        assert_eq!(e, Error::NonFiniteStart { what: "f(x0)" }, "{kind:?}");
        let e = solve(kind, term(), &counting(&evals, nan_g), x0.view()).unwrap_err();
        assert_eq!(
            e,
            Error::NonFiniteStart {
                what: "gradient at x0"
            },
            "{kind:?}"
        );
        // Each failed after the single evaluation at x0.
        assert_eq!(evals.get(), 3);
    }
}

fn assert_invalid_option(what: &str, r: Result<Report>, evals: &Cell<usize>) {
    match r {
        Err(Error::InvalidOption { .. }) => {}
        other => panic!("{what}: expected InvalidOption, got {other:?}"),
    }
    assert_eq!(
        evals.get(),
        0,
        "{what}: options are checked before f is evaluated"
    );
}

#[test]
fn invalid_options_are_rejected_before_any_evaluation() {
    let evals = Cell::new(0);
    let obj = counting(&evals, |x, g| Rosenbrock.value_grad(x, g));
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
    for kind in ALL {
        for t in bad_terms {
            assert_invalid_option(
                &format!("{kind:?} {t:?}"),
                solve(kind, t, &obj, x0.view()),
                &evals,
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
        assert_invalid_option(&format!("TR {cg:?}"), tr.solve(&obj, x0.view()), &evals);
        let ls = LineSearchNewtonCg::new(LineSearchConfig {
            krylov: cg,
            ..LineSearchConfig::default()
        });
        assert_invalid_option(&format!("LS {cg:?}"), ls.solve(&obj, x0.view()), &evals);
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
            &evals,
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
        assert_invalid_option(&format!("LS {a:?}"), ls.solve(&obj, x0.view()), &evals);
        let dn = DenseNewton::new(DenseNewtonConfig {
            line_search: a,
            ..DenseNewtonConfig::default()
        });
        assert_invalid_option(&format!("dense {a:?}"), dn.solve(&obj, x0.view()), &evals);
    }
    let dn = DenseNewton::new(DenseNewtonConfig {
        symmetry_tol: -1.0,
        ..DenseNewtonConfig::default()
    });
    assert_invalid_option("dense symmetry_tol", dn.solve(&obj, x0.view()), &evals);
}

#[test]
fn hessian_of_the_wrong_dimension_is_an_error() {
    for kind in ALL {
        // ½‖x‖² in R³ whose operator is 4 × 4.
        let wrong = WithHessian {
            n: 3,
            h: Array2::eye(4),
        };
        let e = solve(kind, term(), &wrong, array![1.0, 2.0, 3.0].view()).unwrap_err();
        assert!(
            matches!(
                e,
                Error::DimensionMismatch {
                    expected: 3,
                    found: 4,
                    ..
                }
            ),
            "{kind:?}: {e}"
        );
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
    assert_consistent(Kind::TrustRegion, &r);

    // The line searches backtrack out of the undefined region.
    for kind in [Kind::LineSearch, Kind::Dense] {
        let r = solve(kind, term(), &obj, array![-3.0, 1.0].view()).unwrap();
        assert_eq!(r.status, Status::Converged, "{kind:?}: {}", r.summary());
        assert!((r.x[0] - 1.9).abs() <= 1e-8 && r.x[1].abs() <= 1e-8);
        assert_consistent(kind, &r);
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
    assert_consistent(Kind::TrustRegion, &r);
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
    assert_consistent(Kind::TrustRegion, &r);

    // Line search: CG fails every time; steepest-descent fallback steps are
    // taken, but the run ends with the same status, not with "converged".
    let r = LineSearchNewtonCg::default()
        .solve(&obj, x0.view())
        .unwrap();
    assert_eq!(r.status, Status::NonFiniteHessian, "{}", r.summary());
    assert_consistent(Kind::LineSearch, &r);

    // Dense Newton cannot factor a NaN matrix: the same status, with the
    // report (no step taken), not a wrong answer.
    let r = DenseNewton::default().solve(&obj, x0.view()).unwrap();
    assert_eq!(r.status, Status::NonFiniteHessian, "{}", r.summary());
    assert_eq!(r.x, x0);
    assert_eq!(r.counts.hvps, 2, "the two products that assembled H");
    assert_consistent(Kind::Dense, &r);
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
    assert_consistent(Kind::Dense, &r);
}

// ---------------------------------------------------------------------------
// Counts and the radius rule.

#[test]
fn counts_are_consistent_across_problems() {
    let logistic = DenseLogistic::synthetic(100, &[1.5, -1.0, 0.5], 0.1, 42).unwrap();
    let ext = ExtendedRosenbrock::new(100).unwrap();
    for kind in ALL {
        let r = solve(kind, term(), &Rosenbrock, rosenbrock_start().view()).unwrap();
        assert_eq!(r.status, Status::Converged);
        assert_consistent(kind, &r);
        let r = solve(kind, term(), &logistic, Array1::zeros(3).view()).unwrap();
        assert_eq!(r.status, Status::Converged);
        assert_consistent(kind, &r);
        if kind == Kind::Dense {
            // Assembled from 3 products per Hessian.
            assert_eq!(r.counts.hvps, 3 * r.counts.hessians);
        }
        let r = solve(kind, term(), &ext, ext.start().view()).unwrap();
        assert_eq!(r.status, Status::Converged);
        assert_consistent(kind, &r);
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
        for r in [
            tr.solve(&Rosenbrock, rosenbrock_start().view()).unwrap(),
            tr.solve(&Rosenbrock, array![3.0, -2.0].view()).unwrap(),
            tr.solve(&obj, array![-3.0, 1.0].view()).unwrap(),
        ] {
            assert_eq!(r.status, Status::Converged, "Δ₀ = {r0}: {}", r.summary());
            assert_consistent(Kind::TrustRegion, &r);
            assert_eq!(r.history[0].radius, r0);
            for w in r.history.windows(2) {
                assert_eq!(w[1].radius, w[0].next_radius);
            }
            for h in &r.history {
                // ‖p‖ ≤ Δ (no preconditioner).
                assert!(h.step_norm <= h.radius * (1.0 + 1e-12));
                if h.accepted {
                    assert!(h.next_radius <= 2.0 * h.radius);
                    assert!(h.next_radius >= h.radius || h.ratio < 0.25);
                } else {
                    rejections += 1;
                    assert!(h.ratio < 0.25 || h.ratio.is_nan());
                    assert!(h.next_radius <= h.radius);
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

/// Wraps an objective and counts the calls the solver really makes, so the
/// report's counters are checked against something they do not compute.
struct Counted<O> {
    inner: O,
    evals: Cell<u64>,
    hessians: Cell<u64>,
    products: std::rc::Rc<Cell<u64>>,
}

struct CountedOp<H> {
    inner: H,
    products: std::rc::Rc<Cell<u64>>,
}

impl<H: steihaug::LinearOperator> steihaug::LinearOperator for CountedOp<H> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn apply(&self, v: ArrayView1<'_, f64>, out: ArrayViewMut1<'_, f64>) {
        self.products.set(self.products.get() + 1);
        self.inner.apply(v, out)
    }
}

impl<O: Objective> Objective for Counted<O> {
    type Hessian<'a>
        = CountedOp<O::Hessian<'a>>
    where
        Self: 'a;
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn value_grad(&self, x: ArrayView1<'_, f64>, g: ArrayViewMut1<'_, f64>) -> f64 {
        self.evals.set(self.evals.get() + 1);
        self.inner.value_grad(x, g)
    }
    fn hessian(&self, x: ArrayView1<'_, f64>) -> Self::Hessian<'_> {
        self.hessians.set(self.hessians.get() + 1);
        CountedOp {
            inner: self.inner.hessian(x),
            products: self.products.clone(),
        }
    }
}

fn counted<O>(inner: O) -> Counted<O> {
    Counted {
        inner,
        evals: Cell::new(0),
        hessians: Cell::new(0),
        products: Default::default(),
    }
}

/// The report's counts are the calls made: one product per CG iteration
/// (the predicted reduction costs no product), and nothing uncounted. On
/// extended Rosenbrock (boundary, negative-curvature and rejected steps
/// from the standard start) and a quadratic; with an HVP budget too.
#[test]
fn counts_are_the_calls_really_made() {
    let rosen = ExtendedRosenbrock::new(1000).unwrap();
    for kind in ALL {
        for budget in [None, Some(40u64)] {
            let obj = counted(ExtendedRosenbrock::new(1000).unwrap());
            let t = Termination {
                max_hvps: budget.filter(|_| kind != Kind::Dense),
                ..term()
            };
            let x0 = rosen.start();
            let r = if kind == Kind::Dense {
                let small = counted(Rosenbrock);
                let r = solve(kind, t, &small, rosenbrock_start().view()).unwrap();
                assert_eq!(r.counts.hvps, small.products.get(), "{kind:?}");
                assert_eq!(r.counts.evals, small.evals.get(), "{kind:?}");
                assert_eq!(r.counts.hessians, small.hessians.get(), "{kind:?}");
                r
            } else {
                let r = solve(kind, t, &obj, x0.view()).unwrap();
                let ctx = format!("{kind:?}, budget {budget:?}: {}", r.summary());
                assert_eq!(r.counts.hvps, obj.products.get(), "{ctx}");
                assert_eq!(r.counts.krylov_iterations, obj.products.get(), "{ctx}");
                assert_eq!(r.counts.evals, obj.evals.get(), "{ctx}");
                assert_eq!(r.counts.hessians, obj.hessians.get(), "{ctx}");
                if let Some(b) = budget {
                    assert_eq!(obj.products.get(), b, "{ctx}");
                }
                r
            };
            assert_consistent(kind, &r);
        }
    }
}
