"""CSV rows written column-wise are the bytes the csv module writes, row by row."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tip_indicators._private import csvrows
from tip_indicators._private.csvrows import write_csv_rows

PLAIN = st.text(
    st.sampled_from(["a", "7", ",", '"', "\n", " ", "é", "\t", "'", "=", ";", "\\", "\u2028"]),
    max_size=5,
)
# a carriage return now and then: the whole frame is then written row by row
CELLS = st.one_of(st.none(), PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN, st.just("x\ry"))


def by_the_csv_module(header: list[str], rows: list[list[str | None]]) -> str:
    """What the writers wrote before: the csv module row by row, a row holding a carriage
    return quoted whole."""
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    quoting = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        cells = ["" if cell is None else cell for cell in row]
        (quoting if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return handle.getvalue()


@example(rows=[[None], [""], ["x"]], batch=2)  # one empty field is written ""
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=12)
    ),
    st.integers(1, 5),
)
def test_rows_are_written_as_the_csv_module_writes_them(
    rows: list[list[str | None]], batch: int
) -> None:
    width = len(rows[0]) if rows else 3
    header = [f"c{k}" for k in range(width)]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(header, pl.String), orient="row")
    handle = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csvrows, "BATCH_ROWS", batch)
        write_csv_rows(handle, header, frame)
    assert handle.getvalue() == by_the_csv_module(header, rows)
