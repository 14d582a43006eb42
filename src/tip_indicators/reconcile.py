"""Reconciliation across organisations, sources and vintages.

Three comparisons: mirror figures (what A reports referring to B against B's intake from A);
the same figure from two sources (a ministry and the police) within a stated tolerance; and two
vintages of one dataset (what changed, by how much, flagged when a revision is large).
"""

from __future__ import annotations

import attrs
import polars as pl

from tip_indicators.check import check
from tip_indicators.datasets import Dataset
from tip_indicators.findings import Finding, Severity
from tip_indicators.findings.citations import observation_ref
from tip_indicators.profiles import Profile
from tip_indicators.report import Report
from tip_indicators.rules import mirror

__all__ = ["Revision", "compare_sources", "compare_vintages", "reconcile_mirrors"]


@attrs.frozen
class Revision:
    """How far a later vintage may move a figure before it is flagged."""

    absolute: float = 0.0
    relative: float = 0.1


def reconcile_mirrors(datasets: list[Dataset], profile: Profile | None = None) -> Report:
    """Check mirror figures between the organisations of several datasets checked together."""
    return check(Dataset.combine(datasets), profile, rules=[mirror()])


def _keys(dataset: Dataset) -> list[str]:
    return ["indicator", "period", *dataset.dimensions, "measure", "base_period"]


def compare_vintages(old: Dataset, new: Dataset, revision: Revision = Revision()) -> list[Finding]:
    """Figures whose value moved between two vintages by more than ``revision`` allows, plus
    figures that appeared or disappeared."""
    keys = ["reporter", *_keys(new)]
    joined = old.observations.join(
        new.observations, on=keys, how="full", nulls_equal=True, suffix="_new"
    )
    findings: list[Finding] = []
    for row in joined.iter_rows(named=True):
        if row["indicator"] is None and row["indicator_new"] is None:
            continue
        old_present = row["path"] is not None
        new_present = row["path_new"] is not None
        if old_present and new_present:
            if row["low"] is None or row["low_new"] is None:
                continue
            change = row["low_new"] - row["low"]
            allowed = revision.absolute + revision.relative * abs(row["low"])
            if abs(change) <= allowed:
                continue
            before = observation_ref(row, old.dimensions)
            after = observation_ref(
                {k[:-4]: v for k, v in row.items() if k.endswith("_new")}
                | {k: row[k] for k in keys},
                new.dimensions,
            )
            share = f" ({100 * change / row['low']:+.1f}%)" if row["low"] else ""
            findings.append(
                Finding(
                    "revision-large",
                    Severity.WARNING,
                    f"{before.label()} was {before.value} and is now {after.value}: revised by "
                    f"{change:+,.0f}{share}, more than the {revision.relative:.0%} allowed",
                    (before, after),
                    expected=row["low"],
                    actual=row["low_new"],
                    imbalance=change,
                    tolerance=allowed,
                    location=after.location,
                    rule="vintage",
                )
            )
    return findings


def compare_sources(
    first: Dataset, second: Dataset, *, pairs: dict[str, str], tolerance: Revision = Revision()
) -> list[Finding]:
    """The same figure from two sources: ``pairs`` maps a reporter of ``first`` to the reporter
    of ``second`` that reports the same population (a ministry and the police)."""
    keys = _keys(first)
    left = first.observations.filter(pl.col("reporter").is_in(list(pairs)))
    right = second.observations.with_columns(
        pl.col("reporter").replace({b: a for a, b in pairs.items()}).alias("_pair")
    )
    joined = left.join(
        right, left_on=[*keys, "reporter"], right_on=[*keys, "_pair"], suffix="_b", nulls_equal=True
    )
    findings: list[Finding] = []
    for row in joined.iter_rows(named=True):
        if row["low"] is None or row["low_b"] is None:
            continue
        gap = row["low_b"] - row["low"]
        allowed = tolerance.absolute + tolerance.relative * abs(row["low"])
        if abs(gap) <= allowed:
            continue
        a = observation_ref(row, first.dimensions)
        b = observation_ref(
            {
                **{k: row[k] for k in keys},
                **{k[:-2]: v for k, v in row.items() if k.endswith("_b")},
            },
            second.dimensions,
        )
        findings.append(
            Finding(
                "source-mismatch",
                Severity.WARNING,
                f"{a.label()} is {a.value}, but {b.reporter} gives {b.value} for the same figure "
                f"(difference {gap:+,.0f}, tolerance {allowed:,.0f})",
                (a, b),
                expected=row["low"],
                actual=row["low_b"],
                imbalance=gap,
                tolerance=allowed,
                location=a.location,
                rule="sources",
            )
        )
    return findings
