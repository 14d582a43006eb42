"""Tests for the partition and bound checks of tip_indicators.check: parts and their totals.

Consistent breakdowns by sex, age band, destination and nationality, alone or crossed, give no
error or warning; censored figures are intervals; open and closed breakdowns differ on a
shortfall; a part with status L is derived; one changed figure is blamed and fixed.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import (
    Case,
    Defect,
    blame_problems,
    check_text,
    consistency_problems,
    defects,
    partition_cases,
)
from tip_indicators._engine import breakdowns
from tip_indicators.check import check
from tip_indicators.findings import Finding, Severity
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.report import Report

HEADER = "indicator,period,reporter,sex,age,destination,nationality,value,status"


def run(*rows: str, profile: Profile | None = None) -> Report:
    """Check the rows (after the fixed header, from line 2 on)."""
    return check_text("\n".join([HEADER, *rows]) + "\n", profile=profile)


def codes(report: Report) -> list[tuple[str, str]]:
    """(severity, code) of every finding, in report order."""
    return [(f.severity.value, f.code) for f in report.findings]


def outcomes(report: Report, rule: str) -> list[str]:
    """The outcomes of every evaluation of ``rule``."""
    assert report.evaluations is not None
    return report.evaluations.filter(pl.col("rule") == rule).get_column("outcome").to_list()


def only(report: Report, code: str) -> Finding:
    """The one finding with ``code``."""
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, codes(report)
    return found[0]


def lines(finding: Finding) -> list[int | None]:
    """The lines of the figures a finding cites."""
    return [ref.location.line for ref in finding.observations]


# ---------------------------------------------------------------- consistent breakdowns


@settings(max_examples=60)
@given(partition_cases())
def test_consistent_breakdowns_give_no_error_or_warning(case: Case) -> None:
    """A breakdown whose parts add up gives no error or warning, only right derived values."""
    assert consistency_problems(case, check_text(case.text())) == []


@settings(max_examples=30)
@given(partition_cases(censored=False, remainder=False, crossed=False))
def test_consistent_breakdowns_pass_every_evaluation(case: Case) -> None:
    """Every partition evaluation of a consistent exact breakdown passes."""
    report = check_text(case.text())
    assert report.evaluations is not None
    partition = report.evaluations.filter(pl.col("rule").str.starts_with("partition."))
    assert partition.height > 0
    assert set(partition.get_column("outcome").to_list()) == {"pass"}
    assert report.findings == ()


@settings(max_examples=30)
@given(partition_cases(dimensions=("sex", "age"), remainder=False))
def test_crossed_sex_and_age_tables_are_consistent(case: Case) -> None:
    """A table by sex and age band whose rows and columns add up gives no error or warning."""
    assert consistency_problems(case, check_text(case.text())) == []


@settings(max_examples=30)
@given(partition_cases(dimensions=("nationality",), censored=False))
def test_nationality_breakdowns_with_regions_are_consistent(case: Case) -> None:
    """NATIONAL, FOREIGN over countries and an M49 region add up without a finding."""
    assert consistency_problems(case, check_text(case.text())) == []


def test_one_african_among_foreigners_adds_up() -> None:
    """A region figure ("1 African") counts among the foreigners with the countries."""
    report = run(
        "victims_identified,2010,R,,,,,30,",
        "victims_identified,2010,R,,,,NATIONAL,20,",
        "victims_identified,2010,R,,,,FOREIGN,10,",
        "victims_identified,2010,R,,,,TH,5,",
        "victims_identified,2010,R,,,,VN,4,",
        "victims_identified,2010,R,,,,002,1,",
    )
    assert report.findings == ()
    assert outcomes(report, "partition.nationality") == ["pass", "pass"]


def test_african_countries_add_up_to_their_region() -> None:
    """Countries of a region that add up to more than the region figure are an error."""
    report = run(
        "victims_identified,2010,R,,,,FOREIGN,10,",
        "victims_identified,2010,R,,,,002,3,",
        "victims_identified,2010,R,,,,NG,2,",
        "victims_identified,2010,R,,,,ZA,2,",
        "victims_identified,2010,R,,,,TH,7,",
    )
    finding = only(report, "partition-exceeds")
    assert finding.severity is Severity.ERROR
    assert sorted(line or 0 for line in lines(finding)) == [3, 4, 5]
    assert finding.imbalance == 1


def test_nested_age_bands_add_up_at_both_levels() -> None:
    """Children = under 15 + 15-17, and all ages = children + adults + unknown, both hold."""
    report = run(
        "victims_identified,2010,R,,,,,686,",
        "victims_identified,2010,R,,Y_LT18,,,197,",
        "victims_identified,2010,R,,Y_LT15,,,88,",
        "victims_identified,2010,R,,Y15T17,,,109,",
        "victims_identified,2010,R,,Y_GE18,,,489,",
    )
    assert report.findings == ()
    assert outcomes(report, "partition.age") == ["pass", "pass"]


# ---------------------------------------------------------------- censored figures


def test_censored_part_passes_when_the_sum_can_match() -> None:
    """Total 6 with parts <5 and 3 (3..7) passes: the sum may well be 6."""
    report = run(
        "victims_identified,2010,R,,,,,6,",
        "victims_identified,2010,R,F,,,,<5,",
        "victims_identified,2010,R,M,,,,3,",
    )
    assert report.findings == ()
    assert outcomes(report, "partition.sex") == ["pass"]


def test_censored_parts_that_certainly_fall_short_are_only_a_warning() -> None:
    """Total 10 with parts <5 and 3 (at most 7) is no error: 3 may be in other categories."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,<5,",
        "victims_identified,2010,R,M,,,,3,",
    )
    finding = only(report, "partition-shortfall")
    assert finding.severity is Severity.WARNING
    assert report.errors == 0
    assert "3 short of the total 10" in finding.message


