//! Diagnostic: the trust-region iterations on MSA, one line per iteration
//! (ρ, radius before and after, step length, CG iterations and exit), and a
//! summary of the pattern. Used for the MSA 300×300 study in
//! `docs/benchmarks-sparse.md` §3.
//!
//! ```text
//! cargo run --release --example msa_tr_trace -- GRID [nw|tron] [c1|c100|grad] [none|jacobi|ic0] [quiet] [dyn]
//! ```
//!
//! (defaults: 300 nw c1 none). `c1`/`c100` are Δ₀ = 1 / 100, `grad` is
//! Δ₀ = ‖g₀‖ (TRON); `dyn` solves through `DynObjective`, as the
//! command line does. Stops at ‖g‖ ≤ 10⁻⁶‖g₀‖.

use std::ops::ControlFlow;

use steihaug::problems::minpack2::Minpack2;
use steihaug::{
    DynObjective, InitialRadius, IterationRecord, KrylovExit, Preconditioning, RadiusRule,
    TrustRegion, TrustRegionConfig,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let grid: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(300);
    let rule = match args.get(1).map(String::as_str) {
        Some("tron") => RadiusRule::Tron,
        _ => RadiusRule::NocedalWright,
    };
    let init = match args.get(2).map(String::as_str) {
        Some("grad") => InitialRadius::GradientNorm(1.0),
        Some("c100") => InitialRadius::Constant(100.0),
        _ => InitialRadius::Constant(1.0),
    };
    let precond = match args.get(3).map(String::as_str) {
        Some("jacobi") => Preconditioning::Jacobi,
        Some("ic0") => Preconditioning::Objective,
        _ => Preconditioning::None,
    };
    let quiet = args.iter().any(|a| a == "quiet");
    let p = Minpack2::msa(grid, grid).expect("grid");
    let mut cfg = TrustRegionConfig {
        radius_rule: rule,
        initial_radius: init,
        preconditioning: precond,
        ..TrustRegionConfig::default()
    };
    cfg.termination.gtol_rel = 1e-6;
    cfg.termination.gtol_abs = 0.0;
    cfg.termination.max_iter = 5000;

    if !quiet {
        println!(
            "{:>5} {:>14} {:>10} {:>10} {:>10} {:>10} {:>10} {:>4} {:>5} {:>18}",
            "iter", "f", "|g|", "radius", "rho", "next_rad", "|p|", "acc", "cg", "cg_exit"
        );
    }
    let mut records: Vec<IterationRecord> = Vec::new();
    let mut cb = |r: &steihaug::Iterate| {
        if !quiet {
            println!(
                "{:>5} {:>14.10} {:>10.3e} {:>10.3e} {:>10.3e} {:>10.3e} {:>10.3e} {:>4} {:>5} {:>18}",
                r.iter,
                r.f,
                r.grad_norm,
                r.radius,
                r.ratio,
                r.next_radius,
                r.step_norm,
                if r.accepted { "y" } else { "n" },
                r.krylov_iterations,
                r.krylov_exit.map(KrylovExit::as_str).unwrap_or("-")
            );
        }
        records.push(r.record.clone());
        ControlFlow::Continue(())
    };
    // `dyn`: solve through the object-safe `DynObjective` (as the CLI does).
    let rep = if args.iter().any(|a| a == "dyn") {
        let d: &dyn DynObjective = &p;
        TrustRegion::new(cfg).solve_with(d, p.start().view(), &mut cb)
    } else {
        TrustRegion::new(cfg).solve_with(&p, p.start().view(), &mut cb)
    }
    .expect("solve");

    let count = |f: &dyn Fn(&IterationRecord) -> bool| records.iter().filter(|r| f(r)).count();
    let boundary = count(&|r| r.krylov_exit == Some(KrylovExit::Boundary));
    let negcurv = count(&|r| r.krylov_exit == Some(KrylovExit::NegativeCurvature));
    let conv = count(&|r| r.krylov_exit == Some(KrylovExit::Converged));
    let rejected = count(&|r| !r.accepted);
    let shrink = count(&|r| r.next_radius < r.radius);
    let grow = count(&|r| r.next_radius > r.radius);
    let rho_lt_quarter = count(&|r| r.ratio < 0.25);
    let rho_gt_3q = count(&|r| r.ratio > 0.75);
    let mut radii: Vec<f64> = records.iter().map(|r| r.radius).collect();
    radii.sort_by(f64::total_cmp);
    let med = radii.get(radii.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "grid {grid} rule {rule:?} init {init:?} precond {precond:?}: status {:?}, {} iterations, {} HVPs, f = {:.10}, |g|/|g0| = {:.2e}",
        rep.status,
        rep.iterations,
        rep.counts.hvps,
        rep.f,
        rep.grad_norm / rep.grad_norm0
    );
    println!(
        "  cg exits: boundary {boundary}, negative curvature {negcurv}, converged {conv}; rejected {rejected}; \
         radius shrunk {shrink}, grown {grow}; rho < 1/4: {rho_lt_quarter}, rho > 3/4: {rho_gt_3q}; median radius {med:.3e}"
    );
}
