"""Tests for tip_indicators.nationalities: shipped data, lookups, aliases and the hierarchy."""

from __future__ import annotations

import importlib.resources
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators import nationalities
from tip_indicators.errors import CodeError, DefinitionError
from tip_indicators.nationalities import (
    SPECIAL_CODES,
    Country,
    Region,
    canonical_nationality,
    contains,
    countries,
    country,
    is_nationality_code,
    nationality_spellings,
    region,
    region_members,
    regions,
    resolve_nationality,
)

CONTINENTS = {"002", "019", "142", "150", "009"}


def data_rows(filename: str) -> list[list[str]]:
    """The data rows of a shipped file, read independently of the module, header first."""
    resource = importlib.resources.files("tip_indicators") / "data" / filename
    lines = resource.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


COUNTRY_ROWS = data_rows("countries.tsv")
REGION_ROWS = data_rows("regions.tsv")
ALIAS_ROWS = data_rows("nationality_aliases.tsv")
ALL_COUNTRIES = countries()
ALL_REGIONS = regions()
ALL_CODES = sorted(
    {item.alpha2 for item in ALL_COUNTRIES}
    | {item.alpha3 for item in ALL_COUNTRIES}
    | {area.code for area in ALL_REGIONS}
    | set(SPECIAL_CODES)
)


@st.composite
def scrambled(draw: st.DrawFn, text: str) -> str:
    """The text with each letter in random case and each space widened to random whitespace."""
    cased = "".join(char.upper() if draw(st.booleans()) else char.lower() for char in text)
    spaces = st.sampled_from([" ", "  ", "\t", " \u00a0 "])
    words = cased.split(" ")
    joined = words[0] + "".join(draw(spaces) + word for word in words[1:])
    return draw(st.sampled_from(["", " ", "\t"])) + joined + draw(st.sampled_from(["", "  ", "\n"]))


@pytest.fixture
def fresh_catalogue() -> Iterator[None]:
    """Clear the cached catalogue before and after the test."""
    for cached in (nationalities._catalogue, nationalities._names, nationalities._members):
        cached.cache_clear()
    yield
    for cached in (nationalities._catalogue, nationalities._names, nationalities._members):
        cached.cache_clear()


def test_public_names_are_listed_and_public() -> None:
    """Every name in __all__ exists and none of them is private."""
    assert all(hasattr(nationalities, name) for name in nationalities.__all__)
    assert not [name for name in nationalities.__all__ if name.startswith("_")]


def test_country_rows_have_unique_well_formed_codes() -> None:
    """Every row of countries.tsv has well-formed codes that no other row or area uses."""
    header, *rows = COUNTRY_ROWS
    assert header == ["alpha2", "alpha3", "numeric", "name", "region", "subregion", "intermediate"]
    assert len(rows) == 249
    assert all(len(row) == 7 for row in rows)
    for column, pattern in enumerate([r"[A-Z]{2}", r"[A-Z]{3}", r"[0-9]{3}"]):
        values = [row[column] for row in rows]
        assert all(re.fullmatch(pattern, value) for value in values)
        assert len(set(values)) == len(values)
    assert not {row[2] for row in rows} & {row[0] for row in REGION_ROWS[1:]}


def test_country_regions_exist_and_nest() -> None:
    """Each country's region, sub-region and intermediate region exist and nest in regions.tsv."""
    parents = {code: parent for code, _, parent in REGION_ROWS[1:]}
    for _, _, _, _, continent, subregion, intermediate in COUNTRY_ROWS[1:]:
        if intermediate:
            assert parents[intermediate] == subregion
        if subregion:
            assert parents[subregion] == continent
        assert not continent or continent in CONTINENTS


def test_regions_form_a_tree_under_world() -> None:
    """The areas form one tree rooted at 001 World, with the five continents below it."""
    header, *rows = REGION_ROWS
    assert header == ["code", "name", "parent"]
    parents = {code: parent for code, _, parent in rows}
    assert len(parents) == len(rows)
    assert {code for code, parent in parents.items() if parent == "001"} == CONTINENTS
    assert [code for code, parent in parents.items() if not parent] == ["001"]
    assert region("035") == Region("035", "South-eastern Asia", "142")


