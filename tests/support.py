"""Test support shared by several test modules: types, CSV helpers and hypothesis strategies.

The strategies generate long-CSV rows that are valid under the built-in catalogue: an indicator,
a period and a reporter, breakdowns the indicator allows, a measure with a fitting value (exact,
censored or missing with a status), and attributes whose text holds commas, quotes and line
breaks. Age and nationality codes are generated only on request, so that tests not about those
modules do not depend on them.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import strategies as st

from tip_indicators.codelists import codelist
from tip_indicators.datasets import Dataset
from tip_indicators.indicators import builtin_catalogue
from tip_indicators.observations import ATTRIBUTE_COLUMNS, REQUIRED_COLUMNS

T = TypeVar("T")
Row = dict[str, str]
"""A long-CSV row: column name to cell text; absent columns are empty cells."""

WriteFile = Callable[[str, str | bytes], Path]
"""Write text (as UTF-8) or bytes to a file of the given name in a temporary folder."""

HEADER = "indicator,period,reporter,value"

RENDERED_EXAMPLES = (
    "examples/cambodia-2010/report-2010.csv",
    "examples/coalition/submissions/afesip.csv",
    "examples/coalition/submissions/dosvy-bmc.csv",
    "examples/coalition/submissions/dosvy-pp.csv",
    "examples/coalition/national.csv",
    "examples/coalition/territories-2013.csv",
    "examples/coalition/siem-reap-form-2024.xlsx",
    "examples/sdmx/unodc-data.csv",
    "tests/fixtures/glotip/slices.csv",
    "tests/fixtures/invalid.csv",
)
"""Files, relative to the repository, whose reports the renderers are held to their oracles on:
the bundled examples, a GLOTIP slice and a file with unreadable rows."""


CORE_UNITS = {
    "victims_identified": "person",
    "victims_received": "person",
    "persons_repatriated": "person",
    "deportees_received": "person",
    "suspects_arrested": "person",
    "persons_formal_contact": "person",
    "persons_prosecuted": "person",
    "persons_convicted": "person",
    "cases_investigated": "case",
    "cases_prosecuted": "case",
    "offences_recorded": "case",
    "persons_reached": "person",
    "persons_intercepted": "person",
    "children_withdrawn_child_labour": "person",
    "businesses_closed": "establishment",
}
"""DESIGN section 4's core indicators with the unit their meaning implies."""

CATALOGUE = builtin_catalogue()
MISSING_STATUSES = tuple(
    c.code for c in codelist("obs_status") if c.attributes.get("missing") == "yes"
)
PRESENT_STATUSES = tuple(
    c.code for c in codelist("obs_status") if c.attributes.get("missing") != "yes"
)
AGE_CODES = ("Y_LT18", "Y15T17", "Y_GE18", "Y_LT15", "Y18T24", "Y5", "_U")
GEOGRAPHY_CODES = ("KH", "TH", "VN", "VNM", "GB", "002", "142", "NATIONAL", "FOREIGN", "_U")
PERIOD_SUFFIXES = (
    "",
    "-S1",
    "-S2",
    "-Q1",
    "-Q2",
    "-Q3",
    "-Q4",
    *(f"-{m:02d}" for m in range(1, 13)),
)
_DIMENSION_COLUMNS = tuple(CATALOGUE.dimensions)
_COLUMN_ORDER = (
    *REQUIRED_COLUMNS,
    *_DIMENSION_COLUMNS,
    "measure",
    "base_period",
    *ATTRIBUTE_COLUMNS,
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

free_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
    | st.sampled_from([",", '"', "\n", "\r", " ", "ក", "é"]),
    min_size=1,
    max_size=20,
)
"""Non-empty text with commas, quotes and line breaks (an empty cell means 'not given')."""

organisation_codes = st.from_regex(
    r"(FAMILY|GOV|NGO|IO|RETAINED|OTHER)(\.[A-Z0-9][A-Z0-9_\-]{0,6})?", fullmatch=True
)
activity_codes = st.from_regex(r"[A-Z0-9][A-Z0-9_]{0,7}", fullmatch=True)
reporters = st.sampled_from(["GOV.MOSVY", "NGO.AFESIP", "GOV.PPDOSVY", "Cambodia"]) | st.from_regex(
    r"R([A-Z0-9 .,_-]{0,9}[A-Z0-9.,_-])?", fullmatch=True
)
"""Reporters as a reader reads them: no spaces around them, and no two differing only in case
(either is a code-variant warning)."""


def dimension_codes(dimension: str, *, age_and_geography: bool) -> st.SearchStrategy[str] | None:
    """Valid codes of ``dimension`` other than ``_T``, or None when none may be generated."""
    definition = CATALOGUE.dimension(dimension)
    if dimension in {"age"}:
        return st.sampled_from(AGE_CODES) if age_and_geography else None
    if dimension in {"nationality", "country"}:
        return st.sampled_from(GEOGRAPHY_CODES) if age_and_geography else None
    if dimension in {"destination", "referrer"}:
        return organisation_codes | st.just("_U")
    if definition.pattern is not None:
        return activity_codes | st.just("_U")
    return st.sampled_from([code for code in definition.codes if code != "_T"])


def _integer_text(number: int, grouped: bool) -> str:
    return f"{number:,}" if grouped else str(number)


