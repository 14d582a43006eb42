"""The entry point of the consistency checks: ``check(dataset, profile) -> Report``."""

from __future__ import annotations

from tip_indicators.datasets import Dataset
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.report import Report

__all__ = ["check"]


def check(dataset: Dataset, profile: Profile | None = None) -> Report:
    """Check ``dataset`` against ``profile`` (the built-in one by default) and report findings.

    Reading problems recorded in the dataset come first in each file's list; the same input
    always gives the same findings in the same order.
    """
    profile = profile or builtin_profile()
    findings = sorted(dataset.problems, key=lambda finding: finding.sort_key)
    return Report(
        findings=tuple(findings),
        inputs=dataset.inputs,
        observations=len(dataset),
        profile=profile.label,
    )
