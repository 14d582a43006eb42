"""Contender: a pandera schema over the long CSV, with the group rules as a custom check.

``python benchmarks/contenders/pandera_schema.py DATA GROUPS_OUT`` validates the frame against a
``DataFrameSchema``: column checks for the codes and the value syntax, and one custom dataframe
check that passes a row unless its (indicator, period, reporter) group breaks a sum, bound or
change rule (computed with the pandas group-by of ``pandas_groupby.py``). The flagged groups are
read from the failure cases of a lazy validation, as a pandera user would.
"""

from __future__ import annotations

import os
import sys

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import GROUP, write_groups
from pandas_groupby import flagged_ids, prepare, read

GROUP_CHECK = "groups add up"
SEX = ["", "_T", "F", "M", "_O", "_U", "_N", "_Z"]
MEASURES = ["", "N", "CHG", "PCH", "PCT"]
STATUSES = ["", *"ABDEFGIKLMNOPQSUVW"]


def _groups_hold(frame: pd.DataFrame) -> pd.Series:
    """True for each row whose group passes every sum, bound and change rule."""
    prepared = prepare(frame)
    return ~prepared["group"].isin(flagged_ids(prepared))


def _text(check: pa.Check | None = None) -> pa.Column:
    return pa.Column(str, checks=check, nullable=False)


def schema() -> pa.DataFrameSchema:
    """The long CSV of the benchmark, as a pandera schema."""
    matches = pa.Check.str_matches
    return pa.DataFrameSchema(
        {
            "indicator": _text(matches(r"^[a-z][a-z0-9_]*$")),
            "period": _text(matches(r"^[0-9]{4}$")),
            "reporter": _text(matches(r"^[A-Z]+\.[A-Z0-9_]+$")),
            "sex": _text(pa.Check.isin(SEX)),
            "age": _text(matches(r"^(|_T|_U|Y(_LT\d+|_GE\d+|\d+(T\d+)?))$")),
            "destination": _text(matches(r"^(|_T|_U|[A-Z]+(\.[A-Z0-9_-]+)?)$")),
            "exploitation": _text(matches(r"^(|_T|_U|[A-Z_]+)$")),
            "measure": _text(pa.Check.isin(MEASURES)),
            "base_period": _text(matches(r"^([0-9]{4})?$")),
            "value": _text(matches(r"^(|<[0-9]+|-?[0-9]+(\.[0-9]+)?)$")),
            "status": _text(pa.Check.isin(STATUSES)),
            "source": _text(),
        },
        checks=[pa.Check(_groups_hold, name=GROUP_CHECK, error=GROUP_CHECK)],
        strict=True,
    )


def flagged(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
    """The groups of the rows that fail the custom check (other failures end the run)."""
    try:
        schema().validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        others = cases[cases["check"] != GROUP_CHECK]
        if len(others):
            raise SystemExit(f"schema errors:\n{others.head(20)}") from None
        rows = frame.loc[cases["index"].dropna().astype("int64").unique(), list(GROUP)]
        return set(rows.itertuples(index=False, name=None))
    return set()


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    write_groups(out, flagged(read(data)))


if __name__ == "__main__":
    main()
