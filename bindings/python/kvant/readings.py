"""Readings in: from a CSV file, a pandas DataFrame or NumPy arrays; and out, as NumPy views.

A :class:`Readings` object holds the rows of many meters and channels column-wise, either in a C++
``reading_table`` (read from a CSV file or from a store, or built from caller data that had to be converted) or
in the caller's own arrays (used in place). Its columns ``times``, ``values``, ``meter_index`` and
``channel_index`` are NumPy arrays that share the rows' memory: no copy, and the array keeps its owner alive.

When a copy happens (and when it does not), for :func:`from_arrays` and :func:`from_frame`:

- times: int64 Unix seconds and ``datetime64[s]`` are used in place; other datetime64 units and tz-aware
  pandas times are converted (a copy);
- values: int64 millionths are used in place; float64 is rounded to the nearest millionth, ``Decimal`` and
  text exactly (a copy);
- meters and channels: int64 codes with their names are used in place; names (or other integer types,
  categoricals) are turned into int64 codes (a copy of that column only);
- rows: used in place when grouped (each meter's rows together, each channel's rows together within them,
  times increasing); otherwise copied into a table and sorted.
"""

import numpy as np

from . import _kvant
from ._convert import codes, to_millionths, to_unix_seconds

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
    datetime64. ``value``: int64 millionths, float64 or Decimal. ``channel``: one channel name for every row,
    codes into ``channel_names``, or names. ``meters``: a meters CSV path (zones, parameters)."""
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


def from_frame(df, meters=None):
    """Readings from a pandas DataFrame: long (``meter``, ``timestamp``, ``channel``, ``value``) or wide
    (``meter``, ``timestamp`` and any of ``total``, ``t1``..``t4``: the meter's main quantity, as the tool's
    wide CSV). ``timestamp``: tz-aware (any zone) or naive UTC, or int64 Unix seconds."""
    cols = set(df.columns)
    if not {"meter", "timestamp"} <= cols:
        raise ValueError("a readings frame needs the columns meter and timestamp")
    if "value" in cols and "channel" in cols:
        return from_arrays(df["meter"], df["timestamp"], df["value"], channel=df["channel"], meters=meters)
    if "value" in cols:
        return from_arrays(df["meter"], df["timestamp"], df["value"], meters=meters, wide=True)
    regs = [c for c in WIDE_COLUMNS if c in cols]
    if not regs:
        raise ValueError("a readings frame needs value (and channel), or register columns total, t1..t4")
    import pandas as pd

    long = df.melt(id_vars=["meter", "timestamp"], value_vars=regs, var_name="register", value_name="value")
    long = long[long["value"].notna()]
    long["channel"] = long["register"].map(_WIDE_CHANNELS)
    return from_arrays(long["meter"], long["timestamp"], long["value"], channel=long["channel"].to_numpy(),
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
