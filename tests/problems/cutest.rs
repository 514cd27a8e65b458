//! The CUTEst-style collection: starting values against
//! `reference/cutest.md`, derivatives against finite differences, and
//! solves at n = 1000 (DIXMAAN: n = 999) against known optima within stated
//! budgets.

use ndarray::Array1;
use steihaug::derivatives::{check_derivatives, CheckOptions, Verdict};
use steihaug::linalg::rng::SplitMix64;
use steihaug::problems::cutest::{build, Dixmaan, DixmaanVariant, NAMES};
use steihaug::{
    assemble_dense, DynObjective, LineSearchConfig, LineSearchNewtonCg, Objective, Report,
    Termination, TrustRegion, TrustRegionConfig,
};

fn f_at(obj: &dyn DynObjective, x: &Array1<f64>) -> f64 {
    let mut g = Array1::zeros(x.len());
    obj.value_grad(x.view(), g.view_mut())
}

/// f(x0) at n = 100 and n = 1000, from the table of `reference/cutest.md`
/// (printed to 4–7 significant digits there).
#[test]
fn start_values_match_the_reference_table() {
    let table: &[(&str, f64, f64)] = &[
        ("arwhead", 297.0, 2997.0),
        ("engval1", 5841.0, 58941.0),
        ("srosenbr", 1210.0, 12100.0),
        ("genrose", 405.1064, 3704.2662),
        ("chainwoo", 371954.1, 3620054.1),
        ("tridia", 5049.0, 500499.0),
        ("nondia", 39604.0, 399604.0),
        ("fletchcr", 9900.0, 99900.0),
        ("powellsg", 5375.0, 53750.0),
        ("broydn7d", 274.2039, 2720.6444),
        ("cragglvy", 52823.07, 548018.12),
    ];
    for &(name, f100, f1000) in table {
        for (n, want) in [(100, f100), (1000, f1000)] {
            let b = build(name, n).unwrap();
            let f = f_at(&*b.objective, &b.x0);
            // The table rounds to 0.0001 or 0.01 absolute.
            assert!(
                (f - want).abs() <= 0.006 + 1e-12 * want.abs(),
                "{name} n={n}: f(x0) = {f}, table {want}"
            );
        }
    }
    // DIXMAAN at n = 99 (the table's exact-CUTEst column).
    for (letter, want) in [("e", 731.83), ("h", 4974.25), ("i", 663.65), ("l", 4903.70)] {
        let b = build(&format!("dixmaan{letter}"), 99).unwrap();
        let f = f_at(&*b.objective, &b.x0);
        assert!((f - want).abs() < 0.006, "dixmaan{letter}: {f} vs {want}");
    }
}

/// At x = 2 every DIXMAAN sum has a closed form; check all variants at
/// n = 99 and n = 3000 against it.
#[test]
fn dixmaan_start_values_in_closed_form() {
    for v in DixmaanVariant::ALL {
        for n in [99usize, 3000] {
            let m = n / 3;
            let [a, b, c, d] = v.weights();
            let [k1, _, _, k4] = v.powers();
            let w = |i: usize, k: i32| (i as f64 / n as f64).powi(k);
            let s1: f64 = (1..=n).map(|i| 4.0 * a * w(i, k1)).sum();
            let s2 = 144.0 * b * (n - 1) as f64;
            let s3 = 64.0 * c * (2 * m) as f64;
            let s4: f64 = (1..=m).map(|i| 4.0 * d * w(i, k4)).sum();
            let want = 1.0 + s1 + s2 + s3 + s4;
            let p = Dixmaan::new(v, n).unwrap();
            let f = f_at(&p, &p.start());
            assert!(
                (f - want).abs() <= 1e-10 * want,
                "{v:?} n={n}: {f} vs {want}"
            );
        }
    }
}

#[test]
fn sizes_are_validated() {
    assert!(build("dixmaane", 1000).is_err());
    assert!(build("powellsg", 1002).is_err());
    assert!(build("chainwoo", 1001).is_err());
    assert!(build("broydn7d", 999).is_err());
    assert!(build("arwhead", 1).is_err());
    assert!(build("nosuch", 10).is_err());
}

/// Gradient and Hessian-vector products against finite differences, at
/// x0 and at two random points near it, for every problem at n = 12.
#[test]
fn derivatives_agree_with_finite_differences() {
    let mut rng = SplitMix64::new(7);
    for &name in NAMES {
        let b = build(name, 12).unwrap();
        let mut points = vec![b.x0.clone()];
        for _ in 0..2 {
            points.push(b.x0.mapv(|v| v + 0.3 * rng.normal()));
        }
        for (k, x) in points.iter().enumerate() {
            let r = check_derivatives(&*b.objective, x.view(), &CheckOptions::default()).unwrap();
            assert_eq!(r.verdict, Verdict::Correct, "{name} point {k}:\n{r}");
        }
    }
}

fn term(gtol_rel: f64) -> Termination {
    Termination {
        gtol_rel,
        max_iter: 5000,
        ..Termination::default()
    }
}

