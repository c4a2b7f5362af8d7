#!/usr/bin/env bash
# The reference workload of ../shared/bench (monthly three-zone split, Moscow time, METERS meters x a year of
# half-hourly readings) from Python with kvant — CSV in, DataFrame out (benchmarks/python_split.py) — beside
# ../shared/bench/pandas_split.py, in one run:
#   1. both results are checked equal first, cell by cell (benchmarks/compare.py; a mismatch exits 1): kvant's
#      side writes the exact CSV of the report table its timed DataFrame is built from;
#   2. each side runs RUNS times, alternating, as whole processes; the medians of its own timings (CSV read to
#      DataFrame, in the process) and of the whole process (interpreter start and imports included) are shown,
#      with the ratios pandas / kvant, and kvant's DataFrame conversion against its split.
# usage: [RUNS=5] [KEEP=1] [JOBS=2] [KVANT_SHARED=../shared] benchmarks/run_python.sh [METERS] (default 100)
# needs: the Debian packages of scripts/install-deps.sh (pybind11-dev python3-dev python3-numpy python3-pandas).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
meters=${1:-100}
runs=${RUNS:-5}
shared=${KVANT_SHARED:-../shared}
py=/usr/bin/python3
case "$meters" in '' | *[!0-9]* | 0)
  echo "usage: $0 [METERS] (a positive integer; default 100)" >&2
  exit 2
  ;;
esac
[ -f "$shared/bench/pandas_split.py" ] || {
  echo "$0: $shared/bench/pandas_split.py not found (set KVANT_SHARED)" >&2
  exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/kvant-pybench.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

echo "building the Python package (Release, build/pybench) ..." >&2
cmake -S . -B build/pybench -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_TESTS=OFF -DKVANT_BUILD_CLI=OFF \
  -DKVANT_BUILD_PYTHON=ON -DPYBIND11_FINDPYTHON=ON -DPython_EXECUTABLE="$py" >/dev/null
cmake --build build/pybench -j"${JOBS:-2}" --target kvant_python >/dev/null
export PYTHONPATH="$PWD/build/pybench/bindings/python"

echo "generating the data ($meters meters) in $work ..." >&2
"$py" "$shared/bench/gen_readings.py" --meters "$meters" --out "$work/reference.csv"
"$py" - "$meters" "$work/meters.csv" <<'PY'
import sys
with open(sys.argv[2], "w") as f:
    f.write("serial,zone\n")
    f.writelines(f"M{m:07d},Europe/Moscow\n" for m in range(int(sys.argv[1])))
PY

echo "checking the results equal ..." >&2
"$py" benchmarks/python_split.py "$work/reference.csv" "$work/meters.csv" --out "$work/kvant.csv" >/dev/null
"$py" "$shared/bench/pandas_split.py" "$work/reference.csv" --out "$work/pandas.csv" >/dev/null
"$py" benchmarks/compare.py "$work/kvant.csv" "$work/pandas.csv" --name "pandas_split.py" --format shared-pandas >&2

echo "timing ($runs runs each, alternating) ..." >&2
for i in $(seq "$runs"); do
  s=$(date +%s.%N)
  "$py" benchmarks/python_split.py "$work/reference.csv" "$work/meters.csv" >>"$work/kvant.txt"
  e=$(date +%s.%N)
  echo "start=$s end=$e" >>"$work/kvant-process.txt"
  s=$(date +%s.%N)
  "$py" "$shared/bench/pandas_split.py" "$work/reference.csv" >>"$work/pandas.txt"
  e=$(date +%s.%N)
  echo "start=$s end=$e" >>"$work/pandas-process.txt"
  echo "  run $i of $runs" >&2
done

"$py" - "$work" "$meters" "$runs" <<'PY'
import statistics, sys
work, meters, runs = sys.argv[1], sys.argv[2], sys.argv[3]

def read(name):
    rows = []
    for line in open(f"{work}/{name}"):
        r = {k: float(v) for k, v in (kv.split("=") for kv in line.split())}
        if "start" in r:
            r = {"process_s": r["end"] - r["start"]}
        rows.append(r)
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}

k, p = read("kvant.txt"), read("pandas.txt")
kp, pp = read("kvant-process.txt"), read("pandas-process.txt")
k_e2e = k["total_s"]
p_e2e = p["load_s"] + p["compute_s"]
print(f"reference workload: {meters} meters, {int(k['rows'])} readings, medians of {runs} runs each")
print(f"{'':34}{'kvant':>10}{'pandas':>10}{'ratio':>9}")
print(f"{'CSV in (read, parse)':34}{k['read_s']:10.3f}{p['load_s']:10.3f}{p['load_s'] / k['read_s']:8.1f}x")
print(f"{'split (to a DataFrame)':34}{k['split_s'] + k['frame_s']:10.3f}{p['compute_s']:10.3f}"
      f"{p['compute_s'] / (k['split_s'] + k['frame_s']):8.1f}x")
print(f"{'end to end, in the process':34}{k_e2e:10.3f}{p_e2e:10.3f}{p_e2e / k_e2e:8.1f}x")
print(f"{'end to end, whole process':34}{kp['process_s']:10.3f}{pp['process_s']:10.3f}"
      f"{pp['process_s'] / kp['process_s']:8.1f}x")
print(f"kvant: split {k['split_s']:.4f} s, DataFrame conversion {k['frame_s']:.4f} s "
      f"(conversion / split = {k['frame_s'] / k['split_s']:.2f}; goal <= 1)")
print(f"goal >= 50x pandas end to end: {'met' if p_e2e / k_e2e >= 50 else 'NOT met'} in the process, "
      f"{'met' if pp['process_s'] / kp['process_s'] >= 50 else 'NOT met'} as whole processes")
PY
