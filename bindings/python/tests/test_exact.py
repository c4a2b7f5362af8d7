"""Exactness: in the exact form the days of a month sum to the month to the last digit."""

from decimal import Decimal

import kvant


def test_days_sum_to_the_month(demo_db):
    with kvant.Store(demo_db, mode="read_only") as db:
        days = kvant.consumption(db, by="day", exact=True)
        months = kvant.consumption(db, by="month", exact=True)
    days["month"] = days["period"].str[:7]
    checked = 0
    for (meter, month, reg), m in months.set_index(["meter", "period", "register"])["value"].items():
        d = days[(days["meter"] == meter) & (days["month"] == month) & (days["register"] == reg)]["value"]
        if m is None or len(d) == 0:
            continue
        total = sum(d, Decimal(0))
        assert total == m, (meter, month, reg, total, m)
        checked += 1
    assert checked > 100
    # not a float sum: some values have six decimals, where float64 sums drift
    assert any(v.as_tuple().exponent == -6 and v.normalize().as_tuple().exponent == -6 for v in months["value"]
               if v is not None)
