"""The finding objects: a finding, its severity and code, the figures it cites, and its fixes.

A finding has a stable code (see :func:`finding_codes`), a severity, a message that names the
figures and the arithmetic, the observations involved with their provenance, expected and actual
values, the imbalance, the tolerance used, and suggestions: figures whose change would fix it.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Collection, Mapping

import attrs

from tip_indicators._private.resources import read_table

__all__ = [
    "SUGGESTION_KINDS",
    "Finding",
    "FindingCode",
    "Location",
    "ObservationRef",
    "Severity",
    "Suggestion",
    "finding_codes",
    "place",
    "suggestion_kind",
]


class Severity(enum.Enum):
    """How bad a finding is: errors fail validation; warnings and infos do not by default."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for infos: the order reports list them in."""
        return _RANKS[self]


_RANKS = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@attrs.frozen
class FindingCode:
    """A documented finding code: its ESS validation level, default severity and title."""

    code: str
    level: int
    severity: Severity
    title: str


@functools.cache
def finding_codes() -> Mapping[str, FindingCode]:
    """Every finding code tip-indicators can emit, keyed by code."""
    return {
        row["code"]: FindingCode(
            row["code"], int(row["level"]), Severity(row["severity"]), row["title"]
        )
        for row in read_table("finding_codes.tsv")
    }


@attrs.frozen
class Location:
    """Where a figure was read: a file and 1-based physical line, or a checked data frame and
    its 0-based ``row``; and the field when known."""

    path: str
    line: int | None = None
    field: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.row is not None:
            where = f"{self.path} row {self.row}"
        else:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
        return where if self.field is None else f"{where} {self.field}"


def place(path: str, position: int | None, field: str | None, frames: Collection[str]) -> Location:
    """The location of ``position`` in ``path``: a row when ``path`` names a checked frame (one
    of ``frames``), else a line."""
    if path in frames:
        return Location(path, None, field, position)
    return Location(path, position, field)


@attrs.frozen
class ObservationRef:
    """One figure as a finding cites it: its key, value as written, provenance and location."""

    indicator: str
    period: str
    reporter: str
    dimensions: Mapping[str, str] = attrs.field(eq=False)
    measure: str
    value: str
    source: str | None
    location: Location
    derived: bool = False

    def label(self) -> str:
        """A short human label: ``victims_received[destination=NGO.AFESIP] 2010 GOV.MOSVY``."""
        dims = ",".join(f"{key}={code}" for key, code in self.dimensions.items() if code != "_T")
        measure = "" if self.measure == "N" else f" {self.measure}"
        inner = f"[{dims}]" if dims else ""
        return f"{self.indicator}{inner}{measure} {self.period} {self.reporter}"


SUGGESTION_KINDS: Mapping[str, str] = {
    "transposition": "two adjacent digits swapped",
    "digit-added": "a digit (often a zero) typed too many",
    "digit-dropped": "a digit left out",
    "digit-wrong": "one digit mistyped",
    "copied": "the value of the neighbouring figure copied",
    "boundary": "the nearest value the rules allow (no slip explains the figure)",
    "derived": "the value the other figures of the rule give",
    "wrong-base": "a percentage computed on the wrong base",
    "decimal-point": "a decimal point moved by one or two places",
}
"""The kinds of suggestion, as the JSON report's ``kind`` names them, with what each means."""

_KIND_IN_REASON = re.compile(r"\((" + "|".join(SUGGESTION_KINDS) + r")\)")


def suggestion_kind(reason: str) -> str:
    """The kind of a suggestion from its reason, which names it in parentheses
    (``a zero too many (digit-added): 1540 for 154``); a value computed from the other figures
    of a rule, whose reason names no slip, is ``derived``."""
    found = _KIND_IN_REASON.search(reason)
    return found.group(1) if found else "derived"


@attrs.frozen
class Suggestion:
    """A figure whose change would fix the finding, the value that would, and why it is likely."""

    location: Location
    value: str
    reason: str
    observation: ObservationRef | None = None
    score: float = 0.0

    @property
    def kind(self) -> str:
        """What kind of mistake the suggestion undoes (see :data:`SUGGESTION_KINDS`)."""
        return suggestion_kind(self.reason)


@attrs.frozen(repr=False)
class Finding:
    """One problem (or derived fact) found in the data, with everything needed to act on it."""

    code: str
    severity: Severity
    message: str
    observations: tuple[ObservationRef, ...] = ()
    expected: float | str | None = None
    actual: float | str | None = None
    imbalance: float | None = None
    tolerance: float | None = None
    suggestions: tuple[Suggestion, ...] = ()
    location: Location | None = None
    rule: str | None = None

    def __repr__(self) -> str:
        return f"<Finding {self.brief()}>"

    def brief(self, width: int = 120) -> str:
        """One line for a person: severity, code, place and the message, cut to ``width``."""
        place = self.location or (self.observations[0].location if self.observations else None)
        where = f" at {place}" if place is not None else ""
        line = " ".join(f"{self.severity.value} {self.code}{where}: {self.message}".split())
        return line if len(line) <= width else line[: width - 1] + "…"

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """File, line (or row), severity, code, message: the stable order of a report."""
        location = self.location or (self.observations[0].location if self.observations else None)
        path = location.path if location else ""
        position = (location.row if location.row is not None else location.line) if location else 0
        return (path, position or 0, self.severity.rank, self.code, self.message)
