"""The JSON report (DESIGN section 4) and its JSON Schema.

The report is built as plain data and serialised directly, so rendering a large report creates
no model object per figure; the pydantic models in ``_private.report_model`` define the same
shape and publish its JSON Schema, and the tests validate every report against that schema.
"""

from __future__ import annotations

import json
import json.encoder
import math
import re
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl

from tip_indicators._private.citations import (
    citation_columns,
    citation_json,
    json_numbers,
    json_string,
    location_json,
)
from tip_indicators._private.finding_rows import FindingList, FindingRows
from tip_indicators.findings import Finding, Location, ObservationRef
from tip_indicators.report import Report

__all__ = ["report_data", "report_json", "report_json_pieces", "report_schema"]


def _number(value: float | str | None) -> float | str | None:
    """Strict JSON has no NaN or infinity: those become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _location(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line, "field": location.field}


def _observation(ref: ObservationRef, breakdowns: dict[int, dict[str, str]]) -> dict[str, Any]:
    # Citations with the same codes share one mapping of them, so its JSON form is made once.
    shown = breakdowns.get(id(ref.dimensions))
    if shown is None:
        shown = {key: code for key, code in ref.dimensions.items() if code != "_T"}
        breakdowns[id(ref.dimensions)] = shown
    return {
        "indicator": ref.indicator,
        "period": ref.period,
        "reporter": ref.reporter,
        "dimensions": shown,
        "measure": ref.measure,
        "value": ref.value,
        "source": ref.source,
        "location": _location(ref.location),
        "derived": ref.derived,
    }


def _finding(
    finding: Finding, cited: dict[int, dict[str, Any]], breakdowns: dict[int, dict[str, str]]
) -> dict[str, Any]:
    observations = []
    for ref in finding.observations:
        key = id(ref)
        if key not in cited:
            cited[key] = _observation(ref, breakdowns)
        observations.append(cited[key])
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "rule": finding.rule,
        "location": _location(finding.location) if finding.location else None,
        "expected": _number(finding.expected),
        "actual": _number(finding.actual),
        "imbalance": _number(finding.imbalance),
        "tolerance": _number(finding.tolerance),
        "observations": observations,
        "suggestions": [
            {"location": _location(s.location), "value": s.value, "reason": s.reason}
            for s in finding.suggestions
        ],
    }


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
        },
    }


def report_data(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data, in the shape of :func:`report_schema`."""
    cited: dict[int, dict[str, Any]] = {}
    breakdowns: dict[int, dict[str, str]] = {}
    return {
        **_header(report),
        "findings": [_finding(f, cited, breakdowns) for f in report.findings],
    }


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


