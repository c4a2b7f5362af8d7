# shellcheck shell=bash
# The driver both whole-process benchmarks share (sourced by run_split.sh and run_consumption.sh, which set
# WORKLOAD to split or consumption). For each of three data sets — the reference file of
# ../shared/bench/gen_readings.py (Moscow, aligned half-hourly, sorted), the same rows shuffled, and the hard set
# of benchmarks/data/gen_hard.py (Berlin with DST and Moscow, irregular times straddling switches, month starts
# and DST changes, gaps, decreases) — it:
#   1. runs kvant and every baseline once and compares each result with kvant's for every (meter, month, zone)
#      (benchmarks/compare.py): a difference beyond the documented rounding stops the run with exit 1;
#   2. times the whole processes with hyperfine, every command the same number of runs and warmups, in one
#      hyperfine invocation (medians read from its JSON export);
#   3. runs the kernel executable (medians of the same number of runs) and checks its result too;
#   4. measures kvant's peak memory (/usr/bin/time -f %M, the median of the runs);
# then prints the tables of benchmarks/report.py. Everything is written under one mktemp -d directory, removed
# at exit unless KEEP=1. Knobs: RUNS (default 5), WARMUP (default 1), JOBS (build parallelism, default 2),
# KVANT_SHARED (default ../shared), TMPDIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
meters=${1:-100}
runs=${RUNS:-5}
warmup=${WARMUP:-1}
shared=${KVANT_SHARED:-../shared}
py=/usr/bin/python3
case "$meters" in '' | *[!0-9]* | 0)
  echo "usage: $0 [METERS] (a positive integer; default 100)" >&2
  exit 2
  ;;
esac
for tool in hyperfine /usr/bin/time node npm "$py"; do
  command -v "$tool" >/dev/null || {
    echo "$0: $tool is missing (bash scripts/install-deps.sh --bench; node and npm for the DuckDB baseline)" >&2
    exit 1
  }
