//! `steihaug gen-data`, `train` (text and `--json`) and `predict`, end to
//! end through the binary.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use ndarray::{Array1, ArrayView1};
use steihaug::io::{read_libsvm_file, LinearModel};
use steihaug::problems::sparse_logistic::{l2_logistic_with_shards, BinaryDataset};
use steihaug::Objective;

const BIN: &str = env!("CARGO_BIN_EXE_steihaug");

/// A fresh directory in cargo's per-target temporary directory.
fn tmp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `steihaug gen-data`, `train` and `predict` end to end.
#[test]
fn command_line_train_and_predict() {
    let bin = BIN;
    let dir = tmp_dir("train-and-predict");
    let data = dir.join("d.svm");
    let model = dir.join("d.model");
    let gen = |path: &std::path::Path| {
        let out = Command::new(bin)
            .args([
                "gen-data",
                "--rows",
                "300",
                "--cols",
                "50",
                "--nnz-per-row",
                "8",
            ])
            .args(["--seed", "7", "-o"])
            .arg(path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        std::fs::read(path).unwrap()
    };
    let first = gen(&data);
    assert_eq!(
        first,
        gen(&dir.join("d2.svm")),
        "gen-data is not reproducible"
    );
    let out = Command::new(bin)
        .arg("train")
        .arg(&data)
        .args(["-c", "2", "-e", "0.001", "--threads", "2", "-o"])
        .arg(&model)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // One progress line per Newton iteration: iteration, objective, |g|,
    // CG iterations, radius, ...; their number matches the summary.
    let header = stdout
        .lines()
        .position(|l| {
            l.split_whitespace()
                .take(5)
                .eq(["iter", "objective", "|g|", "cg", "radius"])
        })
        .unwrap_or_else(|| panic!("no progress header in\n{stdout}"));
    let progress: Vec<Vec<f64>> = stdout
        .lines()
        .skip(header + 1)
        .take_while(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|t| t.parse::<u64>().is_ok())
        })
        .map(|l| {
            l.split_whitespace()
                .take(5)
                .map(|t| t.parse().unwrap())
                .collect()
        })
        .collect();
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("objective "))
        .unwrap_or_else(|| panic!("no summary in\n{stdout}"));
    let field = |name: &str| -> f64 {
        let mut it = summary.split_whitespace();
        it.find(|&t| t == name).unwrap();
        it.next().unwrap().parse().unwrap()
    };
    let iters = field("newton_iters") as usize;
    assert!(iters >= 2 && progress.len() == iters, "{stdout}");
    for (k, p) in progress.iter().enumerate() {
        assert_eq!(p[0] as usize, k + 1, "{stdout}");
        assert!(p[1].is_finite() && p[2] >= 0.0 && p[4] > 0.0, "{stdout}");
    }
    let cg: f64 = progress.iter().map(|p| p[3]).sum();
    assert_eq!(cg, field("cg_iters"), "{stdout}");
    assert!(progress.windows(2).all(|w| w[1][1] <= w[0][1]), "{stdout}");
    let out = Command::new(bin)
        .arg("predict")
        .arg(&data)
        .arg(&model)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("Accuracy = "),
        "{stdout}"
    );
    // A malformed data file: exit status 1 and the line number.
    std::fs::write(&data, "+1 1:1\n-1 3:1 2:1\n").unwrap();
    let out = Command::new(bin).arg("train").arg(&data).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("line 2"), "{stderr}");
}

