"""Readings in and out: CSV, DataFrames, NumPy arrays (in place or copied), stores; zero-copy views."""

import gc
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import kvant

T0 = 1_704_067_200  # 2024-01-01T00:00:00Z


def test_csv_columns_are_views_owned_by_the_readings(demo_dir):
    r = kvant.read_csv(demo_dir / "readings.csv")
    times, values = r.times, r.values
    assert times.dtype == np.int64 and values.dtype == np.int64
    assert isinstance(times.base, kvant.Readings) and times.base is values.base  # no copy: the table's memory
    assert np.shares_memory(r.times, times)  # a second view is the same memory
    first = (r.meters[r.meter_index[0]], int(times[0]), int(values[0]))
    n = len(r)
    del r
    gc.collect()
    assert len(times) == n and (first[1], first[2]) == (int(times[0]), int(values[0]))  # the owner lives on
    # the first data row of the demo file: 11002161,2020-05-01T09:05:00+03:00,3557.45,... (wide: total)
    assert first == ("11002161", 1588313100, 3557450000)


def test_demo_first_row_matches_the_file(demo_dir):
    with open(demo_dir / "readings.csv") as f:
        header = f.readline().strip().split(",")
        row = f.readline().strip().split(",")
    assert header[:3] == ["meter", "timestamp", "total"]
    assert row[0] == "11002161" and Decimal(row[2]) == Decimal("3557.45")


def test_int64_arrays_are_used_in_place():
    t = np.array([T0, T0 + 1800, T0 + 3600, T0, T0 + 1800], dtype=np.int64)
    v = np.array([1_000_000, 1_500_000, 2_250_000, 7_000_000, 7_000_001], dtype=np.int64)
    m = np.array([0, 0, 0, 1, 1], dtype=np.int64)
    r = kvant.from_arrays(m, t, v, meter_names=["A", "B"])
    assert r.in_place
    assert np.shares_memory(r.times, t) and np.shares_memory(r.values, v) and np.shares_memory(r.meter_index, m)
    d = kvant.consumption(r, by="day", exact=True)
    assert list(d["meter"]) == ["A", "B"]
    assert list(d["value"]) == [Decimal("1.25"), Decimal("0.000001")]


def test_datetime64_seconds_in_place_float_values_copied():
    t = np.array([T0, T0 + 1800], dtype="datetime64[s]")
    v = np.array([1.5, 2.75])
    r = kvant.from_arrays(np.array(["A", "A"], dtype=object), t, v)
    assert np.shares_memory(r.times, t)  # datetime64[s] is int64 seconds
    assert not np.shares_memory(r.values, v)  # float64 → millionths: a copy
    assert list(r.values) == [1_500_000, 2_750_000]


def test_rows_not_grouped_are_copied_and_sorted():
    t = np.array([T0 + 1800, T0], dtype=np.int64)  # time goes back within the meter
    v = np.array([2_000_000, 1_000_000], dtype=np.int64)
    r = kvant.from_arrays(np.array([0, 0]), t, v, meter_names=["A"])
    assert not r.in_place and not np.shares_memory(r.times, t)
    assert kvant.consumption(r, by="day", exact=True)["value"].tolist() == [Decimal(1)]


def test_long_and_wide_frames_give_the_csv_result(demo_dir):
    meters = demo_dir / "meters.csv"
    from_csv = kvant.split(kvant.read_csv(demo_dir / "readings.csv", meters=meters), exact=True)
    wide = pd.read_csv(demo_dir / "readings.csv", dtype={"meter": str}, keep_default_na=True)
    wide["timestamp"] = pd.to_datetime(wide["timestamp"], utc=True)
    for c in ("total", "t1", "t2", "t3", "t4"):
        wide[c] = wide[c].map(lambda x: None if pd.isna(x) else Decimal(str(x)), na_action=None)
    from_wide = kvant.split(kvant.from_frame(wide, meters=meters), exact=True)
    pd.testing.assert_frame_equal(from_csv, from_wide)
    # long: the channels the wide file maps to (a water meter's total is its volume)
    long = kvant.to_frame(kvant.read_csv(demo_dir / "readings.csv", meters=meters), exact=True)
    assert "volume" in set(long["channel"])
    long["timestamp"] = long["timestamp"].dt.tz_convert("Europe/Moscow")  # any zone
    from_long = kvant.split(kvant.from_frame(long, meters=meters), exact=True)
    pd.testing.assert_frame_equal(from_csv, from_long)


