//! Checkpoints: a resumed trust-region solve ends exactly where the
//! uninterrupted one does, and bad checkpoints are typed errors.

use steihaug::problems::{ExtendedRosenbrock, Rosenbrock};
use steihaug::report::observe::no_callback;
use steihaug::solvers::checkpoint::{Checkpoint, Checkpointing};
use steihaug::{
    Error, Preconditioning, RadiusRule, Report, Status, TrustRegion, TrustRegionConfig,
};

fn solve_saving(
    solver: &TrustRegion,
    problem: &ExtendedRosenbrock,
    every: usize,
) -> (Report, Vec<Checkpoint>) {
    let mut saved = Vec::new();
    let mut sink = |c: &Checkpoint| {
        saved.push(c.clone());
        Ok(())
    };
    let report = solver
        .solve_with_checkpoints(
            problem,
            problem.start().view(),
            Checkpointing {
                every,
                sink: &mut sink,
            },
            &mut no_callback,
        )
        .unwrap();
    (report, saved)
}

fn assert_same_end(a: &Report, b: &Report) {
    assert_eq!(a.status, b.status);
    assert_eq!(a.iterations, b.iterations);
    assert_eq!(a.x.len(), b.x.len());
    for (u, v) in a.x.iter().zip(&b.x) {
        assert_eq!(u.to_bits(), v.to_bits(), "x differs: {u} vs {v}");
    }
    assert_eq!(a.f.to_bits(), b.f.to_bits());
    assert_eq!(a.counts.evals, b.counts.evals);
    assert_eq!(a.counts.hvps, b.counts.hvps);
    assert_eq!(a.history.len(), b.history.len());
    for (r, s) in a.history.iter().zip(&b.history) {
        assert_eq!(r.iter, s.iter);
        assert_eq!(r.f.to_bits(), s.f.to_bits());
        assert_eq!(r.radius.to_bits(), s.radius.to_bits());
        assert_eq!(r.accepted, s.accepted);
    }
}

#[test]
fn resume_from_every_checkpoint_ends_where_the_full_solve_ends() {
    let problem = ExtendedRosenbrock::new(1000).unwrap();
    for config in [
        TrustRegionConfig::default(),
        TrustRegionConfig {
            radius_rule: RadiusRule::Tron,
            preconditioning: Preconditioning::Jacobi,
            ..TrustRegionConfig::default()
        },
    ] {
        let solver = TrustRegion::new(config);
        let plain = solver.solve(&problem, problem.start().view()).unwrap();
        let (full, saved) = solve_saving(&solver, &problem, 3);
        assert!(full.status.is_converged());
        // Checkpointing does not change the solve.
        assert_same_end(&plain, &full);
        assert_eq!(saved.len(), (full.iterations - 1) / 3);
        assert!(!saved.is_empty());
        for cp in &saved {
            assert_eq!(cp.state.iter % 3, 0);
            let resumed = solver.resume(&problem, cp).unwrap();
            assert_same_end(&full, &resumed);
            assert!(resumed.counts.hessians <= full.counts.hessians + 1);
        }
    }
}

