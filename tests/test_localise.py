"""Tests for error localisation: the fewest figures whose change makes every failed rule hold.

One changed figure is suggested back with its true value; every suggestion, applied (with the
figures it names as partners), removes the errors it was attached to; rankings prefer digit
transpositions and copied neighbours; censored and missing figures move freely; the same input
gives the same findings in the same order.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from random import Random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import (
    LINEAR_CODES,
    SUGGESTION_LIMIT,
    Case,
    Defect,
    blame_problems,
    check_text,
    consistent_cases,
    defects,
    partition_cases,
)
from tip_indicators._engine import joint, localise
from tip_indicators._engine.base import Run
from tip_indicators.check import check
from tip_indicators.findings import Finding, Severity, Suggestion
from tip_indicators.io.readers import read_dataset
from tip_indicators.report import Report

_PARTNER = re.compile(r"line (\d+) to (-?[0-9.]+)")


def linear_errors(report: Report) -> list[Finding]:
    """The error findings of linear rules (those that get localised suggestions)."""
    return [f for f in report.findings if f.code in LINEAR_CODES and f.severity is Severity.ERROR]


def applied(case: Case, base: dict[int, str], suggestion: Suggestion) -> str:
    """The case text with ``base`` changes and the suggestion (with its partners) applied."""
    changes = dict(base)
    assert suggestion.location.line is not None
    changes[suggestion.location.line - 2] = suggestion.value
    if "together with" in suggestion.reason:
        partners = suggestion.reason.split("together with", 1)[1].split("(", 1)[0]
        for line, value in _PARTNER.findall(partners):
            changes[int(line) - 2] = value
    return case.text(changes)


def fixed(report: Report, finding: Finding) -> bool:
    """Whether no linear error of ``report`` cites the figures ``finding`` cited."""
    cited = {ref.location.line for ref in finding.observations}
    return not any(
        cited & {ref.location.line for ref in other.observations} for other in linear_errors(report)
    )


# ---------------------------------------------------------------- properties


@settings(max_examples=60)
@given(defects())
def test_changed_figure_is_blamed_and_suggested_back(defect: Defect) -> None:
    """A changed figure is cited, suggested back, and first when the only fix."""
    assert blame_problems(defect, check_text(defect.text())) == []


@settings(max_examples=25)
@given(defects())
def test_every_suggestion_removes_the_errors(defect: Defect) -> None:
    """Applying any one suggestion of a linear error makes the linear rules hold again."""
    report = check_text(defect.text())
    base = {defect.index: str(defect.value)}
    for finding in linear_errors(report):
        assert finding.suggestions
        for suggestion in finding.suggestions:
            again = check_text(applied(defect.case, base, suggestion))
            assert linear_errors(again) == [], (suggestion, [f.message for f in again.findings])


@settings(max_examples=40)
@given(defects(consistent_cases(censored=True, remainder=False), equality_only=False))
def test_suggestions_with_censored_figures_fix_the_errors(defect: Defect) -> None:
    """With censored figures free, every suggestion clears the errors it was for."""
    report = check_text(defect.text())
    base = {defect.index: str(defect.value)}
    for finding in linear_errors(report):
        assert len(finding.suggestions) <= SUGGESTION_LIMIT
        for suggestion in finding.suggestions:
            again = check_text(applied(defect.case, base, suggestion))
            assert fixed(again, finding), (suggestion, [f.message for f in again.findings])


def _summary(report: Report, rows: list[int]) -> set[tuple[object, ...]]:
    """Findings as (code, severity, cited rows, suggested (row, value)), rows numbered as in
    ``rows`` (the original position of each line); suggestion lists that may have been cut at
    the limit are left out, since ties at the cut are broken by line."""
    found: set[tuple[object, ...]] = set()
    for finding in report.findings:
        cited = frozenset(rows[(ref.location.line or 0) - 2] for ref in finding.observations)
        fixes = (
            frozenset((rows[(s.location.line or 0) - 2], s.value) for s in finding.suggestions)
            if len(finding.suggestions) < SUGGESTION_LIMIT
            else None
        )
        found.add((finding.code, finding.severity, cited, fixes))
    return found


@settings(max_examples=30)
@given(defects(consistent_cases(censored=True, remainder=False), equality_only=False), st.randoms())
def test_row_order_does_not_change_what_is_found(defect: Defect, random: Random) -> None:
    """Shuffling the rows of a file changes lines, not findings, cited figures or fixes."""
    case = defect.case
    order = list(range(len(case.rows)))
    random.shuffle(order)
    shuffled = Case(tuple(case.rows[i] for i in order), tuple(case.truth[i] for i in order))
    before = check_text(case.text({defect.index: str(defect.value)}))
    after = check_text(shuffled.text({order.index(defect.index): str(defect.value)}))
    assert _summary(before, list(range(len(order)))) == _summary(after, order)


@settings(max_examples=30)
@given(defects(partition_cases(censored=False, remainder=False, lone=False, crossed=True)))
def test_same_input_gives_the_same_findings_in_the_same_order(defect: Defect) -> None:
    """Two checks of one input report equal findings in equal order."""
    first, second = check_text(defect.text()), check_text(defect.text())
    assert first.findings == second.findings
    assert [f.suggestions for f in first.findings] == [f.suggestions for f in second.findings]


# ---------------------------------------------------------------- ranking


def run(header: str, *rows: str) -> Report:
    """Check the rows after ``header`` (the first row is line 2)."""
    return check_text("\n".join([header, *rows]) + "\n")


SEX = "indicator,period,reporter,sex,value"


def test_digit_transposition_is_ranked_first() -> None:
    """54 written for 45 in a closed breakdown is the first suggestion, as a transposition."""
    report = run(
        SEX,
        "victims_identified,2010,R,,100",
        "victims_identified,2010,R,F,54",
        "victims_identified,2010,R,M,30",
        "victims_identified,2010,R,_O,10",
        "victims_identified,2010,R,_U,15",
    )
    (finding,) = report.findings
    first = finding.suggestions[0]
    assert (first.location.line, first.value) == (3, "45")
    assert "transposition" in first.reason
    assert {(s.location.line, s.value) for s in finding.suggestions} == {
        (2, "109"),
        (3, "45"),
        (4, "21"),
        (5, "1"),
        (6, "6"),
    }


def test_value_copied_from_a_neighbour_is_ranked_first() -> None:
    """A change of 103 equal to the 2009 level of 103 is taken for a copied figure."""
    report = run(
        "indicator,period,reporter,measure,value",
        "persons_prosecuted,2010,R,,249",
        "persons_prosecuted,2010,R,CHG,103",
        "persons_prosecuted,2009,R,,103",
    )
    (finding,) = report.findings
    first = finding.suggestions[0]
    assert (first.location.line, first.value) == (3, "146")
    assert "copied" in first.reason


def test_suggestions_are_capped() -> None:
    """A closed breakdown of many parts over its total by 1 lists the total and every part as
    equally likely (a change of one tells no figure apart), past the cap, never as copied."""
    bands = ["Y_LT5", "Y5T9", "Y10T14", "Y15T17", "Y18T24", "Y25T59", "Y_GE60", "_U"]
    report = run(
        "indicator,period,reporter,age,value",
        "victims_identified,2010,R,,800",
        *(
            f"victims_identified,2010,R,{band},{101 if k == 0 else 100}"
            for k, band in enumerate(bands)
        ),
    )
    (finding,) = report.findings
    valid = {(2, "801"), (3, "100")} | {(line, "99") for line in range(4, 11)}
    assert {(s.location.line, s.value) for s in finding.suggestions} == valid
    assert all("one of 9 equally likely figures" in s.reason for s in finding.suggestions)
    assert "copied" not in " ".join(s.reason for s in finding.suggestions)


def test_equally_likely_parts_are_all_listed() -> None:
    """A sum of eleven parts over its total by 1 lists the total and every part as equally
    likely, past the cap, and none as copied from an equal neighbour."""
    codes = ["KHM", "THA", "VNM", "LAO", "MYS", "CHN", "IDN", "PHL", "MMR", "SGP", "KOR"]
    values = [33, 33, 57, 57, 68, 68, 79, 79, 86, 86, 55]
    report = run(
        "indicator,period,reporter,nationality,value",
        f"victims_identified,2010,R,,{sum(values) - 1}",
        *(f"victims_identified,2010,R,{c},{v}" for c, v in zip(codes, values, strict=True)),
    )
    (finding,) = linear_errors(report)
    note = "one of 12 equally likely figures"
    tied = [s for s in finding.suggestions if note in s.reason]
    assert len(tied) > SUGGESTION_LIMIT
    assert {s.location.line for s in tied} == set(range(2, 14))
    assert not any("copied" in s.reason for s in finding.suggestions)


def test_warnings_get_no_suggestions() -> None:
    """An open shortfall may be right (the rest is elsewhere): nothing is suggested."""
    report = run(
        SEX,
        "victims_identified,2010,R,,10",
        "victims_identified,2010,R,F,4",
        "victims_identified,2010,R,M,3",
    )
    (finding,) = report.findings
    assert finding.severity is Severity.WARNING
    assert finding.suggestions == ()


@given(
    st.integers(2, 9).flatmap(
        lambda a: st.tuples(st.just(a), st.integers(1, a - 1), st.integers(0, 9))
    ),
    st.integers(0, 400),
)
def test_open_shortfall_closed_by_a_swap_is_suggested(
    digits: tuple[int, int, int], extra: int
) -> None:
    """A part with two digits swapped that leaves an open breakdown short by a multiple of 9
    gets the swap back as a suggestion of the warning, saying so."""
    high, low, last = digits
    meant, written = int(f"{high}{low}{last}"), int(f"{low}{high}{last}")
    m = meant + extra  # the parts cover over half the total: a shortfall, not incomplete
    report = run(
        SEX,
        f"victims_identified,2010,R,,{meant + m}",
        f"victims_identified,2010,R,F,{written}",
        f"victims_identified,2010,R,M,{m}",
    )
    (finding,) = [f for f in report.findings if f.code == "partition-shortfall"]
    assert finding.severity is Severity.WARNING
    assert (3, str(meant)) in {(s.location.line, s.value) for s in finding.suggestions}
    assert all("multiple of 9" in s.reason for s in finding.suggestions if s.value == str(meant))


# ---------------------------------------------------------------- free figures and pairs


def test_censored_figures_move_freely() -> None:
    """With F censored (0..4), fixes assume the F that needs the smallest change."""
    report = run(
        SEX,
        "victims_identified,2010,R,,20",
        "victims_identified,2010,R,F,<5",
        "victims_identified,2010,R,M,12",
        "victims_identified,2010,R,_O,3",
        "victims_identified,2010,R,_U,10",
    )
    (finding,) = report.findings
    assert finding.code == "partition-exceeds"
    # _U written 10 may be 1 with a zero too many: that slip comes with the nearest fix.
    assert {(s.location.line, s.value) for s in finding.suggestions} == {
        (2, "25"),
        (4, "7"),
        (6, "5"),
        (6, "1"),
    }


def test_censored_figure_in_two_breakdowns_is_solved_without_the_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A censored cell counted in a sex and an age breakdown ties the two together; its
    whole-number values are tried one by one, and the fix comes in closed form."""

    def refuse(*args: object) -> list[dict[int, float]]:
        raise AssertionError("the solver was asked")

    monkeypatch.setattr(joint, "joint_fixes", refuse)
    report = run(
        "indicator,period,reporter,sex,age,value",
        "victims_identified,2010,R,,,30",
        "victims_identified,2010,R,F,,<5",
        "victims_identified,2010,R,M,,31",
        "victims_identified,2010,R,,Y_LT18,<5",
        "victims_identified,2010,R,,Y_GE18,26",
        "victims_identified,2010,R,F,Y_LT18,<5",
        "victims_identified,2010,R,F,Y_GE18,2",
    )
    (finding,) = linear_errors(report)
    # F is its two age parts, so at least 2 (F under 18 may be 0): M can be at most 30 - 2, or
    # the total must be at least 31 + 2. M written 31 for 13 would fit too, but a change of a
    # few does: the swap is no likelier than a miscount, and is not offered.
    assert {(s.location.line, s.value) for s in finding.suggestions} == {(2, "33"), (4, "28")}


