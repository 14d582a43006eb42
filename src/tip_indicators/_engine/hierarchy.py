"""Which sums a breakdown allows: parent = sum of children, for each kind of dimension.

Given the codes present in one breakdown (one slice of the data with every other key fixed), a
dimension yields relations: a parent code, the children that add up to it, whether the children
are disjoint (else only part <= whole holds), and whether they are complete by construction.
Relations depend only on the set of codes, so they are computed once per distinct set.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import attrs
import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators.ages import AgeBand, parse_age
from tip_indicators.ages import children as age_children
from tip_indicators.codelists import parse_destination
from tip_indicators.dimensions import Dimension, DimensionKind
from tip_indicators.nationalities import contains as geo_contains

_GEO_TOP = ("NATIONAL", "FOREIGN", "_U", "_O", "_Z")


@attrs.frozen
class Relation:
    """``parent`` is (at least) the sum of ``children``; exactly when ``complete``."""

    parent: str
    children: tuple[str, ...]
    disjoint: bool = True
    complete: bool = False


def relations(dimension: Dimension, codes: frozenset[str]) -> tuple[Relation, ...]:
    """The relations among ``codes`` (the codes one breakdown gives) along ``dimension``."""
    return _relations(dimension.kind, dimension.complete, codes)


@functools.lru_cache(maxsize=4096)
def _relations(
    kind: DimensionKind, complete: frozenset[str], codes: frozenset[str]
) -> tuple[Relation, ...]:
    if len(codes) < 2:
        return ()
    if kind is DimensionKind.AGE:
        return _age_relations(codes)
    if kind is DimensionKind.ORGANISATION:
        return _organisation_relations(codes)
    if kind is DimensionKind.NATIONALITY:
        return _geo_relations(codes)
    if "_T" not in codes:
        return ()
    children = tuple(sorted(codes - {"_T"}))
    closed = bool(complete) and complete <= set(children)
    return (Relation("_T", children, True, closed),)


def _age_relations(codes: frozenset[str]) -> tuple[Relation, ...]:
    bands = [parse_age(code) for code in codes]
    found: list[Relation] = []
    for parent in sorted(bands, key=_band_order):
        if parent.is_unknown:
            continue
        child_set = age_children(parent, bands)
        if not child_set.bands:
            continue
        found.append(
            Relation(
                parent.code,
                tuple(band.code for band in child_set.bands),
                child_set.disjoint,
                child_set.covers,
            )
        )
    return tuple(found)


def _band_order(band: AgeBand) -> tuple[int, str]:
    return (0 if band.is_total else 1, band.code)


# A file names a few dozen organisations in thousands of combinations: each code is split once.
_split_destination = functools.lru_cache(maxsize=4096)(parse_destination)


def _organisation_relations(codes: frozenset[str]) -> tuple[Relation, ...]:
    by_type: dict[str, list[str]] = {}
    for code in codes - {"_T"}:
        kind, organisation = _split_destination(code)
        by_type.setdefault(kind, [])
        if organisation is not None:
            by_type[kind].append(code)
    found: list[Relation] = []
    top: list[str] = []
    for kind in sorted(by_type):
        organisations = sorted(by_type[kind])
        if kind in codes:
            top.append(kind)
            if organisations:
                found.append(Relation(kind, tuple(organisations)))
        else:
            top.extend(organisations)
    if "_T" in codes and top:
        found.insert(0, Relation("_T", tuple(top)))
    return tuple(found)


def _geo_relations(codes: frozenset[str]) -> tuple[Relation, ...]:
    places = [code for code in codes if code not in _GEO_TOP and code != "_T"]
    found: list[Relation] = []

    def maximal(container: str | None) -> list[str]:
        inside = [
            p
            for p in places
            if p != container and (container is None or geo_contains(container, p))
        ]
        return sorted(p for p in inside if not any(q != p and geo_contains(q, p) for q in inside))

    for place in sorted(places):
        members = maximal(place)
        if members:
            found.append(Relation(place, tuple(members)))
    top = [code for code in _GEO_TOP if code in codes and code != "FOREIGN"]
    if "FOREIGN" in codes:
        members = maximal(None)
        if members:
            found.insert(0, Relation("FOREIGN", tuple(members)))
        top.insert(1 if "NATIONAL" in top else 0, "FOREIGN")
    else:
        top.extend(maximal(None))
    if "_T" in codes and top:
        found.insert(0, Relation("_T", tuple(top)))
    return tuple(found)


def organisation_relation_rows(signatures: pl.Series, names: Sequence[str]) -> pl.DataFrame:
    """The relations of many sets of organisation codes at once, one row per (signature,
    relation, child), as :func:`relations` gives them set by set.

    A set is a signature: bit ``n`` stands for ``names[n]``. A file that refers persons to a
    few dozen organisations names them in thousands of combinations; worked out column-wise,
    they cost a few queries rather than a Python call each. The columns are ``sig``, ``rel``
    (the relation's position in :func:`relations`), ``parent``, ``child``, ``disjoint`` and
    ``complete``.

    Long because it is one query: both kinds of relation are read off the same members.
    """
    kinds, organisation = [], []
    for name in names:
        kind, found = ("_T", None) if name == "_T" else _split_destination(name)
        kinds.append(kind)
        organisation.append(found is not None)
    codes = pl.DataFrame(
        {
            "mask": pl.Series([1 << bit for bit in range(len(names))], dtype=pl.UInt64),
            "code": pl.Series(list(names), dtype=pl.String),
            "kind": pl.Series(kinds, dtype=pl.String),
            "organisation": pl.Series(organisation, dtype=pl.Boolean),
        }
    )
    members = (
        signatures.unique()
        .alias("sig")
        .to_frame()
        .lazy()
        .join(codes.lazy(), how="cross")
        .filter(pl.col("sig").and_(pl.col("mask")) != 0)
        .with_columns((pl.col("code") == "_T").any().over("sig").alias("has_total"))
        .filter(pl.col("code") != "_T")
        # Whether each code's type is given as a code of its own in the set.
        .with_columns((~pl.col("organisation")).any().over("sig", "kind").alias("given"))
    )
    # A type given with organisations is their total; types are taken in sorted order, after
    # the relation of the total (when there is one).
    own = members.filter(pl.col("organisation") & pl.col("given")).select(
        "sig",
        (
            pl.col("kind").rank("dense").over("sig").cast(pl.Int64)
            - 1
            + pl.col("has_total").cast(pl.Int64)
        ).alias("rel"),
        pl.col("kind").alias("parent"),
        pl.col("code").alias("child"),
    )
    # Under the total: each type given, else its organisations.
    total = members.filter(
        pl.col("has_total") & (~pl.col("organisation") | ~pl.col("given"))
    ).select(
        "sig",
        pl.lit(0, pl.Int64).alias("rel"),
        pl.lit("_T").alias("parent"),
        pl.col("code").alias("child"),
    )
    return (
        pl.concat([total, own])
        .sort("sig", "rel", maintain_order=True)
        .with_columns(pl.lit(True).alias("disjoint"), pl.lit(False).alias("complete"))
        .pipe(collect)
    )