def test_censored_parts_that_certainly_exceed_are_an_error() -> None:
    """Total 10 with parts <5 and 12 (at least 12) is an error, whatever the censored value."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,<5,",
        "victims_identified,2010,R,M,,,,12,",
    )
    finding = only(report, "partition-exceeds")
    assert finding.severity is Severity.ERROR
    assert finding.imbalance == 2
    assert lines(finding) == [2, 3, 4]


def test_censored_total_bounds_its_parts() -> None:
    """A total of <5 holds parts of 1 and 2 but not of 3 and 4."""
    fits = run(
        "victims_identified,2010,R,,,,,<5,",
        "victims_identified,2010,R,F,,,,1,",
        "victims_identified,2010,R,M,,,,2,",
    )
    exceeds = run(
        "victims_identified,2010,R,,,,,<5,",
        "victims_identified,2010,R,F,,,,3,",
        "victims_identified,2010,R,M,,,,4,",
    )
    assert fits.findings == ()
    assert codes(exceeds) == [("error", "partition-exceeds")]


@st.composite
def censored_sums(draw: st.DrawFn) -> tuple[list[str], int, int, int]:
    """Sex parts (at least one censored) and a total: texts, total, and the sum's bounds."""
    total = draw(st.integers(0, 40))
    texts: list[str] = []
    low = high = 0
    for k in range(draw(st.integers(2, 3))):
        if k == 0 or draw(st.booleans()):
            bound = draw(st.sampled_from([5, 10]))
            texts.append(f"<{bound}")
            high += bound - 1
        else:
            value = draw(st.integers(0, 30))
            texts.append(str(value))
            low, high = low + value, high + value
    return texts, total, low, high


@settings(max_examples=40)
@given(censored_sums())
def test_censored_sums_fail_only_when_they_certainly_fail(
    drawn: tuple[list[str], int, int, int],
) -> None:
    """Censored parts fail a sum only when every value they may have fails it."""
    texts, total, low, high = drawn
    sexes = ["F", "M", "_U"]
    report = run(
        f"victims_identified,2010,R,,,,,{total},",
        *(
            f"victims_identified,2010,R,{sex},,,,{text},"
            for sex, text in zip(sexes, texts, strict=False)
        ),
    )
    found = {f.code: f.severity for f in report.findings}
    if low > total:
        assert found == {"partition-exceeds": Severity.ERROR}
    elif high < total:
        assert set(found) <= {"partition-shortfall", "partition-incomplete"}
        assert Severity.ERROR not in found.values()
        assert found
    else:
        assert found == {}


# ---------------------------------------------------------------- open and closed breakdowns


