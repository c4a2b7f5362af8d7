#!/usr/bin/env bash
# The fleet from the store: generates METERS electricity meters x a year of half-hourly readings straight into a
# SQLite database (benchmarks/fleet_gen), then measures what the issue's table asks, each with its command:
# bytes a reading of the file after VACUUM (indexes included), ingest from a batch, the monthly three-zone split
# of the whole fleet and one day's anomaly detection as whole processes (wall time and peak memory). Prints a
# table to paste. Nothing is asserted about time; every step must succeed (set -e), the day's detection must find
# exactly the generator's register faults, and the split must give
# 12 months x 5 rows (3 zones, the day group, the total) x METERS rows.
#
# With PostgreSQL (--db URI, or --pg-servers) the same fleet also goes into PostgreSQL (ingest through COPY),
# then over the three-server postgres_fdw layout (postgres_store::distribute: the readings partitions on two
# shard servers, ingest through the coordinator), and the split is run from each: from PostgreSQL, from the
# coordinator (everything through its foreign tables) and from the shards directly (--shard-reads direct). A
# byte-counting proxy (benchmarks/byte_proxy) stands in front of each shard, so the bytes moved between the
# servers are counted both ways. Every split CSV must equal SQLite's byte for byte (a mismatch fails the run).
#
# usage: benchmarks/run_fleet.sh [METERS] [--db URI [--shard URI --shard URI]] [--pg-servers]
#   METERS        default 100000; CI runs 1000 as a smoke test
#   --db URI      a PostgreSQL server given by the user (a URI of any database on it, e.g.
#                 postgresql://kvant@127.0.0.1:5432/postgres, by a role that may create databases): the script
#                 creates its databases there (kvant_fleet_*) and drops them at the end
#   --shard URI   a shard server for the postgres_fdw layout (give two; default: two more databases on the --db
#                 server itself, which still moves every byte through postgres_fdw and the proxies)
#   --pg-servers  start three servers of our own with tests/pg/pg_servers.sh (server 1 the coordinator)
# Environment: RUNS (default 3) runs of each split, the median reported; FDW=0 leaves out the postgres_fdw
# layout; KEEP=1 keeps the temporary directory
# and the databases; THREADS (default 0: every core) is passed to the commands; BUILD names a configured build
# directory (default build/bench, configured Release when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
meters=100000
pg_uri=""
shards=()
own_servers=0
pgdir=""
while [ $# -gt 0 ]; do
    case $1 in
        --db) pg_uri=$2; shift 2 ;;
        --shard) shards+=("$2"); shift 2 ;;
        --pg-servers) own_servers=1; shift ;;
        [0-9]*) meters=$1; shift ;;
        *) echo "run_fleet: unknown argument $1 (see the usage at the top of the script)" >&2; exit 2 ;;
    esac
