"""Cross-tab forms in a workbook: the filled cells of each form read as figures, validated, and
every finding put back at the cell it is about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import polars as pl

from tip_indicators._private.sheet_scan import scan_sheet
from tip_indicators._private.textfile import ReadLimits
from tip_indicators._private.validate import validate_raw
from tip_indicators._private.workbook import (
    MAX_COLUMNS,
    cell_ref,
    cell_text,
    check_size,
    is_date,
    no_cache,
    sheet_rows,
)
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue
from tip_indicators.io.crosstab import FIRST_ROW, HEAD_ROW, read_form


def read_forms(
    data: bytes, forms: Sequence[Any], name: str, catalogue: Catalogue, limits: ReadLimits
) -> tuple[pl.DataFrame, list[Finding]]:
    """The figures of the filled cells of cross-tab ``forms`` (each with its cell reference as
    its ``id`` and its sheet row as its line) and the problems of the cells."""
    problems: list[Finding] = []
    records: list[dict[str, str]] = []
    places: list[tuple[str, int, int, Mapping[str, tuple[int, int]]]] = []
    for worksheet in forms:
        title = worksheet.title
        cells, bad = _form_cells(data, worksheet, name, limits)
        form = read_form(cells)
        unknown = [d for d in form.dimensions if d not in catalogue.dimensions]
        if unknown:
            bad.append(
                (HEAD_ROW, 1, "row-shape", f"unknown dimension {unknown[0]!r} in the corner cell")
            )
        skip = {(row, column) for row, column, _, _ in bad}
        problems += [
            Finding(
                code,
                Severity.ERROR,
                message,
                location=Location(name, row, cell_ref(title, row, column)),
            )
            for row, column, code, message in [*bad, *form.problems]
        ]
        if unknown:
            continue
        for row, column, codes, value in form.figures:
            if (row, column) in skip:
                continue
            records.append(
                {
                    "indicator": form.indicator,
                    "period": form.period,
                    "reporter": form.reporter,
                    **codes,
                    "value": value,
                }
            )
            heads = {form.dimensions[0]: (row, 1), form.dimensions[1]: (HEAD_ROW, column)}
            places.append((title, row, column, heads))
    return _validate_forms(records, places, name, catalogue, problems)


def _form_cells(
    data: bytes, worksheet: Any, name: str, limits: ReadLimits
) -> tuple[dict[tuple[int, int], str], list[tuple[int, int, str, str]]]:
    """The filled cells of one form as text, by (row, column), and the cells that cannot be
    read as they stand (formulas without a value, dates, merged cells) as (row, column, code,
    message)."""
    title = worksheet.title
    formulas, merged, _ = scan_sheet(data, title, name, MAX_COLUMNS)
    cells: dict[tuple[int, int], str] = {}
    bad: list[tuple[int, int, str, str]] = []
    for number, values in sheet_rows(worksheet, name):
        for column, value in enumerate(values, start=1):
            where = (number, column)
            if where in formulas:
                bad.append((number, column, "unreadable-value", no_cache(formulas[where])))
            elif is_date(value):
                code = "invalid-period" if where == (2, 2) else "unreadable-value"
                bad.append(
                    (
                        number,
                        column,
                        code,
                        f"a date cell ({cell_text(value)}), not "
                        + (
                            "a period; type it as text (2010-01)" if where == (2, 2) else "a number"
                        ),
                    )
                )
            elif value is not None and value != "":
                text = cell_text(value)
                check_size(text, cell_ref(title, number, column), name, number, limits)
                cells[(number, column)] = text
    for low_row, _, low_col, _, reference in merged.ranges:
        if (low_row >= FIRST_ROW and low_col > 1) or (low_row, low_col) in ((2, 2), (3, 2)):
            bad.append((low_row, low_col, "row-shape", f"merged cells {reference}; unmerge them"))
    return cells, bad


def _validate_forms(
    records: Sequence[Mapping[str, str]],
    places: Sequence[tuple[str, int, int, Mapping[str, tuple[int, int]]]],
    name: str,
    catalogue: Catalogue,
    problems: list[Finding],
) -> tuple[pl.DataFrame, list[Finding]]:
    """Validate the figures of forms, read as numbered records, and put each back at its cell:
    its line is its sheet row, and a finding cites the cell it is about."""
    names = list(dict.fromkeys(key for record in records for key in record))
    raw = pl.DataFrame(
        {key: [record.get(key, "") for record in records] for key in names},
        schema=dict.fromkeys(names, pl.String),
    ).with_columns(
        pl.lit(name).alias("path"),
        pl.int_range(1, len(records) + 1, dtype=pl.Int64).alias("line"),
    )
    observations, findings = validate_raw(raw, catalogue)
    rows = pl.Series([row for _, row, _, _ in places], dtype=pl.Int64)
    cells = pl.Series([cell_ref(t, row, column) for t, row, column, _ in places], dtype=pl.String)
    number = observations.get_column("line") - 1
    observations = observations.with_columns(
        rows.gather(number).alias("line"), cells.gather(number).alias("cell")
    )
    keys = {"indicator": (1, 2), "period": (2, 2), "reporter": (3, 2)}
    seen: set[tuple[str, str, Location | None]] = set()
    for found in findings.findings():
        location = found.location
        if location is not None and location.line is not None:
            title, row, column, heads = places[location.line - 1]
            field = location.field or "value"
            cell = keys.get(field) or heads.get(field) or (row, column)
            location = Location(name, cell[0], cell_ref(title, *cell))
        if (found.code, found.message, location) not in seen:
            seen.add((found.code, found.message, location))
            problems.append(attrs.evolve(found, location=location))
    return observations, problems
