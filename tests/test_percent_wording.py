"""Failed percentage changes are worded column-wise: percentages written to their stated
digits exactly as Python writes and rounds them, and decimal points moved as a person keys
them."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import example, given
from hypothesis import strategies as st

from tip_indicators._engine.percent_wording import _fixed, moved_points

PERCENTAGES = st.one_of(
    st.floats(-1e12, 1e12, allow_nan=False),
    st.integers(-(10**6), 10**6).map(lambda n: n / 8),  # exact binary halves and eighths
    st.integers(-(10**7), 10**7).map(lambda n: n / 1000),  # decimal ties, inexact in binary
    st.sampled_from([0.0, -0.0, 2.675, 1.005, -0.001, 0.5, -0.5, 2.5, 1e-12, float("inf")]),
)


@example(values=[2.675, 1.005, 0.125, -0.0, -0.004, 0.015, 0.025, -0.155, 1.115], decimals=2)
@given(st.lists(PERCENTAGES, min_size=1, max_size=30), st.integers(0, 4))
def test_percentages_are_written_and_rounded_as_python_does(
    values: list[float], decimals: int
) -> None:
    texts, numbers = _fixed(
        pl.Series(values, dtype=pl.Float64), pl.Series([decimals] * len(values))
    )
    assert texts.to_list() == [f"{v:.{decimals}f}" for v in values]
    expected = [round(v, decimals) if abs(v) != float("inf") else None for v in values]
    found = numbers.to_list()
    assert [str(x) for x in found] == [str(x) for x in expected]  # -0.0 and 0.0 told apart


def _moved(written: str, shift: int) -> list[str | None]:
    frame = pl.LazyFrame({"written": [written], "shift": [shift]})
    return moved_points(frame).collect().get_column("meant").to_list()


WRITTEN = st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{1,4})?", fullmatch=True)


@given(WRITTEN, st.sampled_from([1, -1, 2, -2]))
def test_a_moved_point_scales_the_figure_and_is_keyed_plainly(written: str, shift: int) -> None:
    """The point moved right by ``shift`` places multiplies the figure by ten to that power;
    the text has no leading zeros but one before the point and no point at its end."""
    (moved,) = _moved(written, shift)
    assert moved is not None
    assert Decimal(moved) == Decimal(written).scaleb(shift)
    unsigned = moved.removeprefix("-")
    whole, point, fraction = unsigned.partition(".")
    assert whole == "0" or not whole.startswith("0")
    assert not point or fraction
    assert moved.startswith("-") == written.startswith("-")
    # the digits keyed are the same, only the point moved (zeros added where it left them)
    assert unsigned.replace(".", "").strip("0") == written.lstrip("-").replace(".", "").strip("0")


@given(st.sampled_from(["", ".", "1.2.3", "1e5", "12a", "--3"]), st.sampled_from([1, -2]))
def test_a_text_that_is_not_digits_has_no_point_to_move(written: str, shift: int) -> None:
    assert _moved(written, shift) == [None]
