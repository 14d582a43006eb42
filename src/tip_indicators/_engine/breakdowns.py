"""Breakdowns: the figures of each rule's dimension cut into slices, and the relations of
parts to totals within each slice.

For one dimension, the figures are cut into slices (every other key column equal); each slice's
set of codes yields relations (see :mod:`hierarchy`): which codes are the parts of which total,
whether they are disjoint and whether they cover it. The structures of every breakdown rule are
stacked in one frame, so that the partition and derivation rules sum all slices of all
dimensions at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import polars as pl

from tip_indicators._engine.base import (
    ID,
    Run,
)
from tip_indicators._engine.hierarchy import organisation_relation_rows, relations
from tip_indicators._private.queries import collect, collect_all
from tip_indicators.dimensions import Dimension, DimensionKind
from tip_indicators.rules import Family, Rule

_REMAINDER = "L"
SERIES = ("indicator", "period", "reporter")
_DENSE_CELLS_PER_MEMBER = 8
"""A slice-by-code table of figure ids is used when at most this many cells per figure."""


def per_rule(
    rules: Sequence[Rule], attribute: Callable[[Rule], object], dtype: pl.DataType
) -> pl.Expr:
    """An attribute of each row's rule (``rule`` holds its position in ``rules``)."""
    values = {number_: attribute(rule) for number_, rule in enumerate(rules)}
    return pl.col("rule").replace_strict(values, return_dtype=dtype)


def tolerance(rules: Sequence[Rule], column: str) -> pl.Expr:
    absolute = per_rule(rules, lambda rule: rule.tolerance.absolute, pl.Float64())
    relative = per_rule(rules, lambda rule: rule.tolerance.relative, pl.Float64())
    return absolute + relative * pl.col(column).abs().fill_null(0.0)


_Structure = tuple[pl.DataFrame, pl.DataFrame]


def rules_touching(run: Run, rules: Sequence[Rule], figures: pl.Series) -> list[Rule]:
    """The rules among ``rules`` whose relations hold any of ``figures`` as a part or a total."""
    combined = _combined(run, rules)
    if combined is None:
        return []
    wanted = figures.implode()
    touched = (
        combined[0]
        .lazy()
        .filter(pl.col("c_id").is_in(wanted) | pl.col("p_id").is_in(wanted))
        .select(pl.col("rule").unique())
        .pipe(collect)
        .get_column("rule")
        .to_list()
    )
    return [rule for number_, rule in enumerate(rules) if number_ in touched]


def _structures(run: Run, rules: Sequence[Rule]) -> list[_Structure | None]:
    """The relations and slices of each rule, built once per run (they depend only on the keys):
    those not built yet are built together.

    Each step is one round of queries for all the rules: cutting the figures into slices,
    reading each slice's key and signature, pairing each relation's parts with its total. A
    small file would otherwise pay a few dozen query plans a rule."""
    planned: dict[str, tuple[str, pl.LazyFrame, list[str]]] = {}
    for rule in rules:
        if ("structure", rule.name) not in run.cache and rule.name not in planned:
            found = _slice_plan(run, rule)
            if found is None:
                run.cache[("structure", rule.name)] = None
            else:
                planned[rule.name] = found
    cut = {
        name: members
        for name, members in zip(
            planned, collect_all([p[1] for p in planned.values()]), strict=True
        )
        if members.height
    }
    for name in planned.keys() - cut.keys():
        run.cache[("structure", name)] = None
    keyed = collect_all(
        [_slices_of(run, planned[name][0], members) for name, members in cut.items()]
    )
    paired: dict[str, tuple[pl.LazyFrame, pl.DataFrame]] = {}
    for (name, members), slices in zip(cut.items(), keyed, strict=True):
        dimension, _, codes = planned[name]
        relation_table = _relation_table(run.catalogue.dimension(dimension), slices, codes)
        if relation_table is None:
            run.cache[("structure", name)] = None
        else:
            paired[name] = (_pairs_plan(members, slices, relation_table, len(codes)), slices)
    pairs_found = collect_all([plan for plan, _ in paired.values()])
    for (name, (_, slices)), pairs in zip(paired.items(), pairs_found, strict=True):
        run.cache[("structure", name)] = (pairs, slices)
    structures = [run.cache[("structure", rule.name)] for rule in rules]
    return [structure if isinstance(structure, tuple) else None for structure in structures]


