#!/usr/bin/env bash
# A private PostgreSQL 15 server for the tests, on loopback only.
#   pg-test-server.sh start DIR [PORT]   initialises DIR if needed, starts the
#                                         server, prints its URL
#   pg-test-server.sh stop DIR           stops it
# As root the server runs as the 'postgres' system user the Debian package
# creates (PostgreSQL refuses to run as root).
set -euo pipefail
cmd=${1:?start|stop} dir=${2:?directory} port=${3:-55432}
bin=/usr/lib/postgresql/15/bin
as_owner() {
  # From /: the postgres user may not be allowed into the caller's directory.
  if [[ $(id -u) -eq 0 ]]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi
}
case $cmd in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      as_owner "$bin/initdb -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
    fi
    if ! as_owner "$bin/pg_ctl -D '$dir/data' status" >/dev/null 2>&1; then
      # Durability settings are off: these servers hold throwaway test data.
      as_owner "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 60 start -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\"" >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [[ -f $dir/data/PG_VERSION ]]; then
      as_owner "$bin/pg_ctl -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    fi
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
