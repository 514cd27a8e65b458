#!/usr/bin/env python3
"""Side-by-side: steihaug `train` vs LIBLINEAR (-s 0) on the same LIBSVM file.

Usage: logistic_peers.py DATA STEIHAUG_BIN [--tight EPS] [--reps R] [--no-sklearn]

Runs, in the same process tree:
  * R rounds at C = 1, eps = 0.01, each round interleaving
    steihaug train on 1 thread, steihaug train on 2 threads and
    LIBLINEAR 2.50 (pip `liblinear-official`) `-s 0 -c 1 -e 0.01 -q`
    (the order rotates from round to round, so that a burst of load from
    other processes does not always hit the same solver);
  * one round at a tight tolerance (default eps = 1e-5), comparing final
    objectives;
  * scikit-learn's LogisticRegression(solver='liblinear') for reference.

What is timed: for steihaug, `solve_s` as printed by `train` (from the
evaluation of grad f(0) for the stopping rule to the last iteration; reading
the file is excluded); for LIBLINEAR, only the `liblinearutil.train()` call
(the file is loaded with scikit-learn's svmlight loader and converted to
LIBLINEAR's `problem` beforehand). The 1-minute load average is recorded
before every run; for steihaug also the CPU time (user + sys) of the process.
All objectives are recomputed here with one formula,
f(w) = 1/2 |w|^2 + C sum log(1 + exp(-y w.x)), from the models' weights.
"""
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import load_svmlight_file


def objective(w, X, y, C=1.0):
    m = y * (X @ w)
    return 0.5 * float(w @ w) + C * float(np.sum(np.logaddexp(0.0, -m)))


def grad_norm(w, X, y, C=1.0):
    m = y * (X @ w)
    s = 0.5 * (1.0 + np.tanh(-0.5 * m))  # sigma(-m)
    g = w + C * (X.T @ (-s * y))
    return float(np.linalg.norm(g))


def read_model(path, n):
    with open(path) as f:
        lines = f.read().split("\n")
    k = lines.index("w")
    w = np.array([float(v.split()[0]) for v in lines[k + 1:] if v.strip()])
    out = np.zeros(n)
    out[: min(n, len(w))] = w[: min(n, len(w))]
    return out


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_ours(binary, data, eps, threads, model):
    cmd = [binary, "train", data, "-c", "1", "-e", str(eps), "--threads", str(threads),
           "-o", model, "--quiet"]
    load = os.getloadavg()[0]
    cpu0 = cpu_children()
    out = subprocess.run(cmd, check=False, capture_output=True, text=True).stdout
    cpu = cpu_children() - cpu0
    m = re.search(r"objective (\S+) \|g\| (\S+) newton_iters (\d+) cg_iters (\d+) solve_s (\S+)"
                  r" read_s (\S+)", out)
    if not m:
        raise SystemExit("unexpected steihaug output:\n" + out)
    return dict(f=float(m.group(1)), g=float(m.group(2)), iters=int(m.group(3)),
                cg=int(m.group(4)), t=float(m.group(5)), read=float(m.group(6)), cpu=cpu,
                load=load)


def fmt_times(ts):
    return (f"min {min(ts):.3f} / median {statistics.median(ts):.3f} "
            f"({', '.join(f'{t:.2f}' for t in ts)})")