#[cfg(feature = "serde")]
#[test]
fn a_checkpoint_survives_json_bit_for_bit() {
    let problem = ExtendedRosenbrock::new(200).unwrap();
    let solver = TrustRegion::default();
    let (full, saved) = solve_saving(&solver, &problem, 4);
    let cp = &saved[0];
    // Inexact values, not just short decimals.
    assert!(cp.state.x.iter().any(|v| v.to_string().len() > 12));
    let json = cp.to_json().unwrap();
    let back = Checkpoint::from_json(&json).unwrap();
    // (NaN fields of the history make `==` false; compare the documents.)
    assert!(
        back.to_json().unwrap() == json,
        "JSON round trip changed the checkpoint"
    );
    for (a, b) in back.state.x.iter().zip(&cp.state.x) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    let dir = std::env::temp_dir().join(format!("steihaug-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cp.json");
    cp.write(&path).unwrap();
    let from_file = Checkpoint::read(&path).unwrap();
    let resumed = TrustRegion::new(from_file.config)
        .resume(&problem, &from_file)
        .unwrap();
    assert_same_end(&full, &resumed);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stopped_solve_can_be_continued() {
    let problem = ExtendedRosenbrock::new(500).unwrap();
    let solver = TrustRegion::default();
    let (full, _) = solve_saving(&solver, &problem, 0);
    // Budget of 6 iterations, checkpoint after each; then resume with the
    // full budget.
    let short = TrustRegion::new(TrustRegionConfig::default().max_iter(6));
    let mut last = None;
    let mut sink = |c: &Checkpoint| {
        last = Some(c.clone());
        Ok(())
    };
    let stopped = short
        .solve_with_checkpoints(
            &problem,
            problem.start().view(),
            Checkpointing {
                every: 1,
                sink: &mut sink,
            },
            &mut no_callback,
        )
        .unwrap();
    assert_eq!(stopped.status, Status::MaxIterations);
    let cp = last.unwrap();
    assert_eq!(cp.state.iter, 6);
    let resumed = solver.resume(&problem, &cp).unwrap();
    assert_same_end(&full, &resumed);
}

#[test]
fn bad_checkpoints_are_typed_errors() {
    let problem = ExtendedRosenbrock::new(100).unwrap();
    let solver = TrustRegion::default();
    let (_, saved) = solve_saving(&solver, &problem, 2);
    let good = saved[0].clone();
    let is_ckpt_err = |r: steihaug::Result<Report>| matches!(r, Err(Error::Checkpoint(_)));

    // Wrong dimension.
    assert!(is_ckpt_err(solver.resume(&Rosenbrock, &good)));
    let mut c = good.clone();
    c.state.g = c.state.g.slice(ndarray::s![..-1]).to_owned();
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    let mut c = good.clone();
    c.state.x[3] = f64::NAN;
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    let mut c = good.clone();
    c.state.radius = -1.0;
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    let mut c = good.clone();
    c.version = 99;
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    let mut c = good.clone();
    c.solver = steihaug::Method::LineSearch;
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    let mut c = good.clone();
    c.config.max_radius = -3.0;
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    // Values beyond what the clock or the counters hold.
    let mut c = good.clone();
    c.elapsed_s = 1e300;
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    let mut c = good.clone();
    c.state.counts.hvps = u64::MAX;
    assert!(is_ckpt_err(solver.resume(&problem, &c)));
    // Another objective of the same dimension: f and g at x do not match.
    let other = steihaug::FnObjective::new(
        100,
        |x: ndarray::ArrayView1<'_, f64>, mut g: ndarray::ArrayViewMut1<'_, f64>| {
            g.assign(&x);
            0.5 * x.dot(&x)
        },
        |_x: ndarray::ArrayView1<'_, f64>,
         v: ndarray::ArrayView1<'_, f64>,
         mut out: ndarray::ArrayViewMut1<'_, f64>| out.assign(&v),
    );
    assert!(is_ckpt_err(solver.resume(&other, &good)));
    // The right objective still resumes.
    assert!(solver.resume(&problem, &good).is_ok());

    #[cfg(feature = "serde")]
    corrupt_files_are_typed_errors(&good);
}

#[cfg(feature = "serde")]
fn corrupt_files_are_typed_errors(good: &Checkpoint) {
    assert!(matches!(
        Checkpoint::from_json("{"),
        Err(Error::Checkpoint(_))
    ));
    assert!(matches!(
        Checkpoint::from_json("{\"format\": 1}"),
        Err(Error::Checkpoint(_))
    ));
    let json = good.to_json().unwrap();
    let truncated = &json[..json.len() / 2];
    assert!(matches!(
        Checkpoint::from_json(truncated),
        Err(Error::Checkpoint(_))
    ));
    assert!(matches!(
        Checkpoint::read("/nonexistent/steihaug/cp.json"),
        Err(Error::Checkpoint(_))
    ));
}
