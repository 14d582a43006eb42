"""Tests for tip_indicators.codelists and the reference data files shipped with the package."""

from __future__ import annotations

import importlib.resources
import pickle
from collections import Counter

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tip_indicators as ti
from tip_indicators._private.resources import read_table
from tip_indicators.codelists import (
    DESTINATION_PATTERN,
    DESTINATION_TYPES,
    Codelist,
    codelist,
    codelist_names,
    is_destination_code,
    normalise_label,
    parse_destination,
)
from tip_indicators.errors import CodeError, DefinitionError

DATA = importlib.resources.files("tip_indicators") / "data"
TABLES = sorted(item.name for item in DATA.iterdir() if item.name.endswith(".tsv"))
KEYS = {
    "sex.tsv": ("code",),
    "obs_status.tsv": ("code",),
    "conf_status.tsv": ("code",),
    "exploitation.tsv": ("code",),
    "destination_types.tsv": ("code",),
    "measures.tsv": ("code",),
    "finding_codes.tsv": ("code",),
    "regions.tsv": ("code",),
    "countries.tsv": ("alpha2",),
    "age_aliases.tsv": ("vocabulary", "alias"),
    "nationality_aliases.tsv": ("alias",),
}
"""The key columns of the codelist and alias tables: no two rows may share a key."""


def test_the_flat_codelists_are_the_documented_ones() -> None:
    """The built-in flat codelists are sex, statuses, exploitation, destination type, measure."""
    assert set(codelist_names()) == {
        "sex",
        "obs_status",
        "conf_status",
        "exploitation",
        "destination_type",
        "measure",
    }


@pytest.mark.parametrize("name", codelist_names())
def test_every_codelist_loads_with_unique_codes(name: str) -> None:
    """Each codelist loads, is not empty, and lists each code once with a name."""
    codes = codelist(name)
    assert isinstance(codes, Codelist)
    assert len(codes) > 0
    assert [code for code, n in Counter(codes.ids).items() if n > 1] == []
    assert all(code.name for code in codes)
    assert all(code.code in codes for code in codes)


@pytest.mark.parametrize("name", codelist_names())
def test_aliases_point_to_codes_of_their_list(name: str) -> None:
    """Every alias of a codelist maps to one of that codelist's codes."""
    codes = codelist(name)
    assert set(codes.aliases.values()) <= set(codes.ids)


@pytest.mark.parametrize("name", TABLES)
def test_every_data_table_loads(name: str) -> None:
    """Each shipped table reads without error and has rows."""
    assert read_table(name)


@pytest.mark.parametrize(("name", "key"), sorted(KEYS.items()))
def test_codelist_tables_have_unique_keys(name: str, key: tuple[str, ...]) -> None:
    """Each codelist or alias table lists a key once, and never an empty one."""
    rows = read_table(name)
    counts = Counter(tuple(row[column] for column in key) for row in rows)
    assert [k for k, n in counts.items() if n > 1] == []
    assert all(all(row[column] for column in key) for row in rows)


@pytest.mark.parametrize("column", ["alpha2", "alpha3", "numeric"])
def test_country_codes_are_unique(column: str) -> None:
    """Each ISO 3166-1 code identifies one country."""
    codes = [row[column] for row in read_table("countries.tsv")]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("name", sorted(item.name for item in DATA.iterdir() if item.is_file()))
def test_every_data_file_opens_with_a_comment(name: str) -> None:
    """Each reference data file starts by documenting its format and source in a comment."""
    text = (DATA / name).read_text(encoding="utf-8")
    assert text.startswith("#")


