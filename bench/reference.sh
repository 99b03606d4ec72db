#!/usr/bin/env bash
# Runs the reference implementation of the embedding benchmark (bench/reference_embed.py:
# sentence-transformers on PyTorch, CPU) in a throwaway virtual environment, installing it
# first if needed from bench/reference-requirements.txt (exact versions, sha256 hashes).
# Called by because-bench; the product never needs Python.
#
# usage: bench/reference.sh MODEL_DIR SENTENCES_FILE THREADS ROUNDS OUT_JSON
# The environment lives in $BECAUSE_REFERENCE_VENV (default bench-data/reference-venv, about
# 6 GB: PyTorch's wheel brings its CUDA libraries even though the benchmark uses the CPU).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
venv=${BECAUSE_REFERENCE_VENV:-"$here/../bench-data/reference-venv"}
python=${PYTHON:-python3}
requirements="$here/reference-requirements.txt"

die() { echo "reference: $*" >&2; exit 1; }
[ $# -eq 5 ] || die "usage: $0 MODEL_DIR SENTENCES_FILE THREADS ROUNDS OUT_JSON"

stamp="$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || die "the pinned wheels are for CPython 3.11; set PYTHON to a python3.11"
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "cannot create a virtual environment (install python3-venv)"
  echo "reference: installing sentence-transformers and PyTorch into $venv (about 3 GB to download)" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
    -r "$requirements" || die "pip could not install $requirements"
  touch "$stamp"
fi

# One process, pinned to the thread count asked for, with no competing thread pools.
export OMP_NUM_THREADS=$3 MKL_NUM_THREADS=$3 TOKENIZERS_PARALLELISM=false
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec "$venv/bin/python" -W ignore "$here/reference_embed.py" "$@"
