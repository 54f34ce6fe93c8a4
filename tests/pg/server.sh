#!/bin/sh
# A private PostgreSQL server for the tests, never the machine's own:
# initdb in a temporary folder, as an unprivileged user (the `postgres`
# account Debian's package makes, when run as root), listening on a free
# port of 127.0.0.1 only, with a password for its `scorekit` user (so the
# tests go through PGPASSWORD as a team would).
#
#   tests/pg/server.sh start DIR   start it in DIR (made for it: the server
#                                  user must reach it); prints the store URL (no
#                                  password) and writes DIR/env, to source
#   tests/pg/server.sh stop DIR    stop it (fast) and remove DIR
#   tests/pg/server.sh kill DIR    kill -9 the postmaster (for fault tests)
#   tests/pg/server.sh restart DIR start it again on the same port
set -eu
cmd=$1
dir=$2
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || {
    echo "tests/pg/server.sh: PostgreSQL's initdb is missing: install it (./install-deps --tests, or apt-get install postgresql)" >&2
    exit 1
}
as() { # run as the unprivileged owner of the data
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_on() { # PORT: 0 when it started
    as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 -o "-p $1 -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40" start >/dev/null 2>&1
}
case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    printf 'sk-test-pw\n' >"$dir/pw"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pw"
    as "$bindir/initdb" -D "$dir/data" -U scorekit --pwfile="$dir/pw" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    tries=0
    while :; do
        port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
        if start_on "$port"; then break; fi
        tries=$((tries + 1))
        [ $tries -lt 10 ] || { cat "$dir/log" >&2; exit 1; }
    done
    echo "$port" >"$dir/port"
    as "$bindir/createdb" -h "$dir" -p "$port" -U scorekit scorekit
    url="postgres://scorekit@127.0.0.1:$port/scorekit"
    printf 'PGPASSWORD=sk-test-pw\nexport PGPASSWORD\nSK_PG_URL=%s\n' "$url" >"$dir/env"
    echo "$url"
    ;;
stop)
    [ -f "$dir/port" ] && as "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
kill)
    pid=$(head -1 "$dir/data/postmaster.pid")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    ;;
restart)
    # A killed postmaster leaves its children a moment and its pid file.
    sleep 0.5
    start_on "$(cat "$dir/port")" || { cat "$dir/log" >&2; exit 1; }
    ;;
esac
