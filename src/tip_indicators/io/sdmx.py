"""SDMX-CSV: reading SDMX-CSV 1.0 and 2.x data files and writing SDMX-CSV 2.x.

A file starts with ``DATAFLOW`` (1.0) or ``STRUCTURE,STRUCTURE_ID[,ACTION]`` (2.x); the other
columns map to long-CSV columns as the shipped table ``sdmx_columns.tsv`` says: ``INDICATOR``,
``TIME_PERIOD``, ``REPORTER`` (or ``REF_AREA``), ``SEX``, ``AGE``, ``DESTINATION``, ``REFERRER``,
``NATIONALITY`` (or ``CITIZENSHIP``), ``COUNTERPART_AREA`` (country), ``EXPLOITATION``,
``MEASURE``, ``BASE_PER``, ``OBS_VALUE``, ``OBS_STATUS``, ``CONF_STATUS``, ``UNIT_MEASURE``,
``SOURCE``, ``OBS_ID``, ``COMMENT`` (or ``COMMENT_OBS``) and ``DERIVED``; further catalogue
dimensions use their id in upper case. ``OBS_VALUE`` holds a plain number: ``NaN``, ``#N/A`` and
an empty cell mean no value, which needs a status saying why (L, M, O, Q) like an empty value of
the long CSV. A figure that is not a plain number as written, a censored count (``<5``) or a
grouped number (``1,234``), is written with an empty or plain ``OBS_VALUE`` and the text in the
attribute ``OBS_VALUE_TEXT``, so that writing and reading back loses nothing. The structure
columns name any dataflow and are not checked, but for ``ACTION``: I, A, R or M (a row that
deletes, D, holds no figure and is a finding).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO

import attrs
import polars as pl

from tip_indicators._private.cells import escape_columns, unescape_columns
from tip_indicators._private.csvcolumns import regular_columns, regular_header
from tip_indicators._private.csvrecords import csv_records, row_shape_message
from tip_indicators._private.csvrows import write_csv_rows
from tip_indicators._private.nearest import closest
from tip_indicators._private.output import output_text
from tip_indicators._private.resources import read_table
from tip_indicators._private.textfile import (
    ReadLimits,
    decode_text,
    read_input_bytes,
    sha256,
)
from tip_indicators._private.validate import dimensions_of, validate_raw
from tip_indicators._private.vocabulary import map_texts, single, trimmed, vocabulary
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, FindingTable, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.observations import ATTRIBUTE_COLUMNS
from tip_indicators.values import PLAIN_NUMBER, plain_number

__all__ = ["STRUCTURE_ID", "is_sdmx_csv", "read_sdmx_csv", "write_sdmx_csv"]

STRUCTURE_ID = "TIP:TIP_INDICATORS(1.0)"
"""The dataflow the writer names in ``STRUCTURE_ID``."""

_VALUE_TEXT = "OBS_VALUE_TEXT"
_MISSING = frozenset({"", "nan", "#n/a"})
_ACTIONS = frozenset({"", "I", "A", "R", "M"})
_PLAIN = re.compile(rf"^{PLAIN_NUMBER}$")
_EXPONENT = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$")
_SDMX_PERIOD = re.compile(r"^(?P<year>[0-9]{4})-(?:A1|M(?P<month>[0-9]{2}))$")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0", ""})


@attrs.frozen
class _Column:
    sdmx: str
    column: str
    write: bool


@functools.cache
def _table() -> tuple[_Column, ...]:
    return tuple(
        _Column(row["sdmx"], row["column"], row["write"] == "yes")
        for row in read_table("sdmx_columns.tsv")
    )


def _columns(catalogue: Catalogue) -> dict[str, str]:
    """SDMX id to long-CSV column (``-`` for ignored ones), catalogue dimensions included."""
    known = {entry.sdmx: entry.column for entry in _table()}
    for dimension in catalogue.dimensions:
        known.setdefault(dimension.upper(), dimension)
    return known


def _writer_names(dimensions: Sequence[str]) -> dict[str, str]:
    names = {entry.column: entry.sdmx for entry in _table() if entry.write}
    return {**{d: d.upper() for d in dimensions if d not in names}, **names}


def is_sdmx_csv(head: str) -> bool:
    """Whether text starting with ``head`` is SDMX-CSV: its header opens with DATAFLOW or
    STRUCTURE,STRUCTURE_ID (quoted or not, after an optional byte-order mark)."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].replace('"', "").strip()
    return first.startswith(("DATAFLOW,", "STRUCTURE,STRUCTURE_ID,")) or first == "DATAFLOW"


