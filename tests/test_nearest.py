"""Tests of tip_indicators._private.nearest: the "did you mean" scorer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators._private.nearest import DEFAULT_CUTOFF, STRICT_CUTOFF, closest


@pytest.mark.parametrize(
    ("text", "options", "cutoff", "found"),
    [
        ("Femal", ["Female", "Male"], DEFAULT_CUTOFF, "Female"),
        ("OBS_VALUES", ["OBS_VALUE", "OBS_STATUS"], DEFAULT_CUTOFF, "OBS_VALUE"),
        ("zebra", ["F", "M", "_T"], DEFAULT_CUTOFF, None),
        ("fem", ["female"], STRICT_CUTOFF, None),
        ("fem", ["female"], 0.6, "female"),
        ("anything", [], 0.0, None),
    ],
)
def test_the_closest_option_above_the_cutoff_is_found(
    text: str, options: list[str], cutoff: float, found: str | None
) -> None:
    """The most similar option is returned when it is at least ``cutoff`` alike, else None."""
    assert closest(text, options, cutoff=cutoff) == found


def test_equal_scores_go_to_the_option_that_sorts_last() -> None:
    """Between options as alike as each other, the one that sorts last wins, whatever the order."""
    assert closest("korean", ["jordan", "south korean"]) == "south korean"
    assert closest("korean", ["south korean", "jordan"]) == "south korean"


@given(st.text(max_size=8), st.lists(st.text(max_size=8), min_size=1, max_size=6))
def test_a_cutoff_of_zero_always_finds_an_option(text: str, options: list[str]) -> None:
    """With no cutoff some option is always named, and it is one of the options."""
    assert closest(text, options, cutoff=0) in options


@given(st.text(min_size=1, max_size=8), st.lists(st.text(max_size=8), max_size=6))
def test_an_option_equal_to_the_text_is_found(text: str, options: list[str]) -> None:
    """The text itself, when among the options, is the closest."""
    assert closest(text, [*options, text]) == text
