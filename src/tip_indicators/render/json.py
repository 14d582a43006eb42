"""The JSON report (DESIGN section 4) and its JSON Schema.

Each finding is written as a line of JSON straight from the report's findings table, column by
column, with no object per finding or per figure; the pydantic models in
``_private.report_model`` define the same shape and publish its JSON Schema, and the tests
validate every report against that schema.
"""

from __future__ import annotations

import json
import json.encoder
import re
from collections.abc import Collection, Iterator
from typing import Any

import polars as pl

from tip_indicators.datasets import frame_paths
from tip_indicators.findings import FindingTable
from tip_indicators.findings.citations import (
    citation_json,
    json_numbers,
    json_string,
    kind_of,
    position_json,
)
from tip_indicators.report import Report

__all__ = ["finding_lines", "report_data", "report_json", "report_json_pieces", "report_schema"]


def _header(report: Report) -> dict[str, Any]:
    return {
        "tool": {"name": "tip-indicators", "version": report.tool_version},
        "profile": report.profile,
        "created": report.created,
        "inputs": [
            {"path": i.path, "sha256": i.sha256, "observations": i.observations}
            for i in report.inputs
        ],
        "summary": {
            "observations": report.observations,
            "rules_evaluated": report.rules_evaluated,
            "errors": report.errors,
            "warnings": report.warnings,
            "infos": report.infos,
            "not_evaluated": report.not_evaluated,
            **({"omitted": list(report.omitted)} if report.omitted else {}),
        },
    }


