//! Time per Hessian-vector product over n = 10^4 … 10^7 for the MINPACK-2
//! MSA and EPT problems, matrix-free and assembled (sprs CSR), at the
//! standard start.
//!
//! `cargo bench --bench minpack2_hvp_scale [-- MAX_GRID]` (default 3162,
//! i.e. n ≈ 10^7; the assembled MSA matrix is then ≈ 1.4 GB).
//!
//! Prints, per size: time per product (best of several), time per unknown,
//! the ratio to the smallest size's time per unknown (linear scaling means
//! ≈ 1), and the one-off costs: Hessian preparation (matrix-free) and
//! assembly.

use std::time::Instant;

use ndarray::Array1;
use steihaug::problems::minpack2::{Element, Minpack2};
use steihaug::{LinearOperator, Objective};

fn best_of<F: FnMut()>(reps: usize, mut f: F) -> f64 {
    f();
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn measure<E: Element>(p: &Minpack2<E>) -> (f64, f64, f64, f64, f64) {
    let n = p.n();
    let reps = (20_000_000 / n).clamp(5, 200);
    let x = p.start();
    let v = Array1::from_shape_fn(n, |i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5);
    let mut y = Array1::zeros(n);
    let mut g = Array1::zeros(n);
    let t_vg = best_of(reps.min(20), || {
        p.value_grad(x.view(), g.view_mut());
    });
    let t0 = Instant::now();
    let h = p.hessian(x.view());
    let t_prep = t0.elapsed().as_secs_f64();
    let t_free = best_of(reps, || h.apply(v.view(), y.view_mut()));
    drop(h);
    let t0 = Instant::now();
    let m = p.hessian_matrix(x.view());
    let t_asm = t0.elapsed().as_secs_f64();
    let t_csr = best_of(reps, || m.apply(v.view(), y.view_mut()));
    (t_free, t_csr, t_prep, t_asm, t_vg)
}

fn main() {
    let max_grid: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3162);
    println!("threads: {}", rayon::current_num_threads());
    println!(
        "| problem | grid | n | matrix-free HVP (ms) | ns/unknown | scaling | assembled HVP (ms) | ns/unknown | scaling | f+g (ms) | prep (ms) | assembly (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for name in ["msa", "ept"] {
        let mut base: Option<(f64, f64)> = None;
        for grid in [100usize, 316, 1000, 3162] {
            if grid > max_grid {
                continue;
            }
            let r = match name {
                "msa" => measure(&Minpack2::msa(grid, grid).unwrap()),
                _ => measure(&Minpack2::ept(grid, grid).unwrap()),
            };
            let n = (grid * grid) as f64;
            let (pf, pc) = (r.0 / n * 1e9, r.1 / n * 1e9);
            let (bf, bc) = *base.get_or_insert((pf, pc));
            println!(
                "| {name} | {grid}x{grid} | {} | {:.3} | {:.2} | {:.2} | {:.3} | {:.2} | {:.2} | {:.3} | {:.2} | {:.1} |",
                grid * grid,
                r.0 * 1e3,
                pf,
                pf / bf,
                r.1 * 1e3,
                pc,
                pc / bc,
                r.4 * 1e3,
                r.2 * 1e3,
                r.3 * 1e3
            );
        }
    }
}
