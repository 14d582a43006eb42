"""SARIF 2.1.0 output, the format code-scanning dashboards (GitHub, GitLab, Azure) read.

One run: the tool with every finding code as a rule (its title, default level and help page),
the inputs as artifacts with their SHA-256, and one result per finding located at the figure to
look at, the other figures involved as related locations. Suggested fixes are result properties
(``suggestions``: location, value, reason) rather than SARIF ``fixes``, which need the exact
characters to replace and a finding knows only the row.

The results are written column-wise from the report's findings table, each already laid out
as :func:`json.dumps` lays it out at its depth, and put in place in the rest of the log.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import urllib.parse
from collections.abc import Collection
from typing import Any

import attrs
import polars as pl

from tip_indicators.datasets import frame_paths
from tip_indicators.findings import FindingTable, Severity, finding_codes
from tip_indicators.findings.citations import (
    citation_columns,
    citation_label,
    json_numbers,
    json_string,
)
from tip_indicators.render._places import in_frames, named, primary_places
from tip_indicators.report import Report

__all__ = ["SARIF_SCHEMA", "help_uri", "report_sarif", "sarif_log"]

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_INFORMATION = "https://tip-indicators.org/"
_RESULTS = '"results": []'


def help_uri(code: str) -> str:
    """The documentation page of a finding code."""
    return f"https://tip-indicators.org/reference/findings/#{urllib.parse.quote(code)}"


@functools.lru_cache(maxsize=1024)
def _uri(path: str) -> str:
    """A file path as a URI reference: relative paths stay relative, with ``/`` separators.

    The path's bytes are percent-encoded, so a name that is not UTF-8 keeps its own bytes.
    """
    posix = pathlib.PurePath(path).as_posix()
    try:
        data = os.fsencode(posix)
    except UnicodeEncodeError:
        data = posix.encode("utf-8", "backslashreplace")
    quoted = urllib.parse.quote(data, safe="/")
    return f"file://{quoted}" if os.path.isabs(path) else quoted


def _rules(table: FindingTable) -> list[dict[str, Any]]:
    codes = finding_codes()
    rules = [
        {
            "id": code.code,
            "shortDescription": {"text": code.title},
            "helpUri": help_uri(code.code),
            "defaultConfiguration": {"level": _LEVELS[code.severity]},
            "properties": {"validationLevel": code.level},
        }
        for code in codes.values()
    ]
    found = table.rows.get_column("code").unique().to_list()
    unknown = sorted(code for code in found if code not in codes)
    rules.extend({"id": code, "shortDescription": {"text": code}} for code in unknown)
    return rules


def sarif_log(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (a JSON-ready mapping)."""
    log: dict[str, Any] = json.loads(report_sarif(report, indent=None))
    return log


def report_sarif(report: Report, *, indent: int | None = 2) -> str:
    """The report as a SARIF 2.1.0 JSON document."""
    rules = _rules(report.table)
    driver = {
        "name": "tip-indicators",
        "version": report.tool_version,
        "informationUri": _INFORMATION,
        "rules": rules,
    }
    artifacts = [
        {
            "location": {"uri": _uri(path)},
            "hashes": {"sha-256": sha256},
            "roles": ["analysisTarget"],
        }
        for path, sha256 in dict.fromkeys((item.path, item.sha256) for item in report.inputs)
    ]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True}],
        "results": [],
        "properties": {"profile": report.profile, "observations": report.observations},
    }
    if artifacts:
        run["artifacts"] = artifacts
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    text = json.dumps(log, indent=indent, ensure_ascii=False, allow_nan=False)
    if not len(report.table):
        return text
    layout = _Layout(indent)
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    results = _results(report.table, frame_paths(report.inputs), index, layout)
    # The one "results" key of the log: in a JSON string every quote is escaped.
    before, after = text.split(_RESULTS, 1)
    return before + '"results": ' + layout.array_of(results, 3) + after


