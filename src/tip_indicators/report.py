"""Reports: the result of checking datasets against a profile.

A report records the tool version, the time, the inputs (path and SHA-256), the profile, every
finding in a stable order, and counts of rules evaluated and not evaluated. Rules, data and
results are separate types: a report never changes the dataset it describes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs
import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators._version import __version__
from tip_indicators.datasets import Dataset, InputFile, frame_paths
from tip_indicators.findings import Finding, FindingTable, Severity
from tip_indicators.findings.display import findings_html
from tip_indicators.findings.frame import findings_frame
from tip_indicators.selection import baseline_mask, selection_mask

__all__ = ["EVALUATION_SCHEMA", "Report"]

EVALUATION_SCHEMA = pl.Schema(
    {
        "rule": pl.String,
        "group": pl.String,
        "outcome": pl.String,
        "reason": pl.String,
        "path": pl.String,
        "line": pl.Int64,
    }
)
"""The columns of :attr:`Report.evaluations`: the rule, the group of figures it judged, the
outcome (``pass``, ``fail`` or ``not_evaluated``), the reason, and the file and line."""


def _table(findings: FindingTable | Iterable[Finding]) -> FindingTable:
    return findings if isinstance(findings, FindingTable) else FindingTable.from_findings(findings)


def _objects(findings: FindingTable) -> tuple[Finding, ...]:
    return findings.findings()


def _json_keys(report: Report) -> dict[str, Any]:
    """What a baseline needs of ``report``: each finding's code, rule, file and message."""
    frame = report.to_polars().select("code", "rule", "path", "message")
    return {
        "findings": [
            {"code": code, "rule": rule, "location": {"path": path}, "message": message}
            for code, rule, path, message in frame.iter_rows()
        ]
    }


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


@attrs.frozen(repr=False)
class Report:
    """Findings about one or more inputs, with the counts a CI summary needs.

    ``evaluations`` has one row per rule evaluation (rule, group, outcome, reason, path, line);
    it is what JUnit output lists as test cases. It may be given as a polars ``LazyFrame``: the
    rows are then built the first time they are read, since most runs only need the counts.
    ``derived`` holds figures the checks derived.

    Findings are kept as one :class:`~tip_indicators.findings.FindingTable` (``table``), in
    the order given (a check gives them in report order); they become objects the first time
    ``findings`` is read. The counts and the renderers read the table. Findings may be given as
    objects too; reports compare by their findings either way.
    """

    _findings: FindingTable = attrs.field(alias="findings", converter=_table, eq=_objects)
    inputs: tuple[InputFile, ...] = ()
    observations: int = 0
    rules_evaluated: int = 0
    not_evaluated: int = 0
    profile: str = "builtin"
    tool_version: str = __version__
    created: str = attrs.field(factory=_now, eq=False)
    _evaluations: pl.DataFrame | pl.LazyFrame | None = attrs.field(
        default=None, eq=False, repr=False
    )
    derived: pl.DataFrame | None = attrs.field(default=None, eq=False, repr=False)
    omitted: tuple[str, ...] = ()
    """The built-in checks left out because the check was given rules of its own."""

    @property
    def evaluations(self) -> pl.DataFrame | None:
        """One row per rule evaluation, or None when the report has none on record."""
        plan = self._evaluations
        if isinstance(plan, pl.LazyFrame):
            plan = collect(plan)
            # Frozen, but the rows are a cache of what was given: built once, then kept.
            object.__setattr__(self, "_evaluations", plan)
        return plan

    def __repr__(self) -> str:
        return self._summary(first=3)

    def _summary(self, first: int) -> str:
        """The counts, then the first findings one line each: short enough for a notebook."""
        inputs = ", ".join(item.path for item in self.inputs[:3])
        more_inputs = f", +{len(self.inputs) - 3}" if len(self.inputs) > 3 else ""
        head = (
            f"<Report {self.profile}: {self.observations} observations from "
            f"{len(self.inputs)} input(s) ({inputs}{more_inputs}); {self.errors} errors, "
            f"{self.warnings} warnings, {self.infos} infos>"
        )
        shown = self.findings[:first]
        lines = [head, *(f"  {finding.brief()}" for finding in shown)]
        if len(self._findings) > len(shown):
            lines.append(f"  … and {len(self._findings) - len(shown)} more")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The summary and the first findings as an HTML table, for notebooks."""
        counts = {"errors": self.errors, "warnings": self.warnings, "infos": self.infos}
        title = f"Report {self.profile}: {self.observations} observations"
        return findings_html(title, counts, self.to_polars())

    def to_html(self, dataset: Dataset | None = None) -> str:
        """The self-contained HTML report (what ``--format html`` writes); ``dataset``, the
        checked figures, adds the pictures that need more than the cited figures."""
        # A report renders itself on request: the renderer is imported only then.
        from tip_indicators.render.html import report_html

        return report_html(self, dataset=dataset)

    def filtered(
        self,
        *,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        baseline: Report | Mapping[str, Any] | None = None,
    ) -> Report:
        """The report with only the findings ``select`` names (finding codes, rule families or
        rules; all when empty), less those ``ignore`` names, less those already in ``baseline``
        (an earlier report, or its JSON read back): see :mod:`tip_indicators.selection`."""
        keep = selection_mask(self._findings, select, ignore)
        if baseline is not None:
            known = baseline if not isinstance(baseline, Report) else _json_keys(baseline)
            keep = keep & baseline_mask(self._findings, known)
        return attrs.evolve(self, findings=self._findings.where(keep))

    def to_polars(
        self, explode: Literal["observations", "suggestions"] | None = None
    ) -> pl.DataFrame:
        """The findings as a polars frame, one row per finding (or, with ``explode``, per cited
        figure or per suggestion): the JSON report's fields as columns, to filter and to join
        back to the input rows (see :mod:`tip_indicators.findings.frame`)."""
        return findings_frame(self._findings, frames=frame_paths(self.inputs), explode=explode)

    def to_pandas(self, explode: Literal["observations", "suggestions"] | None = None) -> Any:
        """:meth:`to_polars` as a pandas frame (needs pandas and pyarrow: the ``frames``
        extra)."""
        return self.to_polars(explode).to_pandas()

    @property
    def table(self) -> FindingTable:
        """Every finding as a row of one table, in order."""
        return self._findings

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding, in the stable order of a report (file, line, severity, code, message)."""
        return self._findings.findings(frame_paths(self.inputs))

    def count(self, severity: Severity) -> int:
        """How many findings have ``severity``."""
        return self._findings.severities()[severity]

    @property
    def errors(self) -> int:
        """Number of error findings."""
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warning findings."""
        return self.count(Severity.WARNING)

    @property
    def infos(self) -> int:
        """Number of info findings."""
        return self.count(Severity.INFO)

    def failed(self, fail_on: Severity = Severity.ERROR) -> bool:
        """Whether any finding is at least as severe as ``fail_on`` (what makes CI fail)."""
        return any(self.count(severity) for severity in Severity if severity.rank <= fail_on.rank)
