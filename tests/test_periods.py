"""Tests for tip_indicators.periods: period codes, their order and their default base periods."""

from __future__ import annotations

import pickle

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators.errors import CodeError
from tip_indicators.periods import (
    PERIOD_PATTERN,
    Period,
    frequency_expr,
    parse_period,
    period_sort_key,
    previous_year_expr,
)


@st.composite
def periods(draw: st.DrawFn, frequency: str | None = None) -> Period:
    """Any valid period (a year, half-year, quarter or month), of ``frequency`` if given."""
    year = draw(st.integers(1, 9999))
    frequency = frequency or draw(st.sampled_from("ASQM"))
    last = {"A": 1, "S": 2, "Q": 4, "M": 12}[frequency]
    return Period(year, frequency, draw(st.integers(1, last)))


@pytest.mark.parametrize(
    ("text", "year", "frequency", "index"),
    [
        ("2010", 2010, "A", 1),
        ("2024-S1", 2024, "S", 1),
        ("2024-S2", 2024, "S", 2),
        ("2010-Q1", 2010, "Q", 1),
        ("2010-Q4", 2010, "Q", 4),
        ("2010-01", 2010, "M", 1),
        ("2010-12", 2010, "M", 12),
    ],
)
def test_valid_periods_parse(text: str, year: int, frequency: str, index: int) -> None:
    """Years, half-years, quarters and months parse to year, frequency and index."""
    period = parse_period(text)
    assert (period.year, period.frequency, period.index) == (year, frequency, index)
    assert period.code == str(period) == text


@pytest.mark.parametrize(
    "text",
    ["2010-Q5", "2010-Q0", "2010-13", "2010-00", "2010-S3", "2010-1", "10", "201", "2010-", "Q1"],
)
def test_impossible_periods_are_rejected(text: str) -> None:
    """Quarters past 4, months past 12 and malformed codes raise CodeError."""
    with pytest.raises(CodeError) as error:
        parse_period(text)
    assert (error.value.codelist, error.value.code, error.value.suggestion) == (
        "period",
        text,
        None,
    )


def test_period_with_stray_spaces_suggests_the_trimmed_code() -> None:
    """A period with surrounding spaces is refused with the trimmed code as a hint."""
    with pytest.raises(CodeError) as error:
        parse_period(" 2010-Q1 ")
    assert error.value.suggestion == "2010-Q1"


@pytest.mark.parametrize(
    ("text", "previous"),
    [("2010", "2009"), ("2024-S1", "2023-S1"), ("2010-Q1", "2009-Q1"), ("2010-01", "2009-01")],
)
def test_previous_year_is_the_same_period_a_year_earlier(text: str, previous: str) -> None:
    """The default base of a change is the same period one year earlier."""
    assert parse_period(text).previous_year == parse_period(previous)


def test_periods_of_one_frequency_follow_the_calendar() -> None:
    """Quarters order by year, then quarter."""
    codes = ["2011-Q1", "2010-Q4", "2010-Q1", "2010-Q2"]
    assert [p.code for p in sorted(map(parse_period, codes))] == [
        "2010-Q1",
        "2010-Q2",
        "2010-Q4",
        "2011-Q1",
    ]


def test_periods_are_frozen_and_picklable() -> None:
    """A Period is an immutable, hashable value that survives pickling."""
    period = parse_period("2010-Q3")
    assert pickle.loads(pickle.dumps(period)) == period
    assert len({period, parse_period("2010-Q3")}) == 1
    with pytest.raises(AttributeError):
        period.year = 2011  # type: ignore[misc]


@given(periods())
def test_code_parses_back_to_the_period(period: Period) -> None:
    """Every period's code parses back to the same period."""
    assert parse_period(period.code) == period


@given(
    st.from_regex(r"[0-9]{4}(-([QS0-9][0-9]?))?\n?", fullmatch=True)
    | st.text(st.sampled_from("0123456789-QSM \n"), max_size=8)
    | st.text(max_size=8)
)
def test_pattern_and_parser_agree(text: str) -> None:
    """PERIOD_PATTERN, used column-wise, accepts exactly what parse_period accepts."""
    try:
        parse_period(text)
    except CodeError:
        accepted = False
    else:
        accepted = True
    column = pl.DataFrame({"period": [text]}).select(pl.col("period").str.contains(PERIOD_PATTERN))
    assert column.item() is accepted


@given(st.lists(periods(), min_size=1, max_size=20))
def test_column_helpers_agree_with_period(items: list[Period]) -> None:
    """The polars helpers give each period's frequency and previous year as Period does."""
    frame = pl.DataFrame({"period": [p.code for p in items]}).select(
        frequency_expr("period").alias("frequency"),
        previous_year_expr("period").alias("previous"),
        period_sort_key("period").alias("key"),
    )
    assert frame.get_column("frequency").to_list() == [p.frequency for p in items]
    assert frame.get_column("previous").to_list() == [p.previous_year.code for p in items]
    first_month = {"A": 0, "S": 6, "Q": 3, "M": 1}
    expected = [p.year * 12 + 1 + (p.index - 1) * first_month[p.frequency] for p in items]
    assert frame.get_column("key").to_list() == expected


@given(st.sampled_from("ASQM").flatmap(lambda f: st.tuples(periods(f), periods(f))))
def test_sort_key_orders_periods_as_period_does(pair: tuple[Period, Period]) -> None:
    """Within one frequency, the column sort key orders periods as Period's ordering does."""
    a, b = pair
    frame = pl.DataFrame({"period": [a.code, b.code]}).select(period_sort_key("period"))
    key_a, key_b = frame.to_series().to_list()
    assert (key_a < key_b) is (a < b)
    assert (key_a == key_b) is (a == b)
