"""The reports of the ``kvant`` tool as pandas DataFrames.

Each returns a DataFrame whose columns (names and order) are those of the tool's CSV output for the same
command, computed by the same library code (``include/kvant/reports``). Common arguments:

- ``source``: a :class:`kvant.Store`, :class:`kvant.Readings`, a readings CSV path, or a pandas DataFrame of
  readings (see :func:`kvant.from_frame`);
- ``exact``: False (default) gives numbers as float64 (the exact value divided by 10**6; money by 10**2);
  True gives Python ``Decimal`` objects, exact to the last digit (the library's millionths and kopecks);
- ``periods``: "label" (default) keeps the tool's period labels ("2024-03"); "timestamp" gives each period's
  start as a tz-aware Timestamp (UTC, or converted to ``tz``);
- ``threads``: worker threads (0: one per core); the result does not depend on it;
- ``from_``, ``to``: the readings read from a store (Unix seconds or timestamps), ``resource``: only meters
  of this resource.

Each call converts its arguments while holding the GIL and computes without it: several reports can run at
once on Python threads.
"""

import os

from . import _kvant
from ._frames import frame
from .readings import Readings, from_frame, read_csv
from .store import Store, _unix

__all__ = ["consumption", "split", "cost", "verification", "anomalies", "estimate"]


def _source(source, meters=None):
    if isinstance(source, Store):
        return source._s
    if isinstance(source, Readings):
        return source
    if isinstance(source, (str, os.PathLike)):
        return read_csv(source, meters=meters)
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return from_frame(source, meters=meters)
    raise TypeError(f"a report reads a kvant.Store, kvant.Readings, a CSV path or a DataFrame, not "
                    f"{type(source).__name__}")


def _range(kw):
    for k in ("from_", "to"):
        if kw.get(k) is not None:
            kw[k] = _unix(kw[k])
    return kw


def consumption(source, by="month", billing_day=None, complete_only=False, group="meter", threads=0,
                exact=False, periods="label", tz=None, meters=None, **kw):
    """``kvant consumption``: meter,period,register,value,complete; with ``group`` (point, account, abonent,
    building, organization; a store only) group,resource,role,period,register,value,complete,meters.
    ``by``: day, month, year or billing."""
    t = _kvant.consumption(_source(source, meters), by=by, billing_day=billing_day, complete_only=complete_only,
                           group=group, threads=threads, **_range(kw))
    return frame(t, exact=exact, periods=periods, tz=tz)


def split(source, schedule="three-zone", by="month", billing_day=None, complete_only=False, registers="auto",
          group="meter", threads=0, exact=False, periods="label", tz=None, meters=None, **kw):
    """``kvant split``: meter,period,zone,value,complete — consumption per tariff zone of ``schedule`` (a
    preset name such as "three-zone", schedule or URDB JSON text, a schedule or URDB file, or a stored
    schedule's id when ``source`` is a Store). ``registers``: auto (a meter's own tariff registers when it has
    one per zone), schedule or registers. ``group=`` (point, account, abonent, building, organization; a
    store only) gives group,role,period,zone,value,complete,meters."""
    t = _kvant.split(_source(source, meters), schedule, by=by, billing_day=billing_day,
                     complete_only=complete_only, source=registers, group=group, threads=threads,
                     **_range(kw))
    return frame(t, exact=exact, periods=periods, tz=tz)


def cost(source, by="month", schedule=None, rates=None, billing_day=None, complete_only=False, group="meter",
         threads=0, exact=False, periods="label", tz=None, meters=None, **kw):
    """``kvant cost``: meter,period,zone,rate_from,quantity,price,amount,complete; per group
    group,role,period,amount,complete,meters. ``schedule`` and ``rates`` (a zone,from,price CSV) win; from a
    store, what is not given is the stored tariffs'."""
    t = _kvant.cost(_source(source, meters), by=by, schedule=None if schedule is None else os.fspath(schedule),
                    rates=None if rates is None else os.fspath(rates), billing_day=billing_day,
                    complete_only=complete_only, group=group, threads=threads, **_range(kw))
    return frame(t, exact=exact, periods=periods, tz=tz)


def verification(store, at, rule="same-date", due_within=30, exact=False):
    """``kvant verification``: meter,model,base,next,expires,state,failed_for_billing,service_life_end for the
    meters in service at ``at`` (a timestamp or Unix seconds)."""
    return frame(_kvant.verification(store._s, _unix(at), rule, due_within), exact=exact)


def anomalies(store, status=None, type=None, meter=None, organization=None, from_=None, to=None, offset=0,
              limit=None):
    """``kvant anomalies list``: key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,
    message_ru,message_en of the stored anomalies the filter selects."""
    t = _kvant.anomalies(store._s, status=status, type=type, meter=meter, organization=organization,
                         from_=_unix(from_), to=_unix(to), offset=offset, limit=limit)
    return frame(t)


def estimate(source, at, by=None, billing_day=None, normative=None, normatives=None, interval=False,
             step_minutes=30, threads=0, exact=False, periods="label", tz=None, meters=None, **kw):
    """``kvant estimate``: meter,period,basis,value,failed (billing periods by the ПП 354 ladder, up to
    ``at``); with ``interval=True`` (``kvant estimate --interval``) meter,timestamp,value,quality, the gaps of
    interval data filled. ``normatives``: {(account, resource): value}."""
    args = dict(billing_day=billing_day, normative=None if normative is None else str(normative),
                normatives=None if normatives is None else {k: str(v) for k, v in normatives.items()},
                interval=interval, step_minutes=step_minutes, threads=threads, **_range(kw))
    if by is not None:
        args["by"] = by
    t = _kvant.estimate(_source(source, meters), _unix(at), **args)
    return frame(t, exact=exact, periods=periods, tz=tz)
