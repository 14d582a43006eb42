"""Tests for tip_indicators.ages: parsing, the band algebra's laws, partitions and aliases."""

from __future__ import annotations

import importlib.resources
import itertools
import pickle
from random import Random

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tip_indicators import ages
from tip_indicators.ages import (
    TOTAL,
    UNKNOWN,
    VOCABULARIES,
    AgeBand,
    age_alias,
    age_band,
    age_labels,
    canonical_code,
    children,
    contains,
    decompose,
    is_disjoint,
    overlaps,
    parse_age,
    partition_problems,
    same_ages,
    size,
    sort_bands,
    union,
)
from tip_indicators.errors import CodeError, DefinitionError

P = parse_age


@st.composite
def real_bands(draw: st.DrawFn) -> AgeBand:
    """A band of known ages under its canonical code, bounded or open."""
    low = draw(st.integers(0, 100))
    high = draw(st.none() | st.integers(low, 110))
    return age_band(low, high)


@st.composite
def small_bands(draw: st.DrawFn) -> AgeBand:
    """A band over a few years only, so that nesting and overlap are frequent."""
    low = draw(st.integers(0, 6))
    return age_band(low, draw(st.none() | st.integers(low, 8)))


any_bands = real_bands() | small_bands() | st.sampled_from([TOTAL, UNKNOWN])


@st.composite
def widened(draw: st.DrawFn, band: AgeBand) -> AgeBand:
    """A band that contains ``band``: its bounds pushed outwards, or ``_T``."""
    if band.low is None or band.is_total or draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([TOTAL, band]))
    low = draw(st.integers(0, band.low))
    stretch = st.integers(band.high, band.high + 10) if band.high is not None else st.nothing()
    return age_band(low, draw(st.none() | stretch))


@st.composite
def planted(draw: st.DrawFn) -> tuple[AgeBand, list[AgeBand], int]:
    """A coarse band, a pool holding one cut of it among noise, and the number of pieces cut."""
    coarse = draw(small_bands() | real_bands())
    assert coarse.low is not None
    last = coarse.high if coarse.high is not None else coarse.low + 20
    inner = st.integers(coarse.low + 1, last)
    points = sorted(draw(st.lists(inner, unique=True, max_size=5))) if last > coarse.low else []
    starts, ends = [coarse.low, *points], [*(point - 1 for point in points), coarse.high]
    pieces = [age_band(low, high) for low, high in zip(starts, ends, strict=True)]
    pieces = pieces if len(pieces) > 1 else []
    noise = draw(st.lists(any_bands, max_size=8))
    return coarse, draw(st.permutations([*pieces, *noise])), len(pieces)


@st.composite
def cuts(draw: st.DrawFn) -> tuple[AgeBand, ...]:
    """Consecutive bands that cut ages 0 and over at random points."""
    points = draw(st.lists(st.integers(1, 110), unique=True, max_size=8).map(sorted))
    starts, ends = [0, *points], [*(point - 1 for point in points), None]
    return tuple(age_band(low, high) for low, high in zip(starts, ends, strict=True))


def alias_rows() -> list[tuple[str, str, str]]:
    """The (vocabulary, alias, code) rows of the shipped alias file, read independently."""
    resource = importlib.resources.files("tip_indicators") / "data" / "age_aliases.tsv"
    lines = resource.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if line and not line.startswith("#")][1:]
    return [(fields[0], fields[1], fields[2]) for fields in (line.split("\t") for line in body)]