def _combined(run: Run, rules: Sequence[Rule]) -> _Structure | None:
    """The relations and slices of several rules stacked, ``rule`` giving each row's rule (its
    position in ``rules``) and slices numbered across all of them."""
    key = ("combined", tuple(rule.name for rule in rules))
    if key not in run.cache:
        pair_parts: list[pl.DataFrame] = []
        slice_parts: list[pl.DataFrame] = []
        offset = 0
        for number_, structure in enumerate(_structures(run, rules)):
            if structure is None:
                continue
            pairs, slices = structure
            pair_parts.append(_tagged(pairs, offset, number_))
            slice_parts.append(_tagged(slices, offset, number_))
            offset += slices.height
        stacked: _Structure | None = None
        if pair_parts:
            pairs = pl.concat(pair_parts)
            # Slices are numbered across rules, so (slice, relation) names a relation; as one
            # whole number it groups faster than as two or three columns.
            width = pairs.select(pl.col("rel").max()).item() + 1
            relation = pl.col("slice").cast(pl.UInt64) * width + pl.col("rel").cast(pl.UInt64)
            stacked = (
                pairs.with_columns(relation.alias("relation")),
                pl.concat(slice_parts, how="diagonal"),
            )
        run.cache[key] = stacked
    combined = run.cache[key]
    return combined if isinstance(combined, tuple) else None


def _tagged(frame: pl.DataFrame, offset: int, rule: int) -> pl.DataFrame:
    """A rule's pairs or slices, without signatures, slices numbered from ``offset`` and each
    row marked with the rule's position. (Frame operations without a query plan: a small file
    runs this for every rule, several times.)"""
    return pl.DataFrame(
        [
            (frame.get_column(column) + offset).cast(pl.UInt32)
            if column == "slice"
            else frame.get_column(column)
            for column in frame.columns
            if column != "sig"
        ]
        + [_repeated("rule", rule, frame.height, pl.UInt32())]
    )


def _repeated(name: str, value: object, length: int, dtype: pl.DataType) -> pl.Series:
    """``value`` ``length`` times, made directly (``pl.repeat`` plans a query)."""
    return pl.Series(name, [value], dtype=dtype).new_from_index(0, length)


def members(run: Run, rules: Sequence[Rule]) -> _Structure | None:
    """One row per (rule, relation, child) with the parent's and the child's figures, and the
    slices. The current values (derived ones included) are fetched at every call."""
    combined = _combined(run, rules)
    if combined is None:
        return None
    pairs, slices = combined
    # A figure's id is its row in the frame: its values are fetched by position, not joined.
    frame = run.frame
    wanted = [("c", "low"), ("c", "high"), ("p", "low"), ("p", "high")]
    children = pairs.lazy().with_columns(
        *[
            pl.lit(frame.get_column(column)).gather(pl.col(f"{side}_id")).alias(f"{side}_{column}")
            for side, column in wanted
        ],
        # Whether each part is a remainder (status L), fetched as a flag rather than as text.
        pl.lit(_remainder_flags(run)).gather(pl.col("c_id")).alias("c_remainder"),
    )
    return children.pipe(collect), slices


def _remainder_flags(run: Run) -> pl.Series:
    """Whether each figure's status is L (null without a status), once per run: statuses do not
    change as figures are derived."""
    key = ("remainder flags",)
    if key not in run.cache:
        run.cache[key] = run.frame.get_column("status") == _REMAINDER
    flags = run.cache[key]
    assert isinstance(flags, pl.Series)
    return flags


def _slice_plan(run: Run, rule: Rule) -> tuple[str, pl.LazyFrame, list[str]] | None:
    """The rule's dimension, the plan of its slices' members (see :func:`_slices`) and the
    dimension's codes (a code's number is its position); None when no slice can have two
    figures."""
    dimension = rule.dimension
    assert dimension is not None
    partitions = rule.family is Family.PARTITION
    indicators = [
        i.code
        for i in run.catalogue
        if i.dimensions.get(dimension) is partitions and i.unit != "per_100k"
    ]
    # Keys are unique, so with every code a total no slice has two figures (many files leave
    # most dimensions out: that is seen before anything is numbered).
    if not _has_parts(run, dimension):
        return None
    coded = _coded_keys(run)
    # With one code throughout, no slice has two figures either.
    if dimension not in coded.values:
        return None
    if "indicator" in coded.values:
        chosen = [n for n, code in enumerate(coded.values["indicator"]) if code in indicators]
        wanted: pl.Expr | None = pl.col("indicator").is_in(
            pl.Series(chosen, dtype=pl.UInt64).implode()
        )
    elif coded.constants["indicator"] in indicators:
        wanted = None
    else:
        return None
    return dimension, _slices(run, coded, dimension, wanted), coded.values[dimension]


def _has_parts(run: Run, dimension: str) -> bool:
    """Whether any figure has a code other than the total in ``dimension``, once per run (a
    dimension has several rules)."""
    key = ("has parts", dimension)
    if key not in run.cache:
        run.cache[key] = bool((run.frame.get_column(dimension) != "_T").any())
    return run.cache[key] is True


