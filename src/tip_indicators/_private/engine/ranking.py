"""How likely each fix the localiser found is, and why: the ranking of suggestions.

A fix is weighed, in this order, by how many failed rules it repairs (percentage changes, which
are not linear, are checked value by value), by the rules that hold now and would stop holding
or open a gap (a total that its other breakdowns confirm exactly is rarely the wrong figure),
by the keystroke slip that turns the value meant into the value written
(:mod:`~tip_indicators._private.engine.keystrokes`), and last by the smaller heuristics (a
computed measure is more often wrong; a smaller change is likelier). The score is one number
that keeps that order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import polars as pl

from tip_indicators._private.engine.base import Run, number
from tip_indicators._private.engine.changes import accepts
from tip_indicators._private.engine.keystrokes import (
    COPIED_PRIOR,
    edit_candidates,
    lands_in_window,
    slip_reason,
)
from tip_indicators._private.engine.system import Constraint, Figure
from tip_indicators.findings import ObservationRef

__all__ = [
    "Candidate",
    "Evidence",
    "System",
    "joint_candidate",
    "percent_checks",
    "ranked",
    "single_candidates",
    "slips_within",
]

REPAIR_WEIGHT = 10.0
"""Score per failed rule a fix repairs (and less per rule that holds and it would break)."""
GAP_WEIGHT = 5.0
"""Score less per rule that now adds up exactly and would open a gap."""
MAX_SLIPS = 16
"""The most slips of one figure suggested at once (every digit of the longest figure)."""
EXACT_WEIGHT = 3.0
"""Score more for a slip (or copy) undone after which the failed rules add up exactly, rather
than merely hold: a part written 885 for 88 is told from one that 85 would leave short."""
COMPUTED_WEIGHT = 0.5
"""Score more for a computed measure (CHG, PCH, PCT): derived by hand, so more often wrong."""
COPY_SHARE = 0.1
"""The least change, as a share of the figure, that a value copied from a neighbour explains."""
_EPS = 1e-7
_TIE = 1e-9


@attrs.frozen
class Candidate:
    """A suggested fix: the figure's id, the value as text, why, and its score."""

    figure: int
    value: str
    reason: str
    score: float
    line: int


@attrs.frozen
class Slip:
    """A value one keystroke away from the figure as written, and the slip's prior and words."""

    value: float
    prior: float
    reason: str


@attrs.frozen
class PercentCheck:
    """A percentage change judged on two exact levels (see ``PERCENT_CHECK_SCHEMA``)."""

    level: int
    base: int
    level_value: float
    base_value: float
    stated: float
    decimals: int
    failed: bool

    def holds_with(self, figure: int, value: float) -> bool:
        """Whether the percentage holds with ``figure`` (a level of it) at ``value``."""
        level = value if figure == self.level else self.level_value
        base = value if figure == self.base else self.base_value
        return base > 0 and accepts(self.stated, self.decimals, 100.0 * (level - base) / base)


@attrs.frozen
class Evidence:
    """What the ranking weighs beyond the linear system: the percentage changes each figure
    takes part in, and the keystroke slips of each figure that fall where a fix may."""

    percent: dict[int, list[PercentCheck]]
    slips: dict[int, list[Slip]]


@attrs.frozen
class System:
    """A component's failed constraints, every constraint of its system, its figures and the
    citations of the figures named."""

    failed: list[Constraint]
    local: list[Constraint]
    figures: dict[int, Figure]
    refs: dict[int, ObservationRef]


def percent_checks(run: Run, figures: Sequence[int]) -> dict[int, list[PercentCheck]]:
    """The percentage changes judged on the levels ``figures``, by level."""
    if not run.percent_checks or not figures:
        return {}
    wanted = pl.Series(list(figures), dtype=pl.Int64).implode()
    rows = pl.concat(run.percent_checks).filter(
        pl.col("level").is_in(wanted) | pl.col("base").is_in(wanted)
    )
    found: dict[int, list[PercentCheck]] = {}
    for row in rows.iter_rows(named=True):
        check = PercentCheck(
            row["level"],
            row["base"],
            row["level_value"],
            row["base_value"],
            row["stated"],
            row["decimals"],
            row["failed"],
        )
        for figure in (check.level, check.base):
            found.setdefault(figure, []).append(check)
    return found


def _written(figures: dict[int, Figure], ids: Sequence[int]) -> pl.DataFrame:
    """The whole exact figures among ``ids`` as digits (what the keystroke model edits)."""
    rows = [
        (i, str(int(figures[i].low or 0.0)))
        for i in sorted(set(ids))
        if figures[i].exact and float(figures[i].low or 0.0).is_integer()
    ]
    return pl.DataFrame(
        {"figure": [r[0] for r in rows], "text": [r[1] for r in rows]},
        schema={"figure": pl.Int64, "text": pl.String},
    )