@st.composite
def values(draw: st.DrawFn, measure: str) -> tuple[str, str | None]:
    """A value fitting ``measure`` and the status it needs (None when it needs none)."""
    if draw(st.integers(0, 5)) == 0:
        return "", draw(st.sampled_from(MISSING_STATUSES))
    status = draw(st.none() | st.sampled_from(PRESENT_STATUSES))
    if measure in {"N", ""}:
        if draw(st.booleans()):
            return f"<{draw(st.integers(1, 20))}", status
        return _integer_text(draw(st.integers(0, 10**7)), draw(st.booleans())), status
    if measure == "CHG":
        return _integer_text(draw(st.integers(-(10**6), 10**6)), draw(st.booleans())), status
    whole = draw(st.integers(0 if measure == "PCT" else -500, 500))
    digits = draw(st.integers(0, 3))
    fraction = "".join(str(draw(st.integers(0, 9))) for _ in range(digits))
    return (f"{whole}.{fraction}" if fraction else str(whole)), status


def _units(indicator: str, measure: str) -> list[str]:
    if measure in {"PCH", "PCT"}:
        return ["percent", "%"]
    unit = CATALOGUE.indicator(indicator).unit
    return [unit] if unit == "per_100k" else [unit, f"{unit}s"]


@st.composite
def rows(draw: st.DrawFn, *, age_and_geography: bool = False) -> Row:
    """One valid long-CSV row (only its non-empty cells)."""
    indicator = draw(st.sampled_from(sorted(CATALOGUE.indicators)))
    year = draw(st.integers(1900, 2100))
    suffix = draw(st.sampled_from(PERIOD_SUFFIXES))
    row: Row = {"indicator": indicator, "period": f"{year}{suffix}", "reporter": draw(reporters)}
    for dimension in sorted(CATALOGUE.indicator(indicator).dimensions):
        codes = dimension_codes(dimension, age_and_geography=age_and_geography)
        if codes is not None and draw(st.booleans()):
            row[dimension] = draw(codes)
    measure = draw(st.sampled_from(["", "N", "N", "CHG", "PCH", "PCT"]))
    if measure:
        row["measure"] = measure
    if measure in {"CHG", "PCH"} and draw(st.booleans()):
        row["base_period"] = f"{year - draw(st.integers(1, 5))}{suffix}"
    row["value"], status = draw(values(measure))
    if status is not None:
        row["status"] = status
    if draw(st.booleans()):
        row["unit"] = draw(st.sampled_from(_units(indicator, measure or "N")))
    if draw(st.booleans()):
        row["conf_status"] = draw(st.sampled_from(codelist("conf_status").ids))
    for column in ("source", "id", "note"):
        if draw(st.booleans()):
            row[column] = draw(free_text)
    return row


def row_key(row: Row) -> tuple[str, ...]:
    """The key the reader identifies a row by, with defaults filled in."""
    measure = row.get("measure") or "N"
    base = row.get("base_period", "")
    if measure in {"CHG", "PCH"} and not base:
        period = row["period"]
        base = f"{int(period[:4]) - 1:04d}{period[4:]}"
    dimensions = tuple(row.get(d) or "_T" for d in _DIMENSION_COLUMNS)
    return (row["indicator"], row["period"], row["reporter"], *dimensions, measure, base)


def datasets(*, age_and_geography: bool = False) -> st.SearchStrategy[list[Row]]:
    """Lists of valid rows with distinct keys."""
    return st.lists(rows(age_and_geography=age_and_geography), max_size=12, unique_by=row_key)


def columns_of(table: Sequence[Row]) -> list[str]:
    """The required columns plus every column a row gives, in a canonical order."""
    used = {column for row in table for column in row}
    return [c for c in _COLUMN_ORDER if c in REQUIRED_COLUMNS or c in used]


def physical_lines(text: str) -> int:
    """How many line ends ``text`` holds, counting CR LF, CR and LF as a reader does."""
    return len(_LINE_BREAK.findall(text))


def csv_records(
    header: Sequence[str], records: Sequence[Sequence[str]], *, crlf: bool = False
) -> tuple[str, list[int]]:
    """Write a header and records as CSV; return the text and each record's first line.

    With LF line ends every field is quoted, since csv leaves a lone CR unquoted.
    """
    out = io.StringIO()
    if crlf:
        writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    else:
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    lines: list[int] = []
    line = 2
    for record in records:
        start = out.tell()
        writer.writerow(record)
        lines.append(line)
        line += physical_lines(out.getvalue()[start:])
    return out.getvalue(), lines


def csv_text(
    table: Sequence[Row], columns: Sequence[str] | None = None, *, crlf: bool = False
) -> tuple[str, list[int]]:
    """Write rows as a long CSV with the given (or canonical) column order."""
    header = list(columns) if columns is not None else columns_of(table)
    return csv_records(header, [[row.get(c, "") for c in header] for row in table], crlf=crlf)


def read_both_ways(
    read: Callable[[Path], T], data: bytes, name: str = "t.csv"
) -> tuple[T | str, T | str]:
    """What ``read`` gives for a file of ``data`` parsed column-wise and read record by record
    (the error's text where it raises :class:`~tip_indicators.errors.InputError`): the two
    ways a reader may take, which must agree."""
    from tip_indicators._private import csvcolumns
    from tip_indicators.errors import InputError

    def one_way(path: Path, threshold: int) -> T | str:
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(csvcolumns, "REGULAR_BYTES", threshold)
            try:
                return read(path)
            except InputError as error:
                return str(error)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return one_way(path, 0), one_way(path, 10**12)


def assert_reads_agree(
    fast: object, slow: object, frame: str = "observations", rest: Sequence[str] = ()
) -> None:
    """The same result both ways: its ``frame`` equal and every attribute of ``rest`` equal,
    or the same input error."""
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    assert getattr(fast, frame).equals(getattr(slow, frame))
    for name in rest:
        assert getattr(fast, name) == getattr(slow, name)


def assert_datasets_agree(fast: Dataset | str, slow: Dataset | str) -> None:
    """The same dataset (figures, problems, inputs), or the same input error, both ways."""
    assert_reads_agree(fast, slow, "observations", ("problems", "inputs"))
