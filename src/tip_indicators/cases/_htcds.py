"""The HTCDS-aligned case CSV, one row per case: its columns read into case fields, outgoing
referrals paired with their dates, several citizenships noted."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tip_indicators._private.textfile import ReadLimits
from tip_indicators._private.vocabulary import Vocabulary
from tip_indicators.cases import case_schema
from tip_indicators.cases._cells import (
    ROW,
    SEPARATOR,
    Found,
    case_frame,
    case_table,
    date_column,
    field_vocabulary,
    findings_at,
    items,
    multi_codes,
    single_codes,
    whole_number,
)
from tip_indicators.findings import Severity


def _referrals(frame: pl.DataFrame) -> tuple[pl.Series, Found]:
    """Outgoing referrals: organisations and dates, both ';'-separated and paired in order."""
    target, when = "cas_ReferredOrganisation", "cas_OutgoingReferralDate"
    sizes = frame.select(
        ROW,
        "path",
        "line",
        pl.col(target).str.split(SEPARATOR).list.len().fill_null(0).alias("_n"),
        pl.col(when).str.split(SEPARATOR).list.len().alias("_d"),
    )
    mismatch = pl.col("_d").is_not_null() & (pl.col("_d") != pl.col("_n"))
    found = findings_at(
        sizes,
        mismatch,
        "case-invalid-field",
        when,
        pl.format("{} dates for {} referred organisations; the dates are left out", "_d", "_n"),
    )
    skipped = sizes.filter(mismatch).get_column(ROW).implode()
    dates = items(frame, when).filter(~pl.col(ROW).is_in(skipped)).select(ROW, "_pos", when)
    flat = (
        items(frame, target)
        .filter(pl.col(target).is_not_null())
        .join(dates, on=[ROW, "_pos"], how="left", maintain_order="left")
    )
    organisation, bad = single_codes(flat, target, field_vocabulary("referral", "any"))
    found += bad
    day, bad = date_column(flat, when)
    found += bad
    events = (
        flat.with_columns(organisation.alias("to"), day.alias("date"))
        .filter(pl.col("to").is_not_null())
        .group_by(ROW, maintain_order=True)
        .agg(pl.struct("to", "date").alias("_events"))
    )
    lists = (
        frame.select(ROW)
        .join(events, on=ROW, how="left", maintain_order="left")
        .select(
            pl.when(pl.col("_events").is_null())
            .then(pl.lit([], dtype=case_schema()["referrals"]))
            .otherwise(pl.col("_events"))
        )
        .to_series()
    )
    return lists, found


def htcds_records(
    text: str, path: str, limits: ReadLimits, known: Sequence[str], required: Sequence[str]
) -> tuple[pl.DataFrame, Found]:
    """The case frame of an HTCDS file and the findings met reading it.

    Long because it is the layout's map of columns to case fields, one or two lines per HTCDS
    column.
    """
    frame, found = case_table(text, path, limits, known, required)
    found += findings_at(
        frame,
        pl.col("cas_CaseNumber").is_null(),
        "missing-field",
        "cas_CaseNumber",
        pl.lit("a case identifier is required"),
    )
    columns: dict[str, pl.Expr | pl.Series] = {
        "case_id": pl.col("cas_CaseNumber"),
        "reporter": pl.col("org_Name"),
    }
    registered, bad = date_column(frame, "cas_CreatedDate")
    found += bad
    columns["registered"], columns["year"] = registered, registered.dt.year()
    for name, field in (
        ("prs_Birthdate", "birth_date"),
        ("cas_IncomingReferralDate", "referred_in"),
    ):
        columns[field], bad = date_column(frame, name)
        found += bad
    for name, field in (("prs_Age", "age"), ("vic_AgeWhenTrafficked", "age_exploited")):
        columns[field], bad = whole_number(frame, name, "{1,3}", "an age in whole years")
        found += bad
    singles: list[tuple[str, str, Vocabulary]] = [
        ("prs_Gender", "sex", field_vocabulary("sex", "htcds")),
        ("prs_AgeBand", "age_band", field_vocabulary("age", "any")),
        ("vic_CountryOfExploitation", "country", field_vocabulary("country", "any")),
        ("vic_TraffickingStatus", "victim_status", field_vocabulary("victim_status", "htcds")),
        ("cas_Status", "case_status", field_vocabulary("case_status", "htcds")),
        ("cas_ReferringOrganisation", "referrer", field_vocabulary("referral", "any")),
    ]
    for name, field, judge in singles:
        columns[field], bad = single_codes(frame, name, judge)
        found += bad
    for name, field in (
        ("vic_TypeOfExploitation", "exploitation"),
        ("vic_MethodsOfControl", "control"),
        ("vic_RelationshipToTrafficker", "recruiter"),
    ):
        columns[field], bad, _ = multi_codes(frame, name, field_vocabulary(field, "htcds"))
        found += bad
    citizenships, bad, _ = multi_codes(
        frame, "prs_Citizenship", field_vocabulary("country", "any"), ordered=True
    )
    found += bad
    columns["nationality"] = citizenships.list.first()
    several = frame.with_columns(citizenships.alias("_all"))
    found += findings_at(
        several,
        pl.col("_all").list.len() > 1,
        "case-dual-citizenship",
        "prs_Citizenship",
        pl.format(
            "several citizenships ({}); the case counts under the first, {}",
            pl.col("_all").list.join(", "),
            pl.col("_all").list.first(),
        ),
        severity=Severity.INFO,
    )
    columns["referrals"], bad = _referrals(frame)
    found += bad
    return case_frame(frame, columns), found
