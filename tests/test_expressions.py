"""Tests of the profile rule expression language: grammar, round trip and rejection."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators.cli import main
from tip_indicators.errors import DefinitionError
from tip_indicators.expressions import (
    MAX_NESTING,
    Comparison,
    Number,
    Selection,
    Total,
    format_expression,
    parse_expression,
)

INDICATORS = st.sampled_from(["victims_received", "persons_convicted", "persons_prosecuted"])
FILTERS = st.lists(
    st.tuples(
        st.sampled_from(["sex", "age", "destination"]),
        st.sampled_from(["_T", "F", "Y_LT18", "NGO.AFESIP", "*", "NGO.*"]),
    ),
    max_size=2,
    unique_by=lambda pair: pair[0],
).map(tuple)
SELECTIONS = st.builds(Selection, INDICATORS, FILTERS, st.booleans())
NUMBERS = st.integers(min_value=0, max_value=10_000).map(lambda n: Number(float(n)))


def _totals(leaf: st.SearchStrategy[Number | Selection | Total]) -> st.SearchStrategy[Total]:
    return st.lists(leaf, min_size=1, max_size=3).flatmap(
        lambda terms: st.lists(
            st.sampled_from([1, -1]), min_size=len(terms), max_size=len(terms)
        ).map(lambda signs: Total(tuple(terms), (1, *signs[1:])))
    )


TERMS = st.recursive(st.one_of(SELECTIONS, NUMBERS), _totals, max_leaves=6)
RULES = st.builds(
    Comparison,
    _totals(TERMS),
    st.sampled_from(["==", "<=", ">=", "<", ">"]),
    _totals(TERMS),
)


def test_parses_the_design_examples() -> None:
    """The two rules of the coalition issue parse into selections and sums."""
    rule = parse_expression(
        "victims_received[destination=_T] == sum(victims_received[destination=*])"
    )
    assert rule.comparator == "=="
    assert rule.left.terms == (Selection("victims_received", (("destination", "_T"),)),)
    assert rule.right.terms == (Selection("victims_received", (("destination", "*"),), total=True),)
    bound = parse_expression("persons_convicted <= persons_prosecuted")
    assert bound.left.terms == (Selection("persons_convicted"),)
    assert bound.right.terms == (Selection("persons_prosecuted"),)


def test_reads_type_wildcards_and_several_filters() -> None:
    """``NGO.*`` and comma-separated filters are part of a selection."""
    rule = parse_expression("sum(a[destination=NGO.*, sex=F]) >= 0")
    (selection,) = rule.left.terms
    assert isinstance(selection, Selection)
    assert selection.filters == (("destination", "NGO.*"), ("sex", "F"))


@given(RULES)
def test_formatting_then_parsing_is_the_identity(rule: Comparison) -> None:
    """Parsing the canonical text of any rule gives the same rule back."""
    assert parse_expression(format_expression(rule)) == parse_expression(
        format_expression(parse_expression(format_expression(rule)))
    )
    text = format_expression(rule)
    assert format_expression(parse_expression(text)) == text


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('__import__("os").system("id") == 1', 12),
        ("a == b; c", 7),
        ("a = b", 3),
        ("a ==", 5),
        ("a[sex=F == b", 9),
        ("a == b)", 7),
        ("!!python/object:os.system a == 1", 1),
        ("Victims == 1", 1),
        ("lambda: 1 == 1", 7),
    ],
)
def test_rejects_text_outside_the_grammar_with_its_column(text: str, column: int) -> None:
    """Anything outside the grammar is a DefinitionError pointing at the offending column."""
    with pytest.raises(DefinitionError) as caught:
        parse_expression(text, source="profile.yaml", line=12)
    assert caught.value.line == 12
    assert caught.value.column == column


@given(st.text(alphabet="abc_[]=*,+-()<>=0123456789 .;'\"!{}", max_size=40))
def test_arbitrary_text_parses_or_raises_definition_error(text: str) -> None:
    """No input makes the parser raise anything but DefinitionError."""
    try:
        rule = parse_expression(text)
    except DefinitionError:
        return
    assert parse_expression(format_expression(rule)) == rule


def test_rejects_overlong_rules() -> None:
    """A rule longer than the limit is refused before it is tokenised."""
    with pytest.raises(DefinitionError, match="longer than"):
        parse_expression("a + " * 2000 + "a == 1")


def test_rejects_deep_parentheses_with_a_clear_error() -> None:
    """1,400 nested parentheses are a DefinitionError naming the limit, not a RecursionError."""
    with pytest.raises(DefinitionError, match="nested deeper than"):
        parse_expression("(" * 1400 + "a" + ")" * 1400 + " == 1")


def test_parentheses_up_to_the_limit_parse() -> None:
    """Nesting as deep as the limit is read, and one level more is refused."""
    assert isinstance(
        parse_expression("(" * MAX_NESTING + "a" + ")" * MAX_NESTING + " == 1"), Comparison
    )
    with pytest.raises(DefinitionError, match="nested deeper than"):
        parse_expression("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1) + " == 1")


def test_cli_refuses_a_profile_with_deep_parentheses_in_one_line(tmp_path: Path) -> None:
    """validate --profile with a 1,400-deep rule exits 2 with a one-line error, no traceback."""
    profile = tmp_path / "deep.yaml"
    rule = "(" * 1400 + "victims_identified" + ")" * 1400 + " >= 0"
    profile.write_text(
        f'profile: p\nversion: "1"\nrules:\n  - name: deep\n    expression: "{rule}"\n',
        encoding="utf-8",
    )
    data = tmp_path / "figures.csv"
    data.write_text("indicator,period,reporter,value\nvictims_identified,2010,KHM,4\n")
    error = io.StringIO()
    with contextlib.redirect_stderr(error):
        status = main(["validate", str(data), "--profile", str(profile)])
    assert status == 2
    assert len(error.getvalue().splitlines()) == 1
    assert "nested deeper than" in error.getvalue()
    assert "internal error" not in error.getvalue()
