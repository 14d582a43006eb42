"""Error localisation (Fellegi-Holt): the fewest figures whose change makes every rule hold.

Failed rules that share figures form a component. For each component every linear rule touching
its figures is a constraint ``sum(coef x figure) + constant (= or >=) 0`` within its tolerance.
Exact figures may change at a cost of one; censored and missing figures move freely within
their interval. A single-figure fix is solved exactly in closed form: a free figure in one
constraint only widens that constraint, and the few whole-number values of a censored figure
that several constraints share are tried one by one. Components no single figure repairs get
their smallest joint fixes all at once (:mod:`~tip_indicators._private.engine.joint`). A
single figure that may take an interval of values is offered at the keystroke slip inside it
and at its edge; candidates are ranked in :mod:`~tip_indicators._private.engine.ranking`.
Open shortfalls that one slip closes exactly get that slip as a suggestion too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import polars as pl

from tip_indicators._private.engine.base import ID, SUGGESTION_SCHEMA, Run
from tip_indicators._private.engine.ranking import (
    Candidate,
    Evidence,
    System,
    joint_candidate,
    percent_checks,
    ranked,
    single_candidates,
    slips_within,
)
from tip_indicators._private.engine.system import Constraint, Figure
from tip_indicators._private.engine.warning_slips import (
    bound_slips,
    shortfall_slips,
    window_slips,
)
from tip_indicators.findings import ObservationRef

MAX_ASSIGNMENTS = 625
"""Whole-number assignments of shared censored figures tried in closed form before the MILP."""
MAX_SUGGESTIONS = 5
_EPS = 1e-7


def localise(run: Run) -> None:
    """Attach ranked suggestions to every error finding that a linear rule produced, to every
    open shortfall or exceeded bound (warnings) that one slip of one figure explains, and to
    the failed rates and shares, whose figures each have a window of values that repair them."""
    found = []
    if run.windows:
        found.append(
            window_slips(run, pl.concat(run.windows), note="the rule then holds", fallback=True)
        )
    if run.constraints:
        found += _localise_constraints(run)
    found = [frame for frame in found if frame.height]
    if found:
        run.suggestions.append(pl.concat(found, how="vertical"))


def _localise_constraints(run: Run) -> list[pl.DataFrame]:
    """The suggestions the linear constraints give: fixes of errors, slips of warnings."""
    every = pl.concat(run.constraints)
    table = every.filter(pl.col("failed") | pl.col("holds")).with_row_index("c")
    failed = table.filter(pl.col("failed"))
    made: dict[int, list[Candidate]] = {}
    if failed.height:
        made = _localise_errors(run, table, failed)
    rows: dict[str, list[Any]] = {name: [] for name in SUGGESTION_SCHEMA}
    for number_, candidates in made.items():
        for candidate in ranked(candidates, MAX_SUGGESTIONS):
            rows["number"].append(number_)
            rows["figure"].append(candidate.figure)
            rows["value"].append(candidate.value)
            rows["reason"].append(candidate.reason)
            rows["score"].append(candidate.score)
    return [
        pl.DataFrame(rows, schema=SUGGESTION_SCHEMA),
        shortfall_slips(run, table),
        bound_slips(run, every),
    ]


def _localise_errors(
    run: Run, table: pl.DataFrame, failed: pl.DataFrame
) -> dict[int, list[Candidate]]:
    """The candidate fixes of each failed linear rule's finding (by number).

    Long because the components, their systems and the evidence for ranking are built together from
    one constraint table."""
    touched = (
        pl.concat([failed.get_column("ids").explode(), failed.get_column("total").drop_nulls()])
        .unique()
        .implode()
    )
    relevant = table.filter(
        pl.col("c").is_in(
            table.select("c", "ids")
            .explode("ids")
            .filter(pl.col("ids").is_in(touched))
            .get_column("c")
            .implode()
        )
        | pl.col("total").is_in(touched).fill_null(False)
    )
    constraints = [
        Constraint(
            _figures_of(r["total"], r["ids"]),
            tuple(r["coefs"])
            if r["coefs"] is not None
            else _total_and_parts(len(r["ids"]) + (r["total"] is not None)),
            r["constant"],
            r["sense"] == "eq",
            r["tol"],
            r["failed"],
            r["finding"] if r["failed"] else None,
        )
        for r in relevant.iter_rows(named=True)
    ]
    all_ids = sorted({i for c in constraints for i in c.ids})
    figures = _figures(run, all_ids)
    touching: dict[int, list[int]] = {}
    for number_, constraint in enumerate(constraints):
        for figure in constraint.ids:
            touching.setdefault(figure, []).append(number_)
    solved: list[_Solved] = []
    for component in _components([c for c in constraints if c.failed]):
        members = {i for c in component for i in c.ids}
        # The system is put in a canonical order: rules may record their constraints in any
        # order, and among equally small fixes the solver's choice depends on the order.
        local = sorted(
            (constraints[n] for n in {n for i in members for n in touching[i]}), key=_canonical
        )
        ordered = sorted(component, key=_canonical)
        solved.append(_solve(ordered, local, figures))
    solved = _with_joint_fixes(solved, figures)
    singles = sorted({single.figure for found in solved for single in found.singles})
    evidence = Evidence(
        percent_checks(run, singles),
        slips_within(
            figures,
            [
                (single.figure, low, high, single.nearest)
                for found in solved
                for single in found.singles
                for low, high in single.intervals
            ],
        ),
    )
    # Only the figures the suggestions name are cited, all at once (a component's system
    # holds many more).
    named = sorted({i for found in solved for i in found.named()})
    refs = dict(zip(named, run.refs(named), strict=True))
    suggestions: dict[int, list[Candidate]] = {}
    for found in solved:
        for finding_number, candidates in _suggestions(found, figures, refs, evidence).items():
            suggestions.setdefault(finding_number, []).extend(candidates)
    return suggestions


def _figures_of(total: int | None, ids: list[int]) -> tuple[int, ...]:
    """A constraint's figures: its total (when recorded apart), then the others."""
    return tuple(ids) if total is None else (total, *ids)


