"""The entry point of the consistency checks: ``check(dataset, profile) -> Report``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from tip_indicators._private.engine.base import ID, Run
from tip_indicators._private.engine.conformance import evaluate_conformance
from tip_indicators._private.engine.custom import evaluate_profile_rule
from tip_indicators._private.engine.derivation import derive_remainders
from tip_indicators._private.engine.families import evaluate
from tip_indicators._private.engine.localise import localise
from tip_indicators.datasets import Dataset
from tip_indicators.io.frames import from_frame
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.report import Report
from tip_indicators.rules import Rule, default_rules

__all__ = ["check"]


def check(
    dataset: Dataset | Any, profile: Profile | None = None, rules: Sequence[Rule] | None = None
) -> Report:
    """Check ``dataset`` against ``profile`` (the built-in one by default) and report findings.

    ``dataset`` may also be a data frame (pandas, polars, pyarrow) with the long CSV's columns:
    it is read with :func:`~tip_indicators.io.frames.from_frame` under the profile's catalogue.
    ``rules`` defaults to every rule the profile implies. Reading problems recorded in the dataset
    are part of the report. The same input always gives the same findings in the same order.
    """
    profile = profile or builtin_profile()
    if not isinstance(dataset, Dataset):
        dataset = from_frame(dataset, catalogue=profile.catalogue)
    run = Run(dataset.observations, dataset.dimensions, profile)
    chosen = list(rules) if rules is not None else list(default_rules(profile))
    derive_remainders(run, chosen)
    evaluate(run, chosen)
    if rules is None:
        evaluate_conformance(run)
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
