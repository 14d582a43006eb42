"""Linear and mixed-integer programs, solved with HiGHS through its own Python binding (highspy).

Error localisation and safe publication both state small programs as coordinates (row, column,
coefficient) with bounds on rows and columns. highspy imports in a tenth of the time SciPy's
optimisation package takes, which a validation run would otherwise pay whenever one error needs
the solver. HiGHS prints a banner when a solver is made (discarded here) and, in some builds,
debugging lines straight to standard output (sent to standard error here), so nothing the solver
prints can end up inside a report a program writes to standard output.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import functools
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import highspy
import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Coordinates = tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]
"""A sparse matrix as (row indices, column indices, coefficients)."""
Bounds = tuple[npt.ArrayLike, npt.ArrayLike]
"""Lower and upper bounds, one pair per row or column."""


class Outcome(enum.Enum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    STOPPED = "stopped"
    """A limit (time, nodes) ended the search; ``x`` is the best solution found, if any."""
    FAILED = "failed"


@attrs.frozen(eq=False)
class Solution:
    """The outcome of a solve, the values of the columns (None without a feasible point), and
    the objective at them."""

    outcome: Outcome
    x: Vector | None
    objective: float


_OUTCOMES = {
    highspy.HighsModelStatus.kOptimal: Outcome.OPTIMAL,
    highspy.HighsModelStatus.kModelEmpty: Outcome.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Outcome.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Outcome.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: Outcome.STOPPED,
    highspy.HighsModelStatus.kIterationLimit: Outcome.STOPPED,
    highspy.HighsModelStatus.kSolutionLimit: Outcome.STOPPED,
}


def solve(
    cost: Vector,
    entries: Coordinates,
    row_bounds: Bounds,
    column_bounds: Bounds,
    *,
    integer: Sequence[bool] | None = None,
    time_limit: float | None = None,
    mip_rel_gap: float | None = None,
) -> Solution:
    """Minimise ``cost @ x`` subject to ``row_lower <= A x <= row_upper`` and the column bounds.

    ``entries`` gives ``A`` as (row, column, coefficient) coordinates; repeated coordinates add
    up. Infinite bounds are open. Columns marked in ``integer`` take whole values.
    """
    row_lower = np.asarray(row_bounds[0], dtype=np.float64)
    row_upper = np.asarray(row_bounds[1], dtype=np.float64)
    columns = len(cost)
    model = highspy.HighsLp()
    model.num_col_ = columns
    model.num_row_ = len(row_lower)
    model.col_cost_ = np.asarray(cost, dtype=np.float64)
    model.col_lower_ = np.asarray(column_bounds[0], dtype=np.float64)
    model.col_upper_ = np.asarray(column_bounds[1], dtype=np.float64)
    model.row_lower_ = row_lower
    model.row_upper_ = row_upper
    starts, rows, values = _column_wise(entries, columns)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_ = columns
    model.a_matrix_.num_row_ = len(row_lower)
    model.a_matrix_.start_ = starts
    model.a_matrix_.index_ = rows
    model.a_matrix_.value_ = values
    if integer is not None and any(integer):
        model.integrality_ = [
            highspy.HighsVarType.kInteger if whole else highspy.HighsVarType.kContinuous
            for whole in integer
        ]
    with _output_discarded():
        solver = highspy.Highs()  # type: ignore[no-untyped-call]
        solver.setOptionValue("output_flag", False)
        # The systems solved here are a few figures wide: starting HiGHS's pool of worker
        # threads took ten times as long as solving one (14 ms against 1.4 ms a model,
        # measured on a 12-column MILP of the localiser's shape).
        solver.setOptionValue("threads", 1)
    with solver_output_to_stderr():
        if time_limit is not None:
            solver.setOptionValue("time_limit", float(time_limit))
        if mip_rel_gap is not None:
            solver.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        solver.passModel(model)
        solver.run()
    outcome = _OUTCOMES.get(solver.getModelStatus(), Outcome.FAILED)
    info = solver.getInfo()
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    if not feasible or outcome in {Outcome.INFEASIBLE, Outcome.FAILED}:
        return Solution(outcome, None, math.nan)
    x = np.asarray(solver.getSolution().col_value, dtype=np.float64)
    return Solution(outcome, x, float(info.objective_function_value))


def _column_wise(
    entries: Coordinates, columns: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], Vector]:
    """Coordinates as compressed columns (starts, row indices, values), repeats summed, zeros
    dropped."""
    rows = np.asarray(entries[0], dtype=np.int64)
    cols = np.asarray(entries[1], dtype=np.int64)
    data = np.asarray(entries[2], dtype=np.float64)
    order = np.lexsort((rows, cols))
    rows, cols, data = rows[order], cols[order], data[order]
    if len(rows):
        first = np.ones(len(rows), dtype=np.bool_)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        starts_of_runs = np.flatnonzero(first)
        data = np.add.reduceat(data, starts_of_runs)
        rows, cols = rows[first], cols[first]
        kept = data != 0.0
        rows, cols, data = rows[kept], cols[kept], data[kept]
    starts = np.searchsorted(cols, np.arange(columns + 1)).astype(np.int32)
    return starts, rows.astype(np.int32), data


@contextlib.contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """Send what the solver prints to standard output to standard error instead, meanwhile.

    Some HiGHS builds print debugging lines
    (``HighsMipSolverData::transformNewIntegerFeasibleSolution``) whatever the options say,
    straight to file descriptor 1.
    """
    with _standard_output_to(lambda: os.dup(2)):
        yield


@contextlib.contextmanager
def _output_discarded() -> Iterator[None]:
    """Discard what is printed to standard output meanwhile (the banner of a new solver)."""
    with _standard_output_to(lambda: os.open(os.devnull, os.O_WRONLY)):
        yield


@contextlib.contextmanager
def _standard_output_to(open_target: Callable[[], int]) -> Iterator[None]:
    """Point file descriptor 1 at the descriptor ``open_target`` gives, meanwhile.

    C's own buffer is flushed before the descriptor is restored. Where descriptors cannot be
    duplicated, nothing is redirected.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    try:
        target = open_target()
        os.dup2(target, 1)
        os.close(target)
    except OSError:
        os.close(saved)
        yield
        return
    try:
        yield
    finally:
        _flush_c_output()
        os.dup2(saved, 1)
        os.close(saved)


def _flush_c_output() -> None:
    flush = _c_flush()
    if flush is not None:
        flush(None)


@functools.cache
def _c_flush() -> Any:
    """C's ``fflush``, looked up once (None where the C library cannot be loaded)."""
    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):
        return None
    return getattr(libc, "fflush", None)
