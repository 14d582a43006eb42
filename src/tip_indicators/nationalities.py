"""Nationality codes: ISO 3166-1 countries, UN M49 regions, special codes and free-text aliases.

The codelist and its aliases are data files shipped in ``tip_indicators/data``; they are read
once, on first use.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from importlib import resources
from types import MappingProxyType

import attrs

from tip_indicators._private.nearest import closest
from tip_indicators.errors import CodeError, DefinitionError

__all__ = [
    "SPECIAL_CODES",
    "Country",
    "Region",
    "canonical_nationality",
    "contains",
    "countries",
    "country",
    "is_nationality_code",
    "nationality_spellings",
    "region",
    "region_members",
    "regions",
    "resolve_nationality",
]

SPECIAL_CODES: Mapping[str, str] = MappingProxyType(
    {
        "NATIONAL": "Nationals of the reporting country",
        "FOREIGN": "Foreign nationals: every country and region, and stateless persons",
        "XXA": "Stateless persons (code of ICAO Doc 9303, user-assigned in ISO 3166-1)",
        "_T": "Total",
        "_U": "Unknown",
        "_O": "Other",
        "_Z": "Not applicable",
    }
)
"""Nationality codes that name no country or region, with their labels."""

_CODELIST = "nationality"
_WORLD = "001"
_NOT_APPLICABLE = "_Z"
_TOTAL = "_T"
_FOREIGN = "FOREIGN"
_STATELESS = "XXA"
_ALPHA2 = re.compile(r"[A-Z]{2}")
_ALPHA3 = re.compile(r"[A-Z]{3}")
_M49 = re.compile(r"[0-9]{3}")
_NON_WORD = re.compile(r"[\W_]+")
_WORD_SUBSTITUTES = {"st": "saint", "the": ""}


@attrs.frozen
class Country:
    """An ISO 3166-1 country or area with its UN M49 region, sub-region and intermediate region."""

    alpha2: str = attrs.field(validator=attrs.validators.matches_re(_ALPHA2))
    alpha3: str = attrs.field(validator=attrs.validators.matches_re(_ALPHA3))
    numeric: str = attrs.field(validator=attrs.validators.matches_re(_M49))
    name: str
    region: str | None
    subregion: str | None
    intermediate: str | None


@attrs.frozen
class Region:
    """A UN M49 area: the world, a continental region, a sub-region or an intermediate region."""

    code: str = attrs.field(validator=attrs.validators.matches_re(_M49))
    name: str
    parent: str | None


@attrs.frozen(eq=False)
class _Catalogue:
    """Every country and region, with the code lookups built from them."""

    countries: dict[str, Country]
    alpha3: dict[str, str]
    numeric: dict[str, str]
    regions: dict[str, Region]
    ancestors: dict[str, frozenset[str]]


@attrs.frozen(eq=False)
class _Names:
    """Folded names, region names and aliases mapped to codes, and to their first spelling.

    Kept apart from the codes, and built only when a name is looked up: checking codes (what a
    validation run does) never pays for folding a thousand spellings.
    """

    keys: dict[str, str]
    spellings: dict[str, str]
    ordered: tuple[str, ...] = ()
    """The keys in sorted order, where those that start alike lie together."""


def countries() -> tuple[Country, ...]:
    """Return every country of the codelist, in the order of the data file."""
    return tuple(_catalogue().countries.values())


def regions() -> tuple[Region, ...]:
    """Return every M49 area of the codelist, parents before their children."""
    return tuple(_catalogue().regions.values())


def country(code: str) -> Country:
    """Return the country with this alpha-2, alpha-3 or numeric code; raise CodeError if none."""
    catalogue = _catalogue()
    alpha2 = _country_code(catalogue, code)
    if alpha2 is None:
        raise CodeError(_CODELIST, code, _suggest_code(catalogue, code, countries_only=True))
    return catalogue.countries[alpha2]


def region(code: str) -> Region:
    """Return the M49 area with this three-digit code; raise CodeError if there is none."""
    catalogue = _catalogue()
    found = catalogue.regions.get(code)
    if found is None:
        suggestion = _suggest_code(catalogue, code, countries_only=False)
        raise CodeError("region", code, suggestion if suggestion in catalogue.regions else None)
    return found


def is_nationality_code(code: str) -> bool:
    """Tell whether ``code`` is a nationality code: alpha-2, alpha-3, M49 area or special code."""
    catalogue = _catalogue()
    return (
        code in catalogue.countries
        or code in catalogue.alpha3
        or code in catalogue.regions
        or code in SPECIAL_CODES
    )


def canonical_nationality(code: str) -> str:
    """Return the canonical form of a nationality code: alpha-3 becomes alpha-2, others stay."""
    catalogue = _catalogue()
    if code in catalogue.alpha3:
        return catalogue.alpha3[code]
    if is_nationality_code(code):
        return code
    raise CodeError(_CODELIST, code, _suggest_code(catalogue, code, countries_only=False))


def resolve_nationality(text: str) -> str:
    """Return the canonical code for a code, name, demonym or alias; raise CodeError if unknown.

    Codes (also numeric country codes) must be written exactly; words are matched ignoring case,
    spacing, punctuation and accents.
    """
    catalogue = _catalogue()
    stripped = text.strip()
    if is_nationality_code(stripped):
        return canonical_nationality(stripped)
    if stripped in catalogue.numeric:
        return catalogue.numeric[stripped]
    key = _fold(text)
    found = _names().keys.get(key)
    if found is None:
        suggestion = _suggest_code(catalogue, stripped, countries_only=False)
        raise CodeError(_CODELIST, text, suggestion or _suggest_spelling(key))
    return found


def nationality_spellings() -> Mapping[str, str]:
    """Return every country name, region name and alias, folded, with its nationality code.

    What :func:`resolve_nationality` matches text that is not a code against: folded, a text
    loses its accents, case, punctuation and the word "the", and "St" reads "Saint"
    (``"St. Lucia"`` -> ``"saint lucia"``).
    """
    return MappingProxyType(_names().keys)


def region_members(code: str) -> frozenset[str]:
    """Return the alpha-2 codes of the countries inside an M49 area, at any depth."""
    region(code)
    return _members(code)


def contains(outer: str, inner: str) -> bool:
    """Tell whether nationality ``outer`` includes ``inner``; every code contains itself.

    ``_T`` contains every code but ``_Z``; ``FOREIGN`` contains every country and region and
    ``XXA``; an M49 area contains its sub-areas and countries. Whether a country is ``NATIONAL``
    depends on the reporter, so ``NATIONAL`` contains only itself.
    """
    catalogue = _catalogue()
    outer = canonical_nationality(outer)
    inner = canonical_nationality(inner)
    if outer == inner:
        return True
    if outer == _TOTAL:
        return inner != _NOT_APPLICABLE
    if outer == _FOREIGN:
        return inner == _STATELESS or inner in catalogue.ancestors
    return outer in catalogue.ancestors.get(inner, frozenset())


@functools.cache
def _members(code: str) -> frozenset[str]:
    """Return the countries under an M49 area, cached per area."""
    catalogue = _catalogue()
    return frozenset(
        alpha2 for alpha2 in catalogue.countries if code in catalogue.ancestors[alpha2]
    )


def _country_code(catalogue: _Catalogue, code: str) -> str | None:
    """Return the alpha-2 code for an alpha-2, alpha-3 or numeric country code, or None."""
    if code in catalogue.countries:
        return code
    return catalogue.alpha3.get(code) or catalogue.numeric.get(code)


def _suggest_code(catalogue: _Catalogue, code: str, *, countries_only: bool) -> str | None:
    """Return the valid code a mistyped code or a name most likely meant, or None."""
    candidates = [code.strip().upper()]
    if code.strip().isdigit():
        candidates.append(code.strip().zfill(3))
    for candidate in candidates:
        alpha2 = _country_code(catalogue, candidate)
        if alpha2 is not None:
            return alpha2
        if not countries_only and is_nationality_code(candidate):
            return canonical_nationality(candidate)
    found = _names().keys.get(_fold(code))
    if found is not None and (found in catalogue.countries or not countries_only):
        return found
    return None


def _suggest_spelling(key: str) -> str | None:
    """Return the known spelling nearest to a folded text, or None if nothing is close.

    A spelling that qualifies the text ("Congolese (Kinshasa)" for "Congolese") is preferred.
    """
    names = _names()
    prefix = key + " "
    following = itertools.islice(names.ordered, bisect.bisect_left(names.ordered, prefix), None)
    qualified = list(itertools.takewhile(lambda known: known.startswith(prefix), following))
    match = closest(key, qualified, cutoff=0) if key and qualified else closest(key, names.ordered)
    return None if match is None else names.spellings[match]


def _fold(text: str) -> str:
    """Fold text for matching: accents dropped, case folded, punctuation and "the" removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = _NON_WORD.split(bare.casefold().replace("&", " and "))
    return " ".join(filter(None, (_WORD_SUBSTITUTES.get(word, word) for word in words)))


