"""Regression tests for engine defects that property testing found, each with its input, the
expected report and the cause; they guard the fixes.

1. A derived figure is never checked against the breakdown it heads (partition.py,
   ``_evaluate_sums``/``_derive``): NGO = 8 - 5 = 3 is derived although NGO.A + NGO.B = 7.
2. A figure that two breakdowns determine is derived twice (partition.py, ``_derive`` runs per
   relation): two infos and two rows of ``Report.derived`` for one figure, and no error when
   the two values differ.
3. A decrease truncated toward zero that reads as zero (-0.07% written 0.0) is rejected
   (changes.py, the acceptance window of a stated 0 covers only the positive side).
4. A failed rule whose figures also sit in a breakdown with a missing total crashes the
   localiser (partition.py gives that breakdown's constraint a null tolerance; milp.py,
   ``milp_fixes``, negates it).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from strategies import (
    Case,
    check_text,
    consistency_problems,
    involves,
    partition_cases,
)
from tip_indicators.findings import Severity
from tip_indicators.report import Report


def run(header: str, *rows: str) -> Report:
    """Check the rows after ``header`` (the first row is line 2)."""
    return check_text("\n".join([header, *rows]) + "\n")


# ---------------------------------------------------------------- 1. derived totals


DESTINATION = "indicator,period,reporter,destination,value,status"
AGE = "indicator,period,reporter,age,value,status"


@pytest.mark.parametrize(
    ("header", "rows", "derived", "parts"),
    [
        (
            DESTINATION,
            (
                "victims_received,2010,R,,8,",
                "victims_received,2010,R,FAMILY,5,",
                "victims_received,2010,R,NGO,,L",
                "victims_received,2010,R,NGO.A,3,",
                "victims_received,2010,R,NGO.B,4,",
            ),
            4,
            (5, 6),
        ),
        (
            AGE,
            (
                "victims_identified,2010,R,,20,",
                "victims_identified,2010,R,Y_LT18,,L",
                "victims_identified,2010,R,Y_LT15,6,",
                "victims_identified,2010,R,Y15T17,4,",
                "victims_identified,2010,R,Y_GE18,17,",
                "victims_identified,2010,R,_U,0,",
            ),
            3,
            (4, 5),
        ),
    ],
    ids=["destination-type", "coarse-age-band"],
)
def test_derived_total_below_its_own_parts_is_an_error(
    header: str, rows: tuple[str, ...], derived: int, parts: tuple[int, ...]
) -> None:
    """A remainder derived below the sum of its own parts is an error."""
    report = run(header, *rows)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert errors, [(f.code, f.message) for f in report.findings]
    assert any(involves(f, derived) and all(involves(f, p) for p in parts) for f in errors)


# ---------------------------------------------------------------- 2. figures derived twice


SEX_AGE = "indicator,period,reporter,sex,age,value,status"
TABLE = (
    "victims_identified,2010,R,,,30,",
    "victims_identified,2010,R,F,,10,",
    "victims_identified,2010,R,M,,20,",
    "victims_identified,2010,R,,Y_LT18,12,",
    "victims_identified,2010,R,,Y_GE18,18,",
    "victims_identified,2010,R,F,Y_LT18,4,",
    "victims_identified,2010,R,F,Y_GE18,,L",
    "victims_identified,2010,R,M,Y_LT18,8,",
    "victims_identified,2010,R,M,Y_GE18,12,",
)


def test_cell_of_a_table_is_derived_once() -> None:
    """A blank cell that its row and its column both give is derived once."""
    report = run(SEX_AGE, *TABLE)
    infos = [f for f in report.findings if f.code == "derived-value"]
    assert [f.expected for f in infos] == [6]
    assert report.derived is not None
    assert report.derived.select("line", "low", "high").rows() == [(8, 6.0, 6.0)]


def test_conflicting_derivations_are_an_error() -> None:
    """A blank cell that its row and its column give differently is an error."""
    rows = [row.replace("M,Y_GE18,12,", "M,Y_GE18,11,") for row in TABLE]
    report = run(SEX_AGE, *rows)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert any(involves(f, 8) for f in errors), [(f.code, f.message) for f in report.findings]
    assert len({f.expected for f in report.findings if f.code == "derived-value"}) <= 1


@settings(max_examples=30)
@given(partition_cases(dimensions=("sex", "age"), censored=False, crossed_remainder=True))
def test_crossed_tables_with_a_remainder_derive_it_once(case: Case) -> None:
    """A consistent sex-by-age table with one blank figure derives it once."""
    assert consistency_problems(case, check_text(case.text())) == []


# ---------------------------------------------------------------- 3. truncation to zero


@pytest.mark.parametrize(
    ("level", "base", "stated"),
    [(9993, 10000, "0.0"), (9993, 10000, "-0.0"), (99993, 100000, "0.00"), (993, 1000, "0")],
)
def test_small_decrease_truncated_to_zero_passes(level: int, base: int, stated: str) -> None:
    """A small decrease truncated toward zero (-0.07% as 0.0) passes."""
    report = run(
        "indicator,period,reporter,measure,value",
        f"victims_identified,2010,R,,{level}",
        f"victims_identified,2009,R,,{base}",
        f"victims_identified,2010,R,PCH,{stated}",
    )
    assert report.findings == ()


# ---------------------------------------------------------------- 4. missing totals


@pytest.mark.parametrize(
    ("header", "rows", "code"),
    [
        (
            DESTINATION,
            (
                "victims_received,2010,R,,10,",
                "victims_received,2010,R,FAMILY,12,",
                "victims_received,2010,R,NGO,,L",
                "victims_received,2010,R,NGO.A,3,",
            ),
            "derived-negative",
        ),
        (
            AGE,
            (
                "victims_identified,2010,R,,10,",
                "victims_identified,2010,R,Y_LT18,,M",
                "victims_identified,2010,R,Y_LT15,3,",
                "victims_identified,2010,R,Y15T17,4,",
                "victims_identified,2010,R,Y_GE18,12,",
            ),
            "partition-exceeds",
        ),
    ],
    ids=["remainder-heading-organisations", "missing-coarse-band"],
)
def test_failed_sum_beside_a_missing_total_is_localised(
    header: str, rows: tuple[str, ...], code: str
) -> None:
    """A failed sum beside a breakdown with a missing total gets working fixes."""
    report = run(header, *rows)
    (finding,) = [f for f in report.findings if f.severity is Severity.ERROR]
    assert finding.code == code
    assert finding.suggestions
    columns = header.split(",")
    table = [dict(zip(columns, row.split(","), strict=True)) for row in rows]
    for suggestion in finding.suggestions:
        assert suggestion.location.line is not None
        changed = [dict(row) for row in table]
        changed[suggestion.location.line - 2]["value"] = suggestion.value
        text = "\n".join([header, *(",".join(row[c] for c in columns) for row in changed)])
        assert check_text(text + "\n").errors == 0, suggestion
