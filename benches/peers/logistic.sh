#!/usr/bin/env bash
# Side-by-side benchmark of `steihaug train` against LIBLINEAR 2.50 (-s 0) on
# rcv1-shaped synthetic data (677,399 x 47,236, ~49.6M nonzeros, seed 1).
#
#   bash benches/peers/logistic.sh [DATA]
#
# Installs liblinear-official and scikit-learn with pip into a virtual
# environment under $PEERS_VENV (default /tmp/steihaug-peers-venv), generates
# the data file (~0.73 GB) under $DATA_DIR (default /work/data, outside the
# repository) unless DATA exists, builds the release binary and prints the
# tables (see logistic_peers.py for what is timed).
# Environment: ROWS, COLS, NNZ, SEED to change the data; TIGHT for the tight
# tolerance (default 1e-5); REPS for the interleaved rounds at eps = 0.01
# (default 3); SKLEARN=0 to skip the scikit-learn row.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=${ROWS:-677399}
COLS=${COLS:-47236}
NNZ=${NNZ:-73.2}
SEED=${SEED:-1}
DATA_DIR=${DATA_DIR:-/work/data}
DATA=${1:-$DATA_DIR/rcv1-shaped-${ROWS}x${COLS}-seed${SEED}.svm}
VENV=${PEERS_VENV:-/tmp/steihaug-peers-venv}
TIGHT=${TIGHT:-1e-5}
REPS=${REPS:-3}
SKLEARN=${SKLEARN:-1}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q liblinear-official scikit-learn
"$VENV/bin/pip" list 2>/dev/null | grep -Ei "^(liblinear-official|scikit-learn|numpy|scipy) " || true

cargo build --release --bin steihaug
BIN="${CARGO_TARGET_DIR:-target}/release/steihaug"
if [ ! -f "$DATA" ]; then
    mkdir -p "$(dirname "$DATA")"
    "$BIN" gen-data --rows "$ROWS" --cols "$COLS" --nnz-per-row "$NNZ" --seed "$SEED" -o "$DATA"
fi

echo "== machine"
echo "nproc: $(nproc)"
grep -m1 "model name" /proc/cpuinfo || true
grep MemTotal /proc/meminfo || true
date -u
uptime

echo "== run"
EXTRA=()
if [ "$SKLEARN" = 0 ]; then EXTRA+=(--no-sklearn); fi
"$VENV/bin/python" benches/peers/logistic_peers.py "$DATA" "$BIN" --tight "$TIGHT" --reps "$REPS" "${EXTRA[@]}"
