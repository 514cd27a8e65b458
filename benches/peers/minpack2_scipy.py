#!/usr/bin/env python3
"""SciPy trust-ncg on the MINPACK-2 MSA and EPT problems (vectorized NumPy).

Same discretization as steihaug's `problems::minpack2` (Averick, Carter,
Moré & Xue 1992; `reference/minpack2.md`): piecewise-linear elements on
lower/upper triangles of an nx-by-ny interior grid, x stored x-fastest.
Value, gradient and Hessian-vector product are whole-array NumPy
expressions; the element Hessians (MSA) are cached per point, so each
product is a handful of array passes, as in steihaug's matrix-free product.

Usage: minpack2_scipy.py PROBLEM NX NY GTOL_REL [MAXITER]
Prints one JSON line: f(x0), f, |g|/|g0|, nit, hvps, nfev, time_s.
The stopping rule matches `steihaug solve --gtol GTOL_REL --gtol-abs 0`:
trust-ncg's gtol (absolute, 2-norm) is set to GTOL_REL * |g(x0)|.
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize


def enneper(xt, yt):
    u, v = xt.copy(), -yt.copy()
    for _ in range(5):
        f1 = u + u * v * v - u ** 3 / 3.0 - xt
        f2 = -v - u * u * v + v ** 3 / 3.0 - yt
        if np.all(np.hypot(f1, f2) <= 1e-10):
            break
        j11, j12 = 1.0 + v * v - u * u, 2.0 * u * v
        j21, j22 = -2.0 * u * v, -1.0 - u * u + v * v
        det = j11 * j22 - j12 * j21
        u = u - (f1 * j22 - f2 * j12) / det
        v = v - (j11 * f2 - j21 * f1) / det
    return u * u - v * v


class Grid:
    def __init__(self, problem, nx, ny):
        self.problem, self.nx, self.ny = problem, nx, ny
        self.hx, self.hy = 1.0 / (nx + 1), 1.0 / (ny + 1)
        self.area = 0.5 * self.hx * self.hy
        self.P = np.zeros((ny + 2, nx + 2))
        i = np.arange(nx + 2)
        j = np.arange(ny + 2)
        if problem == "msa":
            self.P[0, :] = enneper(-0.5 + i * self.hx, np.full(nx + 2, -0.5))
            self.P[-1, :] = enneper(-0.5 + i * self.hx, np.full(nx + 2, 0.5))
            self.P[:, 0] = enneper(np.full(ny + 2, -0.5), -0.5 + j * self.hy)
            self.P[:, -1] = enneper(np.full(ny + 2, 0.5), -0.5 + j * self.hy)
        self._hx_key = None

    def start(self):
        nx, ny = self.nx, self.ny
        I, J = np.meshgrid(np.arange(1, nx + 1), np.arange(1, ny + 1))
        if self.problem == "msa":
            b = self.P
            alpha, beta = J * self.hy, I * self.hx
            x = 0.5 * ((alpha * b[-1, I] + (1 - alpha) * b[0, I])
                       + (beta * b[J, -1] + (1 - beta) * b[J, 0]))
        else:
            x = np.minimum(np.minimum(I, nx - I + 1) * self.hx,
                           np.minimum(J, ny - J + 1) * self.hy)
        return x.ravel()

    def grads(self, x, P):
        """(aL, bL, aU, bU): triangle gradients; P is the padded array."""
        P[1:-1, 1:-1] = x.reshape(self.ny, self.nx)
        aL = (P[:-1, 1:] - P[:-1, :-1]) / self.hx   # lower, cells (i, s)
        bL = (P[1:, :-1] - P[:-1, :-1]) / self.hy
        aU = (P[1:, 1:] - P[1:, :-1]) / self.hx     # upper, (i+1, s+1)
        bU = (P[1:, 1:] - P[:-1, 1:]) / self.hy
        return aL, bL, aU, bU

    def scatter(self, sL, tL, sU, tU):
        """Scatter (sa, sb) of every triangle to its vertices."""
        G = np.zeros((self.ny + 2, self.nx + 2))
        gaL, gbL = sL / self.hx, tL / self.hy
        gaU, gbU = sU / self.hx, tU / self.hy
        G[:-1, 1:] += gaL
        G[:-1, :-1] -= gaL + gbL
        G[1:, :-1] += gbL
        G[1:, 1:] += gaU + gbU
        G[1:, :-1] -= gaU
        G[:-1, 1:] -= gbU
        return G[1:-1, 1:-1].ravel()

    def fun(self, x):
        P = self.P.copy()
        aL, bL, aU, bU = self.grads(x, P)
        if self.problem == "msa":
            pL = np.sqrt(1 + aL * aL + bL * bL)
            pU = np.sqrt(1 + aU * aU + bU * bU)
            f = self.area * (pL.sum() + pU.sum())
            g = self.area * self.scatter(aL / pL, bL / pL, aU / pU, bU / pU)
        else:
            c = 5.0
            f = self.area * 0.5 * ((aL * aL + bL * bL).sum() + (aU * aU + bU * bU).sum())
            f -= c * self.hx * self.hy * x.sum()
            g = self.area * self.scatter(aL, bL, aU, bU) - c * self.hx * self.hy
        return f, g

    def hessp(self, x, v):
        if self.problem == "msa":
            if self._hx_key is None or not np.array_equal(self._hx_key, x):
                P = self.P.copy()
                aL, bL, aU, bU = self.grads(x, P)
                coef = []
                for a, b in ((aL, bL), (aU, bU)):
                    q = 1 + a * a + b * b
                    s = self.area / (q * np.sqrt(q))
                    coef.append((s * (1 + b * b), -s * a * b, s * (1 + a * a)))
                self._coef = coef
                self._hx_key = x.copy()
        Z = np.zeros((self.ny + 2, self.nx + 2))
        daL, dbL, daU, dbU = self.grads(v, Z)
        if self.problem == "msa":
            (l1, l2, l3), (u1, u2, u3) = self._coef
            return self.scatter(l1 * daL + l2 * dbL, l2 * daL + l3 * dbL,
                                u1 * daU + u2 * dbU, u2 * daU + u3 * dbU)
        return self.area * self.scatter(daL, dbL, daU, dbU)


def main():
    problem, nx, ny, gtol_rel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    maxiter = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
    grid = Grid(problem, nx, ny)
    x0 = grid.start()
    f0, g0 = grid.fun(x0)
    counts = {"hvp": 0, "fun": 0}

    def fun(x):
        counts["fun"] += 1
        return grid.fun(x)

    def hessp(x, v):
        counts["hvp"] += 1
        return grid.hessp(x, v)

    gtol = gtol_rel * np.linalg.norm(g0)
    t = time.perf_counter()
    res = minimize(fun, x0, jac=True, hessp=hessp, method="trust-ncg",
                   options={"gtol": gtol, "maxiter": maxiter})
    elapsed = time.perf_counter() - t
    _, g = grid.fun(res.x)
    print(json.dumps({
        "peer": "scipy-trust-ncg", "problem": problem, "n": nx * ny, "f0": f0,
        "f": float(res.fun), "grad_ratio": float(np.linalg.norm(g) / np.linalg.norm(g0)),
        "success": bool(res.success), "message": str(res.message), "nit": int(res.nit),
        "hvps": counts["hvp"], "nfev": counts["fun"], "time_s": elapsed,
    }))


if __name__ == "__main__":
    main()
