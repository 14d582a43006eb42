"""The disclosure audit's pieces: a group's published bounds and withheld cells, the findings
naming each cell a reader can narrow, and the audit's table of cells."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import attrs
import numpy as np
import polars as pl

from tip_indicators._engine.base import number
from tip_indicators.findings import Finding, ObservationRef, Severity
from tip_indicators.findings.citations import observation_ref
from tip_indicators.observations import key_columns
from tip_indicators.suppression._disclosure import (
    ROW,
    SUPPRESSED_MARKS,
    Active,
    Constraint,
    Group,
    Interval,
    Vector,
    interval_facts,
)


def published_bounds(
    group: Group, columns: Mapping[str, list[object]]
) -> tuple[Vector, Vector, list[int]]:
    size = len(group.rows)
    lower, upper = np.zeros(size), np.full(size, math.inf)
    withheld: list[int] = []
    for local, row in enumerate(group.rows):
        low, high = columns["low"][row], columns["high"][row]
        status, mark = columns["status"][row], columns["conf_status"][row]
        if isinstance(low, float) and isinstance(high, float):
            lower[local], upper[local] = low, high
            if low < high:
                withheld.append(local)
        elif status == "M":
            upper[local] = 0.0
        elif status == "Q" or mark in SUPPRESSED_MARKS:
            withheld.append(local)
    return lower, upper, withheld


@attrs.frozen
class Audited:
    group: Group
    active: Sequence[Active]
    contradicted: Sequence[Constraint]
    found: Mapping[int, Interval]
    required: Mapping[int, float]


def audit_findings(
    frame: pl.DataFrame, dimensions: Sequence[str], audited: Audited
) -> list[Finding]:
    """The findings of one audited group: its cells narrower than required and the relations
    left out because the published figures contradict them."""
    group, contradicted = audited.group, audited.contradicted
    found, required = audited.found, audited.required
    narrow = [local for local in sorted(found) if found[local].values < required[local]]
    if not narrow and not contradicted:
        return []
    rows = frame.filter(pl.col(ROW).is_in(list(group.rows)))
    refs = {row[ROW]: observation_ref(row, dimensions) for row in rows.iter_rows(named=True)}

    def ref(local: int) -> ObservationRef:
        return refs[group.rows[local]]

    return [
        *(_narrow_finding(local, audited, ref) for local in narrow),
        *(_ignored_finding(constraint, ref) for constraint in contradicted),
    ]


def _narrow_finding(local: int, audited: Audited, ref: Callable[[int], ObservationRef]) -> Finding:
    """The finding of a withheld cell narrower than required, naming the relations that give
    it away (``disclosure-recoverable`` when they give it exactly)."""
    interval, active, required = audited.found[local], audited.active, audited.required
    involved = [c for c, _ in active if local in c.cells]
    shown = "; ".join(_relation_text(c, s, ref) for c, s in active if local in c.cells)
    cited = sorted({cell for constraint in involved for cell in constraint.cells} - {local})
    target = ref(local)
    published = target.value or "withheld"
    deduced = _interval_text(interval)
    exact = interval.values == 1
    need = number(required[local])
    if exact:
        message = (
            f"{target.label()} is published as {published!r} but the published figures give "
            f"it exactly: {deduced} ({shown})"
        )
    else:
        message = (
            f"{target.label()} is published as {published!r} but the published figures narrow "
            f"it to {deduced}, {number(interval.values)} possible values where {need} are "
            f"required ({shown})"
        )
    return Finding(
        "disclosure-recoverable" if exact else "disclosure-narrow",
        Severity.ERROR if exact else Severity.WARNING,
        message,
        (target, *(ref(cell) for cell in cited)),
        expected=float(required[local]),
        actual=interval.values,
        location=target.location,
        rule=f"disclosure.{involved[0].dimension}" if involved else "disclosure",
    )


def _ignored_finding(constraint: Constraint, ref: Callable[[int], ObservationRef]) -> Finding:
    """The note that a relation the published figures contradict is left out of the audit."""
    parent = ref(constraint.cells[0])
    text = _relation_text(constraint, constraint.senses[-1], ref)
    return Finding(
        "disclosure-relation-ignored",
        Severity.INFO,
        f"{parent.label()}: the published figures contradict {text}; the disclosure "
        "audit leaves this relation out",
        tuple(ref(cell) for cell in constraint.cells),
        location=parent.location,
        rule=f"disclosure.{constraint.dimension}",
    )


def _relation_text(constraint: Constraint, sense: str, ref: Callable[[int], ObservationRef]) -> str:
    figures = [
        f"{code} {ref(cell).value or '?'}"
        for cell, code in zip(constraint.cells, constraint.codes, strict=True)
    ]
    operator = "=" if sense == "eq" else ">="
    return f"{constraint.dimension}: {figures[0]} {operator} {' + '.join(figures[1:])}"


def _interval_text(interval: Interval) -> str:
    if math.isnan(interval.low):
        return "a single value"
    low = math.ceil(interval.low - 1e-6)
    if math.isinf(interval.high):
        return f"at least {number(low)}"
    high = math.floor(interval.high + 1e-6)
    return number(low) if low == high else f"{number(low)}..{number(high)}"


def audit_frame(
    frame: pl.DataFrame, dimensions: Sequence[str], records: Mapping[int, tuple[Interval, float]]
) -> pl.DataFrame:
    facts = interval_facts(records)
    return (
        frame.select(
            ROW, *key_columns(dimensions), "value", "status", "conf_status", "path", "line"
        )
        .join(facts, on=ROW)
        .with_columns((pl.col("values") == 1).alias("exact"))
        .sort(ROW)
        .drop(ROW)
    )
