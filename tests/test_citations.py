"""Citations written column-wise are the text the JSON report writes for citation objects."""

from __future__ import annotations

import json

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators.findings import Finding, Severity
from tip_indicators.findings.citations import (
    citation_columns,
    citation_json,
    citation_label,
    json_string,
    observation_refs,
)
from tip_indicators.render.json import report_data
from tip_indicators.report import Report

texts = st.none() | st.text(max_size=8)
DIMENSIONS = ["sex", "destination"]


@given(st.lists(st.text(), max_size=20))
def test_json_strings_are_what_json_dumps_writes(values: list[str]) -> None:
    """Quotes, backslashes, every control character and any other character alike."""
    column = pl.DataFrame({"text": values}, schema={"text": pl.String})
    written = column.select(json_string(pl.col("text"))).to_series().to_list()
    assert written == [json.dumps(value, ensure_ascii=False) for value in values]


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "indicator": texts,
                "period": texts,
                "reporter": texts,
                "sex": texts,
                "destination": texts,
                "measure": texts,
                "value": texts,
                "source": texts,
                "path": texts,
                "line": st.none() | st.integers(1, 10**9),
                "derived": st.none() | st.booleans(),
            }
        ),
        min_size=1,
        max_size=10,
    ),
    st.sampled_from([DIMENSIONS, [], ["sex"]]),
)
def test_citation_texts_are_what_the_report_writes(
    rows: list[dict[str, object]], dimensions: list[str]
) -> None:
    """Each row's JSON text equals the report's for the citation object built from it: the
    same defaults for empty cells and missing columns, the same escapes, nulls and order; and
    its label is the object's."""
    frame = pl.DataFrame(
        rows,
        schema={
            **{name: pl.String for name in rows[0] if name not in {"line", "derived"}},
            "line": pl.Int64,
            "derived": pl.Boolean,
        },
    ).drop([d for d in DIMENSIONS if d not in dimensions])
    written = citation_json(citation_columns(frame, dimensions), dimensions).to_list()
    refs = observation_refs(frame, dimensions)
    report = Report(findings=(Finding("c", Severity.INFO, "m", tuple(refs)),))
    expected = [
        json.dumps(citation, ensure_ascii=False)
        for citation in report_data(report)["findings"][0]["observations"]
    ]
    assert written == expected
    columns = citation_columns(frame, dimensions)
    labels = columns.select(citation_label(dimensions)).to_series().to_list()
    assert labels == [ref.label() for ref in refs]
