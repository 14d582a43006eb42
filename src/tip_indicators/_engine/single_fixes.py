"""The figures that alone repair a component of failed rules, found column-wise.

Failed rules that share figures form a component; every rule that touches one of its figures
belongs to its system. A figure of every failed rule of a component that is stated exactly may
be its single fix: each rule of the system then leaves it an interval of values (the other
figures fixed, censored ones anywhere in theirs), and the values every rule leaves, if there
are any, repair the component. For all components at once that is a handful of joins and
group-bys over the rules' terms, however many rules fail. A censored figure that several rules
of a system share ties them together; the few components that have one are left to the
localiser's exact search (:func:`shared_censored`).
"""

from __future__ import annotations

import polars as pl

from tip_indicators._engine.base import ID, Run
from tip_indicators._private.queries import collect, collect_all

__all__ = [
    "SINGLE_SCHEMA",
    "components",
    "constraint_sums",
    "constraint_terms",
    "figure_facts",
    "shared_censored",
    "single_intervals",
]

_EPS = 1e-7
_INF = float("inf")

SINGLE_SCHEMA: dict[str, pl.DataType] = {
    "component": pl.Int64(),
    "figure": pl.Int64(),
    "low": pl.Float64(),
    "high": pl.Float64(),
    "nearest": pl.Float64(),
}
"""A single fix: the component it repairs, the figure, one interval of the values that repair
it alone (several rows when shared censored figures allow several), and the nearest of them."""


def constraint_terms(table: pl.DataFrame) -> pl.DataFrame:
    """Each constraint of ``table`` (numbered ``c``) as its terms: ``c``, ``figure`` and
    ``coef``; a constraint recorded without coefficients is its total less its parts."""
    figures = (
        pl.when(pl.col("total").is_null())
        .then(pl.col("ids"))
        .otherwise(pl.concat_list(pl.col("total"), pl.col("ids")))
    )
    position = pl.col("position")
    return (
        table.lazy()
        .select("c", figures.alias("figure"), "coefs")
        .with_columns(pl.int_ranges(pl.col("figure").list.len()).alias("position"))
        .explode("figure", "position")
        .filter(pl.col("figure").is_not_null())
        .select(
            "c",
            "figure",
            pl.when(pl.col("coefs").is_null())
            .then(pl.when(position == 0).then(1.0).otherwise(-1.0))
            .otherwise(pl.col("coefs").list.get(position))
            .alias("coef"),
        )
        .pipe(collect)
    )


def components(terms: pl.DataFrame, failed: pl.Series) -> pl.DataFrame:
    """The component of each failed constraint (``c``, ``component``: the least ``c`` of the
    failed constraints joined to it through shared figures), by propagating the least label
    through the figures until it settles."""
    edges = terms.filter(pl.col("c").is_in(failed.implode())).select("c", "figure")
    label = edges.select("c").unique().with_columns(pl.col("c").alias("component"))
    links = edges.lazy()
    while True:
        by_figure = (
            links.join(label.lazy(), on="c").group_by("figure").agg(pl.col("component").min())
        )
        joined = links.join(by_figure, on="figure").group_by("c").agg(pl.col("component").min())
        # a label's own label: components settle in about the logarithm of their diameter
        settled = joined.join(
            joined.select(pl.col("c").alias("component"), pl.col("component").alias("root")),
            on="component",
        ).select("c", pl.col("root").alias("component"))
        changed = settled.join(label.lazy(), on="c", suffix="_old").filter(
            pl.col("component") != pl.col("component_old")
        )
        settled_now, changes = collect_all([settled, changed.select(pl.len())])
        label = settled_now
        if changes.item() == 0:
            return label


