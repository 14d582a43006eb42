"""The record-level checks of case records: required fields, duplicate identifiers, codes,
agreement of the age facts, 'not specified' flags and date order, each finding at its row and
field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import polars as pl

from tip_indicators.ages import parse_age
from tip_indicators.cases._codes import closest, field_codes
from tip_indicators.codelists import codelist, is_destination_code
from tip_indicators.errors import ArgumentError, CodeError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.nationalities import is_nationality_code

OPEN = 10_000
"""Stands for "no upper age bound" in the vectorised interval arithmetic."""

MAX_AGE = 130
"""The oldest age a record may give."""

_ROW = "_row"
_LISTS = ("exploitation", "control", "recruiter")


def _conform(records: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """The frame with every column of ``schema``, of its type; missing columns become null."""
    columns: list[pl.Expr] = []
    for name, dtype in schema.items():
        if name not in records.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif records.schema[name] == pl.Null():
            columns.append(pl.col(name).cast(dtype))
        elif records.schema[name] != dtype:
            reason = f"the column must be {dtype} (see case_schema())"
            raise ArgumentError(f"records[{name!r}]", records.schema[name], reason)
        else:
            columns.append(pl.col(name))
    return records.select(columns)


def _finding(
    code: str, row: Mapping[str, Any], field: str, message: str, severity: Severity
) -> Finding:
    location = Location(str(row.get("path") or ""), row.get("line"), field)
    return Finding(code, severity, f"{field}: {message}", location=location)


def _band_bounds(frame: pl.DataFrame, column: str) -> tuple[pl.Expr, pl.Expr]:
    """Low and high age (high ``OPEN`` when unbounded) of the age codes in ``column``."""
    lows: dict[str, int] = {}
    highs: dict[str, int] = {}
    for code in frame.get_column(column).drop_nulls().unique().to_list():
        try:
            band = parse_age(code)
        except CodeError:
            continue
        if band.low is not None and not band.is_total:
            lows[code] = band.low
            highs[code] = OPEN if band.high is None else band.high
    if not lows:
        return pl.lit(None, pl.Int32), pl.lit(None, pl.Int32)
    return (
        pl.col(column).replace_strict(lows, default=None, return_dtype=pl.Int32),
        pl.col(column).replace_strict(highs, default=None, return_dtype=pl.Int32),
    )


def _with_ages(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_lo``/``_hi`` (age at registration) and ``_elo``/``_ehi`` (at exploitation).

    Each is the intersection of every fact the record gives: the age, the birth date against the
    registration date (or year), the age band and the majority status. Null when none is given.
    """
    birth, registered = pl.col("birth_date"), pl.col("registered")
    year = pl.coalesce(pl.col("year"), registered.dt.year()).cast(pl.Int32)
    month_day = registered.dt.month().cast(pl.Int32) * 100 + registered.dt.day().cast(pl.Int32)
    birth_day = birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)
    born = birth.dt.year().cast(pl.Int32)
    exact = registered.dt.year().cast(pl.Int32) - born - (month_day < birth_day).cast(pl.Int32)
    usable = birth.is_not_null() & (born <= year) & (registered.is_null() | (birth <= registered))
    birth_lo = (
        pl.when(usable & registered.is_not_null()).then(exact).when(usable).then(year - born - 1)
    )
    birth_hi = pl.when(usable & registered.is_not_null()).then(exact).when(usable).then(year - born)
    band_lo, band_hi = _band_bounds(frame, "age_band")
    major_lo, major_hi = _band_bounds(frame, "majority")
    emajor_lo, emajor_hi = _band_bounds(frame, "majority_exploited")
    age, exploited = pl.col("age").cast(pl.Int32), pl.col("age_exploited").cast(pl.Int32)
    return frame.with_columns(
        pl.max_horizontal(age, birth_lo.clip(0), band_lo, major_lo).alias("_lo"),
        pl.min_horizontal(age, birth_hi, band_hi, major_hi).alias("_hi"),
        pl.max_horizontal(exploited, emajor_lo).alias("_elo"),
        pl.min_horizontal(exploited, emajor_hi).alias("_ehi"),
    )


def _age_facts(row: Mapping[str, Any], exploitation: bool) -> str:
    if exploitation:
        facts = [("age at exploitation", row["age_exploited"])]
        facts.append(("majority at exploitation", row["majority_exploited"]))
    else:
        facts = [("age", row["age"]), ("birth date", row["birth_date"])]
        facts += [("age band", row["age_band"]), ("majority", row["majority"])]
    return ", ".join(f"{name} {value}" for name, value in facts if value is not None)


