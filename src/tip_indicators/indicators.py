"""The indicator catalogue: what each standard figure means, its unit and its breakdowns.

The built-in catalogue is the data file ``catalogue.toml`` shipped in the package; a profile can
extend it. For each dimension an indicator may be broken down by, the catalogue says whether the
breakdown partitions the total (sex, age) or need not (forms of exploitation overlap).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from tip_indicators._private.nearest import closest
from tip_indicators._private.resources import read_text
from tip_indicators.dimensions import Dimension, DimensionKind, builtin_dimensions
from tip_indicators.errors import CodeError, DefinitionError

__all__ = [
    "Catalogue",
    "Indicator",
    "builtin_catalogue",
    "is_rate_unit",
    "names_a_rate",
    "parse_catalogue",
]

_UNITS = frozenset(
    {"person", "case", "establishment", "event", "vehicle", "organisation", "per_100k"}
)
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_RATE_UNITS = frozenset({"per_100k"})
_RATE_WORDS = frozenset({"rate", "rates", "per", "100k", "100000"})
_RATE_SPELLING = 0.8  # a word this like "rate" (urate, rte, rat) names a rate
_WORD = re.compile(r"[a-z0-9]+")


@attrs.frozen
class Indicator:
    """A catalogue entry: a stable code, its meaning, its unit and its allowed breakdowns.

    ``dimensions`` maps each allowed dimension to True when its parts partition the total.
    ``bounded_by`` maps indicators this one cannot exceed to the severity of a violation.
    """

    code: str
    name: str
    definition: str
    unit: str
    additive: bool = True
    dimensions: Mapping[str, bool] = attrs.field(factory=dict, eq=False)
    bounded_by: Mapping[str, str] = attrs.field(factory=dict, eq=False)

    def partitions(self, dimension: str) -> bool:
        """Whether parts along ``dimension`` add up to the total."""
        return self.dimensions.get(dimension, False)


@attrs.frozen
class Catalogue:
    """Indicators and dimensions assembled from one or more catalogue documents."""

    indicators: Mapping[str, Indicator] = attrs.field(eq=False)
    dimensions: Mapping[str, Dimension] = attrs.field(eq=False)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, code: object) -> bool:
        return code in self.indicators

    def indicator(self, code: str) -> Indicator:
        """Return the indicator ``code``, or raise CodeError with the closest code as a hint."""
        try:
            return self.indicators[code]
        except KeyError:
            raise CodeError("indicator", code, self._nearest(code)) from None

    def dimension(self, identifier: str) -> Dimension:
        """Return the dimension ``identifier``, or raise CodeError."""
        try:
            return self.dimensions[identifier]
        except KeyError:
            hint = closest(identifier, list(self.dimensions))
            raise CodeError("dimension", identifier, hint) from None

    def _nearest(self, code: str) -> str | None:
        """The indicator an unknown code most likely meant, of the same kind: a code with a word
        naming a rate (``rate`` or a slip of it, ``per``, ``100k``) is only ever hinted as a
        rate, any other code only as a count (``victims_detected`` is not a rate)."""
        text = code.strip().lower()
        rate = names_a_rate(text)
        same_kind = [c for c, i in self.indicators.items() if (i.unit in _RATE_UNITS) == rate]
        return closest(text, same_kind)

    def extended(self, other: Catalogue) -> Catalogue:
        """A catalogue with ``other``'s indicators and dimensions added to (or replacing) ours."""
        return Catalogue(
            {**self.indicators, **other.indicators}, {**self.dimensions, **other.dimensions}
        )


def names_a_rate(code: str) -> bool:
    """Whether an indicator code names a rate: a word of it is ``rate`` (or a slip of it),
    ``per`` or ``100k``. Hints for unknown codes stay within their kind."""
    return any(
        word in _RATE_WORDS or closest(word, ("rate",), cutoff=_RATE_SPELLING) is not None
        for word in _WORD.findall(code.strip().lower())
    )


def is_rate_unit(unit: str) -> bool:
    """Whether figures in ``unit`` are rates, never summed with counts."""
    return unit in _RATE_UNITS


