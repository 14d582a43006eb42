"""Tests for the pairwise checks of tip_indicators.check: indicator bounds, mirror figures
between organisations, and percentage shares of one breakdown adding up to 100."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import (
    Case,
    Defect,
    blame_problems,
    bound_cases,
    check_text,
    consistency_problems,
    defects,
    mirror_cases,
)
from tip_indicators import rules
from tip_indicators._engine.keystrokes import REACH, SMALL_CHANGE
from tip_indicators.check import check
from tip_indicators.datasets import Dataset
from tip_indicators.findings import Finding, Severity
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.report import Report
from tip_indicators.rules import Tolerance

HEADER = "indicator,period,reporter,sex,nationality,destination,referrer,measure,value"


def text(*rows: str) -> str:
    """Long-CSV text of the rows after the fixed header (the first row is line 2)."""
    return "\n".join([HEADER, *rows]) + "\n"


def run(*rows: str) -> Report:
    """Check the rows with every rule of the built-in profile."""
    return check_text(text(*rows))


def only(report: Report, code: str) -> Finding:
    """The one finding with ``code``."""
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [f.code for f in report.findings]
    return found[0]


def outcomes(report: Report, rule: str) -> list[str]:
    """The outcomes of every evaluation of ``rule``."""
    assert report.evaluations is not None
    return report.evaluations.filter(pl.col("rule") == rule).get_column("outcome").to_list()


def fixes(finding: Finding) -> list[tuple[int | None, str]]:
    """(line, value) of every suggestion, in rank order."""
    return [(s.location.line, s.value) for s in finding.suggestions]


# ---------------------------------------------------------------- indicator bounds


@settings(max_examples=30)
@given(bound_cases())
def test_figures_within_their_bound_give_nothing(case: Case) -> None:
    """A figure at most the one bounding it (convicted <= prosecuted) gives no finding."""
    report = check_text(case.text())
    assert consistency_problems(case, report) == []
    assert report.evaluations is not None
    bounds = report.evaluations.filter(pl.col("rule").str.contains("<=", literal=True))
    assert bounds.get_column("outcome").to_list() == ["pass"]


def test_more_convicted_than_prosecuted_is_a_warning() -> None:
    """More persons convicted than prosecuted is flagged with the catalogue's severity."""
    report = run("persons_prosecuted,2010,R,,,,,,40", "persons_convicted,2010,R,,,,,,50")
    finding = only(report, "bound-exceeded")
    assert finding.severity is Severity.WARNING
    assert [ref.location.line for ref in finding.observations] == [2, 3]
    assert (finding.expected, finding.actual, finding.imbalance) == (40, 50, 10)
    assert finding.location is not None
    assert finding.location.line == 3


def test_as_many_convicted_as_prosecuted_passes() -> None:
    """Equal figures satisfy the bound."""
    report = run("persons_prosecuted,2010,R,,,,,,40", "persons_convicted,2010,R,,,,,,40")
    assert report.findings == ()
    assert outcomes(report, "bound.persons_convicted<=persons_prosecuted") == ["pass"]


def test_bound_error_suggests_both_figures() -> None:
    """Detained deportees above those received is an error fixable on either figure."""
    report = run(
        "deportees_received,2010,R,,,,,,40", "deportees_detained_over_month,2010,R,,,,,,50"
    )
    finding = only(report, "bound-exceeded")
    assert finding.severity is Severity.ERROR
    # Either figure at the bound, or a slip: 50 for 5 (a zero too many), 40 for 60.
    assert sorted(fixes(finding), key=str) == [(2, "50"), (2, "60"), (3, "40"), (3, "5")]


def test_bound_with_censored_figures_fails_only_when_certain() -> None:
    """<5 convicted of 3 prosecuted may hold; 5 convicted of <5 prosecuted cannot."""
    maybe = run("persons_prosecuted,2010,R,,,,,,3", "persons_convicted,2010,R,,,,,,<5")
    never = run("persons_prosecuted,2010,R,,,,,,<5", "persons_convicted,2010,R,,,,,,5")
    assert maybe.findings == ()
    assert [f.code for f in never.findings] == ["bound-exceeded"]


