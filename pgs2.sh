#!/usr/bin/env bash
# Test PostgreSQL servers of their own for the tests (issue 14; tests/README.md "Testing against PostgreSQL").
#
#   pg_servers.sh start DIR [N]   N servers (default 3) in DIR: DIR/server1 .. DIR/serverN (data directories),
#                                 DIR/serverK.log, DIR/serverK.conninfo (a URI with the password), DIR/serverK.port.
#                                 When the server binaries are absent: DIR/absent holds the reason, exit 0.
#   pg_servers.sh stop DIR        stops every server in DIR (fast, then immediate) and removes DIR.
#   pg_servers.sh restart DIR K [MODE]   pg_ctl restart -m MODE (default fast) of server K.
#   pg_servers.sh kill DIR K      SIGKILL to server K's postmaster (a crash), then pg_ctl start (crash recovery).
#
# Each server: Debian's postgresql binaries (KVANT_PG_BINDIR when set, else pg_config --bindir, else the newest
# /usr/lib/postgresql/*/bin), run as the `postgres` user through runuser when started by root (PostgreSQL refuses
# to run as root; DIR is then owned by postgres), listening on 127.0.0.1 only on a free port (a taken port is retried on another), its socket in DIR.
# Superuser `kvant` with a generated password (hex, 32 digits), scram-sha-256 for every host connection (so the
# tests can prove the password never appears in a message); the socket trusts local users (this script's pg_ctl).
#
# fsync = off (and no synchronous flush of the data files): the tests crash the *processes* (SIGKILL to a client or
# to the postmaster), never the machine. A killed process loses nothing the kernel already has: WAL written at
# commit is in the page cache and crash recovery replays it, so the kill test proves PostgreSQL's all-or-nothing
# without fsync. Only a power cut or kernel crash would need fsync. synchronous_commit stays on: a commit that
# returned has its WAL written (to the kernel) before the client hears of it.
set -euo pipefail

die() {
    echo "pg_servers.sh: $*" >&2
    exit 1
}

find_bindir() {
    local d
    # KVANT_PG_BINDIR names the binaries (a directory without them: the servers are absent)
    if [[ -n "${KVANT_PG_BINDIR:-}" ]]; then
        [[ -x "$KVANT_PG_BINDIR/initdb" && -x "$KVANT_PG_BINDIR/pg_ctl" ]] || return 1
        echo "$KVANT_PG_BINDIR"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            echo "$d"
            return 0
        fi
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# Runs a command as the server's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_one() { # DIR K BIN
    local dir=$1 k=$2 bin=$3
    local data="$dir/server$k" log="$dir/server$k.log" pass
    pass=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$pass" >"$dir/server$k.pw"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir/server$k.pw"
    as_owner "$bin/initdb" -D "$data" -U kvant --pwfile="$dir/server$k.pw" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 -N >"$dir/server$k.initdb.log" 2>&1 ||
        as_owner "$bin/initdb" -D "$data" -U kvant --pwfile="$dir/server$k.pw" -E UTF8 --locale=C \
            --auth-local=trust --auth-host=scram-sha-256 -N >"$dir/server$k.initdb.log" 2>&1 ||
        die "initdb of server $k failed: $(tail -5 "$dir/server$k.initdb.log")"
    rm -f "$dir/server$k.pw"
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF
# pg_servers.sh: settings for tests
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
full_page_writes = on
synchronous_commit = on
max_connections = 100
shared_buffers = 32MB
max_wal_size = 256MB
logging_collector = off
log_min_messages = warning
password_encryption = 'scram-sha-256'
EOF
    local tries port
    for tries in $(seq 1 30); do
        if [[ $tries -eq 1 ]]; then port=45677; else port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000)); fi
        : no check
        as_owner rm -f "$log" # this attempt's log only: the retry below reads it
        if as_owner "$bin/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
            echo "$port" >"$dir/server$k.port"
            printf 'postgresql://kvant:%s@127.0.0.1:%s/postgres\n' "$pass" "$port" >"$dir/server$k.conninfo"
            return 0
        fi
        # a port taken between the check and the bind: try another; anything else is fatal
        if ! grep -q -e "could not bind" -e "Address already in use" -e "could not create any TCP/IP sockets" \
            "$log" 2>/dev/null; then
            die "server $k did not start: $(tail -5 "$log" 2>/dev/null)"
        fi
        as_owner "$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
    done
    die "server $k: no free port after 30 tries"
}

