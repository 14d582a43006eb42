"""Contender: one pydantic model per row, then the rules as dictionary sums in plain Python.

``python benchmarks/contenders/pydantic_rows.py DATA GROUPS_OUT`` validates every row of the long
CSV into an ``Observation`` (codes, period and value syntax checked; the value read into an
interval), gathers slices in dictionaries and judges each relation with the functions of
``_common.py``, as a case-management system that validates records one by one would.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (
    BOUND_DIMENSIONS,
    DIMENSIONS,
    Figure,
    bound_fails,
    change_fails,
    parse_value,
    percent_fails,
    previous_year,
    relations,
    sum_fails,
    write_groups,
)

_VALUE = re.compile(r"^(|<[0-9]+|-?[0-9]+(\.[0-9]+)?)$")


class Observation(BaseModel):
    """One row of the long CSV, checked."""

    model_config = ConfigDict(frozen=True)

    indicator: str
    period: str
    reporter: str
    sex: Literal["_T", "F", "M", "_O", "_U", "_N", "_Z"]
    age: str
    destination: str
    exploitation: str
    measure: Literal["N", "CHG", "PCH", "PCT"]
    base_period: str | None
    value: str
    status: str
    source: str
    low: float | None = None
    high: float | None = None
    decimals: int = 0

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, row: dict[str, str]) -> dict[str, object]:
        data: dict[str, object] = dict(row)
        for dimension in DIMENSIONS:
            data[dimension] = row[dimension] or "_T"
        data["measure"] = row["measure"] or "N"
        base = row["base_period"] or None
        if base is None and data["measure"] in ("CHG", "PCH"):
            base = previous_year(row["period"])
        data["base_period"] = base
        if not _VALUE.match(row["value"].strip()):
            raise ValueError(f"value {row['value']!r} is not a number or a censored count")
        data["low"], data["high"], data["decimals"] = parse_value(row["value"])
        return data

    @field_validator("period")
    @classmethod
    def _period(cls, period: str) -> str:
        if len(period) != 4 or not period.isdigit():
            raise ValueError(f"period {period!r} is not a year")
        return period

    def figure(self) -> Figure:
        return (self.low, self.high, self.status)


def flagged(rows: list[Observation]) -> set[tuple[str, str, str]]:
    """The (indicator, period, reporter) groups where some rule certainly fails."""
    found: set[tuple[str, str, str]] = set()
    levels = [r for r in rows if r.measure == "N"]
    for dimension in DIMENSIONS:
        slices: dict[tuple[str, ...], dict[str, Observation]] = {}
        for row in levels:
            key = (
                row.indicator,
                row.period,
                row.reporter,
                *(getattr(row, d) for d in DIMENSIONS if d != dimension),
            )
            slices.setdefault(key, {})[getattr(row, dimension)] = row
        for key, members in slices.items():
            if len(members) < 2:
                continue
            for relation in relations(dimension, frozenset(members)):
                parent = members[relation.parent].figure()
                parts = [members[c].figure() for c in relation.children]
                if dimension in BOUND_DIMENSIONS or not relation.disjoint:
                    failed = any(bound_fails(parent, part) for part in parts)
                else:
                    failed = sum_fails(parent, parts, relation.complete)
                if failed:
                    found.add((key[0], key[1], key[2]))
    by_key = {
        (r.indicator, r.reporter, *(getattr(r, d) for d in DIMENSIONS), r.period): r.figure()
        for r in levels
    }
    for row in rows:
        if row.measure not in ("CHG", "PCH") or row.low is None:
            continue
        dims = tuple(getattr(row, d) for d in DIMENSIONS)
        level = by_key.get((row.indicator, row.reporter, *dims, row.period))
        base = by_key.get((row.indicator, row.reporter, *dims, row.base_period))
        if level is None or base is None:
            continue
        if row.measure == "CHG":
            failed = change_fails(row.figure(), level, base)
        else:
            failed = percent_fails(row.low, row.decimals, level, base)
        if failed:
            found.add((row.indicator, row.period, row.reporter))
    return found


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    with open(data, encoding="utf-8", newline="") as handle:
        rows = [Observation.model_validate(row) for row in csv.DictReader(handle)]
    write_groups(out, flagged(rows))


if __name__ == "__main__":
    main()
