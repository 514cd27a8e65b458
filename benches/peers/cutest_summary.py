#!/usr/bin/env python3
"""Condenses the rows that `cutest_scipy.py --jsonl FILE` wrote into one
Markdown table per n: a cell "iterations / HVPs / time" per solver (a status
other than converged is named in the cell), then the problems on which a
row of the baseline converged and a current-binary row did not, and those
where the converged rows reach different f, then f - f* where f* is known.

With --full: every row with status, f, final ||g||, iterations, HVPs,
evals and time instead.

Usage: cutest_summary.py [--full] FILE.jsonl [FILE.jsonl ...]
"""
import json
import math
import sys

ORDER = ["baseline Steihaug", "Steihaug", "GLTR", "Steihaug, defaults", "GLTR, defaults",
         "line search, defaults", "SciPy trust-ncg", "SciPy trust-krylov"]
# Known optimal values (reference/cutest.md); the others have none.
F_STAR = {"arwhead": 0.0, "srosenbr": 0.0, "tridia": 0.0, "nondia": 0.0, "fletchcr": 0.0,
          "powellsg": 0.0, "genrose": 1.0, **{"dixmaan" + c: 1.0 for c in "efghijkl"}}
SHORT = {"max_iterations": "max-iter", "time_limit": "time limit"}


def cell(r):
    t = r["time"]
    ts = "–" if t != t else (f"{t:.3g}" if t >= 0.01 else f"{t:.1e}")
    hv = str(r["nhev"]) + (f" ({r['pass2']})" if r.get("pass2") else "")
    s = f"{r['nit']} / {hv} / {ts}"
    if r["status"] != "converged":
        st = SHORT.get(r["status"], r["status"])
        if "bad approximation" in st:
            st = "fail: bad approximation"
        s = f"**{st}** " + s
    return s


def full(by_n):
    for key in sorted(by_n):
        print(f"\n| problem | n | solver | stops on | status | f | final ‖g‖ | iterations | HVPs | evals | time (s) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for name, p in by_n[key].items():
            for s in ORDER:
                r = p.get(s)
                if r is None:
                    continue
                hv = str(r["nhev"]) + (f" ({r['pass2']})" if r.get("pass2") else "")
                print(f"| {name} | {r['n']} | {s} | {r['stop']} | {r['status']} | {r['f']:.10g} | "
                      f"{r['gnorm']:.2e} | {r['nit']} | {hv} | {r['nfev']} | {r['time']:.3g} |")


def main():
    args = sys.argv[1:]
    want_full = "--full" in args
    args = [a for a in args if a != "--full"]
    rows = []
    for path in args:
        with open(path) as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    by_n = {}
    for r in rows:
        key = 1000 if r["n"] < 5000 else 100000
        by_n.setdefault(key, {}).setdefault(r["problem"], {})[r["solver"]] = r
    if want_full:
        full(by_n)
        return
    for key in sorted(by_n):
        probs = by_n[key]
        solvers = [s for s in ORDER if any(s in p for p in probs.values())]
        print(f"\n#### n = {key} (DIXMAAN: {key - key % 3}); cells: iterations / HVPs (GLTR pass 2) / time (s)\n")
        print("| problem | " + " | ".join(solvers) + " |")
        print("|---|" + "---|" * len(solvers))
        for name, p in probs.items():
            print(f"| {name} | " + " | ".join(cell(p[s]) if s in p else "" for s in solvers) + " |")
        lost = []
        for name, p in probs.items():
            b = p.get("baseline Steihaug")
            if b and b["status"] == "converged":
                for s in ("Steihaug", "GLTR", "Steihaug, defaults", "GLTR, defaults"):
                    if s in p and p[s]["status"] != "converged":
                        lost.append(f"{name}: {s} {p[s]['status']}")
        print(f"\nConverged with the baseline, not converged now (n = {key}): "
              + ("; ".join(lost) if lost else "none"))
        diff = []
        for name, p in probs.items():
            fs = {s: r["f"] for s, r in p.items() if r["status"] == "converged"}
            if fs and max(fs.values()) - min(fs.values()) > 1e-6 * max(1.0, min(abs(v) for v in fs.values())):
                diff.append(name + ": " + ", ".join(f"{s} {v:.10g}" for s, v in fs.items()))
        print(f"\nConverged rows with different f (n = {key}):\n" + ("\n".join("- " + d for d in diff) if diff else "none"))
        # Item 4 of issue 12: f - f* <= 1e-8 max(1, |f*|) when converged; products of the
        # defaults against the baseline where the baseline already met that bound.
        print(f"\nf - f* where f* is known (n = {key}); * = converged with f - f* > 1e-8 max(1,|f*|); "
              "last column: HVPs of Steihaug defaults / baseline where the baseline met the bound\n")
        print("| problem | " + " | ".join(solvers) + " | defaults / baseline HVPs |")
        print("|---|" + "---|" * (len(solvers) + 1))
        for name, p in probs.items():
            if name not in F_STAR:
                continue
            fstar = F_STAR[name]
            tol = 1e-8 * max(1.0, abs(fstar))
            cells = []
            for s in solvers:
                r = p.get(s)
                if r is None:
                    cells.append("")
                    continue
                gap = r["f"] - fstar
                mark = "*" if r["status"] == "converged" and gap > tol else ""
                cells.append(f"{gap:.1e}{mark}" if r["status"] == "converged" else f"({gap:.1e})")
            b, d = p.get("baseline Steihaug"), p.get("Steihaug, defaults")
            ratio = ""
            if b and d and b["status"] == "converged" and b["f"] - fstar <= tol and b["nhev"] > 0:
                ratio = f"{d['nhev'] / b['nhev']:.2f}"
            print(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")


if __name__ == "__main__":
    main()
