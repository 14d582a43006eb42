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
from tip_indicators.codelists import codelist
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue
from tip_indicators.io.longcsv import _check_header, long_csv_frame
from tip_indicators.observations import ATTRIBUTE_COLUMNS, REQUIRED_COLUMNS
from tip_indicators.profiles import Profile
from tip_indicators.values import plain_number

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = ["MAX_EXPANDED_BYTES", "read_excel", "write_excel", "write_template"]

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


def _escape(text: str) -> str:
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
    """Read the long table on ``sheet`` (``data``, else the first visible sheet) into a dataset."""
    limits = limits or ReadLimits()
    catalogue = catalogue or builtin_catalogue()
    name = os.fspath(path)
    data = read_input_bytes(name, limits)
    workbook = open_workbook(data, name, limits)
    try:
        worksheet = _choose_sheet(workbook, sheet, name)
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
                if len(text.encode("utf-8")) > limits.max_field_bytes:
                    raise InputError(
                        name,
                        f"{header[column_number]} ({cell_ref(title, number, column_number + 1)}): "
                        f"a cell is longer than the limit of {limits.max_field_bytes:,} bytes "
                        "(raise it with --max-field-size, or ReadLimits.max_field_bytes in Python)",
                        line=number,
                    )
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
    finally:
        workbook.close()
    raw = pl.DataFrame(
        {
            c: pl.Series(c, values, dtype=pl.String)
            for c, values in zip(header, columns, strict=True)
        }
    ).with_columns(pl.lit(name).alias("path"), pl.Series("line", lines, dtype=pl.Int64))
    observations, findings = validate_raw(unescape_columns(raw, header), catalogue)
    positions = {column: index + 1 for index, column in enumerate(header)}
    return Dataset(
        observations,
        dimensions_of(header, catalogue),
        inputs=(InputFile(name, sha256(data), observations.height, "excel"),),
        problems=(*problems, *(_cited_cell(f, title, positions) for f in findings.findings())),
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


def _choose_sheet(workbook: Workbook, sheet: str | None, path: str) -> Any:
    names = [n for n in workbook.sheetnames if hasattr(workbook[n], "iter_rows")]
    if sheet is not None:
        if sheet not in names:
            raise InputError(path, f"no worksheet {sheet!r} (worksheets: {', '.join(names)})")
        return workbook[sheet]
    visible = [n for n in names if workbook[n].sheet_state == "visible"]
    if not visible:
        raise InputError(path, "no visible worksheet; name the sheet to read")
    return workbook[_DATA_SHEET if _DATA_SHEET in visible else visible[0]]


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
            _set(target, str(cell), numeric=index == value_index)
    worksheet.freeze_panes = "A2"
    _save(workbook, path, inputs)


def _save(
    workbook: Workbook,
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None],
) -> None:
    """Save ``workbook`` whole or not at all (made in memory first: a zip writer seeks)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    with output_bytes(path, inputs=inputs) as handle:
        handle.write(buffer.getbuffer())


def _set(target: Any, text: str, *, numeric: bool) -> None:
    """Write ``text`` into a cell: as a number when reading it back gives the same text."""
    if numeric and re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?", text):
        number: float | int = int(text) if "." not in text else float(text)
        if abs(number) < _LARGEST_EXACT and cell_text(number) == text:
            target.value = number
            return
    target.value = _escape(escape_cell(text))
    target.data_type = "s"


def write_template(
    standard: Profile | Catalogue | None,
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write a data-entry workbook: a ``data`` sheet with drop-downs, ``codes`` and ``README``
    (whole or not at all, never over one of ``inputs``).

    Made from a profile, the drop-downs offer what the profile accepts: its indicators (those it
    requires or adds to the built-in catalogue, when it names any), its reporters, its
    organisations and the destination types as destinations and referrers, and the common age
    bands; the README says to check with the profile."""
    openpyxl = require_openpyxl(os.fspath(path))
    from openpyxl.worksheet.datavalidation import DataValidation

    catalogue = standard.catalogue if isinstance(standard, Profile) else standard
    catalogue = catalogue or builtin_catalogue()
    profile = standard if isinstance(standard, Profile) else None
    dimensions = list(catalogue.dimensions)
    header = [
        "indicator",
        "period",
        "reporter",
        *dimensions,
        "measure",
        "base_period",
        "value",
        *ATTRIBUTE_COLUMNS,
    ]
    lists = {
        "indicator": [(i.code, i.name) for i in _indicators_of(catalogue, profile)],
        "sex": [(c.code, c.name) for c in codelist("sex")],
        "age": [(code, name) for code, name in _AGE_BANDS],
        "exploitation": [(c.code, c.name) for c in codelist("exploitation")],
        "measure": [(c.code, c.name) for c in codelist("measure")],
        "status": [(c.code, c.name) for c in codelist("obs_status")],
        "conf_status": [(c.code, c.name) for c in codelist("conf_status")],
    }
    if profile is not None and profile.reporters:
        lists["reporter"] = [
            (code, profile.organisations.get(code, "")) for code in sorted(profile.reporters)
        ]
    if profile is not None:
        places = [(c.code, c.name) for c in codelist("destination_type") if c.code != "_T"]
        places += sorted(profile.organisations.items())
        lists["destination"] = places
        lists["referrer"] = places
    lists = {column: entries for column, entries in lists.items() if column in header}
    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = _DATA_SHEET
    data.append(header)
    data.freeze_panes = "A2"
    codes = workbook.create_sheet("codes")
    for offset, (column, entries) in enumerate(lists.items()):
        code_col, name_col = 2 * offset + 1, 2 * offset + 2
        codes.cell(row=1, column=code_col, value=column)
        codes.cell(row=1, column=name_col, value=f"{column} (meaning)")
        for row, (code, label) in enumerate(entries, start=2):
            _set(codes.cell(row=row, column=code_col), code, numeric=False)
            _set(codes.cell(row=row, column=name_col), label, numeric=False)
        letter = openpyxl.utils.get_column_letter(code_col)
        validation = DataValidation(
            type="list",
            formula1=f"=codes!${letter}$2:${letter}${len(entries) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            # Any age band may be written: the list offers the common ones and only warns.
            errorStyle="warning" if column == "age" else "stop",
            errorTitle=f"Unknown {column}",
            error=f"Choose a {column} code from the list (sheet codes, column {letter}).",
        )
        target = openpyxl.utils.get_column_letter(header.index(column) + 1)
        validation.add(f"{target}2:{target}1048576")
        data.add_data_validation(validation)
    readme = workbook.create_sheet("README")
    for line in _readme(header, catalogue, profile):
        readme.append([_escape(line)])
    readme.column_dimensions["A"].width = 110
    _save(workbook, path, inputs)


