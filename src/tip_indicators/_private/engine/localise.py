"""Error localisation (Fellegi-Holt): the fewest figures whose change makes every rule hold.

Failed rules that share figures form a component. For each component every linear rule touching
its figures is a constraint ``sum(coef x figure) + constant (= or >=) 0`` within its tolerance.
Exact figures may change at a cost of one; censored and missing figures move freely within
their interval. A single-figure fix is solved exactly in closed form: a free figure in one
constraint only widens that constraint, and the few whole-number values of a censored figure
that several constraints share are tried one by one. Otherwise HiGHS (a mixed-integer program)
finds the minimum, and further minimal fixes are enumerated with no-good cuts. Candidates are
ranked by plausibility: digit transposition, one wrong digit, a value copied from a neighbouring
figure, a derived measure.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import polars as pl

from tip_indicators._private.engine.base import ID, SUGGESTION_SCHEMA, Run, number
from tip_indicators._private.engine.milp import milp_fixes
from tip_indicators._private.engine.system import Constraint, Figure
from tip_indicators.findings import ObservationRef, Suggestion

MAX_ASSIGNMENTS = 625
"""Whole-number assignments of shared censored figures tried in closed form before the MILP."""
MAX_SUGGESTIONS = 5
_EPS = 1e-7


def localise(run: Run) -> None:
    """Attach ranked suggestions to every error finding that a linear rule produced."""
    if not run.constraints:
        return
    table = pl.concat(run.constraints).filter(pl.col("failed") | pl.col("holds"))
    table = table.with_row_index("c")
    failed = table.filter(pl.col("failed"))
    if failed.height == 0:
        return
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
            r["finding"],
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
    # Only the figures the suggestions name are cited, all at once (a component's system
    # holds many more).
    named = sorted({i for found in solved for i in found.named()})
    refs = dict(zip(named, run.refs(named), strict=True))
    suggestions: dict[int, list[tuple[Suggestion, int]]] = {}
    for found in solved:
        for finding_number, made in _suggestions(found, figures, refs).items():
            suggestions.setdefault(finding_number, []).extend(made)
    rows: dict[str, list[Any]] = {
        "number": [],
        "figure": [],
        "value": [],
        "reason": [],
        "score": [],
    }
    for number_, made in suggestions.items():
        # Equally likely fixes are ordered by what they say, not by the order the solver found
        # them in, so the report does not change with the solver's version.
        ranked = sorted(
            made, key=lambda s: (-s[0].score, s[0].location.line or 0, s[0].value, s[0].reason)
        )[:MAX_SUGGESTIONS]
        for suggestion, figure in ranked:
            rows["number"].append(number_)
            rows["figure"].append(figure)
            rows["value"].append(suggestion.value)
            rows["reason"].append(suggestion.reason)
            rows["score"].append(suggestion.score)
    run.suggestions.append(pl.DataFrame(rows, schema=SUGGESTION_SCHEMA))


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
class _Solved:
    """A component's failed constraints and the fixes found for it: each fix the new values of
    the figures it changes, with the figure each changed figure seems copied from, if any."""

    failed: list[Constraint]
    fixes: list[dict[int, float]]
    copied: list[dict[int, int]]

    def named(self) -> Iterator[int]:
        """The figures the suggestions cite or name."""
        for fix, sources in zip(self.fixes, self.copied, strict=True):
            yield from fix
            yield from sources.values()


def _solve(
    failed: list[Constraint], local: list[Constraint], figures: dict[int, Figure]
) -> _Solved:
    ids = sorted({i for c in local for i in c.ids})
    free = {i for i in ids if not figures[i].exact}
    shared = {i for i in free if sum(1 for c in local if i in c.ids) > 1}
    solutions: list[dict[int, float]] = []
    assignments = _assignments(shared, figures)
    if assignments is not None:
        common = set.intersection(*(set(c.ids) for c in failed)) - free
        for candidate in sorted(common):
            value = _nearest_single_fix(candidate, local, figures, assignments)
            if value is not None:
                solutions.append({candidate: value})
    if not solutions:
        solutions = milp_fixes(ids, local, figures)
    copied = [
        {
            figure: source
            for figure in solution
            if (source := _copied_from(figures[figure], ids, figures, failed)) is not None
        }
        for solution in solutions
    ]
    return _Solved(failed, solutions, copied)


def _copied_from(
    figure: Figure, ids: list[int], figures: dict[int, Figure], failed: list[Constraint]
) -> int | None:
    """The first figure (by id) of the system that shares a failed rule with ``figure`` and
    states its current value, when ``figure`` is exact: it was likely copied from there."""
    if not figure.exact:
        return None
    current = figure.low if figure.low is not None else 0.0
    neighbours = {i for c in failed if figure.id in c.ids for i in c.ids}
    for other_id in ids:
        text = figures[other_id].text
        if (
            other_id != figure.id
            and text
            and other_id in neighbours
            and _same_number(text, current)
        ):
            return other_id
    return None


def _suggestions(
    solved: _Solved, figures: dict[int, Figure], refs: dict[int, ObservationRef]
) -> dict[int, list[tuple[Suggestion, int]]]:
    """The suggestions of each failed constraint's finding (by number), each with the id of the
    figure it names, from the fixes found."""
    result: dict[int, list[tuple[Suggestion, int]]] = {}
    for solution, copied in zip(solved.fixes, solved.copied, strict=True):
        for figure, value in solution.items():
            ref = refs[figure]
            source = copied.get(figure)
            score, reason = _plausibility(
                ref,
                figure=figures[figure],
                value=value,
                solution=solution,
                failed=solved.failed,
                refs=refs,
                copied=refs[source] if source is not None else None,
            )
            suggestion = Suggestion(
                ref.location, _format(value, figures[figure]), reason, ref, score
            )
            for constraint in solved.failed:
                if constraint.finding is not None and set(solution) & set(constraint.ids):
                    result.setdefault(constraint.finding, []).append((suggestion, figure))
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


def _nearest_single_fix(
    candidate: int,
    local: list[Constraint],
    figures: dict[int, Figure],
    assignments: list[dict[int, float]],
) -> float | None:
    """The value nearest the current one that alone satisfies every constraint for some
    assignment of the shared free figures, or None.

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
    best: float | None = None
    for assignment in assignments:
        value = _fix_within(figure, current, rows, assignment)
        if value is not None and (
            best is None or (abs(value - current), value) < (abs(best - current), best)
        ):
            best = value
    return best


