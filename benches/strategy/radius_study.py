#!/usr/bin/env python3
"""Trust-region strategies side by side: every initial-radius strategy with
every radius rule (and the forcing terms with the chosen pair), on the
MINPACK-2 grid problems and the CUTEst-style set, from one build of the CLI.

    python3 benches/strategy/radius_study.py BINARY [--grid 200] [--n 1000] [--out FILE.md]
        [--combos all|defaults|forcing|"INIT/RULE/FORCING[/REJECTED];..."] [--problems a,b,c]

Each solve is `BINARY solve --problem P ... --radius-init I --radius-rule R
--forcing F [--rejected-step S] --json --quiet` (S is the optional fourth
field of a combination); the table gives status, outer iterations,
Hessian-vector products, evaluations and f - f* where f* is known.
The summary ranks the combinations by the number of problems they fail to
solve, then by the geometric mean of products relative to the best
combination on each problem.
"""
import argparse
import json
import math
import subprocess
import sys
import time

GRID = ["msa", "ept", "pjb", "odc", "ssc"]
CUTEST = ["arwhead", "engval1", "genrose", "chainwoo", "tridia", "nondia", "fletchcr",
          "powellsg", "broydn7d", "cragglvy", "extended-rosenbrock"]
DIXMAAN = ["dixmaan" + c for c in "efghijkl"]
INITS = ["constant:1", "gradient", "first-step", "interpolation"]
RULES = ["nocedal-wright", "tron", "tao"]
FORCINGS = ["sqrt", "quadratic", "ew1", "ew2", "constant:0.1"]


def problems(args):
    out = []
    for p in GRID:
        out.append((f"{p} {args.grid}x{args.grid}", ["--problem", p, "--nx", str(args.grid),
                                                     "--ny", str(args.grid)]))
    for p in CUTEST:
        out.append((f"{p} n={args.n}", ["--problem", p, "--n", str(args.n)]))
    m = 3 * (args.n // 3)
    for p in DIXMAAN:
        out.append((f"{p} n={m}", ["--problem", p, "--n", str(m)]))
    if args.problems:
        keep = set(args.problems.split(","))
        out = [o for o in out if o[0].split()[0] in keep]
    return out


def run(binary, pargs, extra, timeout):
    cmd = [binary, "solve", *pargs, *extra, "--json", "--quiet"]
    t0 = time.time()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "iterations": None, "hvps": None, "evals": None,
                "gap": None, "time": timeout}
    wall = time.time() - t0
    try:
        r = json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"status": "error: " + out.stderr.strip()[:60], "iterations": None,
                "hvps": None, "evals": None, "gap": None, "time": wall}
    fs = r.get("f_star")
    gap = None if fs is None else r["f"] - fs
    return {"status": r["status"], "iterations": r["iterations"], "hvps": r["hvps"],
            "evals": r["evals"], "gap": gap, "time": wall, "f": r["f"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--grid", type=int, default=200)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--out")
    ap.add_argument("--combos", default="all")
    ap.add_argument("--problems")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--extra", default="", help="more solve arguments, space-separated")
    args = ap.parse_args()
    extra = args.extra.split() if args.extra else []
    if args.combos == "all":
        combos = [(i, r, "sqrt") for i in INITS for r in RULES]
    elif args.combos == "forcing":
        combos = [("first-step", "tao", f) for f in FORCINGS]
    else:
        combos = [tuple(c.split("/")) for c in args.combos.split(";")]
    probs = problems(args)
    results = {}
    lines = []
    head = "| problem | " + " | ".join(" / ".join(c) for c in combos) + " |"
    lines.append(head)
    lines.append("|---" * (len(combos) + 1) + "|")
    for name, pargs in probs:
        row = [name]
        for c in combos:
            i, r, f = c[:3]
            rej = ["--rejected-step", c[3]] if len(c) > 3 else []
            res = run(args.binary, pargs, ["--radius-init", i, "--radius-rule", r,
                                           "--forcing", f, *rej, *extra], args.timeout)
            results[(name, c)] = res
            if res["status"] == "converged":
                cell = f"{res['iterations']} / {res['hvps']}"
            else:
                cell = f"**{res['status']}** {res['iterations']} / {res['hvps']}"
            if res["gap"] is not None:
                cell += f" ({res['gap']:.0e})"
            row.append(cell)
        line = "| " + " | ".join(row) + " |"
        lines.append(line)
        print(line, flush=True)
    # Summary.
    summary = ["", "| combination | failures | geo-mean products / best | total products | total time (s) |",
               "|---|---|---|---|---|"]
    ranked = []
    for c in combos:
        fails = 0
        logs = []
        total = 0
        ttime = 0.0
        for name, _ in probs:
            res = results[(name, c)]
            ttime += res["time"] or 0
            if res["status"] != "converged":
                fails += 1
                continue
            total += res["hvps"]
            best = min(results[(name, d)]["hvps"] for d in combos
                       if results[(name, d)]["status"] == "converged")
            logs.append(math.log(max(res["hvps"], 1) / max(best, 1)))
        gm = math.exp(sum(logs) / len(logs)) if logs else float("nan")
        ranked.append((fails, gm, c, total, ttime))
    for fails, gm, c, total, ttime in sorted(ranked, key=lambda t: (t[0], t[1])):
        summary.append(f"| {' / '.join(c)} | {fails} | {gm:.2f} | {total} | {ttime:.1f} |")
    for s in summary:
        print(s)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("\n".join(lines + summary) + "\n")


if __name__ == "__main__":
    sys.exit(main())