def _judge_codes(
    frame: pl.DataFrame, column: str, judge: Any, *, listed: bool = False
) -> list[Finding]:
    """Flag rows whose ``column`` holds a code ``judge`` rejects (judge returns a hint or '')."""
    values = frame.select(_ROW, "path", "line", pl.col(column).alias("_value"))
    if listed:
        values = values.explode("_value")
    values = values.filter(pl.col("_value").is_not_null())
    bad: dict[str, str] = {}
    for value in values.get_column("_value").unique().to_list():
        hint = judge(value)
        if hint is not None:
            bad[value] = f" (did you mean {hint!r}?)" if hint else ""
    found: list[Finding] = []
    for row in values.filter(pl.col("_value").is_in(list(bad))).iter_rows(named=True):
        message = f"unknown code {row['_value']!r}{bad[row['_value']]}"
        found.append(_finding("unknown-code", row, column, message, Severity.ERROR))
    return found


def set_judge(valid: Iterable[str], suggest: Any = None) -> Any:
    """A judge accepting the codes in ``valid``; hints from ``suggest`` or the closest code."""
    allowed = frozenset(valid)

    def judge(value: str) -> str | None:
        if value in allowed:
            return None
        hint = suggest(value) if suggest else closest(value.strip(), sorted(allowed))
        return hint or ""

    return judge


def geo_judge(catalogue: Catalogue) -> Any:
    """A judge accepting country codes (for nationality and country of exploitation)."""
    dimension = catalogue.dimension("nationality")

    def judge(value: str) -> str | None:
        if value != "_T" and is_nationality_code(value):
            return None
        error = dimension.code_error(value)
        return (error.suggestion if error else None) or ""

    return judge


def _age_judge(value: str) -> str | None:
    try:
        parse_age(value)
    except CodeError as error:
        return error.suggestion or ""
    return None


def organisation_judge(value: str) -> str | None:
    """Judge an organisation code (referrer, referral destination)."""
    if value != "_T" and is_destination_code(value):
        return None
    return codelist("destination_type").suggest(value) or ""


def _code_findings(frame: pl.DataFrame, catalogue: Catalogue) -> list[Finding]:
    found = _judge_codes(frame, "sex", set_judge(field_codes("sex"), codelist("sex").suggest))
    for column in ("nationality", "country"):
        found += _judge_codes(frame, column, geo_judge(catalogue))
    found += _judge_codes(frame, "age_band", _age_judge)
    for column in ("majority", "majority_exploited"):
        found += _judge_codes(frame, column, set_judge(field_codes("majority")))
    for column in _LISTS:
        found += _judge_codes(frame, column, set_judge(field_codes(column)), listed=True)
    for column in ("victim_status", "case_status"):
        found += _judge_codes(frame, column, set_judge(field_codes(column)))
    found += _judge_codes(frame, "referrer", organisation_judge)
    targets = frame.with_columns(pl.col("referrals").list.eval(pl.element().struct.field("to")))
    found += _judge_codes(targets, "referrals", organisation_judge, listed=True)
    return found


_Message = Callable[[Mapping[str, Any]], str]


def _row_checks(unordered: pl.Series) -> list[tuple[str, str, pl.Expr, _Message]]:
    """Every per-row check: finding code, field, mask of failing rows, and its message.

    ``unordered`` holds the rows whose referral dates are not in order (found beforehand on the
    few records with several referrals: list sorting over every record would be slow).

    Long because it is a flat table of independent checks, one entry each; splitting it would only
    scatter the table.
    """
    reporter = pl.col("reporter").str.strip_chars()
    conflict = pl.col("_lo") > pl.col("_hi")
    consistent = ~conflict.fill_null(False) & (pl.col("_elo") <= pl.col("_ehi")).fill_null(False)
    first_out = pl.col("referrals").list.first().struct.field("date")
    checks: list[tuple[str, str, pl.Expr, _Message]] = [
        (
            "missing-field",
            "reporter",
            reporter.is_null() | (reporter == ""),
            lambda _: "the reporting organisation is required",
        ),
        (
            "missing-field",
            "year",
            pl.col("year").is_null() & pl.col("registered").is_null(),
            lambda _: "a registration year or date is required; the record is not counted",
        ),
        (
            "case-duplicate-id",
            "case_id",
            pl.col("_copy"),
            lambda row: (
                f"case {row['case_id']!r} of {row['reporter']} is also on line {row['_first']}; "
                "only the first copy is counted"
            ),
        ),
        (
            "case-age-conflict",
            "age",
            conflict,
            lambda row: f"{_age_facts(row, False)} disagree; the age counts as unknown (_U)",
        ),
        (
            "case-age-conflict",
            "age_exploited",
            pl.col("_elo") > pl.col("_ehi"),
            lambda row: f"{_age_facts(row, True)} disagree",
        ),
        (
            "case-age-order",
            "age_exploited",
            consistent & (pl.col("_elo") > pl.col("_hi")),
            lambda row: (
                f"{_age_facts(row, True)} is above the age at registration, at most "
                f"{row['_hi']} ({_age_facts(row, False)})"
            ),
        ),
    ]
    for column in ("age", "age_exploited"):
        checks.append(
            (
                "case-invalid-field",
                column,
                (pl.col(column) < 0) | (pl.col(column) > MAX_AGE),
                lambda row, c=column: f"{row[c]} is not an age (0 to {MAX_AGE})",  # type: ignore[misc]
            )
        )
    for column in _LISTS:
        values = pl.col(column)
        checks.append(
            (
                "case-flag-conflict",
                column,
                values.list.contains("_U") & (values.list.len() > values.list.count_matches("_U")),
                lambda row, c=column: (  # type: ignore[misc]
                    f"given as not specified (_U) and as "
                    f"{', '.join(sorted({code for code in row[c] if code != '_U'}))}; a 'not "
                    "specified' flag excludes the others of its group"
                ),
            )
        )
    order = [
        ("birth_date", pl.col("birth_date") > pl.col("registered"), "after the registration date"),
        (
            "birth_date",
            pl.col("registered").is_null() & (pl.col("birth_date").dt.year() > pl.col("year")),
            "after the registration year",
        ),
        (
            "registered",
            pl.col("registered").dt.year() != pl.col("year"),
            "not in the registration year",
        ),
        ("referred_in", pl.col("birth_date") > pl.col("referred_in"), "before the birth date"),
        ("referrals", pl.col("registered") > first_out, "a referral out before registration"),
        ("referrals", pl.col("referred_in") > first_out, "a referral out before the referral in"),
        (
            "referrals",
            pl.col(_ROW).is_in(unordered.implode()),
            "referral dates not in the order made",
        ),
    ]
    for field, mask, problem in order:
        checks.append(
            (
                "case-date-order",
                field,
                mask,
                lambda row, p=problem: f"dates out of order: {p} ({_dates_given(row)})",  # type: ignore[misc]
            )
        )
    return checks