def main():
    data, binary = sys.argv[1], sys.argv[2]
    arg = lambda name, default: (sys.argv[sys.argv.index(name) + 1]  # noqa: E731
                                 if name in sys.argv else default)
    tight = float(arg("--tight", "1e-5"))
    reps = int(arg("--reps", "3"))
    t = time.perf_counter()
    X, y = load_svmlight_file(data, dtype=np.float64)
    X = X.tocsr()
    load_s = time.perf_counter() - t
    l, n = X.shape
    pos_label = max(np.unique(y))
    yy = np.where(y == pos_label, 1.0, -1.0)
    print(f"data {data}: l = {l}, n = {n}, nnz = {X.nnz}; sklearn load {load_s:.1f} s")

    from liblinear import liblinearutil as ll
    from liblinear.liblinear import problem, parameter
    prob = problem(yy, X)

    def run_liblinear(eps):
        param = parameter(f"-s 0 -c 1 -e {eps} -q")
        load = os.getloadavg()[0]
        t = time.perf_counter()
        model = ll.train(prob, param)
        dt = time.perf_counter() - t
        w = np.array([model.w[j] for j in range(model.nr_feature)])
        if model.get_labels()[0] != 1:
            w = -w
        return w, dt, load

    tmp = tempfile.mkdtemp(prefix="steihaug-peers-")
    log = []  # (round, solver, eps, seconds, load1, extra)
    runs = {"ours1": [], "ours2": [], "ll": []}
    f_at = {}

    def one(kind, eps, rnd):
        if kind in ("ours1", "ours2"):
            threads = 1 if kind == "ours1" else 2
            model = os.path.join(tmp, f"m{threads}_{eps}")
            r = run_ours(binary, data, eps, threads, model)
            w = read_model(model, n)
            r["f_check"] = objective(w, X, yy)
            r["g_check"] = grad_norm(w, X, yy)
            log.append((rnd, f"steihaug {threads}t", eps, r["t"], r["load"],
                        f"cpu {r['cpu']:.2f} s incl. read {r['read']:.2f} s; "
                        f"{r['iters']} Newton / {r['cg']} CG"))
            return r
        w, dt, load = run_liblinear(eps)
        r = dict(t=dt, load=load, f_check=objective(w, X, yy), g_check=grad_norm(w, X, yy))
        log.append((rnd, "LIBLINEAR", eps, dt, load, ""))
        return r

    order = ["ours1", "ours2", "ll"]
    for rnd in range(reps):
        rot = order[rnd % 3:] + order[: rnd % 3]
        for kind in rot:
            r = one(kind, 0.01, rnd + 1)
            runs[kind].append(r)
            f_at[(kind, 0.01)] = r
    for kind in order:
        f_at[(kind, tight)] = one(kind, tight, "tight")

    skl = None
    if "--no-sklearn" not in sys.argv:
        try:
            from sklearn.linear_model import LogisticRegression
            import sklearn
            X32 = X.copy()
            X32.indices = X32.indices.astype(np.int32)
            X32.indptr = X32.indptr.astype(np.int32)
            load = os.getloadavg()[0]
            t = time.perf_counter()
            clf = LogisticRegression(solver="liblinear", C=1.0, fit_intercept=False, tol=0.01)
            clf.fit(X32, yy)
            dt = time.perf_counter() - t
            w = clf.coef_.ravel()
            skl = (sklearn.__version__, dt, objective(w, X, yy), grad_norm(w, X, yy), load)
        except Exception as e:  # noqa: BLE001 - reference row only
            print(f"scikit-learn row skipped: {e}")

    print()
    print("== every run, in order (load = 1-minute load average just before the run)")
    print("| round | solver | eps | time s | load | notes |")
    print("|---|---|---|---|---|---|")
    for rnd, name, eps, dt, load, extra in log:
        print(f"| {rnd} | {name} | {eps:g} | {dt:.3f} | {load:.2f} | {extra} |")

    print()
    print("== summary")
    print("| solver | eps | time s (min / median of rounds) | objective | final |g| |")
    print("|---|---|---|---|---|")
    names = {"ours1": "steihaug train, 1 thread", "ours2": "steihaug train, 2 threads",
             "ll": "LIBLINEAR 2.50 -s 0 (pip liblinear-official), 1 thread"}
    for kind in order:
        ts = [r["t"] for r in runs[kind]]
        r = f_at[(kind, 0.01)]
        print(f"| {names[kind]} | 0.01 | {min(ts):.3f} / {statistics.median(ts):.3f} |"
              f" {r['f_check']:.10e} | {r['g_check']:.3e} |")
    for kind in order:
        r = f_at[(kind, tight)]
        print(f"| {names[kind]} | {tight:g} | {r['t']:.3f} | {r['f_check']:.10e} |"
              f" {r['g_check']:.3e} |")
    if skl:
        print(f"| scikit-learn {skl[0]} LogisticRegression(liblinear), fit incl. copy | 0.01 |"
              f" {skl[1]:.3f} | {skl[2]:.10e} | {skl[3]:.3e} |")
    print()
    for kind in order:
        print(f"{names[kind]} at eps=0.01: {fmt_times([r['t'] for r in runs[kind]])}")
    med = {k: statistics.median(r["t"] for r in runs[k]) for k in order}
    mn = {k: min(r["t"] for r in runs[k]) for k in order}
    print(f"ratio LIBLINEAR / ours(1 thread) at eps=0.01: median {med['ll'] / med['ours1']:.2f}x,"
          f" min {mn['ll'] / mn['ours1']:.2f}x (target >= 1.00)")
    print(f"ratio LIBLINEAR / ours(2 threads) at eps=0.01: median {med['ll'] / med['ours2']:.2f}x,"
          f" min {mn['ll'] / mn['ours2']:.2f}x")
    print(f"speedup ours 1 -> 2 threads at eps=0.01: median {med['ours1'] / med['ours2']:.2f}x,"
          f" min {mn['ours1'] / mn['ours2']:.2f}x (target >= 1.80); at eps={tight:g}:"
          f" {f_at[('ours1', tight)]['t'] / f_at[('ours2', tight)]['t']:.2f}x")
    f_ll = f_at[("ll", tight)]["f_check"]
    for kind in ("ours1", "ours2"):
        rel = abs(f_at[(kind, tight)]["f_check"] - f_ll) / abs(f_ll)
        print(f"tight eps={tight:g}: |f({names[kind]}) - f_LIBLINEAR| / f_LIBLINEAR = {rel:.2e}"
              f" (target <= 1e-6)")
    same = f_at[("ours1", tight)]["f"] == f_at[("ours2", tight)]["f"]
    print(f"steihaug 1 vs 2 threads, same final objective to the last printed digit: {same}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
