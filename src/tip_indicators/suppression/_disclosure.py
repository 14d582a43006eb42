"""The linear programs behind safe publication: relations, deducible intervals, protection.

A table is cut into groups (one indicator, period and reporter): the additive relations that
:mod:`tip_indicators._engine.hierarchy` yields never join two groups, so each is solved on
its own. Within a group every level figure is a variable with bounds: a published figure is fixed,
a suppressed one lies in its a-priori range (``<5`` is 0..4, an empty cell is any count). The
interval a reader can deduce for a cell is the minimum and maximum of that variable over every
table that agrees with what is published (two linear programs, solved with HiGHS). Counts are whole
numbers, so an interval ``lo..hi`` leaves ``hi - lo + 1`` possible values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from tip_indicators._engine.hierarchy import relations
from tip_indicators._private.highs import Coordinates, Outcome, solve
from tip_indicators.observations import key_columns
from tip_indicators.profiles import Profile

Vector = npt.NDArray[np.float64]
ROW = "_row"
GROUP_KEYS = ("indicator", "period", "reporter")
CONFIDENTIAL = ("C", "N")
SUPPRESSED_MARKS = ("A", "C", "D", "N")
PRIMARY, SECONDARY = "A", "D"
UNMARKED = ""
"""The mark of a figure the input already withholds (status Q) without a CONF_STATUS: kept so."""
_EPS = 1e-6
_MILP_SECONDS = 20.0


@attrs.frozen
class Constraint:
    """``sum(coefs x cells) (= or >=) 0`` over cells of one group, from one relation.

    ``senses`` lists the senses to try, strongest first: an open breakdown is taken as adding up
    (``eq``) when the figures allow it, else as a part-whole bound (``ge``).
    """

    cells: tuple[int, ...]
    coefs: tuple[float, ...]
    senses: tuple[str, ...]
    dimension: str
    codes: tuple[str, ...]


@attrs.frozen
class Group:
    """The level figures of one indicator, period and reporter, and the relations among them."""

    key: tuple[str, str, str]
    rows: tuple[int, ...]
    constraints: tuple[Constraint, ...]


Active = tuple[Constraint, str]
"""A constraint with the sense chosen for it."""


def build_groups(
    frame: pl.DataFrame, dimensions: Sequence[str], profile: Profile, *, additive: bool = True
) -> list[Group]:
    """Cut the level figures of ``frame`` (which has a ``_row`` column) into groups with relations.

    With ``additive`` an open breakdown may be taken as adding up exactly; otherwise only closed
    and complete breakdowns are equalities and open ones are bounds (parts at most the total).

    Long because it is one query: splitting it would scatter the building of one group's relations
    over several functions.
    """
    catalogue = profile.catalogue
    levels = frame.filter(pl.col("measure") == "N")
    keys = key_columns(dimensions)
    by_group: dict[tuple[str, str, str], list[int]] = {}
    for indicator, period, reporter, row in levels.select(*GROUP_KEYS, ROW).iter_rows():
        by_group.setdefault((indicator, period, reporter), []).append(row)
    local = {row: (key, index) for key, rows in by_group.items() for index, row in enumerate(rows)}
    found: dict[tuple[str, str, str], list[Constraint]] = {key: [] for key in by_group}
    for dimension in dimensions:
        definition = catalogue.dimension(dimension)
        roles = {
            indicator.code: role
            for indicator in catalogue
            if (role := indicator.dimensions.get(dimension)) is not None
        }
        candidates = levels.filter(pl.col("indicator").is_in(list(roles)))
        others = [key for key in keys if key != dimension]
        slices = (
            candidates.group_by(others, maintain_order=True)
            .agg(pl.col(dimension).alias("_codes"), pl.col(ROW).alias("_rows"))
            .filter(pl.col("_codes").list.len() > 1)
        )
        closed = dimension in profile.closed
        for indicator, codes, rows in slices.select("indicator", "_codes", "_rows").iter_rows():
            partitions = roles[indicator]
            where = dict(zip(codes, rows, strict=True))
            key, _ = local[rows[0]]
            for relation in relations(definition, frozenset(codes)):
                parent = local[where[relation.parent]][1]
                children = [local[where[child]][1] for child in relation.children]
                if partitions and relation.disjoint:
                    sure = closed or relation.complete
                    senses = ("eq", "ge") if sure or additive else ("ge",)
                    found[key].append(
                        Constraint(
                            (parent, *children),
                            (1.0, *([-1.0] * len(children))),
                            senses,
                            dimension,
                            (relation.parent, *relation.children),
                        )
                    )
                else:
                    found[key] += [
                        Constraint(
                            (parent, child),
                            (1.0, -1.0),
                            ("ge",),
                            dimension,
                            (relation.parent, code),
                        )
                        for child, code in zip(children, relation.children, strict=True)
                    ]
    return [Group(key, tuple(rows), tuple(found[key])) for key, rows in by_group.items()]


class _Components:
    """Cells joined by constraints through free (not fixed) cells: each part is one program."""

    def __init__(self, size: int, active: Sequence[Active], free: npt.NDArray[np.bool_]) -> None:
        self.parent = list(range(size))
        for constraint, _ in active:
            loose = [cell for cell in constraint.cells if free[cell]]
            for cell in loose[1:]:
                self._union(loose[0], cell)
        self.members: dict[int, list[int]] = {}
        for cell in range(size):
            if free[cell]:
                self.members.setdefault(self.find(cell), []).append(cell)
        self.constraints: dict[int, list[Active]] = {}
        self.static: list[Active] = []
        for item in active:
            loose = [cell for cell in item[0].cells if free[cell]]
            if loose:
                self.constraints.setdefault(self.find(loose[0]), []).append(item)
            else:
                self.static.append(item)

    def find(self, cell: int) -> int:
        while self.parent[cell] != cell:
            self.parent[cell] = self.parent[self.parent[cell]]
            cell = self.parent[cell]
        return cell

    def _union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


@attrs.frozen
class _Rows:
    """Rows of one sense as coordinates: ``matrix x (= or <=) rhs``."""

    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    data: Vector
    rhs: Vector

    def matrix(self, size: int, copies: int = 1, first_row: int = 0) -> Coordinates:
        """The rows over ``size`` variables, repeated ``copies`` times along a block diagonal,
        numbered from ``first_row``."""
        count = len(self.rhs)
        shift = np.arange(copies, dtype=np.int64)[:, None]
        rows = (self.rows[None, :] + shift * count).ravel() + first_row
        cols = (self.cols[None, :] + shift * size).ravel()
        return rows, cols, np.tile(self.data, copies)


@attrs.frozen
class _Program:
    """The linear system of one component, fixed cells moved to the right-hand side."""

    cells: tuple[int, ...]
    equal: _Rows | None
    below: _Rows | None
    lower: Vector
    upper: Vector


def _program(
    cells: Sequence[int], active: Sequence[Active], lower: Vector, upper: Vector
) -> _Program:
    position = {cell: index for index, cell in enumerate(cells)}
    parts: dict[str, tuple[list[int], list[int], list[float], list[float]]] = {
        "eq": ([], [], [], []),
        "ge": ([], [], [], []),
    }
    for constraint, sense in active:
        row_index, col_index, data, rhs = parts[sense]
        number = len(rhs)
        constant = 0.0
        # a >= row is stored as -a <= -rhs.
        sign = 1.0 if sense == "eq" else -1.0
        for cell, coef in zip(constraint.cells, constraint.coefs, strict=True):
            if cell in position:
                row_index.append(number)
                col_index.append(position[cell])
                data.append(sign * coef)
            else:
                constant += coef * lower[cell]
        rhs.append(-sign * constant)

    def rows(sense: str) -> _Rows | None:
        row_index, col_index, data, rhs = parts[sense]
        if not rhs:
            return None
        return _Rows(
            np.array(row_index, dtype=np.int64),
            np.array(col_index, dtype=np.int64),
            np.array(data, dtype=np.float64),
            np.array(rhs, dtype=np.float64),
        )

    chosen = list(cells)
    return _Program(tuple(cells), rows("eq"), rows("ge"), lower[chosen], upper[chosen])


def _solve(
    program: _Program, objective: Vector, copies: int = 1, cap: float = math.inf
) -> tuple[Outcome, Vector | None]:
    """Minimise ``objective`` over ``copies`` of the program: how it ended, and the solution.

    Infinite upper bounds become ``cap``.
    """
    size = len(program.cells)
    highs = np.where(np.isinf(program.upper), cap, program.upper)
    blocks: list[Coordinates] = []
    lower: list[Vector] = []
    upper: list[Vector] = []
    first_row = 0
    for rows, low_is_rhs in ((program.equal, True), (program.below, False)):
        if rows is None:
            continue
        blocks.append(rows.matrix(size, copies, first_row))
        rhs = np.tile(rows.rhs, copies)
        lower.append(rhs if low_is_rhs else np.full(len(rhs), -math.inf))
        upper.append(rhs)
        first_row += len(rhs)
    none, no_index = np.zeros(0), np.zeros(0, np.int64)
    result = solve(
        objective,
        (
            np.concatenate([no_index, *(np.asarray(block[0]) for block in blocks)]),
            np.concatenate([no_index, *(np.asarray(block[1]) for block in blocks)]),
            np.concatenate([none, *(np.asarray(block[2]) for block in blocks)]),
        ),
        (np.concatenate([none, *lower]), np.concatenate([none, *upper])),
        (np.tile(program.lower, copies), np.tile(highs, copies)),
    )
    return result.outcome, result.x


def _static_holds(constraint: Constraint, sense: str, lower: Vector) -> bool:
    total = sum(
        coef * lower[cell] for cell, coef in zip(constraint.cells, constraint.coefs, strict=True)
    )
    scale = _EPS * (1.0 + sum(abs(lower[cell]) for cell in constraint.cells))
    return bool(abs(total) <= scale if sense == "eq" else total >= -scale)


def choose_senses(
    constraints: Sequence[Constraint], lower: Vector, upper: Vector
) -> tuple[list[Active], list[Constraint]]:
    """Give each constraint the strongest sense the figures allow; leave out contradicted ones.

    A component whose constraints hold together at their strongest is taken whole; otherwise
    constraints are added one at a time, each at the strongest sense that keeps the system
    feasible, and those no sense fits are returned as ignored.
    """
    free = lower < upper
    everything = _Components(len(lower), [(c, c.senses[0]) for c in constraints], free)
    active: list[Active] = []
    ignored: list[Constraint] = []
    for constraint, _ in everything.static:
        sense = next((s for s in constraint.senses if _static_holds(constraint, s, lower)), None)
        if sense is None:
            ignored.append(constraint)
        else:
            active.append((constraint, sense))
    for root, items in everything.constraints.items():
        cells = everything.members[root]
        strongest = [(constraint, constraint.senses[0]) for constraint, _ in items]
        if _feasible(cells, strongest, lower, upper):
            active += strongest
            continue
        kept: list[Active] = []
        for constraint, _ in items:
            for sense in constraint.senses:
                if _feasible(cells, [*kept, (constraint, sense)], lower, upper):
                    kept.append((constraint, sense))
                    break
            else:
                ignored.append(constraint)
        active += kept
    return active, ignored


def _feasible(cells: Sequence[int], active: Sequence[Active], lower: Vector, upper: Vector) -> bool:
    program = _program(cells, active, lower, upper)
    outcome, _ = _solve(program, np.zeros(len(cells)))
    return outcome in {Outcome.OPTIMAL, Outcome.UNBOUNDED}


@attrs.frozen
class Interval:
    """What a reader can deduce about one cell: the range and two tables reaching its ends.

    ``low_table``/``high_table`` map the cells of its component to their values in a table where
    the cell is at its minimum (maximum); None when the maximum is unbounded.
    """

    low: float
    high: float
    low_table: Mapping[int, float]
    high_table: Mapping[int, float] | None

    @property
    def values(self) -> float:
        """How many whole numbers the cell may be (infinite when unbounded above)."""
        return interval_values(self.low, self.high)


def interval_values(low: float, high: float) -> float:
    """The number of whole numbers in ``low..high`` (solver noise of 1e-6 forgiven)."""
    if math.isnan(low) or math.isnan(high):
        return 0.0
    if math.isinf(high):
        return math.inf
    return float(max(0, math.floor(high + _EPS) - math.ceil(low - _EPS) + 1))


def intervals(
    targets: Iterable[int], active: Sequence[Active], lower: Vector, upper: Vector
) -> dict[int, Interval]:
    """The exact deducible interval of each target cell: its minimum and maximum over every table
    that agrees with what is published (a linear program for each, solved together per component).
    """
    free = lower < upper
    components = _Components(len(lower), active, free)
    wanted: dict[int, list[int]] = {}
    found: dict[int, Interval] = {}
    for cell in targets:
        if not free[cell]:
            found[cell] = Interval(float(lower[cell]), float(upper[cell]), {}, {})
        else:
            wanted.setdefault(components.find(cell), []).append(cell)
    cap = 4.0 * (float(np.abs(lower).sum()) + float(upper[np.isfinite(upper)].sum())) + 1e4
    for root, cells_wanted in wanted.items():
        cells = components.members[root]
        program = _program(cells, components.constraints.get(root, []), lower, upper)
        found.update(_component_intervals(program, cells_wanted, cap))
    return found


def _component_intervals(
    program: _Program, wanted: Sequence[int], cap: float
) -> dict[int, Interval]:
    """Minimum and maximum of each wanted cell, as one block-diagonal program of independent copies.

    Every copy holds the same system and optimises one end of one cell, so the optimum of the sum
    is the optimum of each; solving them together saves the solver's fixed cost per call. Upper
    bounds are capped far above any figure of the group, so a maximum that reaches the cap is one
    that no published figure limits.
    """
    size = len(program.cells)
    position = {cell: index for index, cell in enumerate(program.cells)}
    if program.equal is None and program.below is None:
        return {
            cell: Interval(
                float(program.lower[position[cell]]),
                float(program.upper[position[cell]]),
                {cell: float(program.lower[position[cell]])},
                None,
            )
            for cell in wanted
        }
    copies = 2 * len(wanted)
    objective = np.zeros(copies * size)
    for number, cell in enumerate(wanted):
        objective[2 * number * size + position[cell]] = 1.0
        objective[(2 * number + 1) * size + position[cell]] = -1.0
    outcome, solution = _solve(program, objective, copies, cap)
    if outcome is not Outcome.OPTIMAL or solution is None:
        # Only numerical trouble gets here: report the cells as pinned, the safe reading.
        return {cell: Interval(math.nan, math.nan, {}, None) for cell in wanted}
    tables = solution.reshape(copies, size)
    found: dict[int, Interval] = {}
    for number, cell in enumerate(wanted):
        low_table = dict(zip(program.cells, tables[2 * number].tolist(), strict=True))
        high_row = tables[2 * number + 1]
        # Adding 0.0 turns the solver's -0.0 into 0.0.
        high = float(high_row[position[cell]]) + 0.0
        if high >= cap * (1 - 1e-9) - 1.0:
            found[cell] = Interval(low_table[cell] + 0.0, math.inf, low_table, None)
        else:
            high_table = dict(zip(program.cells, high_row.tolist(), strict=True))
            found[cell] = Interval(low_table[cell] + 0.0, high, low_table, high_table)
    return found


def full_components(size: int, constraints: Sequence[Constraint]) -> list[list[int]]:
    """Cells joined by any constraint, whether fixed or free (what a suppression can touch)."""
    every = _Components(size, [(c, "eq") for c in constraints], np.ones(size, dtype=np.bool_))
    return list(every.members.values())


def protection_cells(
    target: int,
    gap: float,
    *,
    cells: Sequence[int],
    active: Sequence[Active],
    lower: Vector,
    upper: Vector,
    values: Vector,
    candidates: Mapping[int, float],
) -> set[int] | None:
    """The cheapest published cells whose suppression lets ``target`` range over ``gap``.

    A mixed-integer program over two copies of the table (the cell at its low and high end):
    each candidate cell costs its weight when either copy moves it off its value. A cell moves by
    at most a few times ``gap`` in the tables of these relations, so that bound is tried first
    and a looser one only when it admits no solution. Returns None when neither does.
    """
    problem = _Protection(target, gap, cells, active, lower, upper, values, candidates)
    for factor in (4.0, len(cells) + 1.0):
        found = problem.solve(max(gap, 1.0) * factor)
        if found is not None:
            return found
    return None


@attrs.frozen
class _Protection:
    target: int
    gap: float
    cells: Sequence[int]
    active: Sequence[Active]
    lower: Vector
    upper: Vector
    values: Vector
    candidates: Mapping[int, float]

    def solve(self, big: float) -> set[int] | None:
        """Solve with ``big`` as the largest move of a withheld candidate cell.

        Long because it assembles one mixed-integer program (its rows, bounds and costs share the
        column numbering) and reads its solution.
        """
        target, gap, cells, active = self.target, self.gap, self.cells, self.active
        lower, upper, values, candidates = self.lower, self.upper, self.values, self.candidates
        size = len(cells)
        position = {cell: index for index, cell in enumerate(cells)}
        chosen = [cell for cell in cells if cell in candidates]
        count = 2 * size + len(chosen)
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        row_low: list[float] = []
        row_high: list[float] = []

        def add(entries: Sequence[tuple[int, float]], low: float, high: float) -> None:
            number = len(row_low)
            for column, coef in entries:
                rows.append(number)
                cols.append(column)
                data.append(coef)
            row_low.append(low)
            row_high.append(high)

        members = set(cells)
        for copy in (0, size):
            for constraint, sense in active:
                if not members.intersection(constraint.cells):
                    continue
                entries = [
                    (copy + position[cell], coef)
                    for cell, coef in zip(constraint.cells, constraint.coefs, strict=True)
                ]
                add(entries, 0.0, 0.0 if sense == "eq" else math.inf)
        for number, cell in enumerate(chosen):
            switch = 2 * size + number
            value = float(values[cell])
            for copy in (0, size):
                add([(copy + position[cell], 1.0), (switch, -big)], -math.inf, value)
                add([(copy + position[cell], 1.0), (switch, value)], value, math.inf)
        add([(size + position[target], 1.0), (position[target], -1.0)], gap, math.inf)
        lower_bounds = np.zeros(count)
        upper_bounds = np.full(count, math.inf)
        for copy in (0, size):
            for cell in cells:
                if cell not in candidates:
                    lower_bounds[copy + position[cell]] = lower[cell]
                    upper_bounds[copy + position[cell]] = upper[cell]
        upper_bounds[2 * size :] = 1.0
        costs = np.zeros(count)
        for number, cell in enumerate(chosen):
            costs[2 * size + number] = candidates[cell]
        result = solve(
            costs,
            (rows, cols, data),
            (row_low, row_high),
            (lower_bounds, upper_bounds),
            integer=[column >= 2 * size for column in range(count)],
            time_limit=_MILP_SECONDS,
            mip_rel_gap=1e-6,
        )
        if result.x is None:
            return None
        solution = result.x
        found: set[int] = set()
        for number, cell in enumerate(chosen):
            moved = any(
                abs(solution[copy + position[cell]] - values[cell]) > _EPS for copy in (0, size)
            )
            if solution[2 * size + number] > 0.5 or moved:
                found.add(cell)
        return found


def interval_facts(records: Mapping[int, tuple[Interval, float]]) -> pl.DataFrame:
    """What can be deduced of each withheld cell (row: its interval, and how many values it
    must keep), one row per cell in row order."""
    rows = sorted(records)
    return pl.DataFrame(
        {
            ROW: rows,
            "low": [records[row][0].low for row in rows],
            "high": [records[row][0].high for row in rows],
            "values": [records[row][0].values for row in rows],
            "required": [records[row][1] for row in rows],
        },
        schema={
            ROW: pl.Int64,
            "low": pl.Float64,
            "high": pl.Float64,
            "values": pl.Float64,
            "required": pl.Float64,
        },
    )