_Row = tuple[float, float, float, list[tuple[int, float]], bool, float]


def _fix_within(
    figure: Figure, current: float, rows: list[_Row], assignment: dict[int, float]
) -> float | None:
    """The candidate's value nearest ``current`` that every row allows, or None."""
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
    value = min(max(current, low), high)
    if math.isclose(value, current) or not math.isfinite(value):
        return None
    return float(value)


def _digits(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _plausibility(
    ref: ObservationRef,
    *,
    figure: Figure,
    value: float,
    solution: dict[int, float],
    failed: list[Constraint],
    refs: dict[int, ObservationRef],
    copied: ObservationRef | None,
) -> tuple[float, str]:
    current = figure.low if figure.low is not None else 0.0
    old, new = _digits(current), _digits(value)
    reasons: list[str] = []
    score = 0.0
    if len(solution) > 1:
        others = ", ".join(
            f"line {refs[i].location.line} to {_format(v, None)}"
            for i, v in solution.items()
            if i != figure.id
        )
        reasons.append(f"together with {others} ({len(solution)} figures must change)")
        score -= len(solution)
    if len(old) == len(new) and old != new:
        differences = [k for k in range(len(old)) if old[k] != new[k]]
        if (
            len(differences) == 2
            and differences[1] == differences[0] + 1
            and sorted(old) == sorted(new)
        ):
            score += 3.0
            reasons.append(f"digit transposition ({old} for {new})")
        elif len(differences) == 1:
            score += 2.0
            reasons.append(f"one wrong digit ({old} for {new})")
    if copied is not None:
        score += 2.5
        reasons.append(
            f"equals {copied.label()} ({copied.value}, line {copied.location.line}): "
            "likely copied from the neighbouring figure"
        )
    if ref.measure in {"CHG", "PCH", "PCT"}:
        score += 1.0
        reasons.append(f"a {ref.measure} figure is computed from levels, so more often wrong")
    involved = sum(1 for c in failed if figure.id in c.ids)
    if involved > 1:
        score += 0.5 * (involved - 1)
        reasons.append(f"in all {involved} failed rules")
    score -= 0.1 * math.log10(1.0 + abs(value - current))
    if not reasons:
        reasons.append("changing this figure alone makes the rules hold")
    return score, "; ".join(reasons)


def _same_number(text: str, value: float) -> bool:
    try:
        return float(text.replace(",", "")) == value
    except ValueError:
        return False


def _format(value: float, figure: Figure | None) -> str:
    if float(value).is_integer():
        return str(int(value))
    return number(value).replace(",", "")
