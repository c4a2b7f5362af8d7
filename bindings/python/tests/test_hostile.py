"""Inputs a hostile caller gives: each is refused with a message naming the row, never misread or a crash."""

from decimal import Decimal

import numpy as np
import pytest

import kvant
from kvant import _kvant

T0 = 1709251200  # 2024-03-01T00:00:00Z


def _readings(values, times=None):
    n = len(values)
    times = np.arange(T0, T0 + 3600 * n, 3600, dtype=np.int64) if times is None else times
    return kvant.from_arrays(np.array(["M1"] * n, dtype=object), times, values)


@pytest.mark.parametrize("big", [1e300, 1e13, -1e13, 9.3e12])
def test_float_beyond_the_exact_range_is_refused_not_the_missing_marker(big):
    with pytest.raises(ValueError, match="row 1 is beyond the exact range"):
        _readings(np.array([1.0, big]))


@pytest.mark.parametrize("text", ["1.1234567", "5.0000000000000000000000000000001"])
def test_decimal_with_more_than_six_decimals_is_refused_not_rounded(text):
    with pytest.raises(ValueError, match="more than six decimals"):
        _readings(np.array([Decimal(text)], dtype=object))
    with pytest.raises(ValueError, match="more than six decimals"):
        _readings(np.array([text], dtype=object))


def test_uint64_beyond_int64_is_refused():
    with pytest.raises(ValueError, match="row 0 is beyond the exact range"):
        _readings(np.array([2 ** 64 - 1], dtype=np.uint64))


def test_missing_marker_nat_and_negative_values_are_refused():
    with pytest.raises(kvant.ValidationError, match="row 1 .*missing marker"):
        _readings(np.array([1, np.iinfo(np.int64).min], dtype=np.int64))
    with pytest.raises(kvant.ValidationError, match="row 1 .*time outside 1970-01-01..2099-12-31"):
        _readings(np.array([1.0, 2.0]), times=np.array(["2024-03-01", "NaT"], dtype="datetime64[s]"))
    with pytest.raises(kvant.ValidationError, match="row 0 .*value -1 is outside"):
        _readings(np.array([-1.0]))


def test_views_are_read_only():
    r = _readings(np.array([1.0, 3.0]))
    r2 = kvant.from_arrays(np.array(["M1", "M1"], dtype=object), np.array([T0 + 1, T0]), np.array([1.0, 2.0]))
    assert not r2.in_place
    for a in (r2.meter_index, r2.channel_index, r2.times, r2.values):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 10 ** 9
    assert len(kvant.consumption(r))


def test_arrays_changed_after_the_readings_was_made_are_refused_not_read_past():
    mc = np.zeros(3, dtype=np.int64)
    t = np.array([T0, T0 + 3600, T0 + 7200], dtype=np.int64)
    v = np.array([1, 2, 3], dtype=np.int64) * 1_000_000
    r = kvant.from_arrays(mc, t, v, meter_names=["M1"])
    assert r.in_place
    mc[1] = 10 ** 9
    with pytest.raises(kvant.ConfigError, match="changed since it was made.*row 1: meter code"):
        kvant.consumption(r)
    mc[1] = 0
    t[1] = T0 + 9000  # times no longer increasing
    with pytest.raises(kvant.ConfigError, match="no longer grouped"):
        kvant.consumption(r)


@pytest.mark.parametrize("n", [-1, 257, 10 ** 6])
def test_threads_outside_0_to_256_are_refused(n):
    with pytest.raises(kvant.ConfigError, match=f"threads {n} is outside 0..256"):
        kvant.consumption(_readings(np.array([1.0, 2.0])), threads=n)


def test_a_bad_store_mode_is_refused_in_memory_too():
    with pytest.raises(kvant.ConfigError, match="store mode 'bogus'"):
        kvant.Store(":memory:", mode="bogus")


def test_put_readings_rechecks_arrays_changed_after_the_readings_was_made():
    mc = np.zeros(3, dtype=np.int64)
    t = np.array([T0, T0 + 3600, T0 + 7200], dtype=np.int64)
    v = np.array([1, 2, 3], dtype=np.int64) * 1_000_000
    r = kvant.from_arrays(mc, t, v, meter_names=["M1"])
    assert r.in_place
    mc[1] = 10 ** 9
    with kvant.Store(":memory:") as db:
        with pytest.raises(kvant.ConfigError, match="changed since it was made.*row 1: meter code"):
            db.put_readings(r)
        assert db.reading_count() == 0


def test_report_column_views_are_read_only_and_frames_stay_writable():
    r = _readings(np.array([1.0, 3.0, 6.0]), times=np.array([T0, T0 + 86400, T0 + 2 * 86400]))
    t = _kvant.consumption(r, by="day")
    seen = 0
    for i in range(t.columns):
        _, _, values, _ = t.column(i)
        if values is None:
            continue
        seen += 1
        assert not values.flags.writeable
        with pytest.raises(ValueError):
            values[0] = 10 ** 9
    assert seen
    df = kvant.consumption(r, by="day")
    df.loc[0, "value"] = 0.0  # the DataFrame is the caller's


def test_a_stored_schedule_id_splits_as_its_json_text(demo_db, demo_dir):
    import json

    schedules = json.loads((demo_dir / "tariff_schedules.json").read_text())
    two_zone = next(s for s in schedules if s["id"] == "fst1473-two-zone")
    with kvant.Store(demo_db, mode="read_only") as db:
        by_id = kvant.split(db, schedule="fst1473-two-zone", by="month", exact=True)
        by_text = kvant.split(db, schedule=json.dumps(two_zone, ensure_ascii=False), by="month", exact=True)
        with pytest.raises(kvant.ConfigError, match="nor a stored schedule's id"):
            kvant.split(db, schedule="no-such-schedule", by="month")
    assert len(by_id) > 0
    assert by_id.equals(by_text)


def test_split_per_abonent_sums_its_meters_exactly(demo_db, demo_dir):
    import csv
    from decimal import Decimal

    with kvant.Store(demo_db, mode="read_only") as db:
        per_meter = kvant.split(db, schedule="three-zone", by="month", resource="electricity", exact=True)
        per_abonent = kvant.split(db, schedule="three-zone", by="month", resource="electricity", group="abonent",
                                  exact=True)
    assert list(per_abonent.columns) == ["group", "role", "period", "zone", "value", "complete", "meters"]

    def rows(name):
        with open(demo_dir / name, encoding="utf-8") as f:
            return list(csv.DictReader(f))

    # each abonent's zone in a month is the exact sum of its meters' (meter -> point -> account -> abonent)
    account_of_point = {r["code"]: r["account"] for r in rows("metering_points.csv")}
    abonent_of_account = {r["number"]: r["abonent"] for r in rows("accounts.csv")}
    abonent_of = {r["serial"]: abonent_of_account.get(account_of_point.get(r["point"], ""), "")
                  for r in rows("meters.csv")}
    role_of = {r["serial"]: r["role"] or "individual" for r in rows("meters.csv")}
    per_meter["group"] = per_meter["meter"].map(abonent_of)
    per_meter["role"] = per_meter["meter"].map(role_of)
    sums = per_meter.groupby(["group", "role", "period", "zone"])["value"].apply(lambda v: sum(v, Decimal(0)))
    got = per_abonent.set_index(["group", "role", "period", "zone"])["value"]
    assert len(got) == len(sums) > 0
    for key, value in got.items():
        assert value == sums[key], key
