"""Derived indicators: shares, rates per 100,000, percentage changes, referral and conviction
ratios, computed from a dataset with their units checked by pint.

Definitions are data (``derived.toml``). Values are computed column-wise; pint checks each
definition's units once (a share of persons over persons is a percentage, persons over
inhabitants is a rate), so a percentage is never added to a count and a rate never summed.
Every derived figure names the figures it came from.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Mapping

import attrs
import polars as pl

from tip_indicators._private.resources import read_text
from tip_indicators.ages import decompose, parse_age
from tip_indicators.datasets import Dataset
from tip_indicators.errors import DefinitionError, InputError, UnitError
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.periods import previous_year_expr
from tip_indicators.units import quantity

__all__ = [
    "DerivedIndicator",
    "derive_indicators",
    "derived_definitions",
    "read_population",
]

_KINDS = frozenset({"share", "ratio", "rate", "change"})
_KEY = ("period", "reporter")


@attrs.frozen
class DerivedIndicator:
    """A derived indicator definition (see ``derived.toml`` for the fields)."""

    code: str
    name: str
    kind: str
    unit: str
    applies_to: tuple[str, ...] = ()
    filter: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    numerator: str | None = None
    numerator_filter: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    denominator: str | None = None
    per: float = 1.0


@functools.cache
def derived_definitions() -> tuple[DerivedIndicator, ...]:
    """The built-in derived indicators."""
    found = []
    for code, table in tomllib.loads(read_text("derived.toml")).items():
        if table.get("kind") not in _KINDS:
            raise DefinitionError("derived.toml", f"{code}: kind must be one of {sorted(_KINDS)}")
        found.append(
            DerivedIndicator(
                code,
                table["name"],
                table["kind"],
                table["unit"],
                tuple(table.get("applies_to", ())),
                dict(table.get("filter", {})),
                table.get("numerator"),
                dict(table.get("numerator_filter", {})),
                table.get("denominator"),
                float(table.get("per", 1.0)),
            )
        )
    return tuple(found)


def read_population(
    path: str | os.PathLike[str], *, catalogue: Catalogue | None = None
) -> pl.DataFrame:
    """Read a population table: CSV with ``reporter``, ``period`` and ``population`` columns,
    and any dimension of the catalogue (``sex``, ``age``...) the populations are broken down by,
    as census offices publish them (an empty cell is the total, ``_T``).

    Refused with :class:`~tip_indicators.errors.InputError` naming the line: an unknown column
    or code, a population that is not a positive number, and a key given twice (which would
    count a rate twice, never a right number).
    """
    catalogue = catalogue or builtin_catalogue()
    name = os.fspath(path)
    try:
        frame = pl.read_csv(name, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(name, f"cannot read the population table: {error}") from None
    missing = {"reporter", "period", "population"} - set(frame.columns)
    if missing:
        raise InputError(name, f"population table needs columns: {', '.join(sorted(missing))}")
    dimensions = [c for c in frame.columns if c not in {"reporter", "period", "population"}]
    for column in dimensions:
        if column not in catalogue.dimensions:
            raise InputError(name, f"unknown column {column!r}: not a dimension", line=1)
    frame = frame.with_columns(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias("line"),
        *[pl.col(d).fill_null("").str.strip_chars().replace("", "_T") for d in dimensions],
    )
    for column in dimensions:
        definition = catalogue.dimension(column)
        for code, line in frame.group_by(column).agg(pl.col("line").min()).iter_rows():
            problem = None if code == "_T" else definition.code_error(code)
            if problem is not None:
                raise InputError(name, f"{column}: {problem}", line=line)
    population = pl.col("population").str.replace_all(",", "").cast(pl.Float64, strict=False)
    bad = frame.filter(population.is_null() | (population <= 0) | ~population.is_finite())
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(
            name,
            f"population {first['population']!r} is not a positive number",
            line=first["line"],
        )
    keys = ["reporter", "period", *dimensions]
    twice = frame.filter(pl.len().over(keys) > 1)
    if twice.height:
        lines = twice.sort("line").get_column("line").head(2).to_list()
        raise InputError(
            name,
            f"the population of {', '.join(f'{k}={twice.row(0, named=True)[k]}' for k in keys)} "
            f"is given twice (lines {lines[0]} and {lines[1]})",
            line=lines[1],
        )
    return frame.select(*keys, population.alias("population"), "line")


def _check_units(definition: DerivedIndicator, numerator: str, denominator: str) -> None:
    result = quantity(1.0, numerator) / quantity(1.0, denominator) * definition.per
    target = quantity(1.0, definition.unit)
    if result.dimensionality != target.dimensionality:
        raise UnitError(
            f"express {definition.code} in {definition.unit}: divide", numerator, denominator
        )


def _same_slice(dims: tuple[str, ...], chosen: tuple[str, ...] = ()) -> list[str]:
    """Join keys: period, reporter and every dimension not being broken down."""
    return [*_KEY, *(d for d in dims if d not in chosen)]


def derive_indicators(
    dataset: Dataset,
    *,
    population: pl.DataFrame | None = None,
    catalogue: Catalogue | None = None,
) -> pl.DataFrame:
    """Every derived indicator the dataset allows, with the figures each came from.

    Columns: ``derived``, ``name``, ``indicator``, ``period``, ``reporter``, the dataset's
    dimensions (the breakdown of the derived figure: a share of a referral destination, a rate
    for women), ``value``, ``unit``, ``formula`` (the arithmetic with the input figures) and
    ``inputs`` (file:line of each input). Rates need ``population`` (see
    :func:`read_population`); a rate is computed for each breakdown the figures and the
    population table both have.
    """
    catalogue = catalogue or builtin_catalogue()
    levels = dataset.observations.filter(
        (pl.col("measure") == "N") & pl.col("low").is_not_null() & (pl.col("low") == pl.col("high"))
    )
    dims = dataset.dimensions
    located = levels.with_columns(pl.format("{}:{}", "path", "line").alias("where"))
    parts: list[pl.DataFrame] = []
    for definition in derived_definitions():
        if definition.kind == "share":
            parts += [
                _share(definition, located, dims, catalogue, code) for code in definition.applies_to
            ]
        elif definition.kind == "ratio":
            parts.append(_ratio(definition, located, dims, catalogue))
        elif definition.kind == "rate" and population is not None:
            parts += [
                _rate(definition, located, dims, catalogue, code, population=population)
                for code in definition.applies_to
            ]
        elif definition.kind == "change":
            parts += [
                _change(definition, located, dims, catalogue, code)
                for code in definition.applies_to
            ]
    columns = [
        "derived",
        "name",
        "indicator",
        "period",
        "reporter",
        *dims,
        "value",
        "unit",
        "formula",
        "inputs",
    ]
    found = [p.select(columns) for p in parts if p.height]
    if not found:
        return pl.DataFrame(
            schema={c: (pl.Float64 if c == "value" else pl.String) for c in columns}
        )
    # Totals before breakdowns, then breakdowns in code order.
    order = [*[pl.col(d) != "_T" for d in dims], *dims]
    return pl.concat(found).sort(["derived", "indicator", "reporter", "period", *order])


def _finish(
    definition: DerivedIndicator,
    frame: pl.DataFrame,
    indicator: str,
    value: pl.Expr,
    formula: pl.Expr,
    *,
    dims: tuple[str, ...],
) -> pl.DataFrame:
    """The derived figures of ``frame`` in the output's columns, each with its breakdown (a
    dimension the inputs were summed over is at its total)."""
    return frame.select(
        pl.lit(definition.code).alias("derived"),
        pl.lit(definition.name).alias("name"),
        pl.lit(indicator).alias("indicator"),
        "period",
        "reporter",
        *[pl.col(d) if d in frame.columns else pl.lit("_T").alias(d) for d in dims],
        value.round(4).alias("value"),
        pl.lit(definition.unit).alias("unit"),
        formula.alias("formula"),
        pl.format("{}; {}", "where", "where_d").alias("inputs"),
    )


def _units(catalogue: Catalogue, code: str) -> str:
    return catalogue.indicator(code).unit


def _share(
    definition: DerivedIndicator,
    levels: pl.DataFrame,
    dims: tuple[str, ...],
    catalogue: Catalogue,
    code: str,
) -> pl.DataFrame:
    unit = _units(catalogue, code)
    _check_units(definition, unit, unit)
    chosen = tuple(d for d in definition.filter if d in dims)
    if len(chosen) != len(definition.filter):
        return levels.head(0)
    rows = levels.filter(pl.col("indicator") == code)
    part = rows.filter(pl.all_horizontal([pl.col(d) == definition.filter[d] for d in chosen]))
    whole = rows.filter(pl.all_horizontal([pl.col(d) == "_T" for d in chosen])).select(
        *_same_slice(dims, chosen), pl.col("low").alias("d"), pl.col("where").alias("where_d")
    )
    joined = part.join(whole, on=_same_slice(dims, chosen)).filter(pl.col("d") > 0)
    formula = pl.format("100 x {} / {}", "value", pl.col("d").cast(pl.Int64))
    return _finish(
        definition, joined, code, 100.0 * pl.col("low") / pl.col("d"), formula, dims=dims
    )


def _referred(levels: pl.DataFrame, dims: tuple[str, ...]) -> pl.DataFrame:
    """Per slice, the persons referred on: one complete level of destinations, not retained."""
    from tip_indicators._engine.hierarchy import relations
    from tip_indicators.dimensions import builtin_dimensions

    keys = _same_slice(dims, ("destination",))
    given = levels.filter(pl.col("destination") != "_T")
    rows = []
    for group in given.partition_by(keys, maintain_order=True):
        codes = frozenset(group.get_column("destination").to_list()) | {"_T"}
        top = relations(builtin_dimensions()["destination"], codes)
        if not top or top[0].parent != "_T":
            continue
        chosen = group.filter(
            pl.col("destination").is_in([c for c in top[0].children if c not in {"RETAINED", "_U"}])
        )
        if chosen.height:
            rows.append(
                chosen.group_by(keys).agg(pl.col("low").sum(), pl.col("where").str.join(", "))
            )
    return pl.concat(rows) if rows else given.head(0).select(*keys, "low", "where")


def _ratio(
    definition: DerivedIndicator, levels: pl.DataFrame, dims: tuple[str, ...], catalogue: Catalogue
) -> pl.DataFrame:
    assert definition.numerator is not None
    assert definition.denominator is not None
    _check_units(
        definition,
        _units(catalogue, definition.numerator),
        _units(catalogue, definition.denominator),
    )
    numerators = levels.filter(pl.col("indicator") == definition.numerator)
    denominators = levels.filter(pl.col("indicator") == definition.denominator)
    if definition.numerator_filter.get("destination") == "*referred":
        if "destination" not in dims:
            return levels.head(0)
        numerator = _referred(numerators, dims)
        keys = _same_slice(dims, ("destination",))
        denominators = denominators.filter(pl.col("destination") == "_T")
    else:
        numerator = numerators.select(*_same_slice(dims), "low", "where")
        keys = _same_slice(dims)
    whole = denominators.select(*keys, pl.col("low").alias("d"), pl.col("where").alias("where_d"))
    joined = numerator.join(whole, on=keys).filter(pl.col("d") > 0)
    formula = pl.format("100 x {} / {}", pl.col("low").cast(pl.Int64), pl.col("d").cast(pl.Int64))
    value = 100.0 * pl.col("low") / pl.col("d")
    return _finish(definition, joined, definition.numerator, value, formula, dims=dims)


def _rate(
    definition: DerivedIndicator,
    levels: pl.DataFrame,
    dims: tuple[str, ...],
    catalogue: Catalogue,
    code: str,
    *,
    population: pl.DataFrame,
) -> pl.DataFrame:
    """The rate of every figure of ``code`` broken down by nothing but what the population
    table is broken down by (the total always; F and M when it gives sex...), each divided by
    its own population."""
    _check_units(definition, _units(catalogue, code), "inhabitant")
    by = [c for c in population.columns if c not in {*_KEY, "population", "line"}]
    rows = levels.filter(pl.col("indicator") == code)
    rows = rows.filter(
        pl.all_horizontal([pl.col(d) == "_T" for d in dims if d not in by] or [pl.lit(True)])
    )
    if any(d not in dims for d in by):
        rows = rows.with_columns(pl.lit("_T").alias(d) for d in by if d not in dims)
    if "age" in by:
        population = _with_age_sums(population, rows.get_column("age").unique().to_list(), by)
    table = population.with_columns(pl.format("population table line {}", "line").alias("where_d"))
    joined = rows.join(table, on=[*_KEY, *by])
    formula = pl.format(
        "{} x {} / {}", pl.lit(int(definition.per)), "value", pl.col("population").cast(pl.Int64)
    )
    value = definition.per * pl.col("low") / pl.col("population")
    return _finish(definition, joined, code, value, formula, dims=dims)


def _with_age_sums(population: pl.DataFrame, wanted: list[str], by: list[str]) -> pl.DataFrame:
    """The population table with the population of each wanted age band that its own bands
    tile exactly (``Y_LT18`` from ``Y_LT15`` and ``Y15T17``), summed where every part is given."""
    given = {c for c in population.get_column("age").unique().to_list() if c not in {"_T", "_U"}}
    bands = {code: parse_age(code) for code in given}
    tiles: list[tuple[str, str]] = []
    for code in wanted:
        if code in given or code in {"_T", "_U"}:
            continue
        parts = decompose(parse_age(code), bands.values())
        if parts:
            tiles += [(code, part.code) for part in parts]
    if not tiles:
        return population
    mapping = pl.DataFrame(tiles, schema=["coarse", "age"], orient="row")
    needed = mapping.group_by("coarse").agg(pl.len().alias("needed"))
    others = [d for d in by if d != "age"]
    summed = (
        population.join(mapping, on="age")
        .group_by([*_KEY, *others, "coarse"])
        .agg(pl.col("population").sum(), pl.len().alias("found"), pl.col("line").min())
        .join(needed, on="coarse")
        .filter(pl.col("found") == pl.col("needed"))
        .rename({"coarse": "age"})
        .select(population.columns)
    )
    return pl.concat([population, summed])


def _change(
    definition: DerivedIndicator,
    levels: pl.DataFrame,
    dims: tuple[str, ...],
    catalogue: Catalogue,
    code: str,
) -> pl.DataFrame:
    unit = _units(catalogue, code)
    _check_units(definition, unit, unit)
    rows = levels.filter(pl.col("indicator") == code)
    keys = [k for k in _same_slice(dims) if k != "period"]
    base = rows.select(
        pl.col("period").alias("base"),
        *keys,
        pl.col("low").alias("d"),
        pl.col("where").alias("where_d"),
    )
    joined = (
        rows.with_columns(previous_year_expr("period").alias("base"))
        .join(base, on=["base", *keys])
        .filter(pl.col("d") > 0)
    )
    d = pl.col("d").cast(pl.Int64)
    formula = pl.format("100 x ({} - {}) / {}", pl.col("low").cast(pl.Int64), d, d)
    value = 100.0 * (pl.col("low") - pl.col("d")) / pl.col("d")
    return _finish(definition, joined, code, value, formula, dims=dims)