_AGE_BANDS = (
    ("Y_LT18", "Children (under 18)"),
    ("Y_GE18", "Adults (18 and over)"),
    ("Y_LT15", "Under 15"),
    ("Y15T17", "15 to 17"),
    ("Y18T24", "18 to 24"),
    ("Y25T59", "25 to 59"),
    ("Y_GE60", "60 and over"),
    ("_U", "Age unknown"),
)
"""The age bands the template offers (any other band may be typed: the validation warns)."""


def _indicators_of(catalogue: Catalogue, profile: Profile | None) -> list[Indicator]:
    """The indicators a template offers: those a profile requires or adds, else all."""
    if profile is None:
        return list(catalogue)
    builtin = builtin_catalogue()
    own = [i for i in catalogue if i.code in profile.required or i.code not in builtin]
    return own or list(catalogue)


def _readme(header: Sequence[str], catalogue: Catalogue, profile: Profile | None) -> list[str]:
    required = ", ".join(REQUIRED_COLUMNS)
    check = "tip-indicators validate FILE.xlsx"
    if profile is not None:
        check += f" --profile PROFILE.yaml   (the profile {profile.label})"
    lines = [
        "tip-indicators data-entry template",
        "",
        "Enter one figure per row on the sheet 'data'; keep row 1 (the column names) as it is.",
        f"Required in every row: {required}. Leave a breakdown empty for the total (_T).",
        "period: 2010, 2010-S1, 2010-Q1 or 2010-01 (type it as text, not as a date).",
        "value: a number, a censored count such as <5, or empty with a status saying why "
        "(L not stated, M cannot exist, O missing, Q suppressed).",
        "measure: N level (default), CHG change, PCH percentage change, PCT share; a change "
        "compares with base_period (default: one year earlier).",
        "Drop-down lists offer the codes of the sheet 'codes'; do not merge cells, and type "
        "figures rather than formulas.",
        f"Check the filled workbook with: {check}",
        "",
        "Columns:",
    ]
    for column in header:
        if column in catalogue.dimensions:
            dimension = catalogue.dimension(column)
            lines.append(f"  {column}: {dimension.name}. {dimension.description}".rstrip())
        else:
            lines.append(f"  {column}")
    return lines
