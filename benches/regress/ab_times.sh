#!/usr/bin/env bash
# A/B of two steihaug CLI binaries: the same solves, alternating, wall time
# of each whole command and its status, iterations, products and f.
# Usage: benches/regress/ab_times.sh OLD_BINARY NEW_BINARY [ROUNDS]  (default 3)
#        CASES=$'solve ...\nsolve ...' to run other commands (one per line).
set -euo pipefail
a=$1; b=$2; rounds=${3:-3}
out=$(mktemp); trap 'rm -f "$out"' EXIT
cases=(
 "solve --problem ept-bound --nx 500 --ny 500 --solver tron --gtol 1e-6 --gtol-abs 0"
 "solve --problem dssc-c --nx 500 --ny 500 --solver tron --gtol 1e-6 --gtol-abs 0"
 "solve --problem ssc --nx 500 --ny 500"
 "solve --problem ept --nx 316 --ny 316"
 "solve --problem dixmaane --n 99999"
 "solve --problem ssc --nx 1000 --ny 1000"
)
if [ -n "${CASES:-}" ]; then mapfile -t cases <<< "$CASES"; fi
for c in "${cases[@]}"; do
  for r in $(seq $rounds); do
    for bin in $a $b; do
      s=$(date +%s.%N); $bin $c --json --quiet > "$out" || true; e=$(date +%s.%N)
      info=$(python3 -c "import json,sys;r=json.load(open(sys.argv[1]));print(r['status'],r['iterations'],r['hvps'],repr(r['f']))" "$out")
      printf "%-70s %-28s %7.2f  %s\n" "$c" "$(basename $bin)" "$(echo "$e - $s" | bc)" "$info"
    done
  done
done