def test_bound_with_a_missing_figure_is_not_evaluated() -> None:
    """A bound whose whole is missing (status M) is not evaluated."""
    report = check_text(
        "indicator,period,reporter,value,status\n"
        "persons_prosecuted,2010,R,,M\npersons_convicted,2010,R,5,\n"
    )
    assert report.findings == ()
    assert outcomes(report, "bound.persons_convicted<=persons_prosecuted") == ["not_evaluated"]


def test_bound_compares_only_the_same_breakdown() -> None:
    """Convicted women are compared with prosecuted women, not with all prosecuted."""
    report = run(
        "persons_prosecuted,2010,R,,,,,,100",
        "persons_prosecuted,2010,R,F,,,,,10",
        "persons_convicted,2010,R,F,,,,,20",
    )
    finding = only(report, "bound-exceeded")
    assert [ref.location.line for ref in finding.observations] == [3, 4]


# ---------------------------------------------------------------- mirror figures


@settings(max_examples=40)
@given(mirror_cases())
def test_mirror_figures_that_agree_give_nothing(case: Case) -> None:
    """A sends v to B and B receives v from A: no finding."""
    report = check_text(case.text())
    assert consistency_problems(case, report) == []
    assert outcomes(report, "mirror") == ["pass"]


def test_mirror_mismatch_cites_both_reporters() -> None:
    """MoSVY's 42 sent to AFESIP against AFESIP's 40 received from MoSVY is an error."""
    report = run(
        "victims_received,2010,GOV.MOSVY,,,NGO.AFESIP,,,42",
        "victims_received,2010,NGO.AFESIP,,,,GOV.MOSVY,,40",
    )
    finding = only(report, "mirror-mismatch")
    assert finding.severity is Severity.ERROR
    assert [ref.location.line for ref in finding.observations] == [2, 3]
    assert "GOV.MOSVY reports 42" in finding.message
    assert "NGO.AFESIP reports 40" in finding.message
    assert sorted(fixes(finding), key=str) == [(2, "40"), (3, "42")]


@settings(max_examples=30)
@given(defects(mirror_cases()))
def test_changed_mirror_figure_is_blamed(defect: Defect) -> None:
    """Changing either side of a mirror pair is found, blamed and fixed."""
    assert blame_problems(defect, check_text(defect.text())) == []


def test_mirror_needs_both_organisations() -> None:
    """A figure sent to an organisation that does not report is not compared."""
    report = run("victims_received,2010,GOV.MOSVY,,,NGO.AFESIP,,,42")
    assert report.findings == ()
    assert outcomes(report, "mirror") == []


def test_mirror_compares_the_same_period_and_indicator() -> None:
    """Figures of different periods or indicators are not mirrors of each other."""
    report = run(
        "victims_received,2010,GOV.MOSVY,,,NGO.AFESIP,,,42",
        "victims_received,2009,NGO.AFESIP,,,,GOV.MOSVY,,40",
        "victims_identified,2010,NGO.AFESIP,,,,GOV.MOSVY,,40",
    )
    assert report.findings == ()
    assert outcomes(report, "mirror") == []


def test_mirror_with_a_censored_side_fails_only_when_certain() -> None:
    """<5 received against 3 sent may agree; <5 against 7 cannot."""
    maybe = run(
        "victims_received,2010,GOV.MOSVY,,,NGO.AFESIP,,,3",
        "victims_received,2010,NGO.AFESIP,,,,GOV.MOSVY,,<5",
    )
    never = run(
        "victims_received,2010,GOV.MOSVY,,,NGO.AFESIP,,,7",
        "victims_received,2010,NGO.AFESIP,,,,GOV.MOSVY,,<5",
    )
    assert maybe.findings == ()
    assert [f.code for f in never.findings] == ["mirror-mismatch"]


