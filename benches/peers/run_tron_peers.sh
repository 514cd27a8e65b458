#!/usr/bin/env bash
# steihaug TRON vs SciPy L-BFGS-B and PETSc/TAO tron/bntr on the bounded
# MINPACK-2 grids, in the same run.
#
# Usage: benches/peers/run_tron_peers.sh [GRID ...]   (default 100 250)
#        PROBLEMS="ept-bound pjb-bound" TOL=1e-6 TAO_KINDS=tron,bntr to choose;
#        OURS_ARGS="--hessian assembled --precond ic0" for steihaug's options.
# Installs numpy+scipy with pip into a venv with access to the system site
# packages (target/peers-venv-tron, or $PEER_VENV), and
# python3-petsc4py-real with apt-get when it is missing (needs root);
# builds steihaug in release mode.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PEER_VENV:-$here/../../target/peers-venv-tron}"
grids=("$@")
[ ${#grids[@]} -eq 0 ] && grids=(100 250)
export PETSC_DIR="${PETSC_DIR:-/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real}"
if ! /usr/bin/python3 -c "import petsc4py" 2>/dev/null; then
  apt-get install -y python3-petsc4py-real python3-numpy >/dev/null
fi
if [ ! -x "$venv/bin/python" ]; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install --quiet "scipy<1.12"  # keeps the system numpy that petsc4py was built with
fi
py="$venv/bin/python"
(cd "$root" && cargo build --release --quiet --bin steihaug)
bin="${CARGO_TARGET_DIR:-$root/target}/release/steihaug"
"$py" -c 'import numpy, scipy, petsc4py, sys; print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, petsc4py {petsc4py.__version__}")'
echo "commit $(cd "$root" && git rev-parse --short HEAD); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for grid in "${grids[@]}"; do
  # shellcheck disable=SC2086
  "$py" "$here/tron_peers.py" "$bin" "$grid" ${PROBLEMS:-} --tol "${TOL:-1e-6}" --tao-kinds "${TAO_KINDS:-tron,bntr}" --ours-args "${OURS_ARGS:-}"
done