# Parsing


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("Y15T17", 15, 17),
        ("Y0T4", 0, 4),
        ("Y_LT15", 0, 14),
        ("Y_LT1", 0, 0),
        ("Y_GE18", 18, None),
        ("Y5", 5, 5),
        ("_T", 0, None),
        ("_U", None, None),
    ],
)
def test_parse_reads_bounds(code: str, low: int | None, high: int | None) -> None:
    """Each code form parses to its inclusive bounds and keeps its spelling."""
    band = parse_age(code)
    assert (band.code, band.low, band.high) == (code, low, high)


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("Y0T4", "Y_LT5"),
        ("Y0", "Y_LT1"),
        ("Y15T17", "Y15T17"),
        ("Y15T15", "Y15"),
        ("Y_GE18", "Y_GE18"),
        ("_T", "_T"),
        ("_U", "_U"),
    ],
)
def test_canonical_spelling(code: str, canonical: str) -> None:
    """A band's canonical code is the one spelling of its meaning."""
    assert parse_age(code).canonical == canonical
    assert canonical_code(parse_age(code)) == canonical


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Y17T15", "Y15T17"),
        ("y15t17", "Y15T17"),
        ("Y15-17", "Y15T17"),
        ("Y_LT18 ", "Y_LT18"),
        ("Y09T17", "Y9T17"),
        ("Y_LE17", "Y_LT18"),
        ("Y_GT17", "Y_GE18"),
        ("18+", "Y_GE18"),
        ("_t", "_T"),
        ("under 18", "Y_LT18"),
        ("0 to 17 years", "Y_LT18"),
        ("15-18", "Y15T17"),
        ("undr 15", "Y_LT15"),
        ("Y_LT0", None),
        ("", None),
        ("banana", None),
    ],
)
def test_parse_rejects_with_hint(text: str, suggestion: str | None) -> None:
    """An invalid code raises CodeError naming it, with the nearest code when there is one."""
    with pytest.raises(CodeError) as caught:
        parse_age(text)
    assert (caught.value.codelist, caught.value.code) == ("age", text)
    assert caught.value.suggestion == suggestion


def test_code_error_is_a_key_error() -> None:
    """A bad code can be caught as a KeyError and its message quotes the hint."""
    with pytest.raises(KeyError, match="did you mean 'Y15T17'"):
        parse_age("Y17T15")


def test_parse_is_cached() -> None:
    """Parsing the same code twice returns the same object."""
    assert parse_age("Y15T17") is parse_age("Y15T17")


def test_band_value_semantics() -> None:
    """Bands are frozen, hashable, compare by value, and read well."""
    band = parse_age("Y15T17")
    assert repr(band) == "AgeBand(code='Y15T17', low=15, high=17)"
    assert str(band) == "Y15T17"
    assert len({band, AgeBand("Y15T17", 15, 17)}) == 1
    assert pickle.loads(pickle.dumps(band)) == band
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        band.low = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [("Y15T17", 15, 18), ("_T", None, None), ("_U", 0, None), ("Y_GE18", 18, 20), ("x", 1, 2)],
)
def test_band_rejects_wrong_bounds(code: str, low: int | None, high: int | None) -> None:
    """A band whose code does not mean its bounds cannot be built."""
    with pytest.raises(ValueError, match="does not mean"):
        AgeBand(code, low, high)


@pytest.mark.parametrize(("low", "high"), [(-1, 4), (5, 4)])
def test_age_band_rejects_bad_bounds(low: int, high: int) -> None:
    """A negative or reversed range is not a band."""
    with pytest.raises(ValueError, match=f"low={low}, high={high}"):
        age_band(low, high)


# Algebra: examples


def test_total_and_unknown_containment() -> None:
    """_T contains every band including _U; _U contains only itself and is in no real band."""
    assert contains(TOTAL, UNKNOWN)
    assert contains(TOTAL, P("Y_GE0"))
    assert not contains(P("Y_GE0"), TOTAL)
    assert contains(UNKNOWN, UNKNOWN)
    assert not contains(UNKNOWN, P("Y5"))
    assert not contains(P("Y_GE0"), UNKNOWN)
    assert is_disjoint(UNKNOWN, P("Y_GE0"))
    assert overlaps(UNKNOWN, TOTAL)


def test_real_containment_and_overlap() -> None:
    """Nesting and overlap follow the inclusive year ranges."""
    assert contains(P("Y_LT18"), P("Y15T17"))
    assert not contains(P("Y15T17"), P("Y_LT18"))
    assert contains(P("Y_GE18"), P("Y_GE48"))
    assert not contains(P("Y18T20"), P("Y_GE18"))
    assert overlaps(P("Y_LT18"), P("Y17T20"))
    assert is_disjoint(P("Y_LT18"), P("Y_GE18"))


def test_readme_example() -> None:
    """Y_LT15 and Y15T17 make up Y_LT18."""
    parts = (P("Y_LT15"), P("Y15T17"))
    assert union(parts) == P("Y_LT18")
    assert decompose(P("Y_LT18"), [*parts, P("Y_GE18")]) == parts
    assert partition_problems(parts, P("Y_LT18")).is_partition


