"""Partition and bound rules: parts add up to their total; no part exceeds its whole.

For one dimension, the figures are cut into slices (every other key column equal); each slice's
set of codes yields relations (see :mod:`hierarchy`). The relations of every rule are stacked in
one frame, so sums run column-wise over all slices of all dimensions at once; only failed
relations become Python objects. Censored figures are intervals: a relation
fails only when it certainly fails. A part with status L is the remainder and is derived.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import polars as pl

from tip_indicators._private.engine.base import (
    ID,
    Run,
    interval_texts,
    number_texts,
)
from tip_indicators._private.engine.hierarchy import organisation_relation_rows, relations
from tip_indicators.dimensions import Dimension, DimensionKind
from tip_indicators.findings import Severity, messages
from tip_indicators.findings.citations import citation_columns, citation_label
from tip_indicators.rules import Family, Rule

_REMAINDER = "L"
_SERIES = ("indicator", "period", "reporter")
_DENSE_CELLS_PER_MEMBER = 8
"""A slice-by-code table of figure ids is used when at most this many cells per figure."""
_SHORT_COVERAGE = 0.5


def evaluate_breakdowns(run: Run, rules: Sequence[Rule]) -> None:
    """Apply partition and bound rules along their dimensions to every slice of the data.

    All the rules are evaluated together: their relations are stacked in one frame (a column
    tells the rules apart), so each step is one query however many dimensions there are. What
    they record comes out as if each rule ran on its own, in the order given.
    """
    rules = [rule for rule in rules if rule.dimension in run.dimensions]
    found = _members(run, rules)
    if found is None:
        return
    children, slices = found
    partition = _per_rule(rules, lambda rule: rule.family is Family.PARTITION, pl.Boolean())
    summed = pl.col("disjoint") & partition
    evaluations = [
        _evaluate_sums(run, rules, children.filter(summed), slices),
        _evaluate_bounds(run, rules, children.filter(~summed)),
    ]
    # Each rule's sums, then its bounds: the order of rules evaluated one by one.
    dimension = _per_rule(rules, lambda rule: rule.dimension, pl.String())
    run.add_evaluations(
        _per_rule(rules, lambda rule: rule.name, pl.String()),
        pl.concat(evaluations).sort("rule", "kind", maintain_order=True),
        "anchor",
        labels=(slices.select("slice", "indicator", "period", "reporter"), "slice"),
        group=pl.when(pl.col("kind") == 0)
        .then(pl.format("{} {} {}: {} {}", *_SERIES, dimension, "parent"))
        .otherwise(pl.format("{} {} {}: {} {} <= {}", *_SERIES, dimension, "child", "parent")),
    )


def _per_rule(
    rules: Sequence[Rule], attribute: Callable[[Rule], object], dtype: pl.DataType
) -> pl.Expr:
    """An attribute of each row's rule (``rule`` holds its position in ``rules``)."""
    values = {number_: attribute(rule) for number_, rule in enumerate(rules)}
    return pl.col("rule").replace_strict(values, return_dtype=dtype)


def _tolerance(rules: Sequence[Rule], column: str) -> pl.Expr:
    absolute = _per_rule(rules, lambda rule: rule.tolerance.absolute, pl.Float64())
    relative = _per_rule(rules, lambda rule: rule.tolerance.relative, pl.Float64())
    return absolute + relative * pl.col(column).abs().fill_null(0.0)


_Structure = tuple[pl.DataFrame, pl.DataFrame]


def _rule_structure(run: Run, rule: Rule) -> _Structure | None:
    """The rule's relations and slices, built once per run (they depend only on the keys)."""
    key = ("structure", rule.name)
    if key not in run.cache:
        run.cache[key] = _structure(run, rule)
    structure = run.cache[key]
    return structure if isinstance(structure, tuple) else None


def _combined(run: Run, rules: Sequence[Rule]) -> _Structure | None:
    """The relations and slices of several rules stacked, ``rule`` giving each row's rule (its
    position in ``rules``) and slices numbered across all of them."""
    key = ("combined", tuple(rule.name for rule in rules))
    if key not in run.cache:
        pair_parts: list[pl.DataFrame] = []
        slice_parts: list[pl.DataFrame] = []
        offset = 0
        # The rules' structures are independent: two are built at a time, since polars leaves
        # the interpreter free while it works (the numbered keys they share are made first).
        _coded_keys(run)
        with ThreadPoolExecutor(max_workers=2) as pool:
            structures = list(pool.map(lambda rule: _rule_structure(run, rule), rules))
        for number_, structure in enumerate(structures):
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