def test_every_alias_maps_to_a_valid_canonical_code() -> None:
    """Every alias names a canonical nationality code and resolves to it."""
    header, *rows = ALIAS_ROWS
    assert header == ["alias", "code"]
    for alias, code in rows:
        assert is_nationality_code(code), alias
        assert canonical_nationality(code) == code, alias
        assert resolve_nationality(alias) == code, alias


def test_spellings_never_fold_to_two_codes() -> None:
    """No two names or aliases that fold to the same text lead to different codes."""
    spellings = [(item.name, item.alpha2) for item in ALL_COUNTRIES]
    spellings += [(area.name, area.code) for area in ALL_REGIONS]
    spellings += [(alias, code) for alias, code in ALIAS_ROWS[1:]]
    folded: dict[str, set[str]] = {}
    for text, code in spellings:
        folded.setdefault(nationalities._fold(text), set()).add(code)
    assert {key: codes for key, codes in folded.items() if len(codes) > 1} == {}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("British", "GB"),
        ("Americans", "US"),
        ("Japanese", "JP"),
        ("Australians", "AU"),
        ("African", "002"),
        ("Africans", "002"),
        ("Danish", "DK"),
        ("Chinese", "CN"),
        ("Norwegian", "NO"),
        ("Dutch", "NL"),
        ("Laotian", "LA"),
        ("Swiss", "CH"),
        ("Cambodian", "KH"),
        ("Vietnamese", "VN"),
        ("Thai", "TH"),
        ("European", "150"),
        ("Asian", "142"),
    ],
)
def test_report_demonyms_resolve(text: str, code: str) -> None:
    """The demonyms found in reports resolve to their country or M49 region."""
    assert resolve_nationality(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Laos", "LA"),
        ("Lao PDR", "LA"),
        ("Russia", "RU"),
        ("UK", "GB"),
        ("England", "GB"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("South Korea", "KR"),
        ("Republic of Korea", "KR"),
        ("Czechia", "CZ"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Ivory Coast", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Burma", "MM"),
        ("Myanmar", "MM"),
        ("Swaziland", "SZ"),
        ("Eswatini", "SZ"),
        ("Macedonia", "MK"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Democratic Republic of the Congo", "CD"),
        ("St. Lucia", "LC"),
        ("Trinidad & Tobago", "TT"),
        ("The Gambia", "GM"),
        ("South-eastern Asia", "035"),
        ("Sub-Saharan Africa", "202"),
        ("Nationals", "NATIONAL"),
        ("Domestic", "NATIONAL"),
        ("Foreign nationals", "FOREIGN"),
        ("Not known", "_U"),
        ("Stateless", "XXA"),
    ],
)
def test_alternative_names_resolve(text: str, code: str) -> None:
    """Common, former and UN-style names and the special words resolve to their codes."""
    assert resolve_nationality(text) == code


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("Nationals", "NATIONAL"),
        ("Ciudadanos de su pa\ufffds", "NATIONAL"),
        ("Ciudadanos de su país", "NATIONAL"),
        ("Viet Nam", "VN"),
        ("Republic of Moldova", "MD"),
    ],
)
def test_glotip_citizenship_categories_resolve(category: str, code: str) -> None:
    """The citizenship and repatriation categories of the GLOTIP export resolve, misspelt or not."""
    assert resolve_nationality(category) == code


@pytest.mark.parametrize("cell", ["Q6.1_10s_2019", "Q6.1_2s_2019", "Other countries of Europe"])
def test_glotip_non_countries_stay_unmapped(cell: str) -> None:
    """Questionnaire cell names and residual groupings raise CodeError instead of mapping."""
    with pytest.raises(CodeError):
        resolve_nationality(cell)


@given(
    st.sampled_from(ALL_COUNTRIES).flatmap(
        lambda item: st.tuples(st.just(item), scrambled(item.name))
    )
)
def test_country_names_resolve_in_any_case_and_spacing(pair: tuple[Country, str]) -> None:
    """A country's name in random case and whitespace resolves to that country."""
    item, text = pair
    assert resolve_nationality(text) == item.alpha2


