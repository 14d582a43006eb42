"""Tests for tip_indicators.observations: citations built row by row and column by column."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators.findings import ObservationRef
from tip_indicators.findings.citations import observation_ref, observation_refs

DIMENSIONS = ("sex", "age")
TEXT = st.none() | st.sampled_from(["", "F", "M", "_T", "Y_LT18", "victims_received", "2010"])
ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "indicator": TEXT,
            "period": TEXT,
            "reporter": TEXT,
            "sex": TEXT,
            "age": TEXT,
            "measure": st.none() | st.sampled_from(["", "N", "CHG"]),
            "value": st.none() | st.sampled_from(["", "0", "12", "<5"]),
            "source": st.none() | st.sampled_from(["", "report p. 4"]),
            "path": st.none() | st.sampled_from(["", "a.csv"]),
            "line": st.none() | st.integers(min_value=1, max_value=10**6),
            "derived": st.none() | st.booleans(),
        }
    ),
    min_size=1,
    max_size=20,
)


def _shown(ref: ObservationRef) -> tuple[object, ...]:
    return (ref, dict(ref.dimensions), ref.location)


@given(ROWS)
def test_column_wise_citations_equal_row_wise_ones(rows: list[dict[str, object]]) -> None:
    """Every field, the dimension codes included, is the same either way, empty cells too."""
    schema = {
        name: pl.Int64() if name == "line" else pl.Boolean() if name == "derived" else pl.String()
        for name in rows[0]
    }
    frame = pl.DataFrame(rows, schema=schema)
    expected = [_shown(observation_ref(row, DIMENSIONS)) for row in frame.iter_rows(named=True)]
    assert [_shown(ref) for ref in observation_refs(frame, DIMENSIONS)] == expected


def test_missing_columns_read_as_empty_cells() -> None:
    """A frame without measure, dimension or location columns cites totals, level N, no line."""
    frame = pl.DataFrame({"indicator": ["victims_received"], "value": ["5"]})
    (ref,) = observation_refs(frame, DIMENSIONS)
    assert ref == observation_ref(frame.row(0, named=True), DIMENSIONS)
    assert (ref.measure, dict(ref.dimensions), ref.location.line) == (
        "N",
        {"sex": "_T", "age": "_T"},
        None,
    )


def test_rows_with_the_same_codes_share_one_mapping() -> None:
    """Citations are immutable, so equal dimension codes are held once."""
    frame = pl.DataFrame({"indicator": ["a", "b"], "sex": ["F", "F"], "value": ["1", "2"]})
    first, second = observation_refs(frame, DIMENSIONS)
    assert first.dimensions is second.dimensions