def _require(table: Mapping[str, Any], key: str, kind: type, where: str, source: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind):
        raise DefinitionError(source, f"{where}: {key!r} must be a {kind.__name__}")
    return value


def _optional(
    table: Mapping[str, Any], key: str, kind: type, where: str, source: str, *, default: Any
) -> Any:
    return _require(table, key, kind, where, source) if key in table else default


def _table(value: Any, where: str, source: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise DefinitionError(source, f"{where} must be a table, not {type(value).__name__}")
    return value


def _parse_dimension(identifier: str, table: Mapping[str, Any], source: str) -> Dimension:
    where = f"dimensions.{identifier}"
    table = _table(table, where, source)
    name = _require(table, "name", str, where, source)
    description = table.get("description", "")
    if "codes" in table:
        codes = _require(table, "codes", dict, where, source)
        allowed = ("_T", *codes, "_U")
        complete = frozenset(table.get("complete", list(codes)))
        unknown = complete - set(allowed)
        if unknown:
            raise DefinitionError(
                source, f"{where}: complete lists unknown codes {sorted(unknown)}"
            )
        return Dimension(identifier, name, DimensionKind.FLAT, description, allowed, None, complete)
    pattern = _require(table, "pattern", str, where, source)
    try:
        re.compile(pattern)
    except re.error as error:
        raise DefinitionError(source, f"{where}: bad pattern: {error}") from None
    return Dimension(identifier, name, DimensionKind.PATTERN, description, ("_T", "_U"), pattern)


def _parse_indicator(
    code: str, table: Mapping[str, Any], dimensions: Mapping[str, Dimension], source: str
) -> Indicator:
    where = f"indicators.{code}"
    if not _CODE.fullmatch(code):
        raise DefinitionError(source, f"{where}: codes are lower_snake_case")
    table = _table(table, where, source)
    unit = _require(table, "unit", str, where, source)
    if unit not in _UNITS:
        raise DefinitionError(source, f"{where}: unknown unit {unit!r} (one of {sorted(_UNITS)})")
    breakdowns: dict[str, bool] = {}
    for dimension, role in _optional(table, "dimensions", dict, where, source, default={}).items():
        if dimension not in dimensions:
            raise DefinitionError(source, f"{where}: unknown dimension {dimension!r}")
        if role not in {"partition", "breakdown"}:
            raise DefinitionError(
                source, f"{where}.{dimension}: {role!r} is not 'partition' or 'breakdown'"
            )
        breakdowns[dimension] = role == "partition"
    bounded = dict(_optional(table, "bounded_by", dict, where, source, default={}))
    for severity in bounded.values():
        if severity not in {"error", "warning", "info"}:
            raise DefinitionError(source, f"{where}.bounded_by: severity {severity!r}")
    return Indicator(
        code,
        _require(table, "name", str, where, source),
        _require(table, "definition", str, where, source),
        unit,
        _optional(table, "additive", bool, where, source, default=True),
        breakdowns,
        bounded,
    )


def parse_catalogue(
    document: Mapping[str, Any], source: str, base: Catalogue | None = None
) -> Catalogue:
    """Build a catalogue from a parsed document (``indicators`` and ``dimensions`` tables).

    Definitions in ``document`` extend ``base``; references to indicators in ``bounded_by`` must
    resolve in the result.
    """
    tables = {
        key: _optional(document, key, dict, "catalogue", source, default={})
        for key in ("dimensions", "indicators")
    }
    dimensions = dict(base.dimensions if base else builtin_dimensions())
    for identifier, table in tables["dimensions"].items():
        dimensions[identifier] = _parse_dimension(identifier, table, source)
    indicators = dict(base.indicators if base else {})
    for code, table in tables["indicators"].items():
        indicators[code] = _parse_indicator(code, table, dimensions, source)
    for indicator in indicators.values():
        for other in indicator.bounded_by:
            if other not in indicators:
                raise DefinitionError(source, f"indicators.{indicator.code}: unknown {other!r}")
    return Catalogue(indicators, dimensions)


@functools.cache
def builtin_catalogue() -> Catalogue:
    """The catalogue shipped with tip-indicators (``data/catalogue.toml``)."""
    return parse_catalogue(tomllib.loads(read_text("catalogue.toml")), "catalogue.toml")
