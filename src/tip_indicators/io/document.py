"""The dataset document: YAML or JSON holding metadata, organisations and observations.

Observations are given inline (a list of mappings with the long-CSV field names) or in long-CSV
files the document points to (``files``, relative to the document). Findings about inline
observations cite the document's line. Documents are data: tags, anchors and aliases are refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import polars as pl

from tip_indicators._private.nearest import closest
from tip_indicators._private.output import output_text
from tip_indicators._private.textfile import (
    ReadLimits,
    read_text_input,
)
from tip_indicators._private.validate import dimensions_of, known_columns, validate_raw
from tip_indicators.datasets import Dataset, InputFile, Metadata, Organisation
from tip_indicators.errors import DefinitionError, InputError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.io.longcsv import long_csv_frame, read_long_csv

if TYPE_CHECKING:
    from tip_indicators._private.yamlnodes import Node

__all__ = ["dataset_document", "dataset_schema", "read_document", "write_document"]

# Characters JSON leaves raw but a YAML reader refuses or takes for line breaks: written as
# \u escapes instead.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def dataset_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a dataset document, for systems in other languages."""
    from tip_indicators._private.document_model import DatasetDocument

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://tip-indicators.org/schema/dataset.json",
        **DatasetDocument.model_json_schema(),
    }


def read_document(
    path: str | os.PathLike[str],
    *,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
    allow_folders: Iterable[str | os.PathLike[str]] = (),
) -> Dataset:
    """Read a YAML or JSON dataset document and the long-CSV files it names.

    A named file must lie, once links are resolved, inside the document's folder or one of
    ``allow_folders``; any other is refused before it is opened, so its content is never shown.

    Long because it reads the document's parts in order (its header, inline observations, then the
    files it names, each checked to lie in an allowed folder) and each refusal names its line.
    """
    from pydantic import ValidationError

    from tip_indicators._private.document_model import DatasetDocument
    from tip_indicators._private.yamlnodes import Node, Scalar, load_nodes, plain

    limits = limits or ReadLimits()
    catalogue = catalogue or builtin_catalogue()
    name = os.fspath(path)
    read = read_text_input(name, limits)
    try:
        root = load_nodes(read.text, name)
    except DefinitionError as error:
        raise InputError(name, error.reason, line=error.line) from None
    if not isinstance(root, Node) or not isinstance(root.value, dict):
        raise InputError(name, "a dataset document is a mapping (title, observations, ...)")
    try:
        document = DatasetDocument.model_validate(plain(root))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        line = _line_at(root, first["loc"])
        raise InputError(name, f"{where}: {first['msg']}", line=line) from None
    observations = root.value.get("observations")
    rows = observations.value if isinstance(observations, Node) else []
    if not isinstance(rows, list):
        raise InputError(name, "observations must be a list", line=root.line)
    raw, misnamed = _inline_frame(rows, name, limits, catalogue)
    frame, findings = validate_raw(raw, catalogue)
    inline = Dataset(
        frame,
        dimensions_of(raw.columns, catalogue),
        inputs=(InputFile(name, read.sha256, frame.height, "document"),),
        problems=[*misnamed, findings],
    )
    folder = os.path.dirname(name)
    files_node = root.value.get("files")
    files_line = files_node.line if isinstance(files_node, (Node, Scalar)) else None
    allowed = [os.path.realpath(folder or os.curdir)] + [
        os.path.realpath(item) for item in allow_folders
    ]
    for file in document.files:
        absolute = os.path.isabs(file) or file.startswith(("/", "\\")) or ":" in file[:3]
        if absolute and not allow_folders:
            raise InputError(
                name,
                f"files: {file!r} is an absolute path; files are relative to the document",
                line=files_line,
            )
        _check_inside(os.path.join(folder, file), file, allowed, name, files_line)
    parts = [inline] + [
        read_long_csv(os.path.join(folder, file), catalogue=catalogue, limits=limits)
        for file in document.files
    ]
    combined = Dataset.combine(parts)
    organisations = {
        code: Organisation(code, title) for code, title in document.organisations.items()
    }
    metadata = Metadata(
        document.title, document.publisher, document.source, document.licence, document.description
    )
    return Dataset(
        combined.observations,
        combined.dimensions,
        metadata,
        organisations,
        combined.inputs,
        combined.problems,
    )


def _check_inside(
    target: str, file: str, allowed: list[str], document: str, line: int | None
) -> None:
    """Refuse ``target`` (named ``file`` in the document) unless it lies in an allowed folder."""
    real = os.path.realpath(target)
    for folder in allowed:
        if os.path.commonpath([real, folder]) == folder:
            return
    raise InputError(
        document,
        f"files: {file!r} is outside the document's folder; a document may name only files "
        "in its folder (allow another with --allow-folder, or allow_folders in Python)",
        line=line,
    )


