#!/usr/bin/env bash
# DLMS/COSEM load profiles (issue 13): a conversation reading MONTHS month-long 30-minute profile buffers
# (СПОДЭС 1.0.99.1.0.255: 48 × 30 captures of clock, A+, A−, R+, R−; benchmarks/dlms_profile.py says what is
# hard in it: data blocks, null clocks, gaps, two clock kinds) in one process (dlms_bench):
#   bound   a plain pass over the same APDUs (each value's tag and length walked, integers summed);
#   decode  the "dlms" decoder with its session: records with exact values and each capture's time;
#   map     decoded and mapped into readings (map_frame into a reading_table);
# each side RUNS times in turn, medians and ratios; a result that differs from what the generator wrote (the
# readings' count and the sum of their values) fails the run (exit 1).
# Then whole processes, RUNS times each: `kvant decode --protocol dlms` on the conversation to /dev/null (its
# line count checked once), and `kvant ingest --protocol dlms --meter M1` into a fresh database (its readings
# count checked against the generator's).
# usage: [RUNS=5] [KEEP=1] [JOBS=2] benchmarks/run_dlms.sh [MONTHS] (default 120)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
months=${1:-120}
runs=${RUNS:-5}
py=/usr/bin/python3
case "$months" in '' | *[!0-9]* | 0)
  echo "usage: $0 [MONTHS] (a positive integer; default 120)" >&2
  exit 2
  ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/kvant-dlms-bench.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

echo "building kvant_cli and dlms_bench (Release, build/bench) ..." >&2
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_BENCHMARKS=ON -DKVANT_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench -j"${JOBS:-2}" --target kvant_cli dlms_bench >/dev/null
kvant=build/bench/kvant

"$py" benchmarks/dlms_profile.py "$months" "$work/profile.hex" "$work/expect.txt"
readings=$(awk '$1 == "readings" {print $2}' "$work/expect.txt")
captures=$(awk '$1 == "captures" {print $2}' "$work/expect.txt")
frames=$(wc -l <"$work/profile.hex")
echo "conversation: $frames APDUs, $months months, $captures captures, $readings readings" >&2

echo "in process (dlms_bench, medians of $runs runs):" >&2
build/bench/benchmarks/dlms_bench "$work/profile.hex" "$work/expect.txt" --runs "$runs" | tee "$work/kernel.txt" >&2

lines=$("$kvant" decode --protocol dlms "$work/profile.hex" | grep -c '"ok":true' || true)
if [ "$lines" -ne "$frames" ]; then
  echo "$0: kvant decode decoded $lines of $frames APDUs" >&2
  exit 1
fi
printf 'serial,resource,zone,installed\nM1,electricity,Europe/Moscow,2020-01-01\n' >"$work/meters.csv"
"$kvant" import --db "$work/empty.db" --meters "$work/meters.csv" >/dev/null
echo "whole processes, $runs runs each:" >&2
for _ in $(seq "$runs"); do
  s=$(date +%s.%N)
  "$kvant" decode --protocol dlms "$work/profile.hex" >/dev/null
  e=$(date +%s.%N)
  echo "decode $s $e" >>"$work/process.txt"
  cp "$work/empty.db" "$work/run.db"
  s=$(date +%s.%N)
  "$kvant" ingest --protocol dlms --db "$work/run.db" --meter M1 --at 2026-01-01T00:00:00Z "$work/profile.hex" \
    >"$work/ingest.txt"
  e=$(date +%s.%N)
  echo "ingest $s $e" >>"$work/process.txt"
  if ! grep -q "^readings $readings written" "$work/ingest.txt"; then
    echo "$0: kvant ingest did not write $readings readings:" >&2
    cat "$work/ingest.txt" >&2
    exit 1
  fi
done
"$py" - "$work/process.txt" "$months" "$readings" "$(stat -c %s "$work/profile.hex")" "$work/kernel.txt" "$runs" <<'PY'
import statistics, sys, os
times = {}
for l in open(sys.argv[1]):
    k, s, e = l.split()
    times.setdefault(k, []).append(float(e) - float(s))
months, n, size, runs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[6])
kernel = {}
for l in open(sys.argv[5]):
    p = l.split()
    if p and p[0] in ("bound", "decode", "map"):
        kernel[p[0]] = float(p[1])
print()
print(f"`bash benchmarks/run_dlms.sh {months}` (RUNS={runs}): {n:,} readings; load average at the end: "
      + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores.")
print()
print("| side | median s | readings/s | × bound |")
print("| --- | ---: | ---: | ---: |")
b = max(kernel["bound"], 1e-9)  # a tiny run can time the plain pass at 0
for name, label in (("bound", "plain pass over the APDUs (A-XDR walk)"), ("decode", "decode to records"),
                    ("map", "decode and map to readings")):
    s = kernel[name]
    print(f"| {label} | {s:.4f} | {n / s:,.0f} | {s / b:.1f}× |")
for k, label in (("decode", f"`kvant decode --protocol dlms`, {size / 1e6:.0f} MB of hex to /dev/null"),
                 ("ingest", "`kvant ingest --protocol dlms` into SQLite")):
    med = statistics.median(times[k])
    print(f"| {label} (whole process) | {med:.3f} | {n / med:,.0f} | — |")
PY
