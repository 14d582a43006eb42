"""Tests for tip_indicators.indicators: the built-in catalogue and catalogue definitions."""

from __future__ import annotations

import pickle
import re
import tomllib
from typing import Any

import pytest

from support import CORE_UNITS
from tip_indicators._private.resources import read_text
from tip_indicators.errors import CodeError, DefinitionError
from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue, parse_catalogue

VALID = {"name": "New", "definition": "A new figure.", "unit": "person"}


def parse_one(definition: dict[str, Any], code: str = "new_figure") -> Catalogue:
    """Parse a document defining one indicator on top of the built-in catalogue."""
    return parse_catalogue({"indicators": {code: definition}}, "extra.toml", builtin_catalogue())


@pytest.mark.parametrize(("code", "unit"), sorted(CORE_UNITS.items()))
def test_core_indicators_are_in_the_catalogue_with_their_units(
    catalogue: Catalogue, code: str, unit: str
) -> None:
    """Every core indicator of DESIGN section 4 is in the catalogue with its unit and a name."""
    indicator = catalogue.indicator(code)
    assert (indicator.code, indicator.unit) == (code, unit)
    assert indicator.name
    assert indicator.definition


def test_catalogue_units_are_defined_in_units_file(catalogue: Catalogue) -> None:
    """Every indicator's unit is a unit defined in the shipped units file."""
    defined = set(re.findall(r"^(\w+) =", read_text("units.txt"), flags=re.MULTILINE))
    assert {indicator.unit for indicator in catalogue} <= defined


def test_catalogue_references_resolve(catalogue: Catalogue) -> None:
    """Every breakdown names a known dimension and every bound a known indicator."""
    for indicator in catalogue:
        assert set(indicator.dimensions) <= set(catalogue.dimensions), indicator.code
        assert set(indicator.bounded_by) <= set(catalogue.indicators), indicator.code
        assert set(indicator.bounded_by.values()) <= {"error", "warning", "info"}


def test_person_counts_partition_by_sex_and_overlap_by_exploitation(catalogue: Catalogue) -> None:
    """Victims split by sex add up to the total; by form of exploitation they need not."""
    victims = catalogue.indicator("victims_identified")
    assert victims.partitions("sex")
    assert victims.partitions("destination")
    assert not victims.partitions("exploitation")
    assert not victims.partitions("case_status")


def test_cases_cannot_be_split_by_sex(catalogue: Catalogue) -> None:
    """A count of cases has no breakdown by sex."""
    assert "sex" not in catalogue.indicator("cases_investigated").dimensions


def test_convictions_are_bounded_by_prosecutions(catalogue: Catalogue) -> None:
    """Persons convicted cannot exceed persons prosecuted (a warning when they do)."""
    assert catalogue.indicator("persons_convicted").bounded_by == {"persons_prosecuted": "warning"}


def test_builtin_catalogue_is_the_shipped_file(catalogue: Catalogue) -> None:
    """The built-in catalogue has exactly the indicators of catalogue.toml."""
    document = tomllib.loads(read_text("catalogue.toml"))
    assert list(catalogue.indicators) == list(document["indicators"])
    assert {"case_status", "activity"} <= set(catalogue.dimensions)
    assert len(catalogue) == len(document["indicators"])
    assert "victims_identified" in catalogue
    assert [i.code for i in catalogue] == list(catalogue.indicators)


def test_unknown_indicator_raises_with_the_closest_code(catalogue: Catalogue) -> None:
    """Asking for an unknown indicator raises CodeError suggesting the nearest code."""
    with pytest.raises(CodeError) as error:
        catalogue.indicator("Victims_Identified ")
    assert (error.value.codelist, error.value.suggestion) == ("indicator", "victims_identified")


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("VICTIMS_DETECTED", "victims_identified"),
        ("victims_detected", "victims_identified"),
        ("victims_detected_rat", "victims_detected_rate"),
        ("victims_detected_per_100k", "victims_detected_rate"),
    ],
)
def test_a_hint_names_an_indicator_of_the_same_kind(
    catalogue: Catalogue, code: str, hint: str
) -> None:
    """A code naming no rate is hinted as a count, never a rate; one naming a rate as a rate."""
    with pytest.raises(CodeError) as error:
        catalogue.indicator(code)
    assert error.value.suggestion == hint


def test_unknown_dimension_raises_with_the_closest_name(catalogue: Catalogue) -> None:
    """Asking for an unknown dimension raises CodeError suggesting the nearest one."""
    with pytest.raises(CodeError) as error:
        catalogue.dimension("nationalty")
    assert error.value.suggestion == "nationality"


