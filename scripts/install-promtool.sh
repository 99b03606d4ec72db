#!/usr/bin/env bash
# Installs promtool (Debian's `prometheus` package) for the test that checks the server's
# /metrics with `promtool check metrics`. Does nothing when promtool is already on PATH.
# Needs root (or sudo) for apt-get. The package's own service is not started.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"
apt_install install-promtool promtool prometheus
