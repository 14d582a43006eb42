"""The entry point of the consistency checks: ``check(dataset, profile) -> Report``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from tip_indicators._engine.base import ID, Run
from tip_indicators._engine.conformance import evaluate_conformance
from tip_indicators._engine.custom import evaluate_profile_rule
from tip_indicators._engine.derivation import derive_remainders
from tip_indicators._engine.families import evaluate
from tip_indicators._engine.localise import localise
from tip_indicators.datasets import Dataset
from tip_indicators.findings import FindingTable, Severity
from tip_indicators.io.frames import from_frame
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.report import EVALUATION_SCHEMA, Report
from tip_indicators.rules import Rule, check_rules, default_rules

__all__ = ["check"]


def check(
    dataset: Dataset | Any, profile: Profile | None = None, rules: Sequence[Rule] | None = None
) -> Report:
    """Check ``dataset`` against ``profile`` (the built-in one by default) and report findings.

    ``dataset`` may also be a data frame (pandas, polars, pyarrow) with the long CSV's columns:
    it is read with :func:`~tip_indicators.io.frames.from_frame` under the profile's catalogue.
    ``rules`` defaults to every rule the profile implies. Reading problems recorded in the dataset
    are part of the report; the profile's ``select`` and ``ignore`` choose which findings it
    keeps. The same input always gives the same findings in the same order.
    """
    if profile is None:
        catalogue = dataset.catalogue if isinstance(dataset, Dataset) else None
        profile = builtin_profile()
        if catalogue is not None and catalogue is not profile.catalogue:
            profile = attrs.evolve(profile, name="custom-catalogue", catalogue=catalogue)
    if not isinstance(dataset, Dataset):
        dataset = from_frame(dataset, catalogue=profile.catalogue)
    run = Run(dataset.observations, dataset.dimensions, profile)
    chosen = list(rules) if rules is not None else list(default_rules(profile))
    check_rules(chosen, profile)
    derive_remainders(run, chosen)
    evaluate(run, chosen)
    if rules is None:
        evaluate_conformance(run)
        for profile_rule in profile.rules:
            evaluate_profile_rule(run, profile_rule)
    localise(run)
    evaluations = (
        pl.concat(run.evaluations) if run.evaluations else pl.LazyFrame(schema=EVALUATION_SCHEMA)
    )
    derived = run.frame.filter(pl.col("derived")).drop(ID) if run.derived else None
    omitted = _omitted(chosen, profile) if rules is not None else ()
    report = Report(
        findings=_capped(run.table(dataset.problem_table), chosen),
        inputs=dataset.inputs,
        observations=len(dataset),
        rules_evaluated=run.evaluated,
        not_evaluated=run.not_evaluated,
        profile=profile.label,
        evaluations=evaluations,
        derived=derived,
        omitted=omitted,
    )
    if profile.select or profile.ignore:
        report = report.filtered(select=profile.select, ignore=profile.ignore)
    return report


def _omitted(chosen: Sequence[Rule], profile: Profile) -> tuple[str, ...]:
    """The rules a check given its own ``chosen`` rules leaves out: the profile's other default
    rules, the conformance checks and the profile's own rules."""
    given = {rule.name for rule in chosen}
    return (
        *(rule.name for rule in default_rules(profile) if rule.name not in given),
        "conformance",
        *(f"profile.{rule.name}" for rule in profile.rules),
    )


def _capped(table: FindingTable, rules: Sequence[Rule]) -> FindingTable:
    """The findings with each rule's severity as the most severe its findings may be: a rule
    made a warning (``attrs.evolve(partition("sex"), severity=Severity.WARNING)``) reports
    warnings, never errors."""
    caps = {rule.name: rule.severity.rank for rule in rules if rule.severity is not Severity.ERROR}
    if not caps or not len(table):
        return table
    ranks = {severity.value: severity.rank for severity in Severity}
    names = {severity.rank: severity.value for severity in Severity}
    rank = pl.col("severity").replace_strict(ranks, return_dtype=pl.Int64)
    cap = pl.col("rule").replace_strict(caps, default=0, return_dtype=pl.Int64)
    capped = pl.max_horizontal(rank, cap).replace_strict(names, return_dtype=pl.String)
    return table.with_severities(table.rows.select(capped).to_series())
