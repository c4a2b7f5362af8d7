#!/usr/bin/env bash
# Monthly consumption as whole processes: `kvant consumption --by month` on a readings CSV against the pandas,
# NumPy and DuckDB baselines run with a single zone (benchmarks/baselines/, --schedule single) and `wc -l` on the
# same file, on the reference, shuffled and hard data sets; every result checked against kvant's first (exit 1
# on a difference beyond the documented rounding); medians of equal runs; kvant's peak memory;
# consumption_bench's kernel medians. See benchmarks/bench_lib.sh and benchmarks/README.md.
# usage: [RUNS=5] [WARMUP=1] [KEEP=1] benchmarks/run_consumption.sh [METERS] (default 100)
# needs: scripts/install-deps.sh --bench (pandas, numpy, hyperfine, time), node and npm (@duckdb/node-api).
export WORKLOAD="consumption"
# shellcheck source=benchmarks/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