def slips_within(
    figures: dict[int, Figure], windows: Sequence[tuple[int, float, float, float]]
) -> dict[int, list[Slip]]:
    """The keystroke slips of each figure whose value lies in one of its ``windows`` (figure,
    low, high, and the nearest value the rules allow), column-wise: every figure's edits at
    once, filtered before any Python.

    A slip counts only when it lands past that nearest value by no more than its kind's
    :data:`~tip_indicators._private.engine.keystrokes.REACH` times the least change the rules
    ask for (once, when that is a change of a few): when one less in a part of 86 repairs a
    sum, the swap that makes it 68 lands where a fix may by coincidence, while 154 for a 1540
    that must come down to 529 or less is what the slip explains."""
    if not windows:
        return {}
    frame = pl.DataFrame(
        {
            "figure": [w[0] for w in windows],
            "low": [w[1] for w in windows],
            "high": [w[2] for w in windows],
            "nearest": [w[3] for w in windows],
            "current": [figures[w[0]].low for w in windows],
        },
        schema={
            "figure": pl.Int64,
            "low": pl.Float64,
            "high": pl.Float64,
            "nearest": pl.Float64,
            "current": pl.Float64,
        },
    )
    inside = (
        edit_candidates(_written(figures, [w[0] for w in windows]))
        .join(frame.lazy(), on="figure", how="inner")
        .filter(lands_in_window())
        .unique(["figure", "value"], keep="first", maintain_order=True)
        .with_columns(slip_reason())
        .collect()
    )
    found: dict[int, list[Slip]] = {}
    for figure, value_, prior, reason in inside.select(
        "figure", "value", "prior", "reason"
    ).iter_rows():
        found.setdefault(figure, []).append(Slip(value_, prior, reason))
    return found


def single_candidates(
    system: System,
    figure_id: int,
    nearest: float,
    intervals: list[tuple[float, float]],
    evidence: Evidence,
) -> list[Candidate]:
    """The fixes that change ``figure_id`` alone: the likeliest keystroke slip that makes the
    rules hold, if any, and the nearest value that does (the edge of what they allow)."""
    figure = system.figures[figure_id]
    current = figure.low if figure.low is not None else 0.0
    slips = sorted(
        evidence.slips.get(figure_id, []),
        key=lambda s: (-s.prior, abs(s.value - current), s.value),
    )
    # Every slip of the likeliest kind that fits: a 1278 that must come down to 196 or less
    # may be 178, 128 or 127 (a digit too many), and nothing tells them apart.
    best = [s for s in slips if s.prior > 0 and s.prior == slips[0].prior][:MAX_SLIPS] or slips[:1]
    made = [
        _single(system, figure_id, slip.value, slip, intervals=intervals, evidence=evidence)
        for slip in best
    ]
    if not any(math.isclose(s.value, nearest) for s in best):
        slip = next((s for s in slips if math.isclose(s.value, nearest)), None)
        made.append(
            _single(system, figure_id, nearest, slip, intervals=intervals, evidence=evidence)
        )
    return made


def _single(
    system: System,
    figure_id: int,
    value: float,
    slip: Slip | None,
    *,
    intervals: list[tuple[float, float]],
    evidence: Evidence,
) -> Candidate:
    figure = system.figures[figure_id]
    ref = system.refs[figure_id]
    current = figure.low if figure.low is not None else 0.0
    repaired = sum(1 for c in system.failed if figure_id in c.ids)
    score = REPAIR_WEIGHT * repaired
    reasons: list[str] = []
    explained = False
    if slip is not None:
        score += slip.prior
        reasons.append(slip.reason)
        explained = slip.prior > 0
    elif (copied := _copied_from(system, figure, value)) is not None:
        score += COPIED_PRIOR
        reasons.append(
            f"equals {copied.label()} ({copied.value}, line {copied.location.line}): "
            "likely copied from the neighbouring figure (copied)"
        )
        explained = True
    if explained and _balances(system, figure_id, value):
        score += EXACT_WEIGHT
        if any(not c.equality for c in system.failed if figure_id in c.ids):
            reasons.append("the failed rules then add up exactly")
    low, high = min(i[0] for i in intervals), max(i[1] for i in intervals)
    if slip is None and low < high:
        reasons.append(f"any value {_range(low, high)} makes the rules hold (boundary)")
    checks = evidence.percent.get(figure_id, [])
    fixed = sum(1 for c in checks if c.failed and c.holds_with(figure_id, value))
    broken = sum(1 for c in checks if not c.failed and not c.holds_with(figure_id, value))
    if fixed:
        score += REPAIR_WEIGHT * fixed
        reasons.append("also makes the percentage change right")
    if broken:
        score -= REPAIR_WEIGHT * broken
        reasons.append("but would make the percentage change wrong")
    gaps = _confirmations(system, figure_id)
    if gaps:
        score -= GAP_WEIGHT * gaps
        rules = "1 other rule adds" if gaps == 1 else f"{gaps} other rules add"
        reasons.append(f"but {rules} up to it exactly")
    if ref.measure in {"CHG", "PCH", "PCT"}:
        score += COMPUTED_WEIGHT
        reasons.append(f"a {ref.measure} figure is computed from levels, so more often wrong")
    if repaired + fixed > 1:
        reasons.append(f"repairs all {repaired + fixed} failed rules")
    if not explained:
        # A slip is as likely at any place of the figure: only other changes weigh their size.
        score -= 0.1 * math.log10(1.0 + abs(value - current))
    if not reasons:
        reasons.append("changing this figure alone makes the rules hold (derived)")
    return Candidate(figure_id, _format(value), "; ".join(reasons), score, _line(ref))


