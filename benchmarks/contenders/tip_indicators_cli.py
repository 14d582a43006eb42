"""Contender: ``tip-indicators validate FILE --format json -o OUT``, the tool itself.

The runner times only the command (:func:`command`); :func:`flagged_groups` then reads the JSON
report, untimed. A group is flagged by each error-severity finding, as the (indicator, period,
reporter) of the finding's first observation: the figure the rule judges (the total of a sum or
a bound, the stated change or percentage change). The other observations a finding cites are
its evidence, such as the base-year level of a change, which lies in the year before. For the
findings-heavy shapes the runner reads every finding instead (:func:`findings`).

``python benchmarks/contenders/tip_indicators_cli.py DATA GROUPS_OUT`` runs both steps.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import Finding, write_groups


def executable() -> str:
    """The ``tip-indicators`` script beside the running interpreter, else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "tip-indicators")
    if os.path.exists(beside):
        return beside
    found = shutil.which("tip-indicators")
    if found is None:
        raise SystemExit("tip-indicators is not installed")
    return found


def command(data: str, report: str) -> list[str]:
    """The command line the runner times."""
    return [executable(), "validate", data, "--format", "json", "-o", report]


def flagged_groups(report: str) -> set[tuple[str, str, str]]:
    """The groups of the error-severity findings of a JSON report."""
    with open(report, encoding="utf-8") as handle:
        document = json.load(handle)
    groups = set()
    for finding in document["findings"]:
        if finding["severity"] == "error" and finding["observations"]:
            first = finding["observations"][0]
            groups.add((first["indicator"], first["period"], first["reporter"]))
    return groups


def findings(report: str) -> list[Finding]:
    """Every finding of a JSON report as (code, severity, line, message); the line is where
    the finding is located (0 when it has none)."""
    with open(report, encoding="utf-8") as handle:
        document = json.load(handle)
    found = []
    for finding in document["findings"]:
        location = finding.get("location") or {}
        line = location.get("line") or 0
        found.append((finding["code"], finding["severity"], line, finding["message"]))
    return found


def main() -> None:
    data, out = sys.argv[1], sys.argv[2]
    report = out + ".report.json"
    status = subprocess.run(command(data, report), check=False).returncode
    if status not in (0, 1):
        raise SystemExit(f"tip-indicators exited with {status}")
    write_groups(out, flagged_groups(report))


if __name__ == "__main__":
    main()