@attrs.frozen
class _Layout:
    """JSON text laid out as :func:`json.dumps` with ``indent`` lays it out, column-wise: each
    object or array knows its depth in the log."""

    indent: int | None

    def _pad(self, depth: int) -> str:
        return "" if self.indent is None else "\n" + " " * (self.indent * depth)

    def _separator(self, depth: int) -> str:
        return ", " if self.indent is None else "," + self._pad(depth)

    def object(self, members: list[pl.Expr], depth: int) -> pl.Expr:
        """The object of the ``members`` that are not null (see :func:`_member`)."""
        return pl.concat_str(
            pl.lit("{" + self._pad(depth + 1)),
            pl.concat_str(members, separator=self._separator(depth + 1), ignore_nulls=True),
            pl.lit(self._pad(depth) + "}"),
        )

    def array(self, items: pl.Expr, depth: int) -> pl.Expr:
        """An array of one item."""
        return pl.concat_str(
            pl.lit("[" + self._pad(depth + 1)), items, pl.lit(self._pad(depth) + "]")
        )

    def array_of(self, items: pl.Series, depth: int) -> str:
        """An array of all ``items``, one piece of text."""
        inner = items.str.join(self._separator(depth + 1)).item()
        return f"[{self._pad(depth + 1)}{inner}{self._pad(depth)}]"

    def arrays(self, owner: pl.Series, items: pl.Series, depth: int, rows: int) -> pl.Series:
        """Per row of ``rows``, the array of the ``items`` it owns (``owner``); null for none."""
        grouped = (
            pl.DataFrame({"_row": owner, "item": items})
            .group_by("_row", maintain_order=True)
            .agg(pl.col("item").str.join(self._separator(depth + 1)))
            .select("_row", self.array(pl.col("item"), depth).alias("item"))
        )
        every = pl.DataFrame({"_row": pl.int_range(rows, eager=True, dtype=pl.Int64)})
        joined = every.join(grouped, on="_row", how="left", maintain_order="left")
        return joined.get_column("item")


def _member(key: str, value: pl.Expr) -> pl.Expr:
    """``"key": value``, null when the value is."""
    return pl.concat_str(pl.lit(json.dumps(key) + ": "), value)


def _physical(layout: _Layout, uri: pl.Expr, line: pl.Expr, depth: int) -> pl.Expr:
    """A physical location: the file's URI and, when the place has one, its line."""
    region = pl.when(line >= 1).then(
        layout.object([_member("startLine", line.cast(pl.String))], depth + 1)
    )
    return layout.object(
        [
            _member(
                "artifactLocation", layout.object([_member("uri", json_string(uri))], depth + 1)
            ),
            _member("region", region),
        ],
        depth,
    )


def _results(
    table: FindingTable, frames: Collection[str], index: dict[str, int], layout: _Layout
) -> pl.Series:
    """Each finding's result object, at its depth in the log."""
    rows = table.rows
    places = primary_places(table, frames).with_columns(
        pl.when(pl.col("is_row")).then(None).otherwise(pl.col("position")).alias("line")
    )
    primary = places.select(
        pl.when(pl.col("key") != b"").then(
            layout.array(
                layout.object(
                    [
                        _member(
                            "physicalLocation",
                            _physical(layout, named(pl.col("key"), _uri), pl.col("line"), 7),
                        )
                    ],
                    6,
                ),
                5,
            )
        )
    ).to_series()
    levels = {severity.value: json.dumps(level) for severity, level in _LEVELS.items()}
    return (
        pl.concat(
            [rows.select("code", "severity", "message"), places.select("key", "line")],
            how="horizontal",
        )
        .select(
            layout.object(
                [
                    _member("ruleId", json_string(pl.col("code"))),
                    _member(
                        "ruleIndex",
                        pl.col("code").replace_strict(
                            {code: str(number) for code, number in index.items()},
                            return_dtype=pl.String,
                        ),
                    ),
                    _member("level", pl.col("severity").replace_strict(levels)),
                    _member(
                        "message",
                        layout.object([_member("text", json_string(pl.col("message")))], 5),
                    ),
                    _member("locations", pl.lit(primary)),
                    _member("relatedLocations", pl.lit(_related(table, places, frames, layout))),
                    _member("properties", pl.lit(_properties(table, frames, layout))),
                ],
                4,
            )
        )
        .to_series()
    )


