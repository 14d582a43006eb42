"""Shared state of one check run: the figures, what rules found, and the linear constraints.

Every family appends evaluations (one row per rule application: rule, outcome, reason), findings,
and, for arithmetic rules, linear constraints ``sum(coef x figure) + constant (= or >=) 0`` that
the localiser uses to find which figures to change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators.findings import FindingTable, ObservationRef
from tip_indicators.findings.citations import (
    citation_label,
    citations_of,
    observation_refs,
    texts_of_numbers,
)
from tip_indicators.indicators import Catalogue
from tip_indicators.observations import key_columns
from tip_indicators.profiles import Profile

ID = "_id"
# ``coefs`` null means a total and its parts: +1 for the total, -1 for each part (the commonest
# constraint, not spelt out for every breakdown of a large file). The total is ``total`` when
# that is set (and ``ids`` holds the parts), else the first of ``ids``.
CONSTRAINT_SCHEMA: dict[str, pl.DataType] = {
    "total": pl.Int64(),
    "ids": pl.List(pl.Int64()),
    "coefs": pl.List(pl.Float64()),
    "constant": pl.Float64(),
    "sense": pl.String(),
    "tol": pl.Float64(),
    "failed": pl.Boolean(),
    "holds": pl.Boolean(),
    "finding": pl.Int64(),
}
"""``failed``: the rule fails with an error, which localisation must repair. ``holds``: the rule
holds now, which a repair must not undo. A rule that fails with a warning is neither: a fix for
the errors is not asked to repair it as well."""


SUGGESTION_SCHEMA: dict[str, pl.DataType] = {
    "number": pl.Int64(),
    "figure": pl.Int64(),
    "value": pl.String(),
    "reason": pl.String(),
    "score": pl.Float64(),
}
"""A fix: the number of the finding it fixes, the id of the figure to change, the value that
would fix it as text, why that is likely, and a score (higher is likelier)."""


PERCENT_CHECK_SCHEMA: dict[str, pl.DataType] = {
    "pch": pl.Int64(),
    "level": pl.Int64(),
    "base": pl.Int64(),
    "level_value": pl.Float64(),
    "base_value": pl.Float64(),
    "stated": pl.Float64(),
    "decimals": pl.Int64(),
    "failed": pl.Boolean(),
    "finding": pl.Int64(),
}
"""A percentage change ``stated`` (with ``decimals``) of the level figure ``level`` over the
``base`` level figure (ids and exact values), whether it failed, and its finding's number."""


