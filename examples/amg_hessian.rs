//! The multigrid preconditioner on one MINPACK-2 Hessian: setup, refresh
//! and V-cycle times, the hierarchy, and CG to a relative residual of 1e-8
//! against IC(0) and Jacobi; optionally writes the matrix in Matrix Market
//! format for `benches/peers/pyamg_peer.py` (the same A and b = 1).
//!
//! ```sh
//! cargo run --release --example amg_hessian -- msa 1000 [/tmp/msa1000.mtx] [--only amg,ic0,jacobi]
//!     [--theta X] [--sweeps K | --chebyshev DEGREE] [--max-coarse N]
//! ```
//!
//! Prints one JSON object per preconditioner (all three unless `--only`
//! names some; plain CG is not run: at 3162×3162 it needs hours). The
//! thread count is rayon's (`RAYON_NUM_THREADS`) and is printed.
//! `benches/peers/run_pyamg_peer.sh` runs this next to PyAMG.

use std::time::Instant;

use ndarray::{Array1, ArrayView1};
use steihaug::linalg::par::{chunked_sum, Par};
use steihaug::linalg::sparse::{csr_matvec, Amg, AmgConfig, AmgSmoother, Ic0};
use steihaug::problems::minpack2::Minpack2;
use steihaug::{Jacobi, LinearOperator, Objective, Preconditioner};

fn dot(a: &[f64], b: &[f64]) -> f64 {
    chunked_sum(Par::Rayon, a.len(), |r| r.map(|i| a[i] * b[i]).sum())
}

