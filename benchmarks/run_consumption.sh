#!/usr/bin/env bash
# The consumption benchmark, side by side in one run: libkvant against pandas on the same generated data
# (../shared/bench/gen_readings.py: half-hourly readings for one year), results compared for equality first,
# then the ratios. usage: benchmarks/run_consumption.sh [METERS] (default 100); needs python3-pandas and a
# build with -DKVANT_BUILD_BENCHMARKS=ON in build/bench (the script makes it).
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
cmake --build build/bench -j"$(nproc)" --target consumption_bench >/dev/null

pandas=$("$py" benchmarks/baselines/pandas_monthly.py "$data" --out "$work/pandas.csv")
kvant=$(build/bench/benchmarks/consumption_bench "$data" --out "$work/kvant.csv")
echo "pandas: $pandas"
echo "kvant:  $kvant"
"$py" - "$work/pandas.csv" "$work/kvant.csv" "$pandas" "$kvant" <<'PY'
import sys
import pandas as pd
p = pd.read_csv(sys.argv[1]); k = pd.read_csv(sys.argv[2])
m = p.merge(k, on=["meter", "month"], how="outer", suffixes=("_pandas", "_kvant"), indicator=True)
diff = (m["kwh_pandas"] - m["kwh_kvant"]).abs()
assert (m["_merge"] == "both").all(), "the two results cover different (meter, month) pairs"
print(f"results: {len(m)} (meter, month) values, max |pandas - kvant| = {diff.max():.6f} kWh "
      f"({'equal to the 3rd decimal' if diff.max() < 0.0005 else 'DIFFERENT'})")
def kv(s): return {a.split("=")[0]: float(a.split("=")[1]) for a in s.split() if "=" in a and a[0].isalpha()}
pa, kv_ = kv(sys.argv[3]), kv(sys.argv[4])
rows = pa["rows"]
compute = kv_["group_s"] + kv_["compute_s"]
print(f"parse:   pandas {rows / pa['load_s'] / 1e6:.2f} M rows/s, kvant {rows / (kv_['read_s'] + kv_['parse_s']) / 1e6:.2f} M rows/s "
      f"-> {pa['load_s'] / (kv_['read_s'] + kv_['parse_s']):.1f}x pandas (goal 10x)")
print(f"compute: pandas {rows / pa['compute_s'] / 1e6:.2f} M rows/s, kvant {rows / compute / 1e6:.1f} M rows/s "
      f"(group {kv_['group_s'] * 1e3:.1f} ms + spread {kv_['compute_s'] * 1e3:.1f} ms) -> {pa['compute_s'] / compute:.0f}x pandas (goal 100x)")
print(f"spread alone: {pa['compute_s'] / kv_['compute_s']:.0f}x pandas; "
      f"{kv_['compute_s'] / kv_['memory_pass_s']:.1f}x a plain memory pass over the same arrays (goal within 5x)")
PY
