"""Error localisation (Fellegi-Holt): the fewest figures whose change makes every rule hold.

Failed rules that share figures form a component. For each component every linear rule touching
its figures is a constraint ``sum(coef x figure) + constant (= or >=) 0`` within its tolerance.
Exact figures may change at a cost of one; censored and missing figures move freely within
their interval. A single-figure fix is solved exactly in closed form: a free figure in one
constraint only widens that constraint, and the few whole-number values of a censored figure
that several constraints share are tried one by one. Components no single figure repairs get
their smallest joint fixes all at once (:mod:`~tip_indicators._engine.joint`). A
single figure that may take an interval of values is offered at the keystroke slip inside it
and at its edge; candidates are ranked in :mod:`~tip_indicators._engine.ranking`.
Open shortfalls that one slip closes exactly get that slip as a suggestion too.
"""

from __future__ import annotations

import itertools
import math

import attrs
import polars as pl

from tip_indicators._engine.base import SUGGESTION_SCHEMA, Run
from tip_indicators._engine.ranking import (
    JOINT_FIX_SCHEMA,
    joint_candidates,
    ranked,
    single_candidates,
)
from tip_indicators._engine.single_fixes import (
    SINGLE_SCHEMA,
    components,
    constraint_sums,
    constraint_terms,
    figure_facts,
    shared_censored,
    single_intervals,
)
from tip_indicators._engine.system import Constraint, Figure
from tip_indicators._engine.warning_slips import (
    bound_slips,
    shortfall_slips,
    window_slips,
)
from tip_indicators._private.queries import collect

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
    table = (
        every.filter(pl.col("failed") | pl.col("holds"))
        .with_row_index("c")
        .with_columns(pl.col("c").cast(pl.Int64))
    )
    fixes = [_error_fixes(run, table)] if table.select(pl.col("failed").any()).item() else []
    return [*fixes, shortfall_slips(run, table), bound_slips(run, every)]


def _error_fixes(run: Run, table: pl.DataFrame) -> pl.DataFrame:
    """The ranked fixes of every failed linear rule's finding (rows of SUGGESTION_SCHEMA).

    Long because it lays out the whole pipeline: components, their systems, the single fixes
    found column-wise, the exact search for the few systems that need it, and the ranking."""
    failed_rules = table.filter(pl.col("failed"))
    touched = pl.lit(constraint_terms(failed_rules).get_column("figure")).unique().implode()
    holding = (
        table.lazy()
        .select("c", "ids")
        .explode("ids")
        .filter(pl.col("ids").is_in(touched))
        .select("c", pl.lit(True).alias("_holds"))
        .unique()
    )
    relevant = (
        table.lazy()
        .join(holding, on="c", how="left", maintain_order="left")
        .filter(pl.col("_holds").fill_null(False) | pl.col("total").is_in(touched).fill_null(False))
        .drop("_holds")
        .pipe(collect)
    )
    terms = constraint_terms(relevant)
    failed = (
        components(terms, failed_rules.get_column("c"))
        .lazy()
        .join(failed_rules.lazy().select("c", "finding"), on="c")
        .pipe(collect)
    )
    members = (
        terms.lazy()
        .join(failed.lazy().select("c", "component"), on="c")
        .select("figure", "component")
    )
    local = (
        terms.lazy()
        .join(members.unique(), on="figure")
        .select("component", "c")
        .unique()
        .pipe(collect)
    )
    facts = figure_facts(run, terms.get_column("figure"))
    sums = constraint_sums(relevant, terms, facts)
    shared = shared_censored(local, terms, facts)
    simple = ~pl.col("component").is_in(shared.implode())
    singles = single_intervals(failed.filter(simple), local.filter(simple), terms, sums, facts)
    solved_in_bulk = singles.get_column("component").unique()
    searched = failed.filter(
        ~simple | ~pl.col("component").is_in(solved_in_bulk.implode())
    ).get_column("component")
    systems, figures = _systems(
        relevant, terms=terms, failed=failed, local=local, facts=facts, wanted=searched
    )
    censored = set(shared.to_list())
    found = [
        _solve(failed_of, local_of, figures)
        if component in censored
        else _Solved(failed_of, local_of, [])
        for component, (failed_of, local_of) in systems.items()
    ]
    singles = pl.concat([singles, _single_rows(list(systems), found)], how="vertical_relaxed")
    candidates = [
        single_candidates(run, singles, failed=failed, terms=terms, sums=sums, facts=facts)
    ]
    unsolved = [(k, solved) for k, solved in zip(systems, found, strict=True) if not solved.singles]
    if unsolved:
        fixes = _joint_fix_rows(unsolved, figures)
        candidates.append(joint_candidates(fixes, failed=failed, terms=terms, facts=facts))
    return ranked(pl.concat(candidates, how="vertical_relaxed"), MAX_SUGGESTIONS).select(
        [pl.col(name).cast(kind) for name, kind in SUGGESTION_SCHEMA.items()]
    )


