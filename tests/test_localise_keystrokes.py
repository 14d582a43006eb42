"""Tests for the keystroke model and the ranking it feeds: a slip is undone by the value one
edit away; one slip seeded into the worked example is given back; a change that repairs every
failed rule (a percentage change too) and a total that its other breakdowns confirm rank as
they should.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from strategies import check_text
from tip_indicators._engine.keystrokes import (
    KINDS,
    NEAR_KINDS,
    PRIORS,
    edit_candidates,
    edits,
    slip_reason,
)
from tip_indicators._private.queries import collect
from tip_indicators.findings import Finding, Severity
from tip_indicators.report import Report

EXAMPLE = Path(__file__).parents[1] / "examples" / "cambodia-2010" / "report-2010.csv"
SLIPS = ("transposition", "zero-added", "digit-added", "digit-dropped", "digit-wrong")


def slip(digits: str, kind: str, place: int, digit: str) -> str | None:
    """``digits`` with one slip of ``kind`` at ``place`` (``digit`` where one is typed), or
    None when that slip does not apply there or gives a number that starts with 0."""
    n = len(digits)
    if kind == "transposition":
        if place >= n - 1 or digits[place] == digits[place + 1]:
            return None
        written = digits[:place] + digits[place + 1] + digits[place] + digits[place + 2 :]
    elif kind == "zero-added":
        written = digits[: place % (n + 1)] + "0" + digits[place % (n + 1) :]
    elif kind == "digit-added":
        written = digits[: place % (n + 1)] + digit + digits[place % (n + 1) :]
    elif kind == "digit-dropped":
        if n < 2 or place >= n:
            return None
        written = digits[:place] + digits[place + 1 :]
    else:
        if place >= n - 1 or digit == digits[place]:
            return None
        written = digits[:place] + digit + digits[place + 1 :]
    if written == digits or (written.startswith("0") and len(written) > 1):
        return None
    return written


@given(
    st.integers(1, 10**9),
    st.sampled_from(SLIPS),
    st.integers(0, 9),
    st.sampled_from("0123456789"),
)
def test_every_slip_is_undone_by_one_edit(meant: int, kind: str, place: int, digit: str) -> None:
    """The value meant is among the edits of the value written, under the slip's kind."""
    written = slip(str(meant), kind, place, digit)
    assume(written is not None)
    found = edits(pl.DataFrame({"figure": [0], "text": [written]}))
    row = found.filter(pl.col("value") == float(meant))
    assert row.height == 1
    edit = row.get_column("edit")[0]
    # A digit typed twice is a digit added, and a zero added is one too.
    assert KINDS[edit] == KINDS.get(kind, kind) or {KINDS[edit], kind} <= {
        "digit-added",
        "zero-added",
    }
    assert f"{written} for {meant}" in row.get_column("reason")[0]