def _members(run: Run, rules: Sequence[Rule]) -> _Structure | None:
    """One row per (rule, relation, child) with the parent's and the child's figures, and the
    slices. The current values (derived ones included) are fetched at every call."""
    combined = _combined(run, rules)
    if combined is None:
        return None
    pairs, slices = combined
    # A figure's id is its row in the frame: its values are fetched by position, not joined.
    frame = run.frame
    wanted = [("c", "low"), ("c", "high"), ("p", "low"), ("p", "high")]
    children = pairs.with_columns(
        *[
            pl.Series(
                f"{side}_{column}",
                frame.get_column(column).gather(pairs.get_column(f"{side}_id")),
            )
            for side, column in wanted
        ],
        # Whether each part is a remainder (status L), fetched as a flag rather than as text.
        _remainder_flags(run).gather(pairs.get_column("c_id")).alias("c_remainder"),
    )
    return children, slices


def _remainder_flags(run: Run) -> pl.Series:
    """Whether each figure's status is L (null without a status), once per run: statuses do not
    change as figures are derived."""
    key = ("remainder flags",)
    if key not in run.cache:
        run.cache[key] = run.frame.get_column("status") == _REMAINDER
    flags = run.cache[key]
    assert isinstance(flags, pl.Series)
    return flags


def _structure(run: Run, rule: Rule) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The relations of every slice along the rule's dimension, as figure ids."""
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
    if not (run.frame.get_column(dimension) != "_T").any():
        return None
    coded = _coded_keys(run)
    # With one code throughout, no slice has two figures either.
    if dimension not in coded.values:
        return None
    if "indicator" in coded.values:
        chosen = [n for n, code in enumerate(coded.values["indicator"]) if code in indicators]
        wanted: pl.Series | None = coded.frame.get_column("indicator").is_in(chosen)
    elif coded.constants["indicator"] in indicators:
        wanted = None
    else:
        return None
    known = coded.values[dimension]
    found = _slices(run, coded, dimension, wanted)
    if found is None:
        return None
    members, slices = found
    relation_table = _relation_table(run.catalogue.dimension(dimension), slices, known)
    if relation_table is None:
        return None
    return _pairs(members, slices, relation_table, len(known)), slices


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
        levels = run.frame.lazy().filter(pl.col("measure") == "N").select(ID, *run.keys).collect()
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


