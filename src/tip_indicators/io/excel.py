"""Excel workbooks (xlsx): a long table on one sheet, read and written, and a data-entry template.

The sheet holds the long-CSV header in row 1 and one figure per row below it; findings cite the
cell (``data!C14``). Numeric cells are read without float noise (``459.0`` is ``459``), a formula
is read by its cached value (a formula without one is a finding), a date where a value or a
period belongs is a finding, merged cells are a finding at each cell they cover, and hidden
sheets are read only when named. Workbooks whose zip members would expand beyond the limits are
refused before they are opened. Needs the ``excel`` extra (openpyxl).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from tip_indicators._private.cells import unescape_columns
from tip_indicators._private.excel_forms import read_forms
from tip_indicators._private.sheet_scan import scan_sheet
from tip_indicators._private.textfile import ReadLimits, read_input_bytes, sha256
from tip_indicators._private.validate import dimensions_of, validate_raw
from tip_indicators._private.workbook import (
    MAX_EXPANDED_BYTES,
    cell_ref,
    cell_refs,
    cell_text,
    check_size,
    is_date,
    open_workbook,
    require_openpyxl,
    save_workbook,
    set_cell,
    sheet_rows,
)
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, FindingTable, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.io.crosstab import HEAD_ROW, is_form
from tip_indicators.io.longcsv import _check_header, long_csv_frame

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = ["MAX_EXPANDED_BYTES", "read_excel", "write_excel"]

_DATA_SHEET = "data"


@attrs.frozen
class _Cell:
    """A cell that cannot be read as it stands: where it is and why."""

    row: int
    column: int
    code: str
    message: str


def read_excel(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Read a workbook into a dataset: the long table on ``sheet`` (``data``, else the first
    visible sheet that is not a form) and every visible cross-tab form
    (:mod:`tip_indicators.io.crosstab`); with ``sheet`` naming a form, that form alone."""
    limits = limits or ReadLimits()
    catalogue = catalogue or builtin_catalogue()
    name = os.fspath(path)
    data = read_input_bytes(name, limits)
    workbook = open_workbook(data, name, limits)
    try:
        long_sheet, forms = _choose_sheets(workbook, sheet, name)
        parts: list[tuple[pl.DataFrame, Sequence[Finding | FindingTable]]] = []
        if long_sheet:
            parts.append(_read_long(data, long_sheet, name, catalogue, limits))
        if forms:
            parts.append(read_forms(data, forms, name, catalogue, limits))
    finally:
        workbook.close()
    dimensions = dimensions_of([c for frame, _ in parts for c in frame.columns], catalogue)
    observations = pl.concat(
        [
            frame.with_columns(pl.lit("_T").alias(d) for d in dimensions if d not in frame.columns)
            for frame, _ in parts
        ],
        how="diagonal",
    )
    return Dataset(
        observations,
        dimensions,
        inputs=(InputFile(name, sha256(data), observations.height, "excel"),),
        problems=[problem for _, problems in parts for problem in problems],
    )


def _read_long(
    data: bytes, worksheet: Any, name: str, catalogue: Catalogue, limits: ReadLimits
) -> tuple[pl.DataFrame, list[Finding | FindingTable]]:
    """The figures of the long table on ``worksheet`` and the problems of its rows.

    Long because it is one pass over the sheet's rows, each row checked for shape, merged cells,
    formulas and size before it is kept.
    """
    title = worksheet.title
    first = next(sheet_rows(worksheet, name, max_row=1), None)
    if first is None:
        raise InputError(name, f"sheet {title!r} is empty: no header row")
    header = _header(*first, name, catalogue)
    formulas, merged, beyond = scan_sheet(data, title, name, len(header))
    # Rows are read only as wide as the header: a cell in column XFD would otherwise make
    # each row 16,384 cells. The cells beyond it were found by the scan.
    rows = sheet_rows(worksheet, name, min_row=2, max_col=len(header))
    columns: list[list[str]] = [[] for _ in header]
    lines: list[int] = []
    problems: list[Finding] = []
    for number, values in rows:
        if number in beyond:
            problems += [
                Finding(
                    "row-shape",
                    Severity.ERROR,
                    "cell holds a value beyond the last named column",
                    location=Location(name, number, cell_ref(title, number, column)),
                )
                for column in beyond.pop(number)
            ]
            continue
        if all(value is None or value == "" for value in values):
            continue
        # Merged ranges are reported up to the row's last cell, not across the blank rest.
        reach = max((i + 1 for i, value in enumerate(values) if value is not None), default=0)
        bad = _row_problems(number, values, header, formulas, merged.row(number, reach))
        texts = [cell_text(value) for value in values[: len(header)]]
        texts += [""] * (len(header) - len(texts))
        for column_number, text in enumerate(texts):
            where = cell_ref(title, number, column_number + 1)
            check_size(text, f"{header[column_number]} ({where})", name, number, limits)
        if bad:
            problems += [
                Finding(
                    cell.code,
                    Severity.ERROR,
                    cell.message,
                    location=Location(name, cell.row, cell_ref(title, cell.row, cell.column)),
                )
                for cell in bad
            ]
            continue
        for column, text in zip(columns, texts, strict=True):
            column.append(text)
        lines.append(number)
    raw = pl.DataFrame(
        {
            c: pl.Series(c, values, dtype=pl.String)
            for c, values in zip(header, columns, strict=True)
        }
    ).with_columns(pl.lit(name).alias("path"), pl.Series("line", lines, dtype=pl.Int64))
    observations, findings = validate_raw(unescape_columns(raw, header), catalogue)
    positions = {column: index + 1 for index, column in enumerate(header)}
    return observations, [*problems, _cited_cells(findings, title, positions)]


