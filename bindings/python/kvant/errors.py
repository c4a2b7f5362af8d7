"""The exceptions of kvant: one root, :class:`Error`, with the library's stable code.

Every C++ ``kvant::error`` becomes one of these, by class: ``parse_error`` → :class:`ParseError`,
``validation_error`` → :class:`ValidationError`, ``storage_error`` → :class:`StorageError`, ``config_error`` →
:class:`ConfigError`, ``decode_error`` → :class:`DecodeError`; the arithmetic overflow (code 204, a
validation error) → :class:`OverflowError`, which is also a Python ``ArithmeticError``. The message keeps the
library's ``[kvant.<area>.<code>]`` prefix and names what and where.
"""

import builtins

__all__ = ["Error", "ParseError", "ValidationError", "StorageError", "ConfigError", "DecodeError",
           "OverflowError"]


def _area(code):
    if code < 200:
        return "parse"
    if code < 300:
        return "validation"
    if code < 400:
        return "storage"
    if code < 500:
        return "config"
    return "decode"


class Error(Exception):
    """A kvant error.

    Attributes: ``code`` (the stable ``kvant::errc`` number, e.g. 110 for a CSV syntax error), ``area``
    ("parse", "validation", "storage", "config" or "decode"), ``file`` and ``line`` (where a parse error was
    found; "" and 0 otherwise).
    """

    def __init__(self, message, code=0, file="", line=0):
        super().__init__(message)
        self.code = int(code)
        self.area = _area(self.code)
        self.file = file
        self.line = int(line)


class ParseError(Error):
    """Text that does not say what it should (codes 100..199); ``file`` and ``line`` say where."""


class ValidationError(Error):
    """Well-formed data that contradicts itself or the store (codes 200..299)."""


class StorageError(Error):
    """The store failed, or was closed (codes 300..399)."""


class ConfigError(Error):
    """A bad option or usage (codes 400..499)."""


class DecodeError(Error):
    """A meter protocol frame that cannot be decoded (codes 500..599)."""


class OverflowError(ValidationError, builtins.ArithmeticError):  # noqa: A001 (kvant.OverflowError)
    """An exact result outside the range of int64 millionths (code 204)."""
