"""SciPy trust-ncg and trust-krylov on the CUTEst-style collection of
steihaug, next to steihaug's own trust region (Steihaug CG and GLTR) and,
optionally, a second steihaug binary ("today's numbers", `--baseline`).

The problems are the same formulas as src/problems/cutest/ (see
../shared/reference/cutest.md), vectorized in NumPy; the Hessian-vector
product assembles the symmetric sparse Hessian once per point (cached on x)
and multiplies, as the Rust code does.

Stopping test. Every run stops on the gradient test alone,
||g|| <= max(1e-10, 1e-8 ||g0||) (Euclidean norms), at most 10000
iterations: SciPy gets it as its absolute `gtol`; steihaug has it as
`--gtol 1e-8 --gtol-abs 1e-10` (its defaults), and the current binary is run
with `--gap-tol 0 --second-order off` so that neither its f - f* gap test nor
its second-order check (neither of which SciPy or the baseline has) changes
where it stops. `--defaults` adds a row of the current binary with its own
defaults (gradient + gap test, second-order escape) for the question "does a
problem that converged before now fail". SciPy's methods run with their
defaults otherwise (initial radius 1, max radius 1000; trust-krylov: trlib,
inexact inner solves, the Krylov basis stored).

Counts. HVPs: Hessian-vector products; for SciPy the calls of `hessp`
(counted here; trust-krylov also calls it for the model value). Evals:
function/gradient evaluations. Time: the solve alone, wall clock (steihaug:
the report's elapsed_s; SciPy: perf_counter around `minimize`).

Time limit. `--timeout S` per solve: steihaug gets `--max-time S`, SciPy a
callback that raises StopIteration after S seconds (status "time limit",
with the counts so far); a solve that does not return within S + 120 s is
killed ("killed").

Usage: cutest_scipy.py [--n N] [--steihaug PATH] [--baseline PATH]
       [--timeout S] [--defaults] [--linesearch] [--problems a,b,...] [--jsonl FILE]
       (run_scipy_cutest.sh sets it up)
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize


def coo_matvec(h, v):
    diag, rows, cols, vals = h
    n = v.shape[0]
    out = diag * v
    out += np.bincount(rows, vals * v[cols], minlength=n)
    out += np.bincount(cols, vals * v[rows], minlength=n)
    return out


def scatter(n, idx, vals):
    return np.bincount(idx, vals, minlength=n)


# Each problem: (x0(n), f_grad(x) -> (f, g), hess(x) -> (diag, rows, cols, vals)).

def arwhead():
    def x0(n):
        return np.ones(n)

    def fg(x):
        a, xn = x[:-1], x[-1]
        s = a * a + xn * xn
        g = np.empty_like(x)
        g[:-1] = 4 * s * a - 4
        g[-1] = np.sum(4 * s * xn)
        return np.sum(s * s - 4 * a + 3), g

    def hess(x):
        n = x.size
        a, xn = x[:-1], x[-1]
        s = a * a + xn * xn
        diag = np.empty(n)
        diag[:-1] = 8 * a * a + 4 * s
        diag[-1] = np.sum(8 * xn * xn + 4 * s)
        i = np.arange(n - 1)
        return diag, i, np.full(n - 1, n - 1), 8 * a * xn
    return x0, fg, hess


def engval1():
    def x0(n):
        return np.full(n, 2.0)

    def fg(x):
        a, b = x[:-1], x[1:]
        s = a * a + b * b
        g = np.zeros_like(x)
        g[:-1] += 4 * s * a - 4
        g[1:] += 4 * s * b
        return np.sum(s * s - 4 * a + 3), g

    def hess(x):
        n = x.size
        a, b = x[:-1], x[1:]
        s = a * a + b * b
        diag = np.zeros(n)
        diag[:-1] += 8 * a * a + 4 * s
        diag[1:] += 8 * b * b + 4 * s
        i = np.arange(n - 1)
        return diag, i, i + 1, 8 * a * b
    return x0, fg, hess


def srosenbr():
    def x0(n):
        return np.tile([-1.2, 1.0], n // 2)

    def fg(x):
        u, w = x[0::2], x[1::2]
        r = w - u * u
        s = 1 - u
        g = np.empty_like(x)
        g[0::2] = -400 * u * r - 2 * s
        g[1::2] = 200 * r
        return np.sum(100 * r * r + s * s), g

    def hess(x):
        n = x.size
        u, w = x[0::2], x[1::2]
        diag = np.empty(n)
        diag[0::2] = 1200 * u * u - 400 * w + 2
        diag[1::2] = 200
        i = np.arange(0, n, 2)
        return diag, i, i + 1, -400 * u
    return x0, fg, hess


def genrose():
    def x0(n):
        return np.arange(1, n + 1) / (n + 1)

    def fg(x):
        a, b = x[:-1], x[1:]
        r = b - a * a
        s = a - 1
        g = np.zeros_like(x)
        g[:-1] += -400 * a * r + 2 * s
        g[1:] += 200 * r
        return 1 + np.sum(100 * r * r + s * s), g

    def hess(x):
        n = x.size
        a, b = x[:-1], x[1:]
        diag = np.zeros(n)
        diag[:-1] += 1200 * a * a - 400 * b + 2
        diag[1:] += 200
        i = np.arange(n - 1)
        return diag, i, i + 1, -400 * a
    return x0, fg, hess


def chainwoo():
    def x0(n):
        x = np.full(n, -2.0)
        x[:4] = [-3, -1, -3, -1]
        return x

    def fg(x):
        n = x.size
        j = np.arange(0, n - 2, 2)
        a, b, c, d = x[j], x[j + 1], x[j + 2], x[j + 3]
        r1, r2, s, t = b - a * a, d - c * c, b + d - 2, b - d
        f = 1 + np.sum(100 * r1**2 + (1 - a)**2 + 90 * r2**2 + (1 - c)**2 + 10 * s**2 + 0.1 * t**2)
        g = (scatter(n, j, -400 * a * r1 - 2 * (1 - a))
             + scatter(n, j + 1, 200 * r1 + 20 * s + 0.2 * t)
             + scatter(n, j + 2, -360 * c * r2 - 2 * (1 - c))
             + scatter(n, j + 3, 180 * r2 + 20 * s - 0.2 * t))
        return f, g

    def hess(x):
        n = x.size
        j = np.arange(0, n - 2, 2)
        a, b, c, d = x[j], x[j + 1], x[j + 2], x[j + 3]
        diag = (scatter(n, j, 1200 * a * a - 400 * b + 2) + scatter(n, j + 1, np.full(j.size, 220.2))
                + scatter(n, j + 2, 1080 * c * c - 360 * d + 2) + scatter(n, j + 3, np.full(j.size, 200.2)))
        rows = np.concatenate([j, j + 2, j + 1])
        cols = np.concatenate([j + 1, j + 3, j + 3])
        vals = np.concatenate([-400 * a, -360 * c, np.full(j.size, 19.8)])
        return diag, rows, cols, vals
    return x0, fg, hess


def tridia():
    def x0(n):
        return np.ones(n)

    def fg(x):
        n = x.size
        w = np.arange(2, n + 1, dtype=float)
        r = 2 * x[1:] - x[:-1]
        g = np.zeros_like(x)
        g[0] += 2 * (x[0] - 1)
        g[1:] += 4 * w * r
        g[:-1] -= 2 * w * r
        return (x[0] - 1)**2 + np.sum(w * r * r), g

    def hess(x):
        n = x.size
        w = np.arange(2, n + 1, dtype=float)
        diag = np.zeros(n)
        diag[0] += 2
        diag[1:] += 8 * w
        diag[:-1] += 2 * w
        i = np.arange(n - 1)
        return diag, i, i + 1, -4 * w
    return x0, fg, hess


def nondia():
    def x0(n):
        return np.full(n, -1.0)

    def fg(x):
        r = x[0] - x[1:]**2
        g = np.empty_like(x)
        g[0] = 2 * (x[0] - 1) + 200 * np.sum(r)
        g[1:] = -400 * x[1:] * r
        return (x[0] - 1)**2 + 100 * np.sum(r * r), g

    def hess(x):
        n = x.size
        diag = np.empty(n)
        diag[0] = 2 + 200 * (n - 1)
        diag[1:] = 1200 * x[1:]**2 - 400 * x[0]
        i = np.arange(1, n)
        return diag, np.zeros(n - 1, dtype=int), i, -400 * x[1:]
    return x0, fg, hess


def fletchcr():
    def x0(n):
        return np.zeros(n)

    def fg(x):
        a, b = x[:-1], x[1:]
        r = b - a + 1 - a * a
        g = np.zeros_like(x)
        g[:-1] += 200 * r * (-1 - 2 * a)
        g[1:] += 200 * r
        return 100 * np.sum(r * r), g

    def hess(x):
        n = x.size
        a, b = x[:-1], x[1:]
        r = b - a + 1 - a * a
        da = -1 - 2 * a
        diag = np.zeros(n)
        diag[:-1] += 200 * (da * da - 2 * r)
        diag[1:] += 200
        i = np.arange(n - 1)
        return diag, i, i + 1, 200 * da
    return x0, fg, hess


def powellsg():
    def x0(n):
        return np.tile([3.0, -1.0, 0.0, 1.0], n // 4)

    def fg(x):
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        t1, t2, t3, t4 = a + 10 * b, c - d, b - 2 * c, a - d
        g = np.empty_like(x)
        g[0::4] = 2 * t1 + 40 * t4**3
        g[1::4] = 20 * t1 + 4 * t3**3
        g[2::4] = 10 * t2 - 8 * t3**3
        g[3::4] = -10 * t2 - 40 * t4**3
        return np.sum(t1**2 + 5 * t2**2 + t3**4 + 10 * t4**4), g

    def hess(x):
        n = x.size
        a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
        q3, q4 = 12 * (b - 2 * c)**2, 120 * (a - d)**2
        diag = np.empty(n)
        diag[0::4] = 2 + q4
        diag[1::4] = 200 + q3
        diag[2::4] = 10 + 4 * q3
        diag[3::4] = 10 + q4
        j = np.arange(0, n, 4)
        rows = np.concatenate([j, j, j + 1, j + 2])
        cols = np.concatenate([j + 1, j + 3, j + 2, j + 3])
        vals = np.concatenate([np.full(j.size, 20.0), -q4, -2 * q3, np.full(j.size, -10.0)])
        return diag, rows, cols, vals
    return x0, fg, hess


def phi(t):
    c = np.cbrt(np.abs(t))
    return t * t * c, 7 / 3 * t * c, 28 / 9 * c


def broydn7d():
    def x0(n):
        return np.full(n, -1.0)

    def resid(x):
        prev = np.concatenate([[0.0], x[:-1]])
        nxt = np.concatenate([x[1:], [0.0]])
        return (3 - 0.5 * x) * x + 1 - prev - 2 * nxt

    def fg(x):
        n, m = x.size, x.size // 2
        v, d1, _ = phi(resid(x))
        g = d1 * (3 - x)
        g[:-1] -= d1[1:]
        g[1:] -= 2 * d1[:-1]
        vs, ds, _ = phi(x[:m] + x[m:])
        g[:m] += ds
        g[m:] += ds
        return np.sum(v) + np.sum(vs), g

    def hess(x):
        n, m = x.size, x.size // 2
        _, d1, d2 = phi(resid(x))
        a = 3 - x
        diag = d2 * a * a - d1
        diag[:-1] += d2[1:]
        diag[1:] += 4 * d2[:-1]
        i = np.arange(n)
        _, _, ds = phi(x[:m] + x[m:])
        diag[:m] += ds
        diag[m:] += ds
        rows = np.concatenate([i[1:] - 1, i[:-1], i[1:-1] - 1, np.arange(m)])
        cols = np.concatenate([i[1:], i[:-1] + 1, i[1:-1] + 1, np.arange(m) + m])
        vals = np.concatenate([-d2[1:] * a[1:], -2 * d2[:-1] * a[:-1], 2 * d2[1:-1], ds])
        return diag, rows, cols, vals
    return x0, fg, hess


def cragglvy():
    def x0(n):
        x = np.full(n, 2.0)
        x[0] = 1.0
        return x

    def parts(x):
        j = np.arange(0, x.size - 2, 2)
        a, b, c, d = x[j], x[j + 1], x[j + 2], x[j + 3]
        ea = np.exp(a)
        u, w, y = ea - b, b - c, c - d
        t = np.tan(y)
        z, dz, ddz = t + y, 2 + t * t, 2 * (1 + t * t) * t
        return j, a, d, ea, u, w, z, dz, ddz

    def fg(x):
        n = x.size
        j, a, d, ea, u, w, z, dz, ddz = parts(x)
        f = np.sum(u**4 + 100 * w**6 + z**4 + a**8 + (d - 1)**2)
        u3, w5, z3 = 4 * u**3, 600 * w**5, 4 * z**3 * dz
        g = (scatter(n, j, u3 * ea + 8 * a**7) + scatter(n, j + 1, -u3 + w5)
             + scatter(n, j + 2, -w5 + z3) + scatter(n, j + 3, -z3 + 2 * (d - 1)))
        return f, g

    def hess(x):
        n = x.size
        j, a, d, ea, u, w, z, dz, ddz = parts(x)
        u2, w4 = 12 * u * u, 3000 * w**4
        zz = 12 * z * z * dz * dz + 4 * z**3 * ddz
        diag = (scatter(n, j, u2 * ea * ea + 4 * u**3 * ea + 56 * a**6) + scatter(n, j + 1, u2 + w4)
                + scatter(n, j + 2, w4 + zz) + scatter(n, j + 3, zz + 2))
        rows = np.concatenate([j, j + 1, j + 2])
        cols = np.concatenate([j + 1, j + 2, j + 3])
        vals = np.concatenate([-u2 * ea, -w4, -zz])
        return diag, rows, cols, vals
    return x0, fg, hess


DIX = {"e": (1, 0, .125, .125, 1, 0, 0, 1), "f": (1, .0625, .0625, .0625, 1, 0, 0, 1),
       "g": (1, .125, .125, .125, 1, 0, 0, 1), "h": (1, .26, .26, .26, 1, 0, 0, 1),
       "i": (1, 0, .125, .125, 2, 0, 0, 2), "j": (1, .0625, .0625, .0625, 2, 0, 0, 2),
       "k": (1, .125, .125, .125, 2, 0, 0, 2), "l": (1, .26, .26, .26, 2, 0, 0, 2)}


def dixmaan(letter):
    al, be, ga, de, k1, k2, k3, k4 = DIX[letter]

    def w(n):
        i = np.arange(1, n + 1) / n
        return al * i**k1, be * i**k2, ga * i**k3, de * i**k4

    def x0(n):
        return np.full(n, 2.0)

    def fg(x):
        n = x.size
        m = n // 3
        w1, w2, w3, w4 = w(n)
        f = 1 + np.sum(w1 * x * x)
        g = 2 * w1 * x
        a, b = x[:-1], x[1:]
        q = b + b * b
        f += np.sum(w2[:-1] * a * a * q * q)
        g[:-1] += 2 * w2[:-1] * a * q * q
        g[1:] += 2 * w2[:-1] * a * a * q * (1 + 2 * b)
        a, b = x[:2 * m], x[m:]
        f += np.sum(w3[:2 * m] * a * a * b**4)
        g[:2 * m] += 2 * w3[:2 * m] * a * b**4
        g[m:] += 4 * w3[:2 * m] * a * a * b**3
        a, b = x[:m], x[2 * m:]
        f += np.sum(w4[:m] * a * b)
        g[:m] += w4[:m] * b
        g[2 * m:] += w4[:m] * a
        return f, g

    def hess(x):
        n = x.size
        m = n // 3
        w1, w2, w3, w4 = w(n)
        diag = 2 * w1.copy()
        a, b = x[:-1], x[1:]
        q, dq = b + b * b, 1 + 2 * b
        diag[:-1] += 2 * w2[:-1] * q * q
        diag[1:] += 2 * w2[:-1] * a * a * (dq * dq + 2 * q)
        r1, c1, v1 = np.arange(n - 1), np.arange(1, n), 4 * w2[:-1] * a * q * dq
        a, b = x[:2 * m], x[m:]
        diag[:2 * m] += 2 * w3[:2 * m] * b**4
        diag[m:] += 12 * w3[:2 * m] * a * a * b * b
        r2, c2, v2 = np.arange(2 * m), np.arange(m, n), 8 * w3[:2 * m] * a * b**3
        r3, c3, v3 = np.arange(m), np.arange(2 * m, n), w4[:m]
        return diag, np.concatenate([r1, r2, r3]), np.concatenate([c1, c2, c3]), np.concatenate([v1, v2, v3])
    return x0, fg, hess


PROBLEMS = {"arwhead": arwhead, "engval1": engval1, "srosenbr": srosenbr, "genrose": genrose,
            "chainwoo": chainwoo, "tridia": tridia, "nondia": nondia, "fletchcr": fletchcr,
            "powellsg": powellsg, "broydn7d": broydn7d, "cragglvy": cragglvy}
for _l in "efghijkl":
    PROBLEMS["dixmaan" + _l] = (lambda l: (lambda: dixmaan(l)))(_l)

# f(x0) at n = 100 from reference/cutest.md: a check that the NumPy formulas
# are the ones in the table.
F0_100 = {"arwhead": 297, "engval1": 5841, "srosenbr": 1210, "genrose": 405.1064,
          "chainwoo": 371954.1, "tridia": 5049, "nondia": 39604, "fletchcr": 9900,
          "powellsg": 5375, "broydn7d": 274.2039, "cragglvy": 52823.07}


GTOL_REL, GTOL_ABS, MAX_ITER = 1e-8, 1e-10, 10000


def run_scipy(name, n, method, budget):
    """One SciPy solve in this process; returns the row as a dict."""
    x0f, fg, hess = PROBLEMS[name]()
    x0 = x0f(n)
    cache = {}
    count = {"hvp": 0, "fg": 0}

    def hessp(x, v):
        count["hvp"] += 1
        key = x.tobytes()
        if cache.get("key") != key:
            cache["key"], cache["h"] = key, hess(x)
        return coo_matvec(cache["h"], v)

    def fun(x):
        count["fg"] += 1
        return fg(x)

    g0 = np.linalg.norm(fg(x0)[1])
    gtol = max(GTOL_ABS, GTOL_REL * g0)
    t = time.perf_counter()
    state = {"timed_out": False}

    def callback(intermediate_result):
        if time.perf_counter() - t > budget:
            state["timed_out"] = True
            raise StopIteration

    r = minimize(fun, x0, jac=True, hessp=hessp, method=method, callback=callback,
                 options={"gtol": gtol, "maxiter": MAX_ITER})
    dt = time.perf_counter() - t
    gn = float(np.linalg.norm(fg(r.x)[1]))
    if r.success:
        status = "converged"
    elif state["timed_out"]:
        status = "time limit"
    elif r.nit >= MAX_ITER:
        status = "max_iterations"
    else:
        status = "fail: " + str(r.message)[:50]
    return dict(status=status, f=float(r.fun), gnorm=gn, nit=int(r.nit), nhev=count["hvp"],
                nfev=count["fg"], time=dt)


def run_scipy_isolated(name, n, method, budget):
    """run_scipy in a child process (a hard kill at budget + 120 s)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--one", name, str(n), method, str(budget)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=budget + 120)
    except subprocess.TimeoutExpired:
        return dict(status="killed", f=float("nan"), gnorm=float("nan"), nit=-1, nhev=-1,
                    nfev=-1, time=budget + 120)
    if out.returncode != 0:
        return dict(status="error: " + out.stderr.strip().splitlines()[-1][:60], f=float("nan"),
                    gnorm=float("nan"), nit=-1, nhev=-1, nfev=-1, time=float("nan"))
    return json.loads(out.stdout)


