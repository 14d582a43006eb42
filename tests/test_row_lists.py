"""Lists of the figures a row cites: the same lists ``pl.concat_list`` makes."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators._engine.base import id_list

ids = st.none() | st.integers(0, 2**31 - 1)
types = st.sampled_from([pl.Int64(), pl.UInt32(), pl.Int32(), pl.Null()])
NAMES = ("a", "b", "c")


@given(
    st.lists(st.tuples(ids, ids, ids), max_size=30),
    st.integers(1, 3),
    st.tuples(types, types, types),
)
def test_id_lists_are_the_lists_concatenation_makes(
    rows: list[tuple[int | None, ...]], width: int, dtypes: tuple[pl.DataType, ...]
) -> None:
    """Each row's ids as a list of Int64, in the order of the columns, missing ones kept as
    nulls, whatever integer type (or none at all) each column has; no list for no row."""
    given_ = pl.DataFrame(rows, schema=dict.fromkeys(NAMES, pl.Int64), orient="row")
    frame = pl.DataFrame(
        [
            pl.Series(name, [None] * len(rows), pl.Null)
            if dtype == pl.Null()
            else given_.get_column(name).cast(dtype)
            for name, dtype in zip(NAMES, dtypes, strict=True)
        ]
    )
    names = list(NAMES[:width])
    made = frame.select(id_list(*names).alias("x")).to_series()
    assert made.dtype == pl.List(pl.Int64)
    assert made.len() == len(rows)
    expected = frame.select(pl.concat_list(names).cast(pl.List(pl.Int64)).alias("x"))
    assert made.equals(expected.to_series())
    assert made.to_list() == [list(row[:width]) for row in frame.rows()]
