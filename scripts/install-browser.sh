#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver (Debian's `chromium` and `chromium-driver`)
# for the browser test of the feedback widget and the dashboard. Does nothing when
# chromedriver is already on PATH. Needs root (or sudo) for apt-get.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"
apt_install install-browser chromedriver chromium chromium-driver
