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

from typing import Literal

import attrs
import numpy as np
import polars as pl

from tip_indicators.datasets import Dataset
from tip_indicators.errors import ArgumentError
from tip_indicators.findings import Finding
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.report import Report
from tip_indicators.suppression._audit import (
    Audited,
    audit_findings,
    audit_frame,
    published_bounds,
)
from tip_indicators.suppression._disclosure import (
    PRIMARY,
    ROW,
    SECONDARY,
    Interval,
    build_groups,
    choose_senses,
    interval_values,
    intervals,
)
from tip_indicators.suppression._withholding import Settings, cells_frame, protect, publish

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
        return int((self.cells.get_column("conf_status") == PRIMARY).sum())

    @property
    def secondary(self) -> int:
        """How many further cells were withheld to protect the others (CONF_STATUS D)."""
        return int((self.cells.get_column("conf_status") == SECONDARY).sum())

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
    settings = Settings(threshold, needed, zeros, objective, style)
    for group in build_groups(frame, dataset.dimensions, profile):
        found, contradicted = protect(group, columns, settings)
        plan.update(found)
        ignored += contradicted
    published, withheld = publish(frame, dataset, plan, threshold)
    return SuppressionResult(
        published,
        cells_frame(frame, dataset.dimensions, plan, published),
        threshold,
        needed,
        objective,
        style,
        withheld,
        ignored,
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
        lower, upper, withheld = published_bounds(group, columns)
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
        audited = Audited(group, active, contradicted, found, required)
        findings += audit_findings(frame, dataset.dimensions, audited)
    cells = audit_frame(frame, dataset.dimensions, records)
    findings.sort(key=lambda finding: finding.sort_key)
    return AuditReport(cells, tuple(findings), needed, used, skipped, dataset)


def _inferred_width(frame: pl.DataFrame) -> int:
    censored = frame.filter((pl.col("measure") == "N") & (pl.col("low") < pl.col("high")))
    if censored.height == 0:
        return DEFAULT_THRESHOLD
    largest = censored.get_column("high").max()
    return int(largest) + 1 if isinstance(largest, float) else DEFAULT_THRESHOLD


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
            .then(pl.lit(SECONDARY))
            .otherwise(pl.col("conf_status"))
            .alias("conf_status"),
        )
        .select(frame.columns)
    )
    return attrs.evolve(dataset, observations=result)
