"""Contender: the sum, bound and change checks written by hand with pandas group-by and merge.

``python benchmarks/contenders/pandas_groupby.py DATA GROUPS_OUT`` reads the long CSV, checks it
with the semantics of ``_common.py`` and writes the flagged (indicator, period, reporter) groups.
A slice's set of codes is summed as one bit per code (codes are unique within a slice), so the
relations are looked up by an integer merge.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (
    BOUND_DIMENSIONS,
    DIMENSIONS,
    EPSILON,
    GROUP,
    PARTITION_DIMENSIONS,
    REMAINDER,
    relation_rows,
    write_groups,
)


def read(path: str) -> pd.DataFrame:
    """The long CSV as text columns; empty cells are empty strings."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill dimensions (``_T``) and measures (``N``), read values into ``low``/``high``."""
    frame = frame.copy()
    for dimension in DIMENSIONS:
        frame[dimension] = frame[dimension].replace("", "_T")
    frame["measure"] = frame["measure"].replace("", "N")
    text = frame["value"].str.strip()
    censored = text.str.startswith("<")
    number = pd.to_numeric(text.where(~censored & (text != "")), errors="coerce")
    bound = pd.to_numeric(text.where(censored).str[1:], errors="coerce")
    frame["low"] = number.where(~censored, 0.0)
    frame["high"] = number.where(~censored, bound - 1)
    unreadable = (text != "") & frame["high"].isna()
    if unreadable.any():
        raise SystemExit(f"{int(unreadable.sum())} values cannot be read")
    fraction = text.str.partition(".")[2]
    frame["decimals"] = fraction.str.len().astype("int64")
    change = frame["measure"].isin(["CHG", "PCH"]) & (frame["base_period"] == "")
    previous = (pd.to_numeric(frame["period"], errors="coerce") - 1).astype("Int64").astype(str)
    frame["base_period"] = frame["base_period"].where(~change, previous)
    frame["group"] = frame.groupby(list(GROUP), sort=False).ngroup()
    return frame


def _breakdown(levels: pd.DataFrame, dimension: str) -> np.ndarray:
    """Ids of the groups where a relation along ``dimension`` certainly fails."""
    others = ["group", *[d for d in DIMENSIONS if d != dimension]]
    sizes = levels.groupby(others, sort=False)[dimension].transform("size")
    members = levels.loc[sizes > 1, [*others, dimension, "low", "high", "status"]]
    members = members.rename(columns={dimension: "code"})
    codes = sorted(members["code"].unique())
    if len(codes) > 62:
        raise SystemExit(f"{dimension}: more than 62 codes")
    bits = {code: 1 << number for number, code in enumerate(codes)}
    members["slice"] = members.groupby(others, sort=False).ngroup()
    members["sig"] = (
        members["code"].map(bits).astype("int64").groupby(members["slice"]).transform("sum")
    )
    signatures = {
        "|".join(c for c in codes if mask & bits[c]): int(mask) for mask in members["sig"].unique()
    }
    table = pd.DataFrame(relation_rows(dimension, signatures))
    if table.empty:
        return np.array([], dtype="int64")
    table["sig"] = table["sig"].map(signatures).astype("int64")
    parents = members[["slice", "code", "low", "high"]].rename(
        columns={"code": "parent", "low": "p_low", "high": "p_high"}
    )
    pairs = members.merge(table, left_on=["sig", "code"], right_on=["sig", "child"]).merge(
        parents, on=["slice", "parent"]
    )
    if dimension in BOUND_DIMENSIONS:
        return np.asarray(pairs.loc[pairs["low"] > pairs["p_high"], "group"].unique())
    unknown = pairs["low"].isna()
    pairs["remainder"] = unknown & (pairs["status"] == REMAINDER)
    pairs["unknown"] = unknown & (pairs["status"] != REMAINDER)
    sums = pairs.groupby(["slice", "rel"], sort=False).agg(
        group=("group", "first"),
        p_low=("p_low", "first"),
        p_high=("p_high", "first"),
        complete=("complete", "first"),
        disjoint=("disjoint", "first"),
        sum_low=("low", "sum"),
        sum_high=("high", "sum"),
        n_remainder=("remainder", "sum"),
        n_unknown=("unknown", "sum"),
    )
    closed = sums["complete"] | (sums["n_remainder"] > 0)
    all_known = (sums["n_remainder"] == 0) & (sums["n_unknown"] == 0)
    exceeds = sums["sum_low"] > sums["p_high"]
    short = closed & all_known & (sums["sum_high"] < sums["p_low"])
    failed = sums["disjoint"] & sums["p_low"].notna() & (exceeds | short)
    overlapping = pairs.loc[~pairs["disjoint"] & (pairs["low"] > pairs["p_high"]), "group"]
    return np.union1d(sums.loc[failed, "group"].unique(), overlapping.unique())


def _changes(frame: pd.DataFrame, levels: pd.DataFrame) -> np.ndarray:
    match = ["indicator", "reporter", *DIMENSIONS]
    level = levels[[*match, "period", "low", "high"]].rename(
        columns={"low": "t_low", "high": "t_high"}
    )
    base = levels[[*match, "period", "low", "high"]].rename(
        columns={"period": "base_period", "low": "b_low", "high": "b_high"}
    )
    stated = frame[frame["measure"].isin(["CHG", "PCH"]) & frame["low"].notna()]
    joined = stated.merge(level, on=[*match, "period"]).merge(base, on=[*match, "base_period"])
    x_low = joined["t_low"] - joined["b_high"]
    x_high = joined["t_high"] - joined["b_low"]
    change_bad = (joined["measure"] == "CHG") & (
        (joined["low"] < x_low) | (joined["high"] > x_high)
    )
    corners = pd.concat(
        [100.0 * x / joined[b] for x in (x_low, x_high) for b in ("b_low", "b_high")], axis=1
    )
    unit = 10.0 ** -joined["decimals"].astype("float64")
    value = joined["low"]
    positive = value >= 0
    window_low = (value - unit / 2).where(positive, value - unit)
    window_high = (value + unit).where(positive, value + unit / 2)
    agrees = (corners.min(axis=1) <= window_high + EPSILON) & (
        corners.max(axis=1) >= window_low - EPSILON
    )
    percent_bad = (joined["measure"] == "PCH") & (joined["b_low"] > 0) & ~agrees
    return np.asarray(joined.loc[change_bad | percent_bad, "group"].unique())


def flagged_ids(frame: pd.DataFrame) -> np.ndarray:
    """Ids (column ``group``) of the groups where some rule certainly fails."""
    levels = frame[frame["measure"] == "N"]
    found = [_breakdown(levels, d) for d in (*PARTITION_DIMENSIONS, *BOUND_DIMENSIONS)]
    found.append(_changes(frame, levels))
    return np.unique(np.concatenate(found))


def flagged(frame: pd.DataFrame) -> pd.DataFrame:
    """The (indicator, period, reporter) groups where some rule certainly fails."""
    ids = flagged_ids(frame)
    return frame.loc[frame["group"].isin(ids), list(GROUP)].drop_duplicates()


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    write_groups(out, flagged(prepare(read(data))).itertuples(index=False, name=None))


if __name__ == "__main__":
    main()
