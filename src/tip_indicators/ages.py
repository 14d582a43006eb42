"""Age bands: SDMX-style age codes, the whole years they mean, and the algebra over them.

A band is a closed range of years (``Y15T17``), an open one (``Y_GE18``), all ages (``_T``) or
unknown age (``_U``). Knowing what each code means lets checks see that ``Y_LT15`` and ``Y15T17``
make up ``Y_LT18``, and so which sums a report that mixes band sets allows.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import re
from collections.abc import Iterable, Mapping

import attrs

from tip_indicators._private.nearest import STRICT_CUTOFF, closest
from tip_indicators.errors import ArgumentError, CodeError, DefinitionError

__all__ = [
    "TOTAL",
    "UNKNOWN",
    "VOCABULARIES",
    "AgeBand",
    "ChildSet",
    "PartitionCheck",
    "age_alias",
    "age_band",
    "age_labels",
    "canonical_code",
    "children",
    "contains",
    "decompose",
    "is_disjoint",
    "overlaps",
    "parse_age",
    "partition_problems",
    "same_ages",
    "size",
    "sort_bands",
    "union",
]

VOCABULARIES = ("glotip", "ctdc", "primero", "prose")

_NUMBER = r"(0|[1-9][0-9]*)"
_CODE = re.compile(rf"Y{_NUMBER}T{_NUMBER}|Y_LT{_NUMBER}|Y_GE{_NUMBER}|Y{_NUMBER}")


def _bounds(code: str) -> tuple[int | None, int | None] | None:
    """Read the bounds a code means, or None when the code is not valid."""
    if code == "_T":
        return (0, None)
    if code == "_U":
        return (None, None)
    match = _CODE.fullmatch(code)
    if match is None:
        return None
    first, last, under, over, year = match.groups()
    if first is not None:
        low, high = int(first), int(last)
        return (low, high) if low <= high else None
    if under is not None:
        return (0, int(under) - 1) if int(under) >= 1 else None
    if over is not None:
        return (int(over), None)
    return (int(year), int(year))


@attrs.frozen
class AgeBand:
    """An age band: its code and the whole years it spans, inclusive; ``high`` None is open.

    ``_T`` spans every age, unknown included; ``_U`` (both bounds None) spans no known age.
    """

    code: str
    low: int | None
    high: int | None

    def __attrs_post_init__(self) -> None:
        if _bounds(self.code) != (self.low, self.high):
            reason = f"the code does not mean low={self.low!r}, high={self.high!r}"
            raise ArgumentError("code", self.code, reason)

    def __str__(self) -> str:
        return self.code

    @property
    def is_total(self) -> bool:
        """Whether this is ``_T``, all ages including unknown."""
        return self.code == "_T"

    @property
    def is_unknown(self) -> bool:
        """Whether this is ``_U``, unknown age."""
        return self.code == "_U"

    @property
    def canonical(self) -> str:
        """The canonical spelling of this band's code (``Y0T4`` is ``Y_LT5``)."""
        return canonical_code(self)


TOTAL = AgeBand("_T", 0, None)
UNKNOWN = AgeBand("_U", None, None)


@functools.lru_cache(maxsize=4096)
def parse_age(code: str) -> AgeBand:
    """Read an age code exactly as written; raise CodeError with a hint for anything else."""
    bounds = _bounds(code)
    if bounds is None:
        raise CodeError("age", code, _suggest(_aliases(), code, as_code=True, vocabulary=None))
    return AgeBand(code, *bounds)


def age_band(low: int, high: int | None) -> AgeBand:
    """Build the real-age band spanning ``low..high`` (None: open) under its canonical code."""
    if low < 0 or (high is not None and high < low):
        argument, value = ("low", low) if low < 0 else ("high", high)
        reason = f"need 0 <= low <= high, not low={low!r}, high={high!r}"
        raise ArgumentError(argument, value, reason)
    if high is None:
        return AgeBand(f"Y_GE{low}", low, None)
    if low == 0:
        return AgeBand(f"Y_LT{high + 1}", low, high)
    if low == high:
        return AgeBand(f"Y{low}", low, high)
    return AgeBand(f"Y{low}T{high}", low, high)


def canonical_code(band: AgeBand) -> str:
    """The one spelling of a band's meaning: ``Y_LT{n}``, ``Y_GE{n}``, ``Y{a}`` or ``Y{a}T{b}``."""
    if band.low is None or band.is_total:
        return band.code
    return age_band(band.low, band.high).code


def _span(band: AgeBand) -> tuple[int, float]:
    """First year and one past the last (infinite when open) of a band with known ages."""
    assert band.low is not None, "_U has no span"
    return band.low, math.inf if band.high is None else band.high + 1


