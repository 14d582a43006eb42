"""Fixes that change several figures together, found for every component of a check at once.

When no single figure repairs a component, its fixes are the smallest sets of exact figures
whose change lets every constraint hold. Candidate sets are few (a set must touch every failed
constraint, and components are a few figures wide), so all sets of one size, for all
components, are tried in one block-diagonal program rather than one program per component:
each block is a copy of a component's system in which the figures outside the set are held at
their stated values. The first program lets each constraint miss by a slack and minimises the
slacks, so a block is feasible exactly when its slacks are zero; the second, over the feasible
blocks, finds the values nearest the stated ones. Sets of two figures, by far the most common,
are judged in closed form first (:mod:`~tip_indicators._engine.pair_feasibility`); only those it
leaves open go to the first program. Sizes are tried from one up to
:data:`LARGEST_SET`; a component that needs more is left to the per-component enumeration of
:mod:`~tip_indicators._engine.milp`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from tip_indicators._engine.milp import milp_fixes
from tip_indicators._engine.pair_feasibility import UNDECIDED, pair_verdicts
from tip_indicators._engine.system import Constraint, Figure

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["LARGEST_SET", "JointSystem", "joint_fixes"]

LARGEST_SET = 4
"""The largest set of figures tried in bulk; components needing more go to the MILP."""
MAX_SETS = 2000
"""Sets of one size tried for one system; a wider system is left to the MILP."""
_FEASIBLE = 1e-6
_Block = tuple[int, "npt.NDArray[np.int64]"]


@attrs.frozen
class JointSystem:
    """A component to repair: its figures, every constraint on them, and the failed ones."""

    ids: list[int]
    local: list[Constraint]
    failed: list[Constraint]
    figures: dict[int, Figure]
    smallest: int = 1
    """The smallest set worth trying: 2 when every single figure is known not to repair it."""


@attrs.frozen(eq=False)
class _Dense:
    """A component's system as arrays: constraint matrix, row and column bounds, stated
    values, which columns are exact and whole, and the candidate sets of each size."""

    matrix: npt.NDArray[np.float64]
    row_low: npt.NDArray[np.float64]
    row_high: npt.NDArray[np.float64]
    col_low: npt.NDArray[np.float64]
    col_high: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]
    exact: npt.NDArray[np.bool_]
    integer: npt.NDArray[np.bool_]
    cover: npt.NDArray[np.bool_]
    """Which columns each failed constraint holds (failed x columns)."""

    def too_wide(self, size: int) -> bool:
        """Whether there are too many sets of ``size`` exact figures to try them all."""
        return math.comb(int(self.exact.sum()), size) > MAX_SETS

    def sets(self, size: int) -> npt.NDArray[np.int64]:
        """The sets of ``size`` exact columns that touch every failed constraint (sets x size)."""
        columns = np.flatnonzero(self.exact)
        if not size <= len(columns) or self.too_wide(size):
            return np.empty((0, size), dtype=np.int64)
        chosen = np.array(list(itertools.combinations(columns, size)), dtype=np.int64)
        touched = self.cover[:, chosen].any(axis=2)
        return chosen[touched.all(axis=0)]


def joint_fixes(systems: Sequence[JointSystem]) -> list[list[dict[int, float]]]:
    """The smallest fixes of each system, each a mapping from figure to its new value, in the
    order of the figures they change."""
    dense = [_dense(system) for system in systems]
    found: dict[int, list[dict[int, float]]] = {}
    left = set(range(len(systems)))  # systems still to settle; the MILP takes the rest
    for size in range(1, LARGEST_SET + 1):
        tried = [(k, dense[k].sets(size)) for k in sorted(left) if systems[k].smallest <= size]
        left -= {k for k, chosen in tried if not len(chosen) and dense[k].too_wide(size)}
        blocks = [(k, one) for k, chosen in tried if k in left for one in chosen]
        if not blocks:
            continue
        feasible = _settled(dense, blocks) if size == 2 else _feasible(dense, blocks)
        kept = [block for block, ok in zip(blocks, feasible, strict=True) if ok]
        if not kept:
            continue
        values = _nearest(dense, kept)
        for (k, chosen), new in zip(kept, values, strict=True):
            if new is None:
                continue
            found.setdefault(k, []).append(
                {systems[k].ids[c]: float(round(v, 6)) for c, v in zip(chosen, new, strict=True)}
            )
        left -= {k for k, _ in kept if k in found}
    return [
        found[k] if k in found else milp_fixes(system.ids, system.local, system.figures)
        for k, system in enumerate(systems)
    ]


def _dense(system: JointSystem) -> _Dense:
    position = {figure: k for k, figure in enumerate(system.ids)}
    figures = [system.figures[i] for i in system.ids]
    matrix = np.zeros((len(system.local), len(system.ids)))
    for row, constraint in enumerate(system.local):
        for figure_id, a in zip(constraint.ids, constraint.coefs, strict=True):
            matrix[row, position[figure_id]] += a
    cover = np.zeros((len(system.failed), len(system.ids)), dtype=np.bool_)
    for row, constraint in enumerate(system.failed):
        cover[row, [position[i] for i in constraint.ids]] = True
    return _Dense(
        matrix,
        np.array([-c.tol - c.constant for c in system.local]),
        np.array([c.tol - c.constant if c.equality else np.inf for c in system.local]),
        np.array([f.lower for f in figures]),
        np.array([f.upper for f in figures]),
        np.array([f.low if f.exact and f.low is not None else 0.0 for f in figures]),
        np.array([f.exact for f in figures], dtype=np.bool_),
        np.array([f.integer for f in figures], dtype=np.bool_),
        cover,
    )


@attrs.frozen(eq=False)
class _Arrays:
    """A program's arrays, or blocks of programs laid end to end: matrix entries (row, column,
    coefficient), row bounds, column bounds, cost and integrality."""

    rows: npt.NDArray[np.int64]
    columns: npt.NDArray[np.int64]
    coefficients: npt.NDArray[np.float64]
    row_low: npt.NDArray[np.float64]
    row_high: npt.NDArray[np.float64]
    col_low: npt.NDArray[np.float64]
    col_high: npt.NDArray[np.float64]
    cost: npt.NDArray[np.float64]
    integer: npt.NDArray[np.bool_]

    def gathered(
        self,
        entries: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]],
        rows: npt.NDArray[np.int64],
        columns: npt.NDArray[np.int64],
    ) -> _Arrays:
        """The ``entries`` (positions, and the rows and columns to shift them by), ``rows`` and
        ``columns`` picked out, in that order."""
        picked, down, across = entries
        return _Arrays(
            self.rows[picked] + down,
            self.columns[picked] + across,
            self.coefficients[picked],
            self.row_low[rows],
            self.row_high[rows],
            self.col_low[columns],
            self.col_high[columns],
            self.cost[columns],
            self.integer[columns],
        )


@attrs.frozen(eq=False)
class _Templates:
    """One block per system, every system's block laid end to end: each system's height, width
    and count of entries, and the blocks' arrays, exact figures held at their stated values.
    ``free_low`` and ``free_high`` are the bounds of a figure column whose figure is in the
    set tried."""

    heights: npt.NDArray[np.int64]
    widths: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    blocks: _Arrays
    free_low: npt.NDArray[np.float64]
    free_high: npt.NDArray[np.float64]


@attrs.frozen(eq=False)
class _Program:
    """Blocks stacked into one program, each block a copy of its system's template with the
    figures of its set free, and where each block's columns start."""

    arrays: _Arrays
    starts: npt.NDArray[np.int64]

    def solve(self, *, whole: bool) -> npt.NDArray[np.float64] | None:
        """Solve, with whole-number figures kept whole only when ``whole``."""
        from tip_indicators._private.highs import Outcome, solve

        arrays = self.arrays
        solution = solve(
            arrays.cost,
            (arrays.rows, arrays.columns, arrays.coefficients),
            (arrays.row_low, arrays.row_high),
            (arrays.col_low, arrays.col_high),
            integer=arrays.integer.tolist() if whole else None,
            mip_rel_gap=0.0,
        )
        return solution.x if solution.outcome is Outcome.OPTIMAL else None


