#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver (Debian's `chromium` and `chromium-driver`)
# for the browser test of the feedback widget and the dashboard. Does nothing when
# chromedriver is already on PATH. Needs root (or sudo) for apt-get.
set -euo pipefail

die() { echo "install-browser: $*" >&2; exit 1; }

if command -v chromedriver >/dev/null 2>&1; then
  echo "install-browser: chromedriver already installed ($(command -v chromedriver))"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 \
  || die "apt-get not found: install Chromium and chromedriver with your package manager"
if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  die "installing chromium and chromium-driver needs root: run this script as root"
fi
echo "install-browser: installing chromium and chromium-driver with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || die "apt-get update failed: is the package mirror reachable?"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver \
  || die "apt-get could not install chromium and chromium-driver"
command -v chromedriver >/dev/null 2>&1 || die "chromedriver is still not on PATH"