def test_near_miss_suggests_the_intended_spelling() -> None:
    """An unknown near miss raises CodeError whose suggestion resolves to the intended country."""
    with pytest.raises(CodeError) as caught:
        resolve_nationality("Vietnan")
    assert caught.value.codelist == "nationality"
    assert caught.value.code == "Vietnan"
    assert caught.value.suggestion is not None
    assert resolve_nationality(caught.value.suggestion) == "VN"
    assert "did you mean" in str(caught.value)


def test_ambiguous_demonym_suggests_a_qualified_spelling() -> None:
    """An ambiguous demonym is not resolved and a qualified spelling is suggested."""
    with pytest.raises(CodeError) as caught:
        resolve_nationality("Congolese")
    assert caught.value.suggestion is not None
    assert resolve_nationality(caught.value.suggestion) in {"CD", "CG"}


def test_codes_resolve_only_as_written() -> None:
    """Codes resolve when written exactly; lower-case codes raise with the code suggested."""
    assert resolve_nationality(" VNM ") == "VN"
    assert resolve_nationality("704") == "VN"
    assert resolve_nationality("_T") == "_T"
    with pytest.raises(CodeError) as caught:
        resolve_nationality("no")
    assert caught.value.suggestion == "NO"


def test_empty_text_raises_without_suggestion() -> None:
    """Blank text raises CodeError with no suggestion."""
    with pytest.raises(CodeError) as caught:
        resolve_nationality("  ")
    assert caught.value.suggestion is None


@given(st.sampled_from(ALL_COUNTRIES))
def test_alpha3_canonicalises_to_alpha2(item: Country) -> None:
    """An alpha-3 code canonicalises to its alpha-2 code, which is its own canonical form."""
    assert canonical_nationality(item.alpha3) == item.alpha2
    assert canonical_nationality(item.alpha2) == item.alpha2


@pytest.mark.parametrize("code", ["NATIONAL", "FOREIGN", "XXA", "_T", "_U", "_O", "_Z", "002"])
def test_non_country_codes_are_their_own_canonical_form(code: str) -> None:
    """Special codes and region codes are valid and canonical as they are."""
    assert is_nationality_code(code)
    assert canonical_nationality(code) == code


@pytest.mark.parametrize("code", ["kh", "Khm", "116", "XX", "", "EU", "NATIONALS"])
def test_non_codes_are_rejected(code: str) -> None:
    """Lower-case codes, numeric country codes and unknown codes are not nationality codes."""
    assert not is_nationality_code(code)
    with pytest.raises(CodeError):
        canonical_nationality(code)


@given(st.sampled_from(ALL_COUNTRIES))
def test_country_accepts_every_code_form(item: Country) -> None:
    """A country is found by its alpha-2, alpha-3 and numeric codes alike."""
    assert country(item.alpha2) is country(item.alpha3) is country(item.numeric)


@pytest.mark.parametrize(
    ("code", "suggestion"),
    [("kh", "KH"), ("khm", "KH"), ("4", "AF"), ("Cambodia", "KH"), ("ZZZ", None)],
)
def test_unknown_country_code_suggests_the_valid_one(code: str, suggestion: str | None) -> None:
    """An unknown country code raises CodeError suggesting the code that was most likely meant."""
    with pytest.raises(CodeError) as caught:
        country(code)
    assert caught.value.suggestion == suggestion


def test_unknown_region_raises_code_error() -> None:
    """An unknown M49 area raises CodeError, suggesting the code of a region given by name."""
    with pytest.raises(CodeError) as caught:
        region("Asia")
    assert caught.value.suggestion == "142"
    with pytest.raises(CodeError):
        region_members("KH")


def test_cambodia_is_in_asia_and_south_eastern_asia() -> None:
    """Cambodia lies in Asia (142) and South-eastern Asia (035)."""
    cambodia = country("KHM")
    assert (cambodia.region, cambodia.subregion, cambodia.intermediate) == ("142", "035", None)
    assert "KH" in region_members("142")
    assert "KH" in region_members("035")
    assert contains("142", "KHM")
    assert contains("035", "KH")


