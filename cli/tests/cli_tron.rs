//! `steihaug solve --solver tron`: a bounded grid problem with the
//! active-set counts in `--json`, its reference optimum, and an
//! unconstrained problem run with infinite bounds.

use std::process::Command;

fn solve_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_steihaug"))
        .arg("solve")
        .args(args)
        .arg("--json")
        .output()
        .expect("run the steihaug binary");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn tron_on_a_bounded_grid_reports_the_active_set() {
    for hessian in ["matrix-free", "assembled"] {
        for precond in ["none", "jacobi"] {
            let r = solve_json(&[
                "--problem",
                "dmso-c",
                "--nx",
                "50",
                "--ny",
                "50",
                "--solver",
                "tron",
                "--gtol",
                "1e-10",
                "--hessian",
                hessian,
                "--precond",
                precond,
            ]);
            assert_eq!(r["solver"], "tron");
            assert_eq!(r["status"], "converged", "{hessian} {precond}");
            let f = r["f"].as_f64().unwrap();
            assert!((f - 2.477_256_606_001_9).abs() <= 1e-9 * 2.48, "{f}");
            assert_eq!(r["bounds"]["active"]["active"], 676);
            assert_eq!(r["bounds"]["active"]["binding"], 676);
            let last = r["history"].as_array().unwrap().last().unwrap().clone();
            assert_eq!(last["bounds"]["active"]["free"], 2500 - 676);
        }
    }
}

#[test]
fn tron_on_an_unconstrained_problem_runs_without_bounds() {
    let r = solve_json(&[
        "--problem",
        "extended-rosenbrock",
        "--n",
        "100",
        "--solver",
        "tron",
    ]);
    assert_eq!(r["status"], "converged");
    // TRON stops on ‖P∇f‖ ≤ max(gtol_abs, gtol_rel·‖∇f(x₀)‖) and has no gap
    // test: f* = 0, and the crate's bar for `converged` is f − f* ≤ 1e-8.
    let f = r["f"].as_f64().unwrap();
    assert!((0.0..1e-8).contains(&f), "{f}");
    assert_eq!(r["bounds"]["active"]["active"], 0);
    // A bounded problem with another solver is a typed error.
    let out = Command::new(env!("CARGO_BIN_EXE_steihaug"))
        .args([
            "solve",
            "--problem",
            "ept-bound",
            "--nx",
            "10",
            "--ny",
            "10",
            "--solver",
            "tr",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--solver tron"));
}

/// `--precond mic0` with `--solver tron` on a 5-point problem reaches the
/// reference optimum (DSSC at 50², `reference/bounds.md`) and names its ω
/// in the JSON config; without `--solver tron`, or with ω outside [0, 1],
/// it is a usage error (exit 2) that says why.
#[test]
fn mic0_runs_with_tron_and_is_refused_elsewhere() {
    let r = solve_json(&[
        "--problem",
        "dssc-c",
        "--nx",
        "50",
        "--ny",
        "50",
        "--solver",
        "tron",
        "--gtol",
        "1e-10",
        "--precond",
        "mic0",
    ]);
    assert_eq!(r["status"], "converged");
    let f = r["f"].as_f64().unwrap();
    assert!((f + 5.284_956_148_302_2).abs() <= 1e-9 * 5.3, "{f}");
    assert_eq!(r["config"]["preconditioning"]["mic0"]["relax"], 0.95);
    for (args, says) in [
        (
            &[
                "--problem",
                "ept",
                "--nx",
                "10",
                "--ny",
                "10",
                "--precond",
                "mic0",
            ][..],
            "--solver tron",
        ),
        (
            &[
                "--problem",
                "ept-bound",
                "--nx",
                "10",
                "--ny",
                "10",
                "--solver",
                "tron",
                "--precond",
                "mic0",
                "--mic0-relax",
                "1.5",
            ][..],
            "[0, 1]",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_steihaug"))
            .arg("solve")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
