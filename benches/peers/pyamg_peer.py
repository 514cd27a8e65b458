#!/usr/bin/env python3
"""PyAMG on the same Hessians as `examples/amg_hessian.rs`.

Usage: python3 benches/peers/pyamg_peer.py FILE.mtx [FILE.mtx ...]
(normally through run_pyamg_peer.sh, which prints our figures beside it)

Installs pyamg (and scipy/numpy) with pip into the user site if they are
missing. For each Matrix Market file (written by
`cargo run --release --example amg_hessian -- PROBLEM GRID FILE.mtx`):
`pyamg.smoothed_aggregation_solver(A)` with its defaults, then CG
preconditioned by one V-cycle (`ml.aspreconditioner()`, scipy's cg) and
PyAMG's own `ml.solve(b, accel='cg')`, from x = 0 with b = 1 to a relative
residual of 1e-8 (iterations counted by the callback, time wall-clock).
Prints one JSON object per file.
"""
import json
import subprocess
import sys
import time


def ensure(pkgs):
    try:
        import pyamg  # noqa: F401
        import scipy  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *pkgs])


def main():
    ensure(["pyamg", "scipy", "numpy"])
    import numpy as np
    import pyamg
    import scipy
    import scipy.io
    import scipy.sparse.linalg as sla

    for path in sys.argv[1:]:
        t = time.perf_counter()
        A = scipy.io.mmread(path).tocsr()
        read_s = time.perf_counter() - t
        n = A.shape[0]
        b = np.ones(n)
        t = time.perf_counter()
        ml = pyamg.smoothed_aggregation_solver(A)
        setup = time.perf_counter() - t
        # CG with one V-cycle as the preconditioner (scipy's cg).
        M = ml.aspreconditioner(cycle="V")
        its = [0]

        def count(_x):
            its[0] += 1

        t = time.perf_counter()
        try:
            x, info = sla.cg(A, b, rtol=1e-8, atol=0.0, M=M, callback=count, maxiter=5000)
        except TypeError:  # scipy < 1.12
            x, info = sla.cg(A, b, tol=1e-8, atol=0.0, M=M, callback=count, maxiter=5000)
        cg_s = time.perf_counter() - t
        rel = float(np.linalg.norm(b - A @ x) / np.linalg.norm(b))
        # PyAMG's own accelerated solve.
        res = []
        t = time.perf_counter()
        ml.solve(b, x0=np.zeros(n), tol=1e-8, accel="cg", residuals=res, maxiter=5000)
        solve_s = time.perf_counter() - t
        # One V-cycle on its own.
        t = time.perf_counter()
        for _ in range(5):
            M @ b
        vcycle = (time.perf_counter() - t) / 5
        print(json.dumps({
            "file": path, "n": n, "nnz": int(A.nnz), "pyamg": pyamg.__version__,
            "scipy": scipy.__version__, "read_s": round(read_s, 3),
            "setup_s": round(setup, 4), "levels": len(ml.levels),
            "operator_complexity": round(ml.operator_complexity(), 4),
            "grid_complexity": round(ml.grid_complexity(), 4),
            "level_sizes": [[int(l.A.shape[0]), int(l.A.nnz)] for l in ml.levels],
            "vcycle_s": round(vcycle, 5),
            "cg_iterations": its[0], "cg_s": round(cg_s, 4), "cg_info": int(info),
            "cg_rel_residual": rel,
            "accel_cg_iterations": len(res) - 1, "accel_cg_s": round(solve_s, 4),
        }), flush=True)


if __name__ == "__main__":
    main()
