"""Tests for tip_indicators.dimensions: which codes each dimension accepts, and the hints given."""

from __future__ import annotations

import attrs
import pytest

from tip_indicators.codelists import codelist
from tip_indicators.dimensions import (
    BUILTIN_DIMENSIONS,
    Dimension,
    DimensionKind,
    builtin_dimensions,
)
from tip_indicators.indicators import Catalogue


def hint(dimension: Dimension, code: str) -> str | None:
    """The suggestion for an invalid ``code`` (the code must be invalid)."""
    error = dimension.code_error(code)
    assert error is not None, code
    assert (error.codelist, error.code) == (dimension.id, code)
    return error.suggestion


def test_builtin_dimensions_are_the_documented_columns() -> None:
    """The built-in dimensions are the long-CSV dimension columns of DESIGN section 4."""
    dimensions = builtin_dimensions()
    assert tuple(dimensions) == BUILTIN_DIMENSIONS
    assert set(BUILTIN_DIMENSIONS) == {
        "sex",
        "age",
        "destination",
        "referrer",
        "nationality",
        "country",
        "exploitation",
    }
    assert all(d.id == key and d.name and d.description for key, d in dimensions.items())


@pytest.mark.parametrize("name", BUILTIN_DIMENSIONS)
def test_total_is_valid_in_every_dimension(name: str) -> None:
    """``_T`` (total) is a valid code of every dimension."""
    assert builtin_dimensions()[name].code_error("_T") is None


@pytest.mark.parametrize("code", ["F", "M", "_O", "_U", "_N", "_Z"])
def test_sex_accepts_its_codes(code: str) -> None:
    """Every sex code is valid in the sex dimension."""
    assert builtin_dimensions()["sex"].code_error(code) is None


@pytest.mark.parametrize("code", ["Female ", "f", "female", "Girls"])
def test_sex_near_misses_suggest_f(code: str) -> None:
    """Near-misses of F are invalid and suggest F."""
    assert hint(builtin_dimensions()["sex"], code) == "F"


def test_sex_breakdown_is_complete_with_f_m_other_unknown() -> None:
    """F, M, _O and _U together close a breakdown by sex."""
    assert builtin_dimensions()["sex"].complete == frozenset({"F", "M", "_O", "_U"})


def test_exploitation_near_miss_suggests_its_code() -> None:
    """A form of exploitation written out in words suggests its code."""
    exploitation = builtin_dimensions()["exploitation"]
    assert exploitation.code_error("FORCED_LABOUR") is None
    assert hint(exploitation, "forced labour") == "FORCED_LABOUR"
    assert exploitation.complete == frozenset(codelist("exploitation").ids) - {"_T"}


@pytest.mark.parametrize("name", ["destination", "referrer"])
@pytest.mark.parametrize("code", ["NGO.AFESIP", "GOV.PPDOSVY", "FAMILY", "RETAINED", "_U"])
def test_organisation_dimensions_accept_types_and_organisations(name: str, code: str) -> None:
    """Destination and referrer accept a type, optionally with an organisation."""
    dimension = builtin_dimensions()[name]
    assert dimension.kind is DimensionKind.ORGANISATION
    assert dimension.code_error(code) is None


@pytest.mark.parametrize(
    ("code", "suggestion"),
    [("ngo.afesip", "NGO.AFESIP"), ("XYZ.A", None), ("shelter", "NGO"), ("NGO AFESIP", None)],
)
def test_organisation_dimensions_refuse_other_codes(code: str, suggestion: str | None) -> None:
    """An invalid destination is an error, with a hint when it is a slip of case."""
    assert hint(builtin_dimensions()["destination"], code) == suggestion


def test_flat_catalogue_dimension_accepts_its_codes(catalogue: Catalogue) -> None:
    """A catalogue dimension with codes accepts them, _T and _U, and hints at case slips."""
    status = catalogue.dimension("case_status")
    assert status.kind is DimensionKind.FLAT
    assert all(status.code_error(code) is None for code in ("CLOSED", "OPEN", "_U", "_T"))
    assert hint(status, "closed") == "CLOSED"
    assert hint(status, "searching family") == "SEARCHING_FAMILY"
    assert hint(status, "lost") is None


def test_pattern_dimension_accepts_matching_codes(catalogue: Catalogue) -> None:
    """A pattern dimension accepts codes matching its pattern and _U, and hints at case slips."""
    activity = catalogue.dimension("activity")
    assert activity.kind is DimensionKind.PATTERN
    assert activity.code_error("OPERATION_2010") is None
    assert activity.code_error("_U") is None
    assert hint(activity, "operation 2010") == "OPERATION_2010"
    assert hint(activity, "-") is None
    assert hint(activity, "OP\n") == "OP"


def test_dimensions_are_frozen() -> None:
    """A dimension definition cannot be changed once made."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        builtin_dimensions()["sex"].name = "Gender"  # type: ignore[misc]


# ---------------------------------------------------------------- age and nationality codes
# These cases go through tip_indicators.ages and tip_indicators.nationalities.


@pytest.mark.parametrize("code", ["Y15T17", "Y_LT18", "Y_GE18", "Y5", "_U"])
def test_age_accepts_band_codes(code: str) -> None:
    """Age accepts SDMX band codes."""
    age = builtin_dimensions()["age"]
    assert age.kind is DimensionKind.AGE
    assert age.code_error(code) is None


def test_age_refuses_other_text() -> None:
    """Text that is not an age band is an invalid age code."""
    error = builtin_dimensions()["age"].code_error("teenagers")
    assert error is not None
    assert error.codelist == "age"


@pytest.mark.parametrize("name", ["nationality", "country"])
@pytest.mark.parametrize("code", ["KH", "KHM", "002", "NATIONAL", "FOREIGN", "_U"])
def test_geography_accepts_countries_and_regions(name: str, code: str) -> None:
    """Nationality and country accept ISO codes, M49 regions and NATIONAL / FOREIGN."""
    assert builtin_dimensions()[name].code_error(code) is None


def test_nationality_demonym_suggests_the_country() -> None:
    """A demonym is not a code, but suggests the country it names."""
    assert hint(builtin_dimensions()["nationality"], "British") == "GB"