def test_open_shortfall_is_a_warning_naming_the_remainder() -> None:
    """F + M = 7 of a total of 10: a warning that 3 are unallocated, no error."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,4,",
        "victims_identified,2010,R,M,,,,3,",
    )
    finding = only(report, "partition-shortfall")
    assert finding.severity is Severity.WARNING
    assert "3 short of the total 10" in finding.message
    assert "3 may be in categories not given" in finding.message
    assert (finding.expected, finding.actual, finding.imbalance) == (10, 7, -3)
    assert lines(finding) == [2, 3, 4]
    assert finding.suggestions == ()


def test_shortfall_below_half_is_an_incomplete_breakdown() -> None:
    """Parts covering less than half of their total are reported as incomplete (info)."""
    report = run(
        "victims_identified,2010,R,,,,,100,",
        "victims_identified,2010,R,F,,,,10,",
        "victims_identified,2010,R,M,,,,20,",
    )
    assert codes(report) == [("info", "partition-incomplete")]


def test_closed_sex_breakdown_shortfall_is_an_error() -> None:
    """F, M, _O and _U all given close the breakdown: falling short is an error."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,4,",
        "victims_identified,2010,R,M,,,,3,",
        "victims_identified,2010,R,_O,,,,0,",
        "victims_identified,2010,R,_U,,,,1,",
    )
    finding = only(report, "partition-shortfall")
    assert finding.severity is Severity.ERROR
    assert "closed" in finding.message
    assert finding.suggestions


def test_closed_age_breakdown_shortfall_is_an_error() -> None:
    """Bands covering every age plus _U close the breakdown: falling short is an error."""
    report = run(
        "victims_identified,2010,R,,,,,50,",
        "victims_identified,2010,R,,Y_LT18,,,20,",
        "victims_identified,2010,R,,Y_GE18,,,25,",
        "victims_identified,2010,R,,_U,,,1,",
    )
    finding = only(report, "partition-shortfall")
    assert finding.severity is Severity.ERROR


def test_age_bands_without_unknown_stay_open() -> None:
    """Bands covering every age but without _U leave room for unknown age: a warning."""
    report = run(
        "victims_identified,2010,R,,,,,50,",
        "victims_identified,2010,R,,Y_LT18,,,20,",
        "victims_identified,2010,R,,Y_GE18,,,25,",
    )
    assert codes(report) == [("warning", "partition-shortfall")]


def test_nested_band_shortfall_is_an_error() -> None:
    """Under 15 and 15-17 cover under 18 exactly: falling short of it is an error."""
    report = run(
        "victims_identified,2010,R,,Y_LT18,,,55,",
        "victims_identified,2010,R,,Y_LT15,,,7,",
        "victims_identified,2010,R,,Y15T17,,,22,",
    )
    assert codes(report) == [("error", "partition-shortfall")]


def test_profile_can_close_a_dimension() -> None:
    """A profile declaring sex closed turns an F + M shortfall into an error."""
    base = builtin_profile()
    closed = Profile("closed", "1", base.catalogue, closed=frozenset({"sex"}))
    rows = (
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,4,",
        "victims_identified,2010,R,M,,,,3,",
    )
    assert codes(run(*rows)) == [("warning", "partition-shortfall")]
    assert codes(run(*rows, profile=closed)) == [("error", "partition-shortfall")]


def test_lone_part_gives_nothing() -> None:
    """F = 8,636 of 21,318 with nothing else given is no finding: the rest is elsewhere."""
    report = run("persons_reached,2010,R,,,,,21318,", "persons_reached,2010,R,F,,,,8636,")
    assert report.findings == ()
    assert outcomes(report, "partition.sex") == ["pass"]


def test_lone_part_above_its_total_is_an_error() -> None:
    """A single part larger than its total is an error even though the breakdown is open."""
    report = run("persons_reached,2010,R,,,,,8636,", "persons_reached,2010,R,F,,,,21318,")
    assert codes(report) == [("error", "partition-exceeds")]