def report_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data, in the shape of :func:`report_schema`: what
    :func:`report_json` writes, read back."""
    data: dict[str, Any] = json.loads(report_json(report))
    return data


_string = json.encoder.encode_basestring
"""A JSON string literal, exactly as ``json.dumps(..., ensure_ascii=False)`` writes it."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8_safe(text: str) -> str:
    """JSON ``text`` with each lone surrogate written as a ``\\u`` escape.

    A file name with bytes that are not UTF-8 reaches Python with lone surrogates in their
    place; written as they are, they could not be encoded as UTF-8 at all. Escaped, the report
    is UTF-8 and a JSON reader in Python gets the same name back.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    return text


def _path_json(paths: pl.Series) -> pl.Series:
    """Each file name (UTF-8 bytes, lone surrogates kept) as a JSON string literal; a report
    names a few files, so each distinct name is encoded once."""
    distinct = paths.drop_nulls().unique()
    texts = [
        _utf8_safe(_string(name.decode("utf-8", "surrogatepass"))) for name in distinct.to_list()
    ]
    return paths.replace_strict(distinct, texts, default=None, return_dtype=pl.String)


def _place_json(path: pl.Expr, line: pl.Expr, field: pl.Expr, is_row: pl.Expr) -> pl.Expr:
    """The JSON object of a location, from its path already written as JSON; where
    ``is_row``, the position is a row of a checked data frame."""
    return pl.format(
        '{{"path": {}, {}, "field": {}}}',
        path,
        position_json(line, is_row),
        json_string(field).fill_null("null"),
    )


def _in(paths: pl.Expr, frames: Collection[str]) -> pl.Expr:
    """Whether each path (UTF-8 bytes) names one of the checked ``frames``."""
    return paths.is_in([_bytes(name) for name in frames]).fill_null(False)


def _bytes(name: str) -> bytes:
    return name.encode("utf-8", "surrogatepass")


def _number_json(rows: pl.DataFrame, name: str) -> pl.Expr:
    """A number column as JSON, else its text column (an interval), else null."""
    numbers = json_numbers(rows.get_column(name))
    if f"{name}_text" not in rows.columns:
        return pl.lit(numbers)
    return (
        pl.when(pl.col(name).is_not_null())
        .then(pl.lit(numbers))
        .when(pl.col(f"{name}_text").is_not_null())
        .then(json_string(pl.col(f"{name}_text")))
        .otherwise(pl.lit("null"))
    )


def _joined(rows: int, owner: pl.Series, texts: pl.Series) -> pl.Series:
    """The ``texts`` of each of ``rows`` rows joined with ", " (``owner`` says whose each is),
    empty for a row with none."""
    grouped = (
        pl.DataFrame({"_row": owner, "text": texts})
        .group_by("_row", maintain_order=True)
        .agg("text")
    )
    return (
        pl.DataFrame({"_row": pl.int_range(rows, eager=True, dtype=pl.Int64)})
        .join(grouped, on="_row", how="left", maintain_order="left")
        .get_column("text")
        .list.join(", ")
        .fill_null("")
    )


def finding_lines(table: FindingTable, frames: Collection[str] = ()) -> pl.Series:
    """Every finding of ``table`` as one line of JSON, in order, written column-wise: the same
    text as :func:`json.dumps` writes for :func:`report_data`'s findings. The lines stay a
    column rather than Python strings (a large report's lines are tens of megabytes).
    Positions in the checked data frames named in ``frames`` are written as rows.

    Long because it is one query: every member of a finding's JSON object is one expression of
    the same frame, in the order the report writes them."""
    rows = table.rows
    if rows.height == 0:
        return pl.Series([], dtype=pl.String)
    cited = rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"), "cited").explode(
        "cited"
    )
    cited = cited.filter(pl.col("cited").is_not_null())
    # only the figures cited are written: a table also keeps those its suggestions change
    figures = table.figures[cited.get_column("cited")]
    observations = _joined(
        rows.height, cited.get_column("_row"), citation_json(figures, table.dimensions, frames)
    )
    offered = (
        rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"), "suggestions")
        .explode("suggestions")
        .filter(pl.col("suggestions").is_not_null())
        .unnest("suggestions")
    )
    suggestions = _joined(
        rows.height,
        offered.get_column("_row"),
        offered.with_columns(_path_json(offered.get_column("path")).alias("_path"))
        .select(
            pl.format(
                '{{"location": {}, "value": {}, "reason": {}, "kind": {}}}',
                _place_json(
                    pl.col("_path"),
                    pl.col("line"),
                    pl.col("field"),
                    _in(pl.col("path"), frames),
                ),
                json_string(pl.col("value")),
                json_string(pl.col("reason")),
                json_string(kind_of(pl.col("reason"))),
            )
        )
        .to_series(),
    )
    return rows.select(
        pl.format(
            '{{"code": {}, "severity": {}, "message": {}, "rule": {}, "location": {}, '
            '"expected": {}, "actual": {}, "imbalance": {}, "tolerance": {}, '
            '"observations": [{}], "suggestions": [{}]}}',
            json_string(pl.col("code")),
            json_string(pl.col("severity")),
            json_string(pl.col("message")),
            json_string(pl.col("rule")).fill_null("null"),
            pl.when(pl.col("path").is_not_null())
            .then(
                _place_json(
                    pl.lit(_path_json(rows.get_column("path"))),
                    pl.col("line"),
                    pl.col("field"),
                    _in(pl.col("path"), frames),
                )
            )
            .otherwise(pl.lit("null")),
            _number_json(rows, "expected"),
            _number_json(rows, "actual"),
            _number_json(rows, "imbalance"),
            _number_json(rows, "tolerance"),
            pl.lit(observations),
            pl.lit(suggestions),
        )
    ).to_series()


def report_json(report: Report, *, indent: int | None = 2) -> str:
    """The report as one JSON object: the header indented, each finding on a line of its own
    (so a report of many thousand findings stays diffable)."""
    if indent is None:
        compact = json.dumps(report_data(report), ensure_ascii=False, allow_nan=False)
        return _utf8_safe(compact)
    return "".join(report_json_pieces(report, indent=indent))


_LINES_PER_PIECE = 50
"""Findings per piece of :func:`report_json_pieces`: pieces of some 100 kB are made and freed
in memory the process reuses, where one text of a large report would take fresh memory."""


def report_json_pieces(report: Report, *, indent: int = 2) -> Iterator[str]:
    """:func:`report_json`'s text in pieces, in order, for writing a large report to a file
    without holding all of its text at once."""
    head = _utf8_safe(
        json.dumps(_header(report), indent=indent, ensure_ascii=False, allow_nan=False)
    )
    pad = " " * indent
    lines = finding_lines(report.table, frame_paths(report.inputs))
    opening = head[: -len("\n}")] + f',\n{pad}"findings": ['
    if lines.len() == 0:
        yield opening + "]\n}"
        return
    separator = f",\n{pad * 2}"
    yield f"{opening}\n{pad * 2}"
    for start in range(0, lines.len(), _LINES_PER_PIECE):
        piece = separator.join(lines.slice(start, _LINES_PER_PIECE).to_list())
        yield piece if start == 0 else separator + piece
    yield f"\n{pad}]\n}}"


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`report_json`'s output."""
    from tip_indicators._private.report_model import ReportModel

    schema = ReportModel.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tip-indicators.org/schema/report.json"
    copied: dict[str, Any] = json.loads(json.dumps(schema))
    return copied
