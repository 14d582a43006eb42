"""The record-level checks of case records: required fields, duplicate identifiers, codes,
agreement of the age facts, 'not specified' flags and date order, each finding at its row and
field. The findings are rows of a findings table, worded column-wise: a file of a hundred
thousand records with a finding on every one makes no Python object per finding until the
Python API asks for them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators.ages import parse_age
from tip_indicators.cases._codes import closest, field_codes
from tip_indicators.codelists import codelist, is_destination_code
from tip_indicators.errors import ArgumentError, CodeError
from tip_indicators.findings import Finding, FindingTable
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.nationalities import is_nationality_code

OPEN = 10_000
"""Stands for "no upper age bound" in the vectorised interval arithmetic."""

MAX_AGE = 130
"""The oldest age a record may give."""

_ROW = "_row"
_PLACE = (pl.col("path").fill_null(""), pl.col("line"))
"""A record finding's place: its record's line (a record made in memory is in no file)."""
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


_REGISTRATION_FACTS = (
    ("age", "age"),
    ("birth date", "birth_date"),
    ("age band", "age_band"),
    ("majority", "majority"),
)
_EXPLOITATION_FACTS = (
    ("age at exploitation", "age_exploited"),
    ("majority at exploitation", "majority_exploited"),
)


def _age_facts(exploitation: bool) -> pl.Expr:
    """The age facts a record gives, named and joined with ", " (empty when none)."""
    return _given(_EXPLOITATION_FACTS if exploitation else _REGISTRATION_FACTS)


def _given(names: Sequence[tuple[str, str]], given: Mapping[str, pl.Expr] | None = None) -> pl.Expr:
    """``name value`` for each column of ``names`` (or expression of ``given``) that is
    given, joined with ", "."""
    given = given or {}
    shown = [
        pl.concat_str(pl.lit(f"{name} "), given.get(column, pl.col(column)).cast(pl.String))
        for name, column in names
    ]
    return pl.concat_str(shown, separator=", ", ignore_nulls=True)


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


def _code_judges(catalogue: Catalogue) -> dict[str, Any]:
    """The judge of each coded column (a judge returns None for a valid code, else a hint or
    '')."""
    geo = geo_judge(catalogue)
    majority = set_judge(field_codes("majority"))
    return {
        "sex": set_judge(field_codes("sex"), codelist("sex").suggest),
        "nationality": geo,
        "country": geo,
        "age_band": _age_judge,
        "majority": majority,
        "majority_exploited": majority,
        **{column: set_judge(field_codes(column)) for column in _LISTS},
        "victim_status": set_judge(field_codes("victim_status")),
        "case_status": set_judge(field_codes("case_status")),
        "referrer": organisation_judge,
        "referrals": organisation_judge,
    }


def _code_rows(frame: pl.DataFrame, catalogue: Catalogue) -> list[pl.LazyFrame]:
    """An ``unknown-code`` finding row for every code a column's judge rejects (each code of a
    list apart): every column's distinct codes are fetched in one query and judged once each."""
    judges = _code_judges(catalogue)
    codes = frame.lazy().select(
        *[pl.col(c) for c in judges if c != "referrals"],
        pl.col("referrals").list.eval(pl.element().struct.field("to")),
        "path",
        "line",
    )
    listed = {*_LISTS, "referrals"}

    def values(column: str) -> pl.Expr:
        written = pl.col(column).explode() if column in listed else pl.col(column)
        return written.drop_nulls().unique().implode()

    distinct = codes.select(values(column) for column in judges).pipe(collect).row(0, named=True)
    rows: list[pl.LazyFrame] = []
    for column, judge in judges.items():
        bad: dict[str, str] = {}
        for value in distinct[column]:
            hint = judge(value)
            if hint is not None:
                suggestion = f" (did you mean {hint!r}?)" if hint else ""
                bad[value] = f"{column}: unknown code {value!r}{suggestion}"
        if not bad:
            continue
        lookup = pl.LazyFrame(
            {"_value": list(bad), "message": list(bad.values())},
            schema={"_value": pl.String, "message": pl.String},
        )
        found = codes.select("path", "line", pl.col(column).alias("_value"))
        if column in listed:
            found = found.explode("_value")
        rows.append(
            found.join(lookup, on="_value", how="inner", maintain_order="left").select(
                pl.lit("unknown-code").alias("code"),
                pl.lit(column).alias("field"),
                "message",
                *_PLACE,
            )
        )
    return rows


