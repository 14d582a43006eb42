"""Case records: one row per victim case (aligned with IOM's HTCDS), their checks, and aggregates.

Coalitions whose members fill in a record sheet per case, and case-level exports such as CTDC's,
turn into standard indicators here: :func:`check_records` finds defects at their row, and
:func:`aggregate` counts the records into a :class:`~tip_indicators.datasets.Dataset` whose
breakdowns add up by construction. Records are a polars frame (:func:`case_schema`); no Python
object is made per record.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import functools
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from tip_indicators._private.resources import read_table
from tip_indicators._private.validate import dimensions_of, validate_raw
from tip_indicators.ages import AgeBand, age_alias, parse_age, partition_problems, sort_bands
from tip_indicators.codelists import (
    DESTINATION_TYPES,
    codelist,
    is_destination_code,
    normalise_label,
)
from tip_indicators.datasets import Dataset, InputFile, Metadata
from tip_indicators.errors import CodeError, DefinitionError, TipIndicatorsError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue
from tip_indicators.nationalities import canonical_nationality, is_nationality_code

__all__ = [
    "CASE_FIELDS",
    "DEFAULT_BANDS",
    "CaseRecord",
    "Referral",
    "add_aggregate_arguments",
    "aggregate",
    "aggregate_command",
    "case_alias",
    "case_codes",
    "case_frame",
    "case_schema",
    "case_vocabulary",
    "check_records",
    "record_json_schema",
]

CASE_FIELDS = ("sex", "exploitation", "control", "recruiter", "victim_status", "case_status")
"""Case fields coded through ``case_codes.tsv`` (plus ``organisation`` and ``majority``)."""

DEFAULT_BANDS = ("Y_LT18", "Y_GE18")
"""The age bands used when none are requested: children and adults."""

_ROW = "_row"
_OPEN = 10_000  # stands for "no upper age bound" in the vectorised interval arithmetic
_MAX_AGE = 130
_LISTS = ("exploitation", "control", "recruiter")
_REFERRAL = pl.Struct({"to": pl.String(), "date": pl.Date()})
_VOCABULARIES = ("ours", "htcds", "ctdc", "ctdc-flag", "ctdc-label")
_SUPPORTED = ("sex", "age", "nationality", "country", "exploitation", "destination", "referrer")
_COLUMN_DIMENSIONS = ("sex", "nationality", "country", "referrer")
_DIMENSION_ALIASES = {"citizenship": "nationality", "gender": "sex", "form": "exploitation"}
_OVERLAP_NOTE = "forms of exploitation overlap: a victim is counted under each form suffered"
_RETAINED_STATUSES = ("OPEN", "MONITORING")
_INTAKE = "victims_received"


def case_schema() -> dict[str, pl.DataType]:
    """The columns of a case-record frame and their types, in order.

    ``age`` is the age at registration in whole years; ``age_band`` and ``majority`` are age codes
    (``Y9T17``; ``Y_LT18`` or ``Y_GE18``) for when only a band is known; lists hold every form of
    exploitation, means of control and recruiter relation that applies (``_U``: given as not
    specified); ``referrals`` are the outgoing referrals in the order made; ``path`` and ``line``
    locate the record in its input.
    """
    return {
        "case_id": pl.String(),
        "reporter": pl.String(),
        "registered": pl.Date(),
        "year": pl.Int32(),
        "sex": pl.String(),
        "birth_date": pl.Date(),
        "age": pl.Int32(),
        "age_band": pl.String(),
        "majority": pl.String(),
        "age_exploited": pl.Int32(),
        "majority_exploited": pl.String(),
        "nationality": pl.String(),
        "country": pl.String(),
        "exploitation": pl.List(pl.String()),
        "control": pl.List(pl.String()),
        "recruiter": pl.List(pl.String()),
        "victim_status": pl.String(),
        "case_status": pl.String(),
        "referrer": pl.String(),
        "referred_in": pl.Date(),
        "referrals": pl.List(_REFERRAL),
        "path": pl.String(),
        "line": pl.Int64(),
    }


class Referral(BaseModel):
    """One outgoing referral of a case: the organisation it went to and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    to: str = Field(description="Destination code: NGO.AFESIP, GOV, FAMILY, ...")
    date: datetime.date | None = None


