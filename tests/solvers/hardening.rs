//! Statuses that never flatter (issue 13): a NaN Hessian is never
//! `Converged`, convergence wins over a callback's stop on the same
//! iteration, an objective unbounded below ends `Unbounded`, a forged
//! checkpoint `grad_norm0` is refused, and the checkpoint reader never
//! panics on arbitrary bytes.

use std::ops::ControlFlow;

use ndarray::{array, Array1, ArrayView1, ArrayViewMut1};
use proptest::prelude::*;
use steihaug::problems::ExtendedRosenbrock;
use steihaug::solvers::checkpoint::{Checkpoint, Checkpointing};
use steihaug::{minimize_with, FnObjective, Iterate, Method, Options, Status, TrustRegion};

use crate::common::check_cases;

const METHODS: [Method; 3] = [Method::TrustRegion, Method::LineSearch, Method::DenseNewton];

/// f = ½‖x − 1‖² with every Hessian-vector product NaN.
fn nan_hessian() -> impl steihaug::Objective {
    FnObjective::new(
        3,
        |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
            let mut f = 0.0;
            for i in 0..3 {
                g[i] = x[i] - 1.0;
                f += 0.5 * g[i] * g[i];
            }
            f
        },
        |_x: ArrayView1<'_, f64>, _v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>| {
            out.fill(f64::NAN)
        },
    )
}

#[test]
fn a_nan_hessian_is_never_converged() {
    let obj = nan_hessian();
    for method in METHODS {
        let r = minimize_with(
            &obj,
            array![0.0, 0.0, 0.0].view(),
            &Options::new(method),
            &mut |_: &Iterate<'_>| ControlFlow::Continue(()),
        )
        .unwrap();
        assert_eq!(r.status, Status::NonFiniteHessian, "{method}");
        // No step was taken: the point is still x0.
        assert!(r.x.iter().all(|&v| v == 0.0), "{method}: {:?}", r.x);
    }
}

