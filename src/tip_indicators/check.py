"""The entry point of the consistency checks: ``check(dataset, profile) -> Report``."""

from __future__ import annotations

import contextlib
import importlib
import itertools
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tip_indicators.datasets import Dataset
    from tip_indicators.profiles import Profile
    from tip_indicators.report import Report
    from tip_indicators.rules import Rule

__all__ = ["check"]


def check(
    dataset: Dataset, profile: Profile | None = None, rules: Sequence[Rule] | None = None
) -> Report:
    """Check ``dataset`` against ``profile`` (the built-in one by default) and report findings.

    ``rules`` defaults to every rule the profile implies. Reading problems recorded in the dataset
    are part of the report. The same input always gives the same findings in the same order.
    """
    # Imported here, not with the module: the package names this function without loading the
    # engine (and polars) until a check runs.
    import polars as pl

    from tip_indicators._private.engine.base import ID, Run
    from tip_indicators._private.engine.changes import evaluate_change, evaluate_percent_change
    from tip_indicators._private.engine.localise import localise
    from tip_indicators._private.engine.pairs import (
        evaluate_indicator_bound,
        evaluate_mirror,
        evaluate_share,
    )
    from tip_indicators._private.engine.partition import derive_remainders, evaluate_breakdowns
    from tip_indicators._private.engine.rates import evaluate_rate
    from tip_indicators.profiles import builtin_profile
    from tip_indicators.report import Report
    from tip_indicators.rules import Family, default_rules

    profile = profile or builtin_profile()
    if len(dataset) >= _WARM_UP_OBSERVATIONS:
        _warm_up_solver()
    run = Run(dataset.observations, dataset.dimensions, profile)
    chosen = list(rules) if rules is not None else list(default_rules(profile))
    derive_remainders(run, chosen)
    # Consecutive breakdown rules are evaluated together, in one pass over the data.
    # A partition or bound rule along a dimension (not between two indicators) is a breakdown.
    breakdowns = {Family.PARTITION, Family.BOUND}
    for together, group in itertools.groupby(
        chosen, key=lambda rule: rule.family in breakdowns and rule.indicator is None
    ):
        if together:
            evaluate_breakdowns(run, list(group))
            continue
        for rule in group:
            if rule.family is Family.BOUND:
                evaluate_indicator_bound(run, rule)
            elif rule.family is Family.CHANGE:
                evaluate_change(run, rule)
            elif rule.family is Family.PERCENT_CHANGE:
                evaluate_percent_change(run, rule)
            elif rule.family is Family.SHARE:
                if rule.dimension in run.dimensions:
                    evaluate_share(run, rule)
            elif rule.family is Family.MIRROR:
                evaluate_mirror(run, rule)
            elif rule.family is Family.RATE:
                evaluate_rate(run, rule)
    if rules is None:
        from tip_indicators._private.engine.conformance import evaluate_conformance

        evaluate_conformance(run)
    if rules is None and profile.rules:
        from tip_indicators._private.engine.custom import evaluate_profile_rule

        for profile_rule in profile.rules:
            evaluate_profile_rule(run, profile_rule)
    localise(run)
    evaluations = (
        pl.concat(run.evaluations)
        if run.evaluations
        else pl.LazyFrame(
            schema={
                "rule": pl.String,
                "group": pl.String,
                "outcome": pl.String,
                "reason": pl.String,
                "path": pl.String,
                "line": pl.Int64,
            }
        )
    )
    derived = run.frame.filter(pl.col("derived")).drop(ID) if run.derived else None
    return Report(
        findings=run.table(dataset.problem_table),
        inputs=dataset.inputs,
        observations=len(dataset),
        rules_evaluated=run.evaluated,
        not_evaluated=run.not_evaluated,
        profile=profile.label,
        evaluations=evaluations,
        derived=derived,
    )


_WARM_UP_OBSERVATIONS = 100_000
"""From this many figures on, the solver is loaded in the background while the rules run."""


def _warm_up_solver() -> None:
    """Import the solver (HiGHS and numpy, some 50 ms) on a thread of its own: localising the
    errors of a large file mostly needs it, and the rules leave the interpreter free while
    polars works. Should the import fail, localisation imports it again and says why."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module("tip_indicators._private.highs")

    threading.Thread(target=load, name="solver warm-up", daemon=True).start()
