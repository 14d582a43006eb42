"""Data text made safe to show a person: control characters written as escapes.

A cell, a code or a file name can hold a line break, an ESC sequence or a bidirectional
override. Shown raw in a report, it could forge report lines (a fake ``0 errors`` summary),
recolour or clear a terminal, or reorder what a reader sees. Every human-facing renderer passes
the data text it shows through :func:`shown`, which writes such characters as Python-style
escapes (``\\n``, ``\\x1b``, ``\\u202e``); the report's own line breaks and colours are added
after, outside the data.
"""

from __future__ import annotations

import re

__all__ = ["file_name", "shown"]

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


def file_name(path: str) -> str:
    """``path`` as text any UTF-8 file can hold: bytes of a name that is not UTF-8 (lone
    surrogates, as Python decodes them) written as ``\\udcff`` escapes."""
    return path.encode("utf-8", "backslashreplace").decode("utf-8")
