"""A message template with named placeholders, translated once and applied to columns.

A message builder names its template and the columns that fill it::

    worded("{part} is {part_value}, more than {whole} ...", part=..., part_value=..., ...)

The template is the gettext message id: it is looked up once, in the current
:func:`~tip_indicators.languages.language`, and the translation may put the placeholders in any
order. The result is one ``concat_str`` over the columns, so a rule with ten thousand failures
is still worded in one query. Babel extracts the templates by the names ``worded`` and
``worded_text`` (see ``babel.cfg``).
"""

from __future__ import annotations

import string
from functools import cache

import polars as pl

from tip_indicators.errors import DefinitionError
from tip_indicators.languages import current_language, translate

__all__ = ["placeholders", "worded", "worded_text"]

_FORMATTER = string.Formatter()


def placeholders(template: str) -> frozenset[str]:
    """The names of the ``{name}`` placeholders of ``template``.

    Raises :class:`~tip_indicators.errors.DefinitionError` for a placeholder with no name, a
    conversion or a format spec (``{}``, ``{x!r}``, ``{x:>3}``), or an unmatched brace.
    """
    return frozenset(name for kind, name in _pieces(template) if kind == "field")


def worded(message: str, **columns: pl.Expr) -> pl.Expr:
    """The message ``message``, in the current language, with each ``{name}`` filled by the
    text of ``columns[name]`` row by row (null where one of them is null)."""
    parts = [
        columns[value] if kind == "field" else pl.lit(value)
        for kind, value in _template(message, frozenset(columns), current_language())
    ]
    if len(parts) <= 1:
        return (parts[0] if parts else pl.lit("")).cast(pl.String)
    return pl.concat_str(parts)


def worded_text(message: str, **values: str) -> str:
    """The message ``message``, in the current language, filled with ``values``: for the few
    findings worded one at a time."""
    pieces = _template(message, frozenset(values), current_language())
    return "".join(values[value] if kind == "field" else value for kind, value in pieces)


@cache
def _template(message: str, names: frozenset[str], code: str) -> tuple[tuple[str, str], ...]:
    translated = translate(message, code)
    for text, source in ((message, "message"), (translated, f"the {code} translation")):
        found = placeholders(text)
        if found != names:
            unknown = ", ".join(sorted(found - names)) or "none"
            missing = ", ".join(sorted(names - found)) or "none"
            raise DefinitionError(
                f"{source} of {message!r}",
                f"placeholders unknown: {unknown}; missing: {missing}",
            )
    return _pieces(translated)


@cache
def _pieces(template: str) -> tuple[tuple[str, str], ...]:
    """``template`` as ("text", literal) and ("field", name) pieces, in order."""
    pieces: list[tuple[str, str]] = []
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as error:
        raise DefinitionError(repr(template), str(error)) from None
    for literal, name, spec, conversion in parsed:
        if literal:
            pieces.append(("text", literal))
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise DefinitionError(repr(template), f"placeholder {{{name}}} is not a plain name")
        pieces.append(("field", name))
    return tuple(pieces)