def test_every_country_but_antarctica_is_in_exactly_one_continent() -> None:
    """Each country lies in exactly one continent; Antarctica lies in none, only in the world."""
    memberships = {item.alpha2: 0 for item in ALL_COUNTRIES}
    for continent in CONTINENTS:
        for alpha2 in region_members(continent):
            memberships[alpha2] += 1
    assert {alpha2 for alpha2, count in memberships.items() if count != 1} == {"AQ"}
    assert memberships["AQ"] == 0
    assert region_members("001") == set(memberships)


@given(st.sampled_from(ALL_REGIONS))
def test_an_area_holds_the_members_of_its_sub_areas(area: Region) -> None:
    """Every member of an area is a member of the area's parent and is contained by it."""
    members = region_members(area.code)
    if area.parent is not None:
        assert members <= region_members(area.parent)
        assert contains(area.parent, area.code)
    assert all(contains(area.code, alpha2) for alpha2 in members)


def test_intermediate_regions_nest_inside_sub_regions() -> None:
    """Intermediate regions sit inside their sub-region and continent."""
    assert region_members("014") <= region_members("202") <= region_members("002")
    assert region_members("830") == {"GG", "JE"}
    assert contains("002", "014")
    assert not contains("014", "002")


@given(st.sampled_from(ALL_CODES), st.sampled_from(ALL_CODES), st.sampled_from(ALL_CODES))
def test_containment_is_a_partial_order(first: str, second: str, third: str) -> None:
    """Containment is reflexive, antisymmetric on canonical codes, and transitive."""
    assert contains(first, first)
    if contains(first, second) and contains(second, first):
        assert canonical_nationality(first) == canonical_nationality(second)
    if contains(first, second) and contains(second, third):
        assert contains(first, third)


@given(st.sampled_from(ALL_CODES))
def test_total_and_foreign_contain_what_they_should(code: str) -> None:
    """_T contains every code but _Z; FOREIGN contains countries, regions and stateless persons."""
    assert contains("_T", code) == (code != "_Z")
    geographic = code not in SPECIAL_CODES
    assert contains("FOREIGN", code) == (geographic or code in {"FOREIGN", "XXA"})
    assert contains("NATIONAL", code) == (code == "NATIONAL")


def test_containment_rejects_unknown_codes() -> None:
    """Asking about an unknown code raises CodeError rather than answering False."""
    with pytest.raises(CodeError):
        contains("142", "Cambodia")


def test_malformed_alias_file_is_a_definition_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_catalogue: None
) -> None:
    """An alias whose code is unknown makes loading fail, naming the file and line."""
    shipped = importlib.resources.files("tip_indicators") / "data"
    data = tmp_path / "data"
    data.mkdir()
    for name in ("countries.tsv", "regions.tsv"):
        with importlib.resources.as_file(shipped / name) as source:
            shutil.copy(source, data / name)
    (data / "nationality_aliases.tsv").write_text(
        "# comment\nalias\tcode\nBritish\tGB\nAtlantean\tAT1\n", encoding="utf-8"
    )
    monkeypatch.setattr(nationalities, "resources", SimpleNamespace(files=lambda _: tmp_path))
    with pytest.raises(DefinitionError) as caught:
        resolve_nationality("British")
    assert caught.value.line == 4
    assert caught.value.source.endswith("nationality_aliases.tsv")


def test_every_spelling_resolves_to_its_code() -> None:
    """Each folded name and alias of nationality_spellings resolves to the code it names."""
    spellings = nationality_spellings()
    assert len(spellings) > 1000
    assert {key: resolve_nationality(key) for key in spellings} == dict(spellings)
    assert spellings["saint lucia"] == "LC"
    assert "congolese" not in spellings


@pytest.mark.parametrize(
    ("text", "hint"),
    [("Vietnamise", "Vietnamese"), ("Cambodain", "Cambodian"), ("Rwxdna", "Rwanda")],
)
def test_misspelt_names_are_hinted_with_the_nearest_spelling(text: str, hint: str) -> None:
    """A slip of one or two letters is hinted with the spelling it most resembles."""
    with pytest.raises(CodeError) as caught:
        resolve_nationality(text)
    assert caught.value.suggestion == hint