def test_union_cases() -> None:
    """A union is a band only when it has no gap; real ages plus _U make _T."""
    assert union([P("Y_LT15"), P("Y_GE18")]) is None
    assert union([P("Y_LT18"), P("Y_GE18")]) == P("Y_GE0")
    assert union([P("Y_LT18"), P("Y_GE18"), UNKNOWN]) == TOTAL
    assert union([P("Y_LT18"), UNKNOWN]) is None
    assert union([UNKNOWN]) == UNKNOWN
    assert union([]) is None


def test_sizes() -> None:
    """Bounded bands count their years; open bands, _T and _U have no size."""
    assert [size(P(code)) for code in ("Y15T17", "Y_LT15", "Y5")] == [3, 15, 1]
    assert [size(P(code)) for code in ("Y_GE18", "_T", "_U")] == [None, None, None]


def test_sort_order() -> None:
    """Bands sort by low bound, then end, then code, with _U last."""
    ordered = sort_bands([UNKNOWN, P("Y_GE18"), P("Y15T17"), P("Y_LT5"), P("Y0T4")])
    assert [band.code for band in ordered] == ["Y0T4", "Y_LT5", "Y15T17", "Y_GE18", "_U"]


# Algebra: laws


@given(any_bands)
def test_contains_is_reflexive(band: AgeBand) -> None:
    """A band contains itself."""
    assert contains(band, band)


@given(any_bands, st.data())
def test_contains_is_transitive(inner: AgeBand, data: st.DataObject) -> None:
    """A band inside a band inside a third is inside the third."""
    middle = data.draw(widened(inner))
    outer = data.draw(widened(middle))
    assert contains(middle, inner)
    assert contains(outer, middle)
    assert contains(outer, inner)


@given(any_bands, any_bands)
def test_contains_is_antisymmetric(a: AgeBand, b: AgeBand) -> None:
    """Two canonical bands that contain each other are the same band."""
    if contains(a, b) and contains(b, a):
        assert a == b


@given(any_bands, any_bands)
def test_overlaps_is_symmetric_and_complements_disjoint(a: AgeBand, b: AgeBand) -> None:
    """Overlap is symmetric, disjointness is its negation, and nesting implies overlap."""
    assert overlaps(a, b) == overlaps(b, a)
    assert is_disjoint(a, b) == (not overlaps(a, b))
    if contains(a, b):
        assert overlaps(a, b)


@given(real_bands(), real_bands())
def test_overlap_matches_shared_years(a: AgeBand, b: AgeBand) -> None:
    """Two real bands overlap exactly when some year lies in both."""
    assert a.low is not None
    assert b.low is not None
    shared = max(a.low, b.low)
    assert overlaps(a, b) == all(high is None or shared <= high for high in (a.high, b.high))


@given(any_bands)
def test_canonical_round_trip(band: AgeBand) -> None:
    """Parsing a band's canonical code gives the same ages, and its own code the same band."""
    again = parse_age(canonical_code(band))
    assert same_ages(again, band)
    assert again.canonical == band.canonical
    assert parse_age(band.code) == band


@given(real_bands(), real_bands())
def test_union_of_touching_bands(a: AgeBand, b: AgeBand) -> None:
    """Two real bands with no gap between them unite into the band spanning both."""
    merged = union([a, b])
    assume(merged is not None)
    assert merged is not None
    assert contains(merged, a)
    assert contains(merged, b)
    if is_disjoint(a, b) and size(a) is not None and size(b) is not None:
        assert size(merged) == (size(a) or 0) + (size(b) or 0)


# Partitions


@given(cuts())
def test_cut_is_partition(cut: tuple[AgeBand, ...]) -> None:
    """Consecutive bands from 0 upwards partition all ages, with or without _U."""
    assert partition_problems(cut).is_partition
    assert partition_problems([*cut, UNKNOWN]).is_partition


@given(cuts(), st.data())
def test_removing_a_band_leaves_a_gap(cut: tuple[AgeBand, ...], data: st.DataObject) -> None:
    """Dropping any band of a cut leaves exactly its years uncovered."""
    dropped = data.draw(st.sampled_from(cut))
    check = partition_problems([band for band in cut if band != dropped])
    assert check.gaps == ((dropped.low, dropped.high),)
    assert not check.overlaps
    assert not check.is_partition