def _line_at(root: Node, loc: tuple[int | str, ...]) -> int:
    """The line of the deepest node on the path ``loc`` (a pydantic error location)."""
    from tip_indicators._private.yamlnodes import Node, Scalar

    node: Node | Scalar = root
    for part in loc:
        if not isinstance(node, Node):
            break
        children: dict[Any, Any] = (
            dict(enumerate(node.value)) if isinstance(node.value, list) else node.value
        )
        if part not in children:
            break
        node = children[part]
    return node.line


def _inline_frame(
    rows: list[Any], path: str, limits: ReadLimits, catalogue: Catalogue
) -> tuple[pl.DataFrame, list[Finding]]:
    """The inline observations as text columns, and a finding for each observation holding a
    key that is no long-CSV column: such an observation is left out, as a CSV row of the wrong
    shape is, for its figure would otherwise be read without the breakdown the key meant
    (``sexe: F`` read as a total)."""
    from tip_indicators._private.yamlnodes import Node, Scalar

    known = frozenset(known_columns(catalogue))
    columns: dict[str, list[str | None]] = {}
    lines: list[int] = []
    misnamed: list[Finding] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Node) or not isinstance(row.value, dict):
            line = row.line if isinstance(row, (Node, Scalar)) else None
            raise InputError(path, f"observations[{index}] is not a mapping", line=line)
        unknown = [key for key in row.value if key not in known]
        if unknown:
            misnamed += [
                _unknown_key(key, row.value[key], row.line, path, known) for key in unknown
            ]
            continue
        for key in row.value:
            columns.setdefault(key, [None] * len(lines))
        for key, column in columns.items():
            cell = row.value.get(key)
            if isinstance(cell, Node):
                raise InputError(
                    path, f"observations[{index}].{key} is not a single value", line=cell.line
                )
            if cell is not None and len(cell.text.encode("utf-8")) > limits.max_field_bytes:
                raise InputError(
                    path,
                    f"{key}: a value is longer than the limit of {limits.max_field_bytes:,} bytes "
                    "(raise it with --max-field-size, or ReadLimits.max_field_bytes in Python)",
                    line=cell.line,
                )
            column.append(None if cell is None or cell.is_null else cell.text)
        lines.append(row.line)
    frame = pl.DataFrame(
        {key: pl.Series(key, values, dtype=pl.String) for key, values in columns.items()}
    )
    frame = frame.with_columns(pl.lit(path).alias("path"), pl.Series("line", lines, dtype=pl.Int64))
    return frame, misnamed


def _unknown_key(key: str, value: Any, line: int, path: str, known: frozenset[str]) -> Finding:
    """The finding for an observation key that no column has, with the nearest column's name."""
    close = closest(key.strip().lower(), sorted(known))
    hint = f" (did you mean {close!r}?)" if close else ""
    return Finding(
        "row-shape",
        Severity.ERROR,
        f"{key}: not a field of an observation{hint}; the observation is not read",
        location=Location(path, getattr(value, "line", line), key),
    )


def dataset_document(dataset: Dataset) -> dict[str, Any]:
    """The dataset as a plain document (metadata, organisations, inline observations)."""
    metadata = {
        key: value
        for key, value in (
            ("title", dataset.metadata.title),
            ("publisher", dataset.metadata.publisher),
            ("source", dataset.metadata.source),
            ("licence", dataset.metadata.licence),
            ("description", dataset.metadata.description),
        )
        if value is not None
    }
    rows = [
        {key: value for key, value in row.items() if value is not None}
        for row in long_csv_frame(dataset).iter_rows(named=True)
    ]
    document: dict[str, Any] = dict(metadata)
    if dataset.organisations:
        document["organisations"] = {code: o.name for code, o in dataset.organisations.items()}
    document["observations"] = rows
    return document


def write_document(
    dataset: Dataset,
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write the dataset as YAML (``.yaml``/``.yml``) or JSON (``.json``), values as text;
    whole or not at all, and never over one of ``inputs``."""
    import json

    from tip_indicators._private.yamlnodes import dump_yaml

    document = dataset_document(dataset)
    name = os.fspath(path)
    with output_text(name, inputs=inputs, newline=None) as handle:
        if name.endswith(".json"):
            text = json.dumps(document, indent=2, ensure_ascii=False)
            handle.write(_UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")
        else:
            dump_yaml(document, handle)
