#!/usr/bin/env python3
"""The hard data set of the benchmarks: cumulative readings that make every shortcut wrong.

Deterministic for a given --seed. Writes a readings CSV (meter,timestamp,value: UTC 'YYYY-MM-DDTHH:MM:SSZ',
kWh with 3 decimals) and a meters CSV (serial,zone):
- meters alternate between Europe/Moscow (no DST) and Europe/Berlin (DST: 30 March and 26 October 2025), so the
  same UTC instant is in different local months and zones, and Berlin has 23- and 25-hour days;
- reading times are irregular (a step of 20..40 minutes plus up to a minute of seconds, never on the hour), so
  intervals straddle zone switch times, local month starts and the DST changes;
- about one interval in 400 is a gap of 1..12 hours and one in 4,000 a gap of 1..6 days (spread over many
  switches and sometimes a month start);
- about one reading in 2,000 is a register fault: the value drops below the previous one (that interval
  contributes nothing) and the register then continues from the lower value;
- each meter starts at its own instant in the first days of 2025, so first and last months are partial.
About as many readings a meter as the reference file (17,521 a year).
"""
import argparse

import numpy as np

MOSCOW, BERLIN = "Europe/Moscow", "Europe/Berlin"


def meter_rows(m, rng, start, n):
    step = rng.integers(20 * 60, 40 * 60 + 1, size=n - 1) + rng.integers(1, 60, size=n - 1)
    gap_h = rng.random(n - 1) < 1 / 400
    step[gap_h] += rng.integers(3600, 12 * 3600, size=int(gap_h.sum()))
    gap_d = rng.random(n - 1) < 1 / 4000
    step[gap_d] += rng.integers(86400, 6 * 86400, size=int(gap_d.sum()))
    times = start + np.concatenate([[0], np.cumsum(step)])
    # Wh per interval, proportional to its length, load varying by meter
    inc = np.round(rng.gamma(2.0, 0.4 + rng.random(), size=n - 1) * step / 1800 * 500).astype(np.int64)
    fault = rng.random(n - 1) < 1 / 2000
    inc[fault] = -rng.integers(1, 50_000, size=int(fault.sum()))  # a decrease of 0.001..50 kWh
    vals = rng.integers(100_000_000, 5_000_000_000) + np.concatenate([[0], np.cumsum(inc)])
    return times, vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meters", type=int, default=100)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--readings-per-meter", type=int, default=17521)
    ap.add_argument("--out", required=True, help="readings CSV")
    ap.add_argument("--meters-out", required=True, help="meters CSV (serial,zone)")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    t2025 = 1735689600  # 2025-01-01T00:00:00Z
    with open(a.meters_out, "w") as mf:
        mf.write("serial,zone\n")
        for m in range(a.meters):
            mf.write(f"H{m:07d},{MOSCOW if m % 2 == 0 else BERLIN}\n")
    with open(a.out, "w") as out:
        out.write("meter,timestamp,value\n")
        for m in range(a.meters):
            start = t2025 - 3 * 86400 + int(rng.integers(0, 6 * 86400))
            times, vals = meter_rows(m, rng, start, a.readings_per_meter)
            assert vals.min() > 0
            ts = np.datetime_as_string(times.astype("datetime64[s]"), unit="s")
            serial = f"H{m:07d}"
            out.write("".join(f"{serial},{t}Z,{v // 1000}.{v % 1000:03d}\n" for t, v in zip(ts, vals)))


if __name__ == "__main__":
    main()