@given(cuts(), st.data())
def test_duplicating_a_band_overlaps(cut: tuple[AgeBand, ...], data: st.DataObject) -> None:
    """Giving a band twice reports it as overlapping itself."""
    twice = data.draw(st.sampled_from(cut))
    check = partition_problems([*cut, twice])
    assert check.overlaps == ((twice.code, twice.code),)
    assert not check.gaps


@given(st.lists(any_bands, max_size=8), st.randoms())
def test_partition_ignores_order(bands: list[AgeBand], rng: Random) -> None:
    """The same bands in any order give the same findings."""
    shuffled = list(bands)
    rng.shuffle(shuffled)
    assert partition_problems(shuffled) == partition_problems(bands)


def test_partition_findings() -> None:
    """Gaps, overlapping pairs and outside bands are each reported."""
    check = partition_problems([P("Y_LT15"), P("Y_GE18"), P("Y_GE48")])
    assert check.gaps == ((15, 17),)
    assert check.overlaps == (("Y_GE18", "Y_GE48"),)
    assert check.outside == ()
    inside = partition_problems([P("Y_LT15"), P("Y15T17"), P("Y_GE18"), UNKNOWN], P("Y_LT18"))
    assert (inside.gaps, inside.overlaps, inside.outside) == ((), (), ("Y_GE18", "_U"))
    assert partition_problems([], P("Y5T9")).gaps == ((5, 9),)
    assert partition_problems([P("Y7")], P("Y5T9")).gaps == ((5, 6), (8, 9))


def test_partition_of_unknown_is_refused() -> None:
    """Unknown age has no years to partition."""
    with pytest.raises(ValueError, match="within='_U'"):
        partition_problems([UNKNOWN], UNKNOWN)


# Decomposition


@given(planted())
def test_decompose_is_exact(case: tuple[AgeBand, list[AgeBand], int]) -> None:
    """A decomposition uses pool bands that are disjoint, nest in and fill the coarse band."""
    coarse, pool, pieces = case
    found = decompose(coarse, pool)
    if pieces:
        assert found is not None
        assert len(found) <= pieces
    if found is None:
        return
    assert all(band in pool and not same_ages(band, coarse) for band in found)
    assert all(contains(coarse, band) for band in found)
    assert all(is_disjoint(a, b) for a, b in itertools.combinations(found, 2))
    assert union(found) == coarse
    if size(coarse) is not None:
        assert sum(size(band) or 0 for band in found) == size(coarse)


@given(cuts(), st.lists(real_bands(), max_size=10), st.randoms())
def test_decompose_finds_a_planted_cut(
    cut: tuple[AgeBand, ...], noise: list[AgeBand], rng: Random
) -> None:
    """When a cut of all ages is available, _T decomposes into at most as many bands, any order."""
    pool = [*cut, *noise, UNKNOWN]
    found = decompose(TOTAL, pool)
    assert found is not None
    assert len(found) <= len(cut) + 1
    assert found[-1] == UNKNOWN
    rng.shuffle(pool)
    assert decompose(TOTAL, pool) == found


def test_decompose_prefers_fewest_bands() -> None:
    """The shortest exact decomposition wins, and ties go to the first in band order."""
    pool = [P("Y_LT5"), P("Y5T14"), P("Y_LT15"), P("Y15T17")]
    assert decompose(P("Y_LT18"), pool) == (P("Y_LT15"), P("Y15T17"))
    tied = [P("Y5T9"), P("Y3T9"), P("Y_LT5"), P("Y_LT3")]
    assert decompose(P("Y_LT10"), tied) == (P("Y_LT3"), P("Y3T9"))


def test_decompose_failures() -> None:
    """No decomposition is found across a gap, from the band itself, or for _U."""
    assert decompose(P("Y_LT18"), [P("Y_LT15"), P("Y16T17")]) is None
    assert decompose(P("Y_LT18"), [P("Y_LT18"), P("Y0T17")]) is None
    assert decompose(UNKNOWN, [UNKNOWN]) is None
    assert decompose(TOTAL, [P("Y_LT18"), P("Y_GE18")]) is None
    assert decompose(TOTAL, [P("Y_LT18"), P("Y_GE18"), UNKNOWN]) == (
        P("Y_LT18"),
        P("Y_GE18"),
        UNKNOWN,
    )


# Children