def read_sdmx_csv(
    path: str | os.PathLike[str],
    *,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Read an SDMX-CSV 1.0 or 2.x file into a dataset; problems in rows become its findings."""
    limits = limits or ReadLimits()
    catalogue = catalogue or builtin_catalogue()
    name = os.fspath(path)
    data = read_input_bytes(name, limits, text=True)
    regular = _regular_cells(data, name, limits, catalogue)
    if regular is not None:
        header, cells = regular
        problems: list[Finding] = []
    else:
        header, cells, problems = _record_cells(decode_text(data, name), name, limits, catalogue)
    cells = cells.select(*header, pl.lit(name).alias("path"), "line")
    return dataset_from_cells(
        unescape_columns(cells, header),
        _structure_columns(header, name),
        InputFile(name, sha256(data), 0, "sdmx-csv"),
        problems,
        catalogue,
    )


def _regular_cells(
    data: bytes, name: str, limits: ReadLimits, catalogue: Catalogue
) -> tuple[list[str], pl.DataFrame] | None:
    """The header and the cells (then ``line``) of a large, regular file, parsed
    column-wise, or None."""
    found = regular_header(data, name, limits)
    if found is None:
        return None
    header = [cell.strip() for cell in found[0]]
    _map_header(header, _structure_columns(header, name), name, catalogue)
    frame = regular_columns(data, header, found[1], limits)
    return None if frame is None else (header, frame)


def _record_cells(
    text: str, name: str, limits: ReadLimits, catalogue: Catalogue
) -> tuple[list[str], pl.DataFrame, list[Finding]]:
    """The header, the cells (then ``line``) and the rows of the wrong width of a file, read
    record by record: exact on any text."""
    records = csv_records(text, name, limits, header_first=True)
    first = next(records, None)
    if first is None:
        raise InputError(name, "empty file: no header row")
    header = [cell.strip() for cell in first[1]]
    _map_header(header, _structure_columns(header, name), name, catalogue)
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Finding] = []
    for line, fields in records:
        if len(fields) != width:
            problems.append(
                Finding(
                    "row-shape",
                    Severity.ERROR,
                    row_shape_message(fields, width),
                    location=Location(name, line),
                )
            )
            continue
        rows.append(fields)
        lines.append(line)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    cells = pl.DataFrame(
        [
            pl.Series(sdmx, texts, dtype=pl.String)
            for sdmx, texts in zip(header, columns, strict=True)
        ]
    ).with_columns(pl.Series("line", lines, dtype=pl.Int64))
    return header, cells, problems


def dataset_from_cells(
    cells: pl.DataFrame,
    lead: int,
    source: InputFile,
    problems: Sequence[Finding],
    catalogue: Catalogue,
) -> Dataset:
    """The dataset of SDMX-CSV text cells (a column per SDMX id, after ``lead`` structure
    columns, then ``path`` and ``line``); ``problems`` are findings about rows not in ``cells``.
    Readers of other organisations' files build the cells and end here too."""
    name = source.path
    mapping = _map_header(cells.columns[:-2], lead, name, catalogue)
    frame, derived, row_problems = _raw_columns(cells, mapping, catalogue)
    bad = row_problems.rows.get_column("line").drop_nulls()
    frame = frame.filter(~pl.col("line").is_in(bad.implode()))
    observations, findings = validate_raw(frame, catalogue)
    if derived is not None:
        observations = observations.with_columns(
            pl.col("line").is_in(derived.implode()).alias("derived")
        )
    renamed = {column: sdmx for sdmx, column in mapping.items()}
    renamed["value"] = "OBS_VALUE"
    return Dataset(
        observations,
        dimensions_of(frame.columns[:-2], catalogue),
        inputs=(attrs.evolve(source, observations=observations.height),),
        problems=[*problems, row_problems, _renamed_fields(findings, renamed)],
    )


def _structure_columns(header: Sequence[str], path: str) -> int:
    """How many leading columns name the structure: 1 for SDMX-CSV 1.0, 2 or 3 for 2.x."""
    if header[:1] == ["DATAFLOW"]:
        return 1
    if header[:2] == ["STRUCTURE", "STRUCTURE_ID"]:
        return 3 if header[2:3] == ["ACTION"] else 2
    raise InputError(
        path,
        f"not SDMX-CSV: the header starts with {header[0]!r}, not DATAFLOW (SDMX-CSV 1.0) or "
        "STRUCTURE,STRUCTURE_ID (SDMX-CSV 2.x)",
        line=1,
    )


def _map_header(
    header: Sequence[str], lead: int, path: str, catalogue: Catalogue
) -> dict[str, str]:
    """SDMX id to long-CSV column for the data columns of ``header``; InputError if unusable."""
    known = _columns(catalogue)
    mapping: dict[str, str] = {}
    filled: dict[str, str] = {}
    for sdmx in header[lead:]:
        if sdmx in mapping or sdmx in header[:lead]:
            raise InputError(path, f"column {sdmx!r} appears twice in the header", line=1)
        if sdmx not in known:
            close = closest(sdmx.upper(), list(known))
            hint = f" (did you mean {close!r}?)" if close else ""
            raise InputError(path, f"unknown SDMX column {sdmx!r}{hint}", line=1)
        column = known[sdmx]
        mapping[sdmx] = column
        if column == "-" or sdmx == _VALUE_TEXT:
            continue
        if column in filled:
            raise InputError(
                path, f"columns {filled[column]!r} and {sdmx!r} both give the {column}", line=1
            )
        filled[column] = sdmx
    required = {"indicator": "INDICATOR", "period": "TIME_PERIOD", "value": "OBS_VALUE"}
    missing = [sdmx for column, sdmx in required.items() if column not in filled]
    if "reporter" not in filled:
        missing.append("REPORTER or REF_AREA")
    if missing:
        raise InputError(path, f"required column(s) missing: {', '.join(missing)}", line=1)
    if "ACTION" in header[:lead]:
        mapping["ACTION"] = "-"
    return mapping


def _raw_columns(
    cells: pl.DataFrame, mapping: Mapping[str, str], catalogue: Catalogue
) -> tuple[pl.DataFrame, pl.Series | None, FindingTable]:
    """Long-CSV text columns (then ``path`` and ``line``), the lines of derived figures (None
    without a DERIVED column), and findings about rows, each kind in the order of the rows."""
    columns: list[pl.Expr] = []
    for sdmx, column in mapping.items():
        if column in {"-", "value", "derived"}:
            continue
        text = pl.col(sdmx)
        if column == "indicator":
            text = _indicators(cells.get_column(sdmx), catalogue)
        elif column in {"period", "base_period"}:
            text = _periods(text)
        columns.append(text.alias(column))
    value, problems = _values(cells)
    action = pl.col("ACTION") if "ACTION" in cells.columns else pl.lit("")
    problems.append(
        _flagged(
            cells,
            ~trimmed(action).is_in(list(_ACTIONS)),
            "unknown-code",
            "ACTION",
            "ACTION: {!r} is not I, A, R or M; a row deleting figures (D) holds none",
            action,
        )
    )
    derived = None
    if "DERIVED" in cells.columns:
        folded = trimmed(pl.col("DERIVED")).str.to_lowercase()
        derived = cells.filter(folded.is_in(list(_TRUE))).get_column("line")
        problems.append(
            _flagged(
                cells,
                ~folded.is_in([*_TRUE, *_FALSE]),
                "unknown-code",
                "DERIVED",
                "DERIVED: {!r} is not true or false",
                pl.col("DERIVED"),
            )
        )
    found = FindingTable.located(pl.concat(problems))
    return cells.select(*columns, value.alias("value"), "path", "line"), derived, found


def _flagged(
    cells: pl.DataFrame, mask: pl.Expr, code: str, column: str, message: str, *texts: pl.Expr
) -> pl.DataFrame:
    """A ``code`` error at ``column`` of each row ``mask`` picks, as a row of
    :meth:`~tip_indicators.findings.FindingTable.located`; ``message`` is formatted with the
    row's ``texts``, once for each distinct combination of them."""
    names = [f"_text{i}" for i in range(len(texts))]
    hits = cells.filter(mask.fill_null(False)).select(
        "path", "line", *(text.alias(name) for name, text in zip(names, texts, strict=True))
    )
    distinct = hits.select(names).unique(maintain_order=True)
    worded = distinct.with_columns(
        pl.Series("message", [message.format(*key) for key in distinct.iter_rows()], pl.String)
    )
    return hits.join(worded, on=names, how="left", nulls_equal=True, maintain_order="left").select(
        pl.lit(code).alias("code"),
        pl.lit("error").alias("severity"),
        "message",
        "path",
        "line",
        pl.lit(column).alias("field"),
    )


def _indicators(texts: pl.Series, catalogue: Catalogue) -> pl.Expr:
    """Indicator codes as written, upper case read as lower case, by a join with the
    catalogue's codes; texts that are no code are folded one by one."""
    codes = [indicator.code for indicator in catalogue]
    mapped = map_texts(
        texts, vocabulary(single(_indicator), [*codes, *(code.upper() for code in codes)])
    ).codes
    return pl.col(texts.name).replace_strict(
        mapped.get_column("text"),
        mapped.get_column("codes").list.first(),
        default=None,
        return_dtype=pl.String,
    )


def _indicator(text: str) -> str:
    return text.lower() if text.isupper() else text


def _values(cells: pl.DataFrame) -> tuple[pl.Expr, list[pl.DataFrame]]:
    """OBS_VALUE as a long-CSV value (see :func:`_number`), or OBS_VALUE_TEXT where given, and
    the rows whose OBS_VALUE_TEXT is not the figure in OBS_VALUE."""
    obs = pl.col("OBS_VALUE")
    stripped = trimmed(obs)
    exponents = cells.filter(stripped.str.contains(_EXPONENT.pattern)).get_column("OBS_VALUE")
    decimals = {text: _number(text) for text in exponents.unique().to_list()}
    number = (
        pl.when(stripped.str.to_lowercase().is_in(list(_MISSING)))
        .then(pl.lit(""))
        .otherwise(obs.replace(decimals))
    )
    if _VALUE_TEXT not in cells.columns:
        return number, []
    text = pl.col(_VALUE_TEXT)
    written = cells.with_columns(number.alias("_number"))
    both = written.filter((text != "") & (pl.col("_number") != ""))
    differ = [
        (value_text, figure)
        for value_text, figure in both.select(_VALUE_TEXT, "_number").unique().iter_rows()
        if _canonical(value_text) != _canonical(figure)
    ]
    pairs = pl.DataFrame(
        differ, schema={_VALUE_TEXT: pl.String, "_number": pl.String}, orient="row"
    ).with_columns(pl.lit(True).alias("_differ"))
    found = _flagged(
        written.join(pairs, on=[_VALUE_TEXT, "_number"], how="left", maintain_order="left"),
        pl.col("_differ"),
        "unreadable-value",
        _VALUE_TEXT,
        f"{_VALUE_TEXT}: {{!r}} is not the figure {{!r}} of OBS_VALUE",
        text,
        pl.col("_number"),
    )
    return pl.when(text == "").then(number).otherwise(text), [found]


def _number(text: str) -> str:
    """OBS_VALUE as a long-CSV value: missing markers become empty, exponents plain decimals."""
    stripped = text.strip()
    if stripped.lower() in _MISSING:
        return ""
    if _EXPONENT.match(stripped):
        # Left as written when out of bounds: the value grammar then refuses it.
        return plain_number(stripped) or text
    return text


def _canonical(text: str) -> str:
    """A number's plain decimal form (``1,234.50`` -> ``1234.5``), or the text unchanged."""
    plain = text.strip().replace(",", "")
    if _EXPONENT.match(plain):
        return plain_number(plain) or text
    try:
        return format(Decimal(plain).normalize(), "f")
    except InvalidOperation:
        return text


def _period(text: str) -> str:
    match = _SDMX_PERIOD.match(text.strip())
    if match is None:
        return text
    month = match["month"]
    return match["year"] if month is None else f"{match['year']}-{month}"


def _periods(text: pl.Expr) -> pl.Expr:
    """:func:`_period` of a column: ``2010-A1`` is 2010 and ``2010-M01`` 2010-01."""
    stripped = trimmed(text)
    return (
        pl.when(stripped.str.contains(r"^[0-9]{4}-A1$"))
        .then(stripped.str.slice(0, 4))
        .when(stripped.str.contains(r"^[0-9]{4}-M[0-9]{2}$"))
        .then(pl.concat_str(stripped.str.slice(0, 4), pl.lit("-"), stripped.str.slice(6, 2)))
        .otherwise(text)
    )


def _renamed_fields(table: FindingTable, renamed: Mapping[str, str]) -> FindingTable:
    """The findings of ``table`` located at a long-CSV column named by its SDMX id instead
    (``OBS_VALUE`` for ``value``), in their location and at the head of their message."""
    sdmx = pl.col("field").replace_strict(renamed, default=None, return_dtype=pl.String)
    return table.with_fields(sdmx, in_message=True)


def write_sdmx_csv(
    dataset: Dataset,
    target: str | os.PathLike[str] | IO[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write a dataset as SDMX-CSV 2.x (UTF-8, LF line ends), derived figures included.

    A path is written whole or not at all, and never when it is one of ``inputs``; text cells
    are escaped as in :func:`~tip_indicators.io.longcsv.write_long_csv`.
    """
    if isinstance(target, (str, os.PathLike)):
        with output_text(target, inputs=inputs) as handle:
            _write(dataset, handle)
    else:
        _write(dataset, target)


def _write(dataset: Dataset, handle: IO[str]) -> None:
    frame = dataset.observations
    names = _writer_names(dataset.dimensions)
    plain = pl.col("value").str.strip_chars()
    number = (
        pl.when(plain.str.contains(rf"^{PLAIN_NUMBER}$"))
        .then(plain)
        .when(plain.str.contains(r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"))
        .then(plain.str.replace_all(",", ""))
        .otherwise(pl.lit(""))
    )
    columns = [
        *dataset.dimensions,
        "measure",
        "base_period",
        "period",
        "obs_value",
        "value_text",
        *ATTRIBUTE_COLUMNS,
        "derived",
    ]
    table = frame.select(
        "indicator",
        "reporter",
        *dataset.dimensions,
        "measure",
        "base_period",
        "period",
        number.fill_null("").alias("obs_value"),
        "value",
        *ATTRIBUTE_COLUMNS,
        "derived",
    ).with_columns(
        pl.when(pl.col("value").fill_null("") != pl.col("obs_value"))
        .then(pl.col("value"))
        .alias("value_text"),
        pl.when(pl.col("derived")).then(pl.lit("true")).alias("derived"),
    )
    optional = {"base_period", "value_text", *ATTRIBUTE_COLUMNS, "derived"}
    kept = [
        c
        for c in ["indicator", "reporter", *columns]
        if c not in optional or table.get_column(c).is_not_null().any()
    ]
    sdmx_names = {**names, "obs_value": "OBS_VALUE", "value_text": _VALUE_TEXT}
    write_csv_rows(
        handle,
        ["STRUCTURE", "STRUCTURE_ID", "ACTION", *(sdmx_names[c] for c in kept)],
        escape_columns(table.select(kept)).select(
            pl.lit("dataflow").alias("_structure"),
            pl.lit(STRUCTURE_ID).alias("_structure_id"),
            pl.lit("I").alias("_action"),
            pl.all(),
        ),
    )