def test_parts_that_exceed_an_open_total_are_an_error_with_fixes() -> None:
    """F 6 + M 7 over a total of 10 is an error; each figure has a fix that restores the sum."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,6,",
        "victims_identified,2010,R,M,,,,7,",
    )
    finding = only(report, "partition-exceeds")
    assert (finding.expected, finding.actual, finding.imbalance) == (10, 13, 3)
    fixes = {(s.location.line, s.value) for s in finding.suggestions}
    assert fixes == {(2, "13"), (3, "3"), (4, "4")}


def test_missing_total_is_not_evaluated() -> None:
    """Parts of a total that is missing (status M) are not evaluated, and say why."""
    report = run(
        "victims_identified,2010,R,,,,,,M",
        "victims_identified,2010,R,F,,,,4,",
        "victims_identified,2010,R,M,,,,3,",
    )
    assert report.findings == ()
    assert report.not_evaluated == 1
    assert report.evaluations is not None
    reasons = report.evaluations.filter(pl.col("outcome") == "not_evaluated")
    assert reasons.get_column("reason").to_list() == ["the total is not stated"]


def test_overlapping_forms_of_exploitation_are_only_bounded() -> None:
    """Forms of exploitation may overlap: their sum may exceed the total, but no single one."""
    header = "indicator,period,reporter,exploitation,value"
    overlapping = check_text(
        f"{header}\npersons_prosecuted,2010,R,,10\npersons_prosecuted,2010,R,SEXUAL,8\n"
        "persons_prosecuted,2010,R,FORCED_LABOUR,7\n"
    )
    assert overlapping.findings == (), codes(overlapping)
    too_many = check_text(
        f"{header}\npersons_prosecuted,2010,R,,10\npersons_prosecuted,2010,R,SEXUAL,12\n"
    )
    finding = only(too_many, "bound-exceeded")
    assert lines(finding) == [2, 3]


# ---------------------------------------------------------------- derivation


def test_remainder_with_status_l_is_derived() -> None:
    """A missing part with status L is the total minus the known parts, reported as an info."""
    report = run(
        "victims_received,2010,R,,,,,100,",
        "victims_received,2010,R,,,NGO.A,,30,",
        "victims_received,2010,R,,,NGO.B,,20,",
        "victims_received,2010,R,,,RETAINED,,,L",
    )
    finding = only(report, "derived-value")
    assert finding.severity is Severity.INFO
    assert finding.expected == 50
    assert finding.location is not None
    assert finding.location.line == 5
    assert report.derived is not None
    derived = report.derived.select("destination", "value", "low", "high", "derived", "line")
    assert derived.rows() == [("RETAINED", "50", 50.0, 50.0, True, 5)]


def test_deriving_leaves_the_dataset_as_read() -> None:
    """Derived figures go into the check's own copy: the dataset checked keeps the remainder
    unstated, so checking it again derives it again."""
    text = "\n".join(
        [
            HEADER,
            "victims_received,2010,R,,,,,100,",
            "victims_received,2010,R,,,NGO.A,,30,",
            "victims_received,2010,R,,,RETAINED,,,L",
        ]
    )
    dataset = parse_long_csv(text + "\n", path="t.csv")
    before = dataset.observations.clone()
    first, second = check(dataset), check(dataset)
    assert dataset.observations.equals(before)
    assert only(first, "derived-value").expected == only(second, "derived-value").expected == 70


def test_remainder_next_to_censored_parts_is_an_interval() -> None:
    """A remainder beside a part of <5 is derived as the interval it can be."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,<5,",
        "victims_identified,2010,R,M,,,,,L",
    )
    assert codes(report) == [("info", "derived-value")]
    assert report.derived is not None
    assert report.derived.select("low", "high").rows() == [(6.0, 10.0)]


def test_negative_remainder_is_an_error() -> None:
    """Known parts above the total leave a negative remainder: derived-negative, an error."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,8,",
        "victims_identified,2010,R,M,,,,,L",
        "victims_identified,2010,R,_O,,,,5,",
    )
    finding = only(report, "derived-negative")
    assert finding.severity is Severity.ERROR
    assert finding.imbalance == 3
    assert report.derived is None or report.derived.height == 0


def test_a_derived_figure_completes_another_breakdown() -> None:
    """A remainder derived by sex is the total of an age breakdown whose own remainder follows."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,M,,,,4,",
        "victims_identified,2010,R,F,,,,,L",
        "victims_identified,2010,R,F,Y_LT18,,,2,",
        "victims_identified,2010,R,F,Y_GE18,,,,L",
    )
    assert codes(report) == [("info", "derived-value"), ("info", "derived-value")]
    assert report.derived is not None
    derived = report.derived.select("sex", "age", "low", "line").sort("line").rows()
    assert derived == [("F", "_T", 6.0, 4), ("F", "Y_GE18", 4.0, 6)]


def test_two_remainders_are_not_derived() -> None:
    """Two parts with status L in one breakdown leave each undetermined: nothing is derived."""
    report = run(
        "victims_identified,2010,R,,,,,10,",
        "victims_identified,2010,R,F,,,,4,",
        "victims_identified,2010,R,M,,,,,L",
        "victims_identified,2010,R,_U,,,,,L",
    )
    assert report.findings == ()
    assert report.derived is None or report.derived.height == 0


