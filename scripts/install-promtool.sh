#!/usr/bin/env bash
# Installs promtool (Debian's `prometheus` package) for the test that checks the server's
# /metrics with `promtool check metrics`. Does nothing when promtool is already on PATH.
# Needs root (or sudo) for apt-get. The package's own service is not started.
set -euo pipefail

die() { echo "install-promtool: $*" >&2; exit 1; }

if command -v promtool >/dev/null 2>&1; then
  echo "install-promtool: promtool already installed ($(command -v promtool))"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 \
  || die "apt-get not found: install Prometheus's promtool with your package manager"
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  die "installing prometheus needs root: run this script as root"
fi
echo "install-promtool: installing prometheus (for promtool) with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || die "apt-get update failed: is the package mirror reachable?"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus \
  || die "apt-get could not install prometheus"
command -v promtool >/dev/null 2>&1 || die "promtool is still not on PATH"
