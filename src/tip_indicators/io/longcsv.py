"""The long CSV: one figure per row, the format other systems exchange (DESIGN section 4).

Required columns are ``indicator``, ``period``, ``reporter`` and ``value``; dimension columns
(``sex``, ``age``, ``destination``, ...) default to ``_T``; ``measure`` defaults to ``N``. A file
that cannot be parsed at all raises :class:`~tip_indicators.errors.InputError`; a bad row becomes
a finding at its line and the rest of the file is still read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO

import polars as pl

from tip_indicators._private.cells import escape_columns, unescape_columns
from tip_indicators._private.csvcolumns import regular_columns, regular_header
from tip_indicators._private.csvrecords import csv_records, row_shape_message
from tip_indicators._private.csvrows import write_csv_rows
from tip_indicators._private.output import output_text
from tip_indicators._private.textfile import (
    ReadLimits,
    decode_text,
    read_input_bytes,
    sha256,
)
from tip_indicators._private.validate import check_columns, dimensions_of, validate_raw
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.observations import REQUIRED_COLUMNS, long_columns

__all__ = ["ReadLimits", "parse_long_csv", "read_long_csv", "write_long_csv"]


def read_long_csv(
    path: str | os.PathLike[str],
    *,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Read a long-CSV file into a dataset; problems in rows become the dataset's findings."""
    limits = limits or ReadLimits()
    name = os.fspath(path)
    data = read_input_bytes(name, limits, text=True)
    return _parse(data, name, catalogue, limits)


def parse_long_csv(
    text: str, *, path: str = "<text>", catalogue: Catalogue | None = None
) -> Dataset:
    """Read long-CSV text (already decoded) into a dataset, citing ``path`` in findings."""
    data = text.encode("utf-8")
    return _parse(data, path, catalogue, ReadLimits(), text=text)


def _parse(
    data: bytes,
    path: str,
    catalogue: Catalogue | None,
    limits: ReadLimits,
    *,
    text: str | None = None,
) -> Dataset:
    """Read a file's bytes; ``text`` is their decoded text when the caller has it already."""
    given = catalogue
    catalogue = catalogue or builtin_catalogue()
    fast = _plain_frame(data, path, catalogue, limits)
    if fast is not None:
        header, raw = fast
        problems: list[Finding] = []
    else:
        text = decode_text(data, path) if text is None else text
        header, columns, lines, problems, delimiter = _split(text, path, catalogue, limits)
        raw = pl.DataFrame(
            {
                name: pl.Series(name, values, dtype=pl.String)
                for name, values in zip(header, columns, strict=True)
            }
        ).with_columns(pl.lit(path).alias("path"), pl.Series("line", lines, dtype=pl.Int64))
        if delimiter == ";":
            # The locale that separates fields by semicolons writes decimals with a comma.
            raw = raw.with_columns(pl.col("value").str.replace(_DECIMAL_COMMA, "${1}.${2}"))
    observations, findings = validate_raw(
        unescape_columns(raw, header), catalogue, nul_free=fast is not None
    )
    return Dataset(
        observations,
        dimensions_of(header, catalogue),
        inputs=(InputFile(path, sha256(data), observations.height),),
        problems=[*problems, findings],
        catalogue=given,
    )


def _plain_frame(
    data: bytes, path: str, catalogue: Catalogue, limits: ReadLimits
) -> tuple[list[str], pl.DataFrame] | None:
    """The header and the rows of a large, regular file, parsed column-wise, or None."""
    found = regular_header(data, path, limits)
    if found is None:
        return None
    header, start = found
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        return None
    _check_header(header, path, catalogue)
    frame = regular_columns(data, header, start, limits)
    if frame is None:
        return None
    return header, frame.with_columns(pl.lit(path).alias("path")).select(*header, "path", "line")


def _check_header(header: list[str], path: str, catalogue: Catalogue) -> None:
    check_columns(header, path, catalogue, line=1)


def _split(
    text: str, path: str, catalogue: Catalogue, limits: ReadLimits
) -> tuple[list[str], list[list[str]], list[int], list[Finding], str]:
    """The header, the columns, the physical line of each row, the rows' problems and the
    field separator: a comma, or a semicolon when the header, split by semicolons and by
    nothing else, is a long-CSV header (what spreadsheet programs write in locales whose
    decimal mark is a comma)."""
    delimiter = _delimiter(text, path, catalogue, limits)
    records = csv_records(text, path, limits, header_first=True, delimiter=delimiter)
    first = next(records, None)
    if first is None:
        raise InputError(path, "empty file: no header row")
    header = first[1]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = ";" if ";" in header[0] else "tab"
        raise InputError(path, f"the header is split by {separator}, not commas", line=1)
    _check_header(header, path, catalogue)
    width = len(header)
    columns: list[list[str]] = [[] for _ in header]
    lines: list[int] = []
    problems: list[Finding] = []
    for line, fields in records:
        if len(fields) != width:
            problems.append(
                Finding(
                    code="row-shape",
                    severity=Severity.ERROR,
                    message=row_shape_message(fields, width),
                    location=Location(path, line),
                )
            )
            continue
        for column, value in zip(columns, fields, strict=True):
            column.append(value)
        lines.append(line)
    return header, columns, lines, problems, delimiter


def _delimiter(text: str, path: str, catalogue: Catalogue, limits: ReadLimits) -> str:
    """``;`` when the first record has no comma outside quotes and, split by semicolons, is a
    valid long-CSV header; else ``,``. A file is never guessed to be semicolon-separated from
    its data: only a header that reads right both ways would be a doubt, and none can."""
    first = next(csv_records(text, path, limits), None)
    if first is None or len(first[1]) != 1 or ";" not in first[1][0]:
        return ","
    split = next(csv_records(first[1][0], path, limits, delimiter=";"), None)
    if split is None:
        return ","
    try:
        check_columns(split[1], path, catalogue, line=1)
    except InputError:
        return ","
    return ";"


_DECIMAL_COMMA = r"^([-+]?[0-9]+),([0-9]+)$"
"""A number written with a decimal comma, in a semicolon-separated file: ``12,5``."""


def long_csv_frame(dataset: Dataset) -> pl.DataFrame:
    """The dataset as long-CSV text columns: dimensions that are all ``_T`` are left out."""
    frame = dataset.observations
    dimensions = [
        d for d in dataset.dimensions if frame.height and (frame.get_column(d) != "_T").any()
    ]
    base = pl.when(pl.col("measure").is_in(["CHG", "PCH"])).then(pl.col("base_period"))
    columns = long_columns(dimensions)
    selected = frame.with_columns(base.alias("base_period")).select(columns)
    keep = [
        c
        for c in columns
        if c in REQUIRED_COLUMNS or c in dimensions or selected.get_column(c).is_not_null().any()
    ]
    return selected.select(keep)


def write_long_csv(
    dataset: Dataset,
    target: str | os.PathLike[str] | IO[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write a dataset as long CSV (UTF-8, RFC 4180, LF line ends); derived figures included.

    A path is written whole or not at all, and never when it is one of ``inputs``. Text cells
    a spreadsheet would run as a formula are written with a leading ``'``, which
    :func:`read_long_csv` takes off again.
    """
    frame = escape_columns(long_csv_frame(dataset))
    if isinstance(target, (str, os.PathLike)):
        with output_text(target, inputs=inputs) as handle:
            _write(frame, handle)
    else:
        _write(frame, target)


def _write(frame: pl.DataFrame, handle: IO[str]) -> None:
    write_csv_rows(handle, frame.columns, frame)
