#!/usr/bin/env bash
# Runs COMMAND... beside a private PostgreSQL server: a new cluster (initdb) in a temporary
# folder, listening on a free loopback port and nowhere else, stopped and deleted when
# COMMAND ends. COMMAND sees BECAUSE_TEST_DATABASE_URL, the server's address; the site's
# tests then store in PostgreSQL (each test in a database of its own) instead of SQLite.
# BECAUSE_TEST_POSTGRES_RESTART names a script that restarts the server (fast shutdown, then
# start), for the test of votes through a database restart.
#   scripts/with-postgres.sh cargo test -p site
# Needs Debian's postgresql package (scripts/install-postgres.sh). As root, the server runs
# as the `postgres` user, since PostgreSQL refuses to run as root.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: no PostgreSQL server found; install it with scripts/install-postgres.sh" >&2
  exit 1
fi
dir=$(mktemp -d -t because-postgres.XXXXXX)
owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  owner=(runuser -u postgres --)
fi
stop() {
  "${owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${owner[@]}" "$bindir/initdb" -D "$dir/data" -U because -A trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"${owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
restart="$dir/restart-server"
cat >"$restart" <<SCRIPT
#!/usr/bin/env bash
exec ${owner[*]} "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null
SCRIPT
chmod 755 "$restart"
export BECAUSE_TEST_POSTGRES_RESTART="$restart"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
export BECAUSE_TEST_DATABASE_URL="postgres://because@127.0.0.1:$port/postgres"
"$@"
