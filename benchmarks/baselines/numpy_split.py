#!/usr/bin/env python3
"""Baseline: monthly three-zone (or single-zone) split of cumulative readings in vectorised NumPy.

The library's reference semantics (docs/consumption.md, docs/tariffs.md), exactly: each interval's delta
v1 - v0 between consecutive readings of a meter at t0 < t1 is spread uniformly over [t0, t1) and cut at the local
month starts and the local zone switch times of the meter's zone (three-zone: night 23-07, peak 07-10 and 17-21,
semi-peak 10-17 and 21-23); a decrease contributes nothing. Rows may come in any order.

The CSV files are read with pandas.read_csv (the fastest CSV reader at hand; there is no pyarrow here); all the
rest is NumPy: no pandas sort, groupby or merge.
usage: numpy_split.py READINGS.csv METERS.csv [--schedule three-zone|single] --out RESULT.csv
writes meter,period,zone,value (period YYYY-MM local, value kWh to 6 places); prints rows and timings.
"""
import argparse
import datetime as dt
import time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

# switch hour -> zone index, in local time, every day; 0:00 is always an edge so that month starts are cut
THREE_ZONE = [(0, 0), (7, 1), (10, 2), (17, 1), (21, 2), (23, 0)]
SINGLE = [(0, 0)]
NAMES = {"three-zone": ["night", "peak", "semi-peak"], "single": ["total"]}


def zone_edges(tz, t_min, t_max, day_profile):
    """Edges (Unix seconds) of the local segments covering [t_min, t_max], each segment's zone and local
    month (year * 12 + month - 1)."""
    z = ZoneInfo(tz)
    day = dt.datetime.fromtimestamp(t_min, z).date() - dt.timedelta(days=1)
    last = dt.datetime.fromtimestamp(t_max, z).date() + dt.timedelta(days=1)
    edges, zones, months = [], [], []
    while day <= last:
        for hour, zone in day_profile:
            edges.append(int(dt.datetime(day.year, day.month, day.day, hour, tzinfo=z).timestamp()))
            zones.append(zone)
            months.append(day.year * 12 + day.month - 1)
        day += dt.timedelta(days=1)
    return np.array(edges, np.int64), np.array(zones, np.int64), np.array(months, np.int64)


def split(meter_code, t, v, meter_zone, profile):
    """meter_code, t (int64 s), v (float64): the readings in any order; meter_zone: the zone name of each
    meter code. Returns (meter code, month, zone, kWh) arrays of the cells that received anything."""
    if not (np.all(np.diff(meter_code) >= 0) and np.all((np.diff(t) > 0) | (np.diff(meter_code) != 0))):
        order = np.lexsort((t, meter_code))
        meter_code, t, v = meter_code[order], t[order], v[order]
    same = meter_code[1:] == meter_code[:-1]
    delta = v[1:] - v[:-1]
    keep = same & (delta > 0)  # a decrease (register fault) contributes nothing
    m, t0, t1, d = meter_code[1:][keep], t[:-1][keep], t[1:][keep], delta[keep]
    out_m, out_month, out_zone, out_kwh = [], [], [], []
    tz_of_interval = meter_zone[m]
    for tz in np.unique(meter_zone):
        sel = tz_of_interval == tz
        if not sel.any():
            continue
        mm, a, b, dd = m[sel], t0[sel], t1[sel], d[sel]
        edges, zones, months = zone_edges(tz, int(a.min()), int(b.max()), profile)
        s0 = np.searchsorted(edges, a, "right") - 1  # the segment holding t0
        s1 = np.searchsorted(edges, b, "left") - 1  # the segment holding the instant before t1
        count = s1 - s0 + 1
        one = count == 1  # most intervals lie inside one segment: the whole delta goes there
        out_m.append(mm[one]), out_month.append(months[s0[one]]), out_zone.append(zones[s0[one]])
        out_kwh.append(dd[one])
        many = np.nonzero(~one)[0]
        c = count[many]
        rep = np.repeat(many, c)
        first = np.repeat(np.cumsum(c) - c, c)
        seg = s0[rep] + (np.arange(rep.size) - first)
        overlap = np.minimum(edges[seg + 1], b[rep]) - np.maximum(edges[seg], a[rep])
        out_m.append(mm[rep]), out_month.append(months[seg]), out_zone.append(zones[seg])
        out_kwh.append(dd[rep] * overlap / (b[rep] - a[rep]))
    m, month, zone, kwh = (np.concatenate(x) for x in (out_m, out_month, out_zone, out_kwh))
    m0 = month.min()
    nz, nmonth = len(profile), month.max() - m0 + 1
    key = (m * nmonth + (month - m0)) * nz + zone
    size = int(meter_zone.size * nmonth * nz)
    sums = np.bincount(key, weights=kwh, minlength=size)
    hit = np.nonzero(np.bincount(key, minlength=size))[0]
    return hit // (nmonth * nz), hit // nz % nmonth + m0, hit % nz, sums[hit]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("readings")
    ap.add_argument("meters")
    ap.add_argument("--schedule", default="three-zone", choices=list(NAMES))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    t_start = time.perf_counter()
    df = pd.read_csv(a.readings, dtype={"meter": str, "timestamp": str, "value": np.float64})
    meters = pd.read_csv(a.meters, dtype=str)
    code, serials = pd.factorize(df["meter"].to_numpy())
    # no format=: pandas' ISO 8601 fast path is ten times faster than strptime with '%Y-%m-%dT%H:%M:%SZ'
    t = pd.to_datetime(df["timestamp"], utc=True).values.view(np.int64) // 10**9
    zone_of = dict(zip(meters["serial"], meters["zone"]))
    meter_zone = np.array([zone_of.get(s, "UTC") for s in serials])
    t_load = time.perf_counter()
    profile = THREE_ZONE if a.schedule == "three-zone" else SINGLE
    m, month, zone, kwh = split(code, t, df["value"].to_numpy(), meter_zone, profile)
    t_split = time.perf_counter()
    names = np.array(NAMES[a.schedule])
    period = [f"{x // 12:04d}-{x % 12 + 1:02d}" for x in month]
    with open(a.out, "w") as f:
        f.write("meter,period,zone,value\n")
        f.writelines(f"{s},{p},{z},{k:.6f}\n" for s, p, z, k in zip(serials[m], period, names[zone], kwh))
    print(f"rows={len(df)} load_s={t_load - t_start:.3f} compute_s={t_split - t_load:.3f}")


if __name__ == "__main__":
    main()
