"""Tests for tip_indicators.values: exact, grouped, censored and missing figures."""

from __future__ import annotations

import pickle

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators.errors import CodeError
from tip_indicators.values import Value, parse_value, read_values


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("<5", 0.0, 4.0),
        ("< 5", 0.0, 4.0),
        (" <10 ", 0.0, 9.0),
        ("<1", 0.0, 0.0),
    ],
)
def test_censored_count_is_the_interval_below_its_bound(text: str, low: float, high: float) -> None:
    """``<n`` means a count from 0 to n - 1."""
    value = parse_value(text)
    assert (value.low, value.high, value.decimals) == (low, high, None)
    assert value.is_censored is (low != high)
    assert not value.is_missing
    assert value.text == text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,041", 1041.0),
        ("127,053", 127053.0),
        ("12,345,678", 12345678.0),
        ("1,041.5", 1041.5),
        ("-1,041", -1041.0),
        ("0", 0.0),
        (" 42 ", 42.0),
    ],
)
def test_numbers_with_groups_of_three_are_read(text: str, number: float) -> None:
    """Plain numbers and numbers grouped in thousands by commas are exact values."""
    value = parse_value(text)
    assert (value.low, value.high) == (number, number)
    assert not value.is_censored


@pytest.mark.parametrize(
    ("text", "decimals"),
    [("68.04", 2), ("45.10", 2), ("5", 0), ("1,041.500", 3), ("-0.5", 1)],
)
def test_stated_decimals_are_counted(text: str, decimals: int) -> None:
    """The digits written after the point are counted, trailing zeros included."""
    assert parse_value(text).decimals == decimals


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_text_is_a_missing_value(text: str) -> None:
    """An empty or blank cell is a missing value, not zero."""
    value = parse_value(text)
    assert (value.low, value.high, value.decimals) == (None, None, None)
    assert value.is_missing
    assert not value.is_censored


@pytest.mark.parametrize(
    "text",
    [
        "1,04",
        "1,0411",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e308",
        "1E3",
        "+5",
        ".5",
        "5.",
        "<0",
        "<-1",
        "<<5",
        "<5.5",
        "about 6,000",
        "1" * 400,
        "<" + "9" * 400,
        "<" + "1" * 5000,
    ],
)
def test_unreadable_text_raises_code_error(text: str) -> None:
    """Text that is not a finite number or a censored count raises, naming the text."""
    with pytest.raises(CodeError) as error:
        parse_value(text)
    assert (error.value.codelist, error.value.code) == ("value", text)
    assert isinstance(error.value, KeyError)


@pytest.mark.parametrize(("text", "hint"), [("12 345", "12345"), ("12\u00a0345", "12345")])
def test_spaces_used_as_thousands_separators_get_a_hint(text: str, hint: str) -> None:
    """Space-grouped thousands are unreadable, with the number without spaces as a hint."""
    with pytest.raises(CodeError) as error:
        parse_value(text)
    assert error.value.suggestion == hint
    assert f"did you mean {hint!r}?" in str(error.value)


def test_ambiguous_comma_gets_no_hint() -> None:
    """``1,04`` could be a decimal comma or a typo, so no reading is suggested."""
    with pytest.raises(CodeError) as error:
        parse_value("1,04")
    assert error.value.suggestion is None


def test_values_are_frozen_and_picklable() -> None:
    """A Value is an immutable, hashable value object that survives pickling."""
    value = parse_value("<5")
    assert pickle.loads(pickle.dumps(value)) == value
    assert hash(value) == hash(Value("<5", 0.0, 4.0, None))
    with pytest.raises(AttributeError):
        value.low = 1.0  # type: ignore[misc]


value_texts = st.text(st.sampled_from("0123456789,.-<+ eE\u00a0nafi"), max_size=12) | st.from_regex(
    r"-?[0-9]{1,3}(,[0-9]{3}){0,3}(\.[0-9]{1,4})?|< ?[0-9]{1,3}", fullmatch=True
)


@given(st.lists(value_texts, min_size=1, max_size=20))
def test_column_reading_agrees_with_parse_value(texts: list[str]) -> None:
    """Reading a column of texts gives what parse_value gives for each, readable or not; a
    censored count (``<5``) and a range (``1..3``) are censored."""
    frame = read_values(pl.DataFrame({"value": texts}), "value")
    for text, row in zip(texts, frame.iter_rows(named=True), strict=True):
        try:
            value = parse_value(text)
        except CodeError:
            assert row["readable"] is False, text
            continue
        assert row["readable"] is True, text
        assert (row["low"], row["high"], row["decimals"]) == (
            value.low,
            value.high,
            value.decimals,
        ), text
        stripped = text.strip()
        assert row["censored"] is (stripped.startswith("<") or ".." in stripped), text


def test_column_reading_treats_null_as_missing() -> None:
    """A null cell reads as a missing value, like an empty one."""
    frame = read_values(pl.DataFrame({"value": [None, ""]}, schema={"value": pl.String}), "value")
    assert frame.select("low", "high", "readable").rows() == [(None, None, True)] * 2


def test_column_decimals_saturate() -> None:
    """A number with more decimals than a small integer holds reads, its decimals capped at 127."""
    frame = read_values(pl.DataFrame({"value": ["0." + "1" * 300]}), "value")
    assert frame.get_column("decimals").to_list() == [127]
    assert parse_value("0." + "1" * 300).decimals == 300


@given(st.integers(0, 10**12))
def test_grouped_and_plain_spellings_agree(number: int) -> None:
    """A whole number reads the same written plainly or grouped by thousands."""
    assert parse_value(f"{number:,}").low == parse_value(str(number)).low == float(number)


@given(st.integers(1, 10**6))
def test_censored_bound_excludes_itself(bound: int) -> None:
    """``<n`` covers exactly the n counts 0 .. n-1."""
    value = parse_value(f"<{bound}")
    assert value.low == 0.0
    assert value.high == bound - 1