done
if [ ${#shards[@]} -ne 0 ] && [ ${#shards[@]} -ne 2 ]; then
    echo "run_fleet: give two --shard servers (or none)" >&2
    exit 2
fi
threads=${THREADS:-0}
runs=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/kvant-fleet.XXXXXX")
cleanup_steps=()
cleanup() {
    local i
    for ((i = ${#cleanup_steps[@]} - 1; i >= 0; i--)); do eval "${cleanup_steps[i]}" || true; done
    [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
build=${BUILD:-build/bench}  # an existing build directory (with benchmarks on) is used as configured
[ -f "$build/CMakeCache.txt" ] ||
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_BENCHMARKS=ON -DKVANT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fleet_gen byte_proxy kvant_cli >/dev/null
kvant=$build/kvant
db=$work/fleet.db
measure() {  # measure NAME CMD...: wall seconds and peak RSS (KB) of one whole process
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
        echo "run_fleet: $name failed:" >&2
        cat "$work/$name.err" >&2
        exit 1
    }
    read -r wall kb <"$work/$name.time"
    printf '%s %s\n' "$wall" "$kb"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# split NAME DB [OPTIONS...]: the split RUNS times as whole processes; prints the median wall seconds and the
# largest peak RSS (KB); the CSV is $work/NAME.csv (every run's must be the same)
split_runs() {
    local name=$1 where=$2
    shift 2
    local walls=() kb_max=0 i wall kb
    for ((i = 1; i <= runs; i++)); do
        read -r wall kb < <(measure "$name.$i" "$kvant" split --db "$where" --schedule three-zone --by month \
            --threads "$threads" --quiet --out "$work/$name.$i.csv" "$@")
        walls+=("$wall")
        [ "$kb" -gt "$kb_max" ] && kb_max=$kb
        if [ "$i" -gt 1 ]; then
            cmp -s "$work/$name.1.csv" "$work/$name.$i.csv" || {
                echo "run_fleet: $name: run $i gave another CSV than run 1" >&2
                exit 1
            }
            rm -f "$work/$name.$i.csv"
        fi
    done
    mv "$work/$name.1.csv" "$work/$name.csv"
    printf '%s %s\n' "$(median "${walls[@]}")" "$kb_max"
}

gen_cmd=("$build/benchmarks/fleet_gen" "$db" --meters "$meters")
read -r gen_wall gen_kb < <(measure generate "${gen_cmd[@]}")
gen=$(cat "$work/generate.out")
readings=$(sed -E 's/.*readings=([0-9]+).*/\1/' <<<"$gen")
ingest=$(sed -E 's/.*ingest_per_s=([0-9.e+]+).*/\1/' <<<"$gen")
/usr/bin/python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('VACUUM'); c.close()" "$db"
bytes=$(stat -c %s "$db")

split_cmd=("$kvant" split --db "$db" --schedule three-zone --by month --threads "$threads" --quiet
           --out "$work/split.csv")
read -r split_wall split_kb < <(split_runs split "$db")
rows=$(($(wc -l <"$work/split.csv") - 1))
[ "$rows" -eq $((meters * 12 * 5)) ] || {  # night, peak, semi-peak, the day group and the total
    echo "run_fleet: the split gave $rows rows, expected $((meters * 12 * 5))" >&2
    exit 1
}
detect_cmd=("$kvant" anomalies detect --db "$db" --at 2025-12-31T21:00:00Z --days 1 --threads "$threads" --quiet)
read -r detect_wall detect_kb < <(measure detect "${detect_cmd[@]}")
# the generator's register faults (one meter in a thousand, in the last day) are what the day's detection finds
faults=$(sed -E 's/.*faults=([0-9]+).*/\1/' <<<"$gen")
found=$(sed -E 's/^found ([0-9]+) anomalies.*/\1/' "$work/detect.out")
[ "$found" -eq "$faults" ] || {
    echo "run_fleet: anomalies detect found $found anomalies, the generator made $faults register faults" >&2
    cat "$work/detect.out" >&2
    exit 1
}

/usr/bin/python3 - "$meters" "$readings" "$bytes" "$ingest" "$gen_wall" "$split_wall" "$split_kb" \
    "$detect_wall" "$detect_kb" "$(cat "$work/detect.out")" "$runs" <<'PY'
import sys
m, n, size, ingest, gen_wall, sw, skb, dw, dkb, detect_out, runs = sys.argv[1:]
m, n, size = int(m), int(n), int(size)
print(f"fleet: {m:,} meters, {n:,} readings ({n / m:,.0f} a meter); {detect_out.strip()}")
print("| what | measured | goal |")
print("| --- | --- | --- |")
print(f"| bytes a reading, SQLite file after VACUUM, indexes included | {size / n:.2f} ({size / 1e9:.2f} GB) | ≤ 3 (file ≤ 5 GB for 100,000 meters) |")
print(f"| ingest from a batch into SQLite | {float(ingest) / 1e6:.2f} M readings/s | ≥ 1.5 M/s |")
print(f"| monthly three-zone split of the fleet from the store (whole process, median of {runs}) | {float(sw):.1f} s, peak {int(skb) / 1024:.0f} MB | < 60 s, < 2 GB |")
print(f"| anomaly detection for one day (whole process) | {float(dw):.1f} s, peak {int(dkb) / 1024:.0f} MB | < 60 s |")
PY
echo "commands:"
echo "  ${gen_cmd[*]}   (generation + ingest: ${gen_wall} s wall)"
echo "  ${split_cmd[*]}   (x $runs)"
echo "  ${detect_cmd[*]}"

[ -n "$pg_uri" ] || [ "$own_servers" = 1 ] || exit 0

# ---- PostgreSQL: one server, then the three-server postgres_fdw layout
psql=$(command -v psql || ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1 || true)
[ -x "$psql" ] || { echo "run_fleet: no psql (Debian: postgresql-client)" >&2; exit 1; }
if [ "$own_servers" = 1 ]; then
    [ -f tests/pg/pg_servers.sh ] || { echo "run_fleet: --pg-servers needs tests/pg/pg_servers.sh" >&2; exit 1; }
    # the servers' directory: its parents must let the postgres user in (pg_servers.sh runs them as postgres
    # when we are root), so not under the private $work
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/kvant-fleet-pg.XXXXXX")
    chmod 755 "$pgdir"
    cleanup_steps+=("rm -rf '$pgdir'")
    bash tests/pg/pg_servers.sh start "$pgdir/pg" 3 >/dev/null
    cleanup_steps+=("bash tests/pg/pg_servers.sh stop '$pgdir/pg' >/dev/null")
    if [ -f "$pgdir/pg/absent" ]; then
        echo "run_fleet: --pg-servers: $(cat "$pgdir/pg/absent")" >&2
        exit 1
    fi
    pg_uri=$(cat "$pgdir/pg/server1.conninfo")
    shards=("$(cat "$pgdir/pg/server2.conninfo")" "$(cat "$pgdir/pg/server3.conninfo")")
fi
[ ${#shards[@]} -eq 2 ] || shards=("$pg_uri" "$pg_uri")
# uri URI [DBNAME [HOST PORT]]: the URI with its database (and host and port) replaced; with DBNAME "-" the
# field printed instead: host or port
uri() {
    /usr/bin/python3 - "$@" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
if len(sys.argv) > 2 and sys.argv[2] == "-":
    print(u.hostname if sys.argv[3] == "host" else (u.port or 5432))
    sys.exit()
netloc = u.netloc
if len(sys.argv) > 4:
    auth = netloc.rpartition("@")[0]
    netloc = (auth + "@" if auth else "") + f"{sys.argv[3]}:{sys.argv[4]}"
print(urllib.parse.urlunsplit(u._replace(netloc=netloc, path="/" + sys.argv[2] if len(sys.argv) > 2 else u.path)))
PY
}
case $pg_uri in postgresql://* | postgres://*) ;; *) echo "run_fleet: --db takes a postgresql:// URI" >&2; exit 2 ;; esac
sql() { "$psql" -X -q -v ON_ERROR_STOP=1 -At -d "$1" -c "$2"; }
tag=kvant_fleet_$$
mkdb() {  # mkdb URI NAME: a fresh database NAME on URI's server, dropped at the end; its URI in $made
    sql "$1" "CREATE DATABASE $2" >/dev/null
    [ "${KEEP:-0}" = 1 ] || cleanup_steps+=("sql '$1' 'DROP DATABASE IF EXISTS $2 WITH (FORCE)' >/dev/null")
    made=$(uri "$1" "$2")
}
# bytes of the readings partitions and the series table on a database: table + indexes + TOAST, after VACUUM
stored_bytes() {
    sql "$1" "VACUUM ANALYZE" >/dev/null
    sql "$1" "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON
              n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' AND
              (c.relname ~ '^readings_p[0-9]+$' OR c.relname = 'series')"
}
same_csv() {  # same_csv NAME: NAME's split CSV equals SQLite's, byte for byte
    cmp -s "$work/split.csv" "$work/$1.csv" || {
        echo "run_fleet: the split from $1 differs from SQLite's:" >&2
        diff "$work/split.csv" "$work/$1.csv" | head -5 >&2
        exit 1
    }
}

mkdb "$pg_uri" "${tag}_one"
pg=$made
pg_gen_cmd=("$build/benchmarks/fleet_gen" "$pg" --meters "$meters")
read -r pg_gen_wall _ < <(measure pg_generate "${pg_gen_cmd[@]}")
pg_gen=$(cat "$work/pg_generate.out")
pg_readings=$(sed -E 's/.*readings=([0-9]+).*/\1/' <<<"$pg_gen")
pg_ingest=$(sed -E 's/.*ingest_per_s=([0-9.e+]+).*/\1/' <<<"$pg_gen")
[ "$pg_readings" -eq "$readings" ] || { echo "run_fleet: PostgreSQL got $pg_readings readings" >&2; exit 1; }
pg_bytes=$(stored_bytes "$pg")
read -r pg_split_wall pg_split_kb < <(split_runs pg_split "$pg")
same_csv pg_split

/usr/bin/python3 - "$readings" "$pg_bytes" "$pg_ingest" "$pg_split_wall" "$pg_split_kb" "$split_wall" "$runs" <<'PY'
import sys
n, pgb, pgi, pgw, pgkb, sw, runs = sys.argv[1:]
n = int(n)
print()
print("| PostgreSQL | measured | goal |")
print("| --- | --- | --- |")
print(f"| bytes a reading, readings partitions + series (table + indexes + TOAST, after VACUUM) | {int(pgb) / n:.2f} ({int(pgb) / 1e9:.2f} GB) | |")
print(f"| ingest from a batch through COPY | {float(pgi) / 1e6:.2f} M readings/s | ≥ 0.5 M/s |")
print(f"| monthly three-zone split from PostgreSQL (whole process, median of {runs}) | {float(pgw):.1f} s, peak {int(pgkb) / 1024:.0f} MB; {float(pgw) / float(sw):.2f}× SQLite's {float(sw):.1f} s | ≤ 2× SQLite |")
print("the split CSV from PostgreSQL equals SQLite's byte for byte")
PY
if [ "${FDW:-1}" = 0 ]; then  # FDW=0: one PostgreSQL server only
    echo "  ${pg_gen_cmd[*]}   (generation + ingest: ${pg_gen_wall} s wall)" | sed -E 's#(://[^:/@ ]+):[^@ ]*@#\1:***@#g'
    exit 0
fi

# the fdw layout: a coordinator database on the --db server, a shard database on each shard server, reached
# by the coordinator (and the direct reader) through a byte_proxy each
mkdb "$pg_uri" "${tag}_coord"
coord=$made
proxied=()
for k in 1 2; do
    mkdb "${shards[k - 1]}" "${tag}_shard$k"
    shard=$made
    "$build/benchmarks/byte_proxy" "$(uri "$shard" - host)" "$(uri "$shard" - port)" "$work/proxy$k.stats" \
        >"$work/proxy$k.port" &
    cleanup_steps+=("kill $!")
    for ((tries = 0; tries < 100; tries++)); do [ -s "$work/proxy$k.port" ] && break; sleep 0.05; done
    read -r port <"$work/proxy$k.port"
    proxied+=("$(uri "$shard" "${tag}_shard$k" 127.0.0.1 "$port")")
done
# proxy_bytes: the bytes both proxies moved so far, "to_shards from_shards", once no connection is open
proxy_bytes() {
    local k up=0 down=0 line tries
    for k in 1 2; do
        for ((tries = 0; tries < 100; tries++)); do
            line=$(cat "$work/proxy$k.stats")
            [[ $line == *" active=0 "* ]] && break
            sleep 0.1
        done
        up=$((up + $(sed -E 's/.*to_upstream=([0-9]+).*/\1/' <<<"$line")))
        down=$((down + $(sed -E 's/.*from_upstream=([0-9]+).*/\1/' <<<"$line")))
    done
    echo "$up $down"
}
read -r up0 down0 < <(proxy_bytes)
fdw_gen_cmd=("$build/benchmarks/fleet_gen" "$coord" --meters "$meters" --shard "${proxied[0]}" --shard "${proxied[1]}")
read -r fdw_gen_wall _ < <(measure fdw_generate "${fdw_gen_cmd[@]}")
read -r up1 down1 < <(proxy_bytes)
fdw_gen=$(cat "$work/fdw_generate.out")
fdw_ingest=$(sed -E 's/.*ingest_per_s=([0-9.e+]+).*/\1/' <<<"$fdw_gen")
fdw_bytes=$(($(stored_bytes "$coord") + $(stored_bytes "$(uri "${shards[0]}" "${tag}_shard1")") +
    $(stored_bytes "$(uri "${shards[1]}" "${tag}_shard2")")))
read -r up2 down2 < <(proxy_bytes)
read -r coord_wall coord_kb < <(split_runs fdw_coordinator "$coord" --shard-reads coordinator)
read -r up3 down3 < <(proxy_bytes)
same_csv fdw_coordinator
read -r direct_wall direct_kb < <(split_runs fdw_direct "$coord" --shard-reads direct)
read -r up4 down4 < <(proxy_bytes)
same_csv fdw_direct
"$kvant" init --db "$coord" >"$work/layout.txt"

/usr/bin/python3 - "$readings" "$fdw_ingest" "$fdw_bytes" "$coord_wall" "$coord_kb" "$direct_wall" "$direct_kb" "$runs" \
    $((up1 - up0)) $((down1 - down0)) $((up3 - up2)) $((down3 - down2)) $((up4 - up3)) $((down4 - down3)) <<'PY'
import sys
(n, fi, fb, cw, ckb, dw, dkb, runs, gu, gd, cu, cd, du, dd) = sys.argv[1:]
n, runs = int(n), int(runs)
mb = lambda b: f"{int(b) / 1e6:,.1f} MB"
per_run = lambda b: f"{int(b) / runs / 1e6:,.1f} MB"
print()
print("| postgres_fdw, 3 servers | measured | goal |")
print("| --- | --- | --- |")
print(f"| postgres_fdw, 3 servers: ingest through the coordinator | {float(fi) / 1e6:.2f} M readings/s; to the shards {mb(gu)}, back {mb(gd)} | |")
print(f"| postgres_fdw: bytes a reading on all three servers | {int(fb) / n:.2f} | |")
print(f"| postgres_fdw: split read through the coordinator (median of {runs}) | {float(cw):.1f} s, peak {int(ckb) / 1024:.0f} MB; a run: to the shards {per_run(cu)}, back {per_run(cd)} | |")
print(f"| postgres_fdw: split reading the shards directly, in parallel (median of {runs}) | {float(dw):.1f} s, peak {int(dkb) / 1024:.0f} MB; a run: to the shards {per_run(du)}, back {per_run(dd)} | |")
print("every split CSV (PostgreSQL, coordinator, direct) equals SQLite's byte for byte")
PY
echo "layout (kvant init --db COORDINATOR):"
sed 's/^/  /' "$work/layout.txt"
echo "commands (passwords shown as ***; the shards through byte_proxy ports):"
{
    echo "  ${pg_gen_cmd[*]}   (generation + ingest: ${pg_gen_wall} s wall)"
    echo "  $kvant split --db $pg --schedule three-zone --by month --threads $threads --quiet --out SPLIT.csv   (x $runs)"
    echo "  ${fdw_gen_cmd[*]}   (${fdw_gen_wall} s wall)"
    echo "  $kvant split --db $coord ... --shard-reads coordinator   (x $runs)"
    echo "  $kvant split --db $coord ... --shard-reads direct   (x $runs)"
} | sed -E 's#(://[^:/@ ]+):[^@ ]*@#\1:***@#g'
if [ -n "$pgdir" ]; then
    echo "servers: tests/pg/pg_servers.sh ($(sed -E 's/.*(PostgreSQL [0-9.]+).*/\1/' <<<"$(sql "$pg_uri" "SELECT version()")"), fsync $(sql "$pg_uri" "SHOW fsync"), shared_buffers $(sql "$pg_uri" "SHOW shared_buffers"))"
fi
