"""Tests for tip_indicators.report: counts agree with the evaluations, built only when read."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import check_text
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


@settings(max_examples=25, deadline=None)
@given(parts=st.lists(st.integers(10, 90), min_size=3, max_size=8), excess=st.integers(1, 3))
def test_equally_likely_fixes_fold_into_one_text_line(parts: list[int], excess: int) -> None:
    """Parts over their total by a few: any part a few lower repairs the sum, so the text
    report says how many figures are equally likely on one line that lists every one of
    them, as the JSON report lists them one by one."""
    from tip_indicators.render.text import FOLD_FROM, report_text

    codes = ["VNM", "THA", "LAO", "MMR", "CHN", "IDN", "PHL", "MYS"]
    rows = ["indicator,period,reporter,nationality,value"]
    rows.append(f"victims_identified,2010,R,,{sum(parts) - excess}")
    rows += [f"victims_identified,2010,R,{c},{v}" for c, v in zip(codes, parts, strict=False)]
    report = check_text("\n".join(rows) + "\n")
    (finding,) = report.findings
    tied = [s for s in finding.suggestions if "equally likely" in s.reason]
    text = report_text(report)
    fixes = [line.strip() for line in text.splitlines() if line.strip().startswith("fix?")]
    if len(tied) >= FOLD_FROM:
        folded = [line for line in fixes if "equally likely" in line]
        assert len(folded) == 1
        assert folded[0].startswith(f"fix? one of {len(tied)} equally likely")
        for suggestion in tied:
            assert f"line {suggestion.location.line} to {suggestion.value}" in folded[0]
        assert len(fixes) == 1 + len(finding.suggestions) - len(tied)
    else:
        assert len(fixes) == len(finding.suggestions)