@settings(max_examples=80, deadline=None)
@given(
    defects(
        partition_cases(censored=True, remainder=False, lone=False, crossed=True),
        equality_only=False,
    )
)
def test_closed_form_fixes_agree_with_the_solver(defect: Defect) -> None:
    """Trying the shared censored figures' values in closed form finds the same single-figure
    fixes, each as far from the stated value, as the mixed-integer program does."""

    def fixes(report: Report) -> dict[tuple[str, int], dict[int | None, float]]:
        # The nearest fix of each figure, per finding: the solver gives no keystroke slips
        # besides, so a finding whose list the slips fill to the cap is not compared.
        found: dict[tuple[str, int], dict[int | None, float]] = {}
        for finding in linear_errors(report):
            if len(finding.suggestions) >= SUGGESTION_LIMIT:
                continue
            nearest: dict[int | None, float] = {}
            for suggestion in finding.suggestions:
                assert suggestion.observation is not None
                change = abs(float(suggestion.value) - float(suggestion.observation.value))
                line = suggestion.location.line
                nearest[line] = min(change, nearest.get(line, change))
            place = finding.location.line if finding.location is not None else None
            found[(finding.code, place or 0)] = nearest
        return found

    text = defect.text()
    closed_form = fixes(check_text(text))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(localise, "MAX_ASSIGNMENTS", 0)
        solved = fixes(check_text(text))
    for key in closed_form.keys() & solved.keys():
        assert closed_form[key] == solved[key]