def test_table_with_too_many_cells_is_a_definition_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table row with more cells than the header is refused with its line."""
    from tip_indicators._private import resources

    monkeypatch.setattr(resources, "read_text", lambda name: "# c\ncode\tname\nA\tB\tC\n")
    with pytest.raises(DefinitionError) as error:
        resources.read_table("broken.tsv")
    assert (error.value.source, error.value.line) == ("broken.tsv", 3)


def test_sdmx_special_codes_are_in_the_sex_codelist() -> None:
    """Sex has the SDMX codes F, M and the special codes _O, _U, _T, _N, _Z."""
    assert set(codelist("sex").ids) == {"F", "M", "_O", "_U", "_T", "_N", "_Z"}


@pytest.mark.parametrize("text", ["Female ", "f", "female", " F", "FEMALE", "women"])
def test_sex_near_misses_suggest_f(text: str) -> None:
    """Looking up a near-miss of F raises CodeError suggesting F."""
    with pytest.raises(CodeError) as error:
        codelist("sex")[text]
    assert (error.value.codelist, error.value.code, error.value.suggestion) == ("sex", text, "F")
    assert str(error.value) == f"sex: unknown code {text!r} (did you mean 'F'?)"


def test_code_error_is_also_a_key_error() -> None:
    """A missing code can be caught as KeyError."""
    with pytest.raises(KeyError):
        codelist("sex")["X"]


def test_unrelated_text_gets_no_suggestion() -> None:
    """Text far from every code gets no hint."""
    with pytest.raises(CodeError) as error:
        codelist("sex")["zebra"]
    assert error.value.suggestion is None
    assert "did you mean" not in str(error.value)


@pytest.mark.parametrize(
    ("name", "label", "code"),
    [
        ("sex", "Both sexes", "_T"),
        ("sex", "  MALE ", "M"),
        ("sex", "F", "F"),
        ("exploitation", "Forced labor", "FORCED_LABOUR"),
        ("exploitation", "removal of organs", "ORGAN_REMOVAL"),
        ("destination_type", "Reintegrated to family", "FAMILY"),
    ],
)
def test_labels_from_other_sources_resolve(name: str, label: str, code: str) -> None:
    """resolve() maps codes, names and aliases of other vocabularies to codes."""
    assert codelist(name).resolve(label) == code


def test_resolve_refuses_unknown_labels() -> None:
    """resolve() raises CodeError for a label it cannot map."""
    with pytest.raises(CodeError):
        codelist("exploitation").resolve("tourism")


def test_unknown_codelist_suggests_the_closest_name() -> None:
    """Asking for a codelist that does not exist raises CodeError with the nearest name."""
    with pytest.raises(CodeError) as error:
        codelist("sexe")
    assert error.value.suggestion == "sex"


def test_normalise_label_folds_case_and_spaces() -> None:
    """Labels compare equal whatever their case and runs of white space."""
    assert normalise_label("  Forced\tLABOUR \n") == normalise_label("forced labour")


def test_codelists_are_hashable_and_picklable() -> None:
    """A codelist is an immutable value that survives pickling."""
    sex = codelist("sex")
    again = pickle.loads(pickle.dumps(sex))
    assert again == sex
    assert hash(again) == hash(sex)
    assert again["F"].name == "Female"


@pytest.mark.parametrize(
    ("code", "parts"),
    [
        ("NGO.AFESIP", ("NGO", "AFESIP")),
        ("GOV.PPDOSVY", ("GOV", "PPDOSVY")),
        ("FAMILY", ("FAMILY", None)),
        ("IO.IOM", ("IO", "IOM")),
        ("OTHER.A-1_B", ("OTHER", "A-1_B")),
        ("_T", ("_T", None)),
        ("_U", ("_U", None)),
    ],
)
def test_destination_codes_split_into_type_and_organisation(
    code: str, parts: tuple[str, str | None]
) -> None:
    """A destination is a type with an optional organisation; _T and _U stand alone."""
    assert is_destination_code(code)
    assert parse_destination(code) == parts


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("ngo.afesip", "NGO.AFESIP"),
        ("NGO.afesip", "NGO.AFESIP"),
        ("gov", "GOV"),
        ("shelter", "NGO"),
        ("XYZ.A", None),
        ("NGO.", None),
        (".AFESIP", None),
        ("NGO.AFESIP\n", "NGO.AFESIP"),
        ("NGO..AFESIP", None),
    ],
)
def test_invalid_destination_codes_raise_with_a_hint(code: str, hint: str | None) -> None:
    """Invalid destination codes raise CodeError; slips of case or spacing get a suggestion."""
    assert not is_destination_code(code)
    with pytest.raises(CodeError) as error:
        parse_destination(code)
    assert (error.value.codelist, error.value.suggestion) == ("destination", hint)


def test_destination_types_match_their_codelist() -> None:
    """The destination types are the codes of the destination_type codelist besides _T and _U."""
    assert set(DESTINATION_TYPES) == set(codelist("destination_type").ids) - {"_T", "_U"}


@pytest.mark.parametrize("identifier", codelist_names())
def test_every_label_resolves_to_its_code(identifier: str) -> None:
    """Each folded identifier, name and alias of ``labels`` resolves to the code it names."""
    codes = codelist(identifier)
    assert set(codes.labels.values()) <= set(codes.ids)
    assert {label: codes.resolve(label) for label in codes.labels} == dict(codes.labels)


def test_a_name_outranks_an_alias() -> None:
    """``other`` is the name of sex _O; an alias of another code cannot take it."""
    assert codelist("sex").labels["other"] == "_O"
    assert codelist("exploitation").labels["other"] == "OTHER"


@given(
    st.sampled_from(["NGO.AFESIP", "GOV", "ngo", "NGO.", "IO.UN-OM_1", "NGO.AFESIP\n", "_U"])
    | st.text(alphabet="NGOIV._-A1 \n", max_size=10)
)
def test_the_destination_pattern_reads_alike_in_polars(code: str) -> None:
    """DESTINATION_PATTERN matches in polars exactly the destination codes Python matches."""
    found = pl.select(pl.lit(code, pl.String).str.contains(f"^(?:{DESTINATION_PATTERN})$")).item()
    assert found == (code not in {"_T", "_U"} and is_destination_code(code))


@pytest.mark.parametrize(
    ("dimension", "word", "code"),
    [
        ("sex", "Femme", "F"),
        ("sex", "femmes", "F"),
        ("sex", "Mujer", "F"),
        ("sex", "ស្រី", "F"),
        ("sex", "Homme", "M"),
        ("sex", "Hombre", "M"),
        ("sex", "ប្រុស", "M"),
        ("sex", "Inconnu", "_U"),
        ("sex", "Desconocido", "_U"),
        ("destination", "Famille", "FAMILY"),
        ("destination", "Gobierno", "GOV"),
        ("destination", "ONG", "NGO"),
    ],
)
def test_french_spanish_and_khmer_words_point_to_their_code(
    dimension: str, word: str, code: str
) -> None:
    """A member's file in French, Spanish or Khmer gets the code as a hint (the long CSV still
    takes codes only), and readers of other sources map the word."""
    text = f"indicator,period,reporter,{dimension},value\nvictims_received,2024,NGO.X,{word},4\n"
    (problem,) = ti.parse_long_csv(text).problems
    assert problem.code == "unknown-code"
    assert f"did you mean '{code}'?" in problem.message
