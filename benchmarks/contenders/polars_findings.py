"""Contender: the findings of a long CSV, messages included, written by hand in polars.

``python benchmarks/contenders/polars_findings.py DATA FINDINGS_OUT`` reads the long CSV and
writes one row per finding (``code, severity, line, message``), worded as ``tip-indicators
validate`` words them, for the codes the findings-heavy shape (``generate_heavy.py``) gives rise
to:

- ``dimension-not-allowed``: a figure broken down by a dimension its indicator does not have
  (the row then takes no further part, as in the tool);
- ``partition-exceeds``, ``partition-shortfall``, ``partition-incomplete``: the parts of a
  partition certainly exceed their total, or certainly fall short of it (an error when the
  breakdown is closed, information when they cover less than half of it, else a warning; a lone
  part of an open breakdown is never short);
- ``bound-exceeded``: a part of a breakdown that need not add up exceeds its total, or an
  indicator exceeds one the catalogue says bounds it (``persons_convicted`` <=
  ``persons_prosecuted`` for the same period, reporter and dimension codes).

Values are intervals (``<5`` is 0..4); the relations among the codes of a slice are those of
``_common.py``; which dimensions each indicator has, and which indicators bound which, come from
the package's catalogue (``_catalogue.py``), tolerances are zero as in the built-in profile.
Figures are whole counts. Not done: statuses and remainders (nothing is derived), measures other
than levels (such rows are left out), the other level-0 checks, duplicate keys, error
localisation and suggestions, the report.
"""

from __future__ import annotations

import os
import sys

import polars as pl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _catalogue import PARTITION, catalogue
from _common import relation_rows

DIMENSIONS = ("sex", "age", "destination", "referrer", "nationality", "country", "exploitation")
"""The built-in dimensions, in the order a figure's label names them."""
SERIES = ("indicator", "period", "reporter")
FINDING = ("code", "severity", "line", "message")
CODES = frozenset(
    {
        "dimension-not-allowed",
        "partition-exceeds",
        "partition-shortfall",
        "partition-incomplete",
        "bound-exceeded",
    }
)
"""The finding codes this contender writes."""
RELATION_SCHEMA = {
    "sig": pl.String,
    "rel": pl.Int64,
    "parent": pl.String,
    "child": pl.String,
    "disjoint": pl.Boolean,
    "complete": pl.Boolean,
}


def load(path: str) -> tuple[pl.DataFrame, list[str]]:
    """The level figures of the long CSV with their physical line, dimensions filled with
    ``_T``, values read into ``low``/``high``; and the dimension columns it has."""
    frame = pl.read_csv(path, infer_schema=False)
    dims = [d for d in DIMENSIONS if d in frame.columns]
    if "measure" in frame.columns:
        frame = frame.filter(pl.col("measure").fill_null("N") == "N")
    text = pl.col("value").fill_null("").str.strip_chars()
    censored = text.str.starts_with("<")
    number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    frame = frame.with_row_index("line", offset=2).select(
        *SERIES,
        *[pl.col(d).fill_null("_T") for d in dims],
        pl.col("line").cast(pl.Int64),
        text.alias("value"),
        pl.when(censored).then(pl.lit(0.0)).otherwise(number).alias("low"),
        pl.when(censored)
        .then(text.str.slice(1).cast(pl.Float64, strict=False) - 1)
        .otherwise(number)
        .alias("high"),
    )
    return frame, dims


# ------------------------------------------------------------------------- message parts


def _format(template: str, *values: pl.Expr | str) -> pl.Expr:
    """``template`` with each ``{}`` replaced by the next value (a column name or an
    expression), as ``pl.format`` does; built with ``concat_str``, since ``pl.format`` panics on
    some filtered frames in the polars this was written with."""
    pieces = template.split("{}")
    if len(pieces) != len(values) + 1:
        raise ValueError(f"{template!r} has {len(pieces) - 1} places for {len(values)} values")
    parts: list[pl.Expr] = [pl.lit(pieces[0])]
    for value, piece in zip(values, pieces[1:], strict=True):
        parts += [pl.col(value) if isinstance(value, str) else value, pl.lit(piece)]
    return pl.concat_str(parts)


def _number(x: pl.Expr) -> pl.Expr:
    """A whole number as a message writes it: thousands separated by commas."""
    digits = x.abs().cast(pl.Int64).cast(pl.String).str.reverse()
    grouped = digits.str.replace_all(r"(\d{3})", "${1},").str.strip_chars_end(",").str.reverse()
    return pl.when(x < 0).then(pl.concat_str(pl.lit("-"), grouped)).otherwise(grouped)