def test_missing_remainder_is_never_suggested() -> None:
    """A remainder with status L has no value to change: fixes name stated figures only."""
    report = run(
        "indicator,period,reporter,sex,value,status",
        "victims_identified,2010,R,,10,",
        "victims_identified,2010,R,F,8,",
        "victims_identified,2010,R,M,,L",
        "victims_identified,2010,R,_O,5,",
    )
    (finding,) = report.findings
    assert finding.code == "derived-negative"
    assert {(s.location.line, s.value) for s in finding.suggestions} == {
        (2, "13"),
        (3, "5"),
        (5, "2"),
    }


def test_two_figures_change_together_when_no_single_one_can() -> None:
    """When no single figure fixes two changes, pairs are suggested and work."""
    rows = (
        "victims_identified,2009,R,,10",
        "victims_identified,2010,R,,20",
        "victims_identified,2011,R,,30",
        "victims_identified,2010,R,CHG,15",
        "victims_identified,2011,R,CHG,15",
    )
    header = "indicator,period,reporter,measure,value"
    report = run(header, *rows)
    assert [f.code for f in report.findings] == ["change-mismatch", "change-mismatch"]
    columns = header.split(",")
    table = tuple(dict(zip(columns, row.split(","), strict=True)) for row in rows)
    case = Case(table, tuple(Fraction(row["value"]) for row in table))
    for finding in report.findings:
        assert finding.suggestions
        for suggestion in finding.suggestions:
            assert "(2 figures must change)" in suggestion.reason
            assert check_text(applied(case, {}, suggestion)).findings == ()


