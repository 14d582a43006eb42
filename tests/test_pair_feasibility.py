"""Two-figure repairs decided in closed form agree with the feasibility program.

Random small systems (sums with unit and other coefficients, equalities and bounds, tolerances,
exact, censored and missing figures) are judged pair by pair both ways: every pair the closed
form settles, it settles as the program does, and joint fixes come out the same with or
without it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tip_indicators._engine import joint
from tip_indicators._engine.joint import JointSystem, joint_fixes
from tip_indicators._engine.pair_feasibility import (
    FEASIBLE,
    INFEASIBLE,
    UNDECIDED,
    pair_verdicts,
)
from tip_indicators._engine.system import Constraint, Figure

COEFFICIENTS = st.sampled_from([1.0, -1.0, 1.0, -1.0, 2.0, -0.5, 0.25, 3.0])


@st.composite
def figures(draw: st.DrawFn, figure_id: int) -> Figure:
    """An exact figure, a censored one (an interval) or a missing one (unbounded above)."""
    kind = draw(st.sampled_from(["exact", "exact", "exact", "censored", "missing"]))
    if kind == "censored":
        low = float(draw(st.integers(0, 10)))
        return Figure(figure_id, low, low + draw(st.integers(1, 9)), True, True, "<")
    if kind == "missing":
        return Figure(figure_id, None, None, True, True, None)
    value = float(draw(st.integers(-5, 60)))
    return Figure(figure_id, value, value, True, value >= 0, str(value))


@st.composite
def systems(draw: st.DrawFn, *, shared: bool = True) -> JointSystem:
    """One to six constraints over two to six figures; unless ``shared``, each free figure
    sits in one constraint only."""
    width = draw(st.integers(2, 6))
    found = {i: draw(figures(i)) for i in range(width)}
    constraints = []
    used_free: set[int] = set()
    for _ in range(draw(st.integers(1, 6))):
        ids = draw(st.lists(st.sampled_from(range(width)), min_size=1, max_size=4, unique=True))
        if not shared:
            ids = [i for i in ids if found[i].exact or i not in used_free]
            used_free |= {i for i in ids if not found[i].exact}
        if not ids:
            continue
        coefs = tuple(draw(COEFFICIENTS) for _ in ids)
        constant = float(draw(st.integers(-30, 30)))
        tol = draw(st.sampled_from([0.0, 0.0, 0.5, 2.0]))
        constraints.append(
            Constraint(tuple(ids), coefs, constant, draw(st.booleans()), tol, True, None)
        )
    ids = sorted({i for c in constraints for i in c.ids} | set(range(width)))
    return JointSystem(ids, constraints, constraints[:1], found)


def _pairs(system: JointSystem) -> np.ndarray:
    exact = [k for k, i in enumerate(system.ids) if system.figures[i].exact]
    return np.array(list(itertools.combinations(exact, 2)), dtype=np.int64).reshape(-1, 2)


@settings(max_examples=300, deadline=None)
@given(systems())
def test_pairs_settled_in_closed_form_are_settled_as_the_program_settles_them(
    system: JointSystem,
) -> None:
    dense = joint._dense(system)
    pairs = _pairs(system)
    verdicts = pair_verdicts([dense], np.zeros(len(pairs), dtype=np.int64), pairs)
    blocks = [(0, pair) for pair in pairs]
    program = joint._feasible([dense], blocks) if blocks else []
    for verdict, feasible in zip(verdicts.tolist(), program, strict=True):
        event({FEASIBLE: "feasible", INFEASIBLE: "infeasible", UNDECIDED: "undecided"}[verdict])
        if verdict != UNDECIDED:
            assert (verdict == FEASIBLE) == feasible


@settings(max_examples=200, deadline=None)
@given(st.lists(systems(shared=False), min_size=1, max_size=4))
def test_every_pair_of_unshared_systems_is_settled_together_as_alone(
    found: list[JointSystem],
) -> None:
    """Free figures each in one constraint: with whole-number values and coefficients exact in
    binary, no pair is left undecided, and systems judged together are judged as each alone."""
    dense = [joint._dense(system) for system in found]
    pairs = [_pairs(system) for system in found]
    owners = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(pairs)])
    together = pair_verdicts(dense, owners, np.concatenate(pairs))
    alone = np.concatenate(
        [
            pair_verdicts([d], np.zeros(len(p), dtype=np.int64), p)
            for d, p in zip(dense, pairs, strict=True)
        ]
    )
    assert together.tolist() == alone.tolist()
    assert UNDECIDED not in together.tolist()


@settings(max_examples=150, deadline=None)
@given(systems())
def test_joint_fixes_are_the_same_without_the_closed_form(system: JointSystem) -> None:
    with_closed_form = joint_fixes([system])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            joint,
            "pair_verdicts",
            lambda systems, owners, pairs: np.full(len(pairs), UNDECIDED, dtype=np.int8),
        )
        without = joint_fixes([system])
    assert with_closed_form == without


def test_a_crossing_within_the_programs_threshold_is_left_to_the_program() -> None:
    """``x + y`` at most 10 and at least a hair over 10: the program calls a miss of half a
    millionth feasible (its slacks sum under its threshold), so the closed form does not refuse
    the pair; it leaves it to the program."""
    found = {i: Figure(i, 1.0, 1.0, True, True, "1") for i in range(2)}
    both = (0, 1)
    constraints = [
        Constraint(both, (-1.0, -1.0), 10.0, False, 0.0, True, None),
        Constraint(both, (1.0, 1.0), -10.0 - 5e-7, False, 0.0, True, None),
    ]
    system = JointSystem([0, 1], constraints, constraints[1:], found)
    dense = joint._dense(system)
    pairs = np.array([[0, 1]], dtype=np.int64)
    assert pair_verdicts([dense], np.zeros(1, dtype=np.int64), pairs).tolist() == [UNDECIDED]
    assert joint._feasible([dense], [(0, pairs[0])]) == [True]
