"""Tests for the change checks of tip_indicators.check: ``CHG`` and ``PCH`` against the levels.

A change equals the difference of its levels; a percentage change agrees with them to the
digits it states, rounded or truncated; a wrong base is named; a percentage without the figures
it needs is not evaluated; one changed level or change is blamed and fixed.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import (
    Case,
    Defect,
    blame_problems,
    change_cases,
    check_text,
    consistency_problems,
    defects,
    involves,
    percent_text,
)
from tip_indicators.findings import Finding, Severity
from tip_indicators.report import Report

HEADER = "indicator,period,reporter,measure,base_period,value"


def run(*rows: str) -> Report:
    """Check the rows (after the fixed header, from line 2 on)."""
    return check_text("\n".join([HEADER, *rows]) + "\n")


def only(report: Report, code: str) -> Finding:
    """The one finding with ``code``."""
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [f.code for f in report.findings]
    return found[0]


def evaluations(report: Report, rule: str) -> list[tuple[str, str | None]]:
    """(outcome, reason) of every evaluation of ``rule``."""
    assert report.evaluations is not None
    chosen = report.evaluations.filter(pl.col("rule") == rule)
    return list(zip(chosen["outcome"].to_list(), chosen["reason"].to_list(), strict=True))


def percent(stated: str, *, level: int = 318, base: int = 184) -> Report:
    """A percentage change stated beside both its levels (318 on 184 is +72.826...%)."""
    return run(
        f"cases_investigated,2010,R,,,{level}",
        f"cases_investigated,2009,R,,,{base}",
        f"cases_investigated,2010,R,PCH,,{stated}",
    )


# ---------------------------------------------------------------- consistent changes


@settings(max_examples=60)
@given(change_cases(censored=True))
def test_consistent_changes_give_no_error_or_warning(case: Case) -> None:
    """Levels with their true changes and rounded or truncated percentages give no finding."""
    assert consistency_problems(case, check_text(case.text())) == []


@settings(max_examples=30)
@given(change_cases(breakdown=False, drop_levels=False))
def test_consistent_changes_pass_every_evaluation(case: Case) -> None:
    """Every change and percentage-change evaluation of consistent figures passes."""
    report = check_text(case.text())
    outcomes = evaluations(report, "change") + evaluations(report, "percent-change")
    base_zero = [reason for _, reason in outcomes if reason == "the base level is zero"]
    assert outcomes
    assert {outcome for outcome, reason in outcomes if reason not in base_zero} <= {"pass"}


@pytest.mark.parametrize(
    ("change", "base", "decimals", "truncate", "text"),
    [
        (134, 184, 2, True, "72.82"),
        (134, 184, 2, False, "72.83"),
        (134, 184, 1, False, "72.8"),
        (134, 184, 0, False, "73"),
        (-4211, 10000, 2, False, "-42.11"),
        (-42115, 100000, 2, True, "-42.11"),
        (-42115, 100000, 2, False, "-42.12"),
        (1, 8, 1, False, "12.5"),
        (1, 16, 1, False, "6.3"),
    ],
)
def test_percent_text_rounds_half_up_or_truncates(
    change: int, base: int, decimals: int, truncate: bool, text: str
) -> None:
    """The generator writes percentages as a report would: rounded half up, or cut off."""
    assert percent_text(change, base, decimals, truncate=truncate) == text


# ---------------------------------------------------------------- percentage digits


@pytest.mark.parametrize("stated", ["72.82", "72.83", "72.8", "72", "73"])
def test_percent_change_passes_within_its_stated_digits(stated: str) -> None:
    """72.826...% may be written 72.82 (truncated), 72.83 (rounded), 72.8, 72 or 73."""
    report = percent(stated)
    assert report.findings == ()
    assert evaluations(report, "percent-change") == [("pass", None)]


@pytest.mark.parametrize("stated", ["72.81", "72.84", "72.7", "71", "74"])
def test_percent_change_fails_beyond_its_stated_digits(stated: str) -> None:
    """A percentage that neither rounding nor truncation of 72.826...% gives is an error."""
    finding = only(percent(stated), "percent-change-mismatch")
    assert finding.severity is Severity.ERROR
    assert finding.actual == float(stated)
    decimals = len(stated.partition(".")[2])
    first = finding.suggestions[0]
    assert first.location.line == 4
    assert Decimal(first.value) == Decimal(percent_text(134, 184, decimals, truncate=False))


def test_percent_change_on_the_wrong_base_is_named() -> None:
    """17 more cases stated as 16.34% is 17 / 104, the current level, not 17 / 87."""
    report = run(
        "cases_prosecuted,2010,R,,,104",
        "cases_prosecuted,2010,R,CHG,,17",
        "cases_prosecuted,2010,R,PCH,,16.34",
    )
    finding = only(report, "percent-change-mismatch")
    assert "17 / 104" in finding.message
    assert "17 / 87" in finding.message
    assert "the 2010 level used as the base" in finding.message
    assert finding.expected == pytest.approx(19.54)
    assert (finding.suggestions[0].location.line, finding.suggestions[0].value) == (4, "19.54")
    assert "wrong base" in finding.suggestions[0].reason
    assert {f.code for f in report.findings} == {"percent-change-mismatch"}


def test_percent_change_from_the_change_and_one_level() -> None:
    """A change of 24,736 up to 127,053 is +24.18% (the base is the difference)."""
    right = run(
        "deportees_received,2010,R,,,127053",
        "deportees_received,2010,R,CHG,,24736",
        "deportees_received,2010,R,PCH,,24.18",
    )
    assert right.findings == ()
    assert evaluations(right, "percent-change") == [("pass", None)]
    from_base = run(
        "deportees_received,2009,R,,,102317",
        "deportees_received,2010,R,CHG,,24736",
        "deportees_received,2010,R,PCH,,24.18",
    )
    assert from_base.findings == ()
    assert evaluations(from_base, "percent-change") == [("pass", None)]


def test_percent_change_without_its_figures_is_not_evaluated() -> None:
    """A percentage with neither levels nor a change is not evaluated, and counted so."""
    report = run("cases_investigated,2010,R,PCH,,16.34")
    assert report.findings == ()
    assert report.not_evaluated == 1
    assert report.rules_evaluated == 0
    (outcome,) = evaluations(report, "percent-change")
    assert outcome[0] == "not_evaluated"
    assert outcome[1] is not None


def test_percent_change_on_a_zero_base_is_not_evaluated() -> None:
    """A percentage change from a base level of zero is not evaluated."""
    report = percent("100", level=5, base=0)
    assert report.findings == ()
    assert evaluations(report, "percent-change") == [("not_evaluated", "the base level is zero")]


def test_percent_change_against_a_stated_base_period() -> None:
    """A base period given explicitly (2008, or the previous quarter) is the one compared."""
    years = run(
        "offences_recorded,2010,R,,,163",
        "offences_recorded,2008,R,,,97",
        "offences_recorded,2009,R,,,150",
        "offences_recorded,2010,R,PCH,2008,68.04",
        "offences_recorded,2010,R,CHG,2008,66",
    )
    assert years.findings == ()
    quarters = run(
        "offences_recorded,2010-Q2,R,,,20",
        "offences_recorded,2010-Q1,R,,,10",
        "offences_recorded,2010-Q2,R,PCH,2010-Q1,100",
        "offences_recorded,2010-Q2,R,CHG,2010-Q1,10",
    )
    assert quarters.findings == ()
    assert evaluations(quarters, "change") == [("pass", None)]


@settings(max_examples=40)
@given(st.integers(1, 5_000), st.integers(1, 5_000), st.integers(0, 2), st.booleans())
def test_percent_change_accepts_rounding_and_truncation(
    level: int, base: int, decimals: int, truncate: bool
) -> None:
    """A percentage change rounded or truncated (toward zero) from the levels passes."""
    change = level - base
    text = percent_text(change, base, decimals, truncate=truncate)
    if Decimal(text) == 0 and change < 0:
        text = percent_text(change, base, decimals, truncate=False)
    assert percent(text, level=level, base=base).findings == ()


# ---------------------------------------------------------------- absolute changes


def test_change_that_differs_from_its_levels_is_an_error() -> None:
    """A change of 103 between 103 and 249 is an error expecting 146."""
    report = run(
        "persons_prosecuted,2010,R,,,249",
        "persons_prosecuted,2010,R,CHG,,103",
        "persons_prosecuted,2009,R,,,103",
    )
    finding = only(report, "change-mismatch")
    assert (finding.expected, finding.actual, finding.imbalance) == (146, 103, -43)
    assert sorted(ref.location.line or 0 for ref in finding.observations) == [2, 3, 4]
    assert (finding.suggestions[0].location.line, finding.suggestions[0].value) == (3, "146")
    assert {(s.location.line, s.value) for s in finding.suggestions} == {
        (2, "206"),
        (3, "146"),
        (4, "146"),
    }


def test_change_with_a_censored_level_fails_only_when_certain() -> None:
    """A change from 3 to <5 may be -3..1; +1 passes and +3 fails."""
    rows = ("victims_identified,2010,R,,,<5", "victims_identified,2009,R,,,3")
    assert run(*rows, "victims_identified,2010,R,CHG,,1").findings == ()
    failed = only(run(*rows, "victims_identified,2010,R,CHG,,3"), "change-mismatch")
    assert failed.expected == "-3..1"


def test_change_without_a_level_is_not_evaluated() -> None:
    """A change whose base level is not stated is not evaluated, and says which is missing."""
    report = run("persons_prosecuted,2010,R,,,249", "persons_prosecuted,2010,R,CHG,,103")
    assert report.findings == ()
    assert evaluations(report, "change") == [("not_evaluated", "the level in 2009 is not stated")]


# ---------------------------------------------------------------- one changed figure


@settings(max_examples=50)
@given(defects(change_cases(drop_levels=False)))
def test_changed_level_or_change_is_blamed(defect: Defect) -> None:
    """Changing a level or a change is found, blamed and fixed with its true value."""
    assert blame_problems(defect, check_text(defect.text())) == []


def test_level_between_two_changes_is_the_only_fix() -> None:
    """A level compared both ways (2010 against 2009, 2011 against 2010) is the only fix."""
    report = run(
        "victims_identified,2009,R,,,100",
        "victims_identified,2010,R,,,150",
        "victims_identified,2011,R,,,130",
        "victims_identified,2010,R,CHG,,20",
        "victims_identified,2011,R,CHG,,10",
    )
    assert [f.code for f in report.findings] == ["change-mismatch", "change-mismatch"]
    for finding in report.findings:
        assert [(s.location.line, s.value) for s in finding.suggestions] == [(3, "120")]


@st.composite
def changed_percentages(draw: st.DrawFn) -> tuple[Case, int, str, Fraction, int]:
    """A consistent case and one of its percentages moved by at least two units of its last
    digit: the case, the row, the new text, the true percentage and its decimals."""
    case = draw(
        change_cases(censored=False, breakdown=False).filter(
            lambda c: any(row.get("measure") == "PCH" for row in c.rows)
        )
    )
    index = draw(
        st.sampled_from([k for k, row in enumerate(case.rows) if row.get("measure") == "PCH"])
    )
    stated = Decimal(case.rows[index]["value"])
    decimals = max(0, -int(stated.as_tuple().exponent))
    units = draw(st.integers(2, 500) | st.integers(-500, -2))
    moved = stated + Decimal(units).scaleb(-decimals)
    return case, index, str(moved), case.truth[index], decimals


@settings(max_examples=40)
@given(changed_percentages())
def test_changed_percentage_is_blamed_and_recomputed(
    drawn: tuple[Case, int, str, Fraction, int],
) -> None:
    """A percentage two digits off is an error whose first fix recomputes it."""
    case, index, text, truth, decimals = drawn
    report = check_text(case.text({index: text}))
    line = Case.line(index)
    assert [f.code for f in report.findings] == ["percent-change-mismatch"]
    (finding,) = report.findings
    assert involves(finding, line)
    first = finding.suggestions[0]
    assert first.location.line == line
    assert abs(Fraction(first.value) - truth) <= Fraction(1, 2 * 10**decimals)
    fixed = check_text(case.text({index: first.value}))
    assert fixed.findings == ()


@settings(max_examples=25)
@given(changed_percentages())
def test_every_percentage_suggestion_clears_the_percentage(
    drawn: tuple[Case, int, str, Fraction, int],
) -> None:
    """Each fix suggested for a wrong percentage, applied alone, makes it agree."""
    case, index, text, _, _ = drawn
    report = check_text(case.text({index: text}))
    (finding,) = report.findings
    for suggestion in finding.suggestions:
        assert suggestion.location.line is not None
        changes = {index: text, suggestion.location.line - 2: suggestion.value}
        again = check_text(case.text(changes))
        assert not [f for f in again.findings if f.code == "percent-change-mismatch"], suggestion


@settings(max_examples=40, deadline=None)
@given(
    level=st.integers(1, 5000),
    base=st.integers(1, 5000),
    decimals=st.integers(1, 2),
    shift=st.sampled_from([-2, -1, 1, 2]),
)
def test_percent_change_with_its_decimal_point_moved_is_given_back(
    level: int, base: int, decimals: int, shift: int
) -> None:
    """A percentage keyed with its point one or two places off (6.804 for 68.04) is named as a
    decimal-point slip, with the value meant as the first suggestion."""
    right = percent_text(level - base, base, decimals, truncate=False)
    digits = right.lstrip("-").replace(".", "")
    sign = "-" if right.startswith("-") else ""
    point = right.lstrip("-").index(".") + shift
    if not 0 < point < len(digits) or Decimal(right) == 0:
        return
    stated = f"{sign}{digits[:point]}.{digits[point:]}"
    if stated.lstrip("-").startswith("0") and point > 1:
        return
    report = percent(stated, level=level, base=base)
    finding = only(report, "percent-change-mismatch")
    first = finding.suggestions[0]
    assert first.kind == "decimal-point"
    assert Decimal(first.value) == Decimal(right)
    assert f"{stated} for {first.value}" in first.reason


def test_a_percentage_that_is_its_stated_change_over_the_base_is_not_a_moved_point() -> None:
    """10 more cases on 22 is +45.45%, as stated: the level 23 is what is wrong (32 was meant),
    and 4.545, the point moved, only agrees with 1 / 22 by coincidence."""
    report = run(
        "cases_investigated,2012,R,,,22",
        "cases_investigated,2013,R,,,23",
        "cases_investigated,2013,R,CHG,,10",
        "cases_investigated,2013,R,PCH,,45.45",
    )
    finding = only(report, "percent-change-mismatch")
    assert all(s.kind != "decimal-point" for s in finding.suggestions)