def figure_facts(run: Run, ids: pl.Series) -> pl.DataFrame:
    """What localisation needs of each figure of ``ids``: ``low`` and ``high`` (null for a
    derived figure, which is no evidence), ``exact``, whether it is a whole number
    (``integer``) and cannot be negative, the ``lower`` and ``upper`` bounds of the values it
    may take when free, its ``current`` value, ``measure``, ``line`` and value as written."""
    per_100k = [i.code for i in run.catalogue if i.unit == "per_100k"]
    rows = (
        run.frame.lazy()
        .gather(ids.unique().sort())
        .select(
            pl.col(ID).alias("figure"),
            "indicator",
            "measure",
            "value",
            "low",
            "high",
            "decimals",
            pl.col("derived").fill_null(False),
            pl.col("line").cast(pl.Int64),
        )
    )
    stated = ~pl.col("derived")
    low = pl.when(stated).then(pl.col("low"))
    high = pl.when(stated).then(pl.col("high"))
    count = pl.col("measure").is_in(["N", "CHG"]) & ~pl.col("indicator").is_in(per_100k)
    exact = (pl.col("low").is_not_null() & (pl.col("low") == pl.col("high"))).fill_null(False)
    return (
        rows.with_columns(low.alias("low"), high.alias("high"))
        .with_columns(
            exact.alias("exact"),
            (count & (pl.col("decimals").fill_null(0) == 0)).alias("integer"),
            pl.col("measure").is_in(["N", "PCT"]).alias("nonnegative"),
        )
        .with_columns(
            pl.when(pl.col("low").is_not_null() & ~pl.col("exact"))
            .then(pl.col("low"))
            .when(pl.col("nonnegative"))
            .then(0.0)
            .otherwise(-_INF)
            .alias("lower"),
            pl.when(pl.col("high").is_not_null() & ~pl.col("exact"))
            .then(pl.col("high"))
            .otherwise(_INF)
            .alias("upper"),
            pl.col("low").fill_null(0.0).alias("current"),
        )
        .drop("indicator", "decimals", "derived")
        .pipe(collect)
    )


