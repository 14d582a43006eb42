"""Safe publication: small-cell and secondary suppression, a disclosure audit, random rounding.

Counts of victims by sex, age, nationality and place can identify people. :func:`suppress`
withholds every count below a threshold (primary cells, CONF_STATUS ``A``) and then the fewest
further cells (CONF_STATUS ``D``) so that no withheld cell can be worked back out from the totals
and parts that stay published: the range of values a reader can deduce for each withheld cell,
computed exactly by linear programming, keeps at least ``width`` possible values.
:func:`audit_disclosure` computes those ranges for any published table, GLOTIP's ``<5`` cells
included. :func:`random_rounding` is the documented alternative that publishes every cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import attrs
import numpy as np
import polars as pl

from tip_indicators._private.disclosure import (
    ROW,
    Active,
    Constraint,
    Group,
    Interval,
    Vector,
    build_groups,
    choose_senses,
    full_components,
    interval_values,
    intervals,
    protection_cells,
)
from tip_indicators._private.engine.base import number
from tip_indicators.datasets import Dataset
from tip_indicators.errors import ArgumentError
from tip_indicators.findings import Finding, ObservationRef, Severity
from tip_indicators.findings.citations import observation_ref
from tip_indicators.observations import key_columns
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.report import Report

__all__ = [
    "DEFAULT_THRESHOLD",
    "AuditReport",
    "SuppressionResult",
    "audit_disclosure",
    "random_rounding",
    "suppress",
]

DEFAULT_THRESHOLD = 5
"""The threshold of GLOTIP and most national publishers: counts below 5 are withheld."""

Objective = Literal["cells", "value"]
Style = Literal["censored", "missing"]

_CONFIDENTIAL = ("C", "N")
_SUPPRESSED_MARKS = ("A", "C", "D", "N")
_PRIMARY, _SECONDARY = "A", "D"
_UNMARKED = ""
"""The mark of a figure the input already withholds (status Q) without a CONF_STATUS: kept so."""


def _check_arguments(threshold: object, width: object, objective: object, style: object) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ArgumentError("threshold", threshold, "must be a whole number of at least 1")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 1):
        raise ArgumentError("width", width, "must be a whole number of at least 1, or None")
    if objective not in ("cells", "value"):
        raise ArgumentError("objective", objective, "must be 'cells' or 'value'")
    if style not in ("censored", "missing"):
        raise ArgumentError("style", style, "must be 'censored' or 'missing'")


@attrs.frozen
class SuppressionResult:
    """A table made safe to publish, and what was withheld and why.

    ``dataset`` is the table to publish. ``cells`` has one row per withheld level figure: its key,
    the original ``value``, what is ``published`` instead, its ``conf_status`` (``A`` primary,
    ``D`` secondary, ``C``/``N`` marked confidential in the input, null for a figure the input
    already withheld without a mark), the interval ``low..high`` a
    reader can deduce, the number of whole ``values`` in it and the number ``required``.
    ``withheld`` counts changes and shares withheld with their levels; ``ignored`` counts
    relations the input itself contradicts (they protect nothing and are not used).
    """

    dataset: Dataset
    cells: pl.DataFrame = attrs.field(eq=False, repr=lambda frame: f"<{frame.height} rows>")
    threshold: int
    width: int
    objective: str
    style: str
    withheld: int = 0
    ignored: int = 0

    @property
    def primary(self) -> int:
        """How many cells were withheld because they are small (CONF_STATUS A)."""
        return int((self.cells.get_column("conf_status") == _PRIMARY).sum())

    @property
    def secondary(self) -> int:
        """How many further cells were withheld to protect the others (CONF_STATUS D)."""
        return int((self.cells.get_column("conf_status") == _SECONDARY).sum())

    @property
    def unprotected(self) -> pl.DataFrame:
        """Withheld cells still narrower than required (empty unless no suppression can help)."""
        return self.cells.filter(pl.col("values") < pl.col("required"))

    def summary(self) -> str:
        """One line for a person: how many cells of each kind were withheld."""
        other = self.cells.height - self.primary - self.secondary
        parts = [
            f"{self.primary} primary (below {self.threshold})",
            f"{self.secondary} secondary",
        ]
        if other:
            parts.append(f"{other} withheld or marked confidential in the input")
        text = f"withheld {self.cells.height} of {len(self.dataset)} figures: " + ", ".join(parts)
        if self.withheld:
            text += f"; {self.withheld} changes or shares withheld with their levels"
        if self.unprotected.height:
            text += f"; {self.unprotected.height} cells could not be fully protected"
        return text


@attrs.frozen
class AuditReport:
    """What a reader can deduce about every withheld cell of a published table.

    ``cells`` has one row per withheld level figure: its key, the published ``value``, the
    deducible interval ``low..high``, the number of whole ``values`` in it, the number
    ``required``, and ``exact`` when the cell can be recomputed. ``findings`` name each cell
    narrower than required with the relations that give it away.
    """

    cells: pl.DataFrame = attrs.field(eq=False, repr=lambda frame: f"<{frame.height} rows>")
    findings: tuple[Finding, ...]
    width: int
    relations: int
    ignored: int
    dataset: Dataset = attrs.field(eq=False, repr=False)

    @property
    def passed(self) -> bool:
        """Whether every withheld cell keeps at least the required number of possible values."""
        return self.cells.filter(pl.col("values") < pl.col("required")).height == 0

    @property
    def recoverable(self) -> pl.DataFrame:
        """Withheld cells a reader can recompute exactly."""
        return self.cells.filter(pl.col("exact"))

    def report(self) -> Report:
        """The audit as a check report, for the text, JSON, SARIF and GitHub renderers.

        Rows the reader could not use are part of it: a row left out is a cell not audited.
        """
        findings = sorted([*self.dataset.problems, *self.findings], key=lambda f: f.sort_key)
        return Report(
            findings=tuple(findings),
            inputs=self.dataset.inputs,
            observations=len(self.dataset),
            rules_evaluated=self.cells.height,
            profile="disclosure",
        )


# ----------------------------------------------------------------------------------- suppress


@attrs.define
class _Cells:
    """The figures of one group as bounds, with what each is and needs."""

    values: Vector
    lower: Vector
    upper: Vector
    marks: dict[int, str] = attrs.field(factory=dict)
    censored: set[int] = attrs.field(factory=set)
    required: dict[int, float] = attrs.field(factory=dict)
    candidates: dict[int, float] = attrs.field(factory=dict)
    wholesale: set[int] = attrs.field(factory=set)


def suppress(
    dataset: Dataset,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    width: int | None = None,
    zeros: bool = False,
    objective: Objective = "cells",
    style: Style = "censored",
    profile: Profile | None = None,
) -> SuppressionResult:
    """Withhold small counts and the fewest further cells that keep them from being recomputed.

    Every level count below ``threshold`` (zero too when ``zeros``) is primary (CONF_STATUS
    ``A``); figures marked ``C`` or ``N`` in the input are withheld as well. Further cells
    (``D``) are chosen, fewest first or least total value first (``objective``), until each
    withheld cell keeps at least ``width`` possible values (default: ``threshold``; a ``<5`` cell
    needs at most its own 5) given every published figure and every additive relation of the
    profile. ``style`` ``"censored"`` writes primary cells as ``<5``; ``"missing"`` writes every
    withheld cell as an empty value with status ``Q``. Secondary cells are always empty with
    status ``Q``. Everything else in the dataset is kept as it was.
    """
    _check_arguments(threshold, width, objective, style)
    needed = threshold if width is None else width
    profile = profile or builtin_profile()
    frame = dataset.observations.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    columns = {
        name: frame.get_column(name).to_list() for name in ("low", "high", "status", "conf_status")
    }
    plan: dict[int, tuple[str, bool, Interval, float]] = {}
    ignored = 0
    settings = _Settings(threshold, needed, zeros, objective, style)
    for group in build_groups(frame, dataset.dimensions, profile):
        found, contradicted = _protect(group, columns, settings)
        plan.update(found)
        ignored += contradicted
    published, withheld = _publish(frame, dataset, plan, threshold)
    return SuppressionResult(
        published,
        _cells_frame(frame, dataset.dimensions, plan, published),
        threshold,
        needed,
        objective,
        style,
        withheld,
        ignored,
    )


@attrs.frozen
class _Settings:
    threshold: int
    width: int
    zeros: bool
    objective: str
    style: str


def _classify(
    group: Group, columns: Mapping[str, list[object]], settings: _Settings
) -> tuple[_Cells, Vector, Vector]:
    threshold = settings.threshold
    size = len(group.rows)
    cells = _Cells(np.full(size, math.nan), np.zeros(size), np.full(size, math.inf))
    prior_lower, prior_upper = np.zeros(size), np.full(size, math.inf)
    published: dict[int, float] = {}
    for local, row in enumerate(group.rows):
        low, high = columns["low"][row], columns["high"][row]
        status, mark = columns["status"][row], columns["conf_status"][row]
        if not isinstance(low, float) or not isinstance(high, float):
            if status == "M":
                cells.upper[local] = 0.0
            elif status == "Q" or mark in _SUPPRESSED_MARKS:
                cells.marks[local] = str(mark) if mark in _SUPPRESSED_MARKS else _UNMARKED
            continue
        cells.lower[local], cells.upper[local] = low, high
        if low < high:
            cells.marks[local] = str(mark) if mark in _SUPPRESSED_MARKS else _PRIMARY
            prior_lower[local], prior_upper[local] = low, high
            continue
        cells.values[local] = low
        if mark in (*_CONFIDENTIAL, _SECONDARY):
            cells.marks[local] = str(mark)
        elif mark == _PRIMARY or (low < threshold and (low > 0 or settings.zeros)):
            cells.marks[local] = _PRIMARY
            if settings.style == "censored" and low < threshold:
                cells.censored.add(local)
                prior_upper[local] = threshold - 1
        else:
            published[local] = low
    top = max(published.values(), default=0.0)
    for local, value in published.items():
        cells.candidates[local] = (
            1.0 + 1e-3 * value / (1.0 + top) if settings.objective == "cells" else value + 1e-3
        )
    for local in cells.marks:
        span = interval_values(prior_lower[local], prior_upper[local])
        cells.required[local] = min(float(settings.width), span)
    return cells, prior_lower, prior_upper


def _protect(
    group: Group, columns: Mapping[str, list[object]], settings: _Settings
) -> tuple[dict[int, tuple[str, bool, Interval, float]], int]:
    cells, prior_lower, prior_upper = _classify(group, columns, settings)
    active, contradicted = choose_senses(group.constraints, cells.lower, cells.upper)
    for local in cells.marks:
        cells.lower[local], cells.upper[local] = prior_lower[local], prior_upper[local]
    components = {
        cell: members
        for members in full_components(len(group.rows), group.constraints)
        for cell in members
    }
    unprotectable = _secondary(cells, active, components, settings.width)
    known = intervals(sorted(cells.marks), active, cells.lower, cells.upper)
    known = _cleanup(cells, active, known, unprotectable)
    plan = {
        group.rows[local]: (mark, local in cells.censored, known[local], cells.required[local])
        for local, mark in cells.marks.items()
    }
    return plan, len(contradicted)


def _secondary(
    cells: _Cells, active: Sequence[Active], components: Mapping[int, list[int]], needed: int
) -> set[int]:
    """Suppress published cells until every withheld one is protected; return those none can be."""
    unprotectable: set[int] = set()
    attempts: dict[int, int] = {}
    pending = sorted(cells.marks)
    while pending:
        found = intervals(pending, active, cells.lower, cells.upper)
        short = [cell for cell in pending if found[cell].values < cells.required[cell]]
        if not short:
            return unprotectable
        target = short[0]
        attempts[target] = attempts.get(target, 0) + 1
        members = components.get(target, [target])
        offer = {cell: cells.candidates[cell] for cell in members if cell in cells.candidates}
        chosen: set[int] | None = None
        if attempts[target] == 1:
            chosen = protection_cells(
                target,
                cells.required[target] - 1,
                cells=members,
                active=active,
                lower=cells.lower,
                upper=cells.upper,
                values=cells.values,
                candidates=offer,
            )
        if not chosen:
            # No cheapest set found: withhold every published cell related to it, then publish
            # again those the protection does not need (see _cleanup).
            chosen = set(offer)
            cells.wholesale |= chosen
        if not chosen:
            unprotectable.add(target)
            short.remove(target)
        for cell in sorted(chosen):
            del cells.candidates[cell]
            cells.marks[cell] = _SECONDARY
            cells.lower[cell], cells.upper[cell] = 0.0, math.inf
            cells.required[cell] = float(needed)
        # Withholding more only widens intervals: cells already protected stay protected.
        pending = sorted({*short, *chosen} - unprotectable)
    return unprotectable


def _cleanup(
    cells: _Cells, active: Sequence[Active], known: dict[int, Interval], unprotectable: set[int]
) -> dict[int, Interval]:
    """Publish again every cell withheld wholesale that the protection does not need.

    Cells chosen by the cheapest-set program are needed by construction; cells withheld wholesale
    (when that program found nothing) are tried one by one, largest value first.
    """
    goal = {
        cell: known[cell].values if cell in unprotectable else cells.required[cell]
        for cell in cells.marks
    }
    secondary = sorted(
        (cell for cell in cells.wholesale if cells.marks.get(cell) == _SECONDARY),
        key=lambda cell: (-cells.values[cell], cell),
    )
    for cell in secondary:
        value = cells.values[cell]
        affected = [
            other
            for other in sorted(cells.marks)
            if other != cell and _depends(known[other], cell, value)
        ]
        cells.lower[cell] = cells.upper[cell] = value
        again = intervals(affected, active, cells.lower, cells.upper)
        if all(again[other].values >= goal[other] for other in affected):
            del cells.marks[cell]
            del known[cell]
            known.update(again)
        else:
            cells.lower[cell], cells.upper[cell] = 0.0, math.inf
    return known


def _depends(interval: Interval, cell: int, value: float) -> bool:
    """Whether fixing ``cell`` at ``value`` can narrow ``interval`` (its end tables move it)."""
    if interval.high_table is None:
        return True
    return any(
        cell in table and abs(table[cell] - value) > 1e-6
        for table in (interval.low_table, interval.high_table)
    )


def _publish(
    frame: pl.DataFrame,
    dataset: Dataset,
    plan: Mapping[int, tuple[str, bool, Interval, float]],
    threshold: int,
) -> tuple[Dataset, int]:
    rows = list(plan)
    changes = pl.DataFrame(
        {
            ROW: rows,
            "_mark": [plan[row][0] for row in rows],
            "_censored": [plan[row][1] for row in rows],
        },
        schema={ROW: pl.Int64, "_mark": pl.String, "_censored": pl.Boolean},
    )
    marked = frame.join(changes, on=ROW, how="left")
    withheld = _withheld_rows(marked, dataset.dimensions)
    marked = marked.with_columns(
        pl.when(pl.col(ROW).is_in(withheld.implode()))
        .then(pl.lit(_SECONDARY))
        .otherwise(pl.col("_mark"))
        .alias("_mark")
    )
    hidden = pl.col("_mark").is_not_null()
    # An already censored input keeps its own text; an exact small count becomes "<threshold".
    exact = (pl.col("low") == pl.col("high")).fill_null(False)
    censor = hidden & pl.col("_censored").fill_null(False) & exact
    keep = hidden & (pl.col("low") < pl.col("high")).fill_null(False)
    blank = hidden & ~censor & ~keep
    result = marked.with_columns(
        pl.when(censor)
        .then(pl.lit(f"<{threshold}"))
        .when(blank)
        .then(pl.lit(""))
        .otherwise(pl.col("value"))
        .alias("value"),
        pl.when(censor)
        .then(pl.lit(0.0))
        .when(blank)
        .then(pl.lit(None, pl.Float64))
        .otherwise(pl.col("low"))
        .alias("low"),
        pl.when(censor)
        .then(pl.lit(float(threshold - 1)))
        .when(blank)
        .then(pl.lit(None, pl.Float64))
        .otherwise(pl.col("high"))
        .alias("high"),
        pl.when(hidden).then(pl.lit(None, pl.Int8)).otherwise(pl.col("decimals")).alias("decimals"),
        pl.when(blank).then(pl.lit("Q")).otherwise(pl.col("status")).alias("status"),
        pl.when(hidden & (pl.col("_mark") != _UNMARKED))
        .then(pl.col("_mark"))
        .otherwise(pl.col("conf_status"))
        .alias("conf_status"),
    ).select(dataset.observations.columns)
    published = attrs.evolve(dataset, observations=result)
    return published, len(withheld)


def _withheld_rows(marked: pl.DataFrame, dimensions: Sequence[str]) -> pl.Series:
    """Changes and shares that would give a withheld level away: withheld with it."""
    hidden = marked.filter(pl.col("_mark").is_not_null() & (pl.col("measure") == "N"))
    series = ["indicator", "reporter", *dimensions]
    periods = hidden.select(*series, "period").unique()
    changes = marked.filter(pl.col("measure").is_in(["CHG", "PCH"]))
    by_period = changes.join(periods, on=[*series, "period"], how="semi")
    by_base = changes.join(
        periods.rename({"period": "base_period"}), on=[*series, "base_period"], how="semi"
    )
    groups = hidden.select("indicator", "period", "reporter").unique()
    shares = marked.filter(pl.col("measure") == "PCT").join(
        groups, on=["indicator", "period", "reporter"], how="semi"
    )
    return pl.concat([by_period, by_base, shares]).get_column(ROW).unique().sort()


def _cells_frame(
    frame: pl.DataFrame,
    dimensions: Sequence[str],
    plan: Mapping[int, tuple[str, bool, Interval, float]],
    published: Dataset,
) -> pl.DataFrame:
    facts = _interval_facts(
        {row: (interval, required) for row, (_, _, interval, required) in plan.items()}
    ).insert_column(
        1, pl.Series("conf_status", [plan[row][0] or None for row in sorted(plan)], pl.String)
    )
    written = published.observations.with_row_index(ROW).select(
        pl.col(ROW).cast(pl.Int64), pl.col("value").alias("published")
    )
    return (
        frame.select(ROW, *key_columns(dimensions), "value", "path", "line")
        .join(written, on=ROW)
        .join(facts, on=ROW)
        .sort(ROW)
        .drop(ROW)
    )


# ------------------------------------------------------------------------------------ audit


def audit_disclosure(
    dataset: Dataset,
    *,
    width: int | None = None,
    additive: bool = True,
    profile: Profile | None = None,
) -> AuditReport:
    """Compute what a reader can deduce about every withheld cell of a published table.

    Withheld cells are censored values (``<5``) and empty values with status ``Q`` or a
    CONF_STATUS of ``A``, ``C``, ``D`` or ``N``. Each must keep at least ``width`` possible
    values (default: the largest censoring bound in the table, else 5), or, for a censored
    cell, as many as its own text states. With ``additive`` a reader is assumed to take every
    breakdown as adding up exactly wherever the published figures allow; otherwise only closed
    and complete breakdowns add up and open ones only bound their parts. Relations the published
    figures contradict are left out and reported.
    """
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 1):
        raise ArgumentError("width", width, "must be a whole number of at least 1, or None")
    profile = profile or builtin_profile()
    frame = dataset.observations.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    needed = width if width is not None else _inferred_width(frame)
    columns = {
        name: frame.get_column(name).to_list() for name in ("low", "high", "status", "conf_status")
    }
    records: dict[int, tuple[Interval, float]] = {}
    findings: list[Finding] = []
    used = skipped = 0
    for group in build_groups(frame, dataset.dimensions, profile, additive=additive):
        lower, upper, withheld = _published_bounds(group, columns)
        if not withheld:
            continue
        required = {
            local: min(float(needed), interval_values(lower[local], upper[local]))
            for local in withheld
        }
        active, contradicted = choose_senses(group.constraints, lower, upper)
        used += len(active)
        skipped += len(contradicted)
        found = intervals(withheld, active, lower, upper)
        for local in withheld:
            records[group.rows[local]] = (found[local], required[local])
        audited = _Audited(group, active, contradicted, found, required)
        findings += _audit_findings(frame, dataset.dimensions, audited)
    cells = _audit_frame(frame, dataset.dimensions, records)
    findings.sort(key=lambda finding: finding.sort_key)
    return AuditReport(cells, tuple(findings), needed, used, skipped, dataset)


def _inferred_width(frame: pl.DataFrame) -> int:
    censored = frame.filter((pl.col("measure") == "N") & (pl.col("low") < pl.col("high")))
    if censored.height == 0:
        return DEFAULT_THRESHOLD
    largest = censored.get_column("high").max()
    return int(largest) + 1 if isinstance(largest, float) else DEFAULT_THRESHOLD


def _published_bounds(
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
        elif status == "Q" or mark in _SUPPRESSED_MARKS:
            withheld.append(local)
    return lower, upper, withheld


@attrs.frozen
class _Audited:
    group: Group
    active: Sequence[Active]
    contradicted: Sequence[Constraint]
    found: Mapping[int, Interval]
    required: Mapping[int, float]


def _audit_findings(
    frame: pl.DataFrame, dimensions: Sequence[str], audited: _Audited
) -> list[Finding]:
    group, active, contradicted = audited.group, audited.active, audited.contradicted
    found, required = audited.found, audited.required
    narrow = [local for local in sorted(found) if found[local].values < required[local]]
    if not narrow and not contradicted:
        return []
    rows = frame.filter(pl.col(ROW).is_in(list(group.rows)))
    refs = {row[ROW]: observation_ref(row, dimensions) for row in rows.iter_rows(named=True)}

    def ref(local: int) -> ObservationRef:
        return refs[group.rows[local]]

    findings: list[Finding] = []
    for local in narrow:
        interval = found[local]
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
        findings.append(
            Finding(
                "disclosure-recoverable" if exact else "disclosure-narrow",
                Severity.ERROR if exact else Severity.WARNING,
                message,
                (target, *(ref(cell) for cell in cited)),
                expected=float(required[local]),
                actual=interval.values,
                location=target.location,
                rule=f"disclosure.{involved[0].dimension}" if involved else "disclosure",
            )
        )
    for constraint in contradicted:
        parent = ref(constraint.cells[0])
        text = _relation_text(constraint, constraint.senses[-1], ref)
        findings.append(
            Finding(
                "disclosure-relation-ignored",
                Severity.INFO,
                f"{parent.label()}: the published figures contradict {text}; the disclosure "
                "audit leaves this relation out",
                tuple(ref(cell) for cell in constraint.cells),
                location=parent.location,
                rule=f"disclosure.{constraint.dimension}",
            )
        )
    return findings


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


def _interval_facts(records: Mapping[int, tuple[Interval, float]]) -> pl.DataFrame:
    """What can be deduced of each withheld cell (row: its interval, and how many values it
    must keep), one row per cell in row order."""
    rows = sorted(records)
    return pl.DataFrame(
        {
            ROW: rows,
            "low": [records[row][0].low for row in rows],
            "high": [records[row][0].high for row in rows],
            "values": [records[row][0].values for row in rows],
            "required": [records[row][1] for row in rows],
        },
        schema={
            ROW: pl.Int64,
            "low": pl.Float64,
            "high": pl.Float64,
            "values": pl.Float64,
            "required": pl.Float64,
        },
    )


def _audit_frame(
    frame: pl.DataFrame, dimensions: Sequence[str], records: Mapping[int, tuple[Interval, float]]
) -> pl.DataFrame:
    facts = _interval_facts(records)
    return (
        frame.select(
            ROW, *key_columns(dimensions), "value", "status", "conf_status", "path", "line"
        )
        .join(facts, on=ROW)
        .with_columns((pl.col("values") == 1).alias("exact"))
        .sort(ROW)
        .drop(ROW)
    )


# --------------------------------------------------------------------------------- rounding


def random_rounding(dataset: Dataset, base: int = 5, seed: int | None = None) -> Dataset:
    """Round every exact level count to a multiple of ``base`` at random, without bias.

    A count ``q x base + r`` becomes ``(q + 1) x base`` with probability ``r / base``, else
    ``q x base``; multiples of ``base`` (zero included) stay as they are, so the expected
    published value is the true one. Rounding is done cell by cell, so parts no longer add up
    to their rounded total: a breakdown of ``k`` parts can miss its total by up to
    ``(k + 1) x (base - 1)``, and a check of the rounded table needs that tolerance. Changes and
    shares computed from unrounded levels would undo the rounding, so they are withheld (status
    ``Q``, CONF_STATUS ``D``). The same ``seed`` gives the same table.
    """
    if isinstance(base, bool) or not isinstance(base, int) or base < 2:
        raise ArgumentError("base", base, "must be a whole number of at least 2")
    frame = dataset.observations
    exact = (
        (pl.col("measure") == "N") & pl.col("low").is_not_null() & (pl.col("low") == pl.col("high"))
    )
    draws = pl.Series("_draw", np.random.default_rng(seed).random(frame.height))
    quotient = (pl.col("low") / base).floor()
    remainder = pl.col("low") - quotient * base
    rounded = (quotient + (pl.col("_draw") * base < remainder).cast(pl.Float64)) * base
    derived = pl.col("measure").is_in(["CHG", "PCH", "PCT"]) & pl.col("low").is_not_null()
    result = (
        frame.with_columns(draws)
        .with_columns(pl.when(exact).then(rounded).otherwise(pl.col("low")).alias("_rounded"))
        .with_columns(
            pl.when(exact)
            .then(pl.col("_rounded").cast(pl.Int64).cast(pl.String))
            .when(derived)
            .then(pl.lit(""))
            .otherwise(pl.col("value"))
            .alias("value"),
            pl.when(derived)
            .then(pl.lit(None, pl.Float64))
            .otherwise(pl.col("_rounded"))
            .alias("low"),
            pl.when(exact)
            .then(pl.col("_rounded"))
            .when(derived)
            .then(pl.lit(None, pl.Float64))
            .otherwise(pl.col("high"))
            .alias("high"),
            pl.when(exact)
            .then(pl.lit(0, pl.Int8))
            .when(derived)
            .then(pl.lit(None, pl.Int8))
            .otherwise(pl.col("decimals"))
            .alias("decimals"),
            pl.when(derived).then(pl.lit("Q")).otherwise(pl.col("status")).alias("status"),
            pl.when(derived)
            .then(pl.lit(_SECONDARY))
            .otherwise(pl.col("conf_status"))
            .alias("conf_status"),
        )
        .select(frame.columns)
    )
    return attrs.evolve(dataset, observations=result)
