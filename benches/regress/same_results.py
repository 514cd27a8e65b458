#!/usr/bin/env python3
"""Same results before and after a change: run two builds of the CLI on a
fixed set of solves and compare their reports bit for bit.

    python3 benches/regress/same_results.py OLD_BINARY NEW_BINARY

Each case runs `steihaug solve ... --json --report FILE` with both binaries.
From `--json` it compares every field except wall-clock times (`elapsed_s`,
`solve_s`, `read_s`) and the `config` object (which may gain fields); from
`--report` it compares x entry by entry. Floats are compared as the decimal
strings the programs printed (shortest round-trip form), so equal strings
mean equal bits. `train` cases compare the model files byte for byte.

The cases: every built-in problem with each solver at a small size, the
MINPACK-2 grid problems with assembled Hessians and each preconditioner,
and the determinism set (the problems and sizes of tests/solvers/determinism.rs)
in rayon pools of 1, 2 and 4 threads. Prints one line per case and a final
`N passed, N failed` line; exits 1 on any difference.
"""
import json
import os
import subprocess
import sys
import tempfile

TIME_KEYS = {"elapsed_s", "solve_s", "read_s"}
# Keys that only the newer build prints (new report fields) are ignored when
# the old build lacks them; a key the old build prints must be equal.
PAR_MIN_LEN = 1 << 17  # src/linalg/par.rs

SMALL_N = {
    "rosenbrock": None,
    "extended-rosenbrock": 1000,
    "logistic": None,
    "logistic-sparse": 300,
    "arwhead": 100,
    "engval1": 100,
    "genrose": 100,
    "chainwoo": 100,
    "tridia": 100,
    "nondia": 100,
    "fletchcr": 100,
    "powellsg": 100,
    "broydn7d": 100,
    "cragglvy": 100,
}
GRID = ["msa", "ept", "ssc", "odc", "pjb"]
DIXMAAN = ["dixmaan" + c for c in "efghijkl"]


def cases():
    out = []
    for p, n in SMALL_N.items():
        for s in ["tr", "linesearch", "dense"]:
            args = ["--problem", p, "--solver", s]
            if n is not None:
                args += ["--n", str(n)]
            out.append(args)
    for p in DIXMAAN:
        for s in ["tr", "linesearch", "dense"]:
            out.append(["--problem", p, "--solver", s, "--n", "150"])
    for p in GRID:
        for s in ["tr", "linesearch", "dense"]:
            out.append(["--problem", p, "--solver", s, "--nx", "12", "--ny", "10"])
        for s in ["tr", "linesearch"]:
            for pc in ["none", "jacobi", "ic0"]:
                out.append(["--problem", p, "--solver", s, "--nx", "20", "--ny", "20",
                            "--hessian", "assembled", "--precond", pc])
    for s in ["tr", "linesearch"]:
        out.append(["--problem", "extended-rosenbrock", "--n", "2000", "--solver", s,
                    "--precond", "jacobi"])
        out.append(["--problem", "logistic-sparse", "--n", "300", "--solver", s,
                    "--precond", "jacobi"])
    # Budgets and stops.
    out.append(["--problem", "genrose", "--n", "100", "--max-iter", "7"])
    out.append(["--problem", "genrose", "--n", "100", "--max-hvps", "33"])
    out.append(["--problem", "genrose", "--n", "100", "--solver", "linesearch", "--max-hvps", "33"])
    out.append(["--problem", "rosenbrock", "--gtol", "1e-3", "--gtol-abs", "0"])
    # The determinism set: sizes above PAR_MIN_LEN, 1, 2 and 4 threads.
    det = [
        ["--problem", "extended-rosenbrock", "--n", str(PAR_MIN_LEN + 2 * 321)],
        ["--problem", "chainwoo", "--n", str(PAR_MIN_LEN + 4 * 250), "--max-iter", "30"],
    ]
    for d in det:
        for s in ["tr", "linesearch"]:
            for t in ["1", "2", "4"]:
                out.append(["@threads=" + t] + d + ["--solver", s])
    return out


def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in TIME_KEYS and k != "config"}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


def diff(old, new, path="$"):
    """First difference, with keys only in `new` ignored."""
    if isinstance(old, dict) and isinstance(new, dict):
        for k in old:
            if k not in new:
                return f"{path}.{k}: missing in new"
            d = diff(old[k], new[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return f"{path}: length {len(old)} vs {len(new)}"
        for i, (a, b) in enumerate(zip(old, new)):
            d = diff(a, b, f"{path}[{i}]")
            if d:
                return d
        return None
    if old != new:
        return f"{path}: {old!r} vs {new!r}"
    return None


def run(binary, args, tmp):
    env = dict(os.environ)
    if args and args[0].startswith("@threads="):
        env["RAYON_NUM_THREADS"] = args[0].split("=")[1]
        args = args[1:]
    report = os.path.join(tmp, "report.json")
    if os.path.exists(report):
        os.remove(report)
    p = subprocess.run([binary, "solve", *args, "--json", "--report", report],
                       capture_output=True, text=True, env=env)
    # Parse floats as their printed strings: equal strings are equal bits.
    stdout = json.loads(p.stdout, parse_float=str) if p.stdout.strip() else None
    x = None
    if os.path.exists(report):
        with open(report) as fh:
            x = json.load(fh, parse_float=str).get("x")
    return p.returncode, strip(stdout), x


def train_case(old, new, tmp):
    data = os.path.join(tmp, "d.svm")
    subprocess.run([old, "gen-data", "--rows", "3000", "--cols", "500", "--nnz-per-row", "12",
                    "--seed", "3", "-o", data], check=True, capture_output=True)
    models = []
    for i, b in enumerate([old, new]):
        m = os.path.join(tmp, f"m{i}.model")
        subprocess.run([b, "train", data, "-c", "2", "-e", "0.001", "--threads", "2", "-o", m],
                       check=True, capture_output=True)
        with open(m, "rb") as fh:
            models.append(fh.read())
    return None if models[0] == models[1] else "model files differ"


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    old, new = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for args in cases():
            ro, jo, xo = run(old, args, tmp)
            rn, jn, xn = run(new, args, tmp)
            d = None
            if ro != rn:
                d = f"exit {ro} vs {rn}"
            elif jo is None:
                d = "no JSON from the old build"
            else:
                d = diff(jo, jn) or (None if xo == xn else "x differs")
            label = " ".join(args)
            if d:
                failed += 1
                print(f"DIFF  {label}: {d}")
            else:
                passed += 1
                st = jo.get("status")
                print(f"same  {label}  [{st}, {jo.get('iterations')} its, {jo.get('hvps')} hvps]")
        d = train_case(old, new, tmp)
        if d:
            failed += 1
            print(f"DIFF  train: {d}")
        else:
            passed += 1
            print("same  train gen-data 3000x500 -c 2 -e 0.001 --threads 2 (model bytes)")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
