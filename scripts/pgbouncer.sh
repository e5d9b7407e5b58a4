#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of the local PostgreSQL (127.0.0.1:5432), for
# the tests (issue 19: the scenario set and the multi-process tests pass through it in .ci/run).
#   scripts/pgbouncer.sh start DIR PORT   writes DIR/pgbouncer.ini, starts it, waits until it answers
#   scripts/pgbouncer.sh stop DIR         stops the PgBouncer that `start DIR` started, by its PID
# Everything it writes is in DIR. PgBouncer refuses to run as root, so it runs as `postgres`.
set -euo pipefail
command=${1:?start or stop}
dir=${2:?a directory}

case "$command" in
  start)
    port=${3:?a port}
    mkdir -p "$dir"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
; Every database name goes to the local server: each test file has a database of its own.
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
; Many test processes, each with a pool of its own, share few server connections.
max_client_conn = 2000
default_pool_size = 10
max_db_connections = 10
; PostgreSQL here allows 100 connections; the direct connections of the tests need some.
max_user_connections = 60
server_idle_timeout = 5
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    echo '"postgres" ""' >"$dir/userlist.txt"
    chmod 755 "$dir"
    chown -R postgres "$dir"
    runuser -u postgres -- pgbouncer -d "$dir/pgbouncer.ini"
    for _ in $(seq 50); do
      pg_isready -q -h 127.0.0.1 -p "$port" && exit 0
      sleep 0.2
    done
    echo "pgbouncer did not answer on 127.0.0.1:$port" >&2
    cat "$dir/pgbouncer.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$dir/pgbouncer.pid" ]; then
      pid=$(cat "$dir/pgbouncer.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
