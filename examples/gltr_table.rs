//! Trust region with Steihaug's CG against GLTR on the CUTEst-style set and
//! MINPACK-2 MSA, as a Markdown table (`docs/gltr.md`).
//!
//! `cargo run --release --example gltr_table [-- --n N]` (n = 1000 by
//! default; DIXMAAN n = 999 since CUTEst needs n = 3m). Default tolerances
//! and forcing (`‖g‖ ≤ max(1e-10, 1e-8‖g₀‖)`, η = min(0.5, √‖g‖)), at most
//! 10 000 iterations. "HVPs" counts every product, GLTR's pass 2 included;
//! "pass 2" is the part of it spent recovering steps.

use steihaug::problems::cutest::{build, NAMES};
use steihaug::problems::minpack2::Minpack2;
use steihaug::{Report, Subproblem, Termination, TrustRegion, TrustRegionConfig};

fn row(name: &str, n: usize, label: &str, r: &Report) {
    let rejected = r.history.iter().filter(|h| !h.accepted).count();
    println!(
        "| {name} | {n} | {label} | {} | {:.10e} | {} | {} | {} | {} | {} | {:.3} |",
        r.status,
        r.f,
        r.iterations,
        rejected,
        r.counts.hvps,
        r.counts.pass2_hvps,
        r.counts.evals,
        r.elapsed.as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--n")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let term = Termination {
        max_iter: 10_000,
        ..Termination::default()
    };
    let configs = [
        ("steihaug", Subproblem::Steihaug),
        ("gltr", Subproblem::GLTR),
    ];
    println!("| problem | n | subproblem | status | f | iterations | rejected | HVPs | pass 2 | evals | time (s) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for &name in NAMES {
        let nn = if name.starts_with("dixmaan") {
            n - n % 3
        } else {
            n
        };
        let b = build(name, nn).expect("problem builds");
        for (label, sub) in configs {
            let tr = TrustRegion::new(
                TrustRegionConfig {
                    termination: term,
                    ..Default::default()
                }
                .subproblem(sub),
            );
            let r = tr.solve(&*b.objective, b.x0.view()).expect("solve");
            row(name, nn, label, &r);
        }
    }
    let m = 50;
    let msa = Minpack2::msa(m, m).expect("MSA builds");
    let x0 = msa.start();
    for (label, sub) in configs {
        let tr = TrustRegion::new(
            TrustRegionConfig {
                termination: term,
                ..Default::default()
            }
            .subproblem(sub),
        );
        let r = tr.solve(&msa, x0.view()).expect("solve");
        row(&format!("msa {m}×{m}"), m * m, label, &r);
    }
}
