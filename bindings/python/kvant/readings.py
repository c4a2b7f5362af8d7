"""Readings in: from a CSV file, a pandas DataFrame or NumPy arrays; and out, as NumPy views.

A :class:`Readings` object holds the rows of many meters and channels column-wise, either in a C++
``reading_table`` (read from a CSV file or from a store, or built from caller data that had to be converted) or
in the caller's own arrays (used in place). Its columns ``times``, ``values``, ``meter_index`` and
``channel_index`` are NumPy arrays that share the rows' memory: no copy, and the array keeps its owner alive.

When a copy happens (and when it does not), for :func:`from_arrays` and :func:`from_frame`:

- times: int64 Unix seconds and ``datetime64[s]`` are used in place; other datetime64 units and tz-aware
  pandas times are converted (a copy);
- values: for :func:`from_arrays`, int64 values are MILLIONTHS (1 kWh is 1_000_000) and used in place; for
  :func:`from_frame`, integer values are whole units (1 kWh is 1), converted exactly (a copy), unless
  ``scaled=True`` says they are millionths (int64: in place); float64 is rounded to the nearest millionth,
  ``Decimal`` and text exactly (a copy);
- meters and channels: int64 codes with their names are used in place; names (or other integer types,
  categoricals) are turned into int64 codes (a copy of that column only);
- rows: used in place when grouped (each meter's rows together, each channel's rows together within them,
  times increasing); otherwise copied into a table and sorted.
"""

import numpy as np

from . import _kvant
from ._convert import codes, to_millionths, to_unix_seconds, units_to_millionths

Readings = _kvant.Readings

WIDE_COLUMNS = ("total", "t1", "t2", "t3", "t4")
_WIDE_CHANNELS = {"total": "active_import", "t1": "active_import.t1", "t2": "active_import.t2",
                  "t3": "active_import.t3", "t4": "active_import.t4"}


def read_csv(path, meters=None, assume_offset_minutes=None):
    """Reads a readings CSV (long ``meter,timestamp,channel,value`` or wide ``meter,timestamp,total,t1..t4``)
    as the kvant tool does: the same checks, errors naming file and line. ``meters``: a meters CSV (serial,
    zone, register_digits, ...) for the meters' zones and parameters; without it every meter is an
    electricity meter in UTC."""
    return _kvant.read_csv(str(path), None if meters is None else str(meters), assume_offset_minutes)


def from_arrays(meter, time, value, channel="active_import", meter_names=None, channel_names=None,
                meters=None, wide=False):
    """Readings from NumPy arrays, in place where their dtypes allow (see the module's notes).

    ``meter``: int64 codes into ``meter_names``, or the serials themselves. ``time``: int64 Unix seconds or
    datetime64. ``value``: float64 or Decimal in units (kWh, m³...), or INTEGERS IN MILLIONTHS: an int64 (or other
    integer) array is read as raw millionths, so 5 kWh is 5_000_000 — whole kWh given as int64 would be a million
    times too small (use :func:`from_frame`, whose integer values are units, or multiply by 10**6). ``channel``:
    one channel name for every row, codes into ``channel_names``, or names. ``meters``: a meters CSV path (zones,
    parameters)."""
    n = len(time)
    if meter_names is None:
        mcode, meter_names = codes(meter)
    else:
        mcode = np.asarray(meter)
        if mcode.dtype != np.int64:
            mcode = mcode.astype(np.int64)
    if isinstance(channel, str):
        ccode, channel_names = np.zeros(n, dtype=np.int64), [channel]
    elif channel_names is None:
        ccode, channel_names = codes(channel)
    else:
        ccode = np.asarray(channel)
        if ccode.dtype != np.int64:
            ccode = ccode.astype(np.int64)
    return _kvant.from_arrays(np.ascontiguousarray(mcode), list(meter_names), np.ascontiguousarray(ccode),
                              list(channel_names), to_unix_seconds(time), to_millionths(value), wide,
                              None if meters is None else str(meters))


def _frame_values(col, scaled):
    """A frame's value column for from_arrays: integers are whole units (converted to millionths, exact)
    unless ``scaled`` says they are millionths already."""
    dt = getattr(col, "dtype", None)
    if dt is not None and not isinstance(dt, np.dtype) and getattr(dt, "kind", None) in ("i", "u") \
            and not col.isna().any():  # pandas' nullable Int64 without a null: integers too
        a = col.to_numpy(dtype=np.int64)
    else:
        a = col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)
    if a.dtype.kind in "iu" and not scaled:
        return units_to_millionths(a)
    return a


def from_frame(df, meters=None, scaled=False):
    """Readings from a pandas DataFrame: long (``meter``, ``timestamp``, ``channel``, ``value``) or wide
    (``meter``, ``timestamp`` and any of ``total``, ``t1``..``t4``: the meter's main quantity, as the tool's
    wide CSV). ``timestamp``: tz-aware (any zone) or naive UTC, or int64 Unix seconds. Values are in units
    (kWh, m³...): floats, Decimals, text, and integers (1 is 1 kWh, converted exactly); with ``scaled=True``
    integer values are millionths (1_000_000 is 1 kWh; int64 is then used in place, no copy). ``scaled``
    changes nothing for float, Decimal or text values."""
    cols = set(df.columns)
    if not {"meter", "timestamp"} <= cols:
        raise ValueError("a readings frame needs the columns meter and timestamp")
    if "value" in cols and "channel" in cols:
        return from_arrays(df["meter"], df["timestamp"], _frame_values(df["value"], scaled),
                           channel=df["channel"], meters=meters)
    if "value" in cols:
        return from_arrays(df["meter"], df["timestamp"], _frame_values(df["value"], scaled), meters=meters,
                           wide=True)
    regs = [c for c in WIDE_COLUMNS if c in cols]
    if not regs:
        raise ValueError("a readings frame needs value (and channel), or register columns total, t1..t4")
    import pandas as pd

    long = df.melt(id_vars=["meter", "timestamp"], value_vars=regs, var_name="register", value_name="value")
    long = long[long["value"].notna()]
    long["channel"] = long["register"].map(_WIDE_CHANNELS)
    return from_arrays(long["meter"], long["timestamp"], _frame_values(long["value"], scaled),
                       channel=long["channel"].to_numpy(),
                       meters=meters, wide=True) if len(long) else from_arrays(
        [], np.array([], dtype=np.int64), np.array([], dtype=np.int64), meters=meters, wide=True)


def to_frame(readings, exact=False):
    """The rows as a DataFrame: meter, timestamp (UTC), channel, value (float64, or Decimal with ``exact``)."""
    import pandas as pd

    from ._convert import scaled_to_decimal

    m = np.asarray(readings.meters, dtype=object)
    c = np.asarray(readings.channels, dtype=object)
    v = readings.values
    return pd.DataFrame({
        "meter": m[readings.meter_index] if len(m) else np.array([], dtype=object),
        "timestamp": pd.to_datetime(readings.times, unit="s", utc=True),
        "channel": c[readings.channel_index] if len(c) else np.array([], dtype=object),
        "value": scaled_to_decimal(v, 6) if exact else v / 1e6,
    })


Readings.from_csv = staticmethod(read_csv)
Readings.from_arrays = staticmethod(from_arrays)
Readings.from_frame = staticmethod(from_frame)
Readings.to_frame = to_frame