def constraint_sums(table: pl.DataFrame, terms: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Each constraint's ``constant`` plus the least and greatest its terms can add up to
    (``least``, ``most``: exact figures as they are, free ones anywhere in their bounds), and
    whether all its figures are exact: then ``least`` is what it adds up to now."""
    a = pl.col("coef")
    ends = pl.concat_list(a * pl.col("lower"), a * pl.col("upper"))
    summed = (
        terms.lazy()
        .join(facts.lazy().select("figure", "exact", "low", "lower", "upper"), on="figure")
        .with_columns(
            pl.when(pl.col("exact")).then(a * pl.col("low")).otherwise(ends.list.min()).alias("lo"),
            pl.when(pl.col("exact")).then(a * pl.col("low")).otherwise(ends.list.max()).alias("hi"),
        )
        .group_by("c")
        .agg(
            pl.col("lo").sum().alias("least"),
            pl.col("hi").sum().alias("most"),
            pl.col("exact").all().alias("all_exact"),
        )
    )
    return (
        table.lazy()
        .select("c", "constant", "sense", "tol", "failed", "finding")
        .join(summed, on="c", how="left")
        .with_columns(
            (pl.col("least") + pl.col("constant")).fill_null(pl.col("constant")).alias("least"),
            (pl.col("most") + pl.col("constant")).fill_null(pl.col("constant")).alias("most"),
            pl.col("all_exact").fill_null(True),
            (pl.col("sense") == "eq").alias("equality"),
        )
        .pipe(collect)
    )


def shared_censored(local: pl.DataFrame, terms: pl.DataFrame, facts: pl.DataFrame) -> pl.Series:
    """The components whose system holds a free figure in more than one constraint."""
    free = facts.lazy().filter(~pl.col("exact")).select("figure")
    return (
        local.lazy()
        .join(terms.lazy().select("c", "figure").unique(), on="c")
        .join(free, on="figure")
        .group_by("component", "figure")
        .agg(pl.len().alias("rules"))
        .filter(pl.col("rules") > 1)
        .select(pl.col("component").unique())
        .pipe(collect)
        .get_column("component")
    )


def single_intervals(
    failed: pl.DataFrame,
    local: pl.DataFrame,
    terms: pl.DataFrame,
    sums: pl.DataFrame,
    facts: pl.DataFrame,
) -> pl.DataFrame:
    """The single fixes of the components of ``failed`` (``c``, ``component``) whose systems
    (``local``: ``component``, ``c``) share no free figure, as rows of :data:`SINGLE_SCHEMA`.

    A candidate is an exact figure of every failed constraint of its component. Each
    constraint holding it allows it the interval where ``coef x figure + rest`` is within the
    tolerance (the rest anywhere between its least and greatest sum); each constraint without
    it must hold already, whatever the free figures are.

    Long because the candidates, their intervals and the checks on them are one query."""
    rules, systems = failed.lazy(), local.lazy()
    parts, totals, figures = terms.lazy(), sums.lazy(), facts.lazy()
    need = rules.group_by("component").agg(pl.len().alias("failures"))
    bottom_of = -pl.col("tol") - pl.col("most")
    top_of = pl.when(pl.col("equality")).then(pl.col("tol") - pl.col("least")).otherwise(_INF)
    unmet = (bottom_of > _EPS) | (top_of < -_EPS)
    blocked = (
        systems.join(totals.select("c", unmet.alias("unmet")), on="c")
        .group_by("component")
        .agg(pl.col("unmet").sum().alias("unmet"))
    )
    candidates = (
        rules.join(parts.select("c", "figure").unique(), on="c")
        .group_by("component", "figure")
        .agg(pl.len().alias("in_failed"))
        .join(need, on="component")
        .filter(pl.col("in_failed") == pl.col("failures"))
        .join(figures.filter(pl.col("exact")).select("figure", "current"), on="figure")
        .select("component", "figure", "current")
    )
    coef = pl.col("coef")
    # the rest of each constraint without the candidate (exact, so it adds coef x current)
    rest_least = pl.col("least") - coef * pl.col("current")
    rest_most = pl.col("most") - coef * pl.col("current")
    bottom = -pl.col("tol") - rest_most
    top = pl.when(pl.col("equality")).then(pl.col("tol") - rest_least).otherwise(_INF)
    rows = (
        candidates.join(systems, on="component")
        .join(
            parts.group_by("c", "figure").agg(pl.col("coef").sum()),
            on=["c", "figure"],
        )
        .join(totals, on="c")
        .with_columns(
            pl.when(coef > 0).then(bottom / coef).when(coef < 0).then(top / coef).alias("lo"),
            pl.when(coef > 0).then(top / coef).when(coef < 0).then(bottom / coef).alias("hi"),
            (unmet & (coef != 0)).alias("own_unmet"),
        )
        .group_by("component", "figure")
        .agg(
            pl.col("lo").max().alias("lo"),
            pl.col("hi").min().alias("hi"),
            pl.col("own_unmet").sum().alias("own_unmet"),
        )
    )
    low, high = pl.col("low"), pl.col("high")
    current = pl.col("current")
    return (
        candidates.join(rows, on=["component", "figure"])
        .join(blocked, on="component")
        .join(figures.select("figure", "lower", "upper", "integer"), on="figure")
        # each constraint without the candidate (or where its coefficients cancel) must hold
        .filter(pl.col("unmet") == pl.col("own_unmet"))
        .with_columns(
            pl.max_horizontal("lower", pl.col("lo").fill_null(-_INF)).alias("low"),
            pl.min_horizontal("upper", pl.col("hi").fill_null(_INF)).alias("high"),
        )
        .with_columns(
            pl.when(pl.col("integer") & low.is_finite()).then((low - _EPS).ceil()).otherwise(low),
            pl.when(pl.col("integer") & high.is_finite())
            .then((high + _EPS).floor())
            .otherwise(high),
        )
        .filter((low <= high + _EPS) & ~((low - _EPS <= current) & (current <= high + _EPS)))
        .with_columns(pl.min_horizontal(pl.max_horizontal(current, low), high).alias("nearest"))
        .filter(pl.col("nearest").is_finite())
        .select([pl.col(name).cast(kind) for name, kind in SINGLE_SCHEMA.items()])
        .sort("component", "figure")
        .pipe(collect)
    )
