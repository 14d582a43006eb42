"""The rule expression language of profiles: safe to read from any file, never evaluated as code.

Grammar (whitespace between tokens is free)::

    rule       := sum comparison sum
    comparison := "==" | "<=" | ">=" | "<" | ">"
    sum        := term (("+" | "-") term)*
    term       := NUMBER | selection | "sum" "(" selection ")" | "(" sum ")"
    selection  := INDICATOR ("[" filter ("," filter)* "]")?
    filter     := DIMENSION "=" (CODE | "*" | TYPE ".*")

A selection names one figure per group: the indicator with the given dimension codes (others
are the group). ``sum(...)`` adds every figure that matches: ``*`` is any code but ``_T``, and
``NGO.*`` any organisation of type NGO. Examples::

    victims_received[destination=_T] == sum(victims_received[destination=*])
    persons_convicted <= persons_prosecuted
"""

from __future__ import annotations

import re
from typing import NoReturn

import attrs

from tip_indicators.errors import DefinitionError

__all__ = [
    "Comparison",
    "Number",
    "Selection",
    "Total",
    "format_expression",
    "parse_expression",
]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>[0-9]+(?:\.[0-9]+)?)|(?P<op>==|<=|>=|<|>|[-+()\[\],=*])"
    r"|(?P<code>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*(?:\.\*)?))"
)
COMPARATORS = ("==", "<=", ">=", "<", ">")
MAX_LENGTH = 4000
MAX_TERMS = 200
MAX_NESTING = 50


@attrs.frozen
class Number:
    """A constant."""

    value: float


@attrs.frozen
class Selection:
    """Figures of ``indicator`` with the given dimension filters (a code, ``*`` or ``TYPE.*``)."""

    indicator: str
    filters: tuple[tuple[str, str], ...] = ()
    total: bool = False
    """True inside ``sum(...)``: every matching figure is added."""


@attrs.frozen
class Total:
    """A signed sum of terms: ``terms[i]`` counted with ``signs[i]`` (+1 or -1)."""

    terms: tuple[Number | Selection | Total, ...]
    signs: tuple[int, ...]


@attrs.frozen
class Comparison:
    """``left comparator right``: the whole rule."""

    left: Total
    comparator: str
    right: Total


class _Parser:
    def __init__(self, text: str, source: str, line: int | None) -> None:
        self.text, self.source, self.line = text, source, line
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                if text[position:].strip() == "":
                    break
                self.fail(
                    position + len(text[position:]) - len(text[position:].lstrip()),
                    f"unexpected character {text[position:].lstrip()[:1]!r}",
                )
            assert match is not None
            kind = match.lastgroup
            assert kind is not None
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            position = match.end()
        self.index = 0
        self.depth = 0

    def fail(self, column: int, reason: str) -> NoReturn:
        raise DefinitionError(
            self.source, f"{reason} in {self.text!r}", line=self.line, column=column + 1
        )

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            where = token[2] if token else len(self.text)
            found = repr(token[1]) if token else "the end"
            self.fail(where, f"expected {value or kind}, found {found}")
        assert token is not None
        self.index += 1
        return token[1]

    def rule(self) -> Comparison:
        left = self.sum()
        token = self.peek()
        if token is None or token[1] not in COMPARATORS:
            self.fail(
                token[2] if token else len(self.text), "expected a comparison (==, <=, >=, <, >)"
            )
        assert token is not None
        self.index += 1
        right = self.sum()
        if self.peek() is not None:
            self.fail(self.tokens[self.index][2], f"unexpected {self.tokens[self.index][1]!r}")
        return Comparison(left, token[1], right)

    def sum(self) -> Total:
        terms = [self.term()]
        signs = [1]
        while (token := self.peek()) is not None and token[1] in {"+", "-"}:
            self.index += 1
            signs.append(1 if token[1] == "+" else -1)
            terms.append(self.term())
            if len(terms) > MAX_TERMS:
                self.fail(token[2], f"more than {MAX_TERMS} terms")
        return Total(tuple(terms), tuple(signs))

    def term(self) -> Number | Selection | Total:
        token = self.peek()
        if token is None:
            self.fail(len(self.text), "expected a figure, found the end")
        assert token is not None
        kind, value, where = token
        if kind == "number":
            self.index += 1
            return Number(float(value))
        if value == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                self.fail(where, f"parentheses nested deeper than {MAX_NESTING} levels")
            self.index += 1
            inner = self.sum()
            self.take("op", ")")
            self.depth -= 1
            return inner
        if kind == "code" and value == "sum":
            self.index += 1
            self.take("op", "(")
            selection = self.selection()
            self.take("op", ")")
            return attrs.evolve(selection, total=True)
        if kind == "code":
            return self.selection()
        self.fail(where, f"expected a figure, found {value!r}")

    def selection(self) -> Selection:
        token = self.peek()
        indicator = self.take("code")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", indicator):
            self.fail(token[2] if token else 0, f"{indicator!r} is not an indicator code")
        filters: list[tuple[str, str]] = []
        if (bracket := self.peek()) is not None and bracket[1] == "[":
            self.index += 1
            while True:
                dimension = self.take("code")
                self.take("op", "=")
                code_token = self.peek()
                if code_token is not None and code_token[1] == "*":
                    self.index += 1
                    code = "*"
                else:
                    code = self.take("code")
                filters.append((dimension, code))
                if (after := self.peek()) is not None and after[1] == ",":
                    self.index += 1
                    continue
                self.take("op", "]")
                break
        return Selection(indicator, tuple(filters))


def parse_expression(text: str, *, source: str = "<rule>", line: int | None = None) -> Comparison:
    """Parse a rule; raise DefinitionError with the column of the first problem."""
    if len(text) > MAX_LENGTH:
        raise DefinitionError(source, f"rule longer than {MAX_LENGTH} characters", line=line)
    return _Parser(text, source, line).rule()


def _format_term(term: Number | Selection | Total) -> str:
    if isinstance(term, Number):
        return str(int(term.value)) if term.value.is_integer() else repr(term.value)
    if isinstance(term, Total):
        return f"({_format_sum(term)})"
    inner = ",".join(f"{d}={c}" for d, c in term.filters)
    body = f"{term.indicator}[{inner}]" if inner else term.indicator
    return f"sum({body})" if term.total else body


def _format_sum(total: Total) -> str:
    parts = []
    for index, (term, sign) in enumerate(zip(total.terms, total.signs, strict=True)):
        text = _format_term(term)
        if index == 0:
            parts.append(text if sign > 0 else f"0 - {text}")
        else:
            parts.append(f"{'+' if sign > 0 else '-'} {text}")
    return " ".join(parts)


def format_expression(rule: Comparison) -> str:
    """The canonical text of a parsed rule; parsing it again gives the same rule."""
    return f"{_format_sum(rule.left)} {rule.comparator} {_format_sum(rule.right)}"
