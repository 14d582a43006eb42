"""Hypothesis strategies for source texts: known spellings with the noise real files add.

A drawn text is a spelling from an alias table (or a code), perhaps re-cased, padded or split
with odd white space, given a slip of one letter, or arbitrary text.
:func:`assert_joined_as_resolved` holds the join-based mapping of a reader's vocabulary to its
value-by-value ``resolve``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from hypothesis import strategies as st

from tip_indicators._private.vocabulary import Vocabulary, map_texts
from tip_indicators.errors import CodeError

_SPACES = [" ", "  ", "\t", "\xa0", "\x1c", "\u2003", "\n"]


@st.composite
def noisy(draw: st.DrawFn, spellings: Sequence[str]) -> str:
    """A spelling from ``spellings`` with noise: case, spacing, a slip, or other text."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=12))
    text = draw(st.sampled_from(spellings))
    if draw(st.booleans()):
        text = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)
    if draw(st.booleans()):
        text = draw(st.sampled_from(_SPACES)).join(text.split(" "))
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", *_SPACES])) + text + draw(st.sampled_from(["", *_SPACES]))
    if text and draw(st.integers(0, 3)) == 0:
        index = draw(st.integers(0, len(text) - 1))
        slip = draw(st.sampled_from(["", "e", "'", "-", "é", "&", "_", ".", "1"]))
        text = text[:index] + slip + text[index + 1 :]
    return text


def texts(spellings: Sequence[str]) -> st.SearchStrategy[list[str]]:
    """Lists of noisy spellings, repeats included, as a column of a file holds them."""
    return st.lists(noisy(spellings), max_size=30)


def assert_joined_as_resolved(values: list[str], vocabulary: Vocabulary) -> None:
    """Mapping ``values`` by join gives each the codes ``resolve`` gives it, or its error."""
    mapped = map_texts(pl.Series(values, dtype=pl.String), vocabulary)
    joined = dict(mapped.codes.iter_rows())
    assert set(joined) | set(mapped.errors) == set(values)
    assert not set(joined) & set(mapped.errors)
    for value in set(values):
        assert _resolved(vocabulary, value) == (
            joined[value] if value in joined else str(mapped.errors[value])
        ), value


def _resolved(vocabulary: Vocabulary, value: str) -> list[str] | str:
    """The codes ``resolve`` gives ``value``, or the message of the error it raises."""
    try:
        return list(vocabulary.resolve(value))
    except CodeError as error:
        return str(error)
