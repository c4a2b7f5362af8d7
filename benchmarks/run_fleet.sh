#!/usr/bin/env bash
# The fleet from the store: generates METERS electricity meters x a year of half-hourly readings straight into a
# SQLite database (benchmarks/fleet_gen), then measures what the issue's table asks, each with its command:
# bytes a reading of the file after VACUUM (indexes included), ingest from a batch, the monthly three-zone split
# of the whole fleet and one day's anomaly detection as whole processes (wall time and peak memory). Prints a
# table to paste. Nothing is asserted about time; every step must succeed (set -e), the day's detection must find
# exactly the generator's register faults, and the split must give
# 12 months x 5 rows (3 zones, the day group, the total) x METERS rows.
# usage: benchmarks/run_fleet.sh [METERS] (default 100000; CI runs 1000 as a smoke test). KEEP=1 keeps the
# temporary directory; THREADS (default 0: every core) is passed to the commands; BUILD names a configured build
# directory to use (default build/bench, configured Release when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
meters=${1:-100000}
threads=${THREADS:-0}
work=$(mktemp -d "${TMPDIR:-/tmp}/kvant-fleet.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
build=${BUILD:-build/bench}  # an existing build directory (with benchmarks on) is used as configured
[ -f "$build/CMakeCache.txt" ] ||
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_BENCHMARKS=ON -DKVANT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fleet_gen kvant_cli >/dev/null
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

gen_cmd=("$build/benchmarks/fleet_gen" "$db" --meters "$meters")
read -r gen_wall gen_kb < <(measure generate "${gen_cmd[@]}")
gen=$(cat "$work/generate.out")
readings=$(sed -E 's/.*readings=([0-9]+).*/\1/' <<<"$gen")
ingest=$(sed -E 's/.*ingest_per_s=([0-9.e+]+).*/\1/' <<<"$gen")
/usr/bin/python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('VACUUM'); c.close()" "$db"
bytes=$(stat -c %s "$db")

split_cmd=("$kvant" split --db "$db" --schedule three-zone --by month --threads "$threads" --quiet
           --out "$work/split.csv")
read -r split_wall split_kb < <(measure split "${split_cmd[@]}")
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
    "$detect_wall" "$detect_kb" "$(cat "$work/detect.out")" <<'PY'
import sys
m, n, size, ingest, gen_wall, sw, skb, dw, dkb, detect_out = sys.argv[1:]
m, n, size = int(m), int(n), int(size)
print(f"fleet: {m:,} meters, {n:,} readings ({n / m:,.0f} a meter); {detect_out.strip()}")
print("| what | measured | goal |")
print("| --- | --- | --- |")
print(f"| bytes a reading, SQLite file after VACUUM, indexes included | {size / n:.2f} ({size / 1e9:.2f} GB) | ≤ 3 (file ≤ 5 GB for 100,000 meters) |")
print(f"| ingest from a batch into SQLite | {float(ingest) / 1e6:.2f} M readings/s | ≥ 1.5 M/s |")
print(f"| monthly three-zone split of the fleet from the store (whole process) | {float(sw):.1f} s, peak {int(skb) / 1024:.0f} MB | < 60 s, < 2 GB |")
print(f"| anomaly detection for one day (whole process) | {float(dw):.1f} s, peak {int(dkb) / 1024:.0f} MB | < 60 s |")
PY
echo "commands:"
echo "  ${gen_cmd[*]}   (generation + ingest: ${gen_wall} s wall)"
echo "  ${split_cmd[*]}"
echo "  ${detect_cmd[*]}"
