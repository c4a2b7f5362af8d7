#!/usr/bin/env python3
"""Compares a result with kvant's for every (meter, month, zone) cell; exits 1 naming the first differing cell.

usage: compare.py KVANT.csv OTHER.csv --name NAME [--format long|shared-pandas] [--schedule three-zone|single]
KVANT.csv is `kvant split ... --by month` (meter,period,zone,value,complete) or `kvant consumption ... --by month`
(meter,period,register,value,complete); only the leaf zones (night, peak, semi-peak) or the total register are
compared, the groups (day, total of a split) being sums of them. OTHER.csv is meter,period,zone,value ('long'),
or the output of ../shared/bench/pandas_split.py ('shared-pandas': meter,month,0,1,2 rounded to 3 places; month
numbers are matched to the months of kvant's result, so only for data within one year). A cell missing on one
side counts as 0.

Tolerance, per cell: kvant spreads each delta over the cells it touches in parts rounded to 1e-6 kWh, each part
within 1e-6 of its exact share (docs/consumption.md: part k = round(delta*C_k/T) - round(delta*C_(k-1)/T), two
roundings of at most 0.5e-6). Only an interval that is cut carries such an error into a cell, and an interval is
cut only at a switch instant of the cell's zone or a month start inside it; intervals do not overlap, so at most B
intervals carry an error into a cell, B = the zone's switch instants in the month + 2 (night 2 a day, peak and
semi-peak 4 a day, a single zone 0; the +2 are the month's start and end). The baselines compute in float64: a
delta of two register values below 1e7 kWh is exact to 2e-9 and a cell sums fewer than 20,000 of them, so
4e-5 covers their error. Tolerance = 1e-6 * B + 4e-5 (+ 5e-4 when the other side rounds to 3 places). A real
mistake (a half-hour in the wrong zone or month, an hour of DST, a decrease counted) is orders of magnitude
larger on these data.
"""
import argparse
import calendar
import sys

import pandas as pd

SWITCHES_A_DAY = {"night": 2, "peak": 4, "semi-peak": 4, "total": 0}


def read_kvant(path, schedule):
    k = pd.read_csv(path, dtype={"meter": str, "period": str})
    if "register" in k.columns:
        k = k.rename(columns={"register": "zone"})
        k = k[k["zone"] == "total"]
    elif schedule == "three-zone":
        k = k[k["zone"].isin(["night", "peak", "semi-peak"])]
    return k[["meter", "period", "zone", "value"]]


def read_other(path, fmt, kvant):
    if fmt == "long":
        return pd.read_csv(path, dtype={"meter": str, "period": str}), 0.0
    o = pd.read_csv(path, dtype={"meter": str})
    o = o.rename(columns={"0": "night", "1": "peak", "2": "semi-peak"})
    o = o.melt(id_vars=["meter", "month"], var_name="zone", value_name="value")
    period_of_month = {int(p[5:7]): p for p in kvant["period"].unique()}
    o["period"] = o["month"].map(period_of_month)
    return o[["meter", "period", "zone", "value"]], 5e-4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kvant")
    ap.add_argument("other")
    ap.add_argument("--name", required=True)
    ap.add_argument("--format", default="long", choices=["long", "shared-pandas"])
    ap.add_argument("--schedule", default="three-zone", choices=["three-zone", "single"])
    a = ap.parse_args()
    k = read_kvant(a.kvant, a.schedule)
    o, rounding = read_other(a.other, a.format, k)
    m = k.merge(o, on=["meter", "period", "zone"], how="outer", suffixes=("_kvant", "_other"))
    m = m.fillna({"value_kvant": 0.0, "value_other": 0.0}).sort_values(["meter", "period", "zone"])
    days = m["period"].map(lambda p: calendar.monthrange(int(p[:4]), int(p[5:7]))[1])
    bound = 1e-6 * (m["zone"].map(SWITCHES_A_DAY) * days + 2) + 4e-5 + rounding
    diff = (m["value_kvant"] - m["value_other"]).abs()
    bad = m[diff > bound]
    if len(bad):
        r = bad.iloc[0]
        print(f"{a.name}: DIFFERENT in {len(bad)} of {len(m)} cells; first: meter {r['meter']}, {r['period']}, "
              f"{r['zone']}: kvant {r['value_kvant']:.6f}, {a.name} {r['value_other']:.6f} "
              f"(|diff| {abs(r['value_kvant'] - r['value_other']):.6f} > tolerance {bound[bad.index[0]]:.6f} kWh)",
              file=sys.stderr)
        sys.exit(1)
    print(f"{a.name}: equal to kvant in all {len(m)} (meter, month, zone) cells "
          f"(max |diff| {diff.max():.2e} kWh, within the per-cell tolerance)")


if __name__ == "__main__":
    main()
