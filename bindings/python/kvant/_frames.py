"""A report's result table as a pandas DataFrame (internal)."""

import numpy as np
import pandas as pd

from ._convert import scaled_to_decimal

_NULL = np.iinfo(np.int64).min
_SCALE = {"number": 6, "currency": 2}


def frame(table, exact=False, periods="label", tz=None):
    """The DataFrame of a report_table: its columns, names and order those of the kvant tool's CSV.

    Column types: text → object (str); integer → int64 (a copy of the table's read-only column, so that the DataFrame
    may be written to, when no cell is null, else float64 with NaN); number, currency → float64 (the exact value
    divided by 10**6 or 10**2, NaN for null) or, with ``exact=True``, Python ``Decimal`` objects (None for null),
    exact to the last digit; boolean → bool; timestamp → datetime64[ns, UTC]; local_period → the tool's label
    ("2024-03") or, with ``periods="timestamp"``, the period's start as a tz-aware Timestamp (UTC, or ``tz``).
    """
    if periods not in ("label", "timestamp"):
        raise ValueError("periods must be 'label' or 'timestamp'")
    cols = {}
    for i in range(table.columns):
        name, kind, values, text = table.column(i)
        if kind == "text":
            cols[name] = pd.Series(text, dtype=object)
        elif kind == "local_period":
            if periods == "label":
                cols[name] = pd.Series(text, dtype=object)
            else:
                t = pd.to_datetime(np.where(values == _NULL, np.iinfo(np.int64).min, values), unit="s",
                                   utc=True, errors="coerce")
                cols[name] = pd.Series(t.tz_convert(tz) if tz else t)
        else:
            null = values == _NULL
            if kind in _SCALE:
                if exact:
                    cols[name] = pd.Series(scaled_to_decimal(values, _SCALE[kind]), dtype=object)
                else:
                    f = values / float(10 ** _SCALE[kind])
                    f[null] = np.nan
                    cols[name] = pd.Series(f)
            elif kind == "integer":
                if null.any():
                    f = values.astype(np.float64)
                    f[null] = np.nan
                    cols[name] = pd.Series(f)
                else:  # the view is read-only: the DataFrame's own column
                    cols[name] = pd.Series(values.copy())
            elif kind == "boolean":
                cols[name] = pd.Series(values != 0)
            elif kind == "timestamp":
                t = pd.to_datetime(values[~null], unit="s", utc=True)
                s = pd.Series(pd.NaT, index=range(len(values)), dtype="datetime64[ns, UTC]")
                s[~null] = t
                cols[name] = s
            else:  # a type added later: its raw integers
                cols[name] = pd.Series(values.copy())
    return pd.DataFrame(cols, copy=False) if cols else pd.DataFrame()