def _rows(filename: str, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for each data row of a shipped tab-separated file."""
    source = f"tip_indicators/data/{filename}"
    text = (resources.files("tip_indicators") / "data" / filename).read_text(encoding="utf-8")
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if not header_seen:
            if tuple(fields) != columns:
                reason = f"header {fields!r} is not {list(columns)!r}"
                raise DefinitionError(source, reason, line=number)
            header_seen = True
            continue
        if len(fields) != len(columns):
            reason = f"{len(fields)} fields, expected {len(columns)}"
            raise DefinitionError(source, reason, line=number)
        yield number, fields
    if not header_seen:
        raise DefinitionError(source, "no header line")


def _read_regions() -> dict[str, Region]:
    """Read regions.tsv, checking that codes are unique and parents come first."""
    found: dict[str, Region] = {}
    for number, (code, name, parent) in _rows("regions.tsv", ("code", "name", "parent")):
        if code in found or (parent and parent not in found) or (not parent and code != _WORLD):
            reason = f"area {code!r}: duplicate, or parent {parent!r} not defined above"
            raise DefinitionError("tip_indicators/data/regions.tsv", reason, line=number)
        try:
            found[code] = Region(code, name, parent or None)
        except ValueError as error:
            raise DefinitionError(
                "tip_indicators/data/regions.tsv", str(error), line=number
            ) from None
    return found


def _read_countries(known_regions: Mapping[str, Region]) -> dict[str, Country]:
    """Read countries.tsv, checking that codes are unique and regions nest as in regions.tsv."""
    source = "tip_indicators/data/countries.tsv"
    columns = ("alpha2", "alpha3", "numeric", "name", "region", "subregion", "intermediate")
    found: dict[str, Country] = {}
    seen: set[str] = set()
    for number, fields in _rows("countries.tsv", columns):
        alpha2, alpha3, numeric, name, *areas = fields
        clashes = {alpha2, alpha3, numeric} & (seen | set(known_regions))
        chain = [_WORLD, *filter(None, areas)]
        nested = all(
            code in known_regions and known_regions[code].parent == parent
            for parent, code in itertools.pairwise(chain)
        )
        gapless = areas == [*chain[1:], "", "", ""][:3]
        if clashes:
            reason = f"country {alpha2!r}: codes {sorted(clashes)} are already used"
            raise DefinitionError(source, reason, line=number)
        if not nested or not gapless:
            reason = f"country {alpha2!r}: areas {areas} do not nest as in regions.tsv"
            raise DefinitionError(source, reason, line=number)
        seen |= {alpha2, alpha3, numeric}
        region_code, subregion, intermediate = (area or None for area in areas)
        try:
            found[alpha2] = Country(
                alpha2, alpha3, numeric, name, region_code, subregion, intermediate
            )
        except ValueError as error:
            raise DefinitionError(source, str(error), line=number) from None
    return found


def _ancestors(
    known_countries: Mapping[str, Country], known_regions: Mapping[str, Region]
) -> dict[str, frozenset[str]]:
    """Map every country and area to the set of M49 areas above it."""
    result: dict[str, frozenset[str]] = {}
    for area in known_regions.values():
        result[area.code] = result[area.parent] | {area.parent} if area.parent else frozenset()
    for item in known_countries.values():
        parent = item.intermediate or item.subregion or item.region or _WORLD
        result[item.alpha2] = result[parent] | {parent}
    return result


@functools.cache
def _names() -> _Names:
    """Map folded names, region names and aliases to codes, and to their first spelling."""
    catalogue = _catalogue()
    known_countries, known_regions = catalogue.countries, catalogue.regions
    keys: dict[str, str] = {}
    spellings: dict[str, str] = {}
    entries: list[tuple[str, int | None, str, str]] = [
        ("countries.tsv", None, item.name, item.alpha2) for item in known_countries.values()
    ]
    entries += [("regions.tsv", None, area.name, area.code) for area in known_regions.values()]
    for line, (alias, code) in _rows("nationality_aliases.tsv", ("alias", "code")):
        entries.append(("nationality_aliases.tsv", line, alias, code))
    for filename, number, spelling, code in entries:
        key = _fold(spelling)
        valid = code in known_countries or code in known_regions or code in SPECIAL_CODES
        if not key or not valid or keys.setdefault(key, code) != code:
            reason = f"{spelling!r} -> {code!r}: empty, unknown code, or already {keys.get(key)!r}"
            raise DefinitionError(f"tip_indicators/data/{filename}", reason, line=number)
        spellings.setdefault(key, spelling)
    return _Names(keys=keys, spellings=spellings, ordered=tuple(sorted(keys)))


@functools.cache
def _catalogue() -> _Catalogue:
    """Read the shipped data files once and build every lookup."""
    known_regions = _read_regions()
    known_countries = _read_countries(known_regions)
    return _Catalogue(
        countries=known_countries,
        alpha3={item.alpha3: item.alpha2 for item in known_countries.values()},
        numeric={item.numeric: item.alpha2 for item in known_countries.values()},
        regions=known_regions,
        ancestors=_ancestors(known_countries, known_regions),
    )
