"""Figures in messages and JSON numbers written column-wise are written as one at a time."""

from __future__ import annotations

import json
import math

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators._engine.base import interval, interval_texts, number, number_texts
from tip_indicators.findings.citations import json_numbers

figures = (
    st.none()
    | st.floats()
    | st.integers(-(10**17), 10**17).map(float)
    | st.sampled_from([0.0, -0.0, 1e15, 2.0**53, -(2.0**53), 1e16, 999.5, 0.00005, 1234.56789])
    | st.sampled_from([1e-4, -1e-4, 9.99e-5, 1e16 - 2.0, 0.00015, -0.00025, 1.00005, 0.1 + 0.2])
    # fifths of the fourth place: ties and near-ties of rounding to four places
    | st.integers(-(10**9), 10**9).map(lambda n: n / 20_000)
    | st.floats(-1e-3, 1e-3)
)


@given(st.lists(figures, max_size=20))
def test_numbers_are_written_as_one_at_a_time(values: list[float | None]) -> None:
    """Whole numbers with thousands separators, fractions to four places, nothing as "?",
    infinity as "unbounded"; negative and huge numbers alike."""
    column = pl.Series(values, dtype=pl.Float64)
    assert number_texts(column).to_list() == [number(value) for value in values]


@given(st.lists(st.tuples(figures, figures), max_size=20))
def test_intervals_are_written_as_one_at_a_time(pairs: list[tuple[float | None, ...]]) -> None:
    """Exact figures as one number, censored ones as low..high, open ones as >= low."""
    low = pl.Series([a for a, _ in pairs], dtype=pl.Float64)
    high = pl.Series([b for _, b in pairs], dtype=pl.Float64)
    assert interval_texts(low, high).to_list() == [interval(a, b) for a, b in pairs]


@given(st.lists(figures, max_size=20))
def test_json_numbers_are_what_json_dumps_writes(values: list[float | None]) -> None:
    """Whole, fractional, negative zero, huge, non-finite (null) and missing numbers."""
    column = pl.Series(values, dtype=pl.Float64)
    expected = [
        "null" if value is None or not math.isfinite(value) else json.dumps(value)
        for value in values
    ]
    assert json_numbers(column).to_list() == expected
