#!/usr/bin/env bash
# MPI part of CI (feature `mpi`), called by .ci/run.
#   .ci/mpi.sh install  — installs Open MPI and libclang with apt-get when
#                         missing (the `mpi` crate's bindings need both);
#   .ci/mpi.sh test     — runs the MPI tests under mpirun -n 1, 2, 3, each
#                         rank its own process, each run under a timeout.
set -euo pipefail
cd "$(dirname "$0")/.."

# As root in a container (Open MPI 4.x): allow root, allow more ranks than
# cores, no ssh launcher, no CMA single-copy (it can fail in containers).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_plm=isolated
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)

install() {
    if command -v mpicc >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1 \
        && ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1; then
        return 0
    fi
    echo "== installing Open MPI and libclang (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends openmpi-bin libopenmpi-dev libclang-dev pkgconf >/dev/null
}

fail=0
pass=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

run_tests() {
    echo "== MPI tests (feature mpi): the library under mpirun -n 1, 2, 3"
    local exe
    exe=$(cargo test -p steihaug --features mpi --test mpi --no-run 2>&1 \
        | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
    [ -x "$exe" ] || { echo "ci: no MPI test binary" >&2; exit 1; }
    for r in 1 2 3; do
        if timeout 300 "${MPIRUN[@]}" -n "$r" "$exe"; then ok "library, $r ranks"; else bad "library, $r ranks"; fi
    done

    echo "== MPI: steihaug train --mpi against single-process train (model bytes)"
    cargo build -p steihaug-cli --features mpi
    local tdir="${CARGO_TARGET_DIR:-target}" bin dir
    bin="$tdir/debug/steihaug"
    dir=$(mktemp -d)
    "$bin" gen-data --rows 4000 --cols 600 --nnz-per-row 15 --seed 3 -o "$dir/d.svm" >/dev/null
    for shards in default 5; do
        local extra=()
        [ "$shards" = default ] || extra=(--shards "$shards")
        "$bin" train "$dir/d.svm" -c 2 -e 0.001 "${extra[@]}" -o "$dir/single.model" --quiet >/dev/null
        for r in 1 2 3; do
            rm -f "$dir/mpi.model"
            if timeout 120 "${MPIRUN[@]}" -n "$r" "$bin" train "$dir/d.svm" --mpi -c 2 -e 0.001 \
                "${extra[@]}" --threads 1 -o "$dir/mpi.model" --quiet >/dev/null \
                && cmp -s "$dir/single.model" "$dir/mpi.model"; then
                ok "train --mpi, $r ranks, $shards shards: model bytes identical"
            else
                bad "train --mpi, $r ranks, $shards shards"
            fi
        done
    done
    local want got
    want=$("$bin" predict "$dir/d.svm" "$dir/single.model")
    got=$(timeout 120 "${MPIRUN[@]}" -n 3 "$bin" predict "$dir/d.svm" "$dir/single.model" --mpi)
    if [ "$want" = "$got" ]; then ok "predict --mpi, 3 ranks: $got"; else bad "predict --mpi: '$got' vs '$want'"; fi

    echo "== MPI: a malformed line in the last rank's part"
    cp "$dir/d.svm" "$dir/bad.svm"
    echo "+1 5:1 4:2" >>"$dir/bad.svm"
    # Exit status: mpirun ends the job at the first rank that exits non-zero.
    local status=0
    timeout 60 "${MPIRUN[@]}" -n 3 "$bin" train "$dir/bad.svm" --mpi -o "$dir/bad.model" \
        >/dev/null 2>&1 || status=$?
    # Every rank's message: without that abort, each rank prints its own.
    timeout 60 "${MPIRUN[@]}" --mca orte_abort_on_non_zero_status 0 -n 3 "$bin" train \
        "$dir/bad.svm" --mpi -o "$dir/bad.model" >"$dir/out" 2>"$dir/err" || true
    local lines distinct
    lines=$(grep -c '^steihaug: error:' "$dir/err" || true)
    distinct=$(grep '^steihaug: error:' "$dir/err" | sort -u | wc -l)
    if [ "$status" = 1 ] && [ "$lines" = 3 ] && [ "$distinct" = 1 ] && [ ! -e "$dir/bad.model" ]; then
        ok "malformed line: 3 ranks, one error, exit 1: $(grep -m1 '^steihaug: error:' "$dir/err")"
    else
        bad "malformed line: status $status, $lines error lines, $distinct distinct"
    fi

    echo "== MPI: a time limit ends every rank on the same iteration"
    status=0
    timeout 60 "${MPIRUN[@]}" -n 2 "$bin" train "$dir/d.svm" --mpi -e 1e-12 --max-time 0 \
        -o "$dir/t.model" --json >"$dir/t.json" 2>/dev/null || status=$?
    if [ "$status" = 3 ] && grep -q '"status": *"time_limit"' "$dir/t.json"; then
        ok "time limit: status time_limit, exit 3"
    else
        bad "time limit: status $status, $(head -c 200 "$dir/t.json")"
    fi

    echo "== MPI: the example (distributed least squares, 2 ranks)"
    cargo build -p steihaug --features mpi --example mpi_least_squares
    if timeout 120 "${MPIRUN[@]}" -n 2 "$tdir/debug/examples/mpi_least_squares"; then
        ok "example mpi_least_squares, 2 ranks"
    else
        bad "example mpi_least_squares"
    fi
    rm -rf "$dir"
    echo "mpi: $pass passed, $fail failed"
    [ "$fail" = 0 ]
}

case "${1:-}" in
    install) install ;;
    test) run_tests ;;
    *) echo "usage: .ci/mpi.sh install|test" >&2; exit 2 ;;
esac
