"""Data text made safe to show a person: control characters written as escapes.

A cell, a code or a file name can hold a line break, an ESC sequence or a bidirectional
override. Shown raw in a report, it could forge report lines (a fake ``0 errors`` summary),
recolour or clear a terminal, or reorder what a reader sees. Every human-facing renderer passes
the data text it shows through :func:`shown`, which writes such characters as Python-style
escapes (``\\n``, ``\\x1b``, ``\\u202e``); the report's own line breaks and colours are added
after, outside the data. :func:`shown_column` does the same to a polars column.
"""

from __future__ import annotations

import itertools
import re

import polars as pl

__all__ = ["file_name", "shown", "shown_column"]

# C0 and C1 controls, DEL, line and paragraph separators, bidirectional controls, BOM, and lone
# surrogates (file names that are not UTF-8).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match[0]
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every character that could change how a report looks written escaped."""
    return _UNSAFE.sub(_escape, text)


# The characters _UNSAFE matches that a polars string can hold (every one but the surrogates).
_UNSAFE_CHARACTERS = [
    chr(code)
    for code in itertools.chain(
        range(0x00, 0x20),
        range(0x7F, 0xA0),
        (0x061C, 0x200E, 0x200F),
        range(0x2028, 0x202F),
        range(0x2066, 0x206A),
        (0xFEFF,),
    )
]
_ESCAPES = [shown(character) for character in _UNSAFE_CHARACTERS]


def shown_column(text: pl.Expr) -> pl.Expr:
    """:func:`shown` of each text of a column (a polars string holds no lone surrogate);
    null stays null."""
    return text.str.replace_many(_UNSAFE_CHARACTERS, _ESCAPES)


def file_name(path: str) -> str:
    """``path`` as text any UTF-8 file can hold: bytes of a name that is not UTF-8 (lone
    surrogates, as Python decodes them) written as ``\\udcff`` escapes."""
    return path.encode("utf-8", "backslashreplace").decode("utf-8")
