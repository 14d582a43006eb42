"""Tests for the engine's breakdown relations: which sums the codes of one breakdown allow.

For each kind of dimension (flat codes, age bands, organisations under their type, countries
under regions and FOREIGN) the relations are parent = sum of children, disjoint or overlapping,
open or complete; generated breakdown trees are read back exactly.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import Node, age_trees, destination_trees, nationality_trees, sex_trees
from tip_indicators._engine.hierarchy import (
    Relation,
    organisation_relation_rows,
    relations,
)
from tip_indicators.indicators import builtin_catalogue

CATALOGUE = builtin_catalogue()


def related(dimension: str, *codes: str) -> set[tuple[str, frozenset[str], bool, bool]]:
    """The relations among ``codes`` as (parent, children, disjoint, complete)."""
    found = relations(CATALOGUE.dimension(dimension), frozenset(codes))
    return {(r.parent, frozenset(r.children), r.disjoint, r.complete) for r in found}


def tree_relations(tree: Node) -> set[tuple[str, frozenset[str], bool, bool]]:
    """The relations a generated tree stands for: every node with children."""
    return {
        (node.code, frozenset(child.code for child in node.children), True, node.closed)
        for node in tree.nodes()
        if node.children
    }


def codes(tree: Node) -> list[str]:
    """Every code of a tree."""
    return [node.code for node in tree.nodes()]


def test_relation_is_a_frozen_value() -> None:
    """Relations compare by value and default to disjoint, open parts."""
    assert Relation("_T", ("F", "M")) == Relation("_T", ("F", "M"), True, False)


def test_fewer_than_two_codes_relate_nothing() -> None:
    """A breakdown of one code has no sum to check."""
    assert related("sex", "_T") == set()
    assert related("age", "Y_LT18") == set()


def test_flat_parts_without_a_total_relate_nothing() -> None:
    """F and M without _T have no total to add up to."""
    assert related("sex", "F", "M") == set()


def test_sex_parts_add_up_to_the_total() -> None:
    """F and M are open parts of _T; F, M, _O and _U are complete."""
    assert related("sex", "_T", "F", "M") == {("_T", frozenset({"F", "M"}), True, False)}
    assert related("sex", "_T", "F", "M", "_O", "_U") == {
        ("_T", frozenset({"F", "M", "_O", "_U"}), True, True)
    }


def test_lone_sex_part_relates_to_its_total() -> None:
    """A single part is still a part of its total (at most the total)."""
    assert related("sex", "_T", "F") == {("_T", frozenset({"F"}), True, False)}


def test_nested_age_bands_relate_at_two_levels() -> None:
    """Under 15 and 15-17 make under 18; under 18, adults and unknown make all ages."""
    assert related("age", "_T", "Y_LT18", "Y_LT15", "Y15T17", "Y_GE18", "_U") == {
        ("_T", frozenset({"Y_LT18", "Y_GE18", "_U"}), True, True),
        ("Y_LT18", frozenset({"Y_LT15", "Y15T17"}), True, True),
    }


def test_age_bands_without_unknown_are_open() -> None:
    """Bands covering every age leave all ages open until _U is given."""
    assert related("age", "_T", "Y_LT18", "Y_GE18") == {
        ("_T", frozenset({"Y_LT18", "Y_GE18"}), True, False)
    }


def test_age_bands_with_a_gap_are_open() -> None:
    """Bands with a gap (18-24 missing) cannot close the breakdown."""
    assert related("age", "_T", "Y_LT18", "Y_GE25", "_U") == {
        ("_T", frozenset({"Y_LT18", "Y_GE25", "_U"}), True, False)
    }


def test_overlapping_age_bands_are_not_disjoint() -> None:
    """Under 18 and 15-24 overlap: they bound the total but do not add up to it."""
    found = related("age", "_T", "Y_LT18", "Y15T24")
    assert found == {("_T", frozenset({"Y_LT18", "Y15T24"}), False, False)}


def test_organisations_roll_up_to_their_type() -> None:
    """Named NGOs add up to the NGO row; the NGO row and others add up to the total."""
    assert related("destination", "_T", "NGO", "NGO.A", "NGO.B", "GOV.X", "RETAINED") == {
        ("_T", frozenset({"NGO", "GOV.X", "RETAINED"}), True, False),
        ("NGO", frozenset({"NGO.A", "NGO.B"}), True, False),
    }


def test_organisations_without_their_type_are_top_level() -> None:
    """Named organisations whose type is not given add up to the total directly."""
    assert related("referrer", "_T", "NGO.A", "NGO.B", "FAMILY") == {
        ("_T", frozenset({"NGO.A", "NGO.B", "FAMILY"}), True, False)
    }


def test_countries_roll_up_to_foreign_and_regions() -> None:
    """Countries and "1 African" make FOREIGN; African countries make Africa (002)."""
    assert related("nationality", "_T", "NATIONAL", "FOREIGN", "TH", "VN", "002", "NG") == {
        ("_T", frozenset({"NATIONAL", "FOREIGN"}), True, False),
        ("FOREIGN", frozenset({"TH", "VN", "002"}), True, False),
        ("002", frozenset({"NG"}), True, False),
    }


def test_countries_without_foreign_are_top_level() -> None:
    """Without a FOREIGN row, countries sit directly under the total beside NATIONAL."""
    assert related("country", "_T", "NATIONAL", "TH", "002", "_U") == {
        ("_T", frozenset({"NATIONAL", "TH", "002", "_U"}), True, False)
    }


@settings(max_examples=50)
@given(sex_trees(lone=True))
def test_generated_sex_breakdowns_are_read_back(tree: Node) -> None:
    """The relations among a sex breakdown's codes are the breakdown itself."""
    assert related("sex", *codes(tree)) == tree_relations(tree)


