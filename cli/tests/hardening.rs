//! The failure table of `docs/reliability.md`, run against the binary: a
//! closed pipe, a full disk, huge indices, unbounded lines, size-limited
//! writes with the old file intact, strict model files, the exit-status
//! table, and files checked before the work.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_steihaug"));
    // A fixed memory limit: the estimates do not depend on the machine.
    c.env("STEIHAUG_MEMORY_LIMIT", "1G");
    c.env_remove("RAYON_NUM_THREADS");
    c
}

/// A fresh directory in cargo's per-target temporary directory.
fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("hardening")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(out.status.code().is_some(), "killed by a signal: {out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{out:?}"
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Small training data (200 rows, 50 columns).
fn data(d: &Path) -> PathBuf {
    let p = d.join("d.svm");
    let out = run(bin().args([
        "gen-data",
        "--rows",
        "200",
        "--cols",
        "50",
        "--nnz-per-row",
        "5",
        "-o",
        s(&p),
    ]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    p
}

/// The files of a directory, sorted.
fn entries(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Reads one line of stdout, closes the pipe, and returns the exit status
/// and stderr.
fn read_one_line_and_close(cmd: &mut Command) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(!line.is_empty());
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code(), err)
}

#[test]
fn a_closed_pipe_is_a_quiet_exit_and_train_still_writes_its_model() {
    let (code, err) = read_one_line_and_close(bin().args(["solve", "--n", "100000"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    let (code, err) = read_one_line_and_close(bin().args(["problems"]));
    assert_eq!(code, Some(0), "{err}");

    let d = dir("pipe");
    let data = data(&d);
    let model = d.join("m.model");
    let (code, err) = read_one_line_and_close(bin().args(["train", s(&data), "-o", s(&model)]));
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(text.starts_with("solver_type L2R_LR\n"), "{text}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_io_error_after_the_model_is_written() {
    let d = dir("full");
    let data = data(&d);
    let model = d.join("m.model");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let out = run(bin()
        .args(["train", s(&data), "-o", s(&model)])
        .stdout(full()));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("stdout"), "{}", stderr(&out));
    assert!(model.exists());
    let out = run(bin()
        .args(["solve", "--problem", "rosenbrock", "--json"])
        .stdout(full()));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("No space left"), "{}", stderr(&out));
}

#[test]
fn huge_indices_and_sizes_are_typed_errors_that_name_the_size() {
    let d = dir("huge");
    let data = d.join("huge.svm");
    std::fs::write(&data, "1 300000000:1\n-1 1:1\n").unwrap();
    let out = run(bin().args(["train", s(&data), "-o", s(&d.join("m"))]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let e = stderr(&out);
    assert!(
        e.contains("not enough memory") && e.contains("n = 300000000") && e.contains("GiB"),
        "{e}"
    );
    // gen-data: refused before the output file is touched.
    let old = d.join("old.svm");
    std::fs::write(&old, "old\n").unwrap();
    let out = run(bin().args([
        "gen-data",
        "--rows",
        "10",
        "--cols",
        "4294967295",
        "--nnz-per-row",
        "3",
        "-o",
        s(&old),
    ]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("not enough memory"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "old\n");
    // Solvers: the n-vectors of a huge n, and dense Newton's three n x n
    // matrices.
    let out = run(bin().args(["solve", "--n", "100000000000"]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("not enough memory"),
        "{}",
        stderr(&out)
    );
    let out = run(bin().args(["solve", "--n", "20000", "--solver", "dense"]));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains("3 n x n matrices"),
        "{}",
        stderr(&out)
    );
    let out = run(bin().args(["solve", "--n", "8000", "--solver", "dense"]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("not enough memory"),
        "{}",
        stderr(&out)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn dev_zero_is_a_bounded_read_with_a_line_number() {
    let out = run(bin().args(["train", "/dev/zero"]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let e = stderr(&out);
    assert!(
        e.contains("/dev/zero") && e.contains("line 1") && e.contains("longer than"),
        "{e}"
    );
    let d = dir("zero");
    let data = data(&d);
    let out = run(bin().args(["predict", s(&data), "/dev/zero"]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("longer than"), "{}", stderr(&out));
    let out = run(bin().args(["solve", "--resume", "/dev/zero"]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("not a checkpoint"),
        "{}",
        stderr(&out)
    );
}

/// `ulimit -f` (in 512- or 1024-byte blocks) with SIGXFSZ ignored: the
/// write fails with EFBIG part-way; the old file stays as it was and no
/// temporary file is left.
#[cfg(unix)]
#[test]
fn a_size_limited_write_leaves_the_old_file_intact() {
    let d = dir("ulimit");
    let data = data(&d);
    let limited = |args: &[&str]| {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_steihaug"))
            .args(args)
            .env("STEIHAUG_MEMORY_LIMIT", "1G");
        run(&mut c)
    };
    let old = d.join("big.svm");
    std::fs::write(&old, "old data\n").unwrap();
    let out = limited(&[
        "gen-data",
        "--rows",
        "2000",
        "--cols",
        "100",
        "--nnz-per-row",
        "10",
        "-o",
        s(&old),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("big.svm"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "old data\n");

    // A model of 5000 weights is far above one block.
    let wide = d.join("wide.svm");
    let out = run(bin().args([
        "gen-data",
        "--rows",
        "300",
        "--cols",
        "5000",
        "--nnz-per-row",
        "40",
        "-o",
        s(&wide),
    ]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let model = d.join("m.model");
    std::fs::write(&model, "old model\n").unwrap();
    let out = limited(&["train", s(&wide), "-o", s(&model), "--quiet"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(std::fs::read_to_string(&model).unwrap(), "old model\n");
    assert_eq!(
        entries(&d),
        vec!["big.svm", "d.svm", "m.model", "wide.svm"],
        "temporary files left behind"
    );
    let _ = data;
}

#[test]
fn model_files_are_parsed_strictly() {
    let d = dir("model");
    let data = data(&d);
    let header = "solver_type L2R_LR\nnr_class 2\n";
    for (name, body, needle) in [
        (
            "junk",
            "label 1 junk -1\nnr_feature 1\nbias -1\nw\n0.5\n",
            "bad label line",
        ),
        (
            "wrap",
            "label 1 -1\nnr_feature 18446744073709551615\nbias 1\nw\n",
            "overflows",
        ),
        (
            "twice",
            "label 1 -1\nlabel 1 -1\nnr_feature 1\nbias -1\nw\n0.5\n",
            "appears twice",
        ),
        (
            "extra",
            "label 1 -1\nnr_feature 1 2\nbias -1\nw\n0.5\n",
            "takes one value",
        ),
        (
            "zeros",
            "label 0 -0\nnr_feature 1\nbias -1\nw\n0.5\n",
            "bad label line",
        ),
    ] {
        let m = d.join(name);
        std::fs::write(&m, format!("{header}{body}")).unwrap();
        let out = run(bin().args(["predict", s(&data), s(&m)]));
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
        let e = stderr(&out);
        assert!(e.contains(needle) && e.contains(s(&m)), "{name}: {e}");
    }
}

#[test]
fn labels_0_and_minus_0_are_one_class_in_train_and_predict() {
    let d = dir("zero-labels");
    let data = d.join("z.svm");
    std::fs::write(&data, "0 1:1\n-0 1:1 2:0.5\n1 2:1\n1 1:-1 2:1\n").unwrap();
    let model = d.join("z.model");
    let out = run(bin().args(["train", s(&data), "-o", s(&model), "--quiet"]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(
        text.contains("label 1 0\n") || text.contains("label 0 1\n"),
        "{text}"
    );
    let out = run(bin().args(["predict", s(&data), s(&model)]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(4/4)"),
        "{out:?}"
    );
}

#[test]
fn exit_statuses_follow_the_readme_table() {
    let d = dir("exit");
    let data = data(&d);
    for (args, code) in [
        (vec!["solve", "--problem", "bogus"], 2),
        (vec!["solve", "--n", "0"], 2),
        (vec!["solve", "--gtol", "nan"], 2),
        (
            vec!["solve", "--problem", "rosenbrock", "--precond", "ic0"],
            2,
        ),
        (
            vec!["solve", "--problem", "rosenbrock", "--precond", "amg"],
            2,
        ),
        (vec!["solve", "--no-such-flag"], 2),
        (vec!["train", s(&data), "-c", "0"], 2),
        (vec!["train", s(&data), "--threads", "0"], 2),
        (vec!["train", s(&data), "--threads", "5000"], 2),
        (vec!["train", "/nonexistent/data.svm"], 1),
        (vec!["solve", "--problem", "rosenbrock"], 0),
        (
            vec!["solve", "--problem", "rosenbrock", "--max-iter", "2"],
            3,
        ),
    ] {
        let out = run(bin().args(&args).current_dir(&d));
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    }
    for value in ["5000", "many"] {
        let out = run(bin()
            .args(["solve", "--problem", "rosenbrock"])
            .env("RAYON_NUM_THREADS", value));
        assert_eq!(out.status.code(), Some(2), "{value}: {out:?}");
        assert!(stderr(&out).contains("RAYON_NUM_THREADS"), "{out:?}");
    }
}

#[test]
fn files_are_named_and_checked_before_the_work() {
    let d = dir("files");
    let data = data(&d);
    let sub = d.join("sub");
    std::fs::create_dir(&sub).unwrap();
    // A directory as data: the message names it.
    let model = d.join("m.model");
    let out = run(bin().args(["train", s(&data), "-o", s(&model), "--quiet"]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = run(bin().args(["predict", s(&sub), s(&model)]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains(s(&sub)), "{}", stderr(&out));
    // An unwritable --report: refused before the solve prints anything.
    let out = run(bin().args([
        "solve",
        "--problem",
        "rosenbrock",
        "--report",
        "/nonexistent/r.json",
    ]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(stderr(&out).contains("/nonexistent/r.json"), "{out:?}");
    // --checkpoint DIR: refused, and no DIR.tmp (or any temporary) left.
    let out = run(bin().args(["solve", "--problem", "rosenbrock", "--checkpoint", s(&sub)]));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(entries(&d), vec!["d.svm", "m.model", "sub"]);
    // An existing FILE.tmp is not overwritten by a checkpoint.
    let ck = d.join("ck.json");
    let foreign = d.join("ck.json.tmp");
    std::fs::write(&foreign, "mine").unwrap();
    let out = run(bin().args([
        "solve",
        "--problem",
        "rosenbrock",
        "--checkpoint",
        s(&ck),
        "--checkpoint-every",
        "1",
    ]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "mine");
    assert!(ck.exists());
}

#[test]
fn a_forged_grad_norm0_is_refused_on_resume() {
    let d = dir("resume");
    let ck = d.join("ck.json");
    let out = run(bin().args([
        "solve",
        "--problem",
        "extended-rosenbrock",
        "--n",
        "100",
        "--max-iter",
        "3",
        "--checkpoint",
        s(&ck),
        "--checkpoint-every",
        "1",
    ]));
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let mut cp = steihaug::Checkpoint::read(&ck).unwrap();
    for forged in [1e300, cp.state.grad_norm0 * 1.5] {
        cp.state.grad_norm0 = forged;
        let bad = d.join("forged.json");
        cp.write(&bad).unwrap();
        let out = run(bin().args([
            "solve",
            "--problem",
            "extended-rosenbrock",
            "--n",
            "100",
            "--resume",
            s(&bad),
        ]));
        assert_eq!(out.status.code(), Some(1), "{forged}: {out:?}");
        assert!(stderr(&out).contains("grad_norm0"), "{}", stderr(&out));
    }
    let out = run(bin().args([
        "solve",
        "--problem",
        "extended-rosenbrock",
        "--n",
        "100",
        "--resume",
        s(&ck),
    ]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
