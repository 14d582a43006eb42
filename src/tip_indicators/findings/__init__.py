"""Findings: what a check found, with every figure involved, where it came from, and a fix.

A check records its findings as rows of one table (:class:`FindingTable`) from the rule that
makes them to the renderer that writes them; :class:`Finding` objects are views made when the
Python API asks for them.
"""

from tip_indicators.findings.model import (
    SUGGESTION_KINDS,
    Finding,
    FindingCode,
    Location,
    ObservationRef,
    Severity,
    Suggestion,
    finding_codes,
    suggestion_kind,
)
from tip_indicators.findings.table import FindingTable

__all__ = [
    "SUGGESTION_KINDS",
    "Finding",
    "FindingCode",
    "FindingTable",
    "Location",
    "ObservationRef",
    "Severity",
    "Suggestion",
    "finding_codes",
    "suggestion_kind",
]
