"""Aggregation of case records into indicator figures: band parsing, the breakdown keys of each
record, the cube of counts over every subset of breakdowns, and the findings on records not
counted or not placed in an age band."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from tip_indicators._private.validate import dimensions_of, validate_raw
from tip_indicators.ages import AgeBand, age_alias, parse_age, partition_problems, sort_bands
from tip_indicators.cases._checks import (
    OPEN,
    geo_judge,
    organisation_judge,
    prepared,
    record_table,
    set_judge,
)
from tip_indicators.cases._codes import closest, field_codes
from tip_indicators.datasets import Dataset, InputFile, Metadata
from tip_indicators.errors import ArgumentError, CodeError, DefinitionError
from tip_indicators.findings import Finding, FindingTable, Location, Severity
from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue
from tip_indicators.nationalities import canonical_nationality

INTAKE = "victims_received"
"""The intake indicator: the only one that counts persons found not to be victims."""

_SUPPORTED = ("sex", "age", "nationality", "country", "exploitation", "destination", "referrer")
_COLUMN_DIMENSIONS = ("sex", "nationality", "country", "referrer")
_DIMENSION_ALIASES = {"citizenship": "nationality", "gender": "sex", "form": "exploitation"}
_OVERLAP_NOTE = "forms of exploitation overlap: a victim is counted under each form suffered"
_RETAINED_STATUSES = ("OPEN", "MONITORING")


def _parse_bands(bands: Iterable[str]) -> tuple[AgeBand, ...]:
    """The requested bands, read as codes or source labels; they must partition all ages."""
    given = tuple(bands)
    parsed: list[AgeBand] = []
    for text in given:
        band = parse_age(age_alias(text))
        if band.is_total:
            raise DefinitionError("bands", "_T is the total, not a band; list the bands only")
        if not band.is_unknown and band not in parsed:
            parsed.append(band)
    if not parsed:
        raise DefinitionError("bands", "no band of known ages given")
    problems = partition_problems(parsed)
    if not problems.is_partition:
        gaps = ", ".join(
            f"{low} and over" if high is None else f"{low}-{high}" for low, high in problems.gaps
        )
        parts = [f"ages {gaps} are in no band"] if gaps else []
        parts += [f"{a} overlaps {b}" for a, b in problems.overlaps]
        reason = "; ".join(parts)
        raise DefinitionError("bands", f"{','.join(given)} do not partition all ages: {reason}")
    return sort_bands(parsed)


def _dimensions(by: Iterable[str], indicator: Indicator) -> tuple[str, ...]:
    chosen: list[str] = []
    for text in by:
        name = _DIMENSION_ALIASES.get(text.strip(), text.strip())
        if name not in indicator.dimensions or name not in _SUPPORTED:
            allowed = sorted(set(indicator.dimensions) & set(_SUPPORTED))
            raise CodeError(f"breakdown of {indicator.code}", text, closest(name, allowed))
        if name not in chosen:
            chosen.append(name)
    order = list(indicator.dimensions)
    return tuple(sorted(chosen, key=order.index))


def _known(values: pl.Series, judge: Any, canonical: Any = None) -> dict[str, str]:
    """Map each valid value among ``values`` to its canonical code (invalid ones are left out)."""
    mapping: dict[str, str] = {}
    for value in values.drop_nulls().unique().to_list():
        if judge(value) is None:
            mapping[value] = canonical(value) if canonical else value
    return mapping


def _mapped(expr: pl.Expr, mapping: Mapping[str, str]) -> pl.Expr:
    """``expr`` through ``mapping``, with null and unmapped (invalid) codes as ``_U``."""
    if not mapping:
        return pl.lit("_U")
    return expr.replace_strict(dict(mapping), default="_U", return_dtype=pl.String).fill_null("_U")


def _age_key(bands: Sequence[AgeBand]) -> pl.Expr:
    known = pl.col("_lo").is_not_null() & (pl.col("_lo") <= pl.col("_hi"))
    chain: Any = pl.when(~known).then(pl.lit("_U"))
    for band in bands:
        assert band.low is not None
        high = OPEN if band.high is None else band.high
        chain = chain.when((pl.col("_lo") >= band.low) & (pl.col("_hi") <= high)).then(
            pl.lit(band.code)
        )
    result: pl.Expr = chain.otherwise(pl.lit("_U"))
    return result


def _destination(frame: pl.DataFrame) -> pl.Expr:
    """The first outgoing referral's destination; with none, RETAINED while the case is open."""
    first = pl.col("referrals").list.first().struct.field("to")
    mapping = _known(frame.select(first).to_series(), organisation_judge)
    none = pl.col("referrals").list.len().fill_null(0) == 0
    retained = pl.col("case_status").is_in(list(_RETAINED_STATUSES)).fill_null(False)
    return (
        pl.when(none & retained)
        .then(pl.lit("RETAINED"))
        .when(none)
        .then(pl.lit("_U"))
        .otherwise(_mapped(first, mapping))
    )


