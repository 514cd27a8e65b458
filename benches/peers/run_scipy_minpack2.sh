#!/usr/bin/env bash
# SciPy trust-ncg vs steihaug (trust-region Newton-CG, no preconditioner)
# on the MINPACK-2 MSA and EPT grids, in the same run.
#
# Usage: [PROBLEMS="msa ept"] benches/peers/run_scipy_minpack2.sh [GRID ...]
#        (default grids 100 300)
# Installs numpy and scipy with pip into a private virtual environment
# (benches/peers/.venv, or $PEER_VENV), builds steihaug in release mode,
# and prints one line per solver and problem plus the ratios.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PEER_VENV:-$here/.venv}"
grids=("$@")
[ ${#grids[@]} -eq 0 ] && grids=(100 300)
gtol=1e-6

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet numpy scipy
fi
py="$venv/bin/python"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$py" -c 'import numpy, scipy, sys; print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}")'
(cd "$root" && cargo build --release --quiet --bin steihaug)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "stopping rule: |g| <= $gtol |g0| (2-norm), trust radius 1.0 initially, no preconditioner"
printf '%-5s %-10s %-18s %10s %8s %8s %10s %14s\n' problem grid solver time_s iters hvps g/g0 f
for grid in "${grids[@]}"; do
  for prob in ${PROBLEMS:-msa ept}; do
    "$py" "$here/minpack2_scipy.py" "$prob" "$grid" "$grid" "$gtol" 1000 > "$tmp/scipy.json"
    (cd "$root" && cargo run --release --quiet --bin steihaug -- solve --problem "$prob" \
          --nx "$grid" --ny "$grid" --gtol "$gtol" --gtol-abs 0 --solver tr --precond none \
          --json > "$tmp/ours.json" || true)
    "$py" - "$prob" "$grid" "$tmp/scipy.json" "$tmp/ours.json" <<'PY'
import json, sys
prob, grid = sys.argv[1], sys.argv[2]
s, o = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
g = f"{grid}x{grid}"
print(f"{prob:<5} {g:<10} {'scipy trust-ncg':<18} {s['time_s']:10.3f} {s['nit']:8d} {s['hvps']:8d} {s['grad_ratio']:10.2e} {s['f']:14.10f}")
print(f"{prob:<5} {g:<10} {'steihaug tr':<18} {o['elapsed_s']:10.3f} {o['iterations']:8d} {o['hvps']:8d} {o['grad_norm']/o['grad_norm0']:10.2e} {o['f']:14.10f}")
print(f"{prob:<5} {g:<10} {'ratio scipy/ours':<18} {s['time_s']/o['elapsed_s']:10.1f} {s['nit']/max(o['iterations'],1):8.2f} {s['hvps']/max(o['hvps'],1):8.2f}")
PY
  done
done