def test_indicators_are_hashable_and_picklable(catalogue: Catalogue) -> None:
    """An indicator definition is an immutable value that survives pickling."""
    indicator = catalogue.indicator("persons_convicted")
    again = pickle.loads(pickle.dumps(indicator))
    assert again == indicator
    assert hash(again) == hash(indicator)
    assert again.bounded_by == indicator.bounded_by


def test_parse_catalogue_extends_the_base() -> None:
    """A catalogue document adds indicators and dimensions to the base catalogue."""
    extended = parse_catalogue(
        {
            "dimensions": {"shelter": {"name": "Shelter", "codes": {"A": "Shelter A"}}},
            "indicators": {
                "nights_sheltered": {
                    **VALID,
                    "dimensions": {"shelter": "partition", "sex": "breakdown"},
                    "bounded_by": {"victims_received": "info"},
                    "additive": False,
                }
            },
        },
        "extra.toml",
        builtin_catalogue(),
    )
    new = extended.indicator("nights_sheltered")
    assert new == Indicator("nights_sheltered", "New", "A new figure.", "person", False)
    assert (new.partitions("shelter"), new.partitions("sex")) == (True, False)
    assert extended.dimension("shelter").codes == ("_T", "A", "_U")
    assert "victims_identified" in extended
    assert "nights_sheltered" not in builtin_catalogue()


def test_extended_catalogue_replaces_definitions() -> None:
    """Catalogue.extended gives the other catalogue's definitions precedence."""
    other = parse_catalogue({"indicators": {"victims_identified": {**VALID, "unit": "case"}}}, "x")
    merged = builtin_catalogue().extended(other)
    assert merged.indicator("victims_identified").unit == "case"
    assert len(merged) == len(builtin_catalogue())


@pytest.mark.parametrize(
    ("definition", "reason"),
    [
        ({**VALID, "unit": "people"}, "unknown unit 'people'"),
        ({**VALID, "unit": 3}, "'unit' must be a str"),
        ({**VALID, "dimensions": {"colour": "partition"}}, "unknown dimension 'colour'"),
        ({**VALID, "dimensions": {"sex": "total"}}, "'total' is not 'partition' or 'breakdown'"),
        ({**VALID, "dimensions": ["sex"]}, "'dimensions' must be a dict"),
        ({**VALID, "bounded_by": {"victims_identified": "fatal"}}, "severity 'fatal'"),
        ({**VALID, "bounded_by": {"no_such_figure": "error"}}, "unknown 'no_such_figure'"),
        ({**VALID, "bounded_by": ["victims_identified"]}, "'bounded_by' must be a dict"),
        ({**VALID, "additive": "no"}, "'additive' must be a bool"),
        ({"definition": "d", "unit": "person"}, "'name' must be a str"),
        ({"name": "n", "unit": "person"}, "'definition' must be a str"),
        ("persons", "must be a table"),
    ],
)
def test_malformed_indicator_is_a_definition_error(definition: Any, reason: str) -> None:
    """Unknown units or dimensions, bad roles, bounds or types are refused with the reason."""
    with pytest.raises(DefinitionError) as error:
        parse_one(definition)
    assert error.value.source == "extra.toml"
    assert reason in error.value.reason
    assert "new_figure" in error.value.reason


@pytest.mark.parametrize("code", ["NewFigure", "new-figure", "1st", "new_figure\n", ""])
def test_indicator_codes_are_lower_snake_case(code: str) -> None:
    """An indicator code that is not lower_snake_case is refused."""
    with pytest.raises(DefinitionError, match="lower_snake_case"):
        parse_one(VALID, code)


@pytest.mark.parametrize(
    ("definition", "reason"),
    [
        ({"name": "Shelter"}, "'pattern' must be a str"),
        ({"name": "Shelter", "pattern": "(unclosed"}, "bad pattern"),
        ({"name": "Shelter", "codes": ["A"]}, "'codes' must be a dict"),
        ({"name": "Shelter", "codes": {"A": "a"}, "complete": ["B"]}, "unknown codes ['B']"),
        ({"codes": {"A": "a"}}, "'name' must be a str"),
        ("shelter", "must be a table"),
    ],
)
def test_malformed_dimension_is_a_definition_error(definition: Any, reason: str) -> None:
    """A dimension needs a name and either codes or a valid pattern."""
    with pytest.raises(DefinitionError) as error:
        parse_catalogue({"dimensions": {"shelter": definition}}, "extra.toml")
    assert reason in error.value.reason
    assert "dimensions.shelter" in error.value.reason


@pytest.mark.parametrize("key", ["indicators", "dimensions"])
def test_catalogue_sections_must_be_tables(key: str) -> None:
    """A catalogue whose indicators or dimensions are not a table is refused, not read as empty."""
    with pytest.raises(DefinitionError, match=f"'{key}' must be a dict"):
        parse_catalogue({key: []}, "extra.toml")