def _order(band: AgeBand) -> tuple[int, int, float, str]:
    """Sort key: by low bound, then end, then code, with ``_U`` last."""
    if band.low is None:
        return (1, 0, 0.0, band.code)
    return (0, *_span(band), band.code)


def sort_bands(bands: Iterable[AgeBand]) -> tuple[AgeBand, ...]:
    """Bands in the library's fixed order: by low bound, then end, then code, ``_U`` last."""
    return tuple(sorted(bands, key=_order))


def contains(outer: AgeBand, inner: AgeBand) -> bool:
    """Whether every age of ``inner`` is an age of ``outer`` (``_T`` contains ``_U`` too)."""
    if outer.is_total:
        return True
    if outer.is_unknown or inner.is_unknown:
        return outer.is_unknown and inner.is_unknown
    if inner.is_total:
        return False
    (outer_low, outer_stop), (inner_low, inner_stop) = _span(outer), _span(inner)
    return outer_low <= inner_low and inner_stop <= outer_stop


def overlaps(a: AgeBand, b: AgeBand) -> bool:
    """Whether two bands share an age (``_U`` shares only with ``_U`` and ``_T``)."""
    if a.is_total or b.is_total:
        return True
    if a.is_unknown or b.is_unknown:
        return a.is_unknown and b.is_unknown
    (a_low, a_stop), (b_low, b_stop) = _span(a), _span(b)
    return a_low < b_stop and b_low < a_stop


def is_disjoint(a: AgeBand, b: AgeBand) -> bool:
    """Whether two bands share no age, so their counts may be added."""
    return not overlaps(a, b)


def same_ages(a: AgeBand, b: AgeBand) -> bool:
    """Whether two bands mean the same ages, however spelt (``Y0T4`` and ``Y_LT5``)."""
    return contains(a, b) and contains(b, a)


def size(band: AgeBand) -> int | None:
    """Number of single years in a bounded band; None for open bands, ``_T`` and ``_U``."""
    if band.low is None or band.high is None:
        return None
    return band.high - band.low + 1


