"""Tests for the rate checks: rates by sex bracket the total rate or add up to it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import check_text
from tip_indicators._engine.keystrokes import REACH
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


def _swapped(text: str, at: int) -> str:
    """``text`` with the digits at ``at`` and the next swapped (the point left in place)."""
    digits = text.replace(".", "")
    swapped = digits[:at] + digits[at + 1] + digits[at] + digits[at + 2 :]
    point = text.index(".")
    return f"{swapped[:point]}.{swapped[point:]}"


@settings(max_examples=40, deadline=None)
@given(
    female=st.integers(100, 999),
    male=st.integers(100, 999),
    share=st.floats(0.0, 1.0),
    data=st.data(),
)
def test_a_rate_keyed_with_two_digits_swapped_is_given_back(
    female: int, male: int, share: float, data: st.DataObject
) -> None:
    """A total rate between its sex rates, keyed with two digits swapped so that it falls
    outside them and is not their sum: the rate meant is among the suggestions of the
    rate-bracket error, as a transposition."""
    low, high = sorted((female, male))
    total = round(low + share * (high - low))
    meant = f"{total / 100:.2f}"
    at = data.draw(st.integers(0, 1))
    written = _swapped(meant, at)
    value = float(written)
    if low / 100 <= value <= high / 100 or abs(value - (female + male) / 100) < 0.03:
        return
    # the model's reach: a slip explains the figure when the value meant lies within REACH
    # times the least change the rule asks for of the edge it must move to
    edge = min(max(value, low / 100), high / 100)
    if abs(float(meant) - edge) > REACH["transposition"] * abs(value - edge):
        return
    report = check_text(
        _rates(
            ("2010", "", written, ""),
            ("2010", "F", f"{female / 100:.2f}", ""),
            ("2010", "M", f"{male / 100:.2f}", ""),
        )
    )
    (finding,) = [f for f in report.findings if f.code == "rate-bracket"]
    given_back = [s for s in finding.suggestions if s.location.line == 2 and s.value == meant]
    assert given_back, [(s.location.line, s.value, s.reason) for s in finding.suggestions]
    assert given_back[0].kind == "transposition"