def joint_candidate(
    system: System, figure_id: int, value: float, fix: dict[int, float]
) -> Candidate:
    """One figure of a fix that changes several together."""
    ref = system.refs[figure_id]
    figure = system.figures[figure_id]
    current = figure.low if figure.low is not None else 0.0
    others = ", ".join(
        f"line {system.refs[i].location.line} to {_format(v)}"
        for i, v in fix.items()
        if i != figure_id
    )
    reasons = [f"together with {others} ({len(fix)} figures must change)"]
    score = -float(len(fix))
    if ref.measure in {"CHG", "PCH", "PCT"}:
        score += COMPUTED_WEIGHT
        reasons.append(f"a {ref.measure} figure is computed from levels, so more often wrong")
    score -= 0.1 * math.log10(1.0 + abs(value - current))
    return Candidate(figure_id, _format(value), "; ".join(reasons), score, _line(ref))


def ranked(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """The candidates to show, likeliest first: all that share the best score (each saying
    how many figures are equally likely, when more than one), then others up to ``limit``.
    Equally likely fixes are ordered by line and value, never by the order they were found."""
    order = sorted(candidates, key=lambda c: (-c.score, c.line, c.value, c.reason))
    unique: list[Candidate] = []
    seen: set[tuple[int, str]] = set()
    for candidate in order:
        if (candidate.figure, candidate.value) not in seen:
            seen.add((candidate.figure, candidate.value))
            unique.append(candidate)
    if not unique:
        return []
    best = [c for c in unique if c.score >= unique[0].score - _TIE]
    figures = {c.figure for c in best}
    if len(best) > 1:
        note = (
            f"one of {len(best)} equally likely figures"
            if len(figures) == len(best)
            else f"one of {len(best)} equally likely fixes of {len(figures)} figures"
            if len(figures) > 1
            else f"one of {len(best)} equally likely values"
        )
        best = [attrs.evolve(c, reason=f"{c.reason}; {note}") for c in best]
    return best + unique[len(best) : max(limit, len(best))]


def _balances(system: System, figure_id: int, value: float) -> bool:
    """Whether every failed rule of ``figure_id`` adds up exactly with it at ``value`` (all
    their figures exact): a slip undone gives back figures that agreed."""
    for constraint in system.failed:
        if figure_id not in constraint.ids:
            continue
        if not all(system.figures[i].exact for i in constraint.ids):
            return False
        slack = constraint.constant + sum(
            a * (value if i == figure_id else (system.figures[i].low or 0.0))
            for i, a in zip(constraint.ids, constraint.coefs, strict=True)
        )
        if abs(slack) > constraint.tol + _EPS:
            return False
    return True


def _confirmations(system: System, figure_id: int) -> int:
    """The rules that hold and add up exactly now with ``figure_id`` in them, all of whose
    figures are exact: changing it alone opens a gap in each (an equality would fail, and a
    single fix keeps every equality)."""
    count = 0
    for constraint in system.local:
        if constraint.failed or constraint.equality or figure_id not in constraint.ids:
            continue
        if not all(system.figures[i].exact for i in constraint.ids):
            continue
        slack = constraint.constant + sum(
            a * (system.figures[i].low or 0.0)
            for i, a in zip(constraint.ids, constraint.coefs, strict=True)
        )
        if abs(slack) <= _EPS:
            count += 1
    return count


def _copied_from(system: System, figure: Figure, value: float) -> ObservationRef | None:
    """The first figure (by id) that shares a failed rule with ``figure`` and states its
    current value, when ``figure`` is exact and a copy explains the change to
    ``value``: no keystroke slip does, and it is large (a tenth of the figure or more; a copy
    puts an unrelated value in place, while a small difference is a miscount, and an equal
    neighbour then a coincidence)."""
    if not figure.exact or figure.low is None:
        return None
    if abs(value - figure.low) < COPY_SHARE * max(abs(figure.low), 1.0):
        return None
    neighbours = sorted({i for c in system.failed if figure.id in c.ids for i in c.ids})
    for other_id in neighbours:
        other = system.figures[other_id]
        if (
            other_id != figure.id
            and other.exact
            and other.low == figure.low
            and other_id in system.refs
        ):
            return system.refs[other_id]
    return None


def _range(low: float, high: float) -> str:
    if not math.isfinite(high):
        return f"from {number(low)}"
    if low <= 0:
        return f"up to {number(high)}"
    return f"from {number(low)} to {number(high)}"


def _line(ref: ObservationRef) -> int:
    return ref.location.line or 0


def _format(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return number(value).replace(",", "")