def test_children_of_a_real_band() -> None:
    """The maximal bands strictly inside a parent are its children."""
    given_bands = [P(code) for code in ("Y_LT18", "Y_LT15", "Y15T17", "Y0T4", "Y_GE18")]
    child_set = children(P("Y_LT18"), [*given_bands, TOTAL, UNKNOWN])
    assert child_set.bands == (P("Y_LT15"), P("Y15T17"))
    assert (child_set.disjoint, child_set.covers_ages, child_set.covers) == (True, True, True)


def test_children_of_total() -> None:
    """Under _T the top real bands and _U are children, and _U is needed to close them."""
    present = [P("Y_LT18"), P("Y_GE18"), P("Y_LT15"), P("Y15T17")]
    closed = children(TOTAL, [*present, UNKNOWN])
    assert closed.bands == (P("Y_LT18"), P("Y_GE18"), UNKNOWN)
    assert closed.covers
    open_ = children(TOTAL, present)
    assert (open_.covers_ages, open_.covers) == (True, False)


def test_children_overlap_and_gaps() -> None:
    """Overlapping or gapped children are flagged, and two spellings of one range both stay."""
    overlapping = children(P("Y_LT18"), [P("Y_LT15"), P("Y10T17")])
    assert (overlapping.disjoint, overlapping.covers_ages, overlapping.covers) == (
        False,
        True,
        False,
    )
    gapped = children(P("Y_LT18"), [P("Y_LT15")])
    assert (gapped.disjoint, gapped.covers_ages, gapped.covers) == (True, False, False)
    spellings = children(P("Y_LT18"), [P("Y0T4"), P("Y_LT5"), P("Y2")])
    assert spellings.bands == (P("Y0T4"), P("Y_LT5"))
    assert not spellings.disjoint


def test_children_of_unknown() -> None:
    """Unknown age has no children and no cover."""
    child_set = children(UNKNOWN, [UNKNOWN, TOTAL, P("Y5")])
    assert (child_set.bands, child_set.covers) == ((), False)


@given(any_bands, st.lists(any_bands, max_size=10))
def test_children_are_maximal(parent: AgeBand, bands: list[AgeBand]) -> None:
    """Children nest strictly in the parent and not in each other, and cover every such band."""
    child_set = children(parent, bands)
    strict = [b for b in bands if contains(parent, b) and not contains(b, parent)]
    assert set(child_set.bands) <= set(strict)
    for band in strict:
        assert any(contains(child, band) for child in child_set.bands)
    for a, b in itertools.permutations(child_set.bands, 2):
        assert not (contains(a, b) and not contains(b, a))
    assert list(child_set.bands) == list(sort_bands(child_set.bands))


# Aliases


@pytest.mark.parametrize(
    ("vocabulary", "text", "code"),
    [
        ("glotip", "0 to 17 years", "Y_LT18"),
        ("glotip", "18 years or over", "Y_GE18"),
        ("glotip", "Total", "_T"),
        ("glotip", "Unknown", "_U"),
        ("ctdc", "0--8", "Y_LT9"),
        ("ctdc", "9--17", "Y9T17"),
        ("ctdc", "18--20", "Y18T20"),
        ("ctdc", "39--47", "Y39T47"),
        ("ctdc", "48+", "Y_GE48"),
        ("primero", "0-5", "Y_LT6"),
        ("primero", "6-11", "Y6T11"),
        ("primero", "12-17", "Y12T17"),
        ("primero", "18+", "Y_GE18"),
        ("prose", "under 15", "Y_LT15"),
        ("prose", "15-18", "Y15T17"),
        ("prose", "between 15 and 18", "Y15T17"),
        ("prose", "over 18", "Y_GE18"),
        ("prose", "aged over 18", "Y_GE18"),
        ("prose", "18 and over", "Y_GE18"),
        ("prose", "children", "Y_LT18"),
        ("prose", "minors", "Y_LT18"),
        ("prose", "adults", "Y_GE18"),
        ("prose", "under the age of 18", "Y_LT18"),
    ],
)
def test_alias_maps_source_labels(vocabulary: str, text: str, code: str) -> None:
    """Source labels map to their codes with or without naming the vocabulary."""
    assert age_alias(text, vocabulary) == code
    assert age_alias(text) == code


def test_alias_ignores_case_and_space() -> None:
    """Alias matching trims, folds white space and case, and reads en dashes as hyphens."""
    assert age_alias("  TOTAL ") == "_T"
    assert age_alias("Under   18", "prose") == "Y_LT18"
    assert age_alias("15\u201318") == "Y15T17"


