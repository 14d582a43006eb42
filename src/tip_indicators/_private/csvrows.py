"""Writing text columns as CSV rows exactly as the csv module writes them, column-wise.

The package's CSV writers (long CSV, SDMX-CSV) write what ``csv.writer`` with LF line ends
writes: a field is quoted when it holds a comma, a double quote or a line feed, quotes inside
doubled, and a missing value is an empty field. A lone carriage return is not quoted by the csv
module yet read as a line end by most readers, so a row holding one is quoted whole. polars
writes the same bytes for rows without a carriage return once empty texts are made missing (it
would quote an empty text), in a fraction of the time of a Python call per row; a frame with a
carriage return anywhere is written row by row.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import IO, Final

import polars as pl

__all__ = ["BATCH_ROWS", "write_csv_rows"]

BATCH_ROWS: Final = 100_000
"""Rows made into text at a time: the text of a million rows is not held at once."""


def write_csv_rows(handle: IO[str], header: Sequence[str], rows: pl.DataFrame) -> None:
    """Write ``header``, then the rows of ``rows`` (text columns, in order)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    texts = rows.select(pl.all().cast(pl.String))
    if (
        texts.width < 2
        or texts.select(pl.any_horizontal(pl.all().str.contains("\r", literal=True).any())).item()
    ):
        _write_each(handle, texts)
        return
    plain = texts.with_columns(pl.all().replace("", None))
    for start in range(0, plain.height, BATCH_ROWS):
        handle.write(
            plain.slice(start, BATCH_ROWS).write_csv(
                include_header=False, quote_style="necessary", line_terminator="\n"
            )
        )


def _write_each(handle: IO[str], texts: pl.DataFrame) -> None:
    """Write the rows one at a time with the csv module, a row holding a carriage return
    quoted whole (and a one-column row as the csv module writes an empty one: ``""``)."""
    writer = csv.writer(handle, lineterminator="\n")
    quoting = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in texts.iter_rows():
        cells = ["" if cell is None else cell for cell in row]
        (quoting if any("\r" in cell for cell in cells) else writer).writerow(cells)