class _CodedKeys(NamedTuple):
    """The level figures' key columns as whole numbers: ``frame`` has the id and, for each key
    column holding more than one value, the position of each row's value in ``values`` (the
    column's distinct values, sorted; a missing value is numbered after them). ``constants``
    holds the one value of each other key column."""

    frame: pl.DataFrame
    values: dict[str, list[str]]
    constants: dict[str, object]


def _coded_keys(run: Run) -> _CodedKeys:
    """The key columns numbered, once per run (keys never change while a run derives)."""
    key = ("coded keys",)
    if key not in run.cache:
        levels = (
            run.frame.lazy().filter(pl.col("measure") == "N").select(ID, *run.keys).pipe(collect)
        )
        # Each key column's distinct values (a missing value counts as one), in one pass.
        distinct = dict(
            zip(run.keys, levels.select(pl.col(run.keys).unique().implode()).row(0), strict=True)
        )
        varying = [k for k in run.keys if len(distinct[k]) > 1]
        values = {k: sorted(v for v in distinct[k] if v is not None) for k in varying}
        constants = {
            k: found[0] if found else None for k, found in distinct.items() if len(found) <= 1
        }
        run.cache[key] = _CodedKeys(
            levels.select(
                ID,
                *[
                    pl.col(k)
                    .cast(pl.Enum(values[k]))
                    .to_physical()
                    .cast(pl.UInt64)
                    .fill_null(len(values[k]))
                    for k in varying
                ],
            ),
            values,
            constants,
        )
    coded = run.cache[key]
    assert isinstance(coded, _CodedKeys)
    return coded


_KEY_LIMIT = 1 << 62
"""Slice keys are numbers below this; past it, the key so far is renumbered densely."""


def _slices(run: Run, coded: _CodedKeys, dimension: str, wanted: pl.Expr | None) -> pl.LazyFrame:
    """The plan of the members of the slices of the ``wanted`` level figures (all when None)
    cut along ``dimension``: slice number, code, figure id, the code's ``mark`` and whether the
    figure is the first of its slice (``start``).

    A slice is the figures whose other key columns are all equal. Their numbers are combined
    into one whole number per figure (positional, like digits), so figures are sorted by that
    number rather than grouped by several text columns: a slice is a run of equal numbers.
    Slices are numbered in the order of their first figure, the order of the file; only those
    of two figures or more are kept. A code's mark makes the slice's signature, the set of its
    codes: a bit when there are fewer than 64 codes (summed), else the code (sorted and joined).
    """
    frame = coded.frame.lazy()
    if wanted is not None:
        frame = frame.filter(wanted)
    key: pl.Expr | None = None
    size = 1
    for column in run.keys:
        if column == dimension or column not in coded.values:
            continue
        radix = len(coded.values[column]) + 1
        if key is not None and size * radix >= _KEY_LIMIT:
            key = (key.rank("dense") - 1).cast(pl.UInt64)
            # A dense rank is below the number of figures.
            size = coded.frame.height
        key = pl.col(column) if key is None else key * radix + pl.col(column)
        size *= radix
    known = coded.values[dimension]
    code = pl.col(dimension).cast(pl.UInt32)
    if len(known) < 64:
        mark = pl.lit(2, pl.UInt64).pow(code)
    else:
        mark = pl.lit(pl.Series(known, dtype=pl.String)).gather(code)
    same_as_previous = (pl.col("key") == pl.col("key").shift(1)).fill_null(False)
    same_as_next = (pl.col("key") == pl.col("key").shift(-1)).fill_null(False)
    return (
        frame.select(
            ID,
            code.alias("code"),
            mark.alias("mark"),
            (pl.lit(0, pl.UInt64) if key is None else key).alias("key"),
        )
        # A stable sort: within a slice, figures stay in the order of the file.
        .sort("key", maintain_order=True)
        .with_columns(~same_as_previous.alias("start"), same_as_next.alias("next"))
        .filter(~pl.col("start") | pl.col("next"))
        .with_columns(
            # Slices are numbered in the order of their first figure.
            (pl.col(ID).filter("start").rank("ordinal") - 1)
            .cast(pl.UInt32)
            .gather(pl.col("start").cum_sum() - 1)
            .alias("slice")
        )
        .select("slice", "code", ID, "mark", "start")
    )


