"""The case-code table read from ``case_codes.tsv``: each case field's valid codes and every
source vocabulary's aliases for them, shared by :mod:`tip_indicators.cases`, its record checks
and its aggregation."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import attrs

from tip_indicators._private.nearest import STRICT_CUTOFF
from tip_indicators._private.nearest import closest as _nearest
from tip_indicators._private.resources import read_table
from tip_indicators.codelists import DESTINATION_TYPES, codelist, normalise_label
from tip_indicators.errors import CodeError, DefinitionError
from tip_indicators.indicators import builtin_catalogue

VOCABULARIES = ("ours", "htcds", "ctdc", "ctdc-flag", "ctdc-label")
"""The vocabularies of ``case_codes.tsv``: our own codes and those of each source layout."""


@attrs.frozen
class CodeTable:
    """Valid codes by field; aliases (normalised, and as written) by (field, vocabulary)."""

    codes: Mapping[str, Mapping[str, str]]
    aliases: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]
    written: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]


def _external_codes(field: str) -> dict[str, str] | None:
    if field in {"sex", "exploitation"}:
        return {code.code: code.name for code in codelist(field) if code.code != "_T"}
    if field == "case_status":
        dimension = builtin_catalogue().dimension("case_status")
        return {code: code for code in dimension.codes if code != "_T"}
    if field == "organisation":
        return {code: code for code in DESTINATION_TYPES}
    if field == "majority":
        return {"Y_LT18": "Minor", "Y_GE18": "Adult"}
    return None


@functools.cache
def code_table() -> CodeTable:
    """Read and check ``case_codes.tsv`` once; a bad mapping raises DefinitionError."""
    source = "case_codes.tsv"
    rows = read_table(source)
    ours: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["vocabulary"] == "ours":
            ours.setdefault(row["field"], {})[row["code"]] = row["alias"]
    codes: dict[str, Mapping[str, str]] = {}
    aliases: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    written: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    for row in rows:
        field, vocabulary, alias, code = (row[c] for c in ("field", "vocabulary", "alias", "code"))
        known = _external_codes(field)
        valid = ours.get(field, {}) if known is None else known
        if vocabulary not in VOCABULARIES or code not in valid or not alias.strip():
            reason = f"{field}/{vocabulary}: {alias!r} -> {code!r} is not a valid mapping"
            raise DefinitionError(source, reason)
        codes[field] = valid
        key = alias.strip() if vocabulary == "ctdc-flag" else normalise_label(alias)
        found = aliases.setdefault((field, vocabulary), {})
        if code in found.get(key, ()):
            raise DefinitionError(source, f"{field}/{vocabulary}: {alias!r} -> {code!r} twice")
        found[key] = (*found.get(key, ()), code)
        shown = written.setdefault((field, vocabulary), {})
        shown[alias.strip()] = (*shown.get(alias.strip(), ()), code)
    return CodeTable(codes, aliases, written)


def field_codes(field: str) -> Mapping[str, str]:
    """The valid codes of a case field, each with its name; CodeError for an unknown field."""
    table = code_table()
    if field not in table.codes:
        raise CodeError("case field", field, closest(field, tuple(table.codes)))
    return table.codes[field]


def closest(text: str, options: Sequence[str]) -> str | None:
    """The option most like ``text``, if one is close enough to suggest."""
    return _nearest(text, options, cutoff=STRICT_CUTOFF)