/// `train --json` prints one JSON object with the fields of `solve --json`
/// and the data's; its numbers are the text run's (here with another
/// thread count: the results do not depend on it), and the model is the
/// same file.
#[test]
fn train_json_matches_the_text_output_and_the_model() {
    let dir = tmp_dir("train-json");
    let data = dir.join("d.svm");
    let out = Command::new(BIN)
        .args([
            "gen-data",
            "--rows",
            "400",
            "--cols",
            "60",
            "--nnz-per-row",
            "9",
        ])
        .args(["--seed", "5", "-o"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let train = |threads: &str, model: &PathBuf, json: bool| {
        let mut cmd = Command::new(BIN);
        cmd.arg("train")
            .arg(&data)
            .args(["-c", "2", "-e", "0.001", "--threads", threads, "-o"])
            .arg(model);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let text_model = dir.join("text.model");
    let json_model = dir.join("json.model");
    let text = train("2", &text_model, false);
    let stdout = train("1", &json_model, true);
    assert_eq!(
        stdout.lines().count(),
        1,
        "--json prints one line: {stdout}"
    );
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();

    for key in [
        "status",
        "converged",
        "solver",
        "f",
        "grad_norm",
        "grad_norm0",
        "iterations",
        "evals",
        "hvps",
        "cg_iterations",
        "solve_s",
        "read_s",
        "elapsed_s",
        "n",
        "rows",
        "nnz",
        "threads",
        "shards",
        "history",
        "config",
        "gtol",
        "model",
    ] {
        assert!(j.get(key).is_some(), "no {key} in {j}");
    }
    assert!(j.get("x").is_none(), "x is the model's, not the JSON's");
    assert_eq!(j["status"], "converged");
    assert_eq!(j["converged"], true);
    assert_eq!(j["solver"], "trust_region");
    assert_eq!(j["rows"], 400);
    assert_eq!(j["n"], 60);
    assert_eq!(j["threads"], 1);
    // The LIBLINEAR preset: TRON's radius rule, |g| <= gtol.
    let config = j["config"].to_string();
    assert!(config.contains("\"tron\""), "{config}");
    assert!(
        config.contains(&format!("\"gtol_abs\":{}", j["gtol"])),
        "{config}"
    );
    let num = |key: &str| j[key].as_f64().unwrap_or_else(|| panic!("{key} in {j}"));
    for key in ["solve_s", "read_s", "elapsed_s"] {
        assert!(num(key) >= 0.0, "{key} in {j}");
    }
    assert!(num("grad_norm") <= num("gtol"), "{j}");
    let history = j["history"].as_array().unwrap();
    assert_eq!(history.len() as f64, num("iterations"));
    let cg: f64 = history
        .iter()
        .map(|r| r["cg_iterations"].as_f64().unwrap())
        .sum();
    assert_eq!(cg, num("cg_iterations"));

    // The text run's summary: `objective F |g| G newton_iters K cg_iters C ...`.
    let summary = text
        .lines()
        .find(|l| l.starts_with("objective "))
        .unwrap_or_else(|| panic!("no summary in\n{text}"));
    let field = |name: &str| -> f64 {
        let mut it = summary.split_whitespace();
        it.find(|&t| t == name).unwrap();
        it.next().unwrap().parse().unwrap()
    };
    assert_eq!(field("newton_iters"), num("iterations"), "{summary}");
    assert_eq!(field("cg_iters"), num("cg_iterations"), "{summary}");
    assert_eq!(
        format!("{:.15e}", num("f")),
        summary.split_whitespace().nth(1).unwrap()
    );
    assert_eq!(
        format!("{:.6e}", num("grad_norm")),
        summary.split_whitespace().nth(3).unwrap()
    );
    assert_eq!(
        std::fs::read(&text_model).unwrap(),
        std::fs::read(&json_model).unwrap(),
        "the same model for 1 and 2 threads, with and without --json"
    );
    assert_eq!(j["model"], json_model.display().to_string());

    // The objective at the model's weights is the reported f, bit for bit.
    let model = LinearModel::read_file(&json_model).unwrap();
    let set = BinaryDataset::from_libsvm(read_libsvm_file(&data).unwrap()).unwrap();
    let shards = j["shards"].as_u64().unwrap() as usize;
    let obj = l2_logistic_with_shards(Arc::new(set), 2.0, shards).unwrap();
    let mut g = Array1::zeros(60);
    let f = obj.value_grad(ArrayView1::from(&model.w[..]), g.view_mut());
    assert_eq!(f.to_bits(), num("f").to_bits(), "{f} vs {j}");
    let gnorm = g.dot(&g).sqrt();
    assert!(
        (gnorm - num("grad_norm")).abs() <= 1e-12 * gnorm,
        "{gnorm} vs {j}"
    );
}
