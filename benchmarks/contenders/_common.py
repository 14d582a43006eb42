"""What every hand-written contender shares: the rule semantics, stated once, in plain Python.

The contenders check the same three families as ``tip-indicators validate`` on the benchmark
data: parts add up to their total (sex, age, destination), a part never exceeds its whole
(exploitation, which is not exclusive), and a stated change (``CHG``) or percentage change
(``PCH``) agrees with its two levels. A value is an interval: ``<5`` is 0..4, a number is exact,
an empty cell is missing (status ``L`` marks the remainder of a breakdown). A relation fails
only when it certainly fails:

- the parts certainly exceed the total: ``sum(part lows) > total high``;
- the breakdown is closed (every category given, or a remainder row with status L) and the
  parts are all known and certainly fall short: ``sum(part highs) < total low``;
- a part of a non-exclusive breakdown certainly exceeds the total;
- a stated change lies outside ``[level(t) low - level(base) high, level(t) high - level(base)
  low]``; a percentage change has no value in common with ``100 x change / base`` widened by
  its rounding (``-u/2 .. +u`` for u = 10^-decimals, mirrored for negative figures).

Which codes of one slice are parts of which: :func:`relations`, computed once per distinct set of
codes (age bands nest: ``Y_LT18`` is the sum of ``Y_LT15`` and ``Y15T17``). Only the standard
library is used here, so importing this module costs every contender the same.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterable
from typing import NamedTuple

GROUP = ("indicator", "period", "reporter")
DIMENSIONS = ("sex", "age", "destination", "exploitation")
KEYS = ("indicator", "period", "reporter", *DIMENSIONS, "measure", "base_period")
PARTITION_DIMENSIONS = ("sex", "age", "destination")
BOUND_DIMENSIONS = ("exploitation",)
REMAINDER = "L"
EPSILON = 1e-9

_SEX_COMPLETE = frozenset({"F", "M", "_O", "_U"})
_EXPLOITATION_COMPLETE = frozenset(
    {
        "SEXUAL",
        "FORCED_LABOUR",
        "FORCED_MARRIAGE",
        "FORCED_CRIMINALITY",
        "BEGGING",
        "ORGAN_REMOVAL",
        "OTHER",
        "_U",
    }
)
_AGE = re.compile(r"^Y(?:_LT(?P<lt>\d+)|_GE(?P<ge>\d+)|(?P<a>\d+)(?:T(?P<b>\d+))?)$")


class Relation(NamedTuple):
    """``parent`` is the sum of ``children`` (at least, unless ``complete``); only a bound
    (part <= whole) when the children may overlap."""

    parent: str
    children: tuple[str, ...]
    disjoint: bool
    complete: bool


def parse_value(text: str) -> tuple[float | None, float | None, int]:
    """``(low, high, decimals)`` of a figure as written: ``<5`` is 0..4, empty is missing."""
    text = text.strip()
    if not text:
        return None, None, 0
    if text.startswith("<"):
        return 0.0, float(text[1:]) - 1.0, 0
    number = float(text)
    return number, number, len(text.partition(".")[2])


def previous_year(period: str) -> str:
    """The default base period of a change: the same period a year earlier (years only)."""
    return str(int(period) - 1)


# ------------------------------------------------------------------------- relations


def _age_span(code: str) -> tuple[float, float] | None:
    """Ages ``low..high`` inclusive (``inf`` for open bands); None for ``_U``."""
    if code == "_T":
        return (0.0, math.inf)
    match = _AGE.match(code)
    if match is None:
        return None
    if match["lt"]:
        return (0.0, float(match["lt"]) - 1)
    if match["ge"]:
        return (float(match["ge"]), math.inf)
    low = float(match["a"])
    return (low, float(match["b"]) if match["b"] else low)


def _age_contains(outer: str, inner: str) -> bool:
    if outer == "_T":
        return True
    if outer == "_U" or inner == "_U":
        return outer == inner
    if inner == "_T":
        return False
    (a, b), (c, d) = _age_span(outer) or (0, 0), _age_span(inner) or (0, 0)
    return a <= c and d <= b


def _strictly_in(outer: str, inner: str) -> bool:
    return _age_contains(outer, inner) and not _age_contains(inner, outer)


def _age_relations(codes: frozenset[str]) -> list[Relation]:
    found = []
    for parent in sorted(codes, key=lambda c: (c != "_T", c)):
        if parent == "_U":
            continue
        inside = [c for c in codes if _strictly_in(parent, c)]
        kept = [c for c in inside if not any(_strictly_in(o, c) for o in inside)]
        if not kept:
            continue
        spans = sorted(s for s in (_age_span(c) for c in kept if c != "_U") if s is not None)
        low, high = _age_span(parent) or (0.0, 0.0)
        cursor, covers, disjoint = low, bool(spans), True
        for band_low, band_high in spans:
            disjoint = disjoint and band_low >= cursor
            covers = covers and band_low <= cursor
            cursor = max(cursor, band_high + 1)
        covers = covers and cursor >= high + 1
        closed = "_U" in kept or parent != "_T"
        found.append(
            Relation(parent, tuple(sorted(kept)), disjoint, disjoint and covers and closed)
        )
    return found


def _organisation_relations(codes: frozenset[str]) -> list[Relation]:
    by_type: dict[str, list[str]] = {}
    for code in codes - {"_T"}:
        kind, _, organisation = code.partition(".")
        by_type.setdefault(kind, [])
        if organisation:
            by_type[kind].append(code)
    found, top = [], []
    for kind in sorted(by_type):
        if kind in codes:
            top.append(kind)
            if by_type[kind]:
                found.append(Relation(kind, tuple(sorted(by_type[kind])), True, False))
        else:
            top.extend(sorted(by_type[kind]))
    if "_T" in codes and top:
        found.insert(0, Relation("_T", tuple(top), True, False))
    return found


@functools.cache
def relations(dimension: str, codes: frozenset[str]) -> tuple[Relation, ...]:
    """The parent-children relations among the ``codes`` one slice gives along ``dimension``."""
    if len(codes) < 2:
        return ()
    if dimension == "age":
        return tuple(_age_relations(codes))
    if dimension == "destination":
        return tuple(_organisation_relations(codes))
    if "_T" not in codes:
        return ()
    children = tuple(sorted(codes - {"_T"}))
    complete = {"sex": _SEX_COMPLETE, "exploitation": _EXPLOITATION_COMPLETE}[dimension]
    return (Relation("_T", children, True, complete <= set(children)),)


def relation_rows(dimension: str, signatures: Iterable[str]) -> dict[str, list[object]]:
    """Columns ``sig, rel, parent, child, disjoint, complete``: one row per (relation, child)
    for each signature (the slice's codes, sorted and joined by ``|``)."""
    table: dict[str, list[object]] = {
        k: [] for k in ("sig", "rel", "parent", "child", "disjoint", "complete")
    }
    for signature in signatures:
        for number, relation in enumerate(relations(dimension, frozenset(signature.split("|")))):
            for child in relation.children:
                table["sig"].append(signature)
                table["rel"].append(number)
                table["parent"].append(relation.parent)
                table["child"].append(child)
                table["disjoint"].append(relation.disjoint)
                table["complete"].append(relation.complete)
    return table


# ------------------------------------------------------------------------- judging

Figure = tuple[float | None, float | None, str]  # low, high, status


def sum_fails(parent: Figure, parts: list[Figure], complete: bool) -> bool:
    """Whether parts that should add up to ``parent`` certainly do not (see the module doc)."""
    p_low, p_high, _ = parent
    if p_low is None or p_high is None:
        return False
    sum_low = sum(low for low, _, _ in parts if low is not None)
    sum_high = sum(high for _, high, _ in parts if high is not None)
    remainder = sum(1 for low, _, status in parts if low is None and status == REMAINDER)
    unknown = sum(1 for low, _, status in parts if low is None and status != REMAINDER)
    if sum_low > p_high:
        return True
    closed = complete or remainder > 0
    return closed and remainder == 0 and unknown == 0 and sum_high < p_low


def bound_fails(parent: Figure, part: Figure) -> bool:
    """Whether ``part`` certainly exceeds its whole ``parent``."""
    if parent[0] is None or parent[1] is None or part[0] is None:
        return False
    return part[0] > parent[1]


def _known(figure: Figure) -> tuple[float, float] | None:
    low, high, _ = figure
    return None if low is None or high is None else (low, high)


def change_fails(stated: Figure, level: Figure, base: Figure) -> bool:
    """Whether a stated change certainly differs from ``level - base``."""
    s, t, b = _known(stated), _known(level), _known(base)
    if s is None or t is None or b is None:
        return False
    return s[0] < t[0] - b[1] or s[1] > t[1] - b[0]


def percent_fails(value: float, decimals: int, level: Figure, base: Figure) -> bool:
    """Whether no percentage ``100 x (level - base) / base`` rounds or truncates to ``value``."""
    t, b = _known(level), _known(base)
    if t is None or b is None or b[0] <= 0:
        return False
    x_low, x_high = t[0] - b[1], t[1] - b[0]
    corners = [100.0 * x / y for x in (x_low, x_high) for y in b]
    unit = 10.0**-decimals
    low, high = (value - unit / 2, value + unit) if value >= 0 else (value - unit, value + unit / 2)
    return not (min(corners) <= high + EPSILON and max(corners) >= low - EPSILON)


# ------------------------------------------------------------------------- output


def write_groups(path: str, groups: Iterable[tuple[str, str, str]]) -> None:
    """Write the flagged groups, one ``indicator,period,reporter`` row each, sorted."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(GROUP)
        writer.writerows(sorted(set(groups)))


def read_groups(path: str) -> set[tuple[str, str, str]]:
    """Read a file written by :func:`write_groups` (or a ``*.corrupted.csv`` list)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return {(r[0], r[1], r[2]) for r in rows[1:] if r}


FINDING_COLUMNS = ("code", "severity", "line", "message")
Finding = tuple[str, str, int, str]  # code, severity, line, message


def write_findings(path: str, findings: Iterable[Finding]) -> None:
    """Write findings, one ``code,severity,line,message`` row each, sorted."""
    ordered = sorted(findings, key=_finding_order)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FINDING_COLUMNS)
        writer.writerows(ordered)


def _finding_order(finding: Finding) -> tuple[int, str, str]:
    """Findings by line, then code and message."""
    code, _, line, message = finding
    return line, code, message


def read_findings(path: str) -> list[Finding]:
    """Read a file written by :func:`write_findings` (or by a contender in its format)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            (row["code"], row["severity"], int(row["line"] or 0), row["message"])
            for row in csv.DictReader(handle)
        ]
