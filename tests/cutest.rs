//! The CUTEst-style collection: starting values against
//! `reference/cutest.md`, derivatives against finite differences, and
//! solves at n = 1000 (DIXMAAN: n = 999) against known optima within stated
//! budgets.

use ndarray::Array1;
use steihaug::derivatives::{check_derivatives, CheckOptions, Verdict};
use steihaug::problems::cutest::{build, Dixmaan, DixmaanVariant, NAMES};
use steihaug::rng::SplitMix64;
use steihaug::{
    DynObjective, LineSearchConfig, LineSearchNewtonCg, Report, Status, Termination, TrustRegion,
    TrustRegionConfig,
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
            assert!((f - want).abs() <= 1e-10 * want, "{v:?} n={n}: {f} vs {want}");
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
