"""Reading CSV records with their physical line numbers, and errors that name line and column.

Shared by every CSV-based reader (long CSV, SDMX-CSV, the GLOTIP export, case records).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from tip_indicators._private.textfile import ReadLimits
from tip_indicators.errors import InputError


class Overwide(list[str]):
    """A record with more fields than the header, given in place of its fields: an unquoted
    line with more commas than the header is not split at all (a line of five million commas
    would be five million strings), only counted. It holds ``width + 1`` empty fields, so that
    it is not as wide as the header; ``fields`` is how many the line has."""

    def __init__(self, width: int, fields: int) -> None:
        super().__init__([""] * (width + 1))
        self.fields = fields


def field_count(fields: list[str]) -> int:
    """How many fields a record of :func:`csv_records` has (an :class:`Overwide` one included)."""
    return fields.fields if isinstance(fields, Overwide) else len(fields)


def row_shape_message(fields: list[str], width: int) -> str:
    """What a ``row-shape`` finding says of a record that is not as wide as the header."""
    return f"row has {field_count(fields)} fields, the header has {width}"


def csv_records(
    text: str,
    path: str,
    limits: ReadLimits,
    *,
    header_first: bool = False,
    delimiter: str = ",",
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line, fields) for each CSV record; blank lines are not records.
    ``delimiter`` separates fields: a comma, or the semicolon spreadsheet programs write in
    locales whose decimal mark is a comma.

    When the first record is the header (``header_first``), every later line is checked against
    it before it is split: an unquoted line with more fields comes as an :class:`Overwide`.
    The csv module's field limit is process-wide: it is set while each record is read and
    restored before the record is yielded, so a read left unfinished (a reader that stopped at
    a bad header) changes nothing for the next one.
    """
    wide: dict[int, int] = {}
    header: list[str] = []
    lines: Iterable[str] = (
        _lines(text, header, wide, delimiter) if header_first else io.StringIO(text, newline="")
    )
    reader = csv.reader(lines, strict=True, delimiter=delimiter)
    line = 1
    while True:
        saved = csv.field_size_limit(limits.max_field_bytes)
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
                delimiter=delimiter,
            ) from None
        finally:
            csv.field_size_limit(saved)
        if reader.line_num in wide:
            yield line, Overwide(len(header), wide.pop(reader.line_num))
        elif fields:
            if not header:
                header.extend(fields)
            yield line, fields
        line = reader.line_num + 1


def _lines(
    text: str, header: list[str], wide: dict[int, int], delimiter: str = ","
) -> Iterator[str]:
    """The physical lines of ``text`` for the csv reader; an unquoted line that starts a record
    and has more fields than ``header`` (once read) is replaced by a blank line and its width
    noted in ``wide`` under its line number. An even count of quotes so far means no quoted
    field is open, so the line starts a record."""
    quotes = 0
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if '"' in line:
            quotes += line.count('"')
        elif header and quotes % 2 == 0:
            fields = line.count(delimiter) + 1
            if fields > len(header):
                wide[number] = fields
                yield "\n"
                continue
        yield line


def _csv_error(
    text: str,
    path: str,
    *,
    line: int,
    last: int,
    header: list[str],
    error: csv.Error,
    limits: ReadLimits,
    delimiter: str = ",",
) -> InputError:
    """The input error for a record the csv module refuses, naming the row's first line (an
    unterminated quote is only noticed at the end) and, where it can tell, the column."""
    rows = text.split("\n")[line - 1 : max(last, line)]
    raw = "\n".join(rows)
    index = _bad_field(raw, limits.max_field_bytes, delimiter)
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


def _bad_field(raw: str, limit: int, delimiter: str = ",") -> int | None:
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
        elif char == delimiter:
            field, size, closed, at_start = field + 1, -1, False, True
        elif char == '"' and at_start:
            quoted = True
        elif closed:
            return field
        if char != delimiter:
            at_start = False
        size += 1
        if size > limit:
            return field
        position += 1
    return field if quoted else None
