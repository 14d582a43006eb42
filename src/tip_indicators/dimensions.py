"""Dimensions: the ways a figure can be broken down, and which codes each accepts.

Built-in dimensions are sex, age, destination and referrer (hierarchical organisation codes),
nationality and country (ISO 3166 and UN M49), and form of exploitation; a catalogue or a profile
can add more (a case status, an activity). Every dimension defaults to ``_T`` (total).
"""

from __future__ import annotations

import enum
import functools
import re

import attrs

from tip_indicators.codelists import codelist, is_destination_code, parse_destination
from tip_indicators.errors import CodeError

__all__ = [
    "BUILTIN_DIMENSIONS",
    "Dimension",
    "DimensionKind",
    "builtin_dimensions",
]

BUILTIN_DIMENSIONS = (
    "sex",
    "age",
    "destination",
    "referrer",
    "nationality",
    "country",
    "exploitation",
)


class DimensionKind(enum.Enum):
    """How a dimension's codes relate to each other, which decides the sums a check can make."""

    FLAT = "flat"
    """Codes are siblings under ``_T`` (sex, exploitation, a case status)."""
    AGE = "age"
    """Codes are age intervals that nest and partition (``Y_LT15`` + ``Y15T17`` = ``Y_LT18``)."""
    ORGANISATION = "organisation"
    """Codes are a type with optional organisations (``NGO`` > ``NGO.AFESIP``)."""
    NATIONALITY = "nationality"
    """Codes are countries and M49 regions under ``NATIONAL`` / ``FOREIGN``."""
    PATTERN = "pattern"
    """Free codes matching a pattern, siblings under ``_T`` (an activity)."""


@attrs.frozen
class Dimension:
    """A dimension definition: identifier (the long-CSV column), name, kind and allowed codes."""

    id: str
    name: str
    kind: DimensionKind
    description: str = ""
    codes: tuple[str, ...] = ()
    pattern: str | None = None
    complete: frozenset[str] = frozenset()

    def code_error(self, code: str) -> CodeError | None:
        """Return the error for ``code`` in this dimension, or None when the code is valid."""
        if code == "_T":
            return None
        if self.kind is DimensionKind.AGE:
            from tip_indicators.ages import parse_age

            try:
                parse_age(code)
            except CodeError as error:
                return CodeError(self.id, code, error.suggestion)
            return None
        if self.kind is DimensionKind.ORGANISATION:
            if is_destination_code(code):
                return None
            try:
                parse_destination(code)
            except CodeError as error:
                return CodeError(self.id, code, error.suggestion)
            return None  # pragma: no cover - parse_destination raised above
        if self.kind is DimensionKind.NATIONALITY:
            from tip_indicators.nationalities import is_nationality_code, resolve_nationality

            if is_nationality_code(code):
                return None
            try:
                suggestion: str | None = resolve_nationality(code)
            except CodeError as error:
                suggestion = error.suggestion
            return CodeError(self.id, code, suggestion)
        if self.kind is DimensionKind.PATTERN:
            if code == "_U" or (self.pattern is not None and re.fullmatch(self.pattern, code)):
                return None
            hint = code.strip().upper().replace(" ", "_")
            valid = self.pattern is not None and re.fullmatch(self.pattern, hint)
            return CodeError(self.id, code, hint if valid else None)
        if code in self.codes:
            return None
        return CodeError(self.id, code, _flat_suggestion(self, code))


def _flat_suggestion(dimension: Dimension, code: str) -> str | None:
    if dimension.id in {"sex", "exploitation"}:
        return codelist(dimension.id).suggest(code)
    stripped = code.strip()
    if stripped in dimension.codes:
        return stripped
    upper = stripped.upper().replace(" ", "_")
    return upper if upper in dimension.codes else None


@functools.cache
def builtin_dimensions() -> dict[str, Dimension]:
    """The built-in dimensions, keyed by identifier (the long-CSV column name)."""
    sex = codelist("sex")
    exploitation = codelist("exploitation")
    organisation = (
        "a type (FAMILY, GOV, NGO, IO, RETAINED, OTHER), optionally '.' and an organisation"
    )
    geography = "ISO 3166-1 alpha-2 or alpha-3, UN M49 region, NATIONAL or FOREIGN"
    return {
        "sex": Dimension(
            "sex",
            "Sex",
            DimensionKind.FLAT,
            "SDMX sex codes.",
            sex.ids,
            complete=frozenset({"F", "M", "_O", "_U"}),
        ),
        "age": Dimension(
            "age", "Age", DimensionKind.AGE, "SDMX age bands: Y15T17, Y_LT18, Y_GE18."
        ),
        "destination": Dimension(
            "destination",
            "Referral destination",
            DimensionKind.ORGANISATION,
            f"Where the persons went next: {organisation}.",
        ),
        "referrer": Dimension(
            "referrer",
            "Referred by",
            DimensionKind.ORGANISATION,
            f"Who referred the persons to the reporter: {organisation}.",
        ),
        "nationality": Dimension(
            "nationality", "Nationality", DimensionKind.NATIONALITY, f"Citizenship: {geography}."
        ),
        "country": Dimension(
            "country",
            "Country",
            DimensionKind.NATIONALITY,
            f"Country of exploitation or the country persons were returned from: {geography}.",
        ),
        "exploitation": Dimension(
            "exploitation",
            "Form of exploitation",
            DimensionKind.FLAT,
            "UNODC forms of exploitation; not exclusive.",
            exploitation.ids,
            complete=frozenset(exploitation.ids) - {"_T"},
        ),
    }
