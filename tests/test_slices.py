"""Tests for how breakdowns are cut into slices: the figures whose other key columns are equal.

Slices are found by sorting whole numbers made from the key columns, not by grouping on their
text; these tests hold that to a plain grouping of the rows in Python, relation by relation, on
generated files, including when the combined numbers would grow too large and are renumbered.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tip_indicators._engine import breakdowns
from tip_indicators._engine.base import ID, Run
from tip_indicators._engine.hierarchy import relations
from tip_indicators.check import check
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.profiles import builtin_profile
from tip_indicators.rules import Family, Rule, default_rules

_INDICATORS = ("victims_identified", "victims_received", "cases_investigated")
_CODES = {
    "sex": ("_T", "F", "M", "_U"),
    "age": ("_T", "Y_LT18", "Y_LT15", "Y15T17", "Y_GE18"),
    "destination": ("_T", "NGO", "NGO.A", "NGO.B", "GOV", "GOV.C"),
    "exploitation": ("_T", "SEXUAL", "FORCED_LABOUR"),
}
_HEADER = ("indicator", "period", "reporter", *_CODES, "value")


@st.composite
def sliced_files(draw: st.DrawFn) -> str:
    """A long CSV of a few tables, each a base key crossed with some codes of one or two
    dimensions: many figures share slices, and the rows come in any order."""
    names = list(_CODES)
    keys: dict[tuple[str, ...], None] = {}
    for _ in range(draw(st.integers(1, 4))):
        key = [
            draw(st.sampled_from(_INDICATORS)),
            draw(st.sampled_from(("2019", "2020"))),
            draw(st.sampled_from(("R1", "R2", "R3"))),
            *[draw(st.sampled_from(codes)) for codes in _CODES.values()],
        ]
        crossed = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        choices = [
            (3 + names.index(name), draw(st.sets(st.sampled_from(_CODES[name]), min_size=1)))
            for name in crossed
        ]
        for crossing in itertools.product(*[sorted(chosen) for _, chosen in choices]):
            for (position, _), code in zip(choices, crossing, strict=True):
                key[position] = code
            keys[tuple(key)] = None
    lines = [",".join(_HEADER)]
    for row in draw(st.permutations(list(keys))):
        lines.append(",".join((*row, str(draw(st.integers(0, 50))))))
    return "\n".join(lines) + "\n"


def _run(text: str) -> Run:
    dataset = parse_long_csv(text)
    return Run(dataset.observations, dataset.dimensions, builtin_profile())


def _breakdown_rules(run: Run) -> list[Rule]:
    return [
        rule
        for rule in default_rules(run.profile)
        if rule.family in (Family.PARTITION, Family.BOUND) and rule.dimension in run.dimensions
    ]


def _expected(run: Run, rule: Rule) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The slices and the (slice, relation, child) rows, grouped in plain Python."""
    dimension = rule.dimension
    assert dimension is not None
    partitions = rule.family is Family.PARTITION
    indicators = {
        i.code
        for i in run.catalogue
        if i.dimensions.get(dimension) is partitions and i.unit != "per_100k"
    }
    others = [key for key in run.keys if key != dimension]
    groups: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in run.levels().iter_rows(named=True):
        if row["indicator"] in indicators:
            groups.setdefault(tuple(row[k] for k in others), {})[row[dimension]] = row[ID]
    kept = [(key, members) for key, members in groups.items() if len(members) > 1]
    definition = run.catalogue.dimension(dimension)
    pairs = []
    for number, (_, members) in enumerate(kept):
        found = relations(definition, frozenset(members))
        for rel, relation in enumerate(found):
            for child in relation.children:
                pairs.append(
                    (
                        number,
                        rel,
                        relation.parent,
                        child,
                        relation.disjoint,
                        relation.complete,
                        members[child],
                        members[relation.parent],
                    )
                )
    pairs.sort(key=lambda pair: (pair[0], pair[1], pair[6]))
    return [(number, *key) for number, (key, _) in enumerate(kept)], pairs


def _assert_slices_as_grouped(text: str) -> None:
    run = _run(text)
    rules = _breakdown_rules(run)
    # All the rules' structures are built together, as a check builds them.
    for rule, found in zip(rules, breakdowns._structures(run, rules), strict=True):
        slices, pairs = _expected(run, rule)
        if found is None:
            assert pairs == []
            continue
        got_pairs, got_slices = found
        # Every rule's pairs have the same columns, however they were found: they are stacked.
        assert got_pairs.columns == [
            "slice",
            "sig",
            "rel",
            "parent",
            "child",
            "disjoint",
            "complete",
            "c_id",
            "p_id",
        ]
        columns = ["slice", "rel", "parent", "child", "disjoint", "complete", "c_id", "p_id"]
        assert got_pairs.select(columns).rows() == pairs, rule.name
        others = [key for key in run.keys if key != rule.dimension]
        # Slices without relations may be kept; each one listed is a slice of the grouping.
        assert set(got_slices.select("slice", *others).rows()) <= set(slices), rule.name


@settings(max_examples=80)
@given(sliced_files())
def test_slices_are_the_figures_with_equal_other_keys(text: str) -> None:
    """Every relation of every slice, numbered in the order of the file, as a plain grouping
    of the rows by their other key columns gives it."""
    _assert_slices_as_grouped(text)


@settings(max_examples=40)
@given(sliced_files())
def test_slice_keys_renumbered_when_too_large(text: str) -> None:
    """When the combined key would pass its limit it is renumbered on the way; the slices are
    the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(breakdowns, "_KEY_LIMIT", 3)
        _assert_slices_as_grouped(text)


@settings(max_examples=40)
@given(sliced_files())
def test_ids_joined_when_a_table_of_them_would_be_sparse(text: str) -> None:
    """Without the slice-by-code table of ids (many codes, few figures a slice), the ids are
    joined; the relations are the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(breakdowns, "_DENSE_CELLS_PER_MEMBER", 0)
        _assert_slices_as_grouped(text)


def test_signatures_of_63_codes_are_exact() -> None:
    """Sixty-two organisations and the total: one bit each, up to 2^62, summed to one
    signature a slice. Each slice's signature is exact, so every year's relation is found and
    only the year whose total is wrong fails."""
    lines = ["indicator,period,reporter,destination,value"]
    for year in range(2000, 2008):
        lines.append(f"victims_received,{year},R,,{62 if year != 2005 else 61}")
        lines += [f"victims_received,{year},R,NGO.A{n:02d},1" for n in range(62)]
    report = check(parse_long_csv("\n".join(lines) + "\n"))
    assert [(f.code, f.observations[0].period) for f in report.findings] == [
        ("partition-exceeds", "2005")
    ]
    run = _run("\n".join(lines) + "\n")
    (rule,) = [r for r in _breakdown_rules(run) if r.name == "partition.destination"]
    _, pairs = _expected(run, rule)
    (found,) = breakdowns._structures(run, [rule])
    assert found is not None
    assert len(pairs) == 8 * 62
    assert found[0].select("slice", "rel", "parent", "child").rows() == [p[:4] for p in pairs]