#[test]
fn convergence_wins_over_a_stop_on_the_same_iteration() {
    let problem = ExtendedRosenbrock::new(20).unwrap();
    for method in METHODS {
        let options = Options::new(method);
        let full = steihaug::minimize(&problem, problem.start().view(), &options).unwrap();
        assert!(full.status.is_converged(), "{method}");
        let last = full.iterations;
        // Stop on the last iteration, the one that converges.
        let mut stop_at_last = |it: &Iterate<'_>| {
            if it.iter >= last {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let r = minimize_with(
            &problem,
            problem.start().view(),
            &options,
            &mut stop_at_last,
        )
        .unwrap();
        assert_eq!(r.status, Status::Converged, "{method}");
        assert_eq!(r.iterations, last, "{method}");
        // One iteration earlier, the stop is the callback's.
        let mut stop_before = |it: &Iterate<'_>| {
            if it.iter + 1 >= last {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let r =
            minimize_with(&problem, problem.start().view(), &options, &mut stop_before).unwrap();
        assert_eq!(r.status, Status::StoppedByUser, "{method}");
    }
}

/// f = −Σ x_i (linear, unbounded below), H = 0.
fn linear() -> impl steihaug::Objective {
    FnObjective::new(
        2,
        |x: ArrayView1<'_, f64>, mut g: ArrayViewMut1<'_, f64>| {
            g.fill(-1.0);
            -(x[0] + x[1])
        },
        |_x: ArrayView1<'_, f64>, _v: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>| {
            out.fill(0.0)
        },
    )
}

#[test]
fn an_objective_unbounded_below_ends_unbounded_for_every_solver() {
    let obj = linear();
    for method in METHODS {
        let mut options = Options::new(method);
        options.termination_mut().f_floor = -100.0;
        let r = steihaug::minimize(&obj, Array1::zeros(2).view(), &options).unwrap();
        assert_eq!(r.status, Status::Unbounded, "{method}: f = {}", r.f);
        assert!(r.f < -100.0, "{method}");
        assert!(!r.status.is_converged());
        assert_eq!(r.status.as_str(), "unbounded");
    }
    assert_eq!(steihaug::Termination::default().f_floor, -1e300);
}

fn checkpoint_after(iters: usize) -> (ExtendedRosenbrock, Checkpoint) {
    let problem = ExtendedRosenbrock::new(100).unwrap();
    let mut saved = Vec::new();
    let mut sink = |c: &Checkpoint| {
        saved.push(c.clone());
        Ok(())
    };
    TrustRegion::default()
        .solve_with_checkpoints(
            &problem,
            problem.start().view(),
            Checkpointing {
                every: 1,
                sink: &mut sink,
            },
            &mut |_: &Iterate<'_>| ControlFlow::Continue(()),
        )
        .unwrap();
    let cp = saved[iters - 1].clone();
    (problem, cp)
}

#[test]
fn a_forged_grad_norm0_is_refused() {
    let (problem, cp) = checkpoint_after(3);
    assert!(cp.verify_start(&problem, problem.start().view()).is_ok());
    // 1e300 makes the stored point pass the gradient test. Where the gap
    // test is satisfied too (here forced by a stored estimate of 0) the
    // checkpoint is refused without x0...
    let mut forged = cp.clone();
    forged.state.grad_norm0 = 1e300;
    let mut converged_looking = forged.clone();
    converged_looking.state.gap_estimate = Some(0.0);
    let e = TrustRegion::default()
        .resume(&problem, &converged_looking)
        .unwrap_err();
    assert!(e.to_string().contains("grad_norm0"), "{e}");
    // ... and otherwise the gap test keeps the result honest: the resumed
    // solve goes on until the Newton-decrement estimate of f − f* is small,
    // so `Converged` still means f − f* ≤ 1e-8 (f* = 0), not "stopped at
    // the far point the checkpoint holds".
    assert!(forged.state.f > 1.0);
    let r = TrustRegion::default().resume(&problem, &forged).unwrap();
    if r.status.is_converged() {
        assert!(r.f <= 1e-8, "{}", r.summary());
    }
    // A smaller forgery passes the checkpoint alone, not the check at x0.
    let mut forged = cp.clone();
    forged.state.grad_norm0 *= 2.0;
    assert!(forged.validate(100).is_ok());
    let e = forged
        .verify_start(&problem, problem.start().view())
        .unwrap_err();
    assert!(e.to_string().contains("grad_norm0"), "{e}");
    // A grad_norm that is not the norm of the stored g.
    let mut forged = cp;
    forged.state.grad_norm *= 0.5;
    assert!(TrustRegion::default().resume(&problem, &forged).is_err());
}

#[test]
fn a_stopped_solve_saves_a_last_checkpoint() {
    let problem = ExtendedRosenbrock::new(100).unwrap();
    let mut saved = Vec::new();
    let mut sink = |c: &Checkpoint| {
        saved.push(c.clone());
        Ok(())
    };
    let r = TrustRegion::default()
        .solve_with_checkpoints(
            &problem,
            problem.start().view(),
            Checkpointing {
                every: 1000,
                sink: &mut sink,
            },
            &mut |it: &Iterate<'_>| {
                if it.iter == 4 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .unwrap();
    assert_eq!(r.status, Status::StoppedByUser);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].state.iter, 4);
    let resumed = TrustRegion::default().resume(&problem, &saved[0]).unwrap();
    let full = TrustRegion::default()
        .solve(&problem, problem.start().view())
        .unwrap();
    assert_eq!(resumed.iterations, full.iterations);
    assert_eq!(resumed.x, full.x);
}

/// Arbitrary bytes, and bytes spliced into a valid checkpoint, never make
/// the checkpoint reader panic (fixed seed and case count).
#[cfg(feature = "serde")]
#[test]
fn the_checkpoint_reader_never_panics_on_arbitrary_bytes() {
    let (problem, cp) = checkpoint_after(2);
    let valid = cp.to_json().unwrap().into_bytes();
    let dir = std::env::temp_dir().join(format!("steihaug-cp-bytes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cp.json");
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..400),
        0..valid.len(),
        any::<bool>(),
    );
    check_cases(256, &strategy, |(bytes, at, splice)| {
        let doc = if splice {
            let mut d = valid.clone();
            let end = (at + bytes.len()).min(d.len());
            d.splice(at..end, bytes.iter().copied());
            d
        } else {
            bytes
        };
        let text = String::from_utf8_lossy(&doc);
        if let Ok(c) = Checkpoint::from_json(&text) {
            let _ = c.validate(100).and_then(|()| c.verify(&problem));
        }
        std::fs::write(&path, &doc).unwrap();
        if let Ok(c) = Checkpoint::read(&path) {
            if c.validate(100).is_ok() {
                let _ = TrustRegion::new(c.resume_config(&steihaug::Termination {
                    max_iter: c.state.iter.saturating_add(2),
                    ..steihaug::Termination::default()
                }))
                .resume(&problem, &c);
            }
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
}