def _ragged(counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For runs of ``counts`` items laid end to end: each item's run and place in it."""
    run = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    return run, np.arange(int(counts.sum()), dtype=np.int64) - first[run]


def _by_owner(
    owners: list[npt.NDArray[np.int64]], *columns: list[npt.NDArray[Any]]
) -> list[npt.NDArray[Any]]:
    """Parts of every system's template (``owners`` says whose each item is) put together
    system by system, each system's items in the order of the parts."""
    order = np.argsort(np.concatenate(owners), kind="stable")
    return [np.concatenate(parts)[order] for parts in columns]


def _stacked(
    templates: _Templates, owner: npt.NDArray[np.int64], chosen: npt.NDArray[np.int64]
) -> _Program:
    """One block per set: block ``b`` is the template of system ``owner[b]`` with the figures
    ``chosen[b]`` free within their bounds, the blocks in the order given."""
    heights, widths = templates.heights[owner], templates.widths[owner]
    row_start = np.cumsum(heights) - heights
    col_start = np.cumsum(widths) - widths
    first_row = (np.cumsum(templates.heights) - templates.heights)[owner]
    first_col = (np.cumsum(templates.widths) - templates.widths)[owner]
    first_entry = (np.cumsum(templates.counts) - templates.counts)[owner]
    block, at = _ragged(templates.counts[owner])
    row_block, row_at = _ragged(heights)
    col_block, col_at = _ragged(widths)
    arrays = templates.blocks.gathered(
        (first_entry[block] + at, row_start[block], col_start[block]),
        first_row[row_block] + row_at,
        first_col[col_block] + col_at,
    )
    freed = (col_start[:, None] + chosen).ravel()
    source = (first_col[:, None] + chosen).ravel()
    arrays.col_low[freed] = templates.free_low[source]
    arrays.col_high[freed] = templates.free_high[source]
    return _Program(arrays, col_start)


def _system_parts(dense: list[_Dense], systems: npt.NDArray[np.int64]) -> dict[str, Any]:
    """The systems' own arrays end to end (``systems`` indexes ``dense``), with their matrices'
    non-zero entries as coordinates."""
    picked = [dense[k] for k in systems.tolist()]
    heights = np.array([system.matrix.shape[0] for system in picked], dtype=np.int64)
    widths = np.array([system.matrix.shape[1] for system in picked], dtype=np.int64)
    flat = np.concatenate([system.matrix.ravel() for system in picked])
    sizes = heights * widths
    at = np.flatnonzero(flat)
    owner = np.repeat(np.arange(len(picked), dtype=np.int64), sizes)[at]
    local = at - (np.cumsum(sizes) - sizes)[owner]

    def joined(name: str) -> npt.NDArray[Any]:
        return np.concatenate([getattr(system, name) for system in picked])

    values, exact = joined("values"), joined("exact")
    col_low, col_high = joined("col_low"), joined("col_high")
    return {
        "heights": heights,
        "widths": widths,
        "owner": owner,
        "row": local // widths[owner],
        "column": local % widths[owner],
        "coefficient": flat[at],
        "row_low": joined("row_low"),
        "row_high": joined("row_high"),
        "col_low": col_low,
        "col_high": col_high,
        "held_low": np.where(exact, values, col_low),
        "held_high": np.where(exact, values, col_high),
        "values": values,
        "exact": exact,
        "integer": joined("integer"),
    }


def _feasibility_templates(dense: list[_Dense], systems: npt.NDArray[np.int64]) -> _Templates:
    """Each system's block of the feasibility program: its matrix with a slack column on
    each side of every row, ``[A, I, -I]``; only the slacks cost."""
    own = _system_parts(dense, systems)
    heights, widths = own["heights"], own["widths"]
    count = len(heights)
    row_owner, i = _ragged(heights)
    col_owner, _ = _ragged(widths)
    slack_owner = np.repeat(np.arange(count, dtype=np.int64), 2 * heights)
    slack = np.zeros(len(slack_owner))
    rows, columns, coefficients = _by_owner(
        [own["owner"], row_owner, row_owner],
        [own["row"], i, i],
        [own["column"], widths[row_owner] + i, widths[row_owner] + heights[row_owner] + i],
        [own["coefficient"], np.ones(len(i)), -np.ones(len(i))],
    )
    col_low, col_high, free_low, free_high, cost, integer = _by_owner(
        [col_owner, slack_owner],
        [own["held_low"], slack],
        [own["held_high"], slack + np.inf],
        [own["col_low"], slack],
        [own["col_high"], slack + np.inf],
        [np.zeros(len(col_owner)), slack + 1.0],
        [own["integer"], slack.astype(np.bool_)],
    )
    return _Templates(
        heights,
        widths + 2 * heights,
        np.bincount(own["owner"], minlength=count) + 2 * heights,
        _Arrays(
            rows,
            columns,
            coefficients,
            own["row_low"],
            own["row_high"],
            col_low,
            col_high,
            cost,
            integer,
        ),
        free_low,
        free_high,
    )


def _nearness_templates(dense: list[_Dense], systems: npt.NDArray[np.int64]) -> _Templates:
    """Each system's block of the nearness program: its matrix, and a deviation column per
    figure held at least as large as the figure's change both ways (``x - d <= stated``,
    ``-x - d <= -stated``); the deviations of exact figures cost one each."""
    own = _system_parts(dense, systems)
    heights, widths = own["heights"], own["widths"]
    count = len(heights)
    col_owner, i = _ragged(widths)
    height, width = heights[col_owner], widths[col_owner]
    deviation = np.zeros(len(col_owner))
    one = np.ones(len(i))
    rows, columns, coefficients = _by_owner(
        [own["owner"], col_owner, col_owner, col_owner, col_owner],
        [own["row"], height + i, height + i, height + width + i, height + width + i],
        [own["column"], i, width + i, i, width + i],
        [own["coefficient"], one, -one, -one, -one],
    )
    row_low, row_high = _by_owner(
        [np.repeat(np.arange(count, dtype=np.int64), heights), col_owner, col_owner],
        [own["row_low"], deviation - np.inf, deviation - np.inf],
        [own["row_high"], own["values"], -own["values"]],
    )
    col_low, col_high, free_low, free_high, cost, integer = _by_owner(
        [col_owner, col_owner],
        [own["held_low"], deviation],
        [own["held_high"], deviation + np.inf],
        [own["col_low"], deviation],
        [own["col_high"], deviation + np.inf],
        [np.zeros(len(col_owner)), own["exact"].astype(np.float64)],
        [own["integer"], deviation.astype(np.bool_)],
    )
    return _Templates(
        heights + 2 * widths,
        2 * widths,
        np.bincount(own["owner"], minlength=count) + 4 * widths,
        _Arrays(rows, columns, coefficients, row_low, row_high, col_low, col_high, cost, integer),
        free_low,
        free_high,
    )


def _program(
    dense: list[_Dense],
    blocks: list[_Block],
    templates: Callable[[list[_Dense], npt.NDArray[np.int64]], _Templates],
) -> _Program:
    """The program of ``blocks``, each a copy of its system's template from ``templates``."""
    owners = np.array([k for k, _ in blocks], dtype=np.int64)
    chosen = np.array([one for _, one in blocks], dtype=np.int64).reshape(len(blocks), -1)
    systems, owner = np.unique(owners, return_inverse=True)
    return _stacked(templates(dense, systems), owner.astype(np.int64), chosen)


def _settled(dense: list[_Dense], blocks: list[_Block]) -> list[bool]:
    """Whether each block of two figures can hold: in closed form where
    :func:`~tip_indicators._engine.pair_feasibility.pair_verdicts` settles it, by the
    feasibility program for the rest."""
    owners = np.array([k for k, _ in blocks], dtype=np.int64)
    pairs = np.array([chosen for _, chosen in blocks], dtype=np.int64).reshape(-1, 2)
    verdicts = pair_verdicts(dense, owners, pairs)
    open_blocks = [block for block, verdict in zip(blocks, verdicts, strict=True) if verdict < 0]
    solved = iter(_feasible(dense, open_blocks) if open_blocks else [])
    return [bool(v) if v != UNDECIDED else next(solved) for v in verdicts.tolist()]


def _feasible(dense: list[_Dense], blocks: list[_Block]) -> list[bool]:
    """Whether each block's constraints can all hold: slacks on both sides of every row, and
    their sum minimised."""
    program = _program(dense, blocks, _feasibility_templates)
    x = program.solve(whole=False)
    if x is None:
        return [False] * len(blocks)
    missed = np.add.reduceat(x * program.arrays.cost, program.starts)
    return [bool(value <= _FEASIBLE) for value in missed]


def _nearest(dense: list[_Dense], blocks: list[_Block]) -> list[list[float] | None]:
    """The values of each set's figures nearest the stated ones, with every constraint held:
    a deviation column per figure (``|x - stated|``, zero for the figures held), their sum
    minimised. The matrix is the same for every set of a system; only the bounds differ."""
    program = _program(dense, blocks, _nearness_templates)
    x = program.solve(whole=True)
    if x is None:
        return [None] * len(blocks)
    return [
        x[start + chosen].tolist()
        for start, (_, chosen) in zip(program.starts.tolist(), blocks, strict=True)
    ]
