//! The command line on the MINPACK-2 grid problems:
//! `steihaug solve --problem msa|ept|ssc|odc|pjb --nx --ny
//! [--hessian matrix-free|assembled] [--precond none|jacobi|ic0|amg] [--json]`,
//! and typed errors for options that do not apply.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_steihaug"))
        .args(args)
        .output()
        .expect("run the steihaug binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The number after `"key":` in a one-line JSON object.
fn json_number(json: &str, key: &str) -> f64 {
    let pat = format!("\"{key}\":");
    let start = json.find(&pat).unwrap_or_else(|| panic!("{key} in {json}")) + pat.len();
    let rest = json[start..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(rest.len());
    rest[..end]
        .parse()
        .unwrap_or_else(|_| panic!("{key} in {json}"))
}

#[test]
fn every_grid_problem_hessian_mode_and_preconditioner_solves() {
    // One solve per (problem, Hessian, preconditioner) on a small grid; the
    // matrix-free and assembled runs reach the same f.
    for problem in ["msa", "ept", "ssc", "odc", "pjb"] {
        let mut fs = Vec::new();
        for hessian in ["matrix-free", "assembled"] {
            for precond in ["none", "jacobi", "ic0", "amg"] {
                let (code, out, err) = run(&[
                    "solve",
                    "--problem",
                    problem,
                    "--nx",
                    "12",
                    "--ny",
                    "10",
                    "--hessian",
                    hessian,
                    "--precond",
                    precond,
                    "--gtol",
                    "1e-9",
                    "--gtol-abs",
                    "0",
                    "--json",
                ]);
                assert_eq!(code, 0, "{problem} {hessian} {precond}: {out} {err}");
                assert!(out.contains("\"converged\":true"), "{out}");
                assert_eq!(json_number(&out, "n"), 120.0, "{out}");
                fs.push(json_number(&out, "f"));
            }
        }
        for f in &fs {
            assert!(
                (f - fs[0]).abs() <= 1e-9 * fs[0].abs().max(1e-3),
                "{problem}: {fs:?}"
            );
        }
    }
}

#[test]
fn msa_100x100_reaches_the_reference_value() {
    let (code, out, err) = run(&[
        "solve",
        "--problem",
        "msa",
        "--nx",
        "100",
        "--ny",
        "100",
        "--precond",
        "ic0",
        "--gtol",
        "1e-8",
        "--gtol-abs",
        "0",
        "--json",
    ]);
    assert_eq!(code, 0, "{out} {err}");
    assert!((json_number(&out, "f") - 1.42132761).abs() < 5e-9, "{out}");
}

/// Invalid values (exit status 2, the table of README.md).
#[test]
fn options_that_do_not_apply_are_errors() {
    for args in [
        &["solve", "--problem", "rosenbrock", "--precond", "ic0"][..],
        &["solve", "--problem", "arwhead", "--hessian", "assembled"][..],
        &["solve", "--problem", "logistic", "--nx", "10"][..],
        &["solve", "--problem", "msa", "--n", "10"][..],
        &["solve", "--problem", "msa", "--nx", "0"][..],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