def _slices(
    run: Run, coded: _CodedKeys, dimension: str, wanted: pl.Series | None
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The members (slice, code, figure id) and the slices (number, key columns, signature) of
    the ``wanted`` level figures (all when None) cut along ``dimension``.

    A slice is the figures whose other key columns are all equal. Their numbers are combined
    into one whole number per figure (positional, like digits), so figures are sorted by that
    number rather than grouped by several text columns: a slice is a run of equal numbers.
    Slices are numbered in the order of their first figure, the order of the file; only those
    of two figures or more are kept. A slice's signature is the set of its codes: a bit per
    code when there are fewer than 64 (a sum), else the sorted codes joined.
    """

    # Series operations where they serve: a file of a hundred figures should not pay a query
    # plan per step, eight rules over; whole frames where they work column by column in parallel.
    frame = coded.frame if wanted is None else coded.frame.filter(wanted)
    count = frame.height
    key: pl.Series | None = None
    size = 1
    for column in run.keys:
        if column == dimension or column not in coded.values:
            continue
        radix = len(coded.values[column]) + 1
        if key is not None and size * radix >= _KEY_LIMIT:
            key = (key.rank("dense") - 1).cast(pl.UInt64)
            size = key.n_unique()
        digits = frame.get_column(column)
        key = digits if key is None else key * radix + digits
        size *= radix
    if key is None:
        key = _repeated("key", 0, count, pl.UInt64())
    # A stable sort: within a slice, figures stay in the order of the file.
    ids, codes, key = (
        pl.DataFrame(
            [
                frame.get_column(ID),
                frame.get_column(dimension).cast(pl.UInt32).alias("code"),
                key.alias("key"),
            ]
        )
        .sort("key", maintain_order=True)
        .get_columns()
    )
    run_of_row = key.rle_id()
    runs = run_of_row.rle().struct.field("len").cast(pl.Int64)
    ends = runs.cum_sum()
    starts = ends - runs
    known = coded.values[dimension]
    if len(known) < 64:
        bits = pl.Series([1 << n for n in range(len(known))], dtype=pl.UInt64)
        # Unsigned sums wrap around, so the differences of the running sum are exact.
        at_end = bits.gather(codes).cum_sum().gather(ends - 1)
        signatures = at_end - at_end.shift(1, fill_value=0)
    else:
        names = pl.Series(known, dtype=pl.String).gather(codes)
        signatures = (
            pl.DataFrame({"run": run_of_row, "name": names})
            .group_by("run", maintain_order=True)
            .agg(pl.col("name").sort().str.join("\x1f"))
            .get_column("name")
        )
    kept_runs = (runs > 1).arg_true()
    if kept_runs.len() == 0:
        return None
    firsts = ids.gather(starts.gather(kept_runs))
    # Slices are numbered in the order of their first figure.
    by_first = firsts.arg_sort()
    numbers = by_first.arg_sort().cast(pl.UInt32)
    slice_of_run = _repeated("slice", None, runs.len(), pl.UInt32()).scatter(kept_runs, numbers)
    slice_of_row = slice_of_run.gather(run_of_row)
    member = slice_of_row.is_not_null()
    members = pl.DataFrame(
        {
            "slice": slice_of_row.filter(member),
            "code": codes.filter(member),
            ID: ids.filter(member),
        }
    )
    chosen = firsts.gather(by_first)
    others = [column for column in run.keys if column != dimension]
    slices = (
        pl.DataFrame([pl.int_range(chosen.len(), dtype=pl.UInt32, eager=True).alias("slice")])
        .hstack(run.frame.select(others).gather(chosen))
        .hstack([signatures.gather(kept_runs.gather(by_first)).alias("sig")])
    )
    return members, slices


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


def _pairs(
    members: pl.DataFrame, slices: pl.DataFrame, relation_table: pl.DataFrame, width: int
) -> pl.DataFrame:
    """One row per (slice, relation, child) with the child's and the parent's figure ids.

    ``width`` is the number of codes. When a slice-by-code table of ids has at most
    _DENSE_CELLS_PER_MEMBER cells per figure, the ids are read from it by position; otherwise
    they are joined on (slice, code).
    """
    relations_of_slices = slices.select("slice", "sig").join(relation_table, on="sig")
    cells = slices.height * width
    if cells <= _DENSE_CELLS_PER_MEMBER * members.height:
        cell = pl.col("slice").cast(pl.Int64) * width + pl.col("code").cast(pl.Int64)
        table_of_ids = _repeated("id", None, cells, pl.Int64()).scatter(
            members.select(cell).to_series(), members.get_column(ID)
        )
        row = pl.col("slice").cast(pl.Int64) * width
        found = relations_of_slices.select(
            (row + pl.col("c_code").cast(pl.Int64)).alias("c"),
            (row + pl.col("p_code").cast(pl.Int64)).alias("p"),
        )
        pairs = relations_of_slices.with_columns(
            table_of_ids.gather(found.get_column("c")).alias("c_id"),
            table_of_ids.gather(found.get_column("p")).alias("p_id"),
        )
    else:
        pairs = relations_of_slices.join(
            members.rename({ID: "c_id", "code": "c_code"}), on=["slice", "c_code"]
        ).join(members.rename({ID: "p_id", "code": "p_code"}), on=["slice", "p_code"])
    return pairs.drop("c_code", "p_code").sort("slice", "rel", "c_id")


def _evaluate_sums(
    run: Run, rules: Sequence[Rule], children: pl.DataFrame, slices: pl.DataFrame
) -> pl.DataFrame:
    """Judge every disjoint relation: the parts add up to the total. Returns the evaluations."""
    unknown = pl.col("c_low").is_null()
    grouped = (
        children.lazy()
        .group_by("relation", maintain_order=True)
        .agg(
            pl.first("rule", "slice", "rel", "parent", "p_id", "p_low", "p_high", "complete"),
            pl.col("c_id").alias("child_ids"),
            pl.col("c_low").sum().alias("sum_low"),
            pl.col("c_high").sum().alias("sum_high"),
            (unknown & pl.col("c_remainder")).sum().alias("n_remainder"),
            (unknown & ~pl.col("c_remainder")).sum().alias("n_unknown"),
            pl.col("c_remainder").any().alias("has_remainder"),
            pl.len().alias("n_children"),
        )
    )
    closed = (
        pl.col("complete")
        | _per_rule(rules, lambda rule: rule.closed, pl.Boolean())
        | pl.col("has_remainder")
    )
    tol = _tolerance(rules, "p_high")
    missing_total = pl.col("p_low").is_null()
    exceeds = pl.col("sum_low") > pl.col("p_high") + tol
    derivable = (pl.col("n_remainder") == 1) & (pl.col("n_unknown") == 0)
    all_known = (pl.col("n_remainder") == 0) & (pl.col("n_unknown") == 0)
    short = all_known & (pl.col("sum_high") < pl.col("p_low") - tol)
    lone = (pl.col("n_children") == 1) & ~closed
    judged = grouped.with_columns(
        pl.when(missing_total)
        .then(pl.lit("not_evaluated"))
        .when(exceeds)
        .then(pl.lit("fail"))
        .when(short & ~lone)
        .then(pl.lit("fail"))
        .otherwise(pl.lit("pass"))
        .alias("outcome"),
        pl.when(missing_total)
        .then(pl.lit("the total is not stated"))
        .when(exceeds & derivable)
        .then(pl.lit("derived-negative"))
        .when(exceeds)
        .then(pl.lit("partition-exceeds"))
        .when(short & ~lone & closed)
        .then(pl.lit("partition-shortfall-closed"))
        .when(short & ~lone & (pl.col("sum_high") < _SHORT_COVERAGE * pl.col("p_low")))
        .then(pl.lit("partition-incomplete"))
        .when(short & ~lone)
        .then(pl.lit("partition-shortfall"))
        .otherwise(pl.lit(None))
        .alias("reason"),
        closed.alias("closed"),
        tol.alias("tol"),
        derivable.alias("derivable"),
    ).collect()
    failures = judged.filter(pl.col("outcome") == "fail").join(
        slices.drop("rule"), on="slice", how="left", maintain_order="left"
    )
    # Every failed sum is written column-wise; the certain errors' numbers go with their
    # constraints, for the localiser to attach fixes to.
    numbers = run.add_rows(_sum_rows(run, rules, failures))
    index = (
        failures.select("slice", "rel", "reason")
        .with_columns(numbers)
        .filter(pl.col("reason").is_in(list(_SUM_FINDINGS_FAILED)))
        .drop("reason")
    )
    constraints = (
        judged.lazy()
        .filter(pl.col("p_id").is_not_null())
        .join(index.lazy(), on=["slice", "rel"], how="left", maintain_order="left")
        .select(
            # The total apart from its parts: no list of every relation's figures is built.
            pl.col("p_id").alias("total"),
            pl.col("child_ids").alias("ids"),
            pl.lit(None, pl.List(pl.Float64)).alias("coefs"),
            pl.lit(0.0).alias("constant"),
            pl.when(pl.col("closed")).then(pl.lit("eq")).otherwise(pl.lit("ge")).alias("sense"),
            pl.col("tol"),
            pl.col("reason").is_in(list(_SUM_FINDINGS_FAILED)).fill_null(False).alias("failed"),
            pl.col("finding"),
        )
        .collect()
    )
    run.add_constraints(constraints)
    return judged.select(
        "rule",
        pl.lit(0).alias("kind"),
        "slice",
        "parent",
        pl.lit(None, pl.String).alias("child"),
        "outcome",
        "reason",
        pl.col("p_id").alias("anchor"),
    )


MAX_DERIVATION_ROUNDS = 5


def derive_remainders(run: Run, rules: list[Rule]) -> None:
    """Derive every figure with status L that a breakdown determines, before any rule runs.

    A remainder is total minus the other parts. A figure two breakdowns determine is derived
    once, from the intersection of what they give; when they disagree, that is an error. A
    derived figure can complete another breakdown, so derivation repeats until nothing changes.
    A negative remainder is left for the partition rule to report.
    """
    partitions = [
        r for r in rules if r.family is Family.PARTITION and r.dimension in run.dimensions
    ]
    for _ in range(MAX_DERIVATION_ROUNDS):
        found = _remainders(run, partitions)
        if found is None:
            return
        targets = found.filter(pl.col("d_high") >= 0)
        if targets.height == 0:
            return
        merged = targets.group_by(ID, maintain_order=True).agg(
            pl.col("d_low").max().alias("low"),
            pl.col("d_high").min().alias("high"),
            pl.len().alias("ways"),
            pl.struct("dimension", "p_id", "child_ids", "d_low", "d_high").alias("how"),
        )
        usable = merged.filter(pl.col("low") <= pl.col("high"))
        run.add_rows(_conflict_rows(run, merged.filter(pl.col("low") > pl.col("high"))))
        if usable.height == 0:
            return
        run.add_rows(_derived_rows(run, usable))
        run.derived.append(usable.select(ID, "low", "high"))
        run.apply_derived(usable.select(ID, "low", "high"))
        # Only a breakdown holding a newly derived figure can have changed.
        changed = usable.get_column(ID)
        partitions = [rule for rule in partitions if _holds_any(run, rule, changed)]


def _holds_any(run: Run, rule: Rule, figures: pl.Series) -> bool:
    """Tell whether any of ``figures`` is a part or a total in the rule's relations."""
    structure = _rule_structure(run, rule)
    if structure is None:
        return False
    pairs = structure[0]
    wanted = figures.implode()
    touched = pairs.select((pl.col("c_id").is_in(wanted) | pl.col("p_id").is_in(wanted)).any())
    return bool(touched.item())


def _remainders(run: Run, rules: Sequence[Rule]) -> pl.DataFrame | None:
    """Every remainder (status L, not stated) that is the only unknown part of its relation."""
    found = _members(run, rules)
    if found is None:
        return None
    unknown = pl.col("c_low").is_null()
    disjoint = found[0].filter(pl.col("disjoint"))
    # Only relations with an unstated remainder among their parts are summed.
    holding = disjoint.filter(unknown & pl.col("c_remainder")).select("relation")
    children = disjoint.lazy().join(
        holding.lazy().unique(), on="relation", how="semi", maintain_order="left"
    )
    remainders = (
        children.group_by("relation", maintain_order=True)
        .agg(
            pl.first("rule", "p_id", "p_low", "p_high"),
            pl.col("c_id").alias("child_ids"),
            pl.col("c_low").sum().alias("sum_low"),
            pl.col("c_high").sum().alias("sum_high"),
            (unknown & pl.col("c_remainder")).sum().alias("n_remainder"),
            (unknown & ~pl.col("c_remainder")).sum().alias("n_unknown"),
        )
        .filter(
            (pl.col("n_remainder") == 1)
            & (pl.col("n_unknown") == 0)
            & pl.col("p_low").is_not_null()
        )
        .join(
            children.filter(unknown & pl.col("c_remainder")).select("relation", "c_id"),
            on="relation",
            maintain_order="left",
        )
        .select(
            pl.col("c_id").alias(ID),
            (pl.col("p_low") - pl.col("sum_high")).clip(lower_bound=0).alias("d_low"),
            (pl.col("p_high") - pl.col("sum_low")).alias("d_high"),
            _per_rule(rules, lambda rule: rule.dimension, pl.String()).alias("dimension"),
            "p_id",
            "child_ids",
        )
        .collect()
    )
    return remainders if remainders.height else None


def _explained(run: Run, usable: pl.DataFrame, separator: str) -> pl.DataFrame:
    """Each figure in ``usable`` (its ``_id``, ``low`` and ``high``, and ``how`` the breakdowns
    give it) with its ``label``, the arithmetic of every breakdown that determines it joined by
    ``separator`` (``text``), the first breakdown's ``dimension``, and the figures ``cited``
    (each once, in the order the breakdowns name them, then the figure itself)."""
    dimensions = run.dimensions
    ways = (
        usable.select(pl.col(ID).alias("target"), "how")
        .with_row_index("f")
        .explode("how")
        .unnest("how")
        .with_row_index("w")
    )
    ids = (
        pl.concat(
            [
                usable.get_column(ID),
                ways.get_column("p_id"),
                ways.get_column("child_ids").explode(),
            ]
        )
        .drop_nulls()
        .unique()
        .sort()
    )
    figures = citation_columns(run.frame[ids], dimensions).select(
        ids.alias(ID), "value", *dimensions, citation_label(dimensions).alias("label")
    )
    # Each way's parts but the figure derived, as "code value" in the way's dimension.
    code = pl.coalesce([pl.when(pl.col("dimension") == d).then(pl.col(d)) for d in dimensions])
    parts = (
        ways.select("w", "target", "dimension", pl.col("child_ids").alias("part"))
        .explode("part")
        .filter(pl.col("part") != pl.col("target"))
        .join(figures, left_on="part", right_on=ID, how="left", maintain_order="left")
        .group_by("w", maintain_order=True)
        .agg(
            pl.concat_str(code, pl.lit(" "), pl.col("value")).str.join(" + ").alias("parts"),
            pl.col("part").alias("others"),
        )
    )
    totals = figures.select(pl.col(ID).alias("p_id"), pl.col("value").alias("total"))
    explained = (
        ways.with_columns(interval_texts(ways["d_low"], ways["d_high"]).alias("gives"))
        .join(parts, on="w", how="left", maintain_order="left")
        .join(totals, on="p_id", how="left", maintain_order="left")
        .select(
            "f",
            "dimension",
            pl.format(
                "the {} breakdown gives it: {} - ({}) = {}",
                "dimension",
                "total",
                pl.col("parts").fill_null(""),
                "gives",
            ).alias("text"),
            pl.concat_list("p_id", pl.col("others").fill_null([])).alias("cited"),
        )
    )
    # Each figure cited once, in the order the ways name them, then the figure derived.
    cited = (
        explained.select("f", "cited")
        .explode("cited")
        .unique(subset=["f", "cited"], keep="first", maintain_order=True)
        .group_by("f", maintain_order=True)
        .agg("cited")
    )
    found = (
        explained.group_by("f", maintain_order=True)
        .agg(pl.col("text").str.join(separator), pl.first("dimension"))
        .join(cited, on="f", maintain_order="left")
    )
    return (
        usable.select(ID, "low", "high")
        .join(figures.select(ID, "label"), on=ID, how="left", maintain_order="left")
        .with_columns(found.select("text", "dimension", "cited"))
        .with_columns(pl.concat_list("cited", ID).alias("cited"))
    )


def _derived_rows(run: Run, usable: pl.DataFrame) -> pl.DataFrame:
    """The derived-value finding of each figure in ``usable``, as rows citing figures by id."""
    low, high = pl.col("low"), pl.col("high")
    exact = (low == high) & ~low.is_nan()
    explained = _explained(run, usable, "; ")
    return explained.select(
        pl.lit("derived-value").alias("code"),
        pl.lit(Severity.INFO.value).alias("severity"),
        messages.derived_value(figure=pl.col("label"), arithmetic=pl.col("text")).alias("message"),
        pl.concat_str(pl.lit("partition."), "dimension").alias("rule"),
        pl.when(exact).then(low).alias("expected"),
        pl.when(~exact)
        .then(pl.lit(interval_texts(explained["low"], explained["high"])))
        .alias("expected_text"),
        pl.col(ID).alias("located_at"),
        "cited",
    )


def _conflict_rows(run: Run, conflicts: pl.DataFrame) -> pl.DataFrame:
    """The derived-conflict finding of each figure in ``conflicts`` (breakdowns that give
    intervals with nothing in common), as rows citing figures by id."""
    return _explained(run, conflicts, "; but ").select(
        pl.lit("derived-conflict").alias("code"),
        pl.lit(Severity.ERROR.value).alias("severity"),
        messages.derived_conflict(figure=pl.col("label"), arithmetic=pl.col("text")).alias(
            "message"
        ),
        pl.concat_str(pl.lit("partition."), "dimension").alias("rule"),
        pl.col("high").alias("expected"),
        pl.col("low").alias("actual"),
        (pl.col("low") - pl.col("high")).alias("imbalance"),
        pl.col(ID).alias("located_at"),
        "cited",
    )


_SUM_FINDINGS = {
    "partition-exceeds": ("partition-exceeds", Severity.ERROR),
    "derived-negative": ("derived-negative", Severity.ERROR),
    "partition-shortfall-closed": ("partition-shortfall", Severity.ERROR),
    "partition-shortfall": ("partition-shortfall", Severity.WARNING),
    "partition-incomplete": ("partition-incomplete", Severity.INFO),
}
"""The code and severity of the finding of a sum that failed, by the reason it failed."""
_SUM_FINDINGS_FAILED = frozenset(
    reason for reason, (_, severity) in _SUM_FINDINGS.items() if severity is Severity.ERROR
)
"""Reasons a sum certainly fails: errors, each to be localised."""
_EXCEEDING = ("partition-exceeds", "derived-negative")


def _sum_rows(run: Run, rules: Sequence[Rule], failures: pl.DataFrame) -> pl.DataFrame:
    """The finding of every sum in ``failures``, as rows citing figures by id, written
    column-wise: the parts add up to more than the total, or fall short of it."""
    dimensions = run.dimensions
    ids = (
        pl.concat([failures.get_column("p_id"), failures.get_column("child_ids").explode()])
        .unique()
        .sort()
    )
    figures = citation_columns(run.frame[ids], dimensions).select(
        ids.alias(ID), "value", *dimensions
    )
    numbered = failures.with_row_index("f").with_columns(
        _per_rule(rules, lambda rule: rule.dimension, pl.String()).alias("_dimension"),
        _per_rule(rules, lambda rule: rule.name, pl.String()).alias("_rule"),
        pl.when(pl.col("reason").is_in(_EXCEEDING))
        .then(pl.col("sum_low") - pl.col("p_high"))
        .otherwise(pl.col("sum_high") - pl.col("p_low"))
        .alias("_gap"),
    )
    code = pl.coalesce([pl.when(pl.col("_dimension") == d).then(pl.col(d)) for d in dimensions])
    value = pl.when(pl.col("value") == "").then(pl.lit("?")).otherwise(pl.col("value"))
    parts = (
        numbered.select("f", "_dimension", pl.col("child_ids").alias("part"))
        .explode("part")
        .join(figures, left_on="part", right_on=ID, how="left", maintain_order="left")
        .group_by("f", maintain_order=True)
        .agg(pl.concat_str(code, pl.lit(" "), value).str.join(" + ").alias("_parts"))
    )
    # The group: indicator[dimension=code,...] period reporter, without the rule's dimension.
    shown = [
        pl.when((pl.col("_dimension") != d) & (pl.col(d) != "_T")).then(
            pl.concat_str(pl.lit(f"{d}="), pl.col(d))
        )
        for d in dimensions
        if d in failures.columns
    ]
    codes = pl.concat_str(shown, separator=",", ignore_nulls=True) if shown else pl.lit("")
    label = pl.concat_str(
        "indicator",
        pl.when(codes != "")
        .then(pl.concat_str(pl.lit("["), codes, pl.lit("]")))
        .otherwise(pl.lit("")),
        pl.lit(" "),
        "period",
        pl.lit(" "),
        "reporter",
    )
    texts = numbered.select(
        interval_texts(numbered["p_low"], numbered["p_high"]).alias("_total"),
        interval_texts(numbered["sum_low"], numbered["sum_high"]).alias("_summed"),
        number_texts(numbered["_gap"]).alias("_over"),
        number_texts(-numbered["_gap"]).alias("_short"),
    )
    reason = pl.col("reason")
    gap = (
        pl.when(reason.is_in(_EXCEEDING))
        .then(pl.format("more than the total {} by {}", "_total", "_over"))
        .otherwise(pl.format("{} short of the total {}", "_short", "_total"))
    )
    why = (
        pl.when(reason == "derived-negative")
        .then(pl.lit("; the remainder with status L would be negative"))
        .when(reason == "partition-shortfall-closed")
        .then(pl.lit("; the breakdown is closed, so every category should be given"))
        .when(reason == "partition-incomplete")
        .then(pl.lit("; the breakdown covers less than half of the total"))
        .when(reason == "partition-shortfall")
        .then(pl.concat_str(pl.lit("; "), "_short", pl.lit(" may be in categories not given")))
        .otherwise(pl.lit(""))
    )
    exact_total = (pl.col("p_low") == pl.col("p_high")) & ~pl.col("p_low").is_nan()
    exact_sum = (pl.col("sum_low") == pl.col("sum_high")) & ~pl.col("sum_low").is_nan()
    return (
        numbered.with_columns(texts)
        .join(parts, on="f", how="left", maintain_order="left")
        .select(
            reason.replace_strict({r: c for r, (c, _) in _SUM_FINDINGS.items()}).alias("code"),
            reason.replace_strict({r: s.value for r, (_, s) in _SUM_FINDINGS.items()}).alias(
                "severity"
            ),
            pl.format(
                "{}: the {} parts of {} add up to {} ({}), {}{}",
                label,
                "_dimension",
                "parent",
                "_summed",
                "_parts",
                gap,
                why,
            ).alias("message"),
            pl.col("_rule").alias("rule"),
            pl.when(exact_total).then(pl.col("p_low")).alias("expected"),
            pl.when(~exact_total).then(pl.col("_total")).alias("expected_text"),
            pl.when(exact_sum).then(pl.col("sum_low")).alias("actual"),
            pl.when(~exact_sum).then(pl.col("_summed")).alias("actual_text"),
            pl.col("_gap").alias("imbalance"),
            pl.col("tol").alias("tolerance"),
            pl.col("p_id").alias("located_at"),
            pl.concat_list("p_id", "child_ids").alias("cited"),
        )
    )


def _evaluate_bounds(run: Run, rules: Sequence[Rule], pairs: pl.DataFrame) -> pl.DataFrame:
    """Judge every part of a breakdown that need not add up: it is at most its whole. Returns
    the evaluations."""
    tol = _tolerance(rules, "p_high")
    judged = pairs.with_columns(
        pl.when(pl.col("p_low").is_null() | pl.col("c_low").is_null())
        .then(pl.lit("not_evaluated"))
        .when(pl.col("c_low") > pl.col("p_high") + tol)
        .then(pl.lit("fail"))
        .otherwise(pl.lit("pass"))
        .alias("outcome"),
        pl.when(pl.col("p_low").is_null())
        .then(pl.lit("the total is not stated"))
        .when(pl.col("c_low").is_null())
        .then(pl.lit("the part is not stated"))
        .otherwise(pl.lit(None))
        .alias("reason"),
        tol.alias("tol"),
    ).with_row_index("_pair")
    failures = run.with_texts(
        judged.filter(pl.col("outcome") == "fail"), parent="p_id", child="c_id"
    )
    gap = failures.get_column("c_low") - failures.get_column("p_high")
    numbers = run.record(
        failures,
        code="bound-exceeded",
        severity=Severity.ERROR.value,
        message=messages.part_exceeds_total(
            part=pl.col("child_label"),
            part_value=pl.lit(interval_texts(failures["c_low"], failures["c_high"])),
            total=pl.col("parent_label"),
            total_value=pl.lit(interval_texts(failures["p_low"], failures["p_high"])),
            excess=pl.lit(number_texts(gap)),
        ),
        rule=_per_rule(rules, lambda rule: rule.name, pl.String()),
        located_at="c_id",
        cited=pl.concat_list("p_id", "c_id"),
        expected=pl.col("p_high"),
        actual=pl.col("c_low"),
        imbalance=pl.lit(gap),
        tolerance=pl.col("tol"),
    )
    index = failures.select("_pair").with_columns(numbers)
    run.add_constraints(
        judged.join(index, on="_pair", how="left", maintain_order="left").select(
            pl.concat_list(pl.col("p_id"), pl.col("c_id")).alias("ids"),
            pl.lit(None, pl.List(pl.Float64)).alias("coefs"),
            pl.lit(0.0).alias("constant"),
            pl.lit("ge").alias("sense"),
            pl.col("tol"),
            (pl.col("outcome") == "fail").alias("failed"),
            pl.col("finding"),
        )
    )
    return judged.select(
        "rule",
        pl.lit(1).alias("kind"),
        "slice",
        "parent",
        "child",
        "outcome",
        "reason",
        pl.col("c_id").alias("anchor"),
    )
