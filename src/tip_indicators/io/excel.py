"""Excel workbooks (xlsx): a long table on one sheet, read and written, and a data-entry template.

The sheet holds the long-CSV header in row 1 and one figure per row below it; findings cite the
cell (``data!C14``). Numeric cells are read without float noise (``459.0`` is ``459``), a formula
is read by its cached value (a formula without one is a finding), a date where a value or a
period belongs is a finding, merged cells are a finding at each cell they cover, and hidden
sheets are read only when named. Workbooks whose zip members would expand beyond the limits are
refused before they are opened. Needs the ``excel`` extra (openpyxl).
"""

from __future__ import annotations

import datetime
import io
import math
import os
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import attrs
import polars as pl

from tip_indicators._private.cells import escape_cell, unescape_columns
from tip_indicators._private.output import output_bytes
from tip_indicators._private.textfile import ReadLimits, read_input_bytes, sha256
from tip_indicators._private.validate import dimensions_of, validate_raw
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.io.crosstab import FIRST_ROW, HEAD_ROW, is_form, read_form
from tip_indicators.io.longcsv import _check_header, long_csv_frame
from tip_indicators.values import plain_number

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = ["MAX_EXPANDED_BYTES", "read_excel", "write_excel"]

MAX_EXPANDED_BYTES = 200 * 1024**2
"""Zip members of a workbook may always expand to this many bytes, and beyond it only to 100
times the workbook's size (and never beyond ``ReadLimits.max_file_bytes``)."""

ZIP_MAGIC = b"PK\x03\x04"
"""The first bytes of a zip archive, and so of every xlsx workbook."""

_RATIO = 100
_DATA_SHEET = "data"
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_PLAIN_SHEET = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_LARGEST_EXACT = 10**15
_MAX_COLUMNS = 16384


def require_openpyxl(path: str) -> Any:
    """Import openpyxl, or raise InputError saying how to install it."""
    try:
        import openpyxl
    except ImportError:
        raise InputError(
            path, "reading or writing Excel needs openpyxl: pip install tip-indicators[excel]"
        ) from None
    return openpyxl


def check_archive(data: bytes, path: str, limits: ReadLimits) -> None:
    """Refuse a workbook that is not a zip archive or whose members would expand too far."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InputError(path, f"not an xlsx workbook (not a zip archive: {error})") from None
    allowed = min(limits.max_file_bytes, max(MAX_EXPANDED_BYTES, _RATIO * len(data)))
    if expanded > allowed:
        raise InputError(
            path,
            f"the workbook expands to {expanded:,} bytes, over the limit of {allowed:,} "
            "(a zip bomb, or raise ReadLimits.max_file_bytes for a trusted workbook)",
        )


def open_workbook(data: bytes, path: str, limits: ReadLimits) -> Workbook:
    """Open a workbook's bytes read-only with cached formula values, after checking the archive."""
    openpyxl = require_openpyxl(path)
    check_archive(data, path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook: Workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True
            )
    except Exception as error:  # openpyxl raises many kinds on a damaged archive
        raise InputError(path, f"not a readable xlsx workbook: {error}") from None
    return workbook