class Run:
    """One check run over a frame of observations (each row has an ``_id``)."""

    def __init__(self, frame: pl.DataFrame, dimensions: Sequence[str], profile: Profile) -> None:
        self.frame = frame.with_row_index(ID).with_columns(pl.col(ID).cast(pl.Int64))
        self.dimensions = tuple(dimensions)
        self.profile = profile
        self.catalogue: Catalogue = profile.catalogue
        self.keys = key_columns(self.dimensions)
        self.tables: list[FindingTable] = []
        """The findings recorded, batch by batch, numbered in one sequence: the order a report
        keeps among findings of equal place."""
        self._recorded = 0
        self.suggestions: list[pl.DataFrame] = []
        """Fixes of findings (columns of :data:`SUGGESTION_SCHEMA`), in the order to show
        them: the rules' own, then the localiser's."""
        self.evaluations: list[pl.LazyFrame] = []
        """Plans of the rule applications (see :meth:`add_evaluations`)."""
        self.evaluated = 0
        self.not_evaluated = 0
        self._places = self.frame.select(pl.col(ID).alias("_anchor"), "path", "line")
        self.constraints: list[pl.DataFrame] = []
        self.percent_checks: list[pl.DataFrame] = []
        """Percentage changes judged on two exact levels (columns of
        :data:`PERCENT_CHECK_SCHEMA`): not linear, so the localiser checks its candidate
        values against them one by one."""
        self.windows: list[pl.DataFrame] = []
        """Failed rules that are not linear in their figures (rates, shares) as the window of
        values each figure may move into alone (columns of ``WINDOW_SCHEMA`` in
        :mod:`~tip_indicators._engine.warning_slips`), for the localiser."""
        self.derived: list[pl.DataFrame] = []
        self._refs: dict[int, ObservationRef] = {}
        self._levels: pl.DataFrame | None = None
        self.cache: dict[object, object] = {}
        """Structures rules share across derivation rounds (keyed by the rule's identity)."""

    def apply_derived(self, values: pl.DataFrame) -> None:
        """Put derived figures (``_id``, ``low``, ``high``) into the frame, marked as derived,
        so that every later rule uses them like stated ones."""
        low, high = pl.col("low"), pl.col("high")
        exact = low == high
        derived = values.select(
            ID,
            "low",
            "high",
            pl.when(exact & (low == low.round(0)))
            .then(low.cast(pl.Int64).cast(pl.String))
            .when(exact)
            .then(low.cast(pl.String))
            .otherwise(pl.format("{}..{}", low.cast(pl.Int64), high.cast(pl.Int64)))
            .alias("value"),
            pl.lit(True).alias("derived"),
        )
        # A figure's id is its row: the derived values are written in place of the old ones.
        rows = derived.get_column(ID)
        self.frame = self.frame.with_columns(
            self.frame.get_column(column).scatter(rows, derived.get_column(column))
            for column in ("low", "high", "value", "derived")
        )
        self._levels = None
        for figure in values.get_column(ID).to_list():
            self._refs.pop(figure, None)

    def levels(self) -> pl.DataFrame:
        """The level figures (measure N): their ids, keys and values, computed once per state of
        the frame. Rules cite figures by id, so the other columns are not carried along."""
        if self._levels is None:
            self._levels = (
                self.frame.lazy()
                .filter(pl.col("measure") == "N")
                .select(ID, *self.keys, "value", "low", "high", "decimals", "status", "derived")
                .pipe(collect)
            )
        return self._levels

    def refs(self, ids: Iterable[int]) -> tuple[ObservationRef, ...]:
        """Citations of the figures ``ids`` (built once per figure, only when cited).

        A figure's ``_id`` is its row number in the frame, so rows are fetched by position.
        """
        ids = ids if isinstance(ids, (list, tuple)) else list(ids)
        built = self._refs
        try:
            # Most calls cite figures already built (see cite): one lookup each.
            return tuple(map(built.__getitem__, ids))
        except KeyError:
            wanted = sorted({i for i in ids if i not in built})
        built.update(
            zip(wanted, observation_refs(self.frame[wanted], self.dimensions), strict=True)
        )
        return tuple(map(built.__getitem__, ids))

    def with_texts(self, frame: pl.DataFrame, **ids: str) -> pl.DataFrame:
        """``frame`` with ``{name}_label`` and ``{name}_value`` columns for each figure id
        column given as ``name=column``: what messages say of the figures they cite."""
        added = []
        for name, column in ids.items():
            texts = self.figure_texts(frame.get_column(column))
            added += [
                texts.get_column("label").alias(f"{name}_label"),
                texts.get_column("value").alias(f"{name}_value"),
            ]
        return frame.with_columns(added)

    def record(
        self,
        failures: pl.DataFrame,
        *,
        code: str | pl.Expr,
        severity: str | pl.Expr,
        message: pl.Expr,
        rule: str | pl.Expr,
        located_at: str,
        cited: pl.Expr,
        field: str | None = None,
        **numbers: pl.Expr,
    ) -> pl.Series:
        """Record one finding per row of ``failures``, its columns given as expressions over
        them (``numbers``: ``expected``, ``actual``, their ``_text`` forms, ``imbalance``,
        ``tolerance``), located at the figure in column ``located_at`` (and its ``field``, when
        the finding is about one), and return their numbers."""
        if failures.height == 0:
            return pl.Series("finding", [], dtype=pl.Int64)

        def given(value: str | pl.Expr) -> pl.Expr:
            return pl.lit(value) if isinstance(value, str) else value

        return self.add_rows(
            failures.select(
                given(code).alias("code"),
                given(severity).alias("severity"),
                message.alias("message"),
                given(rule).alias("rule"),
                pl.col(located_at).alias("located_at"),
                cited.list.drop_nulls().alias("cited"),
                pl.lit(field, pl.String).alias("field"),
                *[expression.alias(name) for name, expression in numbers.items()],
            )
        )

    def figure_texts(self, ids: pl.Series) -> pl.DataFrame:
        """The ``label`` and ``value`` of each figure in ``ids`` as a citation shows them (null
        for a null id), fetched by row: what messages say of the figures they cite."""
        present = pl.lit(ids.is_not_null())
        rows = citations_of(self.frame, ids.fill_null(0).cast(pl.Int64), self.dimensions)
        return rows.select(
            pl.when(present).then(citation_label(self.dimensions)).alias("label"),
            pl.when(present).then(pl.col("value")).alias("value"),
        ).pipe(collect)

    def add_rows(self, rows: pl.DataFrame) -> pl.Series:
        """Record findings as rows (columns of
        :data:`~tip_indicators.findings.table.RECORDED_SCHEMA`, null where missing; figures
        cited by id) and return their numbers, which constraints refer to. They cite the frame
        as it is now."""
        first = self._recorded
        if rows.height:
            # A figure's id is its row in the frame.
            self.tables.append(FindingTable.recorded(rows, self.frame, self.dimensions, first))
            self._recorded += rows.height
        return pl.int_range(first, self._recorded, dtype=pl.Int64, eager=True).alias("finding")

    def table(self, problems: FindingTable) -> FindingTable:
        """Every finding of the run, after ``problems`` (the readers'), with its suggestions,
        in report order."""
        table = FindingTable.concat([problems.numbered(-len(problems)), *self.tables])
        if self.suggestions:
            suggestions = pl.concat(self.suggestions)
            figures = suggestions.get_column("figure")
            table = table.with_suggestions(
                suggestions.with_columns(pl.int_range(pl.len()).alias("figure")),
                self.frame[figures],
            )
        return table.in_report_order()

    def add_evaluations(
        self,
        rule: str | pl.Expr,
        outcomes: pl.DataFrame,
        anchor: str,
        group: pl.Expr | None = None,
        labels: tuple[pl.DataFrame, str] | None = None,
    ) -> None:
        """Record rule applications (``outcome`` and ``reason`` columns), each located at the
        file and line of the figure whose id is in column ``anchor``. ``rule`` is the rule's
        name, or an expression giving it per row; ``group`` says which figures were judged
        (default: the ``group`` column), and may use the columns of ``labels``, a frame joined
        on the column named beside it.

        Only the outcomes are counted now. The rows themselves, with their texts, are a plan
        the report runs when someone asks for them (JUnit output, the Python API): a large file
        has a million evaluations, and most runs only count them.
        """
        if not outcomes.height:
            return
        group = pl.col("group") if group is None else group
        name = pl.lit(rule) if isinstance(rule, str) else rule
        used = {"outcome", "reason", anchor, *group.meta.root_names(), *name.meta.root_names()}
        if labels is not None:
            used.add(labels[1])
        kept = outcomes.select(column for column in outcomes.columns if column in used)
        not_evaluated = int((kept.get_column("outcome") == "not_evaluated").sum())
        self.not_evaluated += not_evaluated
        self.evaluated += kept.height - not_evaluated
        plan = kept.lazy()
        if labels is not None:
            plan = plan.join(labels[0].lazy(), on=labels[1], how="left", maintain_order="left")
        self.evaluations.append(
            plan.select(
                name.alias("rule"),
                group.cast(pl.String).alias("group"),
                pl.col("outcome").cast(pl.String),
                pl.col("reason").cast(pl.String),
                pl.col(anchor).cast(pl.Int64).alias("_anchor"),
            )
            .join(self._places.lazy(), on="_anchor", how="left", maintain_order="left")
            .drop("_anchor")
        )

    def add_constraints(self, constraints: pl.DataFrame) -> None:
        """Record linear constraints (columns of CONSTRAINT_SCHEMA; ``total`` may be left out)."""
        if constraints.height:
            if "total" not in constraints.columns:
                constraints = constraints.with_columns(pl.lit(None, pl.Int64).alias("total"))
            if "holds" not in constraints.columns:
                constraints = constraints.with_columns((~pl.col("failed")).alias("holds"))
            self.constraints.append(
                constraints.select([pl.col(c).cast(t) for c, t in CONSTRAINT_SCHEMA.items()])
            )