done
[ -f "$shared/bench/gen_readings.py" ] || {
  echo "$0: $shared/bench/gen_readings.py not found (set KVANT_SHARED)" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/kvant-bench.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

if [ "$WORKLOAD" = split ]; then kernel=split_bench; else kernel=consumption_bench; fi
echo "building kvant_cli and $kernel (Release, build/bench) ..." >&2
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DKVANT_BUILD_BENCHMARKS=ON -DKVANT_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench -j"${JOBS:-2}" --target kvant_cli "$kernel" >/dev/null
kvant=build/bench/kvant

# the DuckDB baseline's package, installed once into the (ignored) build directory
npm_dir=build/bench/npm
if ! cmp -s benchmarks/baselines/package.json "$npm_dir/package.json" ||
  [ ! -d "$npm_dir/node_modules/@duckdb/node-api" ]; then
  echo "installing @duckdb/node-api into $npm_dir ..." >&2
  mkdir -p "$npm_dir"
  cp benchmarks/baselines/package.json "$npm_dir/package.json"
  (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
export NODE_PATH="$PWD/$npm_dir/node_modules"

echo "generating the data ($meters meters) in $work ..." >&2
"$py" "$shared/bench/gen_readings.py" --meters "$meters" --out "$work/reference.csv"
"$py" - "$meters" "$work/reference-meters.csv" <<'PY'
import sys
with open(sys.argv[2], "w") as f:
    f.write("serial,zone\n")
    f.writelines(f"M{m:07d},Europe/Moscow\n" for m in range(int(sys.argv[1])))
PY
"$py" - "$work/reference.csv" "$work/shuffled.csv" <<'PY'
import sys
import numpy as np
with open(sys.argv[1]) as f:
    header, rows = f.readline(), f.readlines()
order = np.random.default_rng(20251).permutation(len(rows))
with open(sys.argv[2], "w") as f:
    f.write(header)
    f.writelines(rows[i] for i in order)
PY
cp "$work/reference-meters.csv" "$work/shuffled-meters.csv"
"$py" benchmarks/data/gen_hard.py --meters "$meters" --out "$work/hard.csv" --meters-out "$work/hard-meters.csv"

if [ "$WORKLOAD" = split ]; then
  kvant_cmd="split --schedule three-zone"
  schedule=three-zone
else
  kvant_cmd="consumption"
  schedule=single
fi

for ds in reference shuffled hard; do
  data="$work/$ds.csv"
  mfile="$work/$ds-meters.csv"
  out="$work/$ds"
  mkdir -p "$out"
  names=(kvant pandas numpy duckdb)
  cmds=(
    "$kvant $kvant_cmd --readings $data --meters $mfile --by month --out $out/kvant.csv"
    "$py benchmarks/baselines/pandas_split.py $data $mfile --schedule $schedule --out $out/pandas.csv"
    "$py benchmarks/baselines/numpy_split.py $data $mfile --schedule $schedule --out $out/numpy.csv"
    "node benchmarks/baselines/duckdb_split.js $data $mfile $schedule $out/duckdb.csv"
  )
  if [ "$WORKLOAD" = split ] && [ "$ds" = reference ]; then
    # right on aligned, sorted data only (each interval wholly in the zone and month of its start)
    names+=(pandas-shared)
    cmds+=("$py $shared/bench/pandas_split.py $data --out $out/pandas-shared.csv")
  fi
  names+=("wc -l")
  cmds+=("wc -l $data")

  echo "[$ds] results of every side against kvant's:" >&2
  for i in "${!names[@]}"; do
    [ "${names[$i]}" = "wc -l" ] && continue
    # one run of each side (its command line split into words, as hyperfine -N does), for the comparison
    ${cmds[$i]} >"$out/${names[$i]}.log" || {
      echo "$0: ${names[$i]} failed on $ds: $(tail -3 "$out/${names[$i]}.log")" >&2
      exit 1
    }
  done
  for n in "${names[@]}"; do
    case "$n" in
    kvant | "wc -l") ;;
    pandas-shared) "$py" benchmarks/compare.py "$out/kvant.csv" "$out/$n.csv" --name "$n" --format shared-pandas >&2 ;;
    *) "$py" benchmarks/compare.py "$out/kvant.csv" "$out/$n.csv" --name "$n" --schedule "$schedule" >&2 ;;
    esac
  done

  echo "[$ds] kernel ($kernel, medians of $runs runs):" >&2
  build/bench/benchmarks/$kernel "$data" --meters "$mfile" --out "$out/kernel.csv" --runs "$runs" | tee "$out/kernel.txt" >&2
  "$py" benchmarks/compare.py "$out/kvant.csv" "$out/kernel.csv" --name "$kernel" --schedule "$schedule" >&2

  echo "[$ds] peak memory of kvant ($runs runs):" >&2
  for _ in $(seq "$runs"); do
    # shellcheck disable=SC2086 # the command line is split into words on purpose, as hyperfine -N does
    /usr/bin/time -f %M -o "$out/mem.tmp" ${cmds[0]}
    cat "$out/mem.tmp" >>"$out/memory_kb.txt"
  done

  echo "[$ds] whole processes (hyperfine, $runs runs and $warmup warmup each):" >&2
  hf=(hyperfine -N --style basic --runs "$runs" --warmup "$warmup" --export-json "$out/times.json")
  for i in "${!names[@]}"; do hf+=(-n "${names[$i]}" "${cmds[$i]}"); done
  "${hf[@]}" >"$out/hyperfine.txt"
  grep -E "^(Benchmark|  Time)" "$out/hyperfine.txt" >&2 || true
done

"$py" benchmarks/report.py --workload "$WORKLOAD" --meters "$meters" --runs "$runs" --warmup "$warmup" \
  --command "bash benchmarks/run_$WORKLOAD.sh $meters" "$work"/{reference,shuffled,hard}
