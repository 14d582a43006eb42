"""Spreadsheet-safe cells: text a spreadsheet would run as a formula is written with a ``'``.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by
spreadsheet programs for a formula (CSV injection). Every writer of a file meant for a spreadsheet
(long CSV, SDMX-CSV, the xlsx workbook, aggregates) writes such a cell with one ``'`` in front,
unless the cell is a plain number (``-5`` stays a number). So that the escape is reversible, a
cell whose leading ``'`` characters are followed by such a start gets one more ``'``; the readers
take one ``'`` off exactly those cells, so any text reads back as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

__all__ = ["escape_cell", "escape_columns", "unescape_cell", "unescape_columns"]

_TRIGGER = r"^'*[=+\-@\t\r]"
_NUMBER = r"^'*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_TRIGGER_RE = re.compile(_TRIGGER)
_NUMBER_RE = re.compile(_NUMBER)


def _needs_quote(text: str) -> bool:
    return bool(_TRIGGER_RE.match(text)) and not _NUMBER_RE.match(text)


def escape_cell(text: str) -> str:
    """``text`` as it is written to a spreadsheet-bound file (see the module)."""
    return "'" + text if _needs_quote(text) else text


def unescape_cell(text: str) -> str:
    """The text of a written cell: :func:`escape_cell` undone."""
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text


def _quoted(column: pl.Expr) -> pl.Expr:
    return column.str.contains(_TRIGGER) & ~column.str.contains(_NUMBER)


def escape_columns(frame: pl.DataFrame, columns: Iterable[str] | None = None) -> pl.DataFrame:
    """``frame`` with its text ``columns`` (default: every text column) escaped."""
    names = [
        c for c in (frame.columns if columns is None else columns) if frame.schema[c] == pl.String
    ]
    return frame.with_columns(
        pl.when(_quoted(pl.col(c))).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in names
    )


def unescape_columns(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """``frame`` with :func:`unescape_cell` applied to its text ``columns``."""
    text = [c for c in columns if c in frame.columns and frame.schema[c] == pl.String]
    if not text:
        return frame
    # only the columns with a cell that starts with ' can hold an escape; most files have none
    marked = frame.select(pl.col(text).str.starts_with("'").any()).row(0)
    names = [c for c, any_marked in zip(text, marked, strict=True) if any_marked]
    if not names:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.starts_with("'") & _quoted(pl.col(c).str.slice(1)))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c in names
    )
