#!/usr/bin/env bash
# SciPy trust-ncg next to steihaug on the CUTEst-style collection.
# Installs numpy and scipy into a private virtual environment (target/peers-venv)
# and builds the steihaug binary; prints one Markdown table.
# Usage: benches/peers/run_scipy_cutest.sh [N]   (default N = 1000)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000}"
VENV=target/peers-venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
"$VENV/bin/python" -m pip install --quiet numpy scipy
cargo build --release --quiet
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
"$VENV/bin/python" benches/peers/cutest_scipy.py --n "$N" --steihaug target/release/steihaug