def _cited_cells(table: FindingTable, sheet: str, positions: Mapping[str, int]) -> FindingTable:
    """The findings with each field replaced by the cell it names (``value`` ->
    ``data!C14``; a finding about no field is about the value), column-wise."""
    field = pl.col("field")
    named = pl.when(field.is_null() | (field == "")).then(pl.lit("value")).otherwise(field)
    return table.with_fields(cell_refs(sheet, positions, named, pl.col("line")))


def _choose_sheets(workbook: Workbook, sheet: str | None, path: str) -> tuple[Any, list[Any]]:
    """The sheet of the long table (None when there is none) and the forms to read."""
    names = [n for n in workbook.sheetnames if hasattr(workbook[n], "iter_rows")]
    if sheet is not None:
        if sheet not in names:
            raise InputError(path, f"no worksheet {sheet!r} (worksheets: {', '.join(names)})")
        chosen = workbook[sheet]
        return (None, [chosen]) if _is_form(chosen, path) else (chosen, [])
    visible = [n for n in names if workbook[n].sheet_state == "visible"]
    if not visible:
        raise InputError(path, "no visible worksheet; name the sheet to read")
    forms = [n for n in visible if n != _DATA_SHEET and _is_form(workbook[n], path)]
    rest = [n for n in visible if n not in forms]
    long_sheet = _DATA_SHEET if _DATA_SHEET in rest else next(iter(rest), None)
    return (workbook[long_sheet] if long_sheet else None), [workbook[n] for n in forms]


def _is_form(worksheet: Any, path: str) -> bool:
    """Whether a sheet is a cross-tab form, from its first cells."""
    top = {
        (number, 1): cell_text(values[0])
        for number, values in sheet_rows(worksheet, path, max_row=HEAD_ROW, max_col=1)
        if values
    }
    return is_form(top)


def _header(number: int, values: Sequence[Any], path: str, catalogue: Catalogue) -> list[str]:
    names = [cell_text(value).strip() for value in values]
    while names and not names[-1]:
        names.pop()
    if number != 1 or not names:
        raise InputError(path, "no header row: row 1 names the columns", line=1)
    if "" in names:
        raise InputError(path, f"column {names.index('') + 1} of the header has no name", line=1)
    _check_header(names, path, catalogue)
    return names


def _row_problems(
    number: int,
    values: Sequence[Any],
    header: Sequence[str],
    formulas: Mapping[tuple[int, int], str],
    merged: Mapping[int, str],
) -> list[_Cell]:
    found: list[_Cell] = []
    for index, value in enumerate(values):
        column = index + 1
        name = header[index] if index < len(header) else None
        where = (number, column)
        if column in merged:
            found.append(
                _Cell(
                    number,
                    column,
                    "row-shape",
                    f"{name or 'cell'}: part of merged cells {merged[column]}; unmerge them and "
                    "give every row its own value",
                )
            )
        elif where in formulas:
            found.append(
                _Cell(
                    number,
                    column,
                    "unreadable-value",
                    f"{name or 'cell'}: the formula ={formulas[where]} has no cached value; "
                    "open and save the workbook in a spreadsheet program to compute it",
                )
            )
        elif name in {"value", "period", "base_period"} and is_date(value):
            code = "unreadable-value" if name == "value" else "invalid-period"
            found.append(
                _Cell(
                    number,
                    column,
                    code,
                    f"{name}: a date cell ({cell_text(value)}), not "
                    + ("a number" if name == "value" else "a period; type it as text (2010-01)"),
                )
            )
    return found


def write_excel(
    dataset: Dataset,
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write a dataset as a long table on sheet ``data``; values stay as written. The file is
    written whole or not at all, and never over one of ``inputs``."""
    openpyxl = require_openpyxl(os.fspath(path))
    frame = long_csv_frame(dataset)
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = _DATA_SHEET
    worksheet.append(frame.columns)
    value_index = frame.columns.index("value")
    for number, row in enumerate(frame.iter_rows(), start=2):
        for index, cell in enumerate(row):
            if cell is None:
                continue
            target = worksheet.cell(row=number, column=index + 1)
            set_cell(target, str(cell), numeric=index == value_index)
    worksheet.freeze_panes = "A2"
    save_workbook(workbook, path, inputs)
