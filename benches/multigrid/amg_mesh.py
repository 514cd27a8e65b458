#!/usr/bin/env python3
"""CG iterations per Newton step as the mesh is refined, for each
preconditioner: the table of issue 16 (`docs/multigrid.md`).

    python3 benches/multigrid/amg_mesh.py BINARY [--grids 100,316,1000]
        [--problems msa,ept] [--preconds none,jacobi,ic0,amg]
        [--solvers linesearch,tr] [--gtol 1e-6] [--forcing F] [--jsonl FILE]

Each run is `BINARY solve --problem P --nx G --ny G --solver S --precond C
--gtol GTOL --gtol-abs 0 --json --quiet` under `/usr/bin/time -f %M` (peak
resident memory of that process). The default tolerance, ‖g‖ ≤ 1e-6‖g₀‖
with no absolute test, is that of the recorded n = 10⁷ IC(0) run in
`docs/benchmarks-sparse.md` §4. A row gives the status, Newton iterations,
CG iterations in all and per Newton step, products, f, wall time and peak
memory; `--jsonl` appends every run's figures to a file as one JSON line.
`--forcing constant:0.01` (passed on as `--forcing`) makes every inner
solve stop at the same relative residual, so CG iterations per Newton step
measure the preconditioner alone; under the default forcing (√‖g‖) they
also grow with the number of Newton steps near the solution.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time


def run(binary, problem, grid, solver, precond, gtol, max_iter, forcing):
    cmd = [binary, "solve", "--problem", problem, "--nx", str(grid), "--ny", str(grid),
           "--solver", solver, "--precond", precond, "--gtol", str(gtol), "--gtol-abs", "0",
           "--max-iter", str(max_iter), "--json", "--quiet"]
    if forcing:
        cmd += ["--forcing", forcing]
    with tempfile.NamedTemporaryFile("r") as tf:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name, *cmd],
                           capture_output=True, text=True)
        wall = time.perf_counter() - t
        # The last line is %M; a killed child leaves a message before it
        # (or nothing).
        last = (tf.read().strip().splitlines() or ["0"])[-1]
        rss_kb = int(last) if last.isdigit() else 0
    row = {"problem": problem, "grid": grid, "n": grid * grid, "solver": solver,
           "precond": precond, "gtol": gtol, "forcing": forcing or "default", "wall_s": round(wall, 2),
           "peak_rss_mib": round(rss_kb / 1024, 1)}
    try:
        d = json.loads(p.stdout)
    except json.JSONDecodeError:
        row["status"] = f"error (exit {p.returncode}): {p.stderr.strip()[:120]}"
        return row
    row.update(status=d["status"], iterations=d["iterations"], cg=d["cg_iterations"],
               hvps=d["hvps"], f=d["f"], grad_norm=d["grad_norm"],
               grad_rel=d["grad_norm"] / d["grad_norm0"], solve_s=round(d["elapsed_s"], 2))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--grids", default="100,316,1000")
    ap.add_argument("--problems", default="msa,ept")
    ap.add_argument("--preconds", default="none,jacobi,ic0,amg")
    ap.add_argument("--solvers", default="linesearch")
    ap.add_argument("--gtol", type=float, default=1e-6)
    ap.add_argument("--max-iter", type=int, default=1000)
    ap.add_argument("--forcing")
    ap.add_argument("--jsonl")
    a = ap.parse_args()
    with open("/proc/loadavg") as f:
        print(f"load at start: {' '.join(f.read().split()[:3])}", file=sys.stderr)
    print("| problem | grid | n | solver | precond | status | Newton its | CG its | CG per Newton step "
          "| products | f | ‖g‖/‖g₀‖ | wall s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for problem in a.problems.split(","):
        for grid in [int(g) for g in a.grids.split(",")]:
            for solver in a.solvers.split(","):
                for precond in a.preconds.split(","):
                    r = run(a.binary, problem, grid, solver, precond, a.gtol, a.max_iter, a.forcing)
                    if a.jsonl:
                        with open(a.jsonl, "a") as f:
                            f.write(json.dumps(r) + "\n")
                    if "iterations" not in r:
                        print(f"| {problem} | {grid} | {grid * grid} | {solver} | {precond} | "
                              f"{r['status']} | | | | | | | {r['wall_s']} | {r['peak_rss_mib']} |",
                              flush=True)
                        continue
                    per = r["cg"] / max(r["iterations"], 1)
                    print(f"| {problem} | {grid} | {grid * grid} | {solver} | {precond} | "
                          f"{r['status']} | {r['iterations']} | {r['cg']} | {per:.1f} | {r['hvps']} | "
                          f"{r['f']:.10f} | {r['grad_rel']:.1e} | {r['wall_s']} | "
                          f"{r['peak_rss_mib']} |", flush=True)
    with open("/proc/loadavg") as f:
        print(f"load at end: {' '.join(f.read().split()[:3])}", file=sys.stderr)


if __name__ == "__main__":
    main()