def _merge(spans: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    """Merge year spans that overlap or touch into disjoint, sorted spans."""
    merged: list[tuple[int, float]] = []
    for low, stop in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((low, stop))
    return merged


def union(bands: Iterable[AgeBand]) -> AgeBand | None:
    """The band whose ages are exactly those of ``bands``, or None when no single band is."""
    given = set(bands)
    if TOTAL in given:
        return TOTAL
    spans = _merge(_span(band) for band in given if not band.is_unknown)
    if not spans:
        return UNKNOWN if UNKNOWN in given else None
    if len(spans) > 1:
        return None
    low, stop = spans[0]
    if UNKNOWN in given:
        return TOTAL if (low, stop) == (0, math.inf) else None
    return age_band(low, None if stop == math.inf else int(stop) - 1)


@attrs.frozen
class PartitionCheck:
    """Why a set of bands does or does not partition ``within``: gaps, overlaps, bands outside."""

    within: AgeBand
    gaps: tuple[tuple[int, int | None], ...]
    overlaps: tuple[tuple[str, str], ...]
    outside: tuple[str, ...]

    @property
    def is_partition(self) -> bool:
        """Whether the bands cover ``within`` exactly, each age once."""
        return not (self.gaps or self.overlaps or self.outside)


def partition_problems(bands: Iterable[AgeBand], within: AgeBand = TOTAL) -> PartitionCheck:
    """Find the gaps, overlapping pairs and outside bands that keep ``bands`` from partitioning.

    ``within`` defaults to ``_T``: the real ages 0 and over must be covered, and ``_U`` may be
    present but is not required.
    """
    if within.is_unknown:
        raise ArgumentError("within", within.code, "unknown age has no ages to partition")
    ordered = sort_bands(bands)
    outside = tuple(band.code for band in ordered if not contains(within, band))
    touching = [band for band in ordered if overlaps(within, band)]
    pairs = tuple(
        (first.code, second.code)
        for index, first in enumerate(touching)
        for second in touching[index + 1 :]
        if overlaps(first, second)
    )
    low, stop = _span(within)
    clipped = (_span(band) for band in touching if not band.is_unknown)
    gaps: list[tuple[int, int | None]] = []
    cursor: float = low
    for band_low, band_stop in _merge((max(b, low), min(s, stop)) for b, s in clipped):
        if band_low > cursor:
            gaps.append((int(cursor), band_low - 1))
        cursor = max(cursor, band_stop)
    if cursor < stop:
        gaps.append((int(cursor), None if stop == math.inf else int(stop) - 1))
    return PartitionCheck(within, tuple(gaps), pairs, outside)


def decompose(coarse: AgeBand, available: Iterable[AgeBand]) -> tuple[AgeBand, ...] | None:
    """The fewest bands of ``available`` whose disjoint union is exactly ``coarse``, or None.

    Bands with the same ages as ``coarse`` are left out; ties go to the first in band order.
    ``_T`` decomposes into real bands covering all ages plus ``_U``.
    """
    if coarse.is_unknown:
        return None
    pool = {band for band in available if contains(coarse, band) and not contains(band, coarse)}
    starts: dict[int, list[AgeBand]] = {}
    for band in pool:
        if not band.is_unknown:
            starts.setdefault(_span(band)[0], []).append(band)
    first, stop = _span(coarse)
    best: dict[float, tuple[AgeBand, ...]] = {stop: ()}  # year -> fewest bands tiling to the end
    for position in sorted(starts, reverse=True):
        options = [
            (band, *best[_span(band)[1]]) for band in starts[position] if _span(band)[1] in best
        ]
        if options:
            best[position] = min(options, key=lambda bands: (len(bands), [*map(_order, bands)]))
    found = best.get(first)
    if found is None or (coarse.is_total and UNKNOWN not in pool):
        return None
    return (*found, UNKNOWN) if coarse.is_total else found


@attrs.frozen
class ChildSet:
    """The largest bands nested strictly inside ``parent``, and whether they partition it.

    ``covers_ages`` says every real age of the parent is in some child; ``covers`` says the
    children also never overlap and, for ``_T``, include ``_U``: the breakdown is then closed.
    """

    parent: AgeBand
    bands: tuple[AgeBand, ...]
    disjoint: bool
    covers_ages: bool
    covers: bool


def _strictly_in(outer: AgeBand, inner: AgeBand) -> bool:
    """Whether ``inner`` lies inside ``outer`` and means fewer ages."""
    return contains(outer, inner) and not contains(inner, outer)


def children(parent: AgeBand, bands: Iterable[AgeBand]) -> ChildSet:
    """Pick, among ``bands``, the maximal ones strictly inside ``parent`` and test their cover.

    A child is kept unless it lies strictly inside another band that is strictly inside the
    parent; two spellings of one range are both kept (and overlap). ``_U`` is a child of ``_T``.
    """
    inside = [band for band in set(bands) if _strictly_in(parent, band)]
    kept = sort_bands(b for b in inside if not any(_strictly_in(c, b) for c in inside))
    if parent.is_unknown:
        return ChildSet(parent, kept, disjoint=True, covers_ages=False, covers=False)
    check = partition_problems(kept, parent)
    disjoint, covers_ages = not check.overlaps, not check.gaps
    closed = UNKNOWN in kept or not parent.is_total
    return ChildSet(parent, kept, disjoint, covers_ages, disjoint and covers_ages and closed)


_Table = Mapping[str, Mapping[str, tuple[str, str]]]
_HEADER = "vocabulary\talias\tcode"


def _normalise(text: str) -> str:
    """Fold case, runs of white space and dashes, so labels from other sources compare equal."""
    return " ".join(text.replace("\u2013", "-").replace("\u2014", "-").split()).casefold()


def _parse_alias_table(text: str, source: str) -> _Table:
    """Read alias-table text into normalised alias -> vocabulary -> (alias as written, code)."""
    table: dict[str, dict[str, tuple[str, str]]] = {}
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            if line != _HEADER:
                raise DefinitionError(source, f"header must be {_HEADER!r}", line=number)
            header_seen = True
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            reason = f"expected 3 tab-separated fields, got {len(fields)}"
            raise DefinitionError(source, reason, line=number)
        vocabulary, alias, code = fields
        if vocabulary not in VOCABULARIES:
            raise DefinitionError(source, f"unknown vocabulary {vocabulary!r}", line=number)
        bounds = _bounds(code)
        if bounds is None or canonical_code(AgeBand(code, *bounds)) != code:
            raise DefinitionError(source, f"{code!r} is not a canonical age code", line=number)
        entry = table.setdefault(_normalise(alias), {})
        if vocabulary in entry:
            raise DefinitionError(source, f"duplicate {vocabulary} alias {alias!r}", line=number)
        entry[vocabulary] = (alias, code)
    if not header_seen:
        raise DefinitionError(source, "no header line")
    return table


@functools.cache
def _aliases() -> _Table:
    """The shipped alias table, read once on first use."""
    resource = importlib.resources.files("tip_indicators") / "data" / "age_aliases.tsv"
    return _parse_alias_table(resource.read_text(encoding="utf-8"), "age_aliases.tsv")


_NEAR_RANGE = re.compile(r"Y?_?([0-9]+)(?:TO|T|-+|\.\.)([0-9]+)(?:Y|YEARS?)?")
_NEAR_BOUND = re.compile(r"Y?_?(LT|LE|GE|GT)([0-9]+)")
_NEAR_OPEN = re.compile(r"Y?_?([0-9]+)\+")
_NEAR_YEAR = re.compile(r"Y_?([0-9]+)")
_OPERATORS = {"LT": ("LT", 0), "LE": ("LT", 1), "GE": ("GE", 0), "GT": ("GE", 1)}


def _near_code(text: str) -> str | None:
    """The valid code a mistyped one most likely meant (``y15t17``, ``Y15-17``, ``Y17T15``)."""
    squeezed = "".join(_normalise(text).split()).upper()
    candidate = squeezed if squeezed in ("_T", "_U") else None
    if match := _NEAR_RANGE.fullmatch(squeezed):
        low, high = sorted(int(group) for group in match.groups())
        candidate = f"Y{low}T{high}"
    elif match := _NEAR_BOUND.fullmatch(squeezed):
        kind, step = _OPERATORS[match[1]]
        candidate = f"Y_{kind}{int(match[2]) + step}"
    elif match := _NEAR_OPEN.fullmatch(squeezed):
        candidate = f"Y_GE{int(match[1])}"
    elif match := _NEAR_YEAR.fullmatch(squeezed):
        candidate = f"Y{int(match[1])}"
    if candidate is None or candidate == text or _bounds(candidate) is None:
        return None
    return candidate


def _suggest(table: _Table, text: str, *, as_code: bool, vocabulary: str | None) -> str | None:
    """A hint for an unknown age label: an alias's code, a near-miss code, or a close alias."""
    codes = {code for _, code in table.get(_normalise(text), {}).values()}
    if len(codes) == 1:
        return codes.pop()
    near = _near_code(text)
    if near is not None:
        return near
    labels = {
        key: next(iter(hits.values())) if vocabulary is None else hits[vocabulary]
        for key, hits in table.items()
        if vocabulary is None or vocabulary in hits
    }
    close = closest(_normalise(text), list(labels), cutoff=STRICT_CUTOFF)
    if close is None:
        return None
    alias, code = labels[close]
    return code if as_code else alias


def _check_vocabulary(vocabulary: str | None) -> None:
    if vocabulary is not None and vocabulary not in VOCABULARIES:
        raise ArgumentError("vocabulary", vocabulary, f"not one of {', '.join(VOCABULARIES)}")


def _hits(table: _Table, key: str, vocabulary: str | None) -> dict[str, tuple[str, str]]:
    """The vocabularies (all, or only ``vocabulary``) that have the normalised label ``key``."""
    hits = dict(table.get(key, {}))
    if vocabulary is not None:
        hits = {vocabulary: hits[vocabulary]} if vocabulary in hits else {}
    return hits


def _lookup(table: _Table, text: str, vocabulary: str | None) -> str:
    """Map one label through ``table``; see :func:`age_alias`."""
    _check_vocabulary(vocabulary)
    hits = _hits(table, _normalise(text), vocabulary)
    codes = {code for _, code in hits.values()}
    if len(codes) == 1:
        return codes.pop()
    if codes:
        options = sorted(f"{code} (vocabulary={name})" for name, (_, code) in hits.items())
        raise CodeError("age", text, " or ".join(options))
    if _bounds(text) is not None:
        return text
    raise CodeError("age", text, _suggest(table, text, as_code=False, vocabulary=vocabulary))


def age_alias(text: str, vocabulary: str | None = None) -> str:
    """Map a source label (GLOTIP, CTDC, Primero, report prose) to its age code.

    Matching ignores case and surrounding white space; a valid age code maps to itself. Without
    ``vocabulary`` every vocabulary is tried, and a label they read differently is an error.
    """
    return _lookup(_aliases(), text, vocabulary)


def age_labels(vocabulary: str | None = None) -> Mapping[str, str]:
    """Return every alias label that :func:`age_alias` maps to one code, with that code.

    Labels are normalised as ``age_alias`` matches them: case and runs of white space folded,
    en and em dashes read as hyphens. Without ``vocabulary``, a label two vocabularies read as
    different codes is left out (``age_alias`` refuses it).
    """
    _check_vocabulary(vocabulary)
    table = _aliases()
    found: dict[str, str] = {}
    for key in table:
        codes = {code for _, code in _hits(table, key, vocabulary).values()}
        if len(codes) == 1:
            found[key] = codes.pop()
    return found
