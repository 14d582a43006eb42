"""The registry of rule families: which evaluation each family of rules runs.

A family's evaluation reads the run's figures and records its evaluations, findings and
constraints on the run. Breakdown rules (a partition, or a bound of parts by their total along
a dimension) are evaluated together, consecutive ones in one pass over the data; every other
rule is evaluated alone by its family's function.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

from tip_indicators._engine.base import Run
from tip_indicators._engine.changes import evaluate_change, evaluate_percent_change
from tip_indicators._engine.pairs import (
    evaluate_indicator_bound,
    evaluate_mirror,
    evaluate_share,
)
from tip_indicators._engine.partition import evaluate_breakdowns
from tip_indicators._engine.rates import evaluate_rate
from tip_indicators.rules import Family, Rule

EVALUATIONS: Mapping[Family, Callable[[Run, Rule], None]] = {
    Family.BOUND: evaluate_indicator_bound,
    Family.CHANGE: evaluate_change,
    Family.PERCENT_CHANGE: evaluate_percent_change,
    Family.SHARE: evaluate_share,
    Family.MIRROR: evaluate_mirror,
    Family.RATE: evaluate_rate,
}
"""The evaluation of each family's rules, one rule at a time (breakdowns aside)."""

_BREAKDOWNS = frozenset({Family.PARTITION, Family.BOUND})


def is_breakdown(rule: Rule) -> bool:
    """Whether ``rule`` sums or bounds parts along a dimension (not between two indicators)."""
    return rule.family in _BREAKDOWNS and rule.indicator is None


def evaluate(run: Run, rules: Sequence[Rule]) -> None:
    """Evaluate ``rules`` in order, consecutive breakdown rules together."""
    for together, group in itertools.groupby(rules, key=is_breakdown):
        if together:
            evaluate_breakdowns(run, list(group))
            continue
        for rule in group:
            EVALUATIONS[rule.family](run, rule)