def _interval(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    """``459`` for an exact figure, ``0..4`` for a censored one."""
    return (
        pl.when(low == high)
        .then(_number(low))
        .otherwise(pl.concat_str(_number(low), pl.lit(".."), _number(high)))
    )


def _label(
    dims: list[str],
    skip: str | None = None,
    parent: str | None = None,
    indicator: str = "indicator",
) -> pl.Expr:
    """``indicator[dim=code,...] period reporter`` of a figure, codes other than totals named
    in the order of ``dims``: without dimension ``skip`` (the label of a slice), or with the
    code of dimension ``parent`` taken from the ``parent`` column (the label of a part's total).
    """

    def code(d: str) -> pl.Expr:
        return pl.col("parent") if d == parent else pl.col(d)

    shown = [
        pl.when(code(d) != "_T").then(pl.concat_str(pl.lit(f"{d}="), code(d)))
        for d in dims
        if d != skip
    ]
    codes = pl.concat_str(shown, separator=",", ignore_nulls=True) if shown else pl.lit("")
    return pl.concat_str(
        pl.col(indicator),
        pl.when(codes != "")
        .then(pl.concat_str(pl.lit("["), codes, pl.lit("]")))
        .otherwise(pl.lit("")),
        pl.lit(" "),
        pl.col("period"),
        pl.lit(" "),
        pl.col("reporter"),
    )


# ------------------------------------------------------------------------- the checks


def not_allowed(frame: pl.DataFrame, dims: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The dimension-not-allowed findings, and the figures without them."""
    entries = catalogue()
    found = []
    bad = pl.lit(False)
    for d in dims:
        lacking = [code for code, entry in entries.items() if d not in entry.dimensions]
        wrong = (pl.col(d) != "_T") & pl.col("indicator").is_in(lacking)
        bad = bad | wrong
        found.append(
            frame.lazy()
            .filter(wrong)
            .select(
                pl.lit("dimension-not-allowed").alias("code"),
                pl.lit("error").alias("severity"),
                "line",
                _format(f"{d}: indicator '{{}}' has no breakdown by {d}", "indicator").alias(
                    "message"
                ),
            )
        )
    return pl.concat(pl.collect_all(found)), frame.filter(~bad)


def breakdowns(levels: pl.DataFrame, dims: list[str], d: str) -> list[pl.LazyFrame]:
    """The sum and bound findings along dimension ``d``.

    A slice is every figure with the same key but ``d``; its signature is its codes, sorted
    and joined, whose relations are worked out once per distinct signature in Python.
    """
    families = {
        code: entry.dimensions[d]
        for code, entry in catalogue().items()
        if d in entry.dimensions and entry.unit != "per_100k"
    }
    others = [*SERIES, *[x for x in dims if x != d]]
    members = (
        levels.lazy()
        .filter(pl.col("indicator").is_in(list(families)))
        .filter(pl.len().over(others) > 1)
        .with_columns(pl.col(d).sort().str.join("|").over(others).alias("sig"))
        .collect()
    )
    if members.height == 0:
        return []
    relations = pl.LazyFrame(
        relation_rows(d, members.get_column("sig").unique().to_list()), schema=RELATION_SCHEMA
    )
    parents = members.lazy().select(
        *others,
        pl.col(d).alias("parent"),
        pl.col("line").alias("p_line"),
        pl.col("low").alias("p_low"),
        pl.col("high").alias("p_high"),
    )
    pairs = (
        members.lazy()
        .join(relations, left_on=["sig", d], right_on=["sig", "child"])
        .join(parents, on=[*others, "parent"])
        .with_columns(
            pl.col("indicator").replace_strict(families, return_dtype=pl.String).alias("family")
        )
    )
    summed = (pl.col("family") == PARTITION) & pl.col("disjoint")
    return [_sums(pairs.filter(summed), dims, d, others), _bounds(pairs.filter(~summed), dims, d)]


def _sums(pairs: pl.LazyFrame, dims: list[str], d: str, others: list[str]) -> pl.LazyFrame:
    """Partitions whose parts certainly exceed or fall short of their total."""
    sums = (
        pairs.filter(pl.col("p_low").is_not_null())
        .sort("line")
        .group_by(*others, "rel", maintain_order=True)
        .agg(
            pl.first("parent", "p_line", "p_low", "p_high", "complete"),
            pl.col("low").sum().alias("sum_low"),
            pl.col("high").sum().alias("sum_high"),
            pl.col("low").null_count().alias("n_unknown"),
            pl.len().alias("n"),
            pl.concat_str(pl.col(d), pl.lit(" "), pl.col("value")).str.join(" + ").alias("parts"),
        )
    )
    exceeds = pl.col("sum_low") > pl.col("p_high")
    short = (
        (pl.col("n_unknown") == 0)
        & (pl.col("sum_high") < pl.col("p_low"))
        & ((pl.col("n") > 1) | pl.col("complete"))
    )
    incomplete = pl.col("sum_high") < 0.5 * pl.col("p_low")
    total = _interval(pl.col("p_low"), pl.col("p_high"))
    gap = (
        pl.when(exceeds)
        .then(
            _format(
                "more than the total {} by {}", total, _number(pl.col("sum_low") - pl.col("p_high"))
            )
        )
        .otherwise(
            _format(
                "{} short of the total {}", _number(pl.col("p_low") - pl.col("sum_high")), total
            )
        )
    )
    why = (
        pl.when(exceeds)
        .then(pl.lit(""))
        .when(pl.col("complete"))
        .then(pl.lit("; the breakdown is closed, so every category should be given"))
        .when(incomplete)
        .then(pl.lit("; the breakdown covers less than half of the total"))
        .otherwise(
            pl.concat_str(
                pl.lit("; "),
                _number(pl.col("p_low") - pl.col("sum_high")),
                pl.lit(" may be in categories not given"),
            )
        )
    )
    return sums.filter(exceeds | short).select(
        pl.when(exceeds)
        .then(pl.lit("partition-exceeds"))
        .when(incomplete & ~pl.col("complete"))
        .then(pl.lit("partition-incomplete"))
        .otherwise(pl.lit("partition-shortfall"))
        .alias("code"),
        pl.when(exceeds | pl.col("complete"))
        .then(pl.lit("error"))
        .when(incomplete)
        .then(pl.lit("info"))
        .otherwise(pl.lit("warning"))
        .alias("severity"),
        pl.col("p_line").alias("line"),
        _format(
            "{}: the {} parts of {} add up to {} ({}), {}{}",
            _label(dims, skip=d),
            pl.lit(d),
            "parent",
            _interval(pl.col("sum_low"), pl.col("sum_high")),
            "parts",
            gap,
            why,
        ).alias("message"),
    )


def _bounds(pairs: pl.LazyFrame, dims: list[str], d: str) -> pl.LazyFrame:
    """Parts of a breakdown that need not add up, each certainly above its total."""
    return pairs.filter(pl.col("low") > pl.col("p_high")).select(
        pl.lit("bound-exceeded").alias("code"),
        pl.lit("error").alias("severity"),
        "line",
        _format(
            "{} is {}, more than its total {} {} by {}",
            _label(dims),
            _interval(pl.col("low"), pl.col("high")),
            _label(dims, parent=d),
            _interval(pl.col("p_low"), pl.col("p_high")),
            _number(pl.col("low") - pl.col("p_high")),
        ).alias("message"),
    )


def indicator_bounds(levels: pl.DataFrame, dims: list[str]) -> list[pl.LazyFrame]:
    """Figures above the same figure of an indicator the catalogue says bounds theirs."""
    found = []
    keys = ["period", "reporter", *dims]
    for code, entry in catalogue().items():
        for other, severity in entry.bounded_by.items():
            small = levels.lazy().filter(pl.col("indicator") == code)
            large = levels.lazy().filter(pl.col("indicator") == other)
            joined = small.join(large, on=keys, suffix="_w").filter(
                pl.col("low") > pl.col("high_w")
            )
            found.append(
                joined.select(
                    pl.lit("bound-exceeded").alias("code"),
                    pl.lit(severity).alias("severity"),
                    "line",
                    _format(
                        "{} is {}, more than {} {} by {}",
                        _label(dims),
                        _interval(pl.col("low"), pl.col("high")),
                        _label(dims, indicator="indicator_w"),
                        _interval(pl.col("low_w"), pl.col("high_w")),
                        _number(pl.col("low") - pl.col("high_w")),
                    ).alias("message"),
                )
            )
    return found


def findings(path: str) -> pl.DataFrame:
    """Every finding of the file, sorted by line, code and message."""
    frame, dims = load(path)
    wrong, levels = not_allowed(frame, dims)
    queries = [q for d in dims for q in breakdowns(levels, dims, d)]
    queries += indicator_bounds(levels, dims)
    found = pl.concat([wrong, *pl.collect_all(queries)], how="vertical_relaxed")
    return found.select(FINDING).sort("line", "code", "message")


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    findings(data).write_csv(out)


if __name__ == "__main__":
    main()