def test_the_kinds_made_in_the_near_band_are_the_least_likely() -> None:
    """Slips of the kinds that must land nearest are made only in the narrower band: sound
    only because every one of them is less likely than any other kind."""
    assert {"digit-dropped", "digit-wrong", "last-digit-wrong"} == NEAR_KINDS
    assert max(PRIORS[k] for k in NEAR_KINDS) < min(
        prior for kind, prior in PRIORS.items() if kind not in NEAR_KINDS
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"-?[0-9]{1,7}(\.[0-9]{1,3})?", fullmatch=True),
            st.floats(-1e8, 1e8, allow_nan=False),
            st.floats(0, 1e8, allow_nan=False),
            st.floats(0, 1, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_edits_in_a_band_are_every_edit_in_it(
    rows: list[tuple[str, float, float, float]],
) -> None:
    """Asked for the values in a band only (and in a narrower one for the kinds that must
    land nearest), the slips made are exactly those of every edit that fall in the band of
    their kind, each under the same edit and with the same words."""
    bands = pl.DataFrame(
        {
            "figure": range(len(rows)),
            "text": [text for text, *_ in rows],
            "lowest": [low for _, low, _, _ in rows],
            "highest": [low + width for _, low, width, _ in rows],
            "near_lowest": [low + width * share / 2 for _, low, width, share in rows],
            "near_highest": [low + width * (1 - share / 2) for _, low, width, share in rows],
        }
    )
    value = pl.col("value")
    in_band = (
        pl.when(pl.col("edit").is_in(list(NEAR_KINDS)))
        .then((value >= pl.col("near_lowest")) & (value <= pl.col("near_highest")))
        .otherwise((value >= pl.col("lowest")) & (value <= pl.col("highest")))
    )
    banded = (
        edit_candidates(bands)
        .filter(in_band)
        .with_columns(slip_reason())
        .select("figure", "value", "edit", "reason")
        .pipe(collect)
        .sort("figure", "value")
    )
    every = (
        edits(bands.select("figure", "text"))
        .join(bands.drop("text"), on="figure")
        .filter(in_band)
        .select("figure", "value", "edit", "reason")
        .sort("figure", "value")
    )
    assert banded.to_dicts() == every.to_dicts()


# ---------------------------------------------------------------- the worked example

_ROWS = list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"))))
_VALUE = _ROWS[0].index("value")
_MEASURE = _ROWS[0].index("measure")
_STATUS = _ROWS[0].index("status")
_FIGURES = [
    index
    for index, row in enumerate(_ROWS)
    if index > 0 and row[_VALUE].isdigit() and row[_MEASURE] in {"", "CHG"} and not row[_STATUS]
]


def _line(finding: Finding) -> int | None:
    return finding.location.line if finding.location is not None else None


def _checked(index: int, value: str) -> Report:
    rows = [list(row) for row in _ROWS]
    rows[index][_VALUE] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return check_text(text.getvalue(), path=str(EXAMPLE))


_FOUND = _checked(1, _ROWS[1][_VALUE]).findings
_BEFORE = {(f.code, _line(f), f.message) for f in _FOUND}
_IN_ERROR = {
    ref.location.line for f in _FOUND if f.severity is Severity.ERROR for ref in f.observations
}
"""The lines the example's own two errors cite: their original values do not repair them."""


def _seeded_errors(report: Report, line: int) -> list[Finding]:
    """The errors that cite ``line`` and were not in the example before."""
    return [
        f
        for f in report.findings
        if f.severity is Severity.ERROR
        and (f.code, _line(f), f.message) not in _BEFORE
        and any(ref.location.line == line for ref in f.observations)
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(_FIGURES),
    st.sampled_from(("transposition", "zero-added", "digit-added")),
    st.integers(0, 9),
    st.sampled_from("123456789"),
)
def test_seeded_slip_is_given_back(index: int, kind: str, place: int, digit: str) -> None:
    """One slip seeded into the worked example that makes a rule fail (not beside a derived
    remainder) is given back: the changed figure is suggested (a swap with its original value;
    a digit too many under an open bound may have several values that fit), and first with its
    original value unless the first suggestion is another single change that repairs every new
    error as well."""
    original = _ROWS[index][_VALUE]
    written = slip(original, kind, place, digit)
    assume(written is not None)
    assert written is not None
    line = index + 1
    assume(line not in _IN_ERROR)
    errors = _seeded_errors(_checked(index, written), line)
    # Beside a derived remainder any figure lowered enough repairs the sum and none adds up
    # exactly: every slip of another part that fits is as good, so those are not asked to
    # give the culprit back.
    assume(errors and all(f.code != "derived-negative" for f in errors))
    suggested = {(s.location.line, s.value) for f in errors for s in f.suggestions}
    assert line in {at for at, _ in suggested}, (kind, line, written, original, suggested)
    if kind == "transposition":
        # A digit too many in a figure that has only to come down under a bound leaves one
        # candidate per digit, and a swap of the same figure may fit as well: only a swap
        # (whose value is the one that fits nearest) is always given back.
        assert (line, original) in suggested, (kind, line, written, original, suggested)
    first = next(f.suggestions[0] for f in errors if f.suggestions)
    if (first.location.line, first.value) != (line, original):
        assert first.location.line is not None
        other = [list(row) for row in _ROWS]
        other[index][_VALUE] = written
        other[first.location.line - 1][_VALUE] = first.value
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(other)
        again = check_text(text.getvalue(), path=str(EXAMPLE))
        assert not _seeded_errors(again, line), (kind, line, written, first)


# ---------------------------------------------------------------- ranking


def run(header: str, *rows: str) -> Report:
    """Check the rows after ``header`` (the first row is line 2)."""
    return check_text("\n".join([header, *rows]) + "\n")


def test_level_that_breaks_change_and_percentage_ranks_first() -> None:
    """A level typed 164 for 163 breaks both its CHG (66) and PCH (68.04%): restoring the level
    repairs both and comes before changing the CHG, which repairs one."""
    report = run(
        "indicator,period,reporter,measure,value",
        "cases_prosecuted,2009,R,,97",
        "cases_prosecuted,2010,R,,164",
        "cases_prosecuted,2010,R,CHG,66",
        "cases_prosecuted,2010,R,PCH,68.04",
    )
    (change,) = [f for f in report.findings if f.code == "change-mismatch"]
    first = change.suggestions[0]
    assert (first.location.line, first.value) == (3, "163")
    assert "percentage change right" in first.reason
    assert (4, "67") in {(s.location.line, s.value) for s in change.suggestions[1:]}


def test_total_confirmed_by_another_breakdown_ranks_below_parts() -> None:
    """An age part two too high: the total its sex parts add up to exactly is not suggested
    first; the part is, though both would repair the age sum."""
    report = run(
        "indicator,period,reporter,sex,age,value",
        "victims_identified,2010,R,,,100",
        "victims_identified,2010,R,F,,60",
        "victims_identified,2010,R,M,,40",
        "victims_identified,2010,R,,Y_LT18,37",
        "victims_identified,2010,R,,Y_GE18,65",
    )
    (finding,) = [f for f in report.findings if f.severity is Severity.ERROR]
    lines = [s.location.line for s in finding.suggestions]
    assert 2 in lines
    assert lines.index(2) == len(lines) - 1
    total = next(s for s in finding.suggestions if s.location.line == 2)
    assert "up to it exactly" in total.reason


def test_zero_too_many_within_an_interval_is_offered_before_its_edge() -> None:
    """F typed 1540 for 154 in an open sex breakdown of 629 gets 154 back (a zero too many)
    before the edge of what the rule allows."""
    report = run(
        "indicator,period,reporter,sex,value",
        "persons_intercepted,2010,R,,629",
        "persons_intercepted,2010,R,F,1540",
        "persons_intercepted,2010,R,M,300",
    )
    (finding,) = [f for f in report.findings if f.severity is Severity.ERROR]
    first = finding.suggestions[0]
    assert (first.location.line, first.value) == (3, "154")
    assert "a zero too many" in first.reason
    assert (3, "329") in {(s.location.line, s.value) for s in finding.suggestions}
