"""The single-figure fixes found column-wise for every component at once agree with the exact
search of one component at a time.

Random small systems of the localiser's shape (totals less their parts, equal or at least zero,
with exact and censored figures, some rules failing) go through both: the bulk queries of
``single_fixes`` (components, sums, intervals) and the closed-form search ``localise._solve``
that components with a censored figure shared by several rules still use. Each must find the
same figures with the same intervals of repairing values and the same nearest value.
"""

from __future__ import annotations

import math

import polars as pl
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from tip_indicators._engine.base import CONSTRAINT_SCHEMA
from tip_indicators._engine.localise import _canonical, _solve
from tip_indicators._engine.single_fixes import (
    components,
    constraint_sums,
    constraint_terms,
    shared_censored,
    single_intervals,
)
from tip_indicators._engine.system import Constraint, Figure


def _holds(constraint: Constraint, figures: dict[int, Figure]) -> bool:
    """Whether some values of the free figures let the constraint hold."""
    least = most = constraint.constant
    for figure_id, a in zip(constraint.ids, constraint.coefs, strict=True):
        figure = figures[figure_id]
        if figure.exact:
            assert figure.low is not None
            least += a * figure.low
            most += a * figure.low
        else:
            ends = (a * figure.lower, a * figure.upper)
            least += min(ends)
            most += max(ends)
    if constraint.equality:
        return least <= constraint.tol and most >= -constraint.tol
    return most >= -constraint.tol


@st.composite
def systems(draw: st.DrawFn) -> tuple[dict[int, Figure], list[Constraint]]:
    """Figures (exact, or censored ``<5``) and rules over them (mostly totals less their
    parts), some of which fail."""
    count = draw(st.integers(2, 8))
    figures = {}
    for figure_id in range(count):
        if draw(st.integers(0, 4)) == 0:
            figures[figure_id] = Figure(figure_id, 0.0, 4.0, True, True, "<5")
        else:
            value = float(draw(st.integers(0, 60)))
            figures[figure_id] = Figure(figure_id, value, value, True, True, str(int(value)))
    constraints: list[Constraint] = []
    for _ in range(draw(st.integers(1, 4))):
        equality = draw(st.booleans())
        if draw(st.integers(0, 3)):
            ids = draw(st.lists(st.integers(0, count - 1), min_size=2, max_size=5, unique=True))
            coefs = (1.0, *[-1.0] * (len(ids) - 1))
        else:
            # any linear rule: a figure may come twice, its coefficients cancelling
            ids = draw(st.lists(st.integers(0, count - 1), min_size=2, max_size=5))
            weights = st.sampled_from([-1.0, 1.0, 2.0, 0.5])
            coefs = tuple(draw(st.lists(weights, min_size=len(ids), max_size=len(ids))))
        provisional = Constraint(tuple(ids), coefs, 0.0, equality, 0.0, False, None)
        failed = not _holds(provisional, figures)
        constraints.append(
            Constraint(
                tuple(ids), coefs, 0.0, equality, 0.0, failed, len(constraints) if failed else None
            )
        )
    return figures, constraints


def _facts(figures: dict[int, Figure]) -> pl.DataFrame:
    """The facts the bulk queries read, as the Figure objects of the exact search state them."""
    return pl.DataFrame(
        [
            {
                "figure": f.id,
                "low": f.low,
                "high": f.high,
                "exact": f.exact,
                "integer": f.integer,
                "nonnegative": f.nonnegative,
                "lower": f.lower,
                "upper": f.upper,
                "current": f.low if f.low is not None else 0.0,
            }
            for f in figures.values()
        ]
    )


@settings(max_examples=300, deadline=None)
@given(systems())
def test_bulk_single_fixes_equal_the_exact_search(
    system: tuple[dict[int, Figure], list[Constraint]],
) -> None:
    figures, constraints = system
    assume(any(c.failed for c in constraints))
    table = pl.DataFrame(
        {
            "total": [None] * len(constraints),
            "ids": [list(c.ids) for c in constraints],
            "coefs": [list(c.coefs) for c in constraints],
            "constant": [c.constant for c in constraints],
            "sense": ["eq" if c.equality else "ge" for c in constraints],
            "tol": [c.tol for c in constraints],
            "failed": [c.failed for c in constraints],
            "holds": [not c.failed for c in constraints],
            "finding": [c.finding for c in constraints],
        },
        schema=CONSTRAINT_SCHEMA,
    ).with_row_index("c")
    table = table.with_columns(pl.col("c").cast(pl.Int64))
    terms = constraint_terms(table)
    failed = components(terms, table.filter(pl.col("failed")).get_column("c"))
    members = terms.join(failed, on="c").select("figure", "component").unique()
    local = terms.join(members, on="figure").select("component", "c").unique()
    facts = _facts(figures)
    sums = constraint_sums(table, terms, facts)
    shared = set(shared_censored(local, terms, facts).to_list())
    simple = ~pl.col("component").is_in(list(shared))
    bulk = single_intervals(failed.filter(simple), local.filter(simple), terms, sums, facts)

    for component in sorted(set(failed.get_column("component").to_list()) - shared):
        failed_of = [
            constraints[c]
            for c in failed.filter(pl.col("component") == component).get_column("c").to_list()
        ]
        local_of = [
            constraints[c]
            for c in local.filter(pl.col("component") == component).get_column("c").to_list()
        ]
        exact = _solve(sorted(failed_of, key=_canonical), sorted(local_of, key=_canonical), figures)
        expected = sorted(
            (single.figure, low, high, single.nearest)
            for single in exact.singles
            for low, high in single.intervals
        )
        found = sorted(
            bulk.filter(pl.col("component") == component)
            .select("figure", "low", "high", "nearest")
            .iter_rows()
        )
        event("single fixes found" if expected else "no single fix")
        assert len(found) == len(expected)
        for got, want in zip(found, expected, strict=True):
            assert got[0] == want[0]
            assert all(
                math.isclose(a, b, abs_tol=1e-9) or a == b
                for a, b in zip(got[1:], want[1:], strict=True)
            )
