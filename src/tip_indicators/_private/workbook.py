"""Workbook cells: opening an xlsx archive within limits, reading a cell as text without float
noise, and writing text back into a cell so that it reads as written."""

from __future__ import annotations

import datetime
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from tip_indicators._private.cells import escape_cell
from tip_indicators._private.output import output_bytes
from tip_indicators._private.textfile import ReadLimits
from tip_indicators.errors import InputError
from tip_indicators.values import plain_number

if TYPE_CHECKING:
    import os

    from openpyxl.workbook.workbook import Workbook

MAX_EXPANDED_BYTES = 200 * 1024**2
"""Zip members of a workbook may always expand to this many bytes, and beyond it only to 100
times the workbook's size (and never beyond ``ReadLimits.max_file_bytes``)."""

ZIP_MAGIC = b"PK\x03\x04"
"""The first bytes of a zip archive, and so of every xlsx workbook."""

RATIO = 100
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
NEEDS_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
PLAIN_SHEET = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
LARGEST_EXACT = 10**15
MAX_COLUMNS = 16384


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
    allowed = min(limits.max_file_bytes, max(MAX_EXPANDED_BYTES, RATIO * len(data)))
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

    name = sheet if PLAIN_SHEET.match(sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{get_column_letter(column)}{row}"


def cell_refs(sheet: str, columns: Mapping[str, int], column: pl.Expr, row: pl.Expr) -> pl.Expr:
    """:func:`cell_ref` column-wise: the cell of each ``column`` name (numbered from 1 in
    ``columns``) at each ``row``; null for a name not in ``columns``."""
    # each column's cell without its row: "data!C"
    heads = {name: cell_ref(sheet, 1, number)[:-1] for name, number in columns.items()}
    head = column.replace_strict(heads, default=None, return_dtype=pl.String)
    return pl.concat_str(head, row.cast(pl.String))


def number_text(value: float) -> str:
    """A numeric cell as text: integers without ``.0``, at most 15 significant digits. A number
    whose plain form is out of bounds (``1e308``) keeps its exponent, which no value reads."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < LARGEST_EXACT:
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
        text = ESCAPED.sub(lambda match: chr(int(match[1], 16)), text)
    return text


def is_date(value: object) -> bool:
    """Whether a cell value is a date, time or duration."""
    return isinstance(value, (datetime.date, datetime.time, datetime.timedelta))


def escape_text(text: str) -> str:
    """Escape text the way OOXML does, so control characters and ``_xHHHH_`` survive a file."""
    return NEEDS_ESCAPE.sub(
        lambda match: "_x005F_" + match[0][1:] if len(match[0]) > 1 else f"_x{ord(match[0]):04X}_",
        text,
    )


def no_cache(formula: str) -> str:
    return (
        f"the formula ={formula} has no cached value; open and save the workbook in a "
        "spreadsheet program to compute it"
    )


def check_size(text: str, where: str, path: str, row: int, limits: ReadLimits) -> None:
    """Refuse a cell longer than the field limit (an input error, as in a CSV file)."""
    if len(text.encode("utf-8")) > limits.max_field_bytes:
        raise InputError(
            path,
            f"{where}: a cell is longer than the limit of {limits.max_field_bytes:,} bytes "
            "(raise it with --max-field-size, or ReadLimits.max_field_bytes in Python)",
            line=row,
        )


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
        if abs(number) < LARGEST_EXACT and cell_text(number) == text:
            target.value = number
            return
    target.value = escape_text(escape_cell(text))
    target.data_type = "s"