def _keys(
    frame: pl.DataFrame, dimensions: Sequence[str], bands: Sequence[AgeBand], catalogue: Catalogue
) -> list[pl.Expr]:
    geo = geo_judge(catalogue)
    keys: list[pl.Expr] = []
    for dimension in dimensions:
        column = frame.get_column(dimension) if dimension in _COLUMN_DIMENSIONS else None
        if dimension == "sex" and column is not None:
            expr = _mapped(pl.col("sex"), _known(column, set_judge(field_codes("sex"))))
        elif dimension == "age":
            expr = _age_key(bands)
        elif dimension in {"nationality", "country"} and column is not None:
            expr = _mapped(pl.col(dimension), _known(column, geo, canonical_nationality))
        elif dimension == "exploitation":
            valid = [c for c in field_codes("exploitation") if c != "_U"]
            forms = pl.col("exploitation").list.eval(pl.element().filter(pl.element().is_in(valid)))
            expr = pl.when(forms.list.len() > 0).then(forms).otherwise(pl.lit(["_U"]))
        elif dimension == "referrer" and column is not None:
            expr = _mapped(pl.col("referrer"), _known(column, organisation_judge))
        elif dimension == "destination":
            expr = _destination(frame)
        else:
            raise CodeError("case-record breakdown", dimension, None)
        keys.append(expr.alias(dimension))
    return keys


def _not_counted(
    frame: pl.DataFrame, reasons: Sequence[tuple[pl.Expr, str, Severity]]
) -> tuple[pl.Series, list[Finding]]:
    """Which records are counted, and a finding per reason that leaves some out."""
    names = [f"_r{index}" for index in range(len(reasons))]
    marks = frame.select(
        "path",
        "line",
        *[mask.alias(name) for name, (mask, _, _) in zip(names, reasons, strict=True)],
    )
    found: list[Finding] = []
    for name, (_, reason, severity) in zip(names, reasons, strict=True):
        hits = marks.filter(pl.col(name)).select("path", "line")
        if hits.height == 0:
            continue
        lines = hits.get_column("line").head(10).to_list()
        more = ", ..." if hits.height > len(lines) else ""
        first = hits.row(0, named=True)
        plural = "s" if hits.height > 1 else ""
        message = (
            f"{hits.height:,} case record{plural} not counted: {reason} "
            f"(line{plural} {', '.join(map(str, lines))}{more})"
        )
        location = Location(str(first["path"] or ""), first["line"])
        found.append(Finding("case-not-counted", severity, message, location=location))
    counted = marks.select(~pl.any_horizontal(names)).to_series()
    return counted, found


def _unplaceable(frame: pl.DataFrame, bands: Sequence[AgeBand]) -> list[Finding]:
    groups = (
        frame.filter(pl.col("_age") == "_U")
        .filter(pl.col("_lo").is_not_null() & (pl.col("_lo") <= pl.col("_hi")))
        .group_by("_lo", "_hi")
        .agg(pl.len().alias("n"), pl.first("path"), pl.first("line"))
        .sort("_lo", "_hi")
    )
    found: list[Finding] = []
    for row in groups.iter_rows(named=True):
        low, high = row["_lo"], None if row["_hi"] >= OPEN else row["_hi"]
        spanned = [
            band.code
            for band in bands
            if band.low is not None
            and (band.high is None or band.high >= low)
            and (high is None or band.low <= high)
        ]
        ages = f"{low}+" if high is None else f"{low}" if low == high else f"{low}-{high}"
        records = f"{row['n']:,} case record{'s' if row['n'] > 1 else ''}"
        message = (
            f"{records} known only to be aged {ages} (first on line {row['line']}): that age "
            f"spans the bands {', '.join(spanned)}, so it counts as unknown (_U)"
        )
        location = Location(str(row["path"] or ""), row["line"], "age")
        found.append(Finding("case-age-unplaceable", Severity.WARNING, message, location=location))
    return found


