"""Joint fixes found in bulk agree with the per-component mixed-integer program.

Random small systems of the localiser's shape (totals less their parts, equal or at least
zero, with exact and censored figures) are made consistent, then one to three exact figures
are changed. The bulk search (one program for every candidate set of every system) must find
the same smallest sets as the MILP's enumeration, values as near the stated ones, and fixes
that make every constraint hold.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from tip_indicators._engine.joint import (
    JointSystem,
    _Dense,
    _dense,
    _feasibility_templates,
    _nearness_templates,
    _program,
    joint_fixes,
)
from tip_indicators._engine.milp import MAX_ALTERNATIVES, milp_fixes
from tip_indicators._engine.system import Constraint, Figure


@st.composite
def broken_systems(draw: st.DrawFn) -> JointSystem:
    """A total with two or three breakdowns of two to four parts each (some censored, some
    breakdowns open), consistent, then with some exact figures changed."""
    breakdowns = draw(st.integers(1, 3))
    total = 0
    parts: list[list[int]] = []
    for _ in range(breakdowns):
        values = draw(st.lists(st.integers(0, 60), min_size=2, max_size=4))
        parts.append(values)
    total = max(sum(values) for values in parts)
    figures = {0: Figure(0, float(total), float(total), True, True, str(total))}
    constraints = []
    next_id = 1
    for values in parts:
        closed = sum(values) == total
        ids = []
        for value in values:
            censored = value < 5 and draw(st.booleans())
            low, high = (0.0, 4.0) if censored else (float(value), float(value))
            figures[next_id] = Figure(next_id, low, high, True, True, str(value))
            ids.append(next_id)
            next_id += 1
        constraints.append(
            Constraint((0, *ids), (1.0, *[-1.0] * len(ids)), 0.0, closed, 0.0, False, None)
        )
    exact = sorted(i for i, figure in figures.items() if figure.exact)
    assume(len(exact) >= 2)
    changed = draw(st.lists(st.sampled_from(exact), min_size=2, max_size=3, unique=True))
    for figure_id in changed:
        old = figures[figure_id].low
        assert old is not None
        new = float(draw(st.integers(0, 120)))
        assume(new != old)
        figures[figure_id] = Figure(figure_id, new, new, True, True, str(int(new)))
    checked = [
        Constraint(c.ids, c.coefs, c.constant, c.equality, c.tol, _fails(c, figures), None)
        for c in constraints
    ]
    ids = sorted(figures)
    return JointSystem(ids, checked, [c for c in checked if c.failed], figures)


def _fails(constraint: Constraint, figures: dict[int, Figure]) -> bool:
    """Whether no values of the free figures let the constraint hold."""
    low = high = constraint.constant
    for figure_id, a in zip(constraint.ids, constraint.coefs, strict=True):
        figure = figures[figure_id]
        ends = (a * figure.lower, a * figure.upper) if not figure.exact else (a * figure.low,) * 2  # type: ignore[operator]
        low += min(ends)
        high += max(ends)
    if constraint.equality:
        return low > constraint.tol or high < -constraint.tol
    return high < -constraint.tol


def _holds(system: JointSystem, fix: dict[int, float]) -> bool:
    """Whether, with the fix applied, every constraint can hold (free figures anywhere in
    their intervals, each constraint on its own: enough for these systems, whose censored
    figures each sit in one constraint)."""
    figures = {
        i: Figure(i, fix[i], fix[i], f.integer, f.nonnegative, f.text) if i in fix else f
        for i, f in system.figures.items()
    }
    return not any(_fails(c, figures) for c in system.local)


def _deviation(system: JointSystem, fix: dict[int, float]) -> float:
    return sum(abs(v - (system.figures[i].low or 0.0)) for i, v in fix.items())


@settings(max_examples=120, deadline=None)
@given(broken_systems())
def test_bulk_fixes_are_the_smallest_the_milp_finds(system: JointSystem) -> None:
    assume(system.failed)
    (bulk,) = joint_fixes([system])
    oracle = milp_fixes(system.ids, system.local, system.figures)
    assert bulk, "a fix always exists: the changed figures can be changed back"
    assert {len(fix) for fix in bulk} == {len(oracle[0])}
    event(f"{len(oracle[0])} figures must change")
    for fix in bulk:
        assert _holds(system, fix)
    by_set = {frozenset(fix): fix for fix in bulk}
    if len(oracle) < MAX_ALTERNATIVES:
        assert set(by_set) == {frozenset(fix) for fix in oracle}
    for fix in oracle:
        assert frozenset(fix) in by_set
        assert math.isclose(_deviation(system, by_set[frozenset(fix)]), _deviation(system, fix))


def test_many_systems_are_solved_together_as_each_alone() -> None:
    """Two systems side by side get the fixes each gets alone (blocks do not interact)."""
    figures = {
        i: Figure(i, float(v), float(v), True, True, str(v))
        for i, v in enumerate([30, 10, 25, 12, 14, 50, 20, 20, 5, 20])
    }
    first = [
        Constraint((0, 1, 2), (1.0, -1.0, -1.0), 0.0, True, 0.0, True, 1),
        Constraint((0, 3, 4), (1.0, -1.0, -1.0), 0.0, True, 0.0, True, 2),
    ]
    second = [
        Constraint((5, 6, 7), (1.0, -1.0, -1.0), 0.0, True, 0.0, True, 3),
        Constraint((5, 8, 9), (1.0, -1.0, -1.0), 0.0, True, 0.0, True, 4),
    ]
    systems = [
        JointSystem(sorted({i for c in local for i in c.ids}), local, local, figures)
        for local in (first, second)
    ]
    together = joint_fixes(systems)
    alone = [joint_fixes([system])[0] for system in systems]
    assert together == alone
    # 30 = 10 + 25 fails and 30 = 12 + 14 fails: no single figure repairs both
    assert all(len(fix) == 2 for fix in together[0])


def _block_by_hand(system: _Dense, chosen: np.ndarray, kind: str) -> tuple[np.ndarray, ...]:
    """One block of the feasibility or nearness program, built as its docstring states it:
    dense matrices side by side, exact figures outside ``chosen`` held at their values."""
    height, width = system.matrix.shape
    low = np.where(system.exact, system.values, system.col_low)
    high = np.where(system.exact, system.values, system.col_high)
    low[chosen], high[chosen] = system.col_low[chosen], system.col_high[chosen]
    if kind == "feasibility":
        eye = np.eye(height)
        matrix = np.hstack([system.matrix, eye, -eye])
        rows = (system.row_low, system.row_high)
        extra = 2 * height
        cost = np.concatenate([np.zeros(width), np.ones(extra)])
    else:
        eye = np.eye(width)
        zeros = np.zeros((height, width))
        matrix = np.vstack(
            [np.hstack([system.matrix, zeros]), np.hstack([eye, -eye]), np.hstack([-eye, -eye])]
        )
        rows = (
            np.concatenate([system.row_low, np.full(2 * width, -np.inf)]),
            np.concatenate([system.row_high, system.values, -system.values]),
        )
        extra = width
        cost = np.concatenate([np.zeros(width), system.exact.astype(np.float64)])
    columns = (
        np.concatenate([low, np.zeros(extra)]),
        np.concatenate([high, np.full(extra, np.inf)]),
    )
    integer = np.concatenate([system.integer, np.zeros(extra, dtype=np.bool_)])
    return matrix, *rows, *columns, cost, integer


@settings(max_examples=60, deadline=None)
@given(st.lists(broken_systems(), min_size=1, max_size=4), st.data())
def test_stacked_programs_are_their_blocks_side_by_side(
    systems: list[JointSystem], data: st.DataObject
) -> None:
    """Every block of a stacked program is its system's block as built by hand, at its offset,
    and nothing else is in the program: the same program, so the same fixes, as block by
    block."""
    dense = [_dense(system) for system in systems]
    size = data.draw(st.integers(1, 3), label="figures in a set")
    blocks = []
    for k, system in enumerate(dense):
        sets = system.sets(size)
        if len(sets):
            picked = data.draw(st.lists(st.integers(0, len(sets) - 1), min_size=1, max_size=3))
            blocks += [(k, sets[i]) for i in picked]
    assume(blocks)
    for kind, templates in (
        ("feasibility", _feasibility_templates),
        ("nearness", _nearness_templates),
    ):
        program = _program(dense, blocks, templates)
        built = [_block_by_hand(dense[k], chosen, kind) for k, chosen in blocks]
        heights = [matrix.shape[0] for matrix, *_ in built]
        widths = [matrix.shape[1] for matrix, *_ in built]
        full = np.zeros((sum(heights), sum(widths)))
        arrays = program.arrays
        np.add.at(full, (arrays.rows, arrays.columns), arrays.coefficients)
        row_at = np.cumsum([0, *heights])
        assert program.starts.tolist() == np.cumsum([0, *widths])[:-1].tolist()
        for b, (matrix, *_) in enumerate(built):
            r, c = row_at[b], program.starts[b]
            assert np.array_equal(full[r : r + heights[b], c : c + widths[b]], matrix)
            full[r : r + heights[b], c : c + widths[b]] = 0.0
        assert not full.any(), "nothing outside the blocks"
        for got, parts in zip(
            (
                arrays.row_low,
                arrays.row_high,
                arrays.col_low,
                arrays.col_high,
                arrays.cost,
                arrays.integer,
            ),
            zip(*(block[1:] for block in built), strict=True),
            strict=True,
        ):
            assert np.array_equal(got, np.concatenate(parts))