fn solve_both(name: &str, n: usize, gtol_rel: f64) -> [(&'static str, Report, f64); 2] {
    let b = build(name, n).unwrap();
    let obj = &*b.objective;
    let f0 = f_at(obj, &b.x0);
    let tr = TrustRegion::new(TrustRegionConfig {
        termination: term(gtol_rel),
        ..Default::default()
    })
    .solve(obj, b.x0.view())
    .unwrap();
    let ls = LineSearchNewtonCg::new(LineSearchConfig {
        termination: term(gtol_rel),
        ..Default::default()
    })
    .solve(obj, b.x0.view())
    .unwrap();
    [("trust-region", tr, f0), ("line-search", ls, f0)]
}

/// Every problem with a known optimum reaches it, with both Newton-CG
/// solvers, within the stated budget of outer iterations and
/// Hessian-vector products. At `‖g‖ ≤ 1e-12‖g0‖` and commit f3d94af the
/// budgets were 1.5–4× the iterations and 1.29–2.9× the HVPs either solver
/// used (tightest: FLETCHCR line search, 842 of 1300 iterations and 6182
/// of 8000 HVPs). Counts at the default tolerance are in
/// `docs/benchmarks-cutest.md`.
#[test]
fn known_optima_are_reached_within_budget() {
    // (name, n, f*, max iterations, max HVPs)
    let cases: &[(&str, usize, f64, usize, u64)] = &[
        ("arwhead", 1000, 0.0, 12, 20),
        ("srosenbr", 1000, 0.0, 100, 200),
        ("genrose", 1000, 1.0, 2100, 11_000),
        ("tridia", 1000, 0.0, 50, 1500),
        ("nondia", 1000, 0.0, 15, 20),
        ("fletchcr", 1000, 0.0, 1300, 8000),
        ("powellsg", 1000, 0.0, 60, 200),
        ("dixmaane", 999, 1.0, 40, 600),
        ("dixmaanf", 999, 1.0, 40, 600),
        ("dixmaang", 999, 1.0, 40, 600),
        ("dixmaanh", 999, 1.0, 40, 600),
        ("dixmaani", 999, 1.0, 60, 7500),
        ("dixmaanj", 999, 1.0, 60, 7500),
        ("dixmaank", 999, 1.0, 60, 7500),
        ("dixmaanl", 999, 1.0, 60, 7500),
    ];
    for &(name, n, f_star, max_it, max_hvps) in cases {
        for (solver, r, _) in solve_both(name, n, 1e-12) {
            assert!(r.status.is_converged(), "{name} {solver}: {}", r.summary());
            assert!(
                (r.f - f_star).abs() <= 1e-8,
                "{name} {solver}: f = {} vs f* = {f_star}",
                r.f
            );
            assert!(
                r.iterations <= max_it && r.counts.hvps <= max_hvps,
                "{name} {solver} over budget ({max_it} its, {max_hvps} HVPs): {}",
                r.summary()
            );
        }
    }
}

/// Whether the Hessian at x is positive definite (dense Cholesky).
fn positive_definite(obj: &dyn DynObjective, x: &Array1<f64>) -> bool {
    let h = assemble_dense(&Objective::hessian(obj, x.view()));
    let n = x.len();
    faer::Mat::from_fn(n, n, |i, j| h[[i, j]])
        .llt(faer::Side::Lower)
        .is_ok()
}

/// Problems whose optimum depends on n or which have several local minima:
/// the reference values of `reference/cutest.md` at n = 1000 where the
/// solvers reach them, and a local-minimum certificate (converged, positive
/// definite Hessian) where they reach another one.
#[test]
fn reference_local_values_at_n_1000() {
    for (name, want) in [("engval1", 1108.194718785), ("cragglvy", 336.423147873)] {
        for (solver, r, _) in solve_both(name, 1000, 1e-8) {
            assert!(r.status.is_converged(), "{name} {solver}: {}", r.summary());
            assert!(
                (r.f - want).abs() <= 1e-6 * want,
                "{name} {solver}: {}",
                r.f
            );
        }
    }
    // CHAINWOO: the trust-region solver reaches the reference local minimum
    // 12.42; line-search Newton-CG stops at another local minimum
    // (f ≈ 412.96 at commit f3d94af, Hessian positive definite there), not
    // at a saddle. BROYDN7D: both reach local minima other than the
    // reference 105.7008 (trust region ≈ 132.52, line search ≈ 89.06 at
    // f3d94af); each has a positive definite Hessian. We report them rather
    // than force the reference; only the CHAINWOO trust-region value is
    // asserted, since the others move with rounding-level solver changes.
    for name in ["chainwoo", "broydn7d"] {
        let b = build(name, 1000).unwrap();
        for (solver, r, f0) in solve_both(name, 1000, 1e-8) {
            assert!(r.status.is_converged(), "{name} {solver}: {}", r.summary());
            assert!(r.f < 0.05 * f0, "{name} {solver}: {}", r.f);
            assert!(
                positive_definite(&*b.objective, &r.x),
                "{name} {solver}: not a local minimizer"
            );
            if name == "chainwoo" && solver == "trust-region" {
                assert!((r.f - 12.421709).abs() < 1e-5, "{}", r.f);
            }
        }
    }
}
