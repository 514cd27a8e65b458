//! The `steihaug` binary: `--json`, `--report FILE`, `--plot FILE.svg`,
//! `--checkpoint`/`--resume`, `--quiet`, and Ctrl-C (SIGINT) ending the solve
//! at the end of the current iteration with the report still written.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use steihaug::{Report, Status};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_steihaug"))
}

/// A fresh path in cargo's per-target temporary directory.
fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

fn run(args: &[&str]) -> Output {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.code().is_some(),
        "killed by a signal: {:?}",
        out.status
    );
    out
}

/// A row of the per-iteration table starts with the iteration number.
fn is_table_row(line: &str) -> bool {
    line.split_whitespace()
        .next()
        .is_some_and(|w| w.parse::<usize>().is_ok())
}

fn read_report(path: &PathBuf) -> Report {
    Report::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn json_summary_and_report_file_agree() {
    let report_path = tmp("rosenbrock.report.json");
    let out = run(&[
        "solve",
        "--problem",
        "rosenbrock",
        "--json",
        "--report",
        report_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().count(),
        1,
        "--json prints one line: {stdout}"
    );
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["status"], "converged");
    assert_eq!(j["solver"], "trust_region");

    let report = read_report(&report_path);
    assert_eq!(report.status, Status::Converged);
    assert_eq!(report.n(), 2);
    assert_eq!(
        j["iterations"].as_u64().unwrap() as usize,
        report.iterations
    );
    assert_eq!(j["history"].as_array().unwrap().len(), report.history.len());
    assert_eq!(j["hvps"].as_u64().unwrap(), report.counts.hvps);
    // serde_json writes shortest round-trip floats: the same f, bit for bit.
    assert_eq!(j["f"].as_f64().unwrap().to_bits(), report.f.to_bits());
    assert!((report.x[0] - 1.0).abs() < 1e-6 && (report.x[1] - 1.0).abs() < 1e-6);
}

#[test]
fn quiet_prints_only_the_summary() {
    let out = run(&["solve", "--problem", "rosenbrock", "--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The summary and the known optimum, no table.
    assert!(stdout.starts_with("trust_region: converged"), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| is_table_row(l)).count(), 0);
    assert!(stdout.lines().count() <= 2, "{stdout}");
    // Not a terminal: no progress bar on stderr either.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(&["solve", "--problem", "rosenbrock"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows = stdout.lines().filter(|l| is_table_row(l)).count();
    assert!(rows > 3, "the table is printed: {stdout}");
    assert!(out.stderr.is_empty(), "no bar when not a terminal");
}

#[cfg(feature = "plot")]
#[test]
fn plot_writes_an_svg() {
    let svg = tmp("rosenbrock.svg");
    let out = run(&[
        "solve",
        "--problem",
        "extended-rosenbrock",
        "--n",
        "1000",
        "--quiet",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(text.contains("<polyline"), "the curves are drawn");
    assert!(text.contains("Hessian-vector products"));
}

#[test]
fn a_resumed_run_ends_where_the_uninterrupted_run_ends() {
    let args = ["solve", "--problem", "extended-rosenbrock", "--n", "1000"];
    let full_path = tmp("full.report.json");
    let out = run(&[
        &args[..],
        &["--quiet", "--report", full_path.to_str().unwrap()],
    ]
    .concat());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let full = read_report(&full_path);
    assert!(full.iterations > 12, "the test needs a longer run");

    // Interrupted by the iteration budget after 12 iterations; the last
    // checkpoint is the one after iteration 10.
    let ckpt = tmp("run.ckpt.json");
    let out = run(&[
        &args[..],
        &[
            "--quiet",
            "--max-iter",
            "12",
            "--checkpoint",
            ckpt.to_str().unwrap(),
            "--checkpoint-every",
            "5",
        ],
    ]
    .concat());
    assert_eq!(out.status.code(), Some(3), "max_iterations: {out:?}");
    let cp = steihaug::solvers::checkpoint::Checkpoint::read(&ckpt).unwrap();
    assert_eq!(cp.state.iter, 10);

    let resumed_path = tmp("resumed.report.json");
    let out = run(&[
        &args[..],
        &[
            "--quiet",
            "--resume",
            ckpt.to_str().unwrap(),
            "--report",
            resumed_path.to_str().unwrap(),
        ],
    ]
    .concat());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let resumed = read_report(&resumed_path);
    assert_eq!(resumed.status, full.status);
    assert_eq!(resumed.iterations, full.iterations);
    assert_eq!(resumed.history.len(), full.history.len());
    assert_eq!(resumed.counts.hvps, full.counts.hvps);
    assert_eq!(resumed.f.to_bits(), full.f.to_bits());
    let same_x = resumed
        .x
        .iter()
        .zip(full.x.iter())
        .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(same_x, "resumed x differs from the uninterrupted x");
}

#[test]
fn checkpoints_are_for_the_trust_region_only() {
    let ckpt = tmp("ls.ckpt.json");
    let out = run(&[
        "solve",
        "--problem",
        "rosenbrock",
        "--solver",
        "linesearch",
        "--checkpoint",
        ckpt.to_str().unwrap(),
    ]);
    // An invalid combination of values: 2.
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trust-region"));
    let out = run(&["solve", "--resume", "/nonexistent/ckpt.json"]);
    assert_eq!(out.status.code(), Some(1));
}

/// SIGINT once the table shows the solve is under way: the solve ends at
/// the end of an iteration with `stopped_by_user`, exit status 130, the
/// summary and `--report` are still produced, and a last checkpoint is
/// written at the iteration the report ends with (none of the periodic
/// ones, every 10 000 iterations, would have been).
#[cfg(unix)]
#[test]
fn ctrl_c_stops_at_the_end_of_the_iteration_and_still_reports() {
    use std::io::{BufRead, BufReader, Read};

    let report_path = tmp("interrupted.report.json");
    let checkpoint_path = tmp("interrupted.checkpoint.json");
    // n = 10^6 takes tens of iterations of tens of milliseconds each; the
    // signal is sent after the second row, long before the solve could end.
    let mut child = bin()
        .args([
            "solve",
            "--problem",
            "extended-rosenbrock",
            "--n",
            "1000000",
            "--report",
            report_path.to_str().unwrap(),
            "--checkpoint",
            checkpoint_path.to_str().unwrap(),
            "--checkpoint-every",
            "10000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut rows = 0;
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        let is_row = is_table_row(&line);
        lines.push(std::mem::take(&mut line));
        if is_row {
            rows += 1;
            if rows == 2 {
                break;
            }
        }
    }
    assert_eq!(rows, 2, "the solve printed no table: {lines:?}");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(130), "stdout: {rest}\nstderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        rest.lines()
            .any(|l| l.starts_with("trust_region: stopped_by_user after")),
        "{rest}"
    );

    let report = read_report(&report_path);
    assert_eq!(report.status, Status::StoppedByUser);
    assert!(report.iterations >= 2);
    // The report ends at a completed iteration: one record per iteration,
    // and its point is the accepted point of the last record.
    assert_eq!(report.history.len(), report.iterations);
    let last = report.history.last().unwrap();
    assert_eq!(last.iter, report.iterations);
    assert_eq!(report.f.to_bits(), last.f.to_bits());
    assert!(!report.status.is_converged());
    let checkpoint = steihaug::Checkpoint::read(&checkpoint_path).unwrap();
    assert_eq!(checkpoint.state.iter, report.iterations);
    assert_eq!(checkpoint.state.f.to_bits(), report.f.to_bits());
}

/// `--check-derivatives` (at x0) and `--check-derivatives-final` (at the
/// last iterate) put their verdicts into `--json`; the problem's derivatives
/// are right, so both say "correct".
#[test]
fn derivative_checks_reach_the_json() {
    let out = run(&[
        "solve",
        "--problem",
        "arwhead",
        "--n",
        "100",
        "--check-derivatives",
        "--check-derivatives-final",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["derivative_check"]["verdict"], "correct");
    // At the minimizer ∇f ≈ 4e-8: finite differences cannot decide any
    // component there, so the checker may not call the gradient wrong.
    let fin = &v["derivative_check_final"];
    assert_eq!(fin["n"], 100);
    assert_eq!(fin["gradient"]["components_inconclusive"], 100, "{fin}");
    assert_ne!(fin["verdict"], "wrong", "{fin}");
    assert_eq!(fin["hvp"]["verdict"], "correct", "{fin}");
    // The final check ran at the solution, not at x0.
    assert_ne!(v["derivative_check"]["f"], v["derivative_check_final"]["f"]);
    // Without the flags there is no such field.
    let plain = run(&["solve", "--problem", "arwhead", "--n", "100", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(v.get("derivative_check").is_none() && v.get("derivative_check_final").is_none());
}
