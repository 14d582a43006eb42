"""Tests for tip_indicators._private.highs: programs given as coordinates, solved quietly."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tip_indicators._private.highs import Outcome, solve


def test_a_small_linear_program_is_solved() -> None:
    """x + y = 10 with x <= 3 puts the minimum of -x at x = 3."""
    result = solve(
        np.array([-1.0, 0.0]),
        ([0, 0], [0, 1], [1.0, 1.0]),
        ([10.0], [10.0]),
        ([0.0, 0.0], [3.0, math.inf]),
    )
    assert result.outcome is Outcome.OPTIMAL
    assert result.x is not None
    assert result.x.tolist() == pytest.approx([3.0, 7.0])
    assert result.objective == pytest.approx(-3.0)


def test_repeated_coordinates_add_up() -> None:
    """Two entries for one row and column are one coefficient, their sum."""
    result = solve(
        np.array([1.0]),
        ([0, 0], [0, 0], [1.0, 1.0]),
        ([8.0], [8.0]),
        ([0.0], [math.inf]),
    )
    assert result.x is not None
    assert result.x.tolist() == pytest.approx([4.0])


def test_integer_columns_take_whole_values() -> None:
    """2x = 7 has no whole solution; 2x >= 7 has its least at x = 4."""
    infeasible = solve(
        np.array([1.0]), ([0], [0], [2.0]), ([7.0], [7.0]), ([0.0], [10.0]), integer=[True]
    )
    assert infeasible.outcome is Outcome.INFEASIBLE
    assert infeasible.x is None
    found = solve(
        np.array([1.0]), ([0], [0], [2.0]), ([7.0], [math.inf]), ([0.0], [10.0]), integer=[True]
    )
    assert found.x is not None
    assert found.x.tolist() == [4.0]


def test_an_open_objective_is_unbounded() -> None:
    """Minimising -x with x unbounded above has no optimum."""
    result = solve(np.array([-1.0]), ([0], [0], [1.0]), ([0.0], [math.inf]), ([0.0], [math.inf]))
    assert result.outcome is Outcome.UNBOUNDED


def test_nothing_the_solver_prints_reaches_standard_output() -> None:
    """The banner of a new solver and its log never land on standard output (a fresh process,
    since HiGHS prints its banner once per process)."""
    script = (
        "import numpy as np\n"
        "from tip_indicators._private.highs import solve\n"
        "solve(np.array([1.0]), ([0], [0], [1.0]), ([1.0], [1.0]), ([0.0], [5.0]), "
        "integer=[True])\n"
        "print('report')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "report\n"
    assert "HiGHS" not in done.stderr


@settings(max_examples=60)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(-3, 3), min_size=n, max_size=n),
            st.lists(st.lists(st.integers(-3, 3), min_size=n, max_size=n), min_size=1, max_size=3),
            st.lists(st.integers(0, 20), min_size=3, max_size=3),
        )
    )
)
def test_agrees_with_an_independent_solver(
    program: tuple[list[int], list[list[int]], list[int]],
) -> None:
    """Over bounded boxes, the optimum equals the one SciPy's linprog finds."""
    cost, matrix, limits = program
    size = len(cost)
    rows, cols = np.nonzero(np.array(matrix))
    upper = [float(limits[r % len(limits)]) for r in range(len(matrix))]
    result = solve(
        np.array(cost, dtype=float),
        (rows, cols, np.array(matrix, dtype=float)[rows, cols]),
        ([-math.inf] * len(matrix), upper),
        ([0.0] * size, [10.0] * size),
    )
    oracle = linprog(cost, A_ub=matrix, b_ub=upper, bounds=[(0, 10)] * size, method="highs")
    if oracle.status == 2:
        assert result.outcome is Outcome.INFEASIBLE
    else:
        assert result.outcome is Outcome.OPTIMAL
        assert result.objective == pytest.approx(oracle.fun, abs=1e-6)