stop_dir() { # DIR
    local dir=$1 bin data
    if [[ -L "$dir" ]]; then # servers in a directory of /tmp (see start)
        local real
        real=$(readlink -f "$dir")
        rm -f "$dir"
        [[ "$real" == /tmp/kvant-pg-* ]] && stop_dir "$real"
        return 0
    fi
    [[ -d "$dir" ]] || return 0
    if bin=$(find_bindir); then
        for data in "$dir"/server*; do
            [[ -d "$data" && -f "$data/PG_VERSION" ]] || continue
            [[ -f "$data/postmaster.pid" ]] || continue
            stop_data "$bin" "$data" &
        done
        wait
    fi
    rm -rf "$dir"
}

stop_data() { # BIN DATA
    local bin=$1 data=$2 pid
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 && return 0
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 && return 0
    # last resort: the postmaster's own pid (never a process by name)
    pid=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
    if [[ -n "$pid" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
}

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || die "usage: pg_servers.sh start DIR [N] | stop DIR | restart DIR K [MODE] | kill DIR K"
case "$dir" in
/*) ;;
*) dir="$(pwd)/$dir" ;;
esac

case "$cmd" in
start)
    n=${3:-3}
    [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "N must be 1..99"
    stop_dir "$dir" # servers left by an interrupted run
    mkdir -p "$dir"
    if ! bin=$(find_bindir); then
        if [[ -n "${KVANT_PG_BINDIR:-}" ]]; then
            echo "PostgreSQL server binaries (initdb, pg_ctl) not found in KVANT_PG_BINDIR=$KVANT_PG_BINDIR" >"$dir/absent"
        else
            echo "PostgreSQL server binaries (initdb, pg_ctl) not found: no pg_config --bindir, no /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)" >"$dir/absent"
        fi
        echo "pg_servers.sh: $(cat "$dir/absent")"
        exit 0
    fi
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        echo "running as root and there is no 'postgres' user to run the servers as" >"$dir/absent"
        echo "pg_servers.sh: $(cat "$dir/absent")"
        exit 0
    fi
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres "$dir"
        if ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
            # the postgres user cannot reach DIR (a checkout under /root): the servers live in a directory of
            # /tmp, DIR is a symbolic link to it
            rmdir "$dir"
            real=$(mktemp -d /tmp/kvant-pg-XXXXXX)
            ln -s "$real" "$dir"
            dir=$real
            chown postgres "$dir"
        fi
    fi
    chmod 0755 "$dir"
    for k in $(seq 1 "$n"); do
        if ! start_one "$dir" "$k" "$bin"; then
            stop_dir "$dir"
            exit 1
        fi
    done
    echo "$bin" >"$dir/bindir"
    for k in $(seq 1 "$n"); do echo "server $k: 127.0.0.1:$(cat "$dir/server$k.port") ($dir/server$k)"; done
    ;;
stop)
    stop_dir "$dir"
    ;;
restart | kill)
    k=${3:-}
    [[ -n "$k" && -d "$dir/server$k" ]] || die "no server $k in $dir"
    bin=$(cat "$dir/bindir")
    data="$dir/server$k"
    port=$(cat "$dir/server$k.port")
    if [[ "$cmd" == restart ]]; then
        as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server$k.log" -o "-p $port" -m "${4:-fast}" -w -t 60 \
            restart >/dev/null
    else
        # (the caller may have killed it already, at a moment of its choosing)
        pid=$(head -1 "$data/postmaster.pid")
        kill -KILL "$pid" 2>/dev/null || true
        # the children notice the postmaster's death and exit; start refuses while they hold shared memory
        for _ in $(seq 1 200); do
            as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server$k.log" -o "-p $port" -w -t 60 start \
                >/dev/null 2>&1 && exit 0
            sleep 0.05
        done
        die "server $k did not start again after SIGKILL: $(tail -5 "$dir/server$k.log")"
    fi
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
