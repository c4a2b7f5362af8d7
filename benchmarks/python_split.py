#!/usr/bin/env python3
"""The reference workload from Python with kvant, end to end — CSV in, DataFrame out: one run, its timings.

usage: python_split.py READINGS.csv METERS.csv [--out RESULT.csv]
Prints one line: rows=N read_s=… split_s=… frame_s=… total_s=… (read_s: kvant.read_csv of the readings and the
meters; split_s: the split itself in the library, the GIL released; frame_s: the report table to a pandas
DataFrame; total_s: their sum, what `kvant.split(kvant.read_csv(...))` costs). With --out, writes the DataFrame as
CSV (meter,period,zone,value,complete: the kvant tool's columns) for benchmarks/compare.py.
"""
import argparse
import time

import kvant
from kvant import _kvant
from kvant._frames import frame


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("meters")
    ap.add_argument("--out")
    a = ap.parse_args()
    t0 = time.perf_counter()
    r = kvant.read_csv(a.csv, meters=a.meters)
    t1 = time.perf_counter()
    table = _kvant.split(r, "three-zone", by="month")  # what kvant.split runs, timed apart from the frame
    t2 = time.perf_counter()
    df = frame(table)
    t3 = time.perf_counter()
    print(f"rows={len(r)} read_s={t1 - t0:.4f} split_s={t2 - t1:.4f} frame_s={t3 - t2:.4f} total_s={t3 - t0:.4f}")
    if a.out:
        # the same as kvant.split(...) (checked here), written with the tool's exact text
        assert df.equals(kvant.split(r, schedule="three-zone", by="month"))
        with open(a.out, "w") as f:
            f.write(table.to_csv())


if __name__ == "__main__":
    main()
