"""Whether changing two figures can repair a component, decided in closed form where it can be.

A set of two exact figures repairs a component when some values of those two, with the other
exact figures held and the free (censored, missing) figures anywhere in their intervals, let
every constraint hold. When each free figure sits in one constraint only, it just widens that
constraint, so every constraint becomes ``low <= a x + b y <= high`` in the two figures ``x`` and
``y``. Eliminating ``y`` (Fourier-Motzkin: each constraint bounding it below paired with each
bounding it above) leaves bounds on ``x`` alone, and the set repairs the component exactly when
those bounds meet. This is the question the localiser's feasibility program answers, for every
pair of every component at once and without a solver; a set it cannot settle plainly (a free
figure shared by constraints, a near-tie, a near-cancelling coefficient) is left to the program.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Protocol

import attrs
import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    Floats = npt.NDArray[np.float64]

__all__ = ["FEASIBLE", "INFEASIBLE", "UNDECIDED", "pair_verdicts"]

FEASIBLE: Final = 1
INFEASIBLE: Final = 0
UNDECIDED: Final = -1
"""The set is left to the feasibility program."""

_TOUCHING = 1e-9
"""Bounds that meet within this are taken to meet (rounding in decimal figures)."""
_CLEAR = 1e-5
"""The least total slack (in the program's terms) a refusal must imply: far above the
program's own threshold for a feasible block, so the two never disagree."""


class DenseSystem(Protocol):
    """A component's system as arrays: ``row_low <= matrix @ x <= row_high``, column bounds
    for the free figures, the stated values and which columns are exact."""

    @property
    def matrix(self) -> npt.NDArray[np.float64]: ...
    @property
    def row_low(self) -> npt.NDArray[np.float64]: ...
    @property
    def row_high(self) -> npt.NDArray[np.float64]: ...
    @property
    def col_low(self) -> npt.NDArray[np.float64]: ...
    @property
    def col_high(self) -> npt.NDArray[np.float64]: ...
    @property
    def values(self) -> npt.NDArray[np.float64]: ...
    @property
    def exact(self) -> npt.NDArray[np.bool_]: ...


def pair_verdicts(
    systems: Sequence[DenseSystem], owners: npt.NDArray[np.int64], pairs: npt.NDArray[np.int64]
) -> npt.NDArray[np.int8]:
    """For each pair of exact columns ``(x, y)`` (pairs x 2) of the system ``systems[owner]``,
    with the exact columns outside the pair held at their values and the free ones within
    their bounds: :data:`FEASIBLE`, :data:`INFEASIBLE` or :data:`UNDECIDED`. Every pair of
    every system is judged at once, the systems of about the same height padded to one shape
    (the work grows with the square of the height: a wide component must not pad every other
    one to its size)."""
    verdicts = np.full(len(pairs), UNDECIDED, dtype=np.int8)
    heights = np.array([system.matrix.shape[0] for system in systems], dtype=np.int64)
    # heights 1-4, 5-8, 9-16, ... go together
    bucket_of = np.ceil(np.log2(np.maximum(heights, 4))).astype(np.int64)[owners]
    for bucket in np.unique(bucket_of).tolist():
        chosen = np.flatnonzero(bucket_of == bucket)
        members = np.unique(owners[chosen])
        renumbered = np.searchsorted(members, owners[chosen])
        verdicts[chosen] = _judged(
            [systems[k] for k in members.tolist()], renumbered, pairs[chosen]
        )
    return verdicts


def _judged(
    systems: Sequence[DenseSystem], owners: npt.NDArray[np.int64], pairs: npt.NDArray[np.int64]
) -> npt.NDArray[np.int8]:
    """:func:`pair_verdicts` of systems padded to one shape."""
    stacked = _Stacked.of(systems)
    a, b, low, high = stacked.folded(owners, pairs)
    x_bounds = stacked.bound_low[owners, pairs[:, 0]], stacked.bound_high[owners, pairs[:, 0]]
    y_bounds = stacked.bound_low[owners, pairs[:, 1]], stacked.bound_high[owners, pairs[:, 1]]
    slope, rhs = _without_y(a, b, (low, high), x_bounds, y_bounds)
    # what is left: slope x <= rhs for every row; an open row has rhs +inf
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = rhs / slope
    active = rhs < np.inf
    upper = np.where(active & (slope > 0), bound, np.inf)
    lower = np.where(active & (slope < 0), bound, -np.inf)
    high_at, low_at = upper.argmin(axis=1), lower.argmax(axis=1)
    highest = np.take_along_axis(upper, high_at[:, None], axis=1)[:, 0]
    lowest = np.take_along_axis(lower, low_at[:, None], axis=1)[:, 0]
    bare = np.where(active & (slope == 0), -rhs, -np.inf).max(axis=1)
    feasible = (highest - lowest >= -_TOUCHING) & (bare <= _TOUCHING)
    # Each bound above is a sum of original rows, each multiplied by at most 1 / (the least
    # coefficient x the bound's slope): a crossing of this size needs at least this much slack.
    crossed = np.isfinite(lowest) & np.isfinite(highest) & (lowest > highest)
    steepness = np.minimum(
        np.abs(np.take_along_axis(slope, high_at[:, None], axis=1)[:, 0]),
        np.abs(np.take_along_axis(slope, low_at[:, None], axis=1)[:, 0]),
    )
    least = stacked.least[owners]
    slack = least * np.maximum(steepness * np.where(crossed, lowest - highest, 0.0), bare)
    refused = ~feasible & (slack > _CLEAR)
    tiny = active & (slope != 0) & (np.abs(slope) < _TOUCHING)
    plain = ~tiny.any(axis=1) & ~stacked.shared[owners]
    verdicts = np.full(len(pairs), UNDECIDED, dtype=np.int8)
    verdicts[feasible & plain] = FEASIBLE
    verdicts[refused & plain] = INFEASIBLE
    return verdicts


def _without_y(
    a: Floats,
    b: Floats,
    row_bounds: tuple[Floats, Floats],
    x_bounds: tuple[Floats, Floats],
    y_bounds: tuple[Floats, Floats],
) -> tuple[Floats, Floats]:
    """The rows ``slope x <= rhs`` left when ``y`` is eliminated from ``low <= a x + b y <=
    high`` (pairs x rows) and the bounds of ``x`` and ``y`` (pairs): every row holding ``y``
    bounds it below and above by a line in ``x``; each line below must stay under each line
    above. Rows without ``y`` bound ``x`` directly."""
    low, high = row_bounds
    holds_y = b != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        under = np.where(holds_y, np.where(b > 0, low, high) / b, -np.inf)
        over = np.where(holds_y, np.where(b > 0, high, low) / b, np.inf)
        tilt = np.where(holds_y, -a / b, 0.0)
    # y's own bounds are lines with no tilt
    under = np.hstack([under, y_bounds[0][:, None]])
    over = np.hstack([over, y_bounds[1][:, None]])
    tilt = np.hstack([tilt, np.zeros((len(a), 1))])
    # under_r + tilt_r x <= over_s + tilt_s x
    crossing = (tilt[:, :, None] - tilt[:, None, :]).reshape(len(a), -1)
    room = (over[:, None, :] - under[:, :, None]).reshape(len(a), -1)
    direct = ~holds_y
    return (
        np.hstack(
            [
                crossing,
                np.where(direct, a, 0.0),
                np.where(direct, -a, 0.0),
                np.ones((len(a), 1)),
                -np.ones((len(a), 1)),
            ]
        ),
        np.hstack(
            [
                room,
                np.where(direct, high, np.inf),
                np.where(direct, -low, np.inf),
                x_bounds[1][:, None],
                -x_bounds[0][:, None],
            ]
        ),
    )


@attrs.frozen(eq=False)
class _Stacked:
    """Systems padded to one shape (systems x rows x columns): a padding row has no
    coefficients and open bounds, a padding column is exact at zero."""

    matrix: Floats
    row_low: Floats
    row_high: Floats
    low: Floats
    """Each column's least value: the stated one when exact, else its lower bound."""
    high: Floats
    bound_low: Floats
    bound_high: Floats
    shared: npt.NDArray[np.bool_]
    """Whether a free figure sits in more than one constraint (the folding does not hold)."""
    least: Floats
    """The smallest coefficient's size, at most one."""

    @classmethod
    def of(cls, systems: Sequence[DenseSystem]) -> _Stacked:
        count = len(systems)
        height = max(system.matrix.shape[0] for system in systems)
        width = max(system.matrix.shape[1] for system in systems)
        matrix = np.zeros((count, height, width))
        row_low = np.full((count, height), -np.inf)
        row_high = np.full((count, height), np.inf)
        exact = np.ones((count, width), dtype=np.bool_)
        values, bound_low, bound_high = (np.zeros((count, width)) for _ in range(3))
        for k, system in enumerate(systems):
            rows, columns = system.matrix.shape
            matrix[k, :rows, :columns] = system.matrix
            row_low[k, :rows] = system.row_low
            row_high[k, :rows] = system.row_high
            exact[k, :columns] = system.exact
            values[k, :columns] = system.values
            bound_low[k, :columns] = system.col_low
            bound_high[k, :columns] = system.col_high
        in_rows = np.count_nonzero(matrix, axis=1)
        size = np.abs(matrix)
        return cls(
            matrix,
            row_low,
            row_high,
            np.where(exact, values, bound_low),
            np.where(exact, values, bound_high),
            bound_low,
            bound_high,
            ((in_rows > 1) & ~exact).any(axis=1),
            np.minimum(1.0, np.where(size > 0, size, np.inf).min(axis=(1, 2))),
        )

    def folded(
        self, owners: npt.NDArray[np.int64], pairs: npt.NDArray[np.int64]
    ) -> tuple[Floats, Floats, Floats, Floats]:
        """Each pair's system as ``low <= a x + b y <= high`` (pairs x rows): the other
        columns folded into the bounds, held figures by value, free ones by the least and most
        they can add."""
        matrix, low, high = self.matrix, self.low[:, None, :], self.high[:, None, :]
        with np.errstate(invalid="ignore"):
            least = np.where(matrix > 0, matrix * low, np.where(matrix < 0, matrix * high, 0.0))
            most = np.where(matrix > 0, matrix * high, np.where(matrix < 0, matrix * low, 0.0))
        x, y = pairs[:, 0], pairs[:, 1]
        rows = np.arange(matrix.shape[1])[None, :]
        at = owners[:, None]

        def column(table: Floats, which: npt.NDArray[np.int64]) -> Floats:
            return table[at, rows, which[:, None]]

        # the pair's own columns are exact, so taking them out of a row's sum is exact too
        rest_least = least.sum(axis=2)[owners] - column(least, x) - column(least, y)
        rest_most = most.sum(axis=2)[owners] - column(most, x) - column(most, y)
        return (
            column(matrix, x),
            column(matrix, y),
            self.row_low[owners] - rest_most,
            self.row_high[owners] - rest_least,
        )