def _scalar(value: object) -> str:
    """A JSON scalar as :func:`json.dumps` writes it; non-finite numbers become null."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if math.isfinite(value) else "null"
    raise TypeError(f"not a JSON scalar: {value!r}")


class _FindingWriter:
    """Writes findings as lines of JSON, the same text as :func:`json.dumps` of
    :func:`report_data`'s findings. A figure cited by several findings, and a set of dimension
    codes shared by many figures, is written once and its text reused: large reports cite the
    same totals and parts many times over, and a generic encoder call per small object would
    cost more than the whole check of some rules."""

    def __init__(self) -> None:
        self._observations: dict[int, str] = {}
        self._dimensions: dict[int, str] = {}
        self._paths: dict[str, str] = {}

    def _location(self, location: Location) -> str:
        # A report cites figures of a few files: each path is encoded once.
        path = self._paths.get(location.path)
        if path is None:
            path = self._paths[location.path] = _string(location.path)
        line = location.line
        field = location.field
        return (
            f'{{"path": {path}, '
            f'"line": {int.__repr__(line) if type(line) is int else _scalar(line)}, '
            f'"field": {"null" if field is None else _string(field)}}}'
        )

    def _breakdown(self, dimensions: Mapping[str, str]) -> str:
        text = self._dimensions.get(id(dimensions))
        if text is None:
            shown = (
                f"{_string(key)}: {_string(code)}"
                for key, code in dimensions.items()
                if code != "_T"
            )
            text = self._dimensions[id(dimensions)] = "{" + ", ".join(shown) + "}"
        return text

    def _observation(self, ref: ObservationRef) -> str:
        text = self._observations.get(id(ref))
        if text is None:
            text = self._observations[id(ref)] = (
                f'{{"indicator": {_string(ref.indicator)}, "period": {_string(ref.period)}, '
                f'"reporter": {_string(ref.reporter)}, '
                f'"dimensions": {self._breakdown(ref.dimensions)}, '
                f'"measure": {_string(ref.measure)}, "value": {_string(ref.value)}, '
                f'"source": {_scalar(ref.source)}, "location": {self._location(ref.location)}, '
                f'"derived": {"true" if ref.derived else "false"}}}'
            )
        return text

    def line(self, finding: Finding) -> str:
        """One finding as one line of JSON."""
        suggestions = ", ".join(
            f'{{"location": {self._location(s.location)}, "value": {_string(s.value)}, '
            f'"reason": {_string(s.reason)}}}'
            for s in finding.suggestions
        )
        return _line(
            code=finding.code,
            severity=finding.severity.value,
            message=finding.message,
            rule=finding.rule,
            location=self._location(finding.location) if finding.location else "null",
            numbers=(finding.expected, finding.actual, finding.imbalance, finding.tolerance),
            observations=", ".join(self._observation(ref) for ref in finding.observations),
            suggestions=suggestions,
        )

    def rows(self, batch: FindingRows) -> pl.Series:
        """Every row of a batch of findings as one line of JSON, written column-wise: the same
        text as :meth:`line` writes for the finding it stands for."""
        cited = citation_columns(batch.figures, batch.dimensions)
        texts = (
            citation_json(cited, batch.dimensions)
            .to_frame("text")
            .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_figure"))
        )
        rows = batch.rows.with_row_index("_row")
        observations = (
            rows.select("_row", pl.col("cited").alias("_figure"))
            .explode("_figure")
            .join(texts, on="_figure", how="left", maintain_order="left")
            .group_by("_row", maintain_order=True)
            .agg(pl.col("text").str.join(", ").alias("_observations"))
        )
        places = batch.places.select(location_json(pl.col("path"), pl.col("line")))
        numbers = {
            name: json_numbers(rows.get_column(name))
            for name in ("expected", "actual", "imbalance", "tolerance")
        }

        def figure(name: str) -> pl.Expr:
            # A number, else the text of an interval, else null.
            return (
                pl.when(pl.col(name).is_not_null())
                .then(pl.col(f"_{name}"))
                .when(pl.col(f"{name}_text").is_not_null())
                .then(json_string(pl.col(f"{name}_text")))
                .otherwise(pl.lit("null"))
            )

        return (
            rows.with_columns(
                *[series.alias(f"_{name}") for name, series in numbers.items()],
                places.to_series().alias("_location"),
            )
            .join(observations, on="_row", how="left", maintain_order="left")
            .select(
                pl.format(
                    '{{"code": {}, "severity": {}, "message": {}, "rule": {}, "location": {}, '
                    '"expected": {}, "actual": {}, "imbalance": {}, "tolerance": {}, '
                    '"observations": [{}], "suggestions": []}}',
                    json_string(pl.col("code")),
                    json_string(pl.col("severity")),
                    json_string(pl.col("message")),
                    json_string(pl.col("rule")).fill_null("null"),
                    pl.when(pl.col("located_at").is_not_null())
                    .then(pl.col("_location"))
                    .otherwise(pl.lit("null")),
                    figure("expected"),
                    figure("actual"),
                    pl.col("_imbalance"),
                    pl.col("_tolerance"),
                    pl.col("_observations").fill_null(""),
                )
            )
            .to_series()
        )

    def lines(self, findings: tuple[Finding, ...] | FindingList) -> pl.Series:
        """Every finding as one line of JSON, in order; rows of batches written from their
        columns, without making their objects, and kept as a column rather than as Python
        strings (a large report's lines are tens of megabytes)."""
        if not isinstance(findings, FindingList):
            return pl.Series(
                [_utf8_safe(self.line(finding)) for finding in findings], dtype=pl.String
            )
        batches = list({id(e[0]): e[0] for e in findings if isinstance(e, tuple)}.values())
        start: dict[int, int] = {}
        count = 0
        for batch in batches:
            start[id(batch)] = count
            count += batch.rows.height
        # The batches' lines are written by polars on threads of their own (it leaves the
        # interpreter free as it works) while the objects' lines are written here.
        with ThreadPoolExecutor(max_workers=2) as pool:
            written = pool.map(self.rows, batches)
            objects: list[str] = []
            order: list[int] = []
            for entry in findings:
                if isinstance(entry, Finding):
                    order.append(count + len(objects))
                    objects.append(_utf8_safe(self.line(entry)))
                else:
                    order.append(start[id(entry[0])] + entry[1])
            parts = [*written, pl.Series(objects, dtype=pl.String)]
        return pl.concat(parts).gather(order)


def _line(
    *,
    code: str,
    severity: str,
    message: str,
    rule: str | None,
    location: str,
    numbers: tuple[float | str | None, float | str | None, float | None, float | None],
    observations: str,
    suggestions: str,
) -> str:
    """A finding as a line of JSON, from its parts (location, observations and suggestions
    already written)."""
    expected, actual, imbalance, tolerance = numbers
    return (
        f'{{"code": {_string(code)}, "severity": {_string(severity)}, '
        f'"message": {_string(message)}, "rule": {_scalar(rule)}, '
        f'"location": {location}, "expected": {_scalar(expected)}, '
        f'"actual": {_scalar(actual)}, "imbalance": {_scalar(imbalance)}, '
        f'"tolerance": {_scalar(tolerance)}, "observations": [{observations}], '
        f'"suggestions": [{suggestions}]}}'
    )


def report_json(report: Report, *, indent: int | None = 2) -> str:
    """The report as one JSON object: the header indented, each finding on a line of its own
    (so a report of many thousand findings stays diffable)."""
    if indent is None:
        return _utf8_safe(json.dumps(report_data(report), ensure_ascii=False, allow_nan=False))
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
    lines = _FindingWriter().lines(report._findings)
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