def _slices_of(run: Run, dimension: str, members: pl.DataFrame) -> pl.LazyFrame:
    """The plan of the slices of ``members`` (as :func:`_slices` gives them): number, the key
    columns of the first figure and the signature."""
    marks = pl.col("mark")
    signature = (
        marks.sum() if members.schema["mark"] == pl.UInt64 else marks.sort().str.join("\x1f")
    )
    # Slices are numbered in the order of their first figures.
    firsts = members.get_column(ID).filter(members.get_column("start")).sort()
    others = [column for column in run.keys if column != dimension]
    return pl.concat(
        [
            members.lazy().group_by("slice").agg(signature.alias("sig")).sort("slice"),
            run.frame.lazy().select(others).gather(firsts),
        ],
        how="horizontal",
    ).select("slice", *others, "sig")


def _relation_table(
    definition: Dimension, slices: pl.DataFrame, names: list[str]
) -> pl.DataFrame | None:
    """One row per (signature, relation, child): the relations each set of codes holds, worked
    out once per distinct set. Codes are also given by number (their position in ``names``)."""
    numbers = {code: number_ for number_, code in enumerate(names)}
    sig_type = slices.schema["sig"]
    table: pl.DataFrame | None
    if definition.kind is DimensionKind.ORGANISATION and sig_type == pl.UInt64:
        # Thousands of combinations of organisations: worked out column-wise.
        table = organisation_relation_rows(slices.get_column("sig"), names)
    else:
        table = _relation_rows(definition, slices.get_column("sig"), names)
    if table is None or table.height == 0:
        return None
    return table.with_columns(
        pl.col("parent").replace_strict(numbers, return_dtype=pl.UInt32).alias("p_code"),
        pl.col("child").replace_strict(numbers, return_dtype=pl.UInt32).alias("c_code"),
    )


def _relation_rows(
    definition: Dimension, signatures: pl.Series, names: list[str]
) -> pl.DataFrame | None:
    """The relations of each distinct signature, one :func:`relations` call each."""
    sigs: list[Any] = []
    rels: list[int] = []
    parents: list[str] = []
    children: list[str] = []
    disjoint: list[bool] = []
    complete: list[bool] = []
    for sig in signatures.unique().to_list():
        codes = frozenset(_bits_set(sig, names) if isinstance(sig, int) else sig.split("\x1f"))
        for number_, relation in enumerate(relations(definition, codes)):
            width = len(relation.children)
            sigs += [sig] * width
            rels += [number_] * width
            parents += [relation.parent] * width
            children += relation.children
            disjoint += [relation.disjoint] * width
            complete += [relation.complete] * width
    if not sigs:
        return None
    return pl.DataFrame(
        {
            "sig": pl.Series(sigs, dtype=signatures.dtype),
            "rel": pl.Series(rels, dtype=pl.Int64),
            "parent": pl.Series(parents, dtype=pl.String),
            "child": pl.Series(children, dtype=pl.String),
            "disjoint": pl.Series(disjoint, dtype=pl.Boolean),
            "complete": pl.Series(complete, dtype=pl.Boolean),
        }
    )


def _bits_set(signature: int, names: list[str]) -> list[str]:
    """The codes whose bits a signature sets (bit n stands for ``names[n]``)."""
    found = []
    while signature:
        lowest = signature & -signature
        found.append(names[lowest.bit_length() - 1])
        signature ^= lowest
    return found


def _pairs_plan(
    members: pl.DataFrame, slices: pl.DataFrame, relation_table: pl.DataFrame, width: int
) -> pl.LazyFrame:
    """The plan of one row per (slice, relation, child) with the child's and the parent's
    figure ids.

    ``width`` is the number of codes. When a slice-by-code table of ids has at most
    _DENSE_CELLS_PER_MEMBER cells per figure, the ids are read from it by position; otherwise
    they are joined on (slice, code).
    """
    relations_of_slices = slices.lazy().select("slice", "sig").join(relation_table.lazy(), on="sig")
    cells = slices.height * width
    if cells <= _DENSE_CELLS_PER_MEMBER * members.height:
        cell = members.get_column("slice").cast(pl.Int64) * width + members.get_column("code").cast(
            pl.Int64
        )
        table_of_ids = pl.lit(
            _repeated("id", None, cells, pl.Int64()).scatter(cell, members.get_column(ID))
        )
        row = pl.col("slice").cast(pl.Int64) * width
        pairs = relations_of_slices.with_columns(
            table_of_ids.gather(row + pl.col("c_code").cast(pl.Int64)).alias("c_id"),
            table_of_ids.gather(row + pl.col("p_code").cast(pl.Int64)).alias("p_id"),
        )
    else:
        found = members.lazy().select("slice", "code", ID)
        pairs = relations_of_slices.join(
            found.rename({ID: "c_id", "code": "c_code"}), on=["slice", "c_code"]
        ).join(found.rename({ID: "p_id", "code": "p_code"}), on=["slice", "p_code"])
    return pairs.drop("c_code", "p_code").sort("slice", "rel", "c_id")
