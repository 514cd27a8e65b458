//! CG iterations per Newton step with no preconditioner, Jacobi and IC(0)
//! on the MINPACK-2 EPT and MSA problems (trust-region Newton-CG, trust
//! region measured in the preconditioner's norm).
//!
//! `cargo bench --bench minpack2_precond [-- GRID ...]` (default grids 100
//! and 300), tolerance ‖g‖ ≤ 1e-6‖g0‖ from the standard start; matrix-free
//! products, IC(0) of the assembled Hessian (built once per Newton step).

use steihaug::problems::minpack2::{Element, Minpack2};
use steihaug::{Preconditioning, TrustRegion, TrustRegionConfig};

fn run<E: Element>(name: &str, p: &Minpack2<E>) {
    let x0 = p.start();
    for (label, pc) in [
        ("none", Preconditioning::None),
        ("jacobi", Preconditioning::Jacobi),
        ("ic0", Preconditioning::Objective),
    ] {
        let mut cfg = TrustRegionConfig {
            preconditioning: pc,
            ..TrustRegionConfig::default()
        };
        cfg.termination.gtol_rel = 1e-6;
        cfg.termination.gtol_abs = 0.0;
        let r = TrustRegion::new(cfg).solve(p, x0.view()).unwrap();
        let g = p.geometry();
        println!(
            "| {name} | {}x{} | {label} | {} | {} | {:.1} | {:.3} | {:.10} | {:?} |",
            g.nx,
            g.ny,
            r.iterations,
            r.counts.krylov_iterations,
            r.counts.krylov_iterations as f64 / r.iterations.max(1) as f64,
            r.elapsed.as_secs_f64(),
            r.f,
            r.status
        );
    }
}

fn main() {
    let grids: Vec<usize> = {
        let g: Vec<usize> = std::env::args()
            .skip(1)
            .filter_map(|a| a.parse().ok())
            .collect();
        if g.is_empty() {
            vec![100, 300]
        } else {
            g
        }
    };
    println!("threads: {}", rayon::current_num_threads());
    println!("| problem | grid | preconditioner | Newton iterations | CG iterations | CG per Newton step | time (s) | f | status |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for &k in &grids {
        run("ept", &Minpack2::ept(k, k).unwrap());
        run("msa", &Minpack2::msa(k, k).unwrap());
    }
}
