#!/usr/bin/env python3
"""Baseline for the consumption benchmark: monthly consumption per meter in pandas, the approach of
../shared/bench/pandas_split.py without the tariff zones (each half-hour's delta goes to the Moscow-time month
of its start; the data are aligned to local midnight, so no interval straddles a month).
Prints load and compute times; writes meter,month,kwh rounded to 3 places with --out."""
import argparse, time
import pandas as pd


def monthly(df):
    df = df.sort_values(["meter", "timestamp"], kind="stable")
    delta = df.groupby("meter", sort=False)["value"].diff()
    local_prev = df.groupby("meter", sort=False)["timestamp"].shift(1).dt.tz_convert("Europe/Moscow")
    mask = delta.notna()
    out = pd.DataFrame({"meter": df["meter"][mask].to_numpy(), "month": local_prev[mask].dt.month.to_numpy(),
                        "kwh": delta[mask].to_numpy()})
    return out.groupby(["meter", "month"], sort=True, observed=True)["kwh"].sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--out")
    a = ap.parse_args()
    t0 = time.perf_counter()
    df = pd.read_csv(a.csv, dtype={"meter": "category", "value": "float64"})
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="%Y-%m-%dT%H:%M:%SZ")
    t1 = time.perf_counter()
    res = monthly(df)
    t2 = time.perf_counter()
    print(f"rows={len(df)} load_s={t1 - t0:.3f} compute_s={t2 - t1:.3f}")
    if a.out:
        res.round(3).reset_index().to_csv(a.out, index=False, float_format="%.3f")


if __name__ == "__main__":
    main()
