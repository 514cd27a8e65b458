#!/usr/bin/env python3
"""Side-by-side: steihaug `train` vs LIBLINEAR (-s 0) on the same LIBSVM file.

Usage: logistic_peers.py DATA STEIHAUG_BIN [--tight EPS]

Runs, in this order and in the same process tree:
  * steihaug train at C = 1, eps = 0.01 on 1 and on 2 threads (time to
    LIBLINEAR's stopping rule, from `solve_s`, reading excluded);
  * LIBLINEAR 2.50 (pip `liblinear-official`) `-s 0 -c 1 -e 0.01 -q`, timing
    only the `train()` call (the data is loaded with scikit-learn's fast
    svmlight loader and converted to LIBLINEAR's problem beforehand);
  * both again at a tight tolerance, comparing final objectives;
  * scikit-learn's LogisticRegression(solver='liblinear') for reference.
All objectives are recomputed here with the same formula
f(w) = 1/2|w|^2 + C sum log(1 + exp(-y w.x)) from the models' weights.
"""
import os
import re
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
    labels = next(l for l in lines if l.startswith("label ")).split()[1:]
    w = np.array([float(v.split()[0]) for v in lines[k + 1:] if v.strip()])
    out = np.zeros(n)
    out[: min(n, len(w))] = w[: min(n, len(w))]
    return out, float(labels[0])


def run_ours(binary, data, eps, threads, model):
    cmd = [binary, "train", data, "-c", "1", "-e", str(eps), "--threads", str(threads),
           "-o", model, "--quiet"]
    out = subprocess.run(cmd, check=False, capture_output=True, text=True).stdout
    m = re.search(r"objective (\S+) \|g\| (\S+) newton_iters (\d+) cg_iters (\d+) solve_s (\S+)", out)
    if not m:
        raise SystemExit("unexpected steihaug output:\n" + out)
    return dict(f=float(m.group(1)), g=float(m.group(2)), iters=int(m.group(3)),
                cg=int(m.group(4)), t=float(m.group(5)))


def main():
    data, binary = sys.argv[1], sys.argv[2]
    tight = float(sys.argv[sys.argv.index("--tight") + 1]) if "--tight" in sys.argv else 1e-5
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
        t = time.perf_counter()
        model = ll.train(prob, param)
        dt = time.perf_counter() - t
        w = np.array([model.w[j] for j in range(model.nr_feature)])
        if model.get_labels()[0] != 1:
            w = -w
        return w, dt

    rows = []
    tmp = tempfile.mkdtemp(prefix="steihaug-peers-")
    load = os.getloadavg()
    for eps in (0.01, tight):
        ours = {}
        for threads in (1, 2):
            model = os.path.join(tmp, f"m{threads}_{eps}")
            r = run_ours(binary, data, eps, threads, model)
            w, _ = read_model(model, n)
            r["f_check"] = objective(w, X, yy)
            ours[threads] = r
            rows.append((f"steihaug train (TR Newton-CG), {threads} thread(s)", eps, r["t"],
                         r["f_check"], r["g"], f"{r['iters']} / {r['cg']}"))
        w, dt = run_liblinear(eps)
        f_ll = objective(w, X, yy)
        rows.append(("LIBLINEAR 2.50 -s 0 (pip liblinear-official), 1 thread", eps, dt, f_ll,
                     grad_norm(w, X, yy), "-"))
        ours["ll"] = (dt, f_ll)
        if eps == 0.01:
            base = ours
        else:
            tight_res = ours
    try:
        from sklearn.linear_model import LogisticRegression
        t = time.perf_counter()
        clf = LogisticRegression(solver="liblinear", C=1.0, fit_intercept=False, tol=0.01)
        X32 = X.copy()
        X32.indices = X32.indices.astype(np.int32)
        X32.indptr = X32.indptr.astype(np.int32)
        clf.fit(X32, yy)
        dt = time.perf_counter() - t
        w = clf.coef_.ravel()
        rows.append(("scikit-learn LogisticRegression(liblinear), fit incl. copy", 0.01, dt,
                     objective(w, X, yy), grad_norm(w, X, yy), "-"))
    except Exception as e:  # noqa: BLE001 - reference row only
        print(f"scikit-learn row skipped: {e}")

    print(f"load average during the runs (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
          f" -> after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print()
    print("| solver | eps | time s | objective | final |g| | Newton / CG iters |")
    print("|---|---|---|---|---|---|")
    for name, eps, dt, f, g, it in rows:
        print(f"| {name} | {eps:g} | {dt:.3f} | {f:.10e} | {g:.3e} | {it} |")
    print()
    ll_t = base["ll"][0]
    print(f"ratio LIBLINEAR time / ours (1 thread) at eps=0.01: {ll_t / base[1]['t']:.2f}x"
          f" (target >= 1.00)")
    print(f"ratio LIBLINEAR time / ours (2 threads) at eps=0.01: {ll_t / base[2]['t']:.2f}x")
    print(f"speedup ours 1 -> 2 threads at eps=0.01: {base[1]['t'] / base[2]['t']:.2f}x"
          f" (target >= 1.80); at eps={tight:g}: {tight_res[1]['t'] / tight_res[2]['t']:.2f}x")
    f_ll = tight_res["ll"][1]
    for threads in (1, 2):
        rel = abs(tight_res[threads]["f_check"] - f_ll) / abs(f_ll)
        print(f"tight eps={tight:g}: |f_ours({threads}t) - f_liblinear| / f_liblinear = {rel:.2e}"
              f" (target <= 1e-6)")


if __name__ == "__main__":
    main()