def test_mirror_tolerance_is_applied() -> None:
    """A mirror rule with an absolute tolerance of 2 accepts 42 against 40, not 43."""
    rows = (
        "victims_received,2010,GOV.MOSVY,,,NGO.AFESIP,,,{}",
        "victims_received,2010,NGO.AFESIP,,,,GOV.MOSVY,,40",
    )
    lenient = [rules.mirror(tolerance=Tolerance(absolute=2))]

    def dataset(sent: int) -> Dataset:
        return parse_long_csv(text(rows[0].format(sent), rows[1]), path="case.csv")

    assert check(dataset(42), rules=lenient).findings == ()
    assert [f.code for f in check(dataset(43), rules=lenient).findings] == ["mirror-mismatch"]


# ---------------------------------------------------------------- shares


def test_shares_that_add_up_pass() -> None:
    """60.4% + 39.6% = 100%."""
    report = run(
        "victims_identified,2010,R,F,,,,PCT,60.4", "victims_identified,2010,R,M,,,,PCT,39.6"
    )
    assert report.findings == ()
    assert outcomes(report, "share.sex") == ["pass"]


def test_shares_over_100_beyond_rounding_are_an_error() -> None:
    """96.9% + 3.6% = 100.5%, more than the rounding of two one-decimal figures allows."""
    report = run(
        "victims_identified,2010,R,F,,,,PCT,96.9", "victims_identified,2010,R,M,,,,PCT,3.6"
    )
    finding = only(report, "share-sum")
    assert finding.severity is Severity.ERROR
    assert finding.actual == pytest.approx(100.5)
    assert [ref.location.line for ref in finding.observations] == [2, 3]


def test_shares_within_rounding_pass() -> None:
    """33.3% three times and 0% for unknown is 99.9%, within the rounding of the figures."""
    report = run(
        "victims_identified,2010,R,F,,,,PCT,33.3",
        "victims_identified,2010,R,M,,,,PCT,33.3",
        "victims_identified,2010,R,_O,,,,PCT,33.3",
        "victims_identified,2010,R,_U,,,,PCT,0",
    )
    assert report.findings == ()


def test_open_shares_may_fall_short() -> None:
    """F 50% and M 40% leave 10% to categories not given: no finding."""
    report = run("victims_identified,2010,R,F,,,,PCT,50", "victims_identified,2010,R,M,,,,PCT,40")
    assert report.findings == ()


def test_closed_shares_must_reach_100() -> None:
    """F, M, _O and _U adding up to 90% leave nothing unaccounted for: an error."""
    report = run(
        "victims_identified,2010,R,F,,,,PCT,50",
        "victims_identified,2010,R,M,,,,PCT,30",
        "victims_identified,2010,R,_O,,,,PCT,5",
        "victims_identified,2010,R,_U,,,,PCT,5",
    )
    assert [f.code for f in report.findings] == ["share-sum"]


def test_nationality_shares_add_up() -> None:
    """Shares by country of 60% and 50% are an error."""
    report = run("victims_identified,2010,R,,TH,,,PCT,60", "victims_identified,2010,R,,VN,,,PCT,50")
    assert [f.code for f in report.findings] == ["share-sum"]


SEX_CODES = ("F", "M", "_O", "_U")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(SEX_CODES), min_size=1, max_size=4, unique=True),
            st.lists(st.integers(0, 6000), min_size=4, max_size=4),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_each_group_of_shares_is_judged_by_its_own_sum(
    groups: list[tuple[list[str], list[int], int]],
) -> None:
    """Reporters each give some sex shares with 0 to 2 decimals: a group of two or more is
    judged (one evaluation each, in the order of the file), and is an error exactly when its
    sum exceeds 100 by more than its digits allow, or, with every sex given, falls short."""
    rows, expected = [], []
    for number, (codes, values, decimals) in enumerate(groups):
        unit = 10**decimals
        texts = [f"{value / unit:.{decimals}f}" for value in values[: len(codes)]]
        rows += [
            f"victims_identified,2010,R{number},{code},,,,PCT,{text}"
            for code, text in zip(codes, texts, strict=True)
        ]
        if len(codes) < 2:
            continue
        total = sum(int(text.replace(".", "")) for text in texts)  # in units of the last digit
        slack = len(codes)
        closed = set(codes) == set(SEX_CODES)
        fails = total > 100 * unit + slack or (closed and total < 100 * unit - slack)
        expected.append((f"victims_identified 2010 R{number}", fails))
    report = run(*rows)
    assert outcomes(report, "share.sex") == ["fail" if fails else "pass" for _, fails in expected]
    found = [f.message.split(":")[0] for f in report.findings if f.code == "share-sum"]
    assert found == [group for group, fails in expected if fails]


