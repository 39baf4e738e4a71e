#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests.
#
#   eval "$(.ci/postgres.sh start)"   # starts it, exports COMPLIANCE_TEST_PG_URL
#   .venv/bin/pytest tests/test_store*.py
#   .ci/postgres.sh stop              # stops it and deletes its data
#
# Settings (environment): PG_TEST_PORT (54329), PG_TEST_DIR (/tmp/compliance-pg),
# PG_TEST_DB (compliance_test), PG_BIN (the newest /usr/lib/postgresql/*/bin, else PATH).
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

PORT=${PG_TEST_PORT:-54329}
DIR=${PG_TEST_DIR:-/tmp/compliance-pg}
DB=${PG_TEST_DB:-compliance_test}
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
URL="postgresql+psycopg://postgres@127.0.0.1:${PORT}/${DB}"

say() { echo "postgres.sh: $*" >&2; }

# Run a PostgreSQL binary as the server's owner (postgres when we are root).
as_owner() {
    local tool=$1
    shift
    local exe=${BIN:+$BIN/}$tool
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$exe" "$@"
    else
        "$exe" "$@"
    fi
}

running() { as_owner pg_ctl -D "$DIR/data" status >/dev/null 2>&1; }

start() {
    if [ -d "$DIR/data" ] && running; then
        say "already running on port $PORT"
    else
        rm -rf "$DIR"
        mkdir -p "$DIR"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$DIR"
        as_owner initdb -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
            { cat "$DIR/initdb.log" >&2; exit 1; }
        # Loopback only, socket in our own folder, no fsync: a test server, not a real one.
        as_owner pg_ctl -D "$DIR/data" -l "$DIR/server.log" -w -t 30 start \
            -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" >&2 ||
            { cat "$DIR/server.log" >&2; exit 1; }
        as_owner createdb -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
        say "started on port $PORT (data in $DIR)"
    fi
    echo "export COMPLIANCE_TEST_PG_URL=$URL"
}

stop() {
    if [ -d "$DIR/data" ] && running; then
        as_owner pg_ctl -D "$DIR/data" -m fast -w stop >&2
    fi
    rm -rf "$DIR"
    say "stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "$URL" ;;
    *)
        echo "usage: $0 start|stop|url" >&2
        exit 2
        ;;
esac
