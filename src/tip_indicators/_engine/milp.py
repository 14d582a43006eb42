"""Minimal fixes by mixed-integer programming: when no single figure repairs a component.

HiGHS finds the fewest exact figures to change (each with a binary switch and a big-M bound);
further fixes of the same size are enumerated with no-good cuts, at most
:data:`MAX_ALTERNATIVES`; for each, a linear program finds the values nearest the stated ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tip_indicators._engine.system import Constraint, Figure

if TYPE_CHECKING:
    from tip_indicators._private.highs import Solution

__all__ = ["MAX_ALTERNATIVES", "milp_fixes"]

MAX_ALTERNATIVES = 12


def milp_fixes(
    ids: list[int], local: list[Constraint], figures: dict[int, Figure]
) -> list[dict[int, float]]:
    import numpy as np

    exact = [i for i in ids if figures[i].exact]
    n, m = len(ids), len(exact)
    position = {figure: k for k, figure in enumerate(ids)}
    values = np.array([figures[i].low if figures[i].exact else 0.0 for i in ids])
    big = 10.0 * float(np.abs(values).sum()) + 1000.0
    rows, lower, upper = [], [], []
    for constraint in local:
        row = np.zeros(n + m)
        for figure_id, a in zip(constraint.ids, constraint.coefs, strict=True):
            row[position[figure_id]] += a
        rows.append(row)
        lower.append(-constraint.tol - constraint.constant)
        upper.append(constraint.tol - constraint.constant if constraint.equality else np.inf)
    for k, figure_id in enumerate(exact):
        for sign in (1.0, -1.0):
            row = np.zeros(n + m)
            row[position[figure_id]] = sign
            row[n + k] = -big
            rows.append(row)
            lower.append(-np.inf)
            upper.append(sign * values[position[figure_id]])
    matrix = np.array(rows)
    integrality = np.array([1 if figures[i].integer else 0 for i in ids] + [1] * m)
    bounds = (
        np.array([figures[i].lower for i in ids] + [0.0] * m),
        np.array([figures[i].upper for i in ids] + [1.0] * m),
    )
    cost = np.concatenate([np.zeros(n), np.ones(m)])
    solutions: list[dict[int, float]] = []
    cuts: list[tuple[np.ndarray, float]] = []
    best: float | None = None
    for _ in range(MAX_ALTERNATIVES):
        extra = [row for row, _ in cuts]
        result = _solve_dense(
            cost,
            np.vstack([matrix, *extra]) if extra else matrix,
            (lower + [-np.inf] * len(cuts), upper + [bound for _, bound in cuts]),
            bounds,
            integrality,
        )
        if result.x is None or (best is not None and result.objective > best + 0.5):
            break
        best = result.objective
        chosen = [k for k in range(m) if result.x[n + k] > 0.5]
        if not chosen:
            break
        solutions.append(
            _nearest(chosen, exact, ids, (matrix, lower, upper, integrality, bounds), values)
        )
        cut = np.zeros(n + m)
        cut[[n + k for k in chosen]] = 1.0
        cuts.append((cut, len(chosen) - 1.0))
    return solutions


def _nearest(
    chosen: list[int],
    exact: list[int],
    ids: list[int],
    system: tuple[Any, list[float], list[float], Any, Any],
    values: Any,
) -> dict[int, float]:
    """With the figures to change fixed, the values closest to the stated ones."""
    import numpy as np

    matrix, lower, upper, integrality, bounds = system
    n, m = len(ids), len(exact)
    position = {figure: k for k, figure in enumerate(ids)}
    z_low = np.zeros(m)
    z_low[chosen] = 1.0
    z_high = z_low.copy()
    changed = [position[exact[k]] for k in chosen]
    width = n + m + len(changed)
    base = np.hstack([matrix, np.zeros((matrix.shape[0], len(changed)))])
    rows, lows, highs = [base], list(lower), list(upper)
    for d, column in enumerate(changed):
        for sign in (1.0, -1.0):
            row = np.zeros(width)
            row[column] = sign
            row[n + m + d] = -1.0
            rows.append(row[None, :])
            lows.append(-np.inf)
            highs.append(sign * values[column])
    cost = np.concatenate([np.zeros(n + m), np.ones(len(changed))])
    lb, ub = bounds
    result = _solve_dense(
        cost,
        np.vstack(rows),
        (lows, highs),
        (
            np.concatenate([lb[:n], z_low, np.zeros(len(changed))]),
            np.concatenate([ub[:n], z_high, np.full(len(changed), np.inf)]),
        ),
        np.concatenate([integrality, np.zeros(len(changed))]),
    )
    x = result.x if result.x is not None else np.zeros(width)
    return {exact[k]: float(round(x[position[exact[k]]], 6)) for k in chosen}


def _solve_dense(
    cost: Any,
    matrix: Any,
    row_bounds: tuple[Any, Any],
    column_bounds: tuple[Any, Any],
    integrality: Any,
) -> Solution:
    """Minimise over a dense constraint matrix (the local systems are a few figures wide)."""
    import numpy as np

    from tip_indicators._private.highs import solve

    rows, columns = np.nonzero(matrix)
    return solve(
        cost,
        (rows, columns, matrix[rows, columns]),
        row_bounds,
        column_bounds,
        integer=[bool(flag) for flag in integrality],
    )
