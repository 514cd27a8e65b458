#!/usr/bin/env bash
# Side-by-side benchmark of `steihaug train` against LIBLINEAR 2.50 (-s 0) on
# rcv1-shaped synthetic data (677,399 x 47,236, ~49.6M nonzeros, seed 1).
#
#   bash benches/peers/logistic.sh [DATA]
#
# Installs liblinear-official and scikit-learn with pip into a virtual
# environment under $PEERS_VENV (default /tmp/steihaug-peers-venv), generates
# the data file (~0.75 GB) under /tmp unless DATA exists, builds the release
# binary and prints the table (see logistic_peers.py for what is timed).
# Environment: ROWS, COLS, NNZ, SEED to change the data; TIGHT for the tight
# tolerance (default 1e-5).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=${ROWS:-677399}
COLS=${COLS:-47236}
NNZ=${NNZ:-73.2}
SEED=${SEED:-1}
DATA=${1:-/tmp/rcv1-shaped-${ROWS}x${COLS}-seed${SEED}.svm}
VENV=${PEERS_VENV:-/tmp/steihaug-peers-venv}
TIGHT=${TIGHT:-1e-5}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q liblinear-official scikit-learn

cargo build --release --bin steihaug
BIN=target/release/steihaug
if [ ! -f "$DATA" ]; then
    "$BIN" gen-data --rows "$ROWS" --cols "$COLS" --nnz-per-row "$NNZ" --seed "$SEED" -o "$DATA"
fi

echo "== machine"
echo "nproc: $(nproc)"
grep -m1 "model name" /proc/cpuinfo || true
grep MemTotal /proc/meminfo || true
date -u
uptime

echo "== run"
"$VENV/bin/python" benches/peers/logistic_peers.py "$DATA" "$BIN" --tight "$TIGHT"