def test_separate_problems_get_separate_suggestions() -> None:
    """Two unrelated failed sums each get fixes among their own figures only."""
    report = run(
        SEX,
        "victims_identified,2010,A,,10",
        "victims_identified,2010,A,F,6",
        "victims_identified,2010,A,M,7",
        "victims_identified,2010,B,,20",
        "victims_identified,2010,B,F,16",
        "victims_identified,2010,B,M,7",
    )
    first, second = report.findings
    assert {s.location.line for s in first.suggestions} <= {2, 3, 4}
    assert {s.location.line for s in second.suggestions} <= {5, 6, 7}


def test_fixes_do_not_depend_on_the_order_constraints_are_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rules may record their constraints in any order; the suggested fixes stay the same (the
    GLOTIP slice has errors that many equally small fixes would mend)."""
    dataset = read_dataset(Path(__file__).parent / "fixtures" / "glotip" / "slices.csv")
    expected = check(dataset).findings
    assert any("figures must change" in s.reason for f in expected for s in f.suggestions)
    record = Run.add_constraints

    def reversed_order(run: Run, constraints: pl.DataFrame) -> None:
        record(run, constraints.reverse())
        if run.constraints:
            run.constraints.insert(0, run.constraints.pop())

    monkeypatch.setattr(Run, "add_constraints", reversed_order)
    assert check(dataset).findings == expected