def test_ctdc_padded_band_agrees() -> None:
    """CTDC's 09--17 and 9--17 are the same band."""
    assert age_alias("09--17", "ctdc") == age_alias("9--17", "ctdc") == "Y9T17"


@pytest.mark.parametrize(("vocabulary", "text", "code"), alias_rows())
def test_every_shipped_alias_is_canonical(vocabulary: str, text: str, code: str) -> None:
    """Every alias in the data file maps to a parseable code in canonical spelling."""
    assert vocabulary in ages.VOCABULARIES
    assert parse_age(code).canonical == code
    assert age_alias(text, vocabulary) == code


def test_alias_file_documents_itself() -> None:
    """The alias file opens with comment lines before its header."""
    resource = importlib.resources.files("tip_indicators") / "data" / "age_aliases.tsv"
    lines = resource.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#")
    assert "vocabulary\talias\tcode" in lines


def test_alias_passes_codes_through() -> None:
    """A valid age code is already canonical vocabulary and maps to itself."""
    assert age_alias("Y0T4") == "Y0T4"


@pytest.mark.parametrize(
    ("text", "vocabulary", "suggestion"),
    [
        ("undr 18", None, "under 18"),
        ("48+", "primero", "Y_GE48"),
        ("y15t17", None, "Y15T17"),
        ("teenagers", None, None),
    ],
)
def test_alias_unknown_raises(text: str, vocabulary: str | None, suggestion: str | None) -> None:
    """An unknown label raises CodeError with the nearest label or code as a hint."""
    with pytest.raises(CodeError) as caught:
        age_alias(text, vocabulary)
    assert caught.value.suggestion == suggestion


def test_alias_rejects_unknown_vocabulary() -> None:
    """Naming a vocabulary that does not exist is an error, not an empty match."""
    with pytest.raises(ValueError, match="vocabulary='ilo'"):
        age_alias("0-5", "ilo")


def test_alias_ambiguity_needs_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    """A label two vocabularies read differently needs its vocabulary named."""
    text = "# test table\nvocabulary\talias\tcode\nprimero\t0-5\tY_LT6\nprose\t0-5\tY_LT5\n"
    monkeypatch.setattr(ages, "_aliases", lambda: ages._parse_alias_table(text, "test"))
    with pytest.raises(CodeError) as caught:
        age_alias("0-5")
    assert caught.value.suggestion == "Y_LT5 (vocabulary=prose) or Y_LT6 (vocabulary=primero)"
    assert age_alias("0-5", "prose") == "Y_LT5"
    assert age_labels() == {}
    assert age_labels("primero") == {"0-5": "Y_LT6"}


@pytest.mark.parametrize("vocabulary", [None, *VOCABULARIES])
def test_age_labels_are_what_age_alias_maps(vocabulary: str | None) -> None:
    """Each label of ``age_labels`` maps through age_alias, in its vocabulary, to its code."""
    labels = age_labels(vocabulary)
    assert labels
    assert {label: age_alias(label, vocabulary) for label in labels} == dict(labels)


def test_age_labels_of_every_vocabulary_keep_shared_readings() -> None:
    """Without a vocabulary, a label two vocabularies read alike (``18+``) is kept."""
    assert age_labels()["18+"] == "Y_GE18"
    assert age_labels()["09--17"] == "Y9T17"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("vocabulary\talias\tcode\nilo\t0-5\tY_LT6\n", "unknown vocabulary 'ilo'"),
        ("vocabulary\talias\tcode\nprose\tkids\tY0T17\n", "'Y0T17' is not a canonical"),
        ("vocabulary\talias\tcode\nprose\tkids\n", "expected 3 tab-separated fields"),
        ("vocabulary\talias\tcode\nprose\tkids\tY_LT18\nprose\tKids\tY_LT18\n", "duplicate"),
        ("alias\tcode\nprose\tkids\tY_LT18\n", "header must be"),
        ("# only comments\n", "no header"),
    ],
)
def test_alias_table_errors(body: str, reason: str) -> None:
    """A malformed alias table is a DefinitionError naming the problem."""
    with pytest.raises(DefinitionError, match=reason):
        ages._parse_alias_table(body, "test.tsv")
