"""Choosing which cells to withhold: primary cells below the threshold, then the fewest
secondary cells whose suppression keeps every withheld cell from being worked back out, and the
table written with them withheld."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import polars as pl

from tip_indicators.datasets import Dataset
from tip_indicators.observations import key_columns
from tip_indicators.suppression._disclosure import (
    CONFIDENTIAL,
    PRIMARY,
    ROW,
    SECONDARY,
    SUPPRESSED_MARKS,
    UNMARKED,
    Active,
    Group,
    Interval,
    Vector,
    choose_senses,
    full_components,
    interval_facts,
    interval_values,
    intervals,
    protection_cells,
)


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


@attrs.frozen
class Settings:
    threshold: int
    width: int
    zeros: bool
    objective: str
    style: str


def _classify(
    group: Group, columns: Mapping[str, list[object]], settings: Settings
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
            elif status == "Q" or mark in SUPPRESSED_MARKS:
                cells.marks[local] = str(mark) if mark in SUPPRESSED_MARKS else UNMARKED
            continue
        cells.lower[local], cells.upper[local] = low, high
        if low < high:
            cells.marks[local] = str(mark) if mark in SUPPRESSED_MARKS else PRIMARY
            prior_lower[local], prior_upper[local] = low, high
            continue
        cells.values[local] = low
        if mark in (*CONFIDENTIAL, SECONDARY):
            cells.marks[local] = str(mark)
        elif mark == PRIMARY or (low < threshold and (low > 0 or settings.zeros)):
            cells.marks[local] = PRIMARY
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


def protect(
    group: Group, columns: Mapping[str, list[object]], settings: Settings
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
            cells.marks[cell] = SECONDARY
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
        (cell for cell in cells.wholesale if cells.marks.get(cell) == SECONDARY),
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


def publish(
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
        .then(pl.lit(SECONDARY))
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
        pl.when(hidden & (pl.col("_mark") != UNMARKED))
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


def cells_frame(
    frame: pl.DataFrame,
    dimensions: Sequence[str],
    plan: Mapping[int, tuple[str, bool, Interval, float]],
    published: Dataset,
) -> pl.DataFrame:
    facts = interval_facts(
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
