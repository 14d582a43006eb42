"""Tests for the rate checks: rates by sex bracket the total rate or add up to it."""

from __future__ import annotations

from strategies import check_text
from tip_indicators.findings import Severity

HEADER = "indicator,period,reporter,sex,value"


def _rates(*rows: tuple[str, str, str, str]) -> str:
    lines = [f"victims_detected_rate,{period},KH,{sex},{value}" for period, sex, value, _ in rows]
    return "\n".join([HEADER, *lines]) + "\n"


def test_a_total_rate_that_neither_reading_explains_is_an_error() -> None:
    """A total rate outside the rates by sex that is not their sum either is a rate-bracket
    error citing the three rates, the total first."""
    report = check_text(
        _rates(("2010", "", "9.50", ""), ("2010", "F", "2.00", ""), ("2010", "M", "1.50", ""))
    )
    (finding,) = report.findings
    assert (finding.code, finding.severity) == ("rate-bracket", Severity.ERROR)
    assert finding.message == (
        "victims_detected_rate 2010 KH: the total rate 9.5 lies outside the sex-specific rates"
        " (F 2, M 1.5), so they cannot share denominators, and F + M = 3.5 is not the total"
        " either, as it would be on the total population"
    )
    assert (finding.expected, finding.actual, finding.imbalance) == ("1.5..2", 9.5, 7.5)
    assert [ref.location.line for ref in finding.observations] == [2, 3, 4]


def test_a_table_read_two_ways_warns_where_it_changes_reading() -> None:
    """In a table whose rates add up to the total in most periods, a period where they only
    bracket it is a rate-sum warning naming how many periods add up."""
    rows = []
    for period, total in (("2010", "3.50"), ("2011", "3.50"), ("2012", "1.70")):
        rows += [(period, "", total, ""), (period, "F", "2.00", ""), (period, "M", "1.50", "")]
    report = check_text(_rates(*rows))
    (finding,) = report.findings
    assert (finding.code, finding.severity) == ("rate-sum", Severity.WARNING)
    assert finding.message == (
        "victims_detected_rate 2012 KH: this table's rates add up to the total in 2 other periods"
        " (rates on the total population), but here F + M = 3.5, not the total 1.7"
    )
    assert finding.imbalance is not None
    assert round(finding.imbalance, 6) == 1.8
