"""kvant.dask: the reports over a Dask DataFrame of readings partitioned by meter.

Each partition (a pandas DataFrame of readings, long or wide as :func:`kvant.from_frame` takes) is computed on its
own with ``map_partitions``; since a meter's readings are all in one partition, the concatenated result is the
single-process one, row for row (meters in the order of the partitions). :func:`partition_by_meter` makes such a
frame from a pandas one. A meter split across partitions is caught when the result is computed (a period, zone or
register of it coming out twice) and raises :class:`kvant.ConfigError` naming it. Reports that need a store
(verification, anomalies, groups above the meter) are not distributed: run them on the Store.
"""

import pandas as pd

from . import reports as _reports
from .readings import from_frame

__all__ = ["partition_by_meter", "consumption", "split", "cost", "estimate"]


def partition_by_meter(df, npartitions):
    """A Dask DataFrame of ``df``'s readings in ``npartitions`` partitions, each holding whole meters (meters
    in order of first appearance, spread evenly)."""
    import dask.dataframe as dd
    import numpy as np

    meters = pd.unique(df["meter"])
    npartitions = max(1, min(int(npartitions), len(meters)))
    bounds = np.linspace(0, len(meters), npartitions + 1).astype(int)
    parts = []
    order = {m: i for i, m in enumerate(meters)}
    rank = df["meter"].map(order)
    for k in range(npartitions):
        parts.append(df[(rank >= bounds[k]) & (rank < bounds[k + 1])].reset_index(drop=True))
    return dd.from_delayed([_delayed(p) for p in parts], meta=df.iloc[:0])


def _delayed(p):
    import dask

    return dask.delayed(p)


def _run(report, part, meters, kw):
    if len(part) == 0:
        return None
    return getattr(_reports, report)(from_frame(part, meters=meters), **kw)


def _meta(report, kw):
    """The empty frame of a report's columns and dtypes (a tiny computation of one meter, with the same
    options: a mistake in them is raised here, before anything is distributed)."""
    import numpy as np

    t = np.array([1_704_067_200, 1_704_153_600], dtype=np.int64)
    one = pd.DataFrame({"meter": ["m"] * 2, "timestamp": t, "channel": ["active_import"] * 2,
                        "value": np.array([0, 1], dtype=np.int64)})  # units
    return _run(report, one, None, kw).iloc[:0]


_KEYS = ("period", "timestamp", "zone", "register", "rate_from")


def _keys(r, cols):
    return r[cols]


def _check_unique(keys, cols):
    """Raises ConfigError when a key (a meter's period, zone or register) comes out of two partitions: the
    meter's readings were split across them and each computed a part (a wrong, silent result)."""
    from .errors import ConfigError

    k = pd.concat(keys, ignore_index=True)
    dup = k.duplicated(keep=False)
    if dup.any():
        first = k[dup].iloc[0]
        raise ConfigError(f"kvant.dask: meter {first['meter']!r} is in more than one partition (its "
                          f"{', '.join(cols[1:])} {tuple(first[cols[1:]])!r} came out twice): the reports need "
                          f"each meter's readings in one partition; make the frame with "
                          f"kvant.dask.partition_by_meter")
    return True


def _gate(r, ok):
    return r


def _map(report, ddf, meters, kw):
    import dask
    import dask.dataframe as dd

    meta = _meta(report, kw)
    out = ddf.map_partitions(_part, report, None if meters is None else str(meters), kw, meta=meta,
                             align_dataframes=False)
    cols = ["meter"] + [c for c in _KEYS if c in meta.columns] if "meter" in meta.columns else []
    if len(cols) < 2:
        return out
    # at compute: each partition's result waits for the check that no key came out of two partitions
    parts = out.to_delayed()
    ok = dask.delayed(_check_unique)([dask.delayed(_keys)(p, cols) for p in parts], cols)
    return dd.from_delayed([dask.delayed(_gate)(p, ok) for p in parts], meta=meta)


def _part(part, report, meters, kw):
    r = _run(report, part, meters, kw)
    if r is None:
        return _meta(report, kw)
    return r


def consumption(ddf, meters=None, **kw):
    """:func:`kvant.consumption` per partition; a Dask DataFrame (``.compute()`` for pandas)."""
    return _map("consumption", ddf, meters, kw)


def split(ddf, meters=None, **kw):
    """:func:`kvant.split` per partition."""
    return _map("split", ddf, meters, kw)


def cost(ddf, meters=None, **kw):
    """:func:`kvant.cost` per partition (give ``schedule`` and ``rates``)."""
    return _map("cost", ddf, meters, kw)


def estimate(ddf, meters=None, **kw):
    """:func:`kvant.estimate` per partition."""
    return _map("estimate", ddf, meters, kw)
