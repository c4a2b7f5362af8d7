"""kvant: libkvant's utility metering for Python — readings in and out as NumPy arrays without copying, the
reports of the ``kvant`` tool as pandas DataFrames with the tool's CSV columns, exact decimals on request.

Quick tour::

    import kvant
    r = kvant.read_csv("readings.csv", meters="meters.csv")      # or from_frame(df), from_arrays(...)
    r.times, r.values                                             # NumPy views, no copy (int64 s, millionths)
    kvant.split(r, schedule="three-zone", by="month")             # DataFrame: meter,period,zone,value,complete
    with kvant.Store("fleet.db") as db:
        kvant.consumption(db, by="month", group="abonent", exact=True)   # Decimal values
        db.ingest(open("frames.hex").read(), protocol="mbus")           # M-Bus frames into readings, events
    kvant.decode("68 3C 3C 68 08 08 72 ...")                         # one frame as kvant decode's JSON (dict)
    kvant.decode_frames(frames, protocol="wmbus", keys={"12345678": "00..0F"})  # records as a DataFrame

Every report releases the GIL while it computes. Errors are :class:`kvant.Error` and its subclasses.
"""

from . import _kvant
from .errors import (ConfigError, DecodeError, Error, OverflowError, ParseError, StorageError,  # noqa: A004
                     ValidationError)
from .decode import Decoder, decode, decode_frames
from .readings import Readings, from_arrays, from_frame, read_csv, to_frame
from .reports import anomalies, consumption, cost, estimate, split, verification
from .store import Store

__version__ = _kvant.__version__

__all__ = ["Error", "ParseError", "ValidationError", "StorageError", "ConfigError", "DecodeError",
           "OverflowError", "Readings", "read_csv", "from_arrays", "from_frame", "to_frame", "Store",
           "consumption", "split", "cost", "verification", "anomalies", "estimate", "decode", "Decoder",
           "decode_frames", "__version__"]
