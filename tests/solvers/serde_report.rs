//! Reports, histories and configurations round-trip through JSON.

use steihaug::problems::ExtendedRosenbrock;
use steihaug::{LineSearchNewtonCg, Report, TrustRegion, TrustRegionConfig};

#[test]
fn a_report_round_trips_through_json() {
    let problem = ExtendedRosenbrock::new(100).unwrap();
    for report in [
        TrustRegion::default()
            .solve(&problem, problem.start().view())
            .unwrap(),
        LineSearchNewtonCg::default()
            .solve(&problem, problem.start().view())
            .unwrap(),
    ] {
        let json = report.to_json().unwrap();
        let back = Report::from_json(&json).unwrap();
        assert_eq!(back.solver, report.solver);
        assert_eq!(back.status, report.status);
        assert_eq!(back.x, report.x);
        assert_eq!(back.f.to_bits(), report.f.to_bits());
        assert_eq!(back.counts, report.counts);
        assert_eq!(back.elapsed, report.elapsed);
        assert_eq!(back.history.len(), report.history.len());
        for (a, b) in back.history.iter().zip(&report.history) {
            // NaN fields (alpha for the trust region, radius for the line
            // search) survive as NaN.
            for (u, v) in [(a.alpha, b.alpha), (a.radius, b.radius), (a.ratio, b.ratio)] {
                assert_eq!(u.to_bits(), v.to_bits());
            }
        }
    }
}

#[test]
fn non_finite_history_values_are_strings_in_json() {
    let problem = ExtendedRosenbrock::new(10).unwrap();
    let report = TrustRegion::default()
        .solve(&problem, problem.start().view())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(v["history"][0]["alpha"], "NaN");
    assert_eq!(v["solver"], "trust_region");
}

#[test]
fn a_configuration_round_trips_through_json() {
    let cfg = TrustRegionConfig {
        max_radius: 17.5,
        ..TrustRegionConfig::default()
    };
    let json = serde_json::to_string(&cfg).unwrap();
    let back: TrustRegionConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cfg);
}