def _systems(
    relevant: pl.DataFrame,
    *,
    terms: pl.DataFrame,
    failed: pl.DataFrame,
    local: pl.DataFrame,
    facts: pl.DataFrame,
    wanted: pl.Series,
) -> tuple[dict[int, tuple[list[Constraint], list[Constraint]]], dict[int, Figure]]:
    """The systems of the components ``wanted`` as constraints (failed ones and all, each in a
    canonical order), and their figures, for the exact search."""
    chosen = local.filter(pl.col("component").is_in(wanted.implode()))
    kept = terms.filter(pl.col("c").is_in(chosen.get_column("c").implode()))
    spelt = kept.group_by("c", maintain_order=True).agg("figure", "coef")
    constraints = {
        row["c"]: Constraint(
            tuple(row["figure"]),
            tuple(row["coef"]),
            row["constant"],
            row["sense"] == "eq",
            row["tol"],
            row["failed"],
            row["finding"] if row["failed"] else None,
        )
        for row in relevant.join(spelt, on="c").iter_rows(named=True)
    }
    figures = {
        row["figure"]: Figure(
            row["figure"],
            row["low"],
            row["high"],
            row["integer"],
            row["nonnegative"],
            row["value"],
        )
        for row in facts.filter(
            pl.col("figure").is_in(kept.get_column("figure").implode())
        ).iter_rows(named=True)
    }
    failed_of: dict[int, list[int]] = {}
    for component, c in failed.select("component", "c").iter_rows():
        if c in constraints:
            failed_of.setdefault(component, []).append(c)
    local_of: dict[int, list[int]] = {}
    for component, c in chosen.iter_rows():
        local_of.setdefault(component, []).append(c)
    # The system is put in a canonical order: rules may record their constraints in any
    # order, and among equally small fixes the solver's choice depends on the order.
    systems = {
        component: (
            sorted((constraints[c] for c in failed_of[component]), key=_canonical),
            sorted((constraints[c] for c in local_of[component]), key=_canonical),
        )
        for component in sorted(failed_of)
    }
    return systems, figures


def _single_rows(components_: list[int], found: list[_Solved]) -> pl.DataFrame:
    """The single fixes the exact search found, as rows of SINGLE_SCHEMA."""
    rows = [
        (component, single.figure, low, high, single.nearest)
        for component, solved in zip(components_, found, strict=True)
        for single in solved.singles
        for low, high in single.intervals
    ]
    return pl.DataFrame(rows, schema=SINGLE_SCHEMA, orient="row")


def _canonical(constraint: Constraint) -> tuple[object, ...]:
    return (
        constraint.ids,
        constraint.coefs,
        constraint.constant,
        constraint.equality,
        constraint.tol,
        constraint.finding if constraint.finding is not None else -1,
    )


@attrs.frozen
class _Single:
    """A figure that alone can make every rule of its component hold: the intervals of the
    values that do (one per assignment of the shared free figures) and the nearest of them."""

    figure: int
    intervals: list[tuple[float, float]]
    nearest: float


@attrs.frozen
class _Solved:
    """A component's failed constraints, every constraint of its system, and the single
    figures that repair it (when none will do, sets of figures are searched for together)."""

    failed: list[Constraint]
    local: list[Constraint]
    singles: list[_Single]
    searched: bool = True
    """Whether every single figure was tried (so none repairs it alone when ``singles`` is
    empty): not when its shared censored figures have too many values to try."""


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
    return _Solved(failed, local, singles, searched=assignments is not None)


def _joint_fix_rows(
    unsolved: list[tuple[int, _Solved]], figures: dict[int, Figure]
) -> pl.DataFrame:
    """The smallest joint fixes of the components no single figure repairs, found all at once:
    one row per figure a fix changes (``component``, the fix's number ``fix``, the figure's
    ``place`` in it, ``figure`` and its new ``value``)."""
    # numpy and the solver load only when a check needs them, not when the package is imported
    from tip_indicators._engine.joint import JointSystem, joint_fixes

    systems = []
    for _, solved in unsolved:
        ids = sorted({i for c in solved.local for i in c.ids})
        systems.append(
            JointSystem(
                ids,
                solved.local,
                solved.failed,
                {i: figures[i] for i in ids},
                smallest=2 if solved.searched else 1,
            )
        )
    found = [
        (component, fix)
        for (component, _), fixes in zip(unsolved, joint_fixes(systems), strict=True)
        for fix in fixes
    ]
    rows = [
        (component, number, place, figure, value)
        for number, (component, fix) in enumerate(found)
        for place, (figure, value) in enumerate(fix.items())
    ]
    return pl.DataFrame(rows, schema=JOINT_FIX_SCHEMA, orient="row")


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
