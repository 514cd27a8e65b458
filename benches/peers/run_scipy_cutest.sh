#!/usr/bin/env bash
# SciPy trust-ncg and trust-krylov next to steihaug's trust region (Steihaug CG
# and GLTR) on the CUTEst-style collection.
# Installs numpy and scipy into a private virtual environment (target/peers-venv)
# and builds the steihaug binary; prints one Markdown table.
# Usage: benches/peers/run_scipy_cutest.sh [N] [cutest_scipy.py options...]
#   (default N = 1000), e.g.
#   benches/peers/run_scipy_cutest.sh 100000 --baseline /path/to/old/steihaug --defaults --timeout 90
# The binary is taken from $CARGO_TARGET_DIR (default target).
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000}"
shift || true
VENV=target/peers-venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
"$VENV/bin/python" -m pip install --quiet numpy scipy
cargo build --release --quiet -p steihaug-cli
BIN="${CARGO_TARGET_DIR:-target}/release/steihaug"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "steihaug $(git rev-parse --short HEAD)"
"$VENV/bin/python" benches/peers/cutest_scipy.py --n "$N" --steihaug "$BIN" "$@"
