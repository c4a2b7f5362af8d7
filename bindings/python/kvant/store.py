"""kvant.Store: a SQLite database of the library's schema (or ``":memory:"``)."""

import contextlib
import json
import os

import numpy as np

from . import _kvant
from .errors import ConfigError, ParseError, StorageError

_KINDS = ("organizations", "abonents", "accounts", "metering_points", "meter_models", "meters", "readings",
          "events", "relay_changes", "sessions", "tariff_schedules", "tariff_assignments", "tariff_rates",
          "normatives")


def _unix(t):
    if t is None:
        return None
    if isinstance(t, (int, np.integer)):
        return int(t)
    import pandas as pd

    ts = pd.Timestamp(t)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.timestamp())


class Store:
    """A store: ``kvant.Store("fleet.db")`` opens (creating when absent) a SQLite database, and
    ``kvant.Store("postgresql://user@host/db")`` (or ``"host=… dbname=…"``) a PostgreSQL database (its schema
    created when absent; ``busy_timeout_ms`` is then its lock timeout; ``path`` names it without the
    password); ``mode`` is "create", "open" or "read_only". Use it as a context manager (closed at the end) and group writes with
    ``with store.transaction():`` (committed at the end, rolled back on an exception). Any call on a closed
    store raises :class:`kvant.StorageError`. Threads may share a store: its calls take turns (the GIL released,
    the store's lock held) and close() waits for a call under way. A transaction spans calls: keep it on one
    thread."""

    def __init__(self, path, mode="create", busy_timeout_ms=5000):
        self._s = _kvant.Store(os.fspath(path), mode, busy_timeout_ms)

    @property
    def path(self):
        return self._s.path

    @property
    def closed(self):
        return self._s.closed

    def close(self):
        """Closes the database (a second close does nothing)."""
        self._s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    @contextlib.contextmanager
    def transaction(self):
        """One transaction around the block: committed when it ends, rolled back when it raises."""
        self._s._begin()
        try:
            yield self
        except BaseException:
            if not self._s.closed:
                self._s._rollback()
            raise
        self._s._commit()

    def import_csv(self, files, conflict="fail", assume_offset_minutes=None):
        """Imports CSV files in one transaction, in reference order. ``files``: a mapping or pairs of
        (table kind, path) — kinds: organizations, abonents, accounts, metering_points, meter_models, meters,
        readings, events, relay_changes, sessions, tariff_schedules, tariff_assignments, tariff_rates,
        normatives — or a directory holding files named ``<kind>.csv`` (``tariff_schedules.json``).
        ``conflict``: fail, keep or replace. Returns (rows read, warnings)."""
        if isinstance(files, (str, os.PathLike)) and os.path.isdir(files):
            pairs = []
            for kind in _KINDS:
                for ext in (".csv", ".json"):
                    p = os.path.join(files, kind + ext)
                    if os.path.exists(p):
                        pairs.append((kind, p))
        else:
            pairs = list(files.items()) if isinstance(files, dict) else list(files)
        return self._s._import_csv([(k, os.fspath(p)) for k, p in pairs], conflict, assume_offset_minutes)

    def put(self, kind, entity):
        """Stores one entity (``kind``: organization, abonent, account, metering_point, meter_model, meter,
        tariff_schedule, tariff_assignment, tariff_rate, normative) from a dict or JSON text with the fields
        of docs/entities.md, replacing one of the same key."""
        self._s._put_json(kind, entity if isinstance(entity, str) else json.dumps(entity, default=str))

    def put_readings(self, readings, conflict="fail"):
        """Stores readings (a :class:`kvant.Readings`); ``conflict``: fail, keep or replace. Returns
        (inserted, replaced, unchanged)."""
        return self._s._put_readings(readings, conflict)

    def readings(self, meters=(), channels=(), from_=None, to=None):
        """The stored readings of these meters and channels (all when empty) with time in [from_, to)
        (Unix seconds or timestamps) as :class:`kvant.Readings`."""
        lo = _unix(from_)
        hi = _unix(to)
        return self._s._readings(list(meters), list(channels), -(2 ** 63) if lo is None else lo,
                                 2 ** 63 - 1 if hi is None else hi)

    def ingest(self, frames, protocol="mbus", at=None, keys=None, crc="detect", conflict="fail", dialect="detect",
               meter=None, round_excess=False):
        """``kvant ingest``: decodes meter frames, finds each frame's meter by its device address (the meter's
        ``address``, ``mbus:MAN-ID[-VV-MM]``) and stores their readings and events in one transaction (all or
        nothing). ``frames``: hex text (one frame a line, spaces allowed, ``#`` comments), a path
        (``os.PathLike``) to such a file, or an iterable of frames (bytes, or hex text each); ``protocol``: "mbus"
        "wmbus", "iec62056-21", "dlms" or "hdlc"; ``at``: when the frames arrived (Unix seconds or a timestamp; None: now), the time of
        current values whose frame has no time of its own; ``keys`` and ``crc`` as :func:`kvant.decode`;
        ``conflict`` (fail, keep or replace) what a reading stored already with another value does ("fail":
        raises naming the frame's line, and nothing of the batch is stored); ``dialect`` the IEC 62056-21 block
        check as :func:`kvant.decode`; ``meter`` the serial of the meter whose frames carry no address (a DLMS
        session over HDLC; None: such frames are unmatched); ``round_excess`` stores IEC and DLMS values with
        more decimals than millionths (Energomera's seven) rounded half to even instead of skipping them. The
        frames of one call are one conversation.

        Returns a dict: ``frames``, ``decoded``, ``readings_written``, ``readings_unchanged``,
        ``events_written``, ``records_skipped`` (counts), ``rejected`` (frames that did not decode: dicts of
        ``line``, ``status``, ``offset``, ``message``) and ``unmatched`` (frames of a meter the store does not
        know, or that two meters claim: ``line``, ``address``, ``reason``, ``hex``, kept to ingest again once the meter is registered). ``line`` is
        the line of the text, or the 1-based position in the iterable. Rejected and unmatched frames do not fail
        the call; text that is not hex raises :class:`kvant.ParseError` naming the line, and stores nothing."""
        import time

        from .decode import _keys_text

        source = "frames"
        if isinstance(frames, os.PathLike):
            source = os.fspath(frames)
            with open(frames, encoding="utf-8") as f:
                text = f.read()
        elif isinstance(frames, str):
            text = frames
        else:
            lines = []
            for x in frames:
                if isinstance(x, (bytes, bytearray, memoryview)):
                    lines.append(bytes(x).hex())
                elif isinstance(x, str):
                    if "\n" in x or "#" in x:
                        raise ParseError(f"[kvant.parse.100] frame {len(lines) + 1}: one frame of hex digits "
                                         "expected (no newline, no comment)", 100)
                    lines.append(x)
                else:
                    raise ConfigError(f"[kvant.config.401] frame {len(lines) + 1}: bytes or hex text expected, "
                                      f"not {type(x).__name__}", 401)
            text = "\n".join(lines) + "\n"
        when = int(time.time()) if at is None else _unix(at)
        return _kvant._ingest(self._s, text, protocol, when, _keys_text(keys), crc, source, conflict, dialect,
                              meter or "", round_excess)

    def reading_count(self, meter=""):
        """The number of stored values (of one meter, or all)."""
        return self._s.reading_count(meter)
