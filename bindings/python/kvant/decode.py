"""Meter protocol frames decoded by libkvant: wired M-Bus (EN 13757-2/-3), wireless M-Bus (EN 13757-4, OMS),
IEC 62056-21 messages and readouts, and DLMS/COSEM (bare or wrapped APDUs, HDLC).

``decode`` gives one frame as the JSON object ``kvant decode`` prints for it (parsed: a dict); ``Decoder``
decodes a stream with one set of keys, reusing its frame; ``decode_frames`` gives the records of many frames as a
pandas DataFrame. Bytes that are not a valid frame are a result (``{"ok": False, "error": {...}}``), never an
exception; a bad argument (an unknown protocol, a bad key, hex text that is not hex) raises
:class:`kvant.ConfigError` or :class:`kvant.ParseError`.
"""

import json
import os

from . import _kvant

__all__ = ["decode", "Decoder", "decode_frames"]

_COLUMNS = ["frame", "manufacturer", "id", "quantity", "unit", "value", "value_float", "function", "storage",
            "tariff", "subunit", "obis", "name", "class_id", "attribute", "scaler", "raw"]


def _keys_text(keys):
    """Keys as the library reads them: ``ID=HEX`` lines. ``keys`` is None, a mapping of meter (an id such as
    "12345678" or an address "mbus:KAM-12345678-01-07") to 32 hex digits (or 16 bytes), or the text of a keys
    file (``ID=HEX`` lines, ``#`` comments), or a path to one."""
    if keys is None:
        return ""
    if isinstance(keys, os.PathLike):
        with open(keys, encoding="utf-8") as f:
            return f.read()
    if isinstance(keys, str):
        return keys
    lines = []
    for meter, key in dict(keys).items():
        if isinstance(key, (bytes, bytearray, memoryview)):
            key = bytes(key).hex()
        lines.append(f"{meter}={key}")
    return "\n".join(lines) + "\n"


class Decoder:
    """A decoder of one protocol ("mbus", "wmbus", "iec62056-21", "dlms" or "hdlc") with its keys (see
    :func:`decode`), the CRC mode of wireless telegrams (``crc``: "detect", "present" or "absent") and the
    block check of IEC 62056-21 messages (``dialect``: "detect", "standard" XOR or "energomera" sum mod 128).
    It keeps one decoded frame and reuses it; it remembers the formats of the full wireless frames it has
    decoded, so that the compact frames after them decode, and a DLMS conversation's session (the requests
    that name the answers' objects, scaler_units, capture objects, partial segments and blocks): one decoder a
    meter's conversation, :meth:`restart` for a new association. Its calls take turns (thread-safe); each
    releases the GIL while it decodes."""

    def __init__(self, protocol="mbus", keys=None, crc="detect", dialect="detect"):
        self._d = _kvant.Decoder(protocol, _keys_text(keys), crc, dialect)

    def restart(self):
        """Forgets a DLMS session's partial transfers and pending requests, keeping its scaler_units and
        capture objects."""
        self._d.restart()

    @property
    def protocol(self):
        return self._d.protocol

    def add_key(self, meter, key):
        """Adds (or replaces) the AES-128 key of a meter (an id or a device address): 32 hex digits or 16
        bytes. A bad key raises :class:`kvant.ParseError`, whose message never repeats the key."""
        if isinstance(key, (bytes, bytearray, memoryview)):
            key = bytes(key).hex()
        self._d.add_key(meter, key)

    def decode(self, data):
        """One frame (bytes, bytearray, memoryview, or hex text with spaces allowed) as the dict of
        ``kvant decode``'s JSON line: ``{"ok": True, "protocol", "manufacturer", "id", "version", "medium",
        "access_number", "status", "records": [{"quantity", "unit", "value", "function", "storage", "tariff",
        "subunit", "raw"}, ...], ...}`` or ``{"ok": False, "error": {"status", "offset", "message"}}``. Values are
        exact decimal text ("-12.34"), never floats."""
        return json.loads(self._d.decode_json(data))

    def decode_frames(self, frames, errors="ignore"):
        """The records of many frames as a pandas DataFrame, one row a record, in order: ``frame`` (the frame's
        index in ``frames``), ``manufacturer``, ``id``, ``quantity``, ``unit``, ``value`` (exact decimal text, or
        ISO date/time, text, hex), ``value_float`` (a convenience only: the nearest float64 of a number's exact
        text, NaN for dates, text and bytes; use ``value`` for anything that must be exact), ``function``,
        ``storage``, ``tariff``, ``subunit``, ``obis`` (IEC and DLMS: the OBIS code, else None), ``name`` (an IEC
        data set's address as written, else None), ``class_id`` and ``attribute`` (DLMS; 0 when unknown),
        ``scaler`` (the scaler applied to a DLMS register value, else None), ``raw`` (the record's bytes as
        hex).

        Frames that do not decode have no rows; they are listed in ``df.attrs["errors"]`` (dicts of ``frame``,
        ``status``, ``offset``, ``message``) with ``errors="ignore"`` (the default), or the first raises
        :class:`kvant.DecodeError` with ``errors="raise"``."""
        import pandas as pd

        if errors not in ("ignore", "raise"):
            from .errors import ConfigError

            raise ConfigError(f"[kvant.config.401] errors '{errors}': ignore or raise", 401)
        cols = self._d.records(frames)
        failed = cols.pop("errors")
        if failed and errors == "raise":
            from .errors import DecodeError

            e = failed[0]
            raise DecodeError(f"[kvant.decode.500] frame {e['frame']}: {e['status']}: {e['message']}", 500)
        df = pd.DataFrame({c: cols[c] for c in _COLUMNS})
        for c in ("frame", "storage", "tariff", "subunit", "class_id", "attribute"):
            df[c] = df[c].astype("int64")
        df.attrs["errors"] = failed
        return df


def decode(data, protocol="mbus", keys=None, crc="detect", dialect="detect"):
    """Decodes one frame: ``data`` is bytes (bytearray, memoryview) or hex text (spaces allowed);
    ``protocol`` "mbus" (wired M-Bus) or "wmbus" (wireless M-Bus); ``keys`` the AES keys of encrypted wireless
    meters: a mapping of meter (id "12345678" or address "mbus:KAM-12345678-01-07") to 32 hex digits, or
    ``ID=HEX`` lines, or a path to a keys file; ``crc`` whether wireless telegrams still carry their link layer
    CRCs ("detect", "present", "absent"); ``dialect`` the IEC 62056-21 block check ("detect", "standard",
    "energomera"). Returns the dict of ``kvant decode``'s JSON line for the frame (see
    :meth:`Decoder.decode`). A frame that does not decode is ``{"ok": False, "error": {...}}``, not an
    exception."""
    return Decoder(protocol, keys, crc, dialect).decode(data)


def decode_frames(frames, protocol="mbus", keys=None, crc="detect", errors="ignore", dialect="detect"):
    """The records of an iterable of frames as a pandas DataFrame (see :meth:`Decoder.decode_frames`). The
    frames are one conversation (a DLMS request names its answer's object)."""
    return Decoder(protocol, keys, crc, dialect).decode_frames(frames, errors=errors)
