//! The CUTEst-style collection through every solver: iterations,
//! Hessian-vector products, evaluations and time, as a Markdown table.
//!
//! `cargo bench --bench cutest_table` (n = 1000; DIXMAAN n = 999 — CUTEst
//! needs n = 3m). Options: `-- --n N` to change n, `-- --no-dense` to skip
//! dense Newton (which needs n HVPs and an n×n Cholesky per iteration).
//! Budgets: 10 000 iterations; dense Newton also stops after 60 s per
//! problem. Default tolerances (`‖g‖ ≤ max(1e-10, 1e-8‖g0‖)`).

use std::time::{Duration, Instant};

use steihaug::problems::cutest::{build, NAMES};
use steihaug::{
    DenseNewton, DenseNewtonConfig, LineSearchConfig, LineSearchNewtonCg, Report, Termination,
    TrustRegion, TrustRegionConfig,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--n")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let dense = !args.iter().any(|a| a == "--no-dense");
    let term = Termination {
        max_iter: 10_000,
        ..Termination::default()
    };
    println!("| problem | n | solver | status | f | iterations | HVPs | evals | time (s) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let start = Instant::now();
    for &name in NAMES {
        let nn = if name.starts_with("dixmaan") {
            n - n % 3
        } else {
            n
        };
        let b = build(name, nn).expect("problem builds");
        let obj = &*b.objective;
        let mut rows: Vec<(&str, Report)> = Vec::new();
        let tr = TrustRegion::new(TrustRegionConfig {
            termination: term,
            ..Default::default()
        });
        rows.push(("trust-region", tr.solve(obj, b.x0.view()).expect("solve")));
        let ls = LineSearchNewtonCg::new(LineSearchConfig {
            termination: term,
            ..Default::default()
        });
        rows.push(("line-search", ls.solve(obj, b.x0.view()).expect("solve")));
        if dense {
            let dn = DenseNewton::new(DenseNewtonConfig {
                termination: Termination {
                    max_time: Some(Duration::from_secs(60)),
                    ..term
                },
                ..Default::default()
            });
            rows.push(("dense Newton", dn.solve(obj, b.x0.view()).expect("solve")));
        }
        for (solver, r) in rows {
            println!(
                "| {name} | {nn} | {solver} | {} | {:.10e} | {} | {} | {} | {:.3} |",
                r.status,
                r.f,
                r.iterations,
                r.counts.hvps,
                r.counts.evals,
                r.elapsed.as_secs_f64()
            );
        }
    }
    eprintln!("total {:.1} s", start.elapsed().as_secs_f64());
}