def _total_and_parts(figures: int) -> tuple[float, ...]:
    """The coefficients of a total less its parts (a constraint recorded without them)."""
    return (1.0, *[-1.0] * (figures - 1))


def _canonical(constraint: Constraint) -> tuple[object, ...]:
    return (
        constraint.ids,
        constraint.coefs,
        constraint.constant,
        constraint.equality,
        constraint.tol,
        constraint.finding if constraint.finding is not None else -1,
    )


def _figures(run: Run, ids: Sequence[int]) -> dict[int, Figure]:
    units = {i.code: i.unit for i in run.catalogue}
    rows = run.frame.filter(pl.col(ID).is_in(list(ids))).select(
        ID, "indicator", "measure", "value", "low", "high", "decimals", "derived"
    )
    found = {}
    for row in rows.iter_rows(named=True):
        count = row["measure"] in {"N", "CHG"} and units.get(row["indicator"]) != "per_100k"
        stated = not row["derived"]
        found[row[ID]] = Figure(
            row[ID],
            row["low"] if stated else None,
            row["high"] if stated else None,
            count and not row["decimals"],
            row["measure"] in {"N", "PCT"},
            row["value"],
        )
    return found


def _components(failed: list[Constraint]) -> list[list[Constraint]]:
    parent = list(range(len(failed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for index, constraint in enumerate(failed):
        for figure in constraint.ids:
            if figure in owner:
                parent[root(index)] = root(owner[figure])
            else:
                owner[figure] = index
    groups: dict[int, list[Constraint]] = {}
    for index, constraint in enumerate(failed):
        groups.setdefault(root(index), []).append(constraint)
    return list(groups.values())


@attrs.frozen
class _Single:
    """A figure that alone can make every rule of its component hold: the intervals of the
    values that do (one per assignment of the shared free figures) and the nearest of them."""

    figure: int
    intervals: list[tuple[float, float]]
    nearest: float


@attrs.frozen
class _Solved:
    """A component's failed constraints, every constraint of its system, and the fixes found
    for it: single figures, or (when none will do) sets of figures with their new values."""

    failed: list[Constraint]
    local: list[Constraint]
    singles: list[_Single]
    fixes: list[dict[int, float]]

    def named(self) -> Iterator[int]:
        """The figures the suggestions cite or name (and those that may be copied from)."""
        for single in self.singles:
            yield single.figure
        for fix in self.fixes:
            yield from fix
        for constraint in self.failed:
            yield from constraint.ids


def _solve(
    failed: list[Constraint], local: list[Constraint], figures: dict[int, Figure]
) -> _Solved:
    ids = sorted({i for c in local for i in c.ids})
    free = {i for i in ids if not figures[i].exact}
    shared = {i for i in free if sum(1 for c in local if i in c.ids) > 1}
    singles: list[_Single] = []
    assignments = _assignments(shared, figures)
    if assignments is not None:
        common = set.intersection(*(set(c.ids) for c in failed)) - free
        for candidate in sorted(common):
            single = _single_fix(candidate, local, figures, assignments)
            if single is not None:
                singles.append(single)
    return _Solved(failed, local, singles, [])


def _with_joint_fixes(solved: list[_Solved], figures: dict[int, Figure]) -> list[_Solved]:
    """The components no single figure repairs, given their smallest joint fixes, all at once."""
    unsolved = [k for k, found in enumerate(solved) if not found.singles]
    if not unsolved:
        return solved
    # numpy and the solver load only when a check needs them, not when the package is imported
    from tip_indicators._private.engine.joint import JointSystem, joint_fixes

    systems = []
    for k in unsolved:
        local = solved[k].local
        ids = sorted({i for c in local for i in c.ids})
        systems.append(JointSystem(ids, local, solved[k].failed, {i: figures[i] for i in ids}))
    result = list(solved)
    for k, fixes in zip(unsolved, joint_fixes(systems), strict=True):
        result[k] = attrs.evolve(solved[k], fixes=fixes)
    return result


def _suggestions(
    solved: _Solved,
    figures: dict[int, Figure],
    refs: dict[int, ObservationRef],
    evidence: Evidence,
) -> dict[int, list[Candidate]]:
    """The candidate fixes of each failed constraint's finding (by number)."""
    system = System(solved.failed, solved.local, figures, refs)
    made: list[tuple[Candidate, set[int]]] = []
    for single in solved.singles:
        for candidate in single_candidates(
            system, single.figure, single.nearest, single.intervals, evidence
        ):
            made.append((candidate, {single.figure}))
    for fix in solved.fixes:
        for figure_id, value in fix.items():
            made.append((joint_candidate(system, figure_id, value, fix), set(fix)))
    result: dict[int, list[Candidate]] = {}
    for candidate, changed in made:
        for constraint in solved.failed:
            if constraint.finding is not None and changed & set(constraint.ids):
                result.setdefault(constraint.finding, []).append(candidate)
    return result


def _assignments(shared: set[int], figures: dict[int, Figure]) -> list[dict[int, float]] | None:
    """Every whole-number assignment of the free figures several constraints share, or None when
    one is not a whole number with finite bounds or there are more than MAX_ASSIGNMENTS."""
    ranges = []
    for figure_id in sorted(shared):
        figure = figures[figure_id]
        if not (figure.integer and math.isfinite(figure.lower) and math.isfinite(figure.upper)):
            return None
        ranges.append(range(math.ceil(figure.lower - _EPS), math.floor(figure.upper + _EPS) + 1))
    if math.prod(len(values) for values in ranges) > MAX_ASSIGNMENTS:
        return None
    order = sorted(shared)
    return [
        dict(zip(order, map(float, values), strict=True)) for values in itertools.product(*ranges)
    ]


def _single_fix(
    candidate: int,
    local: list[Constraint],
    figures: dict[int, Figure],
    assignments: list[dict[int, float]],
) -> _Single | None:
    """The values of ``candidate`` that alone satisfy every constraint for some assignment of
    the shared free figures, or None when none does or the current value already does.

    Any other free figure (censored or unstated) sits in one constraint only, so it widens that
    constraint independently: what each constraint leaves for the candidate is an interval,
    worked out once, shifted by the shared figures' values under each assignment.
    """
    figure = figures[candidate]
    current = figure.low if figure.low is not None else 0.0
    shared = assignments[0].keys()
    rows = []
    for constraint in local:
        rest_low = rest_high = constraint.constant
        coef = 0.0
        terms = []
        for figure_id, a in zip(constraint.ids, constraint.coefs, strict=True):
            other = figures[figure_id]
            if figure_id == candidate:
                coef += a
            elif figure_id in shared:
                terms.append((figure_id, a))
            elif other.exact:
                assert other.low is not None
                rest_low += a * other.low
                rest_high += a * other.low
            else:
                ends = (a * other.lower, a * other.upper)
                rest_low += min(ends)
                rest_high += max(ends)
        rows.append((coef, rest_low, rest_high, terms, constraint.equality, constraint.tol))
    intervals: list[tuple[float, float]] = []
    for assignment in assignments:
        allowed = _fix_within(figure, rows, assignment)
        if allowed is None:
            continue
        if allowed[0] - _EPS <= current <= allowed[1] + _EPS:
            continue
        intervals.append(allowed)
    if not intervals:
        return None
    nearest = min(
        (min(max(current, low), high) for low, high in intervals),
        key=lambda value: (abs(value - current), value),
    )
    if not math.isfinite(nearest):
        return None
    return _Single(candidate, sorted(set(intervals)), float(nearest))


_Row = tuple[float, float, float, list[tuple[int, float]], bool, float]


def _fix_within(
    figure: Figure, rows: list[_Row], assignment: dict[int, float]
) -> tuple[float, float] | None:
    """The interval of the candidate's values that every row allows, or None."""
    low, high = figure.lower, figure.upper
    for coef, rest_low, rest_high, terms, equality, tol in rows:
        shift = sum(a * assignment[figure_id] for figure_id, a in terms)
        # the constraint holds when coef * x + rest lies in [-tol, tol] (or >= -tol), for some
        # rest in [rest_low, rest_high]
        top = math.inf if not equality else tol - (rest_low + shift)
        bottom = -tol - (rest_high + shift)
        if coef == 0:
            if bottom > _EPS or top < -_EPS:
                return None
            continue
        if coef > 0:
            low, high = max(low, bottom / coef), min(high, top / coef)
        else:
            low, high = max(low, top / coef), min(high, bottom / coef)
    if figure.integer:
        low = math.ceil(low - _EPS) if math.isfinite(low) else low
        high = math.floor(high + _EPS) if math.isfinite(high) else high
    if low > high + _EPS:
        return None
    return float(low), float(high)
