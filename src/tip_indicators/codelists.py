"""Codelists: the controlled vocabularies every figure is coded with.

Codes follow SDMX where SDMX has them (``_T`` total, ``_U`` unknown, ``_O`` other, ``_Z`` not
applicable). Each codelist also knows aliases, used for "did you mean" hints and by readers that
map other vocabularies; the long CSV itself accepts the codes exactly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType

import attrs

from tip_indicators._private.nearest import STRICT_CUTOFF, closest
from tip_indicators._private.resources import read_table
from tip_indicators.errors import CodeError

__all__ = [
    "DESTINATION_PATTERN",
    "DESTINATION_TYPES",
    "Code",
    "Codelist",
    "codelist",
    "codelist_names",
    "is_destination_code",
    "normalise_label",
    "parse_destination",
]

_FILES = {
    "sex": ("Sex", "sex.tsv"),
    "obs_status": ("Observation status", "obs_status.tsv"),
    "conf_status": ("Confidentiality status", "conf_status.tsv"),
    "exploitation": ("Form of exploitation", "exploitation.tsv"),
    "destination_type": ("Referral destination type", "destination_types.tsv"),
    "measure": ("Measure", "measures.tsv"),
}

DESTINATION_TYPES = ("FAMILY", "GOV", "NGO", "IO", "RETAINED", "OTHER")
DESTINATION_PATTERN = (
    r"(?P<type>FAMILY|GOV|NGO|IO|RETAINED|OTHER)(?:\.(?P<org>[A-Z0-9][A-Z0-9_\-]*))?"
)
"""What a destination code other than ``_T`` and ``_U`` matches: a type, perhaps with an
organisation (``NGO.AFESIP``); the same regular expression in Python and in polars."""
_DESTINATION = re.compile(DESTINATION_PATTERN)


def normalise_label(text: str) -> str:
    """Fold case and runs of white space so that labels from other sources compare equal."""
    return " ".join(text.casefold().split())


@attrs.frozen
class Code:
    """One code of a codelist: its identifier, its name and any extra attributes from the file."""

    code: str
    name: str
    attributes: Mapping[str, str] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen
class Codelist:
    """A named, ordered set of codes with an alias table for mapping other vocabularies."""

    id: str
    name: str
    codes: tuple[Code, ...]
    aliases: Mapping[str, str] = attrs.field(factory=dict, eq=False, repr=False)

    @functools.cached_property
    def _by_code(self) -> dict[str, Code]:
        return {code.code: code for code in self.codes}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, code: str) -> Code:
        try:
            return self._by_code[code]
        except KeyError:
            raise CodeError(self.id, code, self.suggest(code)) from None

    @property
    def ids(self) -> tuple[str, ...]:
        """The codes, in file order."""
        return tuple(code.code for code in self.codes)

    @functools.cached_property
    def labels(self) -> Mapping[str, str]:
        """Every identifier, name and alias, folded by :func:`normalise_label`, with its code.

        What :meth:`resolve` matches a label against; an identifier or name comes before an
        alias, and an earlier code before a later one.
        """
        found: dict[str, str] = {}
        for code in self.codes:
            found.setdefault(code.code.casefold(), code.code)
            found.setdefault(normalise_label(code.name), code.code)
        for alias, code_id in self.aliases.items():
            found.setdefault(alias, code_id)
        return MappingProxyType(found)

    def _label(self, text: str) -> str | None:
        """The code whose identifier, name or alias ``text`` is, ignoring case and spacing."""
        return self.labels.get(normalise_label(text))

    def suggest(self, text: str) -> str | None:
        """Return the code ``text`` most likely meant (alias, case or white-space slip), if any."""
        stripped = text.strip()
        if stripped in self._by_code:
            return stripped
        found = self._label(text)
        if found is not None:
            return found
        return closest(stripped, self.ids, cutoff=STRICT_CUTOFF)

    def resolve(self, text: str) -> str:
        """Map a label from another source (code, name or alias) to a code, or raise CodeError."""
        if text in self._by_code:
            return text
        found = self._label(text)
        if found is None:
            raise CodeError(self.id, text, self.suggest(text))
        return found


def _build(identifier: str) -> Codelist:
    name, filename = _FILES[identifier]
    codes: list[Code] = []
    aliases: dict[str, str] = {}
    for row in read_table(filename):
        extra = {key: value for key, value in row.items() if key not in {"code", "name", "aliases"}}
        codes.append(Code(row["code"], row["name"], extra))
        for alias in filter(None, row.get("aliases", "").split("|")):
            aliases[normalise_label(alias)] = row["code"]
    return Codelist(identifier, name, tuple(codes), aliases)


@functools.cache
def codelist(identifier: str) -> Codelist:
    """Return the built-in codelist ``identifier`` (see :func:`codelist_names`)."""
    if identifier not in _FILES:
        raise CodeError("codelist", identifier, closest(identifier, tuple(_FILES)))
    return _build(identifier)


def codelist_names() -> tuple[str, ...]:
    """Identifiers of the built-in flat codelists."""
    return tuple(_FILES)


def parse_destination(code: str) -> tuple[str, str | None]:
    """Split a destination code into its type and organisation (``NGO.AFESIP`` -> NGO, AFESIP).

    ``_T`` and ``_U`` are returned as their own type. Raises CodeError for anything else.
    """
    if code in {"_T", "_U"}:
        return code, None
    match = _DESTINATION.fullmatch(code)
    if match is None:
        raise CodeError("destination", code, _destination_hint(code))
    return match["type"], match["org"]


def is_destination_code(code: str) -> bool:
    """Whether ``code`` is a valid destination (or referrer) code."""
    return code in {"_T", "_U"} or _DESTINATION.fullmatch(code) is not None


def _destination_hint(code: str) -> str | None:
    candidate = code.strip().upper().replace(" ", "_")
    if candidate != code and is_destination_code(candidate):
        return candidate
    try:
        return codelist("destination_type").resolve(code)
    except CodeError:
        return None