def _dates_given(row: Mapping[str, Any]) -> str:
    referrals = ", ".join(str(item["date"]) for item in row["referrals"] or [] if item["date"])
    given = [(name, row[name]) for name in ("registered", "year", "birth_date", "referred_in")]
    given.append(("referrals", referrals))
    return ", ".join(f"{name} {value}" for name, value in given if value)


def prepared(records: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Records conformed to ``schema``, with ``_row``, the age intervals (``_lo``, ``_hi``,
    ``_elo``, ``_ehi``) and ``_copy``: a repeated (reporter, case_id)."""
    frame = _with_ages(_conform(records, schema).with_row_index(_ROW))
    first = pl.col(_ROW).min().over("reporter", "case_id")
    return frame.with_columns(
        (pl.col("case_id").is_not_null() & (pl.col(_ROW) != first)).alias("_copy")
    )


def _unordered(frame: pl.DataFrame) -> pl.Series:
    """Rows whose referral dates (those given) are not in the order the referrals were made."""
    several = frame.select(_ROW, "referrals").filter(pl.col("referrals").list.len() > 1)
    dates = (
        several.explode("referrals")
        .select(_ROW, pl.col("referrals").struct.field("date").alias("_date"))
        .filter(pl.col("_date").is_not_null())
    )
    backwards = dates.filter(pl.col("_date") < pl.col("_date").shift(1).over(_ROW))
    return backwards.get_column(_ROW).unique()


def record_findings(frame: pl.DataFrame, catalogue: Catalogue) -> list[Finding]:
    """Run every check on a frame with ``_row`` and the age columns; build only the hits."""
    checks = _row_checks(_unordered(frame))
    names = [f"_m{index}" for index in range(len(checks))]
    marks = frame.select(
        _ROW,
        *[
            mask.fill_null(False).alias(name)
            for name, (_, _, mask, _) in zip(names, checks, strict=True)
        ],
    )
    hits = marks.filter(pl.any_horizontal(names))
    found = _code_findings(frame, catalogue)
    if hits.height == 0:
        return found
    subset = frame.join(hits, on=_ROW, how="inner", maintain_order="left")
    keys = ["reporter", "case_id"]
    copies = subset.filter(pl.col(names[2])).select(keys).unique()
    firsts = (
        frame.select(*keys, "line")
        .join(copies, on=keys, how="semi")
        .group_by(keys)
        .agg(pl.col("line").min().alias("_first"))
    )
    subset = subset.join(firsts, on=keys, how="left", nulls_equal=False, maintain_order="left")
    for name, (code, field, _, message) in zip(names, checks, strict=True):
        for row in subset.filter(pl.col(name)).iter_rows(named=True):
            found.append(_finding(code, row, field, message(row), Severity.ERROR))
    return found


def check_records(
    records: pl.DataFrame, schema: Mapping[str, pl.DataType], catalogue: Catalogue | None
) -> list[Finding]:
    """The findings of every check on ``records`` (conformed to ``schema``), in report order."""
    found = record_findings(prepared(records, schema), catalogue or builtin_catalogue())
    return sorted(found, key=lambda finding: finding.sort_key)
