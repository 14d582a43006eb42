"""Another organisation's SDMX data (SDMX-CSV or SDMX-ML) read through a mapping onto ours.

A mapping file (YAML) names the foreign structure file it was written for (optional), which of
its columns give which of our long-CSV columns, and for coded columns which of its codes are
which of ours::

    structure: unodc-structure.xml      # their DSD and codelists (read from disk, no network)
    columns: {INDICATOR: indicator, REF_AREA: reporter, TIME_PERIOD: period, SEX: sex,
              AGE: age, OBS_VALUE: value, OBS_STATUS: status, UNIT_MEASURE: "-"}
    codes:
      INDICATOR: {VICTIMS_DETECTED: victims_identified}
      SEX: {FEMALE: F, MALE: M, TOTAL: _T}

``-`` leaves a column out. A column with a code table must use only the codes the table maps:
an unmapped code is an error finding at its file, line and field that names the code and the
closest codes of the same kind (an unmapped count is never pointed to a rate). When the mapping
names a structure, a column it maps must be a component of that structure, and a code table
may only map codes of the component's codelist. The rest is read as SDMX-CSV is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs
import polars as pl

from tip_indicators._private.csvrecords import csv_records, row_shape_message
from tip_indicators._private.nearest import closest
from tip_indicators._private.resources import read_table
from tip_indicators._private.textfile import (
    ReadLimits,
    decode_text,
    read_input_bytes,
    read_text_input,
)
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import CodeError, DefinitionError, InputError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue, is_rate_unit, names_a_rate
from tip_indicators.io.sdmx import dataset_from_cells

__all__ = ["SdmxMapping", "load_mapping", "read_mapped_sdmx"]

_STRUCTURE_COLUMNS = frozenset({"DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION"})


@attrs.frozen
class SdmxMapping:
    """Their columns to our long-CSV columns, and per coded column their codes to ours."""

    path: str
    columns: Mapping[str, str] = attrs.field(eq=False)
    codes: Mapping[str, Mapping[str, str]] = attrs.field(eq=False)
    structure: str | None = None


def load_mapping(path: str | os.PathLike[str]) -> SdmxMapping:
    """Read a mapping file; DefinitionError with its line when it is malformed."""
    from tip_indicators._private.yamlnodes import Node, Scalar, load_nodes

    name = os.fspath(path)
    data = read_input_bytes(name, ReadLimits(max_file_bytes=16 * 1024 * 1024))
    root = load_nodes(decode_text(data, name), name)
    if not isinstance(root, Node) or not isinstance(root.value, dict):
        raise DefinitionError(name, "a mapping file is a mapping (structure, columns, codes)")
    fields = root.value
    for key, node in fields.items():
        if key not in {"structure", "columns", "codes"}:
            raise DefinitionError(name, f"unknown key {key!r}", line=_line(node))
    columns = _text_mapping(fields.get("columns"), "columns", name)
    if not columns:
        raise DefinitionError(name, "'columns' is required: their column -> our column")
    codes: dict[str, dict[str, str]] = {}
    node = fields.get("codes")
    if node is not None:
        if not isinstance(node, Node) or not isinstance(node.value, dict):
            raise DefinitionError(name, "codes: a mapping of column to code table", line=node.line)
        for column, table in node.value.items():
            if column not in columns:
                raise DefinitionError(
                    name, f"codes: {column!r} is not one of the columns", line=_line(table)
                )
            codes[column] = _text_mapping(table, f"codes.{column}", name)
    structure = fields.get("structure")
    if structure is not None and not isinstance(structure, Scalar):
        raise DefinitionError(name, "structure: a file name", line=_line(structure))
    where = None
    if isinstance(structure, Scalar):
        where = os.path.join(os.path.dirname(name), structure.text)
    return SdmxMapping(name, columns, codes, where)


def _line(node: object) -> int | None:
    from tip_indicators._private.yamlnodes import Node, Scalar

    return node.line if isinstance(node, (Node, Scalar)) else None


def _text_mapping(node: Any, key: str, path: str) -> dict[str, str]:
    from tip_indicators._private.yamlnodes import Node, Scalar

    if node is None:
        return {}
    if not isinstance(node, Node) or not isinstance(node.value, dict):
        raise DefinitionError(path, f"{key}: expected a mapping", line=_line(node))
    found = {}
    for their, ours in node.value.items():
        if not isinstance(ours, Scalar) or not ours.text.strip():
            raise DefinitionError(path, f"{key}.{their}: expected a code", line=_line(ours))
        found[str(their)] = ours.text.strip()
    return found


def read_mapped_sdmx(
    path: str | os.PathLike[str],
    mapping: SdmxMapping,
    *,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Read another organisation's SDMX-CSV or SDMX-ML data through ``mapping`` into a dataset
    of our codes. In SDMX-ML, a finding's line is the observation's position in the message."""
    limits = limits or ReadLimits()
    catalogue = catalogue or builtin_catalogue()
    _check_against_structure(mapping)
    read = read_text_input(path, limits)
    name = read.path
    from tip_indicators.io.sdmx_ml import is_sdmx_ml, sdmx_ml_cells

    if is_sdmx_ml(read.text):
        cells, problems, form = sdmx_ml_cells(read.text, name), [], "sdmx-ml"
    else:
        cells, problems, form = *_csv_cells(read.text, name, limits), "sdmx-csv"
    data_columns = [c for c in cells.columns[:-2] if c not in _STRUCTURE_COLUMNS]
    unknown = [c for c in data_columns if c not in mapping.columns]
    if unknown:
        raise InputError(
            name, f"column {unknown[0]!r} is not in the mapping {mapping.path}", line=1
        )
    ours = _sdmx_ids(catalogue)
    for column, target in mapping.columns.items():
        if target != "-" and target not in ours:
            close = closest(target, sorted(ours))
            hint = f" (did you mean {close!r}?)" if close else ""
            raise DefinitionError(
                mapping.path, f"columns: {column} -> {target!r} is no column of ours{hint}"
            )
    selected: list[pl.Expr] = []
    bad: set[int] = set()
    for column in data_columns:
        target = mapping.columns[column]
        if target == "-":
            continue
        text = pl.col(column)
        table = mapping.codes.get(column)
        if table is not None:
            problems += _unmapped(
                cells, column, table=table, mapping=mapping, catalogue=catalogue, bad=bad
            )
            text = text.replace_strict(list(table), list(table.values()), default=text)
        selected.append(text.alias(ours[target]))
    frame = cells.filter(~pl.col("line").is_in(sorted(bad))).select(*selected, "path", "line")
    source = InputFile(name, read.sha256, 0, form)
    return dataset_from_cells(frame, 0, source, problems, catalogue)


