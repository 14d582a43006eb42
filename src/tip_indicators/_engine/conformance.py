"""Conformance to a profile: allowed reporters, registered organisations, required breakdowns.

These are level-0 checks that only a profile can make: the built-in profile restricts nothing.
"""

from __future__ import annotations

import polars as pl

from tip_indicators._engine.base import ID, Run
from tip_indicators.findings import Severity, messages

_ORGANISATION_COLUMNS = ("reporter", "destination", "referrer")


def evaluate_conformance(run: Run) -> None:
    """Report rows whose reporter or organisation the profile does not allow, and missing
    breakdowns the profile requires."""
    profile = run.profile
    frame = run.frame
    if profile.reporters:
        parts = frame.select(ID, pl.col("reporter").str.split("+").alias("part")).explode("part")
        bad = parts.filter(~pl.col("part").is_in(sorted(profile.reporters)))
        _flag(run, bad, "reporter", "reporter-not-allowed")
    if profile.restrict_organisations:
        for column in _ORGANISATION_COLUMNS:
            if column not in frame.columns:
                continue
            parts = frame.select(ID, pl.col(column).str.split("+").alias("part")).explode("part")
            bad = parts.filter(
                pl.col("part").str.contains(r"\.")
                & ~pl.col("part").is_in(sorted(profile.organisations))
            )
            _flag(run, bad, column, "unknown-organisation")
    for indicator, dimensions in profile.required.items():
        totals = run.levels().filter(pl.col("indicator") == indicator)
        for dimension in dimensions:
            if dimension not in run.dimensions:
                given = totals.head(0)
            else:
                given = totals.filter(pl.col(dimension) != "_T")
            anchors = totals.filter(pl.all_horizontal([pl.col(d) == "_T" for d in run.dimensions]))
            covered = given.select("period", "reporter").unique()
            missing = anchors.join(covered, on=["period", "reporter"], how="anti")
            missing = run.with_texts(missing, total=ID)
            run.record(
                missing,
                code="breakdown-missing",
                severity=Severity.ERROR.value,
                message=messages.breakdown_missing(
                    total=pl.col("total_label"),
                    profile=pl.lit(profile.label),
                    dimension=pl.lit(dimension),
                ),
                rule=f"required.{indicator}.{dimension}",
                located_at=ID,
                cited=pl.concat_list(ID),
            )


def _flag(run: Run, bad: pl.DataFrame, column: str, code: str) -> None:
    if bad.height == 0:
        return
    written = bad.get_column("part").unique()
    quoted = bad.get_column("part").replace_strict(
        written, [repr(part) for part in written.to_list()], return_dtype=pl.String
    )
    run.record(
        bad.with_columns(quoted.alias("_quoted")),
        code=code,
        severity=Severity.ERROR.value,
        message=messages.not_in_profile(
            column=pl.lit(column),
            quoted=pl.col("_quoted"),
            profile=pl.lit(run.profile.label),
            organisation=code == "unknown-organisation",
        ),
        rule=f"profile.{code}",
        located_at=ID,
        field=column,
        cited=pl.concat_list(ID),
    )