/// CG on A x = b from 0 to ‖r‖ ≤ tol‖b‖; (iterations as JSON, `null` when
/// 20000 were not enough, and seconds).
fn pcg(a: &sprs::CsMat<f64>, m: &dyn Preconditioner, b: &[f64], tol: f64) -> (String, f64) {
    let t = Instant::now();
    let n = b.len();
    let ip = a.indptr();
    let (indptr, indices, data) = (ip.raw_storage(), a.indices(), a.data());
    let mut x = vec![0.0; n];
    let mut r = b.to_vec();
    let mut z = Array1::zeros(n);
    m.apply(ArrayView1::from(&r[..]), z.view_mut());
    let mut p = z.to_vec();
    let mut q = vec![0.0; n];
    let mut rz = dot(&r, z.as_slice().unwrap());
    let stop = tol * dot(b, b).sqrt();
    for it in 1..=20_000 {
        csr_matvec(Par::Rayon, indptr, indices, data, &p, &mut q);
        let alpha = rz / dot(&p, &q);
        for i in 0..n {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        if dot(&r, &r).sqrt() <= stop {
            return (it.to_string(), t.elapsed().as_secs_f64());
        }
        m.apply(ArrayView1::from(&r[..]), z.view_mut());
        let rz2 = dot(&r, z.as_slice().unwrap());
        let beta = rz2 / rz;
        rz = rz2;
        let zs = z.as_slice().unwrap();
        for i in 0..n {
            p[i] = zs[i] + beta * p[i];
        }
    }
    ("null".into(), t.elapsed().as_secs_f64())
}

/// Removes `--name VALUE` from `args` and returns VALUE.
fn take_flag(args: &mut Vec<String>, name: &str) -> Option<String> {
    let k = args.iter().position(|a| a == name)?;
    if k + 1 >= args.len() {
        return None;
    }
    let v = args.remove(k + 1);
    args.remove(k);
    Some(v)
}

fn main() -> steihaug::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let only: Vec<String> = match take_flag(&mut args, "--only") {
        Some(list) => list.split(',').map(str::to_owned).collect(),
        None => vec!["amg".into(), "ic0".into(), "jacobi".into()],
    };
    // Options of the hierarchy, for experiments: --theta X, --sweeps K,
    // --chebyshev DEGREE, --max-coarse N.
    let mut cfg = AmgConfig::default();
    let num = |v: Option<String>, what: &str| -> steihaug::Result<Option<f64>> {
        v.map(|s| {
            s.parse::<f64>()
                .map_err(|_| steihaug::Error::InvalidInput(format!("{what}: not a number: {s}")))
        })
        .transpose()
    };
    if let Some(t) = num(take_flag(&mut args, "--theta"), "--theta")? {
        cfg.strength_theta = t;
    }
    if let Some(k) = num(take_flag(&mut args, "--sweeps"), "--sweeps")? {
        cfg.smoother = AmgSmoother::Jacobi { sweeps: k as usize };
    }
    if let Some(d) = num(take_flag(&mut args, "--chebyshev"), "--chebyshev")? {
        cfg.smoother = AmgSmoother::Chebyshev { degree: d as usize };
    }
    if let Some(c) = num(take_flag(&mut args, "--max-coarse"), "--max-coarse")? {
        cfg.max_coarse = c as usize;
    }
    let run = |name: &str| only.iter().any(|o| o == name);
    let problem = args.get(1).map_or("msa", |s| s.as_str());
    let m: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(300);
    let (p_msa, p_ept);
    let obj: &dyn steihaug::DynObjective = match problem {
        "ept" => {
            p_ept = Minpack2::ept(m, m)?;
            &p_ept
        }
        _ => {
            p_msa = Minpack2::msa(m, m)?;
            &p_msa
        }
    };
    let x0 = match problem {
        "ept" => Minpack2::ept(m, m)?.start(),
        _ => Minpack2::msa(m, m)?.start(),
    };
    let n = x0.len();
    let h = obj.hessian(x0.view());
    let (indptr, indices) = h.assembled_pattern().expect("assembled pattern");
    let (indptr, indices) = (indptr.to_vec(), indices.to_vec());
    let mut values = vec![0.0; indices.len()];
    h.assembled_values(&mut values);
    let a = sprs::CsMat::new((n, n), indptr.clone(), indices.clone(), values.clone());
    if let Some(path) = args.get(3) {
        let t = Instant::now();
        sprs::io::write_matrix_market(path, &a)
            .map_err(|e| steihaug::Error::InvalidInput(format!("{path}: {e}")))?;
        eprintln!("wrote {path} in {:.1} s", t.elapsed().as_secs_f64());
    }
    let b = vec![1.0; n];
    let tol = 1e-8;
    let head = format!(
        "\"problem\":\"{problem}\",\"grid\":{m},\"n\":{n},\"nnz\":{},\"threads\":{}",
        indices.len(),
        rayon::current_num_threads()
    );

    if run("amg") {
        // AMG: setup, refresh (same structure, new values), one V-cycle.
        let t = Instant::now();
        let mut amg = Amg::new(n, &indptr, &indices, &values, cfg)?;
        let setup = t.elapsed().as_secs_f64();
        let t = Instant::now();
        amg.refresh(&values)?;
        let refresh = t.elapsed().as_secs_f64();
        let mut z = Array1::zeros(n);
        let t = Instant::now();
        let reps = 5;
        for _ in 0..reps {
            amg.apply(ArrayView1::from(&b[..]), z.view_mut());
        }
        let vcycle = t.elapsed().as_secs_f64() / reps as f64;
        let t = Instant::now();
        let mut hv = Array1::zeros(n);
        for _ in 0..reps {
            a.apply(ArrayView1::from(&b[..]), hv.view_mut());
        }
        let matvec = t.elapsed().as_secs_f64() / reps as f64;
        let (it, secs) = pcg(&a, &amg, &b, tol);
        let sizes: Vec<String> = amg
            .level_sizes()
            .iter()
            .map(|(n, z)| format!("[{n},{z}]"))
            .collect();
        println!(
            "{{{head},\"precond\":\"amg\",\"theta\":{},\"smoother\":\"{:?}\",\"setup_s\":{setup:.4},\"refresh_s\":{refresh:.4},\"vcycle_s\":{vcycle:.5},\"matvec_s\":{matvec:.5},\"levels\":{},\"operator_complexity\":{:.4},\"grid_complexity\":{:.4},\"level_sizes\":[{}],\"cg_iterations\":{it},\"cg_s\":{secs:.4}}}",
            cfg.strength_theta,
            cfg.smoother,
            amg.levels(),
            amg.operator_complexity(),
            amg.grid_complexity(),
            sizes.join(",")
        );
    }
    // IC(0) and Jacobi on the same system.
    if run("ic0") {
        let t = Instant::now();
        let ic0 = Ic0::new(&a)?;
        let setup = t.elapsed().as_secs_f64();
        let (it, secs) = pcg(&a, &ic0, &b, tol);
        println!("{{{head},\"precond\":\"ic0\",\"setup_s\":{setup:.4},\"cg_iterations\":{it},\"cg_s\":{secs:.4}}}");
    }
    if run("jacobi") {
        let mut d = Array1::zeros(n);
        a.diagonal(d.view_mut());
        let jac = Jacobi::new(d.view())?;
        let (it, secs) = pcg(&a, &jac, &b, tol);
        println!("{{{head},\"precond\":\"jacobi\",\"cg_iterations\":{it},\"cg_s\":{secs:.4}}}");
    }
    Ok(())
}