def test_store_round_trip(tmp_path, demo_dir):
    with kvant.Store(tmp_path / "a.db") as a:
        rows, warnings = a.import_csv(demo_dir)
        assert rows > 12000
        out = a.readings()
        assert len(out) == a.reading_count() == 12351
        with kvant.Store(tmp_path / "b.db") as b:
            b.import_csv([(k, demo_dir / f"{k}.csv") for k in
                          ("organizations", "abonents", "accounts", "metering_points", "meter_models", "meters")])
            with b.transaction():
                assert b.put_readings(out) == (12351, 0, 0)
            back = b.readings()
            pd.testing.assert_frame_equal(kvant.to_frame(back), kvant.to_frame(out))
            assert b.put_readings(out) == (0, 0, 12351)  # stored already, same values: unchanged


def test_put_entities_from_dicts(tmp_path):
    with kvant.Store(tmp_path / "e.db") as s:
        s.put("meter", {"serial": "X1", "measures": "electricity"})
        t = np.array([T0, T0 + 86400], dtype=np.int64)
        v = np.array([10_000_000, 12_500_000], dtype=np.int64)
        s.put_readings(kvant.from_arrays(np.array([0, 0]), t, v, meter_names=["X1"]))
        d = kvant.consumption(s, by="day", exact=True)
        assert d[d["register"] == "total"]["value"].tolist() == [Decimal("2.5")]


def test_transaction_rolls_back(tmp_path):
    with kvant.Store(tmp_path / "t.db") as s:
        with pytest.raises(RuntimeError):
            with s.transaction():
                s.put("meter", {"serial": "X2", "measures": "electricity"})
                raise RuntimeError("stop")
        t = np.array([T0], dtype=np.int64)
        with pytest.raises(kvant.ValidationError) as e:  # the meter was rolled back: unknown
            s.put_readings(kvant.from_arrays(np.array([0]), t, np.array([1], dtype=np.int64), meter_names=["X2"]))
        assert e.value.code == 201 and "X2" in str(e.value)


def test_from_frame_reads_integer_values_as_units_unless_scaled():
    import pandas as pd

    t0 = 1_704_067_200
    t = t0 + 86400 * np.arange(3, dtype=np.int64)
    whole = pd.DataFrame({"meter": ["M1"] * 3, "timestamp": t, "channel": ["active_import"] * 3,
                          "value": np.array([100, 105, 112], dtype=np.int64)})
    r = kvant.from_frame(whole)
    assert list(r.values) == [100_000_000, 105_000_000, 112_000_000]  # kWh, exact
    as_float = kvant.from_frame(whole.assign(value=whole["value"].astype(np.float64)))
    pd.testing.assert_frame_equal(kvant.consumption(r, by="day"), kvant.consumption(as_float, by="day"))
    assert list(kvant.from_frame(whole.assign(value=whole["value"].astype("Int64"))).values) == list(r.values)
    assert list(kvant.from_frame(whole.assign(value=whole["value"].astype(np.int32))).values) == list(r.values)
    milli = whole.assign(value=whole["value"] * 1_000_000)
    s = kvant.from_frame(milli, scaled=True)
    assert list(s.values) == list(r.values)
    assert s.in_place and np.shares_memory(s.values, milli["value"].to_numpy())  # millionths in place
    with pytest.raises(ValueError, match="row 1.*exact range"):
        kvant.from_frame(whole.assign(value=np.array([1, 10 ** 13, 2], dtype=np.int64)))
    wide = pd.DataFrame({"meter": ["M1"] * 3, "timestamp": t, "total": np.array([100, 105, 112])})
    assert list(kvant.from_frame(wide).values) == list(r.values)
    # from_arrays keeps int64 as millionths, as documented
    assert list(kvant.from_arrays(np.zeros(3, dtype=np.int64), t, np.array([100, 105, 112]),
                                  meter_names=["M1"]).values) == [100, 105, 112]
