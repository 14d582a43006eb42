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
from collections.abc import Sequence
from typing import TYPE_CHECKING

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
class _Program:
    """Blocks stacked into one program: coordinates, bounds, cost, integrality, and for each
    block where its columns start."""

    rows: list[npt.NDArray[np.int64]] = attrs.field(factory=list)
    columns: list[npt.NDArray[np.int64]] = attrs.field(factory=list)
    coefficients: list[npt.NDArray[np.float64]] = attrs.field(factory=list)
    row_low: list[npt.NDArray[np.float64]] = attrs.field(factory=list)
    row_high: list[npt.NDArray[np.float64]] = attrs.field(factory=list)
    col_low: list[npt.NDArray[np.float64]] = attrs.field(factory=list)
    col_high: list[npt.NDArray[np.float64]] = attrs.field(factory=list)
    cost: list[npt.NDArray[np.float64]] = attrs.field(factory=list)
    integer: list[npt.NDArray[np.bool_]] = attrs.field(factory=list)
    starts: list[int] = attrs.field(factory=list)
    size: list[int] = attrs.field(factory=lambda: [0, 0])
    """Rows and columns so far."""

    def add(
        self,
        matrix: npt.NDArray[np.float64],
        row_bounds: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
        col_bounds: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
        cost: npt.NDArray[np.float64],
        integer: npt.NDArray[np.bool_],
    ) -> None:
        """Append copies of one block, one per row of the column bounds (copies x columns)."""
        copies, width = col_bounds[0].shape
        height = matrix.shape[0]
        r, c = np.nonzero(matrix)
        row_offsets = self.size[0] + height * np.arange(copies)
        col_offsets = self.size[1] + width * np.arange(copies)
        self.rows.append((r[None, :] + row_offsets[:, None]).ravel())
        self.columns.append((c[None, :] + col_offsets[:, None]).ravel())
        self.coefficients.append(np.tile(matrix[r, c], copies))
        self.row_low.append(np.broadcast_to(row_bounds[0], (copies, height)).ravel())
        self.row_high.append(np.broadcast_to(row_bounds[1], (copies, height)).ravel())
        self.col_low.append(col_bounds[0].ravel())
        self.col_high.append(col_bounds[1].ravel())
        self.cost.append(np.tile(cost, copies))
        self.integer.append(np.tile(integer, copies))
        self.starts.extend(col_offsets.tolist())
        self.size[0] += height * copies
        self.size[1] += width * copies

    def solve(self, *, whole: bool) -> npt.NDArray[np.float64] | None:
        """Solve, with whole-number figures kept whole only when ``whole``."""
        from tip_indicators._private.highs import Outcome, solve

        cat = np.concatenate
        solution = solve(
            cat(self.cost),
            (cat(self.rows), cat(self.columns), cat(self.coefficients)),
            (cat(self.row_low), cat(self.row_high)),
            (cat(self.col_low), cat(self.col_high)),
            integer=cat(self.integer).tolist() if whole else None,
            mip_rel_gap=0.0,
        )
        return solution.x if solution.outcome is Outcome.OPTIMAL else None


def _held(
    system: _Dense, chosen: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Column bounds of each set's block: exact figures outside the set held at their values."""
    copies = len(chosen)
    low = np.where(system.exact, system.values, system.col_low)
    high = np.where(system.exact, system.values, system.col_high)
    low = np.tile(low, (copies, 1))
    high = np.tile(high, (copies, 1))
    picked = np.arange(copies)[:, None]
    low[picked, chosen] = system.col_low[chosen]
    high[picked, chosen] = system.col_high[chosen]
    return low, high


def _by_system(
    blocks: list[_Block],
) -> list[_Block]:
    """Blocks of one system together: (system, sets x size), in the order given."""
    grouped: list[tuple[int, npt.NDArray[np.int64]]] = []
    for k, group in itertools.groupby(blocks, key=lambda block: block[0]):
        grouped.append((k, np.array([chosen for _, chosen in group])))
    return grouped


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
    program = _Program()
    for k, chosen in _by_system(blocks):
        system = dense[k]
        height, width = system.matrix.shape
        eye = np.eye(height)
        matrix = np.hstack([system.matrix, eye, -eye])
        low, high = _held(system, chosen)
        slack = np.zeros((len(chosen), 2 * height))
        program.add(
            matrix,
            (system.row_low, system.row_high),
            (np.hstack([low, slack]), np.hstack([high, slack + np.inf])),
            np.concatenate([np.zeros(width), np.ones(2 * height)]),
            np.concatenate([system.integer, np.zeros(2 * height, dtype=np.bool_)]),
        )
    x = program.solve(whole=False)
    if x is None:
        return [False] * len(blocks)
    missed = np.add.reduceat(x * np.concatenate(program.cost), program.starts)
    return [bool(value <= _FEASIBLE) for value in missed]


def _nearest(dense: list[_Dense], blocks: list[_Block]) -> list[list[float] | None]:
    """The values of each set's figures nearest the stated ones, with every constraint held:
    a deviation column per figure (``|x - stated|``, zero for the figures held), their sum
    minimised. The matrix is the same for every set of a system; only the bounds differ."""
    program = _Program()
    for k, chosen in _by_system(blocks):
        system = dense[k]
        height, width = system.matrix.shape
        eye = np.eye(width)
        matrix = np.vstack(
            [
                np.hstack([system.matrix, np.zeros((height, width))]),
                np.hstack([eye, -eye]),
                np.hstack([-eye, -eye]),
            ]
        )
        low, high = _held(system, chosen)
        deviations = np.zeros((len(chosen), width))
        program.add(
            matrix,
            (
                np.concatenate([system.row_low, np.full(2 * width, -np.inf)]),
                np.concatenate([system.row_high, system.values, -system.values]),
            ),
            (np.hstack([low, deviations]), np.hstack([high, deviations + np.inf])),
            np.concatenate([np.zeros(width), system.exact.astype(np.float64)]),
            np.concatenate([system.integer, np.zeros(width, dtype=np.bool_)]),
        )
    x = program.solve(whole=True)
    if x is None:
        return [None] * len(blocks)
    return [
        x[start + chosen].tolist()
        for start, (_, chosen) in zip(program.starts, blocks, strict=True)
    ]