def id_list(*columns: str | pl.Expr) -> pl.Expr:
    """The figure ids in ``columns`` as one list per row (a missing id kept as null), as
    ``pl.concat_list`` makes it. Made through a fixed-width array: polars 2.1 concatenates
    scalar columns into lists some thirty times slower (77 ms against 2 ms for 200,000 pairs
    of ids), and every finding and constraint cites such a list. The array needs one type, so
    every id is cast to the ids' own."""
    ids = [(pl.col(c) if isinstance(c, str) else c).cast(pl.Int64) for c in columns]
    return pl.concat_arr(ids).arr.to_list()


def uniform_columns(frame: pl.DataFrame, columns: Sequence[str]) -> frozenset[str]:
    """The ``columns`` of ``frame`` that hold one value throughout (missing ones alike): grouping
    or matching on them tells no figures apart, and only costs time in a large file."""
    if not columns:
        return frozenset()
    names = list(columns)
    same = frame.select(pl.col(names).eq_missing(pl.col(names).first()).all()).row(0)
    return frozenset(column for column, uniform in zip(columns, same, strict=True) if uniform)


def number(value: float | None) -> str:
    """A figure for a message: whole numbers without decimals, thousands separated."""
    if value is None or math.isnan(value):
        return "?"
    if math.isinf(value):
        return "unbounded"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def interval(low: float | None, high: float | None) -> str:
    """An interval figure for a message: ``459`` when exact, ``0..4`` when censored."""
    if low is None:
        return "?"
    if high is None or math.isinf(high):
        return f">= {number(low)}"
    return number(low) if low == high else f"{number(low)}..{number(high)}"


