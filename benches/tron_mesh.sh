#!/usr/bin/env bash
# TRON's mesh behaviour on the bounded MINPACK-2 grids: one run each,
# ||P grad f|| <= TOL*||grad f(x0)|| (default 1e-6), printing status,
# Newton iterations, products, f, active count and the iteration after
# which the active set stopped changing ("settled").
#
# Usage: benches/tron_mesh.sh [GRID ...]   (default 100 250 500)
#        PROBLEMS="ept-bound dmso-c" TOL=1e-6 EXTRA="--release-rounds 0" to choose.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
grids=("$@")
[ ${#grids[@]} -eq 0 ] && grids=(100 250 500)
(cd "$root" && cargo build --release --quiet --bin steihaug)
bin="${CARGO_TARGET_DIR:-$root/target}/release/steihaug"
echo "commit $(cd "$root" && git rev-parse --short HEAD); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); extra: ${EXTRA:-none}"
echo "| problem | grid | status | iters | hvps | evals | f | active | settled | time s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for grid in "${grids[@]}"; do
  for p in ${PROBLEMS:-ept-bound pjb-bound dmso-c dmsa-b dssc-c}; do
    # shellcheck disable=SC2086
    "$bin" solve --problem "$p" --nx "$grid" --ny "$grid" --solver tron \
      --gtol "${TOL:-1e-6}" --gtol-abs 0 ${EXTRA:-} --json 2>/dev/null |
      python3 -c '
import json, sys
r = json.load(sys.stdin)
b = r["bounds"]
g = sys.argv[1]
row = [r["problem"], g + "x" + g, r["status"], r["iterations"], r["hvps"], r["evals"], "%.10f" % r["f"],
       b["active"]["active"], b["active_set_settled_at"], "%.2f" % r["elapsed_s"]]
print("| " + " | ".join(str(v) for v in row) + " |")
' "$grid" || true  # a non-converged run exits non-zero; its row is still printed
  done
done
