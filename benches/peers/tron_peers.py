#!/usr/bin/env python3
"""steihaug TRON vs SciPy L-BFGS-B and PETSc/TAO tron / bntr on the
bound-constrained MINPACK-2 grid problems, in the same run.

The problems are the formulas of `src/problems/minpack2/bounded.rs`
(`reference/bounds.md` §4) on the NumPy discretization of
`minpack2_scipy.py` (same triangles, x stored x-fastest); the script checks
f(x0) against steihaug's own value before timing anything.

Every solver stops at the same projected-gradient tolerance
||P grad f||_2 <= TOL * ||grad f(x0)||_2 (TOL default 1e-6), and the table
shows ||P grad f||_2 recomputed here at each solver's final point:
- steihaug: `solve --solver tron --gtol TOL --gtol-abs 0` (its own test);
- L-BFGS-B: its `pgtol` is the inf-norm of the projected gradient, so it is
  run with pgtol = TOL*||g0||_2/sqrt(n) and then the 2-norm is reported;
- TAO tron / bntr: `-tao_gatol TOL*||g0||` (tron's residual is ||Pg||_2;
  bntr's is the Fischer-Burmeister norm), `-tao_grtol 0 -tao_gttol 0`,
  tron with `-pc_type none` (a shell Hessian cannot be factored), bntr with
  its default L-BFGS preconditioner; products counted in the shell `mult`.

Usage: tron_peers.py STEIHAUG_BIN GRID [PROBLEM ...] [--tol TOL]
Installs nothing itself: run_tron_peers.sh installs SciPy (pip, in a venv)
and `python3-petsc4py-real` (apt-get) first.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minpack2_scipy import Grid, enneper  # noqa: E402


class BGrid(Grid):
    """A bounded MINPACK-2 problem: objective (msa/ept/pjb/ssc elements),
    bounds and projected start."""

    def __init__(self, name, nx, ny):
        base = {"ept-bound": "ept", "pjb-bound": "pjb", "dssc-c": "ssc"}.get(name, "msa")
        super().__init__(base if base in ("msa", "ept") else "ept", nx, ny)
        self.name, self.base = name, base
        I, J = np.meshgrid(np.arange(1, nx + 1), np.arange(1, ny + 1))
        I, J = I.ravel(), J.ravel()
        n = nx * ny
        if base == "pjb":
            self.hx, self.hy = 2 * math.pi / (nx + 1), 20.0 / (ny + 1)
            p = lambda xi: (1 + 0.1 * np.cos(xi)) ** 3
            w = self.hx * self.hy / 6
            xi = np.arange(nx + 2) * self.hx
            self.tL = w * (2 * p(xi) + p(xi + self.hx))  # by column i of the lower triangle
            self.tU = w * (2 * p(xi) + p(xi - self.hx))  # by column i+1 of the upper triangle
            self.wl = 0.1 * self.hx * self.hy * np.sin(I * self.hx)
        if name.startswith("dmso"):
            self.P[:] = 0.0
            t = 2 * np.arange(nx + 2) / (nx + 1) - 1
            self.P[0, :] = 1 - t * t
            self.P[-1, :] = 1 - t * t
        hx, hy = self.hx, self.hy
        d = np.minimum(np.minimum(I, nx - I + 1) * hx, np.minimum(J, ny - J + 1) * hy)
        if name == "ept-bound":
            lo, up, x0 = -d, d, d.copy()
        elif name == "pjb-bound":
            lo, up, x0 = np.zeros(n), np.full(n, 100.0), np.maximum(np.sin(I * hx), 0)
        elif name == "dssc-c":
            lo, up, x0 = np.zeros(n), np.full(n, 0.1), 5 / 6 * np.sqrt(d)
        elif name.startswith("dmso"):
            xlc = {"dmso-b": 0.5, "dmso-c": 1.0}[name]
            plate = (np.abs(I * hx - 0.5) <= 0.25) & (np.abs(J * hy - 0.5) <= 0.25)
            lo, up = np.where(plate, xlc, 0.0), np.full(n, 2.0)
            x0 = Grid.start(self)
        elif name.startswith("dmsa"):
            h = {"dmsa-a": 0.0, "dmsa-b": 2.0}[name]
            lo = h - 10 * (np.abs(I * hx - 0.5) + np.abs(J * hy - 0.5))
            up = np.full(n, max(2 * h, 1.0))
            x0 = Grid.start(self)
        elif name == "plate":
            ox, oy = (nx - nx // 2) // 2, (ny - ny // 2) // 2
            i0, j0 = I - 1, J - 1
            on = (i0 >= ox) & (i0 < nx - ox) & (j0 >= oy) & (j0 < ny - oy)
            lo, up = np.where(on, 0.1, -np.inf), np.full(n, np.inf)
            B, T, L, R = self.P[0, :], self.P[-1, :], self.P[:, 0], self.P[:, -1]
            x0 = 0.5 * ((j0 + 1) * B[I] / ny + (ny - j0 + 1) * T[I] / (ny + 2)
                        + (i0 + 1) * L[J] / nx + (nx - i0 + 1) * R[J] / (nx + 2))
        else:
            raise SystemExit(f"unknown problem {name}")
        self.lo, self.up = lo, up
        self.x0 = np.clip(x0, lo, up)

    def fun(self, x):
        if self.base in ("msa", "ept") and self.name != "dssc-c":
            return super().fun(x)
        P = self.P.copy()
        aL, bL, aU, bU = self.grads(x, P)
        if self.base == "pjb":
            tL, tU = self.tL[:-1][None, :], self.tU[1:][None, :]
            f = 0.5 * ((tL * (aL * aL + bL * bL)).sum() + (tU * (aU * aU + bU * bU)).sum())
            f -= (self.wl * x).sum()
            g = self.scatter(tL * aL, tL * bL, tU * aU, tU * bU) - self.wl
            return f, g
        # SSC, lambda = 5.
        lam, area = 5.0, 0.5 * self.hx * self.hy
        e = lam * self.hx * self.hy * np.exp(x)
        f = area * 0.5 * ((aL * aL + bL * bL).sum() + (aU * aU + bU * bU).sum()) - e.sum()
        f -= 2 * lam * area * (self.nx + self.ny + 1)
        g = area * self.scatter(aL, bL, aU, bU) - e
        return f, g

    def hessp(self, x, v):
        if self.base == "msa":
            return super().hessp(x, v)
        Z = np.zeros((self.ny + 2, self.nx + 2))
        daL, dbL, daU, dbU = self.grads(v, Z)
        if self.base == "pjb":
            tL, tU = self.tL[:-1][None, :], self.tU[1:][None, :]
            return self.scatter(tL * daL, tL * dbL, tU * daU, tU * dbU)
        area = 0.5 * self.hx * self.hy
        out = area * self.scatter(daL, dbL, daU, dbU)
        if self.base == "ssc":
            out -= 5.0 * self.hx * self.hy * np.exp(x) * v
        return out

    def pgnorm(self, x, g):
        pg = np.where(self.lo == self.up, 0.0,
                      np.where(x <= self.lo, np.minimum(g, 0),
                               np.where(x >= self.up, np.maximum(g, 0), g)))
        return float(np.linalg.norm(pg))

    def active(self, x):
        return int(np.sum((x <= self.lo) | (x >= self.up)))


def run_ours(binary, name, nx, tol, extra=()):
    out = subprocess.run([binary, "solve", "--problem", name, "--nx", str(nx), "--ny", str(nx),
                          "--solver", "tron", "--gtol", str(tol), "--gtol-abs", "0", "--json",
                          "--max-iter", "10000", *extra],
                         capture_output=True, text=True)
    r = json.loads(out.stdout)
    return dict(iters=r["iterations"], hvps=r["hvps"], evals=r["evals"], f=r["f"],
                time=r["elapsed_s"], pg=r["grad_norm"], active=r["bounds"]["active"]["active"],
                status=r["status"])


def run_lbfgsb(p, g0, tol):
    from scipy.optimize import minimize
    n = p.x0.size
    t = time.perf_counter()
    r = minimize(p.fun, p.x0, jac=True, method="L-BFGS-B",
                 bounds=list(zip(p.lo, p.up)),
                 options=dict(gtol=tol * g0 / math.sqrt(n), ftol=0.0, maxiter=100000,
                              maxfun=200000, maxcor=10))
    dt = time.perf_counter() - t
    f, g = p.fun(r.x)
    return dict(iters=r.nit, hvps=0, evals=r.nfev, f=f, time=dt, pg=p.pgnorm(r.x, g),
                active=p.active(r.x), status=str(r.message)[:30])


def run_tao(p, g0, tol, kind):
    os.environ.setdefault("PETSC_DIR", "/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real")
    import petsc4py
    petsc4py.init([])
    from petsc4py import PETSc
    n = p.x0.size
    count = {"hvp": 0, "fg": 0}
    state = {"x": None}

    def fg(tao, x, g):
        count["fg"] += 1
        f, gg = p.fun(x.getArray(readonly=True).copy())
        g.setArray(gg)
        return f

    class Shell:
        def mult(self, mat, v, y):
            count["hvp"] += 1
            y.setArray(p.hessp(state["x"], v.getArray(readonly=True).copy()))

    def hess(tao, x, H, P):
        state["x"] = x.getArray(readonly=True).copy()

    x = PETSc.Vec().createSeq(n)
    x.setArray(p.x0)
    lo, up = PETSc.Vec().createSeq(n), PETSc.Vec().createSeq(n)
    lo.setArray(np.maximum(p.lo, -1e300))
    up.setArray(np.minimum(p.up, 1e300))
    H = PETSc.Mat().createPython([n, n], Shell())
    H.setUp()
    opts = PETSc.Options()
    for k in list(opts.getAll().keys()):
        opts.delValue(k)
    opts["tao_type"] = kind
    opts["tao_gatol"] = tol * g0
    opts["tao_grtol"] = 0.0
    opts["tao_gttol"] = 0.0
    opts["tao_max_it"] = 100000
    opts["tao_max_funcs"] = 1000000
    if kind == "tron":
        opts["pc_type"] = "none"
    else:
        opts["tao_bnk_pc_type"] = "lmvm"
    tao = PETSc.TAO().create(PETSc.COMM_SELF)
    tao.setObjectiveGradient(fg, None)
    tao.setHessian(hess, H, H)
    tao.setVariableBounds(lo, up)
    tao.setFromOptions()
    t = time.perf_counter()
    tao.solve(x)
    dt = time.perf_counter() - t
    xs = x.getArray().copy()
    f, g = p.fun(xs)
    return dict(iters=tao.getIterationNumber(), hvps=count["hvp"], evals=count["fg"], f=f,
                time=dt, pg=p.pgnorm(xs, g), active=p.active(xs),
                status=str(tao.getConvergedReason()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("grid", type=int)
    ap.add_argument("problems", nargs="*",
                    default=["ept-bound", "pjb-bound", "dmso-c", "dmsa-b", "dssc-c"])
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--no-tao", action="store_true")
    ap.add_argument("--no-lbfgsb", action="store_true")
    ap.add_argument("--ours-args", default="",
                    help="extra arguments for steihaug solve, e.g. '--hessian assembled --precond ic0'")
    ap.add_argument("--tao-kinds", default="tron,bntr",
                    help="comma-separated TAO solvers to run, or none (bntr is slow on dmso-c)")
    a = ap.parse_args()
    print(f"{'problem':<10} {'grid':<9} {'solver':<10} {'time_s':>9} {'iters':>7} {'hvps':>8} "
          f"{'evals':>7} {'f':>18} {'|Pg|/|g0|':>10} {'active':>7}  status")
    for name in a.problems:
        p = BGrid(name, a.grid, a.grid)
        f0, g = p.fun(p.x0)
        g0 = float(np.linalg.norm(g))
        rows = [("steihaug", run_ours(a.binary, name, a.grid, a.tol, a.ours_args.split()))]
        if not a.no_lbfgsb:
            rows.append(("L-BFGS-B", run_lbfgsb(p, g0, a.tol)))
        if not a.no_tao:
            for kind in [k.strip() for k in a.tao_kinds.split(",")
                         if k.strip() not in ("", "none")]:
                try:
                    rows.append((f"tao {kind}", run_tao(p, g0, a.tol, kind)))
                except Exception as e:  # noqa: BLE001 - report and go on
                    print(f"{name}: tao {kind} failed: {e}", file=sys.stderr)
        for label, r in rows:
            print(f"{name:<10} {a.grid}x{a.grid:<5} {label:<10} {r['time']:9.3f} {r['iters']:7d} "
                  f"{r['hvps']:8d} {r['evals']:7d} {r['f']:18.12f} {r['pg'] / g0:10.2e} "
                  f"{r['active']:7d}  {r['status']}")
        print(f"{name}: f(x0) here {f0:.10f}", flush=True)


if __name__ == "__main__":
    main()
