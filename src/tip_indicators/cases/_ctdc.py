"""The CTDC case-level layout: single columns mapped to codes, and each flag group read from its
one-hot flags, else from its concatenated column, a disagreement between the two a finding."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tip_indicators._private.textfile import ReadLimits
from tip_indicators._private.vocabulary import Vocabulary
from tip_indicators.cases import case_vocabulary
from tip_indicators.cases._cells import (
    CODES,
    MISSING,
    ROW,
    Found,
    case_frame,
    case_table,
    field_vocabulary,
    findings_at,
    multi_codes,
    single_codes,
    whole_number,
)

CONCATENATED = {
    "exploitation": "typeOfExploitConcatenated",
    "control": "meansOfControlConcatenated",
    "recruiter": "RecruiterRelationship",
}
CTDC_SINGLE = {
    "yearOfRegistration": "year",
    "gender": "sex",
    "ageBroad": "age_band",
    "majorityStatus": "majority",
    "majorityStatusAtExploit": "majority_exploited",
    "citizenship": "nationality",
    "CountryOfExploitation": "country",
}
NO_COUNTRY = ("0", "00", "-99", "")
TRUE = ("1", "1.0", "true", "True", "TRUE")
FALSE = ("0", "0.0", "false", "False", "FALSE")


def _flags(frame: pl.DataFrame, column: str) -> tuple[pl.Expr, Found, pl.Expr]:
    """A one-hot column as 1, 0 or null (missing), its findings, and a mask of unreadable cells."""
    text = pl.col(column)
    value = (
        pl.when(text.is_in(list(TRUE)))
        .then(pl.lit(1, pl.Int8))
        .when(text.is_in(list(FALSE)))
        .then(pl.lit(0, pl.Int8))
        .otherwise(pl.lit(None, pl.Int8))
    )
    bad = text.is_not_null() & ~text.is_in([*TRUE, *FALSE, *MISSING])
    message = pl.format("'{}' is not a flag (1, 0, or -99 or empty for missing)", text)
    return value, findings_at(frame, bad, "case-invalid-field", column, message), bad


def _group(frame: pl.DataFrame, field: str) -> tuple[pl.Series, Found]:
    """The codes of one flag group: from its one-hot flags, else from its concatenated column."""
    concatenated = CONCATENATED[field]
    flags = case_vocabulary(field, "ctdc-flag")
    found: Found = []
    parts: list[pl.Expr] = []
    known: list[pl.Expr] = []
    unreadable: list[pl.Expr] = [pl.lit(False)]
    setting: dict[str, list[pl.Expr]] = {}
    for column in flags:
        value, bad, mask = _flags(frame, column)
        found += bad
        for code in flags[column]:
            setting.setdefault(code, []).append(value == 1)
        known.append(value.is_not_null())
        unreadable.append(mask)
    for code in sorted(setting):
        parts.append(pl.when(pl.any_horizontal(setting[code])).then(pl.lit(code)))
    labels, bad, bad_rows = multi_codes(
        frame.with_columns(pl.col(concatenated).replace(list(MISSING), None)),
        concatenated,
        field_vocabulary(field, "ctdc-label"),
    )
    found += bad
    from_flags = _listed(parts) if parts else None
    stated = pl.col(concatenated).is_not_null() & ~pl.col(concatenated).is_in(list(MISSING))
    flags_known = pl.any_horizontal(known) if known else pl.lit(False)
    work = frame.with_columns(
        (from_flags if from_flags is not None else pl.lit([], dtype=CODES)).alias("_flags"),
        labels.alias("_labels"),
        flags_known.alias("_known"),
        stated.alias("_stated"),
        pl.any_horizontal(unreadable).alias("_unreadable"),
    )
    mismatch = (
        pl.col("_known")
        & pl.col("_stated")
        & (pl.col("_flags") != pl.col("_labels"))
        & ~pl.col("_unreadable")
        & ~pl.col(ROW).is_in(bad_rows.implode())
    )
    message = pl.format(
        "'{}' gives {} but the one-hot flags give {}; the flags are used",
        pl.col(concatenated),
        pl.col("_labels").list.join(", "),
        pl.when(pl.col("_flags").list.len() > 0)
        .then(pl.col("_flags").list.join(", "))
        .otherwise(pl.lit("none")),
    )
    found += findings_at(work, mismatch, "case-flags-mismatch", concatenated, message)
    result = work.select(
        pl.when(pl.col("_known"))
        .then(pl.col("_flags"))
        .when(pl.col("_stated"))
        .then(pl.col("_labels"))
        .otherwise(pl.lit([], dtype=CODES))
    ).to_series()
    return result, found


def _listed(parts: list[pl.Expr]) -> pl.Expr:
    """The non-null texts of ``parts`` as a list, in order. Joined and split again: a list
    made of a column per part and its nulls dropped took five times as long (1.1 s for 18
    flags of 200,000 records)."""
    joined = pl.concat_str(parts, separator=_UNIT, ignore_nulls=True)
    return pl.when(joined == "").then(pl.lit([], dtype=CODES)).otherwise(joined.str.split(_UNIT))


_UNIT = "\x1f"
"""The unit separator: in no code."""


def ctdc_records(
    text: str, path: str, reporter: str, limits: ReadLimits, known: Sequence[str]
) -> tuple[pl.DataFrame, Found]:
    """The case frame of a CTDC file, every record reported by ``reporter``, and the findings."""
    frame, found = case_table(text, path, limits, known, ("yearOfRegistration",))
    columns: dict[str, pl.Expr | pl.Series] = {"reporter": pl.lit(reporter)}
    columns["year"], bad = whole_number(frame, "yearOfRegistration", "{4}", "a year", MISSING)
    found += bad
    majority = field_vocabulary("majority", "ctdc")
    singles: list[tuple[str, str, Vocabulary, Sequence[str]]] = [
        ("gender", "sex", field_vocabulary("sex", "ctdc"), MISSING),
        ("ageBroad", "age_band", field_vocabulary("age", "ctdc"), MISSING),
        ("majorityStatus", "majority", majority, MISSING),
        (
            "majorityStatusAtExploit",
            "majority_exploited",
            field_vocabulary("majority", "ctdc"),
            MISSING,
        ),
        ("citizenship", "nationality", field_vocabulary("country", "any"), NO_COUNTRY),
        ("CountryOfExploitation", "country", field_vocabulary("country", "any"), NO_COUNTRY),
    ]
    for name, field, judge, skip in singles:
        columns[field], bad = single_codes(frame, name, judge, skip)
        found += bad
    for field in CONCATENATED:
        columns[field], bad = _group(frame, field)
        found += bad
    return case_frame(frame, columns), found