def _csv_cells(text: str, name: str, limits: ReadLimits) -> tuple[pl.DataFrame, list[Finding]]:
    """The text cells of an SDMX-CSV file, and the rows whose shape is wrong."""
    records = csv_records(text, name, limits)
    first = next(records, None)
    if first is None:
        raise InputError(name, "empty file: no header row")
    header = [cell.strip() for cell in first[1]]
    if len(set(header)) != len(header):
        raise InputError(name, "a column appears twice in the header", line=1)
    problems: list[Finding] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    for line, fields in records:
        if len(fields) != len(header):
            message = row_shape_message(fields, len(header))
            problems.append(
                Finding("row-shape", Severity.ERROR, message, location=Location(name, line))
            )
            continue
        rows.append(fields)
        lines.append(line)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    cells = pl.DataFrame(
        [pl.Series(c, texts, dtype=pl.String) for c, texts in zip(header, columns, strict=True)]
    ).with_columns(pl.lit(name).alias("path"), pl.Series("line", lines, dtype=pl.Int64))
    return cells, problems


def _sdmx_ids(catalogue: Catalogue) -> dict[str, str]:
    """Our long-CSV columns, the catalogue's dimensions included, to the SDMX ids our SDMX-CSV
    writes for them."""
    found = {
        row["column"]: row["sdmx"]
        for row in read_table("sdmx_columns.tsv")
        if row["write"] == "yes" and row["column"] not in {"-", "derived"}
    }
    found["value"] = "OBS_VALUE"
    return {**{d: d.upper() for d in catalogue.dimensions}, **found}


def _unmapped(
    cells: pl.DataFrame,
    column: str,
    *,
    table: Mapping[str, str],
    mapping: SdmxMapping,
    catalogue: Catalogue,
    bad: set[int],
) -> list[Finding]:
    """An error at each row whose ``column`` holds a code ``table`` does not map."""
    text = pl.col(column)
    hits = cells.filter((text != "") & ~text.is_in(list(table))).select(column, "path", "line")
    messages: dict[str, str] = {}
    found = []
    indicator = mapping.columns[column] == "indicator"
    for code, path, line in hits.iter_rows():
        if code not in messages:
            near = _nearest(code, table, catalogue) if indicator else _near(code, table)
            hint = f" (closest: {', '.join(repr(n) for n in near)})" if near else ""
            messages[code] = f"{column}: code {code!r} is not mapped in {mapping.path}{hint}"
        bad.add(line)
        code_name = "unknown-indicator" if indicator else "unknown-code"
        location = Location(path, line, column)
        found.append(Finding(code_name, Severity.ERROR, messages[code], location=location))
    return found


def _near(code: str, table: Mapping[str, str]) -> list[str]:
    close = closest(code, list(table))
    return [close] if close else []


def _nearest(code: str, table: Mapping[str, str], catalogue: Catalogue) -> list[str]:
    """Their mapped code and our indicator most like ``code``, both of its kind: a code that
    names a rate is hinted at rates only, any other at counts only."""
    rate = names_a_rate(code)
    same = [
        their
        for their, target in table.items()
        if target in catalogue.indicators
        and is_rate_unit(catalogue.indicators[target].unit) == rate
    ]
    theirs = closest(code, same)
    try:
        catalogue.indicator(code.lower())
        ours: str | None = code.lower()
    except CodeError as error:
        ours = error.suggestion
    return [hint for hint in (theirs, ours) if hint]


def _check_against_structure(mapping: SdmxMapping) -> None:
    """The columns and codes a mapping names exist in the structure it was written for."""
    if mapping.structure is None:
        return
    from tip_indicators.io.sdmx_structure import read_structure

    structure = read_structure(mapping.structure)
    for column in mapping.columns:
        if column not in _STRUCTURE_COLUMNS and structure.component(column) is None:
            raise DefinitionError(
                mapping.path, f"columns: {column!r} is no component of {structure.id}"
            )
    for column, table in mapping.codes.items():
        component = structure.component(column)
        if component is None or not component.codes:
            continue
        for code in table:
            if code not in component.codes:
                hint = closest(code, list(component.codes))
                extra = f" (did you mean {hint!r}?)" if hint else ""
                raise DefinitionError(
                    mapping.path, f"codes.{column}: {code!r} is not in its codelist{extra}"
                )
