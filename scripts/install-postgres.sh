#!/usr/bin/env bash
# Installs the PostgreSQL server (Debian's `postgresql` package) that the site's test suite
# also runs against: scripts/with-postgres.sh starts a private server of it for each run.
# Does nothing when a server is installed. Needs root (or sudo) for apt-get. The package's
# own cluster and service are not used.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "install-postgres: PostgreSQL already installed ($(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1))"
  exit 0
fi
apt_get_install install-postgres postgresql
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || { echo "install-postgres: initdb is still missing after installing postgresql" >&2; exit 1; }
