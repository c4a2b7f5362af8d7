#!/usr/bin/env bash
# The reference workload, side by side in one run: monthly three-zone split in Moscow time of half-hourly
# readings for a year, by libkvant, by ../shared/bench/pandas_split.py and by ../shared/bench/sqlite_split.sh,
# on the same data; the three results compared for equality first, then the ratios.
# usage: benchmarks/run_split.sh [METERS] (default 100); needs python3-pandas and sqlite3
# (scripts/install-deps.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
meters=${1:-100}
shared=${KVANT_SHARED:-../shared}
py=/usr/bin/python3
work=${TMPDIR:-/tmp}/kvant-bench
mkdir -p "$work"
data="$work/readings-$meters.csv"
[ -f "$data" ] || "$py" "$shared/bench/gen_readings.py" --meters "$meters" --out "$data"
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_BENCHMARKS=ON -DKVANT_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench -j"$(nproc)" --target split_bench >/dev/null

pandas=$("$py" "$shared/bench/pandas_split.py" "$data" --out "$work/pandas-split.csv")
sqlite=$(bash "$shared/bench/sqlite_split.sh" "$data")
kvant=$(build/bench/benchmarks/split_bench "$data" --out "$work/kvant-split.csv")
echo "pandas: $pandas"
echo "sqlite: $sqlite"
echo "kvant:  $kvant"
"$py" - "$work/pandas-split.csv" /tmp/sqlite_split.out "$work/kvant-split.csv" "$pandas" "$sqlite" "$kvant" <<'PY'
import sys
import pandas as pd
p = pd.read_csv(sys.argv[1]).rename(columns={"0": "night", "1": "peak", "2": "semipeak"})
s = pd.read_csv(sys.argv[2], sep="|", header=None, names=["meter", "month", "night", "peak", "semipeak"])
k = pd.read_csv(sys.argv[3])
def worst(a, b):
    m = a.merge(b, on=["meter", "month"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), "the results cover different (meter, month) pairs"
    return max((m[z + "_x"] - m[z + "_y"]).abs().max() for z in ("night", "peak", "semipeak"))
dp, ds = worst(p, k), worst(s, k)
print(f"results: {len(k)} (meter, month) rows x 3 zones; max |pandas - kvant| = {dp:.6f} kWh, "
      f"max |sqlite - kvant| = {ds:.6f} kWh ({'equal to the 3rd decimal' if max(dp, ds) < 0.0015 else 'DIFFERENT'})")
def kv(s): return {a.split("=")[0]: float(a.split("=")[1]) for a in s.split() if "=" in a and a[0].isalpha()}
pa, sq, kv_ = kv(sys.argv[4]), kv(sys.argv[5]), kv(sys.argv[6])
rows = pa["rows"]
compute = kv_["group_s"] + kv_["split_s"]
print(f"split:   pandas {rows / pa['compute_s'] / 1e6:.2f} M rows/s, sqlite {rows / sq['compute_s'] / 1e6:.2f} M rows/s, "
      f"kvant {rows / compute / 1e6:.1f} M rows/s (group {kv_['group_s'] * 1e3:.1f} ms + split {kv_['split_s'] * 1e3:.1f} ms)")
print(f"         -> {pa['compute_s'] / compute:.0f}x pandas (goal 100x), {sq['compute_s'] / compute:.0f}x sqlite; "
      f"split alone {kv_['split_s'] / kv_['memory_pass_s']:.1f}x a plain memory pass (goal within 5x)")
print(f"load:    pandas {pa['load_s']:.2f} s, sqlite {sq['load_s']:.2f} s, kvant {kv_['read_s'] + kv_['parse_s']:.2f} s "
      f"-> {pa['load_s'] / (kv_['read_s'] + kv_['parse_s']):.1f}x pandas")
PY
