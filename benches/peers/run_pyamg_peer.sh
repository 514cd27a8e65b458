#!/usr/bin/env bash
# steihaug's smoothed-aggregation AMG next to PyAMG on the same MINPACK-2
# Hessians, in the same run.
#
# Usage: benches/peers/run_pyamg_peer.sh [GRID ...]      (default 316 1000)
#        PROBLEMS="msa ept" THREADS="1 2" to choose.
#
# For each problem and grid: `examples/amg_hessian.rs` assembles the Hessian
# at the MINPACK-2 start, writes it in Matrix Market format under
# target/pyamg-peer/, and times our AMG (setup, refresh, one V-cycle, CG
# with one V-cycle per iteration to ‖r‖ ≤ 1e-8‖b‖, b = 1) with rayon at each
# thread count in THREADS; then `pyamg_peer.py` reads the same file and
# times `pyamg.smoothed_aggregation_solver(A)` with its defaults and CG with
# one V-cycle (scipy's cg and PyAMG's own accel='cg') to the same residual.
# PyAMG runs on one thread (its kernels are serial). Prints the JSON rows and
# a side-by-side table.
#
# Installs numpy, scipy and pyamg with pip into a venv under target/
# (target/peers-venv-pyamg, or $PEER_VENV); builds the example in release
# mode.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${PEER_VENV:-$target/peers-venv-pyamg}"
out="$target/pyamg-peer"
grids=("$@")
[ ${#grids[@]} -eq 0 ] && grids=(316 1000)
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet numpy scipy pyamg
fi
py="$venv/bin/python"
(cd "$root" && cargo build --release --quiet --example amg_hessian)
ex="$target/release/examples/amg_hessian"
"$py" -c 'import numpy, scipy, pyamg, sys; print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, pyamg {pyamg.__version__}")'
echo "commit $(cd "$root" && git rev-parse --short HEAD); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load: $(cut -d' ' -f1-3 /proc/loadavg)"
rows="$out/rows.jsonl"
: > "$rows"
for grid in "${grids[@]}"; do
  for problem in ${PROBLEMS:-msa ept}; do
    mtx="$out/$problem$grid.mtx"
    first=1
    for t in ${THREADS:-1 2}; do
      if [ $first -eq 1 ]; then
        RAYON_NUM_THREADS=$t "$ex" "$problem" "$grid" "$mtx" --only amg | tee -a "$rows"
        first=0
      else
        RAYON_NUM_THREADS=$t "$ex" "$problem" "$grid" --only amg | tee -a "$rows"
      fi
    done
    "$py" "$here/pyamg_peer.py" "$mtx" | sed "s/^{/{\"problem\": \"$problem\", \"grid\": $grid, /" | tee -a "$rows"
    rm -f "$mtx"
  done
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" - "$rows" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print()
print("| problem | grid | n | solver | threads | setup s | levels | op. complexity | CG its | CG s | V-cycle s |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    if "pyamg" in r:
        print(f"| {r['problem']} | {r['grid']} | {r['n']} | PyAMG {r['pyamg']} (scipy cg) | 1 | {r['setup_s']:.3f} | {r['levels']} | {r['operator_complexity']:.3f} | {r['cg_iterations']} | {r['cg_s']:.3f} | {r['vcycle_s']:.4f} |")
        print(f"| {r['problem']} | {r['grid']} | {r['n']} | PyAMG (accel='cg') | 1 | | | | {r['accel_cg_iterations']} | {r['accel_cg_s']:.3f} | |")
    else:
        print(f"| {r['problem']} | {r['grid']} | {r['n']} | steihaug | {r['threads']} | {r['setup_s']:.3f} | {r['levels']} | {r['operator_complexity']:.3f} | {r['cg_iterations']} | {r['cg_s']:.3f} | {r['vcycle_s']:.4f} |")
EOF