def rounded_units(x: pl.Expr, places: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Each ``|x|`` in units of its last of ``places`` decimal places, rounded, and whether
    that is how Python rounds the exact binary value (``round``, ``f"{x:.2f}"``). Scaled by an
    exact power of ten, a value lands exactly on a half only where the exact one is a half or
    rounds to it; those, values that round to zero (whose sign Python keeps) and values too
    large for whole units are left to Python, one at a time."""
    scaled = x.abs() * pl.lit(10.0).pow(places.cast(pl.Float64))
    units = scaled.round(0)
    agrees = (
        x.is_finite()
        & (places <= 15)
        & (scaled < 2.0**52)
        & (units > 0)
        & (scaled - scaled.floor() != 0.5)
    )
    return units, agrees


def number_texts(values: pl.Series) -> pl.Series:
    """:func:`number` of each value, column-wise."""
    # Below 2**53 every whole float is exactly an integer.
    return texts_of_numbers(
        values, whole=_grouped, other=number, null="?", below=2.0**53, fraction=_four_places
    )


def _grouped(x: pl.Expr) -> pl.Expr:
    """Whole numbers with thousands separated: every third digit from the right, reversed and
    back."""
    digits = x.abs().cast(pl.Int64).cast(pl.String).str.reverse()
    text = digits.str.replace_all(r"(\d{3})", "${1},").str.strip_chars_end(",").str.reverse()
    return pl.when(x < 0).then(pl.concat_str(pl.lit("-"), text)).otherwise(text)


def _four_places(x: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Numbers to four decimal places, trailing zeros dropped, and which ones that writes."""
    units, writable = rounded_units(x, pl.lit(4))
    places = (units % 10_000).cast(pl.Int64).cast(pl.String).str.zfill(4)
    places = places.str.strip_chars_end("0")
    text = pl.concat_str(
        pl.when(x < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        _grouped(units // 10_000),
        pl.when(places != "").then(pl.concat_str(pl.lit("."), places)).otherwise(pl.lit("")),
    )
    return text, writable


def interval_texts(low: pl.Series, high: pl.Series) -> pl.Series:
    """:func:`interval` of each pair of values, column-wise."""
    frame = pl.DataFrame(
        {
            "low": low.cast(pl.Float64),
            "high": high.cast(pl.Float64),
            "low_text": number_texts(low),
            "high_text": number_texts(high),
        }
    )
    lo, hi = pl.col("low"), pl.col("high")
    return frame.select(
        pl.when(lo.is_null())
        .then(pl.lit("?"))
        .when(hi.is_null() | hi.is_infinite())
        .then(pl.concat_str(pl.lit(">= "), pl.col("low_text")))
        .when((lo == hi) & ~lo.is_nan())
        .then(pl.col("low_text"))
        .otherwise(pl.concat_str(pl.col("low_text"), pl.lit(".."), pl.col("high_text")))
        .alias("interval")
    ).to_series()