@settings(max_examples=100)
@given(age_trees())
def test_generated_age_bands_are_read_back(tree: Node) -> None:
    """Random age cuts with coarse bands over runs are read back exactly."""
    assert related("age", *codes(tree)) == tree_relations(tree)


@settings(max_examples=100)
@given(destination_trees())
def test_generated_destinations_are_read_back(tree: Node) -> None:
    """Types with organisations, remainders and unknown destinations are read back exactly."""
    assert related("destination", *codes(tree)) == tree_relations(tree)


@settings(max_examples=100)
@given(nationality_trees())
def test_generated_nationalities_are_read_back(tree: Node) -> None:
    """NATIONAL, FOREIGN, countries and regions are read back exactly."""
    assert related("nationality", *codes(tree)) == tree_relations(tree)


_ORGANISATION_CODES = (
    "_T",
    "_U",
    "FAMILY",
    "GOV",
    "GOV.MOSVY",
    "GOV.WNU",
    "NGO",
    "NGO.AFESIP",
    "NGO.CPN",
    "IO",
    "IO.IOM",
    "RETAINED",
)


@given(st.lists(st.sets(st.sampled_from(_ORGANISATION_CODES)), max_size=12))
def test_organisation_relations_column_wise_are_the_relations_set_by_set(
    sets: list[set[str]],
) -> None:
    """The relations of many sets of organisation codes, worked out column-wise, are those
    :func:`relations` gives each set: the same relations in the same positions, the same
    children, in signature and position order."""
    names = sorted(_ORGANISATION_CODES)
    signatures = [sum(1 << names.index(code) for code in chosen) for chosen in sets]
    found = organisation_relation_rows(pl.Series(signatures, dtype=pl.UInt64), names)
    expected = set()
    for signature, chosen in zip(signatures, sets, strict=True):
        codes = frozenset(chosen)
        for position, relation in enumerate(relations(CATALOGUE.dimension("destination"), codes)):
            for child in relation.children:
                expected.add(
                    (
                        signature,
                        position,
                        relation.parent,
                        child,
                        relation.disjoint,
                        relation.complete,
                    )
                )
    assert set(found.rows()) == expected
    assert found.height == len(expected)
    assert found.select("sig", "rel").rows() == sorted(found.select("sig", "rel").rows())
