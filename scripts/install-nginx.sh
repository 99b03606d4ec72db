#!/usr/bin/env bash
# Installs nginx (Debian's package) for the test of two `serve` nodes behind a reverse proxy
# (crates/because/tests/postgres.rs), which starts its own nginx on loopback with a
# configuration of its own. Does nothing when nginx is already installed. Needs root (or
# sudo) for apt-get. The package's own service is not used.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"
PATH="$PATH:/usr/sbin"
apt_install install-nginx nginx nginx-light
