"""Hypothesis strategies for hand-built findings: hostile text, every kind of place, cited
figures and suggested fixes, for the tests that hold the column-wise renderers to the oracles
written over finding objects."""

from __future__ import annotations

import polars as pl
from hypothesis import strategies as st

from tip_indicators.datasets import FRAME_FORMAT, InputFile
from tip_indicators.findings import (
    Finding,
    FindingTable,
    Location,
    ObservationRef,
    Severity,
    Suggestion,
)
from tip_indicators.report import Report

# Text with the characters a report must not show raw, and the odd ones that sort differently.
HOSTILE = st.text(
    st.sampled_from(["a", "b", "Z", "!", ";", "(", ")", " ", "\n", "\x1b", "\u202e", "é", "\t"]),
    max_size=6,
)
PATHS = ["a.csv", "b.csv", "", "dir/ü.csv", "/abs/x y.csv", "evil\n.csv", "frame"]
NOT_UTF8 = "bad\udcff.csv"  # a name with a byte that is not UTF-8, as Python decodes it


@st.composite
def locations(draw: st.DrawFn, *, not_utf8: bool = True) -> Location:
    """A place: a file line, a workbook cell, or a row of the checked frame ``frame``. Cited
    figures keep their names as text, so only other places may have names that are not UTF-8."""
    path = draw(st.sampled_from(PATHS + [NOT_UTF8] * not_utf8))
    position = draw(st.none() | st.integers(0, 30))
    field = draw(st.none() | st.sampled_from(["value", "sex", "sheet!C8"]) | HOSTILE)
    if path == "frame":
        return Location(path, None, field, position)
    return Location(path, position, field)


@st.composite
def refs(draw: st.DrawFn) -> ObservationRef:
    """A cited figure."""
    return ObservationRef(
        "victims_received",
        draw(st.sampled_from(["2010", "2011"])),
        draw(st.sampled_from(["GOV.A", "NGO.B"])),
        {"sex": draw(st.sampled_from(["_T", "F", "M"]))},
        "N",
        draw(st.sampled_from(["5", "", "<5"])),
        None,
        draw(locations(not_utf8=False)),
    )


TIE = "; one of {} equally likely fixes"


@st.composite
def suggestions(draw: st.DrawFn, cited: tuple[ObservationRef, ...]) -> Suggestion:
    """A suggested fix, sometimes one of several equally likely ones."""
    reason = draw(HOSTILE | st.sampled_from(["a digit left out (digit-dropped)", "derived"]))
    if draw(st.booleans()):
        reason += TIE.format(draw(st.integers(2, 5)))
    observation = draw(st.none() | st.sampled_from(cited)) if cited else None
    where = observation.location if observation is not None else draw(locations())
    return Suggestion(where, draw(HOSTILE), reason, observation, 1.0)


NUMBERS = st.none() | st.floats() | st.sampled_from([0.0, -0.0, 5.0, 1e16, 1.5, -3.0])
FIGURES = NUMBERS | st.sampled_from(["[10, 20]", "<5"])


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    """A finding with hostile text, maybe located, maybe citing figures and offering fixes."""
    cited = tuple(draw(st.lists(refs(), max_size=3)))
    return Finding(
        draw(st.sampled_from(["partition-exceeds", "bound-exceeded", "zz-code", "a"])),
        draw(st.sampled_from(list(Severity))),
        draw(HOSTILE),
        cited,
        suggestions=tuple(draw(st.lists(suggestions(cited), max_size=5))),
        expected=draw(FIGURES),
        actual=draw(FIGURES),
        imbalance=draw(NUMBERS),
        tolerance=draw(NUMBERS),
        location=draw(st.none() | locations()),
        rule=draw(st.none() | st.sampled_from(["partition.sex", "bound"]) | HOSTILE),
    )


def report_of(
    made: list[Finding],
    *,
    frame: bool,
    fresh: bool,
    evaluations: pl.DataFrame | None = None,
) -> Report:
    """A report of ``made``; with ``frame``, of a checked frame called ``frame``; when
    ``fresh``, holding only the findings table, so finding objects are made from it."""
    inputs = (InputFile("frame", "0" * 64, 1, FRAME_FORMAT),) if frame else ()
    report = Report(
        findings=made, inputs=inputs, omitted=("x",) if frame else (), evaluations=evaluations
    )
    if fresh:  # no objects kept: an oracle reads objects made from the table
        table = report.table
        report = Report(
            findings=FindingTable(table.rows, table.figures, table.dimensions),
            inputs=inputs,
            omitted=report.omitted,
            evaluations=evaluations,
        )
    return report
