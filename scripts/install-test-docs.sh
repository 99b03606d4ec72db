#!/usr/bin/env bash
# Installs the Debian packages whose documentation the ingest tests read as real documents:
# libffi-dev (libffi's manual as texinfo HTML pages, each with a navigation header) and
# libtasn1-doc (libtasn1's manual as a PDF). Does nothing when the files are there. Needs root
# (or sudo) for apt-get.
set -euo pipefail

need=(/usr/share/doc/libffi8/html/The-Basics.html /usr/share/doc/libtasn1-doc/libtasn1.pdf)
packages=(libffi-dev libtasn1-doc)

missing=0
for file in "${need[@]}"; do [ -f "$file" ] || missing=1; done
if [ $missing = 0 ]; then
  echo "install-test-docs: documentation already installed"
  exit 0
fi
die() { echo "install-test-docs: $*" >&2; exit 1; }
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install ${packages[*]} with your package manager"
sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "installing ${packages[*]} needs root: run this script as root"
  sudo=(sudo)
fi
echo "install-test-docs: installing ${packages[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || die "apt-get update failed: is the package mirror reachable?"
# Documentation may be excluded by dpkg's path filters (minimal images): include it for these.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" \
  || die "apt-get could not install ${packages[*]}"
for file in "${need[@]}"; do
  [ -f "$file" ] || die "$file is still missing (is /usr/share/doc excluded by a dpkg path filter?)"
done