def _related(
    table: FindingTable, places: pl.DataFrame, frames: Collection[str], layout: _Layout
) -> pl.Series:
    """Per finding, the array of the other places of the figures it cites (each once, none
    at the finding's own place, none without a file), null for none."""
    figures = citation_columns(table.figures, table.dimensions).select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("figure"),
        pl.col("path").cast(pl.Binary),
        pl.when(pl.col("path").is_in(list(frames)))
        .then(None)
        .otherwise(pl.col("line"))
        .alias("line"),
        pl.concat_str(
            citation_label(table.dimensions),
            pl.lit(" = "),
            pl.when(pl.col("value") == "").then(pl.lit("(empty)")).otherwise(pl.col("value")),
        ).alias("text"),
    )
    cited = (
        table.rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"), "cited")
        .explode("cited")
        .drop_nulls("cited")
        .join(figures, left_on="cited", right_on="figure", how="left", maintain_order="left")
        .join(
            places.select("finding", pl.col("key"), pl.col("line").alias("own_line")),
            on="finding",
            how="left",
            maintain_order="left",
        )
        .filter(
            (pl.col("path") != b"")
            & ~((pl.col("path") == pl.col("key")) & pl.col("line").eq_missing(pl.col("own_line")))
        )
        .filter(pl.struct("path", "line").is_first_distinct().over("finding"))
    )
    items = cited.select(
        layout.object(
            [
                _member("id", (pl.int_range(1, pl.len() + 1).over("finding")).cast(pl.String)),
                _member(
                    "physicalLocation",
                    _physical(layout, named(pl.col("path"), _uri), pl.col("line"), 7),
                ),
                _member(
                    "message", layout.object([_member("text", json_string(pl.col("text")))], 7)
                ),
            ],
            6,
        )
    ).to_series()
    return layout.arrays(cited.get_column("finding"), items, 5, table.rows.height)


def _properties(table: FindingTable, frames: Collection[str], layout: _Layout) -> pl.Series:
    """Per finding, the object of its rule, its arithmetic and its suggestions, null when it
    has none of them."""
    rows = table.rows
    members = [
        _member("rule", json_string(pl.col("rule"))),
        *(_member(name, _number(rows, name)) for name in ("expected", "actual")),
        *(_member(name, _number(rows, name)) for name in ("imbalance", "tolerance")),
        _member("suggestions", pl.lit(_suggestions(table, frames, layout))),
    ]
    return rows.select(
        pl.when(pl.any_horizontal(member.is_not_null() for member in members)).then(
            layout.object(members, 5)
        )
    ).to_series()


def _number(rows: pl.DataFrame, name: str) -> pl.Expr:
    """A number as JSON (an infinity or NaN as its text), else its text column's text (an
    interval), else null."""
    x = pl.col(name)
    number = (
        pl.when(x.is_nan())
        .then(pl.lit('"nan"'))
        .when(x == float("inf"))
        .then(pl.lit('"inf"'))
        .when(x == float("-inf"))
        .then(pl.lit('"-inf"'))
        .when(x.is_not_null())
        .then(pl.lit(json_numbers(rows.get_column(name))))
    )
    if f"{name}_text" not in rows.columns:
        return number
    return pl.coalesce(number, json_string(pl.col(f"{name}_text")))


def _suggestions(table: FindingTable, frames: Collection[str], layout: _Layout) -> pl.Series:
    """Per finding, the array of its suggestions (where, which value, why), null for none."""
    offered = (
        table.rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"), "suggestions")
        .explode("suggestions")
        .drop_nulls("suggestions")
        .unnest("suggestions")
    )
    line = pl.when(in_frames(pl.col("path"), frames)).then(None).otherwise(pl.col("line"))
    items = offered.select(
        layout.object(
            [
                _member(
                    "location",
                    layout.object(
                        [
                            _member("path", named(pl.col("path"), _json_text)),
                            _member("line", line.cast(pl.String).fill_null("null")),
                        ],
                        8,
                    ),
                ),
                _member("value", json_string(pl.col("value"))),
                _member("reason", json_string(pl.col("reason"))),
            ],
            7,
        )
    ).to_series()
    return layout.arrays(offered.get_column("finding"), items, 6, table.rows.height)


def _json_text(text: str) -> str:
    """``text`` as a JSON string, a lone surrogate (a byte of a name that is not UTF-8)
    written as its ``\\u`` escape."""
    return json.dumps(text, ensure_ascii=False).encode("utf-8", "backslashreplace").decode()