class CaseRecord(BaseModel):
    """One case record as JSON (for the published JSON Schema; bulk data stays columnar)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Case record")

    case_id: str | None = Field(None, description="Case identifier, unique per reporter.")
    reporter: str = Field(description="Reporting organisation (NGO.AFESIP).")
    registered: datetime.date | None = Field(None, description="Registration date.")
    year: int | None = Field(None, description="Registration year, when no date is known.")
    sex: str | None = Field(None, description="Sex code: F, M, _O, _U.")
    birth_date: datetime.date | None = None
    age: int | None = Field(None, ge=0, le=_MAX_AGE, description="Age at registration.")
    age_band: str | None = Field(None, description="Age code when only a band is known.")
    majority: str | None = Field(None, description="Y_LT18 (minor) or Y_GE18 (adult).")
    age_exploited: int | None = Field(None, ge=0, le=_MAX_AGE)
    majority_exploited: str | None = None
    nationality: str | None = Field(None, description="Citizenship: ISO 3166-1 alpha-2.")
    country: str | None = Field(None, description="Country of exploitation: ISO 3166-1.")
    exploitation: list[str] = Field(default_factory=list, description="Forms (several may apply).")
    control: list[str] = Field(default_factory=list, description="Means of control.")
    recruiter: list[str] = Field(default_factory=list, description="Recruiter relations.")
    victim_status: str | None = Field(None, description="ACTUAL, POSSIBLE or NOT.")
    case_status: str | None = Field(None, description="OPEN, MONITORING, CLOSED, ...")
    referrer: str | None = Field(None, description="Who referred the case in.")
    referred_in: datetime.date | None = None
    referrals: list[Referral] = Field(default_factory=list)


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one case record."""
    schema = CaseRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def case_frame(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Build a case-record frame from mappings of column to value; absent columns are null."""
    schema = case_schema()
    data: dict[str, list[Any]] = {name: [] for name in schema}
    for row in rows:
        unknown = set(row) - set(schema)
        if unknown:
            raise ValueError(f"case_frame: unknown columns {sorted(unknown)}")
        for name in schema:
            data[name].append(row.get(name))
    return pl.DataFrame(data, schema=schema)


def _conform(records: pl.DataFrame) -> pl.DataFrame:
    """The frame with every case column, of its type; missing columns become null."""
    columns: list[pl.Expr] = []
    for name, dtype in case_schema().items():
        if name not in records.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif records.schema[name] == pl.Null():
            columns.append(pl.col(name).cast(dtype))
        elif records.schema[name] != dtype:
            raise ValueError(
                f"case records: column {name!r} is {records.schema[name]}, not {dtype}"
            )
        else:
            columns.append(pl.col(name))
    return records.select(columns)


# ---------------------------------------------------------------- codes and aliases


@attrs.frozen
class _Table:
    codes: Mapping[str, Mapping[str, str]]
    aliases: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]
    written: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]


def _external_codes(field: str) -> dict[str, str] | None:
    if field in {"sex", "exploitation"}:
        return {code.code: code.name for code in codelist(field) if code.code != "_T"}
    if field == "case_status":
        dimension = builtin_catalogue().dimension("case_status")
        return {code: code for code in dimension.codes if code != "_T"}
    if field == "organisation":
        return {code: code for code in DESTINATION_TYPES}
    if field == "majority":
        return {"Y_LT18": "Minor", "Y_GE18": "Adult"}
    return None


@functools.cache
def _table() -> _Table:
    source = "case_codes.tsv"
    rows = read_table(source)
    ours: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["vocabulary"] == "ours":
            ours.setdefault(row["field"], {})[row["code"]] = row["alias"]
    codes: dict[str, Mapping[str, str]] = {}
    aliases: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    written: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    for row in rows:
        field, vocabulary, alias, code = (row[c] for c in ("field", "vocabulary", "alias", "code"))
        known = _external_codes(field)
        valid = ours.get(field, {}) if known is None else known
        if vocabulary not in _VOCABULARIES or code not in valid or not alias.strip():
            reason = f"{field}/{vocabulary}: {alias!r} -> {code!r} is not a valid mapping"
            raise DefinitionError(source, reason)
        codes[field] = valid
        key = alias.strip() if vocabulary == "ctdc-flag" else normalise_label(alias)
        found = aliases.setdefault((field, vocabulary), {})
        if code in found.get(key, ()):
            raise DefinitionError(source, f"{field}/{vocabulary}: {alias!r} -> {code!r} twice")
        found[key] = (*found.get(key, ()), code)
        shown = written.setdefault((field, vocabulary), {})
        shown[alias.strip()] = (*shown.get(alias.strip(), ()), code)
    return _Table(codes, aliases, written)


def case_codes(field: str) -> Mapping[str, str]:
    """The valid codes of a case field (see :data:`CASE_FIELDS`), each with its name."""
    table = _table()
    if field not in table.codes:
        raise CodeError("case field", field, _closest(field, tuple(table.codes)))
    return table.codes[field]


def case_vocabulary(field: str, vocabulary: str) -> Mapping[str, tuple[str, ...]]:
    """Every alias a source ``vocabulary`` uses for ``field``, as written, with its codes."""
    case_codes(field)
    if vocabulary not in _VOCABULARIES:
        raise CodeError("vocabulary", vocabulary, _closest(vocabulary, _VOCABULARIES))
    return _table().written.get((field, vocabulary), {})


def case_alias(field: str, vocabulary: str, text: str) -> tuple[str, ...]:
    """Map a source value to its codes; one of our own codes maps to itself.

    White space around the value is trimmed; case and runs of white space are ignored. Raises
    CodeError (with the nearest alias's code as a hint) for an unknown value.
    """
    valid = case_codes(field)
    case_vocabulary(field, vocabulary)
    stripped = text.strip()
    if stripped in valid:
        return (stripped,)
    table = _table().aliases.get((field, vocabulary), {})
    key = stripped if vocabulary == "ctdc-flag" else normalise_label(text)
    if key in table:
        return table[key]
    close = _closest(key, tuple(table))
    hint = table[close][0] if close else None
    if hint is None and field in {"sex", "exploitation"}:
        hint = codelist(field).suggest(text)
    raise CodeError(field, text, hint)


def _closest(text: str, options: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(text, options, n=1, cutoff=0.75)
    return found[0] if found else None


# ---------------------------------------------------------------- record checks


def _finding(
    code: str, row: Mapping[str, Any], field: str, message: str, severity: Severity
) -> Finding:
    location = Location(str(row.get("path") or ""), row.get("line"), field)
    return Finding(code, severity, f"{field}: {message}", location=location)


def _band_bounds(frame: pl.DataFrame, column: str) -> tuple[pl.Expr, pl.Expr]:
    """Low and high age (high ``_OPEN`` when unbounded) of the age codes in ``column``."""
    lows: dict[str, int] = {}
    highs: dict[str, int] = {}
    for code in frame.get_column(column).drop_nulls().unique().to_list():
        try:
            band = parse_age(code)
        except CodeError:
            continue
        if band.low is not None and not band.is_total:
            lows[code] = band.low
            highs[code] = _OPEN if band.high is None else band.high
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


def _set_judge(valid: Iterable[str], suggest: Any = None) -> Any:
    allowed = frozenset(valid)

    def judge(value: str) -> str | None:
        if value in allowed:
            return None
        hint = suggest(value) if suggest else _closest(value.strip(), sorted(allowed))
        return hint or ""

    return judge


def _geo_judge(catalogue: Catalogue) -> Any:
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


def _organisation_judge(value: str) -> str | None:
    if value != "_T" and is_destination_code(value):
        return None
    return codelist("destination_type").suggest(value) or ""


def _code_findings(frame: pl.DataFrame, catalogue: Catalogue) -> list[Finding]:
    found = _judge_codes(frame, "sex", _set_judge(case_codes("sex"), codelist("sex").suggest))
    for column in ("nationality", "country"):
        found += _judge_codes(frame, column, _geo_judge(catalogue))
    found += _judge_codes(frame, "age_band", _age_judge)
    for column in ("majority", "majority_exploited"):
        found += _judge_codes(frame, column, _set_judge(case_codes("majority")))
    for column in _LISTS:
        found += _judge_codes(frame, column, _set_judge(case_codes(column)), listed=True)
    for column in ("victim_status", "case_status"):
        found += _judge_codes(frame, column, _set_judge(case_codes(column)))
    found += _judge_codes(frame, "referrer", _organisation_judge)
    targets = frame.with_columns(pl.col("referrals").list.eval(pl.element().struct.field("to")))
    found += _judge_codes(targets, "referrals", _organisation_judge, listed=True)
    return found


_Message = Callable[[Mapping[str, Any]], str]


def _row_checks(unordered: pl.Series) -> list[tuple[str, str, pl.Expr, _Message]]:
    """Every per-row check: finding code, field, mask of failing rows, and its message.

    ``unordered`` holds the rows whose referral dates are not in order (found beforehand on the
    few records with several referrals: list sorting over every record would be slow).
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
                (pl.col(column) < 0) | (pl.col(column) > _MAX_AGE),
                lambda row, c=column: f"{row[c]} is not an age (0 to {_MAX_AGE})",  # type: ignore[misc]
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


def _prepared(records: pl.DataFrame) -> pl.DataFrame:
    """Records with ``_row``, the age intervals, and ``_copy``: a repeated (reporter, case_id)."""
    frame = _with_ages(_conform(records).with_row_index(_ROW))
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


def _check(frame: pl.DataFrame, catalogue: Catalogue) -> list[Finding]:
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


def check_records(records: pl.DataFrame, *, catalogue: Catalogue | None = None) -> list[Finding]:
    """Check every case record and return the findings, each located at its row and field.

    Checks: required fields, duplicate case identifiers, codes, agreement of the age facts
    (age, birth date, age band, majority status), age at exploitation not above age at
    registration, 'not specified' alone in its group, and dates in order.
    """
    found = _check(_prepared(records), catalogue or builtin_catalogue())
    return sorted(found, key=lambda finding: finding.sort_key)


# ---------------------------------------------------------------- aggregation


def _parse_bands(bands: Iterable[str] | None) -> tuple[AgeBand, ...]:
    """The requested bands, read as codes or source labels; they must partition all ages."""
    given = tuple(DEFAULT_BANDS if bands is None else bands)
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
            raise CodeError(f"breakdown of {indicator.code}", text, _closest(name, allowed))
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
        high = _OPEN if band.high is None else band.high
        chain = chain.when((pl.col("_lo") >= band.low) & (pl.col("_hi") <= high)).then(
            pl.lit(band.code)
        )
    result: pl.Expr = chain.otherwise(pl.lit("_U"))
    return result


def _destination(frame: pl.DataFrame) -> pl.Expr:
    """The first outgoing referral's destination; with none, RETAINED while the case is open."""
    first = pl.col("referrals").list.first().struct.field("to")
    mapping = _known(frame.select(first).to_series(), _organisation_judge)
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
    geo = _geo_judge(catalogue)
    keys: list[pl.Expr] = []
    for dimension in dimensions:
        column = frame.get_column(dimension) if dimension in _COLUMN_DIMENSIONS else None
        if dimension == "sex" and column is not None:
            expr = _mapped(pl.col("sex"), _known(column, _set_judge(case_codes("sex"))))
        elif dimension == "age":
            expr = _age_key(bands)
        elif dimension in {"nationality", "country"} and column is not None:
            expr = _mapped(pl.col(dimension), _known(column, geo, canonical_nationality))
        elif dimension == "exploitation":
            valid = [c for c in case_codes("exploitation") if c != "_U"]
            forms = pl.col("exploitation").list.eval(pl.element().filter(pl.element().is_in(valid)))
            expr = pl.when(forms.list.len() > 0).then(forms).otherwise(pl.lit(["_U"]))
        elif dimension == "referrer" and column is not None:
            expr = _mapped(pl.col("referrer"), _known(column, _organisation_judge))
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
        low, high = row["_lo"], None if row["_hi"] >= _OPEN else row["_hi"]
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
    by: Iterable[str] = (),
    bands: Iterable[str] | None = None,
    *,
    indicator: str = "victims_identified",
    reporter: str | None = None,
    catalogue: Catalogue | None = None,
    path: str = "<aggregate>",
    source: str | None = None,
    inputs: Sequence[InputFile] = (),
) -> Dataset:
    """Count case records into ``indicator`` by period (registration year) and reporter.

    ``by`` names breakdowns (sex, age, nationality or citizenship, country, exploitation,
    destination, referrer); every combination of them is given, totals included, so each
    breakdown adds up to its total. ``bands`` (age codes or source labels, default
    :data:`DEFAULT_BANDS`) must partition all ages. A victim suffering several forms of
    exploitation is counted under each (the breakdown does not partition; each such row says so).
    ``reporter`` counts every record under one reporter (a coalition's roll-up). Records of
    persons found not to be victims count only for ``victims_received`` (the intake). The
    dataset's problems are the record checks and what aggregation could not place; its rows are
    located at ``path`` as :func:`~tip_indicators.io.longcsv.write_long_csv` writes them.
    """
    catalogue = catalogue or builtin_catalogue()
    definition = catalogue.indicator(indicator)
    if definition.unit != "person":
        raise ValueError(f"aggregate(indicator={indicator!r}): case records count persons")
    dimensions = _dimensions(by, definition)
    chosen_bands = _parse_bands(bands)
    frame = _prepared(records)
    problems = _check(frame, catalogue)
    stripped = pl.col("reporter").str.strip_chars()
    no_reporter = (stripped.is_null() | (stripped == "")) & pl.lit(reporter is None)
    no_year = pl.col("year").is_null() & pl.col("registered").is_null()
    copy = pl.col("_copy")
    not_victim = (pl.col("victim_status") == "NOT").fill_null(False) & pl.lit(indicator != _INTAKE)
    mask, excluded = _not_counted(
        frame,
        [
            (no_reporter, "no reporting organisation", Severity.WARNING),
            (~no_reporter & no_year, "no registration year", Severity.WARNING),
            (~no_reporter & ~no_year & copy, "a repeated case identifier", Severity.WARNING),
            (
                ~no_reporter & ~no_year & ~copy & not_victim,
                f"found not to be victims of trafficking (they count for {_INTAKE} only)",
                Severity.INFO,
            ),
        ],
    )
    problems += excluded
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
        problems=tuple(sorted([*problems, *findings], key=lambda finding: finding.sort_key)),
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


# ---------------------------------------------------------------- command line


def add_aggregate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``tip-indicators aggregate`` to ``parser``."""
    parser.add_argument("paths", nargs="+", metavar="CASES", help="case-record CSV files")
    parser.add_argument(
        "--layout",
        choices=["auto", "htcds", "ctdc"],
        default="auto",
        help="the files' layout (default: told by the header)",
    )
    parser.add_argument(
        "--by",
        default="",
        help="comma-separated breakdowns: sex, age, nationality (or citizenship), country, "
        "exploitation, destination, referrer",
    )
    parser.add_argument(
        "--bands",
        default=",".join(DEFAULT_BANDS),
        help="comma-separated age bands: codes (Y_LT15) or CTDC labels (9--17); they must "
        f"partition all ages (default: {','.join(DEFAULT_BANDS)})",
    )
    parser.add_argument(
        "--indicator",
        default="victims_identified",
        help=f"the indicator counted (default victims_identified; {_INTAKE} for intake records)",
    )
    parser.add_argument(
        "--reporter", help="count every record under this reporter (a coalition's roll-up)"
    )
    parser.add_argument(
        "--ctdc-reporter", default="CTDC", help="reporter of CTDC-layout files (default: CTDC)"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text", help="report format")
    parser.add_argument(
        "--fail-on",
        choices=["error", "warning", "info"],
        default="error",
        help="the least severe finding that makes the exit status 1 (default: error)",
    )
    parser.add_argument(
        "-o", "--output", help="write the aggregates here as long CSV (default: standard output)"
    )


def aggregate_command(args: argparse.Namespace) -> int:
    """Run ``tip-indicators aggregate``: read, check and aggregate case files, then report.

    The aggregates go to ``--output`` (long CSV) or standard output; the report of every finding
    (reading, record checks, aggregation, and the aggregate checks) goes to standard output when
    ``--output`` is given, else to standard error. Returns 1 when a finding reaches
    ``--fail-on``, else 0; an unreadable input or a bad option raises a TipIndicatorsError.
    """
    from tip_indicators.check import check
    from tip_indicators.io.cases import read_cases
    from tip_indicators.io.longcsv import write_long_csv
    from tip_indicators.render import report_json, report_text

    by = [item for item in args.by.split(",") if item.strip()]
    bands = [item for item in args.bands.split(",") if item.strip()]
    files = [
        read_cases(p, layout=args.layout, ctdc_reporter=args.ctdc_reporter) for p in args.paths
    ]
    records = pl.concat([item.records for item in files], how="vertical")
    target = args.output or "<stdout>"
    dataset = aggregate(
        records,
        by,
        bands,
        indicator=args.indicator,
        reporter=args.reporter,
        path=target,
        source=f"case records: {', '.join(os.path.basename(p) for p in args.paths)}",
        inputs=[item.input for item in files],
    )
    reading = [finding for item in files for finding in item.findings]
    dataset = attrs.evolve(dataset, problems=(*reading, *dataset.problems))
    report = check(dataset)
    if args.output is None:
        write_long_csv(dataset, sys.stdout)
    else:
        try:
            write_long_csv(dataset, args.output)
        except OSError as error:
            reason = f"{args.output}: cannot write: {error.strerror or error}"
            raise TipIndicatorsError(reason) from None
    stream = sys.stdout if args.output is not None else sys.stderr
    if args.format == "json":
        stream.write(report_json(report) + "\n")
    else:
        stream.write(report_text(report))
    return 1 if report.failed(Severity(args.fail_on)) else 0
