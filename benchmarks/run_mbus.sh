#!/usr/bin/env bash
# M-Bus decoding (issue 12): the libmbus corpus frames (../shared/corpus/mbus/libmbus_frames.jsonl) plus the
# hard frames of benchmarks/data/mbus_hard.txt (negative BCD, reals, variable length, dates, long DIFE and VIFE
# chains, short headers; wireless telegrams with CRCs and mode 5 encryption from benchmarks/data/wmbus_hard.txt
# when it is there), repeated and shuffled (seeded) to FRAMES frames, in one process (mbus_bench):
#   bound   a plain pass over the same bytes (each frame's length walk and checksum);
#   decode  decoded into normalized records (exact values), one reused decoded_frame;
#   map     decoded and mapped into readings (map_frame into a reading_table) and events;
# each side RUNS times in turn, medians and ratios. A mismatch fails the run (exit 1): each frame's record count
# in the stream must equal its count decoded alone, and every run must map the same readings (count and sum).
# Then the whole process: `kvant decode --protocol mbus` on a file of FRAMES wired frames (hex lines) to
# /dev/null, RUNS times (its output's line count checked once), frames/s.
# usage: [RUNS=5] [KEEP=1] [JOBS=2] [KVANT_SHARED=../shared] benchmarks/run_mbus.sh [FRAMES] (default 2000000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
frames=${1:-2000000}
runs=${RUNS:-5}
shared=${KVANT_SHARED:-../shared}
py=/usr/bin/python3
case "$frames" in '' | *[!0-9]* | 0)
  echo "usage: $0 [FRAMES] (a positive integer; default 2000000)" >&2
  exit 2
  ;;
esac
corpus="$shared/corpus/mbus/libmbus_frames.jsonl"
if [ ! -f "$corpus" ]; then
  echo "$0: the M-Bus corpus $corpus is not there (set KVANT_SHARED to the folder holding corpus/mbus)" >&2
  exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kvant-mbus-bench.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

echo "building kvant_cli and mbus_bench (Release, build/bench) ..." >&2
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_BENCHMARKS=ON -DKVANT_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench -j"${JOBS:-2}" --target kvant_cli mbus_bench >/dev/null
kvant=build/bench/kvant

# the distinct frames: `mbus HEX` / `wmbus HEX` lines
"$py" - "$corpus" "$work/distinct.txt" <<'PY'
import json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as out:
    for line in f:
        if line.strip():
            out.write("mbus " + json.loads(line)["hex"] + "\n")
PY
corpus_count=$(wc -l <"$work/distinct.txt")
grep -E '^(mbus|wmbus) ' benchmarks/data/mbus_hard.txt >>"$work/distinct.txt"
keys=()
if [ -f benchmarks/data/wmbus_hard.txt ]; then
  grep -E '^wmbus ' benchmarks/data/wmbus_hard.txt >>"$work/distinct.txt" || true
  grep -E '^key ' benchmarks/data/wmbus_hard.txt | cut -d' ' -f2- >"$work/keys.txt" || true
  keys=(--keys "$work/keys.txt")
fi
distinct=$(wc -l <"$work/distinct.txt")
echo "distinct frames: $distinct ($corpus_count from the corpus, $((distinct - corpus_count)) hard)" >&2

echo "in process (mbus_bench, $frames frames, medians of $runs runs):" >&2
build/bench/benchmarks/mbus_bench "$work/distinct.txt" --frames "$frames" --runs "$runs" "${keys[@]}" |
  tee "$work/kernel.txt" >&2

# the whole process: FRAMES wired frames as hex lines, shuffled with the same kind of seed
"$py" - "$work/distinct.txt" "$frames" "$work/stream.hex" <<'PY'
import random, sys
wired = [l.split(" ", 1)[1].strip() for l in open(sys.argv[1]) if l.startswith("mbus ")]
n = int(sys.argv[2])
order = [i % len(wired) for i in range(n)]
random.Random(20261124).shuffle(order)
with open(sys.argv[3], "w") as out:
    out.writelines(wired[i] + "\n" for i in order)
PY
lines=$("$kvant" decode --protocol mbus "$work/stream.hex" | wc -l)
if [ "$lines" -ne "$frames" ]; then
  echo "$0: kvant decode printed $lines lines for $frames frames" >&2
  exit 1
fi
echo "whole process: kvant decode --protocol mbus on $frames frames to /dev/null, $runs runs:" >&2
for _ in $(seq "$runs"); do
  s=$(date +%s.%N)
  "$kvant" decode --protocol mbus "$work/stream.hex" >/dev/null
  e=$(date +%s.%N)
  echo "$s $e" >>"$work/process.txt"
done
"$py" - "$work/process.txt" "$frames" "$(stat -c %s "$work/stream.hex")" "$work/kernel.txt" "$runs" <<'PY'
import statistics, sys, os
times = [float(e) - float(s) for s, e in (l.split() for l in open(sys.argv[1]))]
n, size, runs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
med = statistics.median(times)
kernel = {}
for l in open(sys.argv[4]):
    p = l.split()
    if p and p[0] in ("bound", "decode", "map"):
        kernel[p[0]] = (float(p[1]), float(p[2]))
print()
print(f"`bash benchmarks/run_mbus.sh {n}` (RUNS={runs}); load average at the end: "
      + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores.")
print()
print("| side | median s | frames/s | × bound |")
print("| --- | ---: | ---: | ---: |")
b = kernel.get("bound", (float("nan"), 0))[0]
for name, label in (("bound", "plain pass (length walk, checksum)"), ("decode", "decode to normalized records"),
                    ("map", "decode and map to readings")):
    if name in kernel:
        s, fps = kernel[name]
        print(f"| {label} | {s:.4f} | {fps:,.0f} | {s / b:.1f}× |")
print(f"| `kvant decode --protocol mbus` whole process, {size / 1e6:.0f} MB of hex to /dev/null | {med:.3f} | "
      f"{n / med:,.0f} | — |")
PY
