"""Reading CSV records with their physical line numbers, and errors that name line and column.

Shared by every CSV-based reader (long CSV, SDMX-CSV, the GLOTIP export, case records).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from tip_indicators._private.textfile import ReadLimits
from tip_indicators.errors import InputError


def csv_records(text: str, path: str, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line, fields) for each CSV record; blank lines are not records.

    The csv module's field limit is process-wide: it is set for this read and restored after.
    """
    saved = csv.field_size_limit(limits.max_field_bytes)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        line = 1
        header: list[str] = []
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise _csv_error(
                    text,
                    path,
                    line=line,
                    last=reader.line_num,
                    header=header,
                    error=error,
                    limits=limits,
                ) from None
            if fields:
                header = header or fields
                yield line, fields
            line = reader.line_num + 1
    finally:
        csv.field_size_limit(saved)


def _csv_error(
    text: str,
    path: str,
    *,
    line: int,
    last: int,
    header: list[str],
    error: csv.Error,
    limits: ReadLimits,
) -> InputError:
    """The input error for a record the csv module refuses, naming the row's first line (an
    unterminated quote is only noticed at the end) and, where it can tell, the column."""
    rows = text.split("\n")[line - 1 : max(last, line)]
    raw = "\n".join(rows)
    index = _bad_field(raw, limits.max_field_bytes)
    column = ""
    if index is not None:
        name = header[index] if index < len(header) else f"field {index + 1}"
        column = f"{name}: "
    reason = str(error)
    if "field larger than field limit" in reason:
        reason = (
            f"a field is longer than the limit of {limits.max_field_bytes:,} bytes (raise it with "
            "--max-field-size, or ReadLimits.max_field_bytes in Python)"
        )
    end = "" if last <= line else f" (the row runs to line {last})"
    return InputError(path, f"{column}not readable as CSV: {reason}{end}", line=line)


def _bad_field(raw: str, limit: int) -> int | None:
    """The index of the field where a raw CSV record goes wrong: a quote never closed, text
    after a closing quote, or a field over the size limit."""
    field, size, quoted, closed, at_start = 0, 0, False, False, True
    position = 0
    while position < len(raw):
        char = raw[position]
        if quoted:
            if char == '"' and raw[position + 1 : position + 2] == '"':
                position += 1
            elif char == '"':
                quoted, closed = False, True
        elif char == ",":
            field, size, closed, at_start = field + 1, -1, False, True
        elif char == '"' and at_start:
            quoted = True
        elif closed:
            return field
        if char != ",":
            at_start = False
        size += 1
        if size > limit:
            return field
        position += 1
    return field if quoted else None
