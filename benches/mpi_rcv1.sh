#!/usr/bin/env bash
# Issue 15: one round of `train` on rcv1-shaped data, single process (1 and
# 2 threads) and under MPI (1 rank x 1 thread, 2 ranks x 1 thread, 1 rank x
# 2 threads): objective, Newton/CG iterations, products, solve and read
# time, bytes per reduction, peak RSS per rank; model files compared.
#
#   bash benches/mpi_rcv1.sh [DATA]
#
# Needs Open MPI (`.ci/mpi.sh install`). Builds the CLI with `--features mpi`
# (in $CARGO_TARGET_DIR or target/) and generates the data (~0.73 GB, under
# /work/data unless DATA is given) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-/work/data/rcv1s.svm}
cargo build --release -p steihaug-cli --features mpi
B="${CARGO_TARGET_DIR:-target}/release/steihaug"
if [ ! -f "$DATA" ]; then
    mkdir -p "$(dirname "$DATA")"
    "$B" gen-data --rows 677399 --cols 47236 --nnz-per-row 73.2 --seed 1 -o "$DATA"
fi
out=$(mktemp -d)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN=(mpirun --allow-run-as-root)
field() {
    python3 -c "import json; d=json.load(open('$1')); print(' '.join(f'{k}={d.get(k)}' for k in ['f','iterations','cg_iterations','hvps','solve_s','read_s','bytes_per_reduction']))"
}
run() { # name, command...
    local name=$1
    shift
    "$@" -o "$out/$name.model" --json >"$out/$name.json" 2>"$out/$name.err"
    echo "| $name | $(field "$out/$name.json") | $(grep -h rss_kb "$out/$name.err" | tr '\n' ' ') |"
}
echo "load before: $(cat /proc/loadavg)"
run single-t1 /usr/bin/time -f "rss_kb %M" "$B" train "$DATA" -c 1 -e 0.01 --threads 1
run single-t2 /usr/bin/time -f "rss_kb %M" "$B" train "$DATA" -c 1 -e 0.01 --threads 2
run mpi-r1-t1 "${MPIRUN[@]}" --bind-to none -n 1 /usr/bin/time -f "rss_kb %M" "$B" train "$DATA" --mpi -c 1 -e 0.01 --threads 1
run mpi-r2-t1 "${MPIRUN[@]}" --bind-to core -n 2 /usr/bin/time -f "rss_kb %M" "$B" train "$DATA" --mpi -c 1 -e 0.01 --threads 1
run mpi-r1-t2 "${MPIRUN[@]}" --bind-to none -n 1 /usr/bin/time -f "rss_kb %M" "$B" train "$DATA" --mpi -c 1 -e 0.01 --threads 2
for m in single-t2 mpi-r1-t1 mpi-r2-t1 mpi-r1-t2; do
    if cmp -s "$out/single-t1.model" "$out/$m.model"; then echo "model $m: identical to single-t1"; else echo "model $m: DIFFERS"; fi
done
echo "load after: $(cat /proc/loadavg)"
rm -rf "$out"
