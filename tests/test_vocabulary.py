"""Tests of tip_indicators._private.vocabulary: the polars folds, and the stages of the join."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spellings import assert_joined_as_resolved, texts
from tip_indicators import ages, nationalities
from tip_indicators._private.nearest import closest
from tip_indicators._private.vocabulary import (
    PYTHON_SPACE,
    Vocabulary,
    fold_label,
    fold_name,
    map_texts,
    trimmed,
    vocabulary,
)
from tip_indicators.codelists import normalise_label
from tip_indicators.errors import CodeError

ASCII = st.text(alphabet=st.characters(max_codepoint=127))
_FOLDED = {"alpha": ("A",), "beta": ("B",), "both": ("A", "B")}


def _apply(expression: pl.Expr, text: str) -> str:
    return str(pl.select(expression).item())


def test_python_space_is_what_str_strip_takes() -> None:
    """PYTHON_SPACE holds exactly the characters str.isspace calls white space."""
    assert set(PYTHON_SPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


@given(st.text())
def test_trimmed_trims_as_str_strip(text: str) -> None:
    """The polars trim of any text is str.strip's."""
    assert _apply(trimmed(pl.lit(text, pl.String)), text) == text.strip()


@given(ASCII)
def test_fold_label_folds_ascii_as_normalise_label(text: str) -> None:
    """For ASCII text the polars label fold is normalise_label, and the age labels' fold."""
    folded = _apply(fold_label(pl.lit(text, pl.String)), text)
    assert folded == normalise_label(text)
    assert folded == ages._normalise(text)


@given(ASCII)
def test_fold_name_folds_ascii_as_nationality_names(text: str) -> None:
    """For ASCII text the polars name fold is the fold resolve_nationality matches names by."""
    assert _apply(fold_name(pl.lit(text, pl.String)), text) == nationalities._fold(text)


def test_fold_name_reads_st_and_drops_the() -> None:
    """ "St. Kitts & the Nevis" folds to "saint kitts and nevis"."""
    assert _apply(fold_name(pl.lit("St. Kitts & the Nevis")), "") == "saint kitts and nevis"


def _toy(calls: list[str]) -> Vocabulary:
    """Codes A and B, their names, a label meaning both, and organisation codes X.<NAME>."""

    def resolve(text: str) -> Sequence[str]:
        calls.append(text)
        stripped = text.strip()
        if stripped in {"A", "B"} or (stripped.startswith("X.") and stripped[2:].isupper()):
            return (stripped,)
        key = normalise_label(stripped)
        if key in _FOLDED:
            return _FOLDED[key]
        raise CodeError("toy", text, closest(key, list(_FOLDED)))

    return vocabulary(
        resolve, ["A", "B", "Alpha"], folded=_FOLDED, fold=fold_label, itself=r"X\.[A-Z]+"
    )


def test_each_stage_maps_what_it_knows_and_python_the_rest_once() -> None:
    """Spellings, own codes and folded labels are joined; other texts are resolved once each."""
    calls: list[str] = []
    toy = _toy(calls)
    calls.clear()
    values = ["A", "A", " beta ", "BOTH", "X.ORG", "Alpha", "Bêta", "gamma", "gamma", " A"]
    mapped = map_texts(pl.Series(values), toy)
    assert dict(mapped.codes.iter_rows()) == {
        "A": ["A"],
        " beta ": ["B"],
        "BOTH": ["A", "B"],
        "X.ORG": ["X.ORG"],
        "Alpha": ["A"],
        " A": ["A"],
    }
    assert sorted(mapped.errors) == ["Bêta", "gamma"]
    assert mapped.errors["Bêta"].suggestion == "beta"
    assert sorted(calls) == [" A", "Bêta", "gamma"]


def test_a_spelling_resolve_refuses_is_left_to_it() -> None:
    """A listed spelling that resolve refuses is never decided by the folded table."""
    calls: list[str] = []

    def resolve(text: str) -> Sequence[str]:
        calls.append(text)
        if text == "refused":
            raise CodeError("toy", text)
        return ("R",)

    refusing = vocabulary(resolve, ["refused"], folded={"refused": ("R",)}, fold=fold_label)
    mapped = map_texts(pl.Series(["refused", "REFUSED"]), refusing)
    assert list(mapped.errors) == ["refused"]
    assert dict(mapped.codes.iter_rows()) == {"REFUSED": ["R"]}


@pytest.mark.parametrize("values", [[], [None]])
def test_no_text_maps_to_nothing(values: list[str | None]) -> None:
    """An empty or all-null column maps no text and raises nothing."""
    mapped = map_texts(pl.Series(values, dtype=pl.String), _toy([]))
    assert mapped.codes.height == 0
    assert mapped.errors == {}


@given(texts(["A", "B", "Alpha", "beta", "Both", "X.ORG", "X.Org"]))
def test_the_join_maps_as_resolve_does(values: list[str]) -> None:
    """For any texts, the join gives each the codes resolve gives it, or resolve's error."""
    assert_joined_as_resolved(values, _toy([]))
