"""Case records: one row per victim case (aligned with IOM's HTCDS), their checks, and aggregates.

Coalitions whose members fill in a record sheet per case, and case-level exports such as CTDC's,
turn into standard indicators here: :func:`check_records` finds defects at their row, and
:func:`aggregate` counts the records into a :class:`~tip_indicators.datasets.Dataset` whose
breakdowns add up by construction. Records are a polars frame (:func:`case_schema`); no Python
object is made per record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from tip_indicators.cases import _aggregate, _checks
from tip_indicators.cases._checks import MAX_AGE
from tip_indicators.cases._codes import VOCABULARIES, closest, code_table, field_codes
from tip_indicators.codelists import codelist, normalise_label
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import ArgumentError, CodeError
from tip_indicators.findings import Finding
from tip_indicators.indicators import Catalogue

__all__ = [
    "CASE_FIELDS",
    "DEFAULT_BANDS",
    "CaseRecord",
    "Referral",
    "aggregate",
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

_REFERRAL = pl.Struct({"to": pl.String(), "date": pl.Date()})


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
    age: int | None = Field(None, ge=0, le=MAX_AGE, description="Age at registration.")
    age_band: str | None = Field(None, description="Age code when only a band is known.")
    majority: str | None = Field(None, description="Y_LT18 (minor) or Y_GE18 (adult).")
    age_exploited: int | None = Field(None, ge=0, le=MAX_AGE)
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
    for number, row in enumerate(rows):
        unknown = set(row) - set(schema)
        if unknown:
            reason = f"unknown columns {sorted(unknown)} (case_schema() names the columns)"
            raise ArgumentError(f"rows[{number}]", row, reason)
        for name in schema:
            data[name].append(row.get(name))
    return pl.DataFrame(data, schema=schema)


# ---------------------------------------------------------------- codes and aliases


def case_codes(field: str) -> Mapping[str, str]:
    """The valid codes of a case field (see :data:`CASE_FIELDS`), each with its name."""
    return field_codes(field)


def case_vocabulary(field: str, vocabulary: str) -> Mapping[str, tuple[str, ...]]:
    """Every alias a source ``vocabulary`` uses for ``field``, as written, with its codes."""
    case_codes(field)
    if vocabulary not in VOCABULARIES:
        raise CodeError("vocabulary", vocabulary, closest(vocabulary, VOCABULARIES))
    return code_table().written.get((field, vocabulary), {})


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
    table = code_table().aliases.get((field, vocabulary), {})
    key = stripped if vocabulary == "ctdc-flag" else normalise_label(text)
    if key in table:
        return table[key]
    close = closest(key, tuple(table))
    hint = table[close][0] if close else None
    if hint is None and field in {"sex", "exploitation"}:
        hint = codelist(field).suggest(text)
    raise CodeError(field, text, hint)


# ---------------------------------------------------------------- checks and aggregation


def check_records(records: pl.DataFrame, *, catalogue: Catalogue | None = None) -> list[Finding]:
    """Check every case record and return the findings, each located at its row and field.

    Checks: required fields, duplicate case identifiers, codes, agreement of the age facts
    (age, birth date, age band, majority status), age at exploitation not above age at
    registration, 'not specified' alone in its group, and dates in order.
    """
    return _checks.check_records(records, case_schema(), catalogue)


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
    return _aggregate.aggregate(
        records,
        case_schema(),
        by,
        DEFAULT_BANDS if bands is None else bands,
        indicator=indicator,
        reporter=reporter,
        catalogue=catalogue,
        path=path,
        source=source,
        inputs=inputs,
    )
