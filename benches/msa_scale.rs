//! MSA at scale: one solve to ‖g‖ ≤ gtol·‖g0‖ from the standard start,
//! with the concrete (monomorphized) objective, printing time, Newton
//! iterations, Hessian-vector products and the solver's working memory.
//!
//! `cargo bench --bench msa_scale -- GRID [tr|ls] [none|jacobi|ic0] [GTOL]`
//! (defaults: 1000 ls ic0 1e-6). Run the built binary under
//! `/usr/bin/time -v` for the peak resident memory (see
//! `docs/benchmarks-sparse.md`).
//!
//! Memory accounting, in n-vectors of f64 (counted in `trust_region.rs`,
//! `line_search.rs`, `subproblem/steihaug.rs` and `run.rs`):
//! * solver: x, g (run state) + p, x_trial, g_trial + CG workspace r, z, d,
//!   Hd = 9 (trust region; + 1 for the Jacobi diagonal);
//! * MSA matrix-free Hessian: a copy of x + 6 per unknown for the element
//!   Hessians (2 triangles × 3 entries) = 7;
//! * IC(0) (per Newton step, built from the assembled 7-point Hessian):
//!   pattern 7 (values) + 7 (indices) + 1 (indptr) while assembling, the
//!   factor 4 (values) + 4 (indices) + 3 (indptr, D, 1/L_ii).

use std::time::Duration;

use steihaug::problems::minpack2::Minpack2;
use steihaug::{
    LineSearchConfig, LineSearchNewtonCg, Preconditioning, Report, TrustRegion, TrustRegionConfig,
};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let grid: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let solver = args.get(1).map(String::as_str).unwrap_or("ls");
    let precond = match args.get(2).map(String::as_str).unwrap_or("ic0") {
        "none" => Preconditioning::None,
        "jacobi" => Preconditioning::Jacobi,
        _ => Preconditioning::Objective,
    };
    let gtol: f64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1e-6);
    let p = Minpack2::msa(grid, grid).unwrap();
    let x0 = p.start();
    let max_time = Some(Duration::from_secs(3600));
    let r: Report = match solver {
        "tr" => {
            let mut cfg = TrustRegionConfig {
                preconditioning: precond,
                ..TrustRegionConfig::default()
            };
            cfg.termination.gtol_rel = gtol;
            cfg.termination.gtol_abs = 0.0;
            cfg.termination.max_time = max_time;
            TrustRegion::new(cfg).solve(&p, x0.view()).unwrap()
        }
        _ => {
            let mut cfg = LineSearchConfig {
                preconditioning: precond,
                ..LineSearchConfig::default()
            };
            cfg.termination.gtol_rel = gtol;
            cfg.termination.gtol_abs = 0.0;
            cfg.termination.max_time = max_time;
            LineSearchNewtonCg::new(cfg).solve(&p, x0.view()).unwrap()
        }
    };
    println!(
        "{{\"grid\": {grid}, \"n\": {}, \"solver\": \"{}\", \"precond\": \"{:?}\", \"status\": \"{:?}\", \"f\": {:.10}, \"grad_ratio\": {:.3e}, \"iterations\": {}, \"hvps\": {}, \"cg\": {}, \"evals\": {}, \"time_s\": {:.2}, \"threads\": {}}}",
        p.n(),
        r.solver,
        precond,
        r.status,
        r.f,
        r.grad_norm / r.grad_norm0,
        r.iterations,
        r.counts.hvps,
        r.counts.krylov_iterations,
        r.counts.evals,
        r.elapsed.as_secs_f64(),
        rayon::current_num_threads()
    );
}
