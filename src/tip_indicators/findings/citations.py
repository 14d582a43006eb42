"""Citations written column-wise: what a finding shows of each figure it cites.

:func:`citation_columns` applies the defaults a citation shows (a dimension not given is its
total, a measure not given is ``N``); :func:`observation_refs`
builds citation objects from them, and :func:`citation_json` writes their JSON text in one
query, the same text as the JSON report writes for the objects, without making them. The JSON
strings and numbers of findings kept as rows are written with :func:`json_string` and
:func:`json_numbers`.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import polars as pl

from tip_indicators.findings.model import SUGGESTION_KINDS, Location, ObservationRef, place

__all__ = [
    "DIMENSION_DEFAULT",
    "TEXT_DEFAULTS",
    "citation_columns",
    "citation_json",
    "citation_label",
    "citations_of",
    "json_numbers",
    "json_string",
    "location_json",
    "observation_ref",
    "observation_refs",
    "texts_of_numbers",
]

# What a citation shows for an empty or missing cell: a dimension not given is its total.
TEXT_DEFAULTS = {
    "indicator": "",
    "period": "",
    "reporter": "",
    "measure": "N",
    "value": "",
    "path": "",
}
DIMENSION_DEFAULT = "_T"

# What json.dumps(..., ensure_ascii=False) escapes in a string: the quote, the backslash and
# every control character; everything else is written as it is.
_ESCAPES = {chr(code): json.dumps(chr(code)).strip('"') for code in range(0x20)} | {
    '"': '\\"',
    "\\": "\\\\",
}


def citation_columns(frame: pl.DataFrame, dimensions: Sequence[str]) -> pl.DataFrame:
    """The text, dimension, source, line, cell and derived columns of each row as a citation
    shows them: empty or missing texts replaced by their defaults, missing columns filled. A
    figure read from a workbook form has its ``cell`` (``victims_received!C8``), which its
    location shows as its field."""
    return frame.select(_citation_exprs(frozenset(frame.columns), tuple(dimensions)))


def citations_of(frame: pl.DataFrame, rows: pl.Series, dimensions: Sequence[str]) -> pl.LazyFrame:
    """The plan of :func:`citation_columns` of the ``rows`` of ``frame`` (by position): one
    query with what the caller makes of them."""
    return (
        frame.lazy()
        .gather(rows)
        .select(_citation_exprs(frozenset(frame.columns), tuple(dimensions)))
    )


@functools.lru_cache(maxsize=64)
def _citation_exprs(given: frozenset[str], dimensions: tuple[str, ...]) -> tuple[pl.Expr, ...]:
    """The expressions of :func:`citation_columns` for a frame of the ``given`` columns, made
    once for each: a check asks for them dozens of times, and on a small file making them costs
    more than running them."""

    def text(name: str, default: str) -> pl.Expr:
        if name not in given:
            return pl.lit(default, pl.String).alias(name)
        written = pl.col(name).cast(pl.String)
        return pl.when(written == "").then(pl.lit(default)).otherwise(written).fill_null(default)

    return (
        *[text(name, default).alias(name) for name, default in TEXT_DEFAULTS.items()],
        *[text(dimension, DIMENSION_DEFAULT).alias(dimension) for dimension in dimensions],
        pl.col("source") if "source" in given else pl.lit(None, pl.String).alias("source"),
        pl.col("line").cast(pl.Int64) if "line" in given else pl.lit(None, pl.Int64).alias("line"),
        pl.col("cell").cast(pl.String)
        if "cell" in given
        else pl.lit(None, pl.String).alias("cell"),
        pl.col("derived").fill_null(False)
        if "derived" in given
        else pl.lit(False).alias("derived"),
    )


def kind_of(reason: pl.Expr) -> pl.Expr:
    """Each suggestion's kind from its reason, column-wise: the same as
    :func:`~tip_indicators.findings.model.suggestion_kind`."""
    named = "|".join(SUGGESTION_KINDS)
    return reason.str.extract(rf"\(({named})\)", 1).fill_null("derived")


def json_string(text: pl.Expr) -> pl.Expr:
    """Each value as a JSON string literal, as ``json.dumps(..., ensure_ascii=False)`` writes
    it; null stays null."""
    escaped = text.str.replace_many(list(_ESCAPES), list(_ESCAPES.values()))
    return pl.concat_str(pl.lit('"'), escaped, pl.lit('"'))


def texts_of_numbers(
    values: pl.Series,
    *,
    whole: Callable[[pl.Expr], pl.Expr],
    other: Callable[[float], str],
    null: str,
    below: float,
    fraction: Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]] | None = None,
) -> pl.Series:
    """Each number as text, column-wise: finite whole numbers under ``below`` in size (nearly
    every figure) by the polars expression ``whole`` makes of them, nulls as ``null``, the
    other numbers that ``fraction`` can write (it gives the text and which rows it can write)
    by it, and any other value by ``other``, one at a time. (Given the same functions, the
    expressions are made once.)"""
    frame = values.cast(pl.Float64).to_frame("x")
    first, fractional = _number_expressions(whole, null, below, fraction)
    texts = frame.select(first)
    result = texts.get_column("text")
    if texts.get_column("done").all():
        return result
    rest = texts.select(pl.arg_where(~pl.col("done"))).to_series()
    if rest.len() and fractional is not None:
        # only the few numbers that are not whole pay for the longer expression
        written, writable = fractional
        others = frame[rest]
        done = others.select(writable).to_series()
        result = result.scatter(rest.filter(done), others.filter(done).select(written).to_series())
        rest = rest.filter(~done)
    if rest.len():
        result = result.scatter(rest, [other(v) for v in frame["x"].gather(rest).to_list()])
    return result


@functools.lru_cache(maxsize=16)
def _number_expressions(
    whole: Callable[[pl.Expr], pl.Expr],
    null: str,
    below: float,
    fraction: Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]] | None,
) -> tuple[tuple[pl.Expr, pl.Expr], tuple[pl.Expr, pl.Expr] | None]:
    """The expressions of :func:`texts_of_numbers` over column ``x``: the first pass's text and
    whether it is done, and the fractional text with the rows it can write."""
    x = pl.col("x")
    is_whole = (x.is_finite() & (x == x.round(0)) & (x.abs() < below)).fill_null(False)
    first = (
        pl.when(x.is_null()).then(pl.lit(null)).when(is_whole).then(whole(x)).alias("text"),
        (is_whole | x.is_null()).alias("done"),
    )
    if fraction is None:
        return first, None
    written, writable = fraction(x)
    return first, (written, (writable & x.is_finite()).fill_null(False))


def json_numbers(values: pl.Series) -> pl.Series:
    """Each number as :func:`json.dumps` writes it (``5.0``; non-finite numbers and nulls as
    null), column-wise."""
    return texts_of_numbers(
        values, whole=_json_whole, other=_json_other, null="null", below=1e16, fraction=_shortest
    )


def _json_whole(x: pl.Expr) -> pl.Expr:
    # repr writes whole numbers under 1e16 as their digits and ".0", a negative zero too.
    negative_zero = (x == 0) & ((1.0 / x) < 0)
    digits = x.cast(pl.Int64).cast(pl.String)
    return pl.when(negative_zero).then(pl.lit("-0.0")).otherwise(digits + ".0")


def _shortest(x: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    # between 1e-4 and 1e16 repr writes the shortest digits that read back, without an
    # exponent, as polars does
    return x.cast(pl.String), (x.abs() >= 1e-4) & (x.abs() < 1e16)


def _json_other(value: float) -> str:
    return json.dumps(value) if math.isfinite(value) else "null"


def position_json(line: pl.Expr, is_row: pl.Expr) -> pl.Expr:
    """The position members of a location's JSON object: ``"line": n`` in a file, or
    ``"line": null, "row": n`` in a checked data frame (where ``is_row``)."""
    number = line.cast(pl.String).fill_null("null")
    return (
        pl.when(is_row)
        .then(pl.format('"line": null, "row": {}', number))
        .otherwise(pl.format('"line": {}', number))
    )


def location_json(
    path: pl.Expr, line: pl.Expr, frames: Collection[str] = (), field: pl.Expr | None = None
) -> pl.Expr:
    """The JSON object of a location whose field is ``field`` (null when not given);
    positions in the checked frames named in ``frames`` are rows."""
    written = pl.lit("null") if field is None else json_string(field).fill_null("null")
    return pl.format(
        '{{"path": {}, {}, "field": {}}}',
        json_string(path).fill_null("null"),
        position_json(line, path.is_in(list(frames))),
        written,
    )


def citation_json(
    columns: pl.DataFrame, dimensions: Sequence[str], frames: Collection[str] = ()
) -> pl.Series:
    """The JSON object of each citation in ``columns`` (see :func:`citation_columns`): the same
    text the JSON report writes for its :class:`~tip_indicators.findings.ObservationRef`;
    ``frames`` names the checked frames, whose positions are rows."""
    shown = [
        pl.when(pl.col(dimension) != DIMENSION_DEFAULT).then(
            pl.concat_str(
                pl.lit(json.dumps(dimension, ensure_ascii=False) + ": "),
                json_string(pl.col(dimension)),
            )
        )
        for dimension in dimensions
    ]
    breakdown = (
        pl.concat_str(
            pl.lit("{"), pl.concat_str(shown, separator=", ", ignore_nulls=True), pl.lit("}")
        )
        if shown
        else pl.lit("{}")
    )
    return columns.select(
        pl.format(
            '{{"indicator": {}, "period": {}, "reporter": {}, "dimensions": {}, "measure": {}, '
            '"value": {}, "source": {}, "location": {}, "derived": {}}}',
            json_string(pl.col("indicator")),
            json_string(pl.col("period")),
            json_string(pl.col("reporter")),
            breakdown,
            json_string(pl.col("measure")),
            json_string(pl.col("value")),
            json_string(pl.col("source")).fill_null("null"),
            location_json(pl.col("path"), pl.col("line"), frames, pl.col("cell")),
            pl.when(pl.col("derived")).then(pl.lit("true")).otherwise(pl.lit("false")),
        ).alias("json")
    ).to_series()


def citation_label(dimensions: Sequence[str], *, measure: bool = True) -> pl.Expr:
    """Each citation's :meth:`~tip_indicators.findings.ObservationRef.label`, from the columns
    of :func:`citation_columns`: ``victims_received[destination=NGO.AFESIP] 2010 GOV.MOSVY``.
    Without ``measure``, the label of a group of figures of several measures."""
    return _label(tuple(dimensions), measure)


@functools.lru_cache(maxsize=64)
def _label(dimensions: tuple[str, ...], measure: bool) -> pl.Expr:
    """:func:`citation_label`, made once for each set of dimensions (see
    :func:`_citation_exprs`)."""
    shown = [
        pl.when(pl.col(dimension) != DIMENSION_DEFAULT).then(
            pl.concat_str(pl.lit(f"{dimension}="), pl.col(dimension))
        )
        for dimension in dimensions
    ]
    codes = pl.concat_str(shown, separator=",", ignore_nulls=True) if shown else pl.lit("")
    return pl.concat_str(
        pl.col("indicator"),
        pl.when(codes != "")
        .then(pl.concat_str(pl.lit("["), codes, pl.lit("]")))
        .otherwise(pl.lit("")),
        pl.when(pl.col("measure") != "N")
        .then(pl.concat_str(pl.lit(" "), pl.col("measure")))
        .otherwise(pl.lit(""))
        if measure
        else pl.lit(""),
        pl.lit(" "),
        pl.col("period"),
        pl.lit(" "),
        pl.col("reporter"),
    )


def observation_refs(
    frame: pl.DataFrame, dimensions: Sequence[str], frames: Collection[str] = ()
) -> list[ObservationRef]:
    """Build the citation of every row of ``frame``, column by column; the same as
    :func:`observation_ref` on each row.

    Used for the figures findings cite, which can be a hundred thousand in a large file with many
    findings: the columns are read out once, and rows with the same dimension codes share one
    mapping of them (citations are immutable).
    """
    if frame.height == 0:
        return []
    columns = citation_columns(frame, dimensions).to_dict(as_series=False)
    mappings = _SharedMappings(dimensions)
    codes = (
        zip(*(columns[dimension] for dimension in dimensions), strict=True)
        if dimensions
        else itertools.repeat((), frame.height)
    )
    # Built by map over the columns, with no Python loop: this runs for every cited figure.
    return list(
        map(
            ObservationRef,
            columns["indicator"],
            columns["period"],
            columns["reporter"],
            map(mappings.__getitem__, codes),
            columns["measure"],
            columns["value"],
            columns["source"],
            map(
                Location if not frames else _Places(frames),
                columns["path"],
                columns["line"],
                columns["cell"],
            ),
            columns["derived"],
        )
    )


class _Places:
    """Makes the location of a path and position (a row in one of ``frames``, else a line)."""

    def __init__(self, frames: Collection[str]) -> None:
        self.frames = frames

    def __call__(self, path: str, position: int | None, cell: str | None) -> Location:
        return place(path, position, cell, self.frames)


class _SharedMappings(dict[tuple[str, ...], dict[str, str]]):
    """One mapping of dimension to code per distinct row of codes (citations are immutable)."""

    def __init__(self, dimensions: Sequence[str]) -> None:
        super().__init__()
        self.dimensions = dimensions

    def __missing__(self, codes: tuple[str, ...]) -> dict[str, str]:
        mapping = self[codes] = dict(zip(self.dimensions, codes, strict=True))
        return mapping


def observation_ref(row: Mapping[str, Any], dimensions: Sequence[str]) -> ObservationRef:
    """Build the citation of one row given as a mapping of column to value."""
    text = {name: str(row.get(name) or default) for name, default in TEXT_DEFAULTS.items()}
    return ObservationRef(
        indicator=text["indicator"],
        period=text["period"],
        reporter=text["reporter"],
        dimensions={d: str(row.get(d) or DIMENSION_DEFAULT) for d in dimensions},
        measure=text["measure"],
        value=str(row["value"]) if row.get("value") is not None else "",
        source=row.get("source"),
        location=Location(text["path"], row.get("line"), row.get("cell")),
        derived=bool(row.get("derived") or False),
    )
