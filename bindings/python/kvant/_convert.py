"""Conversions between NumPy/pandas data and the library's exact integers (internal)."""

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Decimal, InvalidOperation, localcontext

import numpy as np

SCALE = 1_000_000  # a value in millionths (kvant::decimal's raw form)
_LIMIT = 2 ** 63  # |raw| < 2^63; -2^63 is the missing marker


def to_unix_seconds(t):
    """Int64 Unix seconds from int64 seconds (no copy), datetime64 of any unit or tz-aware pandas times."""
    import pandas as pd

    if isinstance(t, (pd.Series, pd.Index)):
        if isinstance(t.dtype, pd.DatetimeTZDtype):
            t = t.dt.tz_convert("UTC").dt.tz_localize(None) if isinstance(t, pd.Series) else \
                t.tz_convert("UTC").tz_localize(None)
        t = t.to_numpy()
    a = np.asarray(t)
    if a.dtype.kind == "M":
        if np.datetime_data(a.dtype)[0] == "s":
            return np.ascontiguousarray(a.view(np.int64))  # a view: no copy
        return a.astype("datetime64[s]").view(np.int64)  # another unit: a copy
    if a.dtype == np.int64:
        return np.ascontiguousarray(a)
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    raise TypeError(f"times must be int64 Unix seconds or datetime64, not {a.dtype}")


def to_millionths(v):
    """Int64 millionths: int64 as it is (no copy); float64 rounded to the nearest millionth; Decimal and str
    exactly (a ValueError when a value has more than six decimals)."""
    a = np.asarray(v)
    if a.dtype == np.int64:
        return np.ascontiguousarray(a)
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)):
            raise ValueError("values must be finite (a NaN or infinity cannot be a reading)")
        scaled = np.rint(a.astype(np.float64) * SCALE)
        # beyond ±2^63 the cast to int64 gives INT64_MIN, the missing marker: refuse instead
        bad = np.flatnonzero(~((scaled > -_LIMIT) & (scaled < _LIMIT)))
        if len(bad):
            i = int(bad[0])
            raise ValueError(f"value {a[i]!r} at row {i} is beyond the exact range (±9223372036854.775807)")
        return scaled.astype(np.int64)
    if a.dtype.kind == "u":
        if len(a) and a.max() > np.iinfo(np.int64).max:
            i = int(np.argmax(a > np.iinfo(np.int64).max))
            raise ValueError(f"value {a[i]} at row {i} is beyond the exact range")
        return a.astype(np.int64)
    if a.dtype.kind == "i":
        return a.astype(np.int64)
    out = np.empty(len(a), dtype=np.int64)
    # exact arithmetic: under the default context (28 digits) a value with more digits would be rounded
    # before the six-decimal check, and 5.0000000000000000000000000000001 accepted as 5
    with localcontext() as ctx:
        ctx.prec = MAX_PREC
        ctx.Emax = MAX_EMAX
        ctx.Emin = MIN_EMIN
        for i, x in enumerate(a):
            try:
                d = Decimal(str(x))
            except InvalidOperation:
                raise ValueError(f"value {x!r} at row {i} is not a number") from None
            if not d.is_finite():
                raise ValueError(f"value {x} at row {i} is not finite")
            d = d.scaleb(6)
            if d != d.to_integral_value():
                raise ValueError(f"value {x} at row {i} has more than six decimals")
            k = int(d)
            if not -_LIMIT < k < _LIMIT:
                raise ValueError(f"value {x} at row {i} is beyond the exact range (±9223372036854.775807)")
            out[i] = k
    return out


_UNITS_LIMIT = (_LIMIT - 1) // SCALE  # 9223372036854: the largest whole number of units in millionths


def units_to_millionths(v):
    """Int64 millionths of an integer array of whole units (kWh, m³...): exact, a copy; a ValueError naming the
    row when a value is beyond the exact range (±9223372036854)."""
    a = np.asarray(v)
    if len(a):
        bad = np.flatnonzero((a > _UNITS_LIMIT) | (a < -_UNITS_LIMIT)) if a.dtype.kind == "i" else \
            np.flatnonzero(a > _UNITS_LIMIT)
        if len(bad):
            i = int(bad[0])
            raise ValueError(f"value {a[i]} at row {i} is beyond the exact range (±9223372036854)")
    return a.astype(np.int64) * SCALE


def codes(x):
    """(int64 codes, names) of a column of names, or of pandas categoricals (their codes)."""
    import pandas as pd

    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        return x.cat.codes.to_numpy().astype(np.int64), [str(c) for c in x.cat.categories]
    c, names = pd.factorize(np.asarray(x, dtype=object), sort=False)
    return c.astype(np.int64), [str(n) for n in names]


def scaled_to_decimal(values, scale):
    """Python Decimals of int64 values scaled by 10**scale (None for nulls)."""
    null = np.iinfo(np.int64).min
    return [None if v == null else Decimal(int(v)).scaleb(-scale) for v in values.tolist()]
