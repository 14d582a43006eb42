"""Tests for tip_indicators.report: counts agree with the evaluations, built only when read."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tip_indicators.check import check
from tip_indicators.io.readers import read_dataset
from tip_indicators.report import Report

EXAMPLE = Path(__file__).parent.parent / "examples" / "cambodia-2010" / "report-2010.csv"


@pytest.mark.parametrize("path", [EXAMPLE, Path("glotip") / "slices.csv", Path("valid.csv")])
def test_counts_are_those_of_the_evaluations(fixtures: Path, path: Path) -> None:
    """The report counts evaluated and not-evaluated rules as its evaluation rows record them,
    though it counts them before the rows are built."""
    report = check(read_dataset(path if path.is_absolute() else fixtures / path))
    assert report.evaluations is not None
    outcomes = report.evaluations.get_column("outcome")
    assert report.rules_evaluated == int((outcomes != "not_evaluated").sum()) > 0
    assert report.not_evaluated == int((outcomes == "not_evaluated").sum())
    assert set(outcomes.unique()) <= {"pass", "fail", "not_evaluated"}


def test_evaluations_given_as_a_plan_are_built_once() -> None:
    """A lazy frame of evaluations becomes a data frame when first read, the same one after."""
    rows = {"rule": ["partition.sex"], "group": ["g"], "outcome": ["pass"], "reason": [None]}
    built: list[int] = []

    def count(frame: pl.DataFrame) -> pl.DataFrame:
        built.append(frame.height)
        return frame

    plan = pl.LazyFrame(rows).map_batches(count)
    report = Report(findings=(), evaluations=plan)
    first = report.evaluations
    assert isinstance(first, pl.DataFrame)
    assert first.to_dict(as_series=False) == rows
    assert report.evaluations is first
    assert built == [1]


def test_evaluations_may_be_absent() -> None:
    """A report made without evaluations has none."""
    assert Report(findings=()).evaluations is None
