#!/usr/bin/env bash
# The reference workload as whole processes: `kvant split --schedule three-zone --by month` on a readings CSV
# against pandas, NumPy and DuckDB baselines with the same semantics (benchmarks/baselines/) and `wc -l` on the
# same file, on the reference, shuffled and hard data sets; every result checked against kvant's first (exit 1
# on a difference beyond the documented rounding); medians of equal runs; kvant's peak memory; split_bench's
# kernel medians. See benchmarks/bench_lib.sh and benchmarks/README.md.
# usage: [RUNS=5] [WARMUP=1] [KEEP=1] benchmarks/run_split.sh [METERS] (default 100)
# needs: scripts/install-deps.sh --bench (pandas, numpy, hyperfine, time), node and npm (@duckdb/node-api).
export WORKLOAD="split"
# shellcheck source=benchmarks/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
