"""Turning a frame of raw text cells into checked observations plus level-0 findings.

Every reader builds a frame of text columns named as in the long CSV, with ``path`` and ``line``,
and hands it here. All checks are column-wise; only rows with a problem become Python objects.
A row with an error-severity problem is kept out of the observations and reported, never dropped
silently; keys given twice with different values are reported and left out of every sum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from tip_indicators.codelists import codelist
from tip_indicators.dimensions import BUILTIN_DIMENSIONS
from tip_indicators.errors import CodeError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue
from tip_indicators.observations import (
    ATTRIBUTE_COLUMNS,
    key_columns,
    observation_ref,
    observation_schema,
)
from tip_indicators.periods import (
    PERIOD_PATTERN,
    frequency_expr,
    period_sort_key,
    previous_year_expr,
)
from tip_indicators.values import value_columns

_ROW = "_row"
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


def dimensions_of(columns: Sequence[str], catalogue: Catalogue) -> tuple[str, ...]:
    """The dimension columns an observation frame has: the built-in ones plus any present."""
    extra = [c for c in columns if c in catalogue.dimensions and c not in BUILTIN_DIMENSIONS]
    return (*BUILTIN_DIMENSIONS, *extra)


class _Problems:
    """Collects per-row problems as small frames: row index, field, code, severity, message."""

    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []

    def add(
        self,
        frame: pl.DataFrame,
        mask: pl.Expr,
        field: str,
        code: str,
        message: pl.Expr,
        *,
        severity: Severity = Severity.ERROR,
    ) -> None:
        hits = frame.filter(mask).select(
            pl.col(_ROW),
            pl.lit(field).alias("field"),
            pl.lit(code).alias("code"),
            pl.lit(severity.value).alias("severity"),
            message.cast(pl.String).alias("message"),
        )
        if hits.height:
            self.frames.append(hits)

    def add_codes(
        self,
        frame: pl.DataFrame,
        field: str,
        code: str,
        judge: Callable[[str], CodeError | None],
        *,
        skip: Sequence[str] = ("",),
    ) -> None:
        """Judge each distinct value of ``field`` once and flag the rows holding bad ones."""
        values = frame.get_column(field).drop_nulls().unique().to_list()
        bad: dict[str, str] = {}
        for value in values:
            if value in skip:
                continue
            error = judge(value)
            if error is not None:
                bad[value] = str(error).split(": ", 1)[1] if ": " in str(error) else str(error)
        if bad:
            lookup = pl.DataFrame({field: list(bad), "_message": list(bad.values())})
            joined = frame.select(_ROW, field).join(lookup, on=field, how="inner")
            self.add(
                joined,
                pl.lit(True),
                field,
                code,
                pl.format("{}: {}", pl.lit(field), pl.col("_message")),
            )

    def table(self) -> pl.DataFrame:
        if not self.frames:
            return pl.DataFrame(
                schema={
                    _ROW: pl.UInt32,
                    "field": pl.String,
                    "code": pl.String,
                    "severity": pl.String,
                    "message": pl.String,
                }
            )
        return pl.concat(self.frames).sort(_ROW, "field", "code")


def _code_judge(identifier: str) -> Callable[[str], CodeError | None]:
    codes = codelist(identifier)

    def judge(value: str) -> CodeError | None:
        return None if value in codes else CodeError(identifier, value, codes.suggest(value))

    return judge


def validate_raw(raw: pl.DataFrame, catalogue: Catalogue) -> tuple[pl.DataFrame, list[Finding]]:
    """Check raw text rows and return the usable observations and the findings about the rest."""
    dimensions = dimensions_of(raw.columns, catalogue)
    text_columns = [
        "indicator",
        "period",
        "reporter",
        *dimensions,
        "measure",
        "base_period",
        "value",
        *ATTRIBUTE_COLUMNS,
    ]
    frame = raw.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in text_columns if c not in raw.columns]
    ).with_row_index(_ROW)
    problems = _Problems()
    for field in ("indicator", "period", "reporter"):
        empty = pl.col(field).is_null() | (pl.col(field).str.strip_chars() == "")
        problems.add(
            frame, empty, field, "missing-field", pl.lit(f"{field}: required field is empty")
        )
    frame = frame.with_columns(
        [pl.col(d).fill_null("").replace("", "_T").alias(d) for d in dimensions]
        + [pl.col("measure").fill_null("").replace("", "N").alias("measure")]
        + [pl.col("value").fill_null("")]
        + [pl.col(c).replace("", None) for c in ("base_period", *ATTRIBUTE_COLUMNS)]
    )
    problems.add_codes(frame, "indicator", "unknown-indicator", _indicator_judge(catalogue))
    for dimension in dimensions:
        definition = catalogue.dimension(dimension)
        problems.add_codes(frame, dimension, "unknown-code", definition.code_error, skip=("_T",))
        allowed = [i.code for i in catalogue if dimension in i.dimensions]
        problems.add(
            frame,
            (pl.col(dimension) != "_T")
            & ~pl.col("indicator").is_in(allowed)
            & pl.col("indicator").is_in(list(catalogue.indicators)),
            dimension,
            "dimension-not-allowed",
            pl.format(
                "{}: indicator '{}' has no breakdown by {}",
                pl.lit(dimension),
                pl.col("indicator"),
                pl.lit(dimension),
            ),
        )
    problems.add_codes(frame, "measure", "unknown-code", _code_judge("measure"))
    problems.add_codes(frame, "status", "unknown-code", _code_judge("obs_status"))
    problems.add_codes(frame, "conf_status", "unknown-code", _code_judge("conf_status"))
    frame = _check_periods(frame, problems)
    frame = _check_values(frame, problems, catalogue)
    table = problems.table()
    bad_rows = table.filter(pl.col("severity") == "error").get_column(_ROW).unique()
    findings = _row_findings(frame, table, dimensions)
    good = frame.filter(~pl.col(_ROW).is_in(bad_rows.implode()))
    good, duplicate_findings = resolve_duplicates(good, dimensions)
    schema = observation_schema(dimensions)
    observations = good.with_columns(pl.lit(False).alias("derived")).select(
        [pl.col(c).cast(t) for c, t in schema.items()]
    )
    return observations, findings + duplicate_findings


def _indicator_judge(catalogue: Catalogue) -> Callable[[str], CodeError | None]:
    def judge(value: str) -> CodeError | None:
        try:
            catalogue.indicator(value)
        except CodeError as error:
            return error
        return None

    return judge


def _check_periods(frame: pl.DataFrame, problems: _Problems) -> pl.DataFrame:
    period_ok = pl.col("period").str.contains(PERIOD_PATTERN).fill_null(False)
    problems.add(
        frame,
        ~period_ok & (pl.col("period").str.strip_chars() != ""),
        "period",
        "invalid-period",
        pl.format(
            "period: '{}' is not a period (2010, 2010-S1, 2010-Q1, 2010-01)", pl.col("period")
        ),
    )
    is_change = pl.col("measure").is_in(["CHG", "PCH"])
    frame = frame.with_columns(
        pl.when(pl.col("base_period").is_null() & is_change & period_ok)
        .then(previous_year_expr("period"))
        .otherwise(pl.col("base_period"))
        .alias("base_period")
    )
    base_ok = pl.col("base_period").str.contains(PERIOD_PATTERN).fill_null(False)
    has_base = pl.col("base_period").is_not_null()
    problems.add(
        frame,
        has_base & ~base_ok,
        "base_period",
        "invalid-period",
        pl.format("base_period: '{}' is not a period", pl.col("base_period")),
    )
    problems.add(
        frame,
        has_base & ~is_change,
        "base_period",
        "invalid-period",
        pl.format(
            "base_period: only a change (CHG, PCH) has a base period, not {}", pl.col("measure")
        ),
    )
    comparable = has_base & base_ok & period_ok & is_change
    problems.add(
        frame,
        comparable & (frequency_expr("base_period") != frequency_expr("period")),
        "base_period",
        "invalid-period",
        pl.format(
            "base_period: '{}' is not of the same frequency as period '{}'",
            pl.col("base_period"),
            pl.col("period"),
        ),
    )
    problems.add(
        frame,
        comparable & (period_sort_key("base_period") >= period_sort_key("period")),
        "base_period",
        "invalid-period",
        pl.format(
            "base_period: '{}' is not before period '{}'", pl.col("base_period"), pl.col("period")
        ),
    )
    return frame


def _check_values(frame: pl.DataFrame, problems: _Problems, catalogue: Catalogue) -> pl.DataFrame:
    # Bulk files repeat a few thousand distinct values: read each once and join them back.
    readings = frame.select(pl.col("value").unique()).with_columns(value_columns("value"))
    frame = frame.join(readings, on="value", how="left", maintain_order="left", nulls_equal=True)
    value = pl.col("value").fill_null("")
    problems.add(
        frame,
        ~pl.col("readable"),
        "value",
        "unreadable-value",
        pl.format("value: cannot read '{}' as a number or a censored count (<5)", value),
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
        pl.lit(
            "value: empty, and no status says why (L not stated, M cannot exist, O missing, "
            "Q suppressed)"
        ),
    )
    units = pl.DataFrame(
        {"indicator": list(catalogue.indicators), "_unit": [i.unit for i in catalogue]}
    )
    frame = frame.join(units, on="indicator", how="left")
    counts = pl.col("measure").is_in(["N", "CHG"]) & (pl.col("_unit") != "per_100k").fill_null(True)
    fractional = pl.col("low").is_not_null() & (pl.col("low") != pl.col("low").round(0))
    problems.add(
        frame,
        counts & fractional,
        "value",
        "invalid-count",
        pl.format("value: a count cannot be fractional ('{}')", value),
    )
    problems.add(
        frame,
        (pl.col("measure") == "N") & (pl.col("low") < 0),
        "value",
        "invalid-count",
        pl.format("value: a count or rate cannot be negative ('{}')", value),
    )
    problems.add(
        frame,
        (pl.col("measure") == "PCT") & (pl.col("low") < 0),
        "value",
        "invalid-count",
        pl.format("value: a percentage share cannot be negative ('{}')", value),
    )
    problems.add(
        frame,
        pl.col("censored") & (pl.col("measure") != "N"),
        "value",
        "censoring-not-allowed",
        pl.format(
            "value: '{}' is censored, but a {} figure must be exact", value, pl.col("measure")
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
        pl.format(
            "unit: '{}' given, but {} {} figures are in '{}'",
            pl.col("unit"),
            pl.col("indicator"),
            pl.col("measure"),
            expected,
        ),
    )
    return frame.sort(_ROW)


def _row_findings(
    frame: pl.DataFrame, table: pl.DataFrame, dimensions: Sequence[str]
) -> list[Finding]:
    if table.height == 0:
        return []
    rows = frame.filter(pl.col(_ROW).is_in(table.get_column(_ROW).unique().implode()))
    by_row = {row[_ROW]: row for row in rows.iter_rows(named=True)}
    findings = []
    for problem in table.iter_rows(named=True):
        row = by_row[problem[_ROW]]
        location = Location(str(row.get("path") or ""), row.get("line"), problem["field"])
        findings.append(
            Finding(
                code=problem["code"],
                severity=Severity(problem["severity"]),
                message=problem["message"],
                observations=(observation_ref(row, dimensions),),
                location=location,
            )
        )
    return findings


def resolve_duplicates(
    frame: pl.DataFrame, dimensions: Sequence[str]
) -> tuple[pl.DataFrame, list[Finding]]:
    """Report keys given more than once; keep one of identical copies, none of conflicting ones.

    ``frame`` needs a ``_row`` column giving the input order.
    """
    keys = key_columns(dimensions)
    counted = frame.with_columns(
        pl.len().over(keys, mapping_strategy="group_to_rows").alias("_copies"),
        pl.struct("low", "high").n_unique().over(keys).alias("_values"),
    )
    if counted.filter(pl.col("_copies") > 1).height == 0:
        return frame, []
    findings: list[Finding] = []
    repeated = counted.filter(pl.col("_copies") > 1).sort(_ROW)
    for _, group in repeated.group_by(keys, maintain_order=True):
        rows = list(group.iter_rows(named=True))
        refs = tuple(observation_ref(row, dimensions) for row in rows)
        paths = {row["path"] for row in rows}
        lines = ", ".join(
            str(row["line"]) if len(paths) == 1 else f"{row['path']}:{row['line']}" for row in rows
        )
        values = ", ".join(repr(row["value"] or "") for row in rows)
        conflict = rows[0]["_values"] > 1
        label = refs[0].label()
        findings.append(
            Finding(
                code="duplicate-conflict" if conflict else "duplicate-identical",
                severity=Severity.ERROR if conflict else Severity.WARNING,
                message=(
                    f"value: {label} is given {len(rows)} times (lines {lines}) with values "
                    f"{values}; no check uses it until one value is kept"
                    if conflict
                    else f"{label} is given {len(rows)} times (lines {lines}) with the same value"
                ),
                observations=refs,
                location=Location(
                    str(rows[-1]["path"] or ""), rows[-1]["line"], "value" if conflict else None
                ),
            )
        )
    conflicting = counted.filter((pl.col("_copies") > 1) & (pl.col("_values") > 1)).get_column(_ROW)
    kept = (
        counted.filter(~pl.col(_ROW).is_in(conflicting.implode()))
        .unique(subset=keys, keep="first", maintain_order=True)
        .drop("_copies", "_values")
    )
    return kept, findings
