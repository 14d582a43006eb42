"""A short HTML view of findings for notebooks: a few counts and the first findings as a table.

Notebooks call ``_repr_html_`` every time an object is shown, so the view is small whatever the
number of findings; the full report is ``Report.to_html()``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import polars as pl

__all__ = ["SHOWN", "findings_html"]

SHOWN = 20
"""How many findings the notebook view lists."""

_COLUMNS = ("severity", "code", "place", "message", "fix")


def findings_html(title: str, counts: Mapping[str, int], findings: pl.DataFrame) -> str:
    """``title``, ``counts`` and the first :data:`SHOWN` rows of ``findings`` (a findings
    frame, see :mod:`tip_indicators.findings.frame`), every text escaped."""
    total = findings.height
    shown = findings.head(SHOWN)
    summary = ", ".join(f"{count} {html.escape(name)}" for name, count in counts.items())
    places = shown.select(
        pl.when(pl.col("row").is_not_null())
        .then(pl.format("{} row {}", pl.col("path"), pl.col("row")))
        .when(pl.col("line").is_not_null())
        .then(pl.format("{}:{}", pl.col("path"), pl.col("line")))
        .otherwise(pl.col("path"))
        .fill_null("")
    ).to_series()
    fixes = shown.select(
        pl.col("suggestions").list.first().struct.field("value").fill_null("")
    ).to_series()
    body = [
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(cell))}</td>" for cell in (severity, code, place, message, fix)
        )
        + "</tr>"
        for severity, code, place, message, fix in zip(
            shown.get_column("severity").to_list(),
            shown.get_column("code").to_list(),
            places.to_list(),
            shown.get_column("message").to_list(),
            fixes.to_list(),
            strict=True,
        )
    ]
    more = (
        f"<p>… and {total - SHOWN} more findings: <code>report.to_polars()</code> has them all.</p>"
        if total > SHOWN
        else ""
    )
    head = "".join(f"<th>{name}</th>" for name in _COLUMNS)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return (
        f"<div class='tip-indicators'><strong>{html.escape(title)}</strong>"
        f"<p>{summary}</p>{table if total else ''}{more}</div>"
    )
