"""Validation of values: readable figures, statuses that say why one is missing, counts that
are whole and not negative, censoring only where allowed, and the unit stated."""

from __future__ import annotations

import polars as pl

from tip_indicators._private.row_problems import Problems
from tip_indicators.codelists import codelist
from tip_indicators.findings.wording import worded
from tip_indicators.indicators import Catalogue
from tip_indicators.values import MAX_EXACT, read_values

_UNIT_ALIASES = {
    "persons": "person",
    "people": "person",
    "cases": "case",
    "establishments": "establishment",
    "businesses": "establishment",
    "events": "event",
    "vehicles": "vehicle",
    "organisations": "organisation",
    "%": "percent",
}


def check_values(frame: pl.DataFrame, problems: Problems, catalogue: Catalogue) -> pl.DataFrame:
    """Judge every value: readable, a status saying why one is missing, whole and not negative where
    a count, censored only in a level, and in the unit of its indicator.

    Long because it is a flat list of independent checks over the same read columns, one
    ``problems.add`` each.
    """
    # Bulk files repeat a few thousand distinct values: read each once and join them back.
    readings = read_values(frame.select(pl.col("value").unique()), "value")
    # Only the value column is joined (a join copies every column it carries), row for row.
    read = frame.select("value").join(
        readings, on="value", how="left", maintain_order="left", nulls_equal=True
    )
    frame = frame.with_columns(read.drop("value"))
    value = pl.col("value").fill_null("")
    problems.add(
        frame,
        ~pl.col("readable"),
        "value",
        "unreadable-value",
        pl.when(pl.col("too_large"))
        .then(
            worded(
                "value: '{value}' is larger than {largest} (2^53), beyond which figures cannot "
                "be summed exactly",
                value=value,
                largest=pl.lit(f"{MAX_EXACT:,}"),
            )
        )
        .otherwise(
            worded("value: cannot read '{value}' as a number or a censored count (<5)", value=value)
        ),
    )
    missing = pl.col("readable") & pl.col("low").is_null()
    missing_statuses = [
        c.code for c in codelist("obs_status") if c.attributes.get("missing") == "yes"
    ]
    problems.add(
        frame,
        missing & ~pl.col("status").is_in(missing_statuses).fill_null(False),
        "value",
        "missing-value-status",
        worded(
            "value: empty, and no status says why (L not stated, M cannot exist, O missing, "
            "Q suppressed)"
        ),
    )
    # The converse: a figure stated under a status that says there is none. Which of the two is
    # wrong cannot be told, so the row is left out of every sum.
    meanings = {
        c.code: c.name.partition("; ")[2] or c.name.lower()
        for c in codelist("obs_status")
        if c.code in missing_statuses
    }
    problems.add(
        frame,
        pl.col("readable") & pl.col("low").is_not_null() & pl.col("status").is_in(missing_statuses),
        "value",
        "missing-value-status",
        worded(
            "value: '{value}' is given, but status {status} says there is no figure "
            "({meaning}); give the figure or the status, not both",
            value=value,
            status=pl.col("status"),
            meaning=pl.col("status").replace_strict(meanings, default=""),
        ),
    )
    frame = frame.with_columns(
        pl.col("indicator")
        .replace_strict(list(catalogue.indicators), [i.unit for i in catalogue], default=None)
        .alias("_unit")
    )
    counts = pl.col("measure").is_in(["N", "CHG"]) & (pl.col("_unit") != "per_100k").fill_null(True)
    fractional = pl.col("low").is_not_null() & (pl.col("low") != pl.col("low").round(0))
    problems.add(
        frame,
        counts & fractional,
        "value",
        "invalid-count",
        worded("value: a count cannot be fractional ('{value}')", value=value),
    )
    problems.add(
        frame,
        (pl.col("measure") == "N") & (pl.col("low") < 0),
        "value",
        "invalid-count",
        worded("value: a count or rate cannot be negative ('{value}')", value=value),
    )
    problems.add(
        frame,
        (pl.col("measure") == "PCT") & (pl.col("low") < 0),
        "value",
        "invalid-count",
        worded("value: a percentage share cannot be negative ('{value}')", value=value),
    )
    problems.add(
        frame,
        pl.col("censored") & (pl.col("measure") != "N"),
        "value",
        "censoring-not-allowed",
        worded(
            "value: '{value}' is censored, but a {measure} figure must be exact",
            value=value,
            measure=pl.col("measure"),
        ),
    )
    expected = (
        pl.when(pl.col("measure").is_in(["PCH", "PCT"]))
        .then(pl.lit("percent"))
        .otherwise(pl.col("_unit"))
    )
    stated = pl.col("unit").str.strip_chars().str.to_lowercase().replace(_UNIT_ALIASES)
    problems.add(
        frame,
        pl.col("unit").is_not_null() & pl.col("_unit").is_not_null() & (stated != expected),
        "unit",
        "unit-mismatch",
        worded(
            "unit: '{unit}' given, but {indicator} {measure} figures are in '{expected}'",
            unit=pl.col("unit"),
            indicator=pl.col("indicator"),
            measure=pl.col("measure"),
            expected=expected,
        ),
    )
    return frame