def run_ours(binary, name, n, extra, budget, solver="tr"):
    cmd = [binary, "solve", "--problem", name, "--n", str(n), "--solver", solver,
           "--gtol", str(GTOL_REL), "--gtol-abs", str(GTOL_ABS),
           "--max-iter", str(MAX_ITER), "--max-time", str(budget), "--json"] + extra
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=budget + 120)
    except subprocess.TimeoutExpired:
        return dict(status="killed", f=float("nan"), gnorm=float("nan"), nit=-1, nhev=-1,
                    nfev=-1, time=budget + 120)
    if not out.stdout.strip():
        return dict(status="error: " + (out.stderr.strip().splitlines() or ["?"])[-1][:60],
                    f=float("nan"), gnorm=float("nan"), nit=-1, nhev=-1, nfev=-1,
                    time=float("nan"))
    d = json.loads(out.stdout)
    return dict(status=d["status"], f=d["f"], gnorm=d["grad_norm"], nit=d["iterations"],
                nhev=d["hvps"], pass2=d.get("pass2_hvps", 0),
                second_order=d.get("second_order_hvps", 0), nfev=d["evals"],
                time=d["elapsed_s"])


# Which stopping test each row uses (the legend printed above the table).
STOP_GRAD = "G"
STOP_DEFAULTS = "G+gap+SO"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--steihaug", default="target/release/steihaug")
    ap.add_argument("--baseline", default=None,
                    help="a second steihaug binary (today's numbers), trust region with its defaults")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per solve")
    ap.add_argument("--defaults", action="store_true",
                    help="also run the current binary with its own defaults (gap test, second-order)")
    ap.add_argument("--linesearch", action="store_true",
                    help="also run the current binary's line-search Newton-CG (its defaults)")
    ap.add_argument("--problems", default=None, help="comma-separated subset")
    ap.add_argument("--jsonl", default=None, help="also append every row as JSON to FILE")
    ap.add_argument("--one", nargs=4, metavar=("PROBLEM", "N", "METHOD", "BUDGET"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        name, n, method, budget = args.one
        print(json.dumps(run_scipy(name, int(n), method, float(budget))))
        return
    for name, want in F0_100.items():
        x0f, fg, _ = PROBLEMS[name]()
        f0 = fg(x0f(100))[0]
        assert abs(f0 - want) < 0.006, (name, f0, want)
    names = args.problems.split(",") if args.problems else list(PROBLEMS)
    print(f"numpy {np.__version__}, scipy {scipy.__version__}; n = {args.n} (DIXMAAN: {args.n - args.n % 3}); "
          f"time limit {args.timeout:g} s per solve")
    print(f"Stops on: {STOP_GRAD} = ||g|| <= max(1e-10, 1e-8 ||g0||) alone (steihaug current: "
          f"--gap-tol 0 --second-order off); {STOP_DEFAULTS} = the current defaults (that gradient "
          "test and the gap test f - f* estimate <= 1e-9 max(1,|f|), second-order escape). "
          "At most 10000 iterations everywhere. HVPs of GLTR include pass 2 (in parentheses).\n")
    print("| problem | n | solver | stops on | status | f | final ‖g‖ | iterations | HVPs | evals | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    comparable = ["--gap-tol", "0", "--second-order", "off"]
    for name in names:
        n = args.n - args.n % 3 if name.startswith("dixmaan") else args.n
        rows = []
        if args.baseline:
            rows.append(("baseline Steihaug", STOP_GRAD, lambda: run_ours(args.baseline, name, n, [], args.timeout)))
        rows.append(("Steihaug", STOP_GRAD, lambda: run_ours(args.steihaug, name, n, comparable, args.timeout)))
        rows.append(("GLTR", STOP_GRAD,
                     lambda: run_ours(args.steihaug, name, n, comparable + ["--subproblem", "gltr"], args.timeout)))
        if args.defaults:
            rows.append(("Steihaug, defaults", STOP_DEFAULTS, lambda: run_ours(args.steihaug, name, n, [], args.timeout)))
            rows.append(("GLTR, defaults", STOP_DEFAULTS,
                         lambda: run_ours(args.steihaug, name, n, ["--subproblem", "gltr"], args.timeout)))
        if args.linesearch:
            rows.append(("line search, defaults", "G+gap",
                         lambda: run_ours(args.steihaug, name, n, [], args.timeout, "linesearch")))
        rows.append(("SciPy trust-ncg", STOP_GRAD, lambda: run_scipy_isolated(name, n, "trust-ncg", args.timeout)))
        rows.append(("SciPy trust-krylov", STOP_GRAD,
                     lambda: run_scipy_isolated(name, n, "trust-krylov", args.timeout)))
        for solver, stop, run in rows:
            r = run()
            hv = str(r["nhev"])
            if r.get("pass2"):
                hv += f" ({r['pass2']})"
            print(f"| {name} | {n} | {solver} | {stop} | {r['status']} | {r['f']:.10g} | {r['gnorm']:.2e} | "
                  f"{r['nit']} | {hv} | {r['nfev']} | {r['time']:.3g} |", flush=True)
            if args.jsonl:
                with open(args.jsonl, "a") as fh:
                    fh.write(json.dumps(dict(problem=name, n=n, solver=solver, stop=stop, **r)) + "\n")


if __name__ == "__main__":
    main()
