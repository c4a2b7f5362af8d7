#!/usr/bin/env python3
"""Prints the tables of a benchmark run (benchmarks/bench_lib.sh) as Markdown, ready to paste into
benchmarks/README.md: whole-process medians (hyperfine's JSON), the ratios beside the goals of issue 9, kvant's
peak memory per reading, and the kernel's medians (diagnostics).
usage: report.py --workload split|consumption --meters N --runs R --warmup W --command CMD DATASET_DIR...
"""
import argparse
import json
import os
import statistics

GOALS = {"pandas": "≥ 40×", "duckdb": "≥ 10×", "wc -l": "≤ 4×", "memory": "≤ 24 B"}


def kv(text):
    return {a.split("=")[0]: float(a.split("=")[1]) for a in text.split() if "=" in a}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True, choices=["split", "consumption"])
    ap.add_argument("--meters", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--warmup", type=int, required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    sets = []
    for d in a.dirs:
        with open(os.path.join(d, "times.json")) as f:
            results = json.load(f)["results"]
        med = {r["command"]: r["median"] for r in results}
        cpu = {r["command"]: r["user"] + r["system"] for r in results}  # hyperfine gives means of these
        with open(os.path.join(d, "kernel.txt")) as f:
            kernel = kv(f.read())
        with open(os.path.join(d, "memory_kb.txt")) as f:
            mem_kb = statistics.median(int(x) for x in f.read().split())
        sets.append((os.path.basename(d), med, kernel, mem_kb, cpu))

    cli = "kvant split --schedule three-zone --by month" if a.workload == "split" else "kvant consumption --by month"
    print(f"`{a.command}` (RUNS={a.runs} WARMUP={a.warmup}): {a.meters} meters; every command "
          f"{a.runs} runs after {a.warmup} warmup, in one hyperfine invocation; medians in seconds. "
          f"Every result was compared with kvant's for every (meter, month, zone) first. Load average when the "
          f"run ended: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min) on "
          f"{os.cpu_count()} cores.\n")
    cols = ["kvant", "pandas", "numpy", "duckdb", "pandas-shared", "wc -l"]
    heads = [f"`{cli}`", "pandas_split.py", "numpy_split.py", "DuckDB (node)",
             "../shared pandas_split.py", "`wc -l`"]
    print("| data | readings | " + " | ".join(heads) + " |")
    print("| --- | ---: |" + " ---: |" * len(cols))
    for name, med, kernel, _, _ in sets:
        cells = [f"{med[c]:.3f}" if c in med else "—" for c in cols]
        print(f"| {name} | {int(kernel['rows']):,} | " + " | ".join(cells) + " |")
    print()
    print("CPU time (user + system, the mean over the runs: hyperfine records no per-run CPU times), seconds — "
          "less disturbed than wall time when other processes compete for the cores:\n")
    print("| data | " + " | ".join(heads) + " |")
    print("| --- |" + " ---: |" * len(cols))
    for name, _, _, _, cpu in sets:
        print(f"| {name} | " + " | ".join(f"{cpu[c]:.3f}" if c in cpu else "—" for c in cols) + " |")
    print()
    print("Ratios of the wall-time medians:\n")
    print("| data | pandas / kvant (goal ≥ 40×) | NumPy / kvant | DuckDB / kvant (goal ≥ 10×) | "
          "kvant / `wc -l` (goal ≤ 4×) | kvant peak memory a reading (goal ≤ 24 B) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, med, kernel, mem_kb, _ in sets:
        k = med["kvant"]
        print(f"| {name} | {med['pandas'] / k:.1f}× | {med['numpy'] / k:.1f}× | {med['duckdb'] / k:.1f}× | "
              f"{k / med['wc -l']:.1f}× | {mem_kb * 1024 / kernel['rows']:.0f} B ({mem_kb / 1024:.0f} MiB) |")
    print()
    part = "split_s" if a.workload == "split" else "compute_s"
    kname = "split_bench" if a.workload == "split" else "consumption_bench"
    print(f"Kernel diagnostics (`{kname}`, in process, medians of {a.runs} runs, milliseconds):\n")
    print(f"| data | read file | CSV parse | group | {part[:-2]} | memory pass | {part[:-2]} / memory pass |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, _, kr, _, _ in sets:
        print(f"| {name} | {kr['read_s'] * 1e3:.1f} | {kr['parse_s'] * 1e3:.1f} | {kr['group_s'] * 1e3:.1f} | "
              f"{kr[part] * 1e3:.1f} | {kr['memory_pass_s'] * 1e3:.2f} | "
              f"{kr[part] / kr['memory_pass_s']:.1f}× |")


if __name__ == "__main__":
    main()
