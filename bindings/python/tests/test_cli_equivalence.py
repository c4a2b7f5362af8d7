"""Every report as a DataFrame equals the kvant tool's CSV for the same command, cell by cell (exact form)."""

import csv
import io
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import kvant
from conftest import run_cli

AT = "2021-01-01T00:00:00Z"


def cell(v):
    """A DataFrame cell as the tool writes it: exact decimals compared as numbers, booleans 0/1, null ""."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, Decimal):
        return v
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return str(v)


def same_as_cli(df, text):
    rows = list(csv.reader(io.StringIO(text)))
    assert list(df.columns) == rows[0]
    assert len(df) == len(rows) - 1 and len(df) > 0
    for r, (got, want) in enumerate(zip(df.itertuples(index=False), rows[1:])):
        for c, (g, w) in enumerate(zip(got, want)):
            g = cell(g)
            if isinstance(g, Decimal):
                assert g == Decimal(w), (r, rows[0][c], g, w)
            else:
                assert g == w, (r, rows[0][c], g, w)


@pytest.mark.parametrize("by,group", [("month", "meter"), ("day", "meter"), ("billing", "meter"),
                                      ("month", "abonent"), ("year", "organization")])
def test_consumption(cli, demo_db, by, group):
    with kvant.Store(demo_db, mode="read_only") as db:
        df = kvant.consumption(db, by=by, group=group, exact=True)
    same_as_cli(df, run_cli(cli, "consumption", "--db", demo_db, "--by", by, "--group", group, "--quiet"))


def test_consumption_from_files(cli, demo_dir):
    df = kvant.consumption(demo_dir / "readings.csv", meters=demo_dir / "meters.csv", by="month",
                           complete_only=True, exact=True)
    same_as_cli(df, run_cli(cli, "consumption", "--readings", demo_dir / "readings.csv", "--meters",
                            demo_dir / "meters.csv", "--by", "month", "--complete-only", "--quiet"))


def test_split(cli, demo_db, demo_dir):
    with kvant.Store(demo_db, mode="read_only") as db:
        df = kvant.split(db, schedule="three-zone", by="month", exact=True)
    same_as_cli(df, run_cli(cli, "split", "--db", demo_db, "--schedule", "three-zone", "--by", "month",
                            "--quiet"))
    df = kvant.split(demo_dir / "readings.csv", meters=demo_dir / "meters.csv", schedule="three-zone",
                     by="day", exact=True)
    same_as_cli(df, run_cli(cli, "split", "--readings", demo_dir / "readings.csv", "--meters",
                            demo_dir / "meters.csv", "--schedule", "three-zone", "--by", "day", "--quiet"))


def test_cost(cli, demo_db):
    with kvant.Store(demo_db, mode="read_only") as db:
        df = kvant.cost(db, by="month", resource="electricity", exact=True)
        grouped = kvant.cost(db, by="month", resource="electricity", group="abonent", exact=True)
    same_as_cli(df, run_cli(cli, "cost", "--db", demo_db, "--by", "month", "--resource", "electricity",
                            "--quiet"))
    same_as_cli(grouped, run_cli(cli, "cost", "--db", demo_db, "--by", "month", "--resource", "electricity",
                                 "--group", "abonent", "--quiet"))


def test_verification(cli, demo_db):
    with kvant.Store(demo_db, mode="read_only") as db:
        df = kvant.verification(db, at=AT)
    same_as_cli(df, run_cli(cli, "verification", "--db", demo_db, "--at", AT))


def test_anomalies(cli, demo_db):
    with kvant.Store(demo_db, mode="read_only") as db:
        df = kvant.anomalies(db)
        open_ = kvant.anomalies(db, status="open", type="no_link", limit=3)
    same_as_cli(df, run_cli(cli, "anomalies", "list", "--db", demo_db))
    same_as_cli(open_, run_cli(cli, "anomalies", "list", "--db", demo_db, "--status", "open", "--type", "no_link",
                               "--limit", "3"))


def test_estimate(cli, demo_db):
    with kvant.Store(demo_db, mode="read_only") as db:
        df = kvant.estimate(db, at=AT, exact=True)
        interval = kvant.estimate(db, at="2020-06-01T00:00:00Z", interval=True, step_minutes=1440, exact=True,
                                  resource="electricity")
    same_as_cli(df, run_cli(cli, "estimate", "--db", demo_db, "--at", AT, "--quiet"))
    same_as_cli(interval, run_cli(cli, "estimate", "--db", demo_db, "--at", "2020-06-01T00:00:00Z", "--interval",
                                  "--step", "1440", "--resource", "electricity", "--quiet"))


def test_float_form_and_period_timestamps(demo_db):
    with kvant.Store(demo_db, mode="read_only") as db:
        exact = kvant.consumption(db, by="month", exact=True)
        f = kvant.consumption(db, by="month", periods="timestamp", tz="Europe/Moscow")
    assert f["value"].dtype == np.float64
    assert np.allclose(f["value"].to_numpy(), np.array([float(x) for x in exact["value"]]), rtol=0, atol=1e-9)
    # a month's label is its local start: 2020-05 → 2020-05-01 00:00 in the meter's zone (Moscow in the demo)
    first = f["period"].iloc[0]
    assert str(first.tz) == "Europe/Moscow" and (first.year, first.month, first.day, first.hour) == (
        int(exact["period"].iloc[0][:4]), int(exact["period"].iloc[0][5:7]), 1, 0)
