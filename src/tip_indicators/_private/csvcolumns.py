"""Reading a large, regular CSV file column-wise with polars, physical lines kept.

The record-by-record reader (:mod:`~tip_indicators._private.csvrecords`) is exact on any text,
but is Python per row. A file that is regular can be parsed by polars in one call instead,
each row's physical line being its position plus the lines above it. Regular means: UTF-8 with
no NUL bytes, no carriage returns other than in CRLF line ends (what spreadsheet programs
write), no blank lines, no quoted field spanning lines, and every row as wide as the header.
Anything else returns None, and the reader goes the exact way, which reports ragged rows, keeps
physical lines right across quoted line breaks and says why text cannot be decoded. The bytes
are parsed as they are (a large file is not decoded to text first); the separators, quotes and
line breaks counted are ASCII, which no other UTF-8 character contains.
"""

from __future__ import annotations

import codecs
import re

import polars as pl

from tip_indicators._private.csvrecords import csv_records
from tip_indicators._private.textfile import ReadLimits

__all__ = ["REGULAR_BYTES", "regular_columns", "regular_header", "regular_start"]

REGULAR_BYTES = 1024 * 1024
"""Files at least this large are parsed column-wise when they are regular; smaller ones are
read record by record, which costs them little. Property tests hold the two paths to the same
results."""
_QUOTED = re.compile(rb'"[^"]*"')


def regular_start(data: bytes) -> int | None:
    """Where the text of ``data`` starts (after a UTF-8 byte-order mark), or None when its
    size or bytes already rule out the column-wise parse (smaller than :data:`REGULAR_BYTES`,
    NUL, a lone carriage return, UTF-16)."""
    if len(data) < REGULAR_BYTES:
        return None
    if b"\x00" in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    return len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0


def regular_header(data: bytes, path: str, limits: ReadLimits) -> tuple[list[str], int] | None:
    """The header's fields and the position of the line break that ends it, when ``data`` may
    be parsed column-wise (see :func:`regular_start`) and its first line is one record with
    rows below it; else None. Only the header is decoded here: the rows are left to
    :func:`regular_columns`, and the file is not copied."""
    begin = regular_start(data)
    if begin is None:
        return None
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    start = data.find(b"\n", begin)
    if start == -1 or start >= end:
        return None
    try:
        first = data[begin:start].decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError:
        return None
    records = list(csv_records(first, path, limits))
    if len(records) != 1:
        return None
    return records[0][1], start


def regular_columns(
    data: bytes, header: list[str], header_end: int, limits: ReadLimits
) -> pl.DataFrame | None:
    """The rows below the header as text columns named by ``header``, with each row's physical
    ``line``, or None when the file is not regular. ``header_end`` is the position of the line
    break that ends the header's line; no quoted field above it spans lines.

    Long because the checks that the file is regular and the column-wise parse share the raw bytes
    and the counts made of them.
    """
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    if header_end >= end:
        return None
    above = data.count(b"\n", 0, header_end) + 1
    # polars sizes its rows by the first one: a first row wider than the header (a line of
    # millions of commas) would be a frame of millions of columns. Such a file is left to the
    # record reader, which counts a wide line's fields without splitting it.
    second = data.find(b"\n", header_end + 1)
    first_row = data[header_end + 1 : end if second == -1 else second]
    if b'"' in first_row:
        # Quoted text, doubled quotes included, holds no separator.
        first_row = _QUOTED.sub(b"", first_row)
    if first_row.count(b",") >= len(header):
        return None
    rows = data.count(b"\n", header_end + 1, end) + 1
    quoted = data.find(b'"', header_end + 1) != -1
    # The data always ends in a line break: without one, polars takes a separator at the very
    # end for the end of the row, not for one more (empty) field, and a row too wide would pass.
    if end == len(data):
        data += b"\n"
    try:
        # A row wider than the header is an error here, so no row has too many separators.
        # So is text that is not UTF-8.
        frame = pl.read_csv(
            data,
            has_header=False,
            skip_lines=above,
            new_columns=header,
            infer_schema=False,
            quote_char='"' if quoted else None,
            empty_string_is_null=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != rows:
        # A quoted field spans lines: physical lines are not rows.
        return None
    width = len(header)
    # A row narrower than the header (a blank line too) has its last field empty: polars fills
    # the fields it lacks with empty text. So when no row's last field is empty, every row is
    # as wide as the header, and the file's commas need not be counted.
    lengths = frame.select(
        pl.all().str.len_bytes().max(),
        pl.nth(width - 1).str.len_bytes().min().alias("_shortest last"),
    ).row(0)
    if max((length for length in lengths[:width] if length is not None), default=0) > (
        limits.max_field_bytes
    ):
        return None
    if not lengths[width]:
        # Every comma separates fields or sits inside a value. No row has more than width - 1
        # separators, so every row is exactly as wide as the header when all of them together
        # number rows x (width - 1); a narrower row, or a blank line, would leave the sum short.
        # Without quotes no value holds a comma. Per column, then across: a sum across
        # columns would be a column of its own.
        inside = (
            sum(frame.select(pl.all().str.count_matches(",", literal=True).sum()).row(0))
            if quoted
            else 0
        )
        if data.count(b",", header_end + 1) - inside != rows * (width - 1):
            return None
    return frame.with_columns(
        pl.int_range(above + 1, above + rows + 1, dtype=pl.Int64).alias("line")
    )
