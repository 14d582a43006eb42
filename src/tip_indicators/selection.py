"""Choosing which findings count: by finding code or rule family, and against a baseline.

A CI check adopted on a repository with known problems needs to fail on new findings only
(a baseline: the JSON report of an accepted run), and a team may look at one kind of finding at
a time (``--select partition``) or set one aside (``--ignore duplicate-identical``). A token is a
finding code (``change-mismatch``), a rule family (``partition``, ``change``, ``mirror``...), or
a rule (``partition.sex``); an unknown token is an error with the closest known one as a hint,
never silently a selection of nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from tip_indicators._private.nearest import closest
from tip_indicators.errors import ArgumentError
from tip_indicators.findings import FindingTable, finding_codes
from tip_indicators.findings.frame import path_texts
from tip_indicators.rules import Family

__all__ = ["BASELINE_KEY", "baseline_mask", "known_tokens", "selection_mask"]

BASELINE_KEY = ("code", "rule", "path", "message")
"""What makes a finding the same as one in a baseline: its code, rule, file and message (not
its line, which moves when rows are added above it)."""


def known_tokens() -> tuple[str, ...]:
    """Every finding code and rule family a selection may name."""
    return (*finding_codes(), *(family.value for family in Family))


def _checked(tokens: Iterable[str], option: str) -> list[str]:
    known = set(known_tokens())
    chosen = [token.strip() for token in tokens if token.strip()]
    for token in chosen:
        if token in known or token.split(".", 1)[0] in known:
            continue
        hint = closest(token, sorted(known))
        reason = "not a finding code or rule family" + (
            f" (did you mean {hint!r}?)" if hint else ""
        )
        raise ArgumentError(option, token, reason)
    return chosen


def _matches(tokens: Sequence[str]) -> pl.Expr:
    """Findings whose code, rule or rule family is one of ``tokens``."""
    rule = pl.col("rule").fill_null("")
    family = rule.str.split(".").list.first()
    return (
        pl.col("code").is_in(list(tokens)) | rule.is_in(list(tokens)) | family.is_in(list(tokens))
    )


def selection_mask(
    table: FindingTable, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> pl.Series:
    """Which findings of ``table`` to keep: those ``select`` names (all when it is empty) that
    ``ignore`` does not name."""
    chosen = _checked(select, "select")
    left_out = _checked(ignore, "ignore")
    keep = _matches(chosen) if chosen else pl.lit(True)
    if left_out:
        keep = keep & ~_matches(left_out)
    return table.rows.select(keep.alias("keep")).to_series()


def baseline_mask(table: FindingTable, baseline: Mapping[str, Any]) -> pl.Series:
    """Which findings of ``table`` are new: not in ``baseline`` (a JSON report, as
    ``report_data`` gives it). A finding the baseline holds twice is known twice: a third
    copy is new."""
    try:
        known = pl.DataFrame(
            [
                {
                    "code": str(finding["code"]),
                    "rule": finding.get("rule"),
                    "path": (finding.get("location") or {}).get("path"),
                    "message": str(finding["message"]),
                }
                for finding in baseline["findings"]
            ],
            schema=dict.fromkeys(BASELINE_KEY, pl.String),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ArgumentError("baseline", "...", f"not a JSON report: {error}") from None
    rows = table.rows
    current = rows.select(
        "code", "rule", pl.lit(path_texts(rows.get_column("path"))).alias("path"), "message"
    )
    occurrence = pl.int_range(pl.len()).over(list(BASELINE_KEY)).alias("_copy")
    new = (
        current.with_row_index("_finding")
        .with_columns(occurrence)
        .join(
            known.with_columns(occurrence),
            on=[*BASELINE_KEY, "_copy"],
            how="anti",
            nulls_equal=True,
        )
        .get_column("_finding")
    )
    return pl.int_range(rows.height, eager=True, dtype=pl.UInt32).is_in(new.implode())