# ---------------------------------------------------------------- one changed figure


@settings(max_examples=60)
@given(defects(partition_cases(censored=False, remainder=False, lone=False)))
def test_changed_figure_in_a_closed_breakdown_is_blamed(defect: Defect) -> None:
    """Changing one figure that a closed breakdown holds is found, blamed and fixed."""
    assert blame_problems(defect, check_text(defect.text())) == []


def test_changed_coarse_band_is_the_only_fix() -> None:
    """Under 18 sits in two closed sums; a typo in it is the only single fix, ranked first."""
    report = run(
        "victims_identified,2010,R,,,,,30,",
        "victims_identified,2010,R,,Y_LT18,,,21,",
        "victims_identified,2010,R,,Y_LT15,,,5,",
        "victims_identified,2010,R,,Y15T17,,,7,",
        "victims_identified,2010,R,,Y_GE18,,,17,",
        "victims_identified,2010,R,,_U,,,1,",
    )
    assert sorted(f.code for f in report.findings) == ["partition-exceeds", "partition-shortfall"]
    for finding in report.findings:
        assert [(s.location.line, s.value) for s in finding.suggestions] == [(3, "12")]
        assert "transposition" in finding.suggestions[0].reason


def test_a_breakdown_with_more_than_63_codes_is_checked() -> None:
    """Seventy referral destinations are summed like three (past the one-bit-per-code limit)."""
    parts = [f"victims_received,2010,R,,,NGO.A{n:02d},,1," for n in range(70)]
    assert run("victims_received,2010,R,,,,,70,", *parts).findings == ()
    report = run("victims_received,2010,R,,,,,69,", *parts)
    assert codes(report) == [("error", "partition-exceeds")]
    assert only(report, "partition-exceeds").imbalance == 1


@settings(max_examples=40)
@given(partition_cases())
def test_slices_matched_by_table_or_by_join_agree(case: Case) -> None:
    """A breakdown's figures are found through a slice-by-code table when it is dense, else by
    joins; both give the same findings and evaluations."""
    text = case.text()
    tabled = check_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(breakdowns, "_DENSE_CELLS_PER_MEMBER", 0)
        joined = check_text(text)
    assert tabled.findings == joined.findings
    assert tabled.evaluations is not None
    assert joined.evaluations is not None
    assert tabled.evaluations.equals(joined.evaluations)


def test_sparse_breakdowns_are_matched_by_joins() -> None:
    """Seventy years, each with a total and one destination of seventy: a slice-by-code table
    would be 70 x 71 cells for 140 figures, so the figures are matched by joins, and the one
    year whose part exceeds its total is found."""
    rows = []
    for n in range(70):
        rows += [
            f"victims_received,{1950 + n},R,,,,,{0 if n == 69 else 1},",
            f"victims_received,{1950 + n},R,,,NGO.A{n:02d},,1,",
        ]
    assert breakdowns._DENSE_CELLS_PER_MEMBER * len(rows) < 70 * 71
    report = run(*rows)
    (finding,) = report.findings
    assert finding.code == "partition-exceeds"
    assert finding.observations[0].period == "2019"


def test_breakdowns_that_disagree_on_a_remainder_are_an_error_naming_both() -> None:
    """A figure with status L that two breakdowns determine differently is a derived-conflict
    error giving each breakdown's arithmetic and citing every figure used, itself last."""
    report = run(
        "victims_identified,2010,KH,F,,,,6,",
        "victims_identified,2010,KH,F,Y_LT18,,,,L",
        "victims_identified,2010,KH,F,Y_GE18,,,2,",
        "victims_identified,2010,KH,,Y_LT18,,,5,",
        "victims_identified,2010,KH,M,Y_LT18,,,2,",
    )
    conflict = only(report, "derived-conflict")
    assert conflict.severity is Severity.ERROR
    assert conflict.message == (
        "victims_identified[sex=F,age=Y_LT18] 2010 KH is not stated, and its breakdowns disagree"
        " on it: the sex breakdown gives it: 5 - (M 2) = 3; but the age breakdown gives it: 6 -"
        " (Y_GE18 2) = 4"
    )
    assert (conflict.expected, conflict.actual, conflict.imbalance) == (3.0, 4.0, 1.0)
    assert lines(conflict) == [5, 6, 2, 4, 3]
    assert conflict.location is not None
    assert conflict.location.line == 3