@settings(max_examples=40, deadline=None)
@given(
    prosecuted=st.integers(10, 5000),
    share=st.floats(0.1, 1.0),
    slip=st.sampled_from(["zero-added", "transposition"]),
    data=st.data(),
)
def test_an_exceeded_bound_that_one_slip_explains_gets_that_slip(
    prosecuted: int, share: float, slip: str, data: st.DataObject
) -> None:
    """Persons convicted keyed with a zero too many, or two digits swapped, so that they exceed
    persons prosecuted (a warning): the value meant is among the suggestions, and first unless
    other slips as likely fit as well, which the finding then says."""
    convicted = max(1, int(prosecuted * share))
    digits = str(convicted)
    if slip == "zero-added":
        at = data.draw(st.integers(1, len(digits)))
        written = digits[:at] + "0" + digits[at:]
    else:
        swaps = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
        if not swaps:
            return
        i = data.draw(st.sampled_from(swaps))
        written = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    excess, short = int(written) - prosecuted, prosecuted - convicted
    # the model's reach: a slip explains an excess when it lands near the bound (a change of a
    # few is as well a miscount), within REACH times the excess of the edge
    if excess < SMALL_CHANGE or short > REACH[slip] * excess:
        return
    report = run(
        f"persons_prosecuted,2010,R,,,,,,{prosecuted}", f"persons_convicted,2010,R,,,,,,{written}"
    )
    (finding,) = [f for f in report.findings if f.code == "bound-exceeded"]
    assert finding.severity is Severity.WARNING
    meant = [s for s in finding.suggestions if s.location.line == 3 and s.value == digits]
    assert meant, [(s.location.line, s.value, s.reason) for s in finding.suggestions]
    assert "the bound then holds" in meant[0].reason
    first = finding.suggestions[0]
    assert (first.location.line, first.value) == (3, digits) or "equally likely" in first.reason


@settings(max_examples=40, deadline=None)
@given(
    tenths=st.lists(st.integers(0, 1000), min_size=3, max_size=3),
    which=st.integers(0, 3),
    data=st.data(),
)
def test_a_share_keyed_with_two_digits_swapped_is_given_back(
    tenths: list[int], which: int, data: st.DataObject
) -> None:
    """Sex shares with one decimal that add up to 100, one keyed with two digits swapped so
    that they no longer do: the share meant is among the suggestions of the share-sum error."""
    cuts = sorted(tenths)
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 1000], strict=True)]
    meant = [f"{p / 10:.1f}" for p in parts]
    digits = meant[which].replace(".", "")
    swaps = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    if not swaps:
        return
    at = data.draw(st.sampled_from(swaps))
    swapped = digits[:at] + digits[at + 1] + digits[at] + digits[at + 2 :]
    written = f"{int(swapped[:-1])}.{swapped[-1]}" if swapped[:-1] else f"0.{swapped}"
    shares = list(meant)
    shares[which] = written
    report = run(
        *[
            f"victims_identified,2010,R,{sex},,,,PCT,{share}"
            for sex, share in zip(["F", "M", "_O", "_U"], shares, strict=True)
        ]
    )
    found = [f for f in report.findings if f.code == "share-sum"]
    if not found:
        return  # within what the rounding of the stated digits allows
    (finding,) = found
    line = 2 + which
    named = [s for s in finding.suggestions if s.location.line == line]
    assert any(s.value == meant[which] for s in named), [
        (s.location.line, s.value, s.reason) for s in finding.suggestions
    ]