def _row_checks(unordered: pl.Series) -> list[tuple[str, str, pl.Expr, pl.Expr]]:
    """Every per-row check: finding code, field, mask of failing rows, and its message (an
    expression over the row's columns, ``_first`` being the first line of its case).

    ``unordered`` holds the rows whose referral dates are not in order (found beforehand on the
    few records with several referrals: list sorting over every record would be slow).

    Long because it is a flat table of independent checks, one entry each; splitting it would only
    scatter the table.
    """
    reporter = pl.col("reporter").str.strip_chars()
    conflict = pl.col("_lo") > pl.col("_hi")
    consistent = ~conflict.fill_null(False) & (pl.col("_elo") <= pl.col("_ehi")).fill_null(False)
    first_out = pl.col("referrals").list.first().struct.field("date")
    checks: list[tuple[str, str, pl.Expr, pl.Expr]] = [
        (
            "missing-field",
            "reporter",
            reporter.is_null() | (reporter == ""),
            pl.lit("the reporting organisation is required"),
        ),
        (
            "missing-field",
            "year",
            pl.col("year").is_null() & pl.col("registered").is_null(),
            pl.lit("a registration year or date is required; the record is not counted"),
        ),
        (
            "case-duplicate-id",
            "case_id",
            pl.col("_copy"),
            pl.concat_str(
                pl.lit("case "),
                pl.col("_case_repr"),
                pl.lit(" of "),
                pl.col("reporter").fill_null("None"),
                pl.lit(" is also on line "),
                pl.col("_first").cast(pl.String).fill_null("None"),
                pl.lit("; only the first copy is counted"),
            ),
        ),
        (
            "case-age-conflict",
            "age",
            conflict,
            pl.concat_str(_age_facts(False), pl.lit(" disagree; the age counts as unknown (_U)")),
        ),
        (
            "case-age-conflict",
            "age_exploited",
            pl.col("_elo") > pl.col("_ehi"),
            pl.concat_str(_age_facts(True), pl.lit(" disagree")),
        ),
        (
            "case-age-order",
            "age_exploited",
            consistent & (pl.col("_elo") > pl.col("_hi")),
            pl.concat_str(
                _age_facts(True),
                pl.lit(" is above the age at registration, at most "),
                pl.col("_hi").cast(pl.String),
                pl.lit(" ("),
                _age_facts(False),
                pl.lit(")"),
            ),
        ),
    ]
    for column in ("age", "age_exploited"):
        checks.append(
            (
                "case-invalid-field",
                column,
                (pl.col(column) < 0) | (pl.col(column) > MAX_AGE),
                pl.concat_str(
                    pl.col(column).cast(pl.String), pl.lit(f" is not an age (0 to {MAX_AGE})")
                ),
            )
        )
    for column in _LISTS:
        values = pl.col(column)
        others = values.list.eval(pl.element().filter(pl.element() != "_U").unique().sort())
        checks.append(
            (
                "case-flag-conflict",
                column,
                values.list.contains("_U") & (values.list.len() > values.list.count_matches("_U")),
                pl.concat_str(
                    pl.lit("given as not specified (_U) and as "),
                    others.list.join(", "),
                    pl.lit("; a 'not specified' flag excludes the others of its group"),
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
                pl.concat_str(
                    pl.lit(f"dates out of order: {problem} ("), _dates_given(), pl.lit(")")
                ),
            )
        )
    return checks


def _dates_given() -> pl.Expr:
    """The dates a record gives (a year of 0 counts as not given), named and joined."""
    referrals = pl.col("referrals").list.eval(
        pl.element().struct.field("date").drop_nulls().cast(pl.String)
    )
    given = {
        "year": pl.when(pl.col("year") != 0).then(pl.col("year")),
        "referrals": pl.when(referrals.list.len() > 0).then(referrals.list.join(", ")),
    }
    names = ("registered", "year", "birth_date", "referred_in", "referrals")
    return _given([(name, name) for name in names], given)


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


def record_table(frame: pl.DataFrame, catalogue: Catalogue) -> FindingTable:
    """Every check on a frame with ``_row`` and the age columns (:func:`prepared`), one
    finding row per hit, located at its row and field, in the order the checks are listed
    (unknown codes first); the messages are worded column-wise."""
    checks = _row_checks(_unordered(frame))
    copies = frame.filter(pl.col("_copy")).get_column("case_id").unique()
    case_repr = pl.col("case_id").replace_strict(
        copies, [repr(case) for case in copies.to_list()], default=None, return_dtype=pl.String
    )
    # a copy whose reporter is missing matches no first line, as a join on missing keys would
    first = pl.when(pl.col("reporter").is_not_null()).then(
        pl.col("line").min().over("reporter", "case_id")
    )
    worded = frame.lazy().with_columns(case_repr.alias("_case_repr"), first.alias("_first"))
    found = [
        worded.filter(mask.fill_null(False)).select(
            pl.lit(code).alias("code"),
            pl.lit(field).alias("field"),
            pl.concat_str(pl.lit(f"{field}: "), message).alias("message"),
            *_PLACE,
        )
        for code, field, mask, message in checks
    ]
    rows = pl.concat([*_code_rows(frame, catalogue), *found]).with_columns(
        pl.lit("error").alias("severity")
    )
    return FindingTable.located(rows.pipe(collect))


def check_records(
    records: pl.DataFrame, schema: Mapping[str, pl.DataType], catalogue: Catalogue | None
) -> list[Finding]:
    """The findings of every check on ``records`` (conformed to ``schema``), in report order."""
    table = record_table(prepared(records, schema), catalogue or builtin_catalogue())
    return list(table.in_report_order().findings())