def aggregate(
    records: pl.DataFrame,
    schema: Mapping[str, pl.DataType],
    by: Iterable[str],
    bands: Iterable[str],
    *,
    indicator: str,
    reporter: str | None,
    catalogue: Catalogue | None,
    path: str,
    source: str | None,
    inputs: Sequence[InputFile],
) -> Dataset:
    """Count ``records`` (conformed to ``schema``) as :func:`tip_indicators.cases.aggregate`
    documents, with the bands given explicitly.

    Long because it is one pipeline over the records (exclusions, keys, the cube, validation), each
    step already a function, with the frame and the findings threaded through all of them.
    """
    catalogue = catalogue or builtin_catalogue()
    definition = catalogue.indicator(indicator)
    if definition.unit != "person":
        reason = f"counts {definition.unit}s, and case records count persons"
        raise ArgumentError("indicator", indicator, reason)
    dimensions = _dimensions(by, definition)
    chosen_bands = _parse_bands(bands)
    frame = prepared(records, schema)
    records_found = record_table(frame, catalogue)
    stripped = pl.col("reporter").str.strip_chars()
    no_reporter = (stripped.is_null() | (stripped == "")) & pl.lit(reporter is None)
    no_year = pl.col("year").is_null() & pl.col("registered").is_null()
    copy = pl.col("_copy")
    not_victim = (pl.col("victim_status") == "NOT").fill_null(False) & pl.lit(indicator != INTAKE)
    mask, excluded = _not_counted(
        frame,
        [
            (no_reporter, "no reporting organisation", Severity.WARNING),
            (~no_reporter & no_year, "no registration year", Severity.WARNING),
            (~no_reporter & ~no_year & copy, "a repeated case identifier", Severity.WARNING),
            (
                ~no_reporter & ~no_year & ~copy & not_victim,
                f"found not to be victims of trafficking (they count for {INTAKE} only)",
                Severity.INFO,
            ),
        ],
    )
    problems = excluded
    counted = frame.filter(mask)
    year = pl.coalesce(pl.col("year"), pl.col("registered").dt.year())
    keyed = counted.select(
        year.cast(pl.String).str.zfill(4).alias("period"),
        (pl.lit(reporter) if reporter is not None else stripped).alias("reporter"),
        *_keys(counted, dimensions, chosen_bands, catalogue),
        _age_key(chosen_bands).alias("_age"),
        "_lo",
        "_hi",
        "path",
        "line",
    )
    if "age" in dimensions:
        problems += _unplaceable(keyed, chosen_bands)
    table = _cube(keyed, dimensions, chosen_bands)
    raw = _raw(table, dimensions, indicator, path, source)
    observations, findings = validate_raw(raw, catalogue)
    description = (
        f"{indicator} counted from {counted.height:,} case records"
        + (f" by {', '.join(dimensions)}" if dimensions else "")
        + ("; " + _OVERLAP_NOTE if "exploitation" in dimensions else "")
    )
    return Dataset(
        observations,
        dimensions_of(raw.columns, catalogue),
        Metadata(title=f"{indicator} from case records", description=description, source=source),
        inputs=tuple(inputs),
        problems=FindingTable.concat(
            [records_found, FindingTable.from_findings(problems), findings]
        )
        .numbered(0)
        .in_report_order(),
    )


def _cube(keyed: pl.DataFrame, dimensions: Sequence[str], bands: Sequence[AgeBand]) -> pl.DataFrame:
    """Counts for every subset of ``dimensions`` (absent ones ``_T``), in a stable order."""
    keys = ["period", "reporter"]
    exclusive = [d for d in dimensions if d != "exploitation"]
    fine = keyed.group_by(*keys, *exclusive).len()
    forms = None
    if "exploitation" in dimensions:
        forms = (
            keyed.select(*keys, *exclusive, "exploitation", "line", "path")
            .with_row_index("_record")
            .explode("exploitation")
            .unique(subset=["_record", "exploitation"])
            .group_by(*keys, *exclusive, "exploitation")
            .len()
        )
    parts: list[pl.DataFrame] = []
    for size in range(len(dimensions) + 1):
        for subset in itertools.combinations(dimensions, size):
            base = forms if "exploitation" in subset and forms is not None else fine
            counts = base.group_by(*keys, *subset).agg(pl.col("len").sum())
            parts.append(
                counts.select(
                    *keys,
                    *[pl.col(d) if d in subset else pl.lit("_T").alias(d) for d in dimensions],
                    pl.col("len").cast(pl.Int64),
                )
            )
    table = pl.concat(parts)
    order = {band.code: index for index, band in enumerate(bands)}
    order["_U"] = len(bands)
    sort_columns: list[pl.Expr] = [pl.col("period"), pl.col("reporter")]
    for dimension in dimensions:
        sort_columns.append(pl.col(dimension) != "_T")
        if dimension == "age":
            sort_columns.append(
                pl.col("age").replace_strict(order, default=-1, return_dtype=pl.Int32)
            )
        sort_columns.append(pl.col(dimension))
    return table.sort(sort_columns)


def _raw(
    table: pl.DataFrame, dimensions: Sequence[str], indicator: str, path: str, source: str | None
) -> pl.DataFrame:
    note = pl.lit(None, pl.String)
    if "exploitation" in dimensions:
        note = pl.when(pl.col("exploitation") != "_T").then(pl.lit(_OVERLAP_NOTE))
    return table.select(
        pl.lit(indicator).alias("indicator"),
        "period",
        "reporter",
        *dimensions,
        pl.col("len").cast(pl.String).alias("value"),
        note.alias("note"),
        pl.lit(source, pl.String).alias("source"),
        pl.lit(path).alias("path"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("line"),
    )