def cell_ref(sheet: str, row: int, column: int) -> str:
    """A cell reference as a spreadsheet writes it: ``data!C14``, ``'My sheet'!C14``."""
    from openpyxl.utils.cell import get_column_letter

    name = sheet if _PLAIN_SHEET.match(sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{get_column_letter(column)}{row}"


def number_text(value: float) -> str:
    """A numeric cell as text: integers without ``.0``, at most 15 significant digits. A number
    whose plain form is out of bounds (``1e308``) keeps its exponent, which no value reads."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < _LARGEST_EXACT:
        return str(int(value))
    written = format(value, ".15g")
    return plain_number(written) or written if "e" in written else written


def cell_text(value: object) -> str:
    """Any cell value as text: numbers by :func:`number_text`, dates in ISO 8601 (a date-time at
    midnight as the date alone), booleans as TRUE/FALSE, OOXML escapes (``_x000D_``) undone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    text = str(value)
    if "_x" in text:
        text = _ESCAPED.sub(lambda match: chr(int(match[1], 16)), text)
    return text


def is_date(value: object) -> bool:
    """Whether a cell value is a date, time or duration."""
    return isinstance(value, (datetime.date, datetime.time, datetime.timedelta))


def escape_text(text: str) -> str:
    """Escape text the way OOXML does, so control characters and ``_xHHHH_`` survive a file."""
    return _NEEDS_ESCAPE.sub(
        lambda match: "_x005F_" + match[0][1:] if len(match[0]) > 1 else f"_x{ord(match[0]):04X}_",
        text,
    )


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
        parts = [_read_long(data, long_sheet, name, catalogue, limits)] if long_sheet else []
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


def _no_cache(formula: str) -> str:
    return (
        f"the formula ={formula} has no cached value; open and save the workbook in a "
        "spreadsheet program to compute it"
    )


def _read_long(
    data: bytes, worksheet: Any, name: str, catalogue: Catalogue, limits: ReadLimits
) -> tuple[pl.DataFrame, list[Finding]]:
    """The figures of the long table on ``worksheet`` and the problems of its rows."""
    title = worksheet.title
    first = next(sheet_rows(worksheet, name, max_row=1), None)
    if first is None:
        raise InputError(name, f"sheet {title!r} is empty: no header row")
    header = _header(*first, name, catalogue)
    formulas, merged, beyond = _scan_sheet(data, title, name, len(header))
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
    return observations, [
        *problems,
        *(_cited_cell(f, title, positions) for f in findings.findings()),
    ]


def check_size(text: str, where: str, path: str, row: int, limits: ReadLimits) -> None:
    """Refuse a cell longer than the field limit (an input error, as in a CSV file)."""
    if len(text.encode("utf-8")) > limits.max_field_bytes:
        raise InputError(
            path,
            f"{where}: a cell is longer than the limit of {limits.max_field_bytes:,} bytes "
            "(raise it with --max-field-size, or ReadLimits.max_field_bytes in Python)",
            line=row,
        )


def _cited_cell(finding: Finding, sheet: str, positions: Mapping[str, int]) -> Finding:
    """The finding with its field replaced by the cell it names (``value`` -> ``data!C14``)."""
    location = finding.location
    if location is None or location.line is None:
        return finding
    column = positions.get(location.field or "value")
    if column is None:
        return finding
    cell = cell_ref(sheet, location.line, column)
    return attrs.evolve(finding, location=attrs.evolve(location, field=cell))


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
        formulas, merged, _ = _scan_sheet(data, title, name, _MAX_COLUMNS)
        cells: dict[tuple[int, int], str] = {}
        bad: list[tuple[int, int, str, str]] = []
        for number, values in sheet_rows(worksheet, name):
            for column, value in enumerate(values, start=1):
                where = (number, column)
                if where in formulas:
                    bad.append((number, column, "unreadable-value", _no_cache(formulas[where])))
                elif is_date(value):
                    code = "invalid-period" if where == (2, 2) else "unreadable-value"
                    bad.append(
                        (
                            number,
                            column,
                            code,
                            f"a date cell ({cell_text(value)}), not "
                            + (
                                "a period; type it as text (2010-01)"
                                if where == (2, 2)
                                else "a number"
                            ),
                        )
                    )
                elif value is not None and value != "":
                    text = cell_text(value)
                    check_size(text, cell_ref(title, number, column), name, number, limits)
                    cells[(number, column)] = text
        for low_row, _, low_col, _, reference in merged.ranges:
            if (low_row >= FIRST_ROW and low_col > 1) or (low_row, low_col) in ((2, 2), (3, 2)):
                bad.append(
                    (low_row, low_col, "row-shape", f"merged cells {reference}; unmerge them")
                )
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


def sheet_rows(
    worksheet: Any,
    path: str,
    *,
    min_row: int = 1,
    max_row: int | None = None,
    max_col: int | None = None,
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield (row number, cell values) for every row, the sheet's stated size not trusted; with
    ``max_col``, each row's first ``max_col`` cells only (whatever columns the row reaches)."""
    worksheet.reset_dimensions()
    try:
        rows = worksheet.iter_rows(
            min_row=min_row, max_row=max_row, max_col=max_col, values_only=True
        )
        for number, row in enumerate(rows, start=min_row):
            yield number, tuple(row)
    except Exception as error:  # a damaged sheet fails inside openpyxl in many ways
        raise InputError(path, f"sheet {worksheet.title!r} is not readable: {error}") from None


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


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _Merges:
    """Merged ranges, asked row by row in increasing order (ranges may span a million rows)."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int, int, int, str]] = []
        self.next = 0
        self.active: list[tuple[int, int, int, int, str]] = []

    def add(self, low_row: int, high_row: int, low_col: int, high_col: int, ref: str) -> None:
        self.ranges.append((low_row, high_row, low_col, high_col, ref))

    def row(self, number: int, width: int) -> dict[int, str]:
        """The merged range covering each of the first ``width`` columns of row ``number``."""
        if self.next == 0:
            self.ranges.sort()
        while self.next < len(self.ranges) and self.ranges[self.next][0] <= number:
            self.active.append(self.ranges[self.next])
            self.next += 1
        self.active = [r for r in self.active if r[1] >= number]
        return {
            column: ref
            for _, _, low, high, ref in self.active
            for column in range(low, min(high, width) + 1)
        }


def _scan_sheet(
    data: bytes, title: str, path: str, width: int
) -> tuple[dict[tuple[int, int], str], _Merges, dict[int, list[int]]]:
    """Formulas without a cached value, the merged ranges of sheet ``title``, and the columns
    beyond ``width`` holding a value, by row."""
    formulas: dict[tuple[int, int], str] = {}
    merged = _Merges()
    beyond: dict[int, list[int]] = {}
    try:
        _scan(data, title, formulas=formulas, merged=merged, beyond=beyond, width=width)
    except (ElementTree.ParseError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise InputError(path, f"sheet {title!r} is not readable: {error}") from None
    return formulas, merged, beyond


def _scan(
    data: bytes,
    title: str,
    *,
    formulas: dict[tuple[int, int], str],
    merged: _Merges,
    beyond: dict[int, list[int]],
    width: int,
) -> None:
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _sheet_part(archive, title)
        if part is None:
            return
        row = column = 0
        with archive.open(part) as source:
            for event, element in ElementTree.iterparse(source, events=("start", "end")):
                tag = _local(element.tag)
                if event == "start":
                    if tag == "row":
                        # A row or cell without a reference follows the one before it.
                        row = int(element.get("r") or row + 1)
                        column = 0
                    continue
                if tag == "c":
                    reference = element.get("r")
                    if reference:
                        row, column = coordinate_to_tuple(reference)
                    else:
                        column += 1
                    formula = value = None
                    for child in element:
                        if _local(child.tag) == "f":
                            formula = child.text or ""
                        elif _local(child.tag) == "v":
                            value = child.text
                        elif _local(child.tag) == "is":
                            value = "".join(child.itertext())
                    if formula is not None and not value:
                        formulas[(row, column)] = formula
                    if column > width and value and row > 1:
                        beyond.setdefault(row, []).append(column)
                    element.clear()
                elif tag == "row":
                    element.clear()
                elif tag == "mergeCell" and element.get("ref"):
                    reference = element.get("ref", "")
                    low_col, low_row, high_col, high_row = range_boundaries(reference)
                    merged.add(low_row or 1, high_row or 1, low_col or 1, high_col or 1, reference)


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The archive member holding sheet ``title`` (from the workbook and its relationships)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {
        r.get("Id"): r.get("Target", "") for r in relations if _local(r.tag) == "Relationship"
    }
    for element in workbook.iter():
        if _local(element.tag) == "sheet" and element.get("name") == title:
            identifier = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            target = targets.get(identifier)
            if not target:
                return None
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


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


def save_workbook(
    workbook: Workbook,
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None],
) -> None:
    """Save ``workbook`` whole or not at all (made in memory first: a zip writer seeks)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    with output_bytes(path, inputs=inputs) as handle:
        handle.write(buffer.getbuffer())


def set_cell(target: Any, text: str, *, numeric: bool) -> None:
    """Write ``text`` into a cell: as a number when reading it back gives the same text."""
    if numeric and re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?", text):
        number: float | int = int(text) if "." not in text else float(text)
        if abs(number) < _LARGEST_EXACT and cell_text(number) == text:
            target.value = number
            return
    target.value = escape_text(escape_cell(text))
    target.data_type = "s"
