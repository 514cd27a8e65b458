#!/usr/bin/env python3
"""SciPy trust-ncg on the CUTEst-style collection of steihaug, next to
steihaug's own counts.

The problems are the same formulas as src/problems/cutest/ (see
../shared/reference/cutest.md), vectorized in NumPy; the Hessian-vector
product assembles the symmetric sparse Hessian once per point (cached on x)
and multiplies, as the Rust code does. Both sides stop at
||g|| <= max(1e-10, 1e-8 ||g0||) (Euclidean norms) with at most 10000
iterations; SciPy trust-ncg with its defaults otherwise (initial radius 1).

Usage: cutest_scipy.py [--n N] [--steihaug PATH]   (run_scipy_cutest.sh sets it up)
"""
import argparse
import json
import subprocess
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


def run_scipy(name, n):
    x0f, fg, hess = PROBLEMS[name]()
    x0 = x0f(n)
    cache = {}

    def hessp(x, v):
        key = x.tobytes()
        if cache.get("key") != key:
            cache["key"], cache["h"] = key, hess(x)
        return coo_matvec(cache["h"], v)

    g0 = np.linalg.norm(fg(x0)[1])
    gtol = max(1e-10, 1e-8 * g0)
    t = time.perf_counter()
    r = minimize(fg, x0, jac=True, hessp=hessp, method="trust-ncg",
                 options={"gtol": gtol, "maxiter": 10000})
    dt = time.perf_counter() - t
    return dict(status="converged" if r.success else "fail: " + str(r.message)[:40],
                f=float(r.fun), nit=int(r.nit), nhev=int(getattr(r, "nhev", 0)),
                nfev=int(r.nfev), time=dt)


def run_ours(binary, name, n, solver):
    out = subprocess.run([binary, "solve", "--problem", name, "--n", str(n), "--solver", solver,
                          "--max-iter", "10000", "--json"], capture_output=True, text=True)
    d = json.loads(out.stdout)
    return dict(status=d["status"], f=d["f"], nit=d["iterations"], nhev=d["hvps"],
                nfev=d["evals"], time=d["elapsed_s"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--steihaug", default="target/release/steihaug")
    args = ap.parse_args()
    for name, want in F0_100.items():
        x0f, fg, _ = PROBLEMS[name]()
        f0 = fg(x0f(100))[0]
        assert abs(f0 - want) < 0.006, (name, f0, want)
    print(f"numpy {np.__version__}, scipy {scipy.__version__}; n = {args.n} (DIXMAAN: {args.n - args.n % 3})")
    print("Stopping test on every side: ||g|| <= max(1e-10, 1e-8 ||g0||), at most 10000 iterations.\n")
    print("| problem | n | solver | status | f | iterations | HVPs | evals | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in PROBLEMS:
        n = args.n - args.n % 3 if name.startswith("dixmaan") else args.n
        rows = [("steihaug trust-region", run_ours(args.steihaug, name, n, "tr")),
                ("steihaug line-search", run_ours(args.steihaug, name, n, "linesearch")),
                ("SciPy trust-ncg", run_scipy(name, n))]
        for solver, r in rows:
            print(f"| {name} | {n} | {solver} | {r['status']} | {r['f']:.10g} | {r['nit']} | "
                  f"{r['nhev']} | {r['nfev']} | {r['time']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
