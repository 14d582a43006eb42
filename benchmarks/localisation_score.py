"""How well the suggestions of a check give back the figures the benchmark generator corrupted.

``generate.py`` writes, beside each data file, the cells it changed (``obs-<size>.cells.csv``:
the group, the kind of corruption, the line, the value written and the original). This script
checks the data file with the tool (``tip-indicators validate FILE --format json``, or reads a
report given with ``--report``) and, for each changed cell, looks at the error findings that
cite its line:

- ``detected``: an error cites the changed figure;
- ``among``: a suggestion names the changed figure;
- ``original``: a suggestion names it with its original value;
- ``first``: the first suggestion of the first of those findings (report order) names it;
- ``first original``: and gives back the original value;
- ``tied``: that first suggestion says several figures are equally likely (the rules cannot
  tell the culprit apart), and ``first, told apart``: the first names it, among those not tied.

Counts are given for all changed cells, by kind of corruption, for parts and totals, and by the
code of the finding. ``python benchmarks/localisation_score.py --size 100k``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ("detected", "among", "original", "first", "first original", "tied")


def _run(data: str, report: str) -> None:
    """Check ``data`` with the tool in this interpreter's environment."""
    code = "import sys; from tip_indicators.cli import main; sys.exit(main(sys.argv[1:]))"
    subprocess.run(
        [sys.executable, "-c", code, "validate", data, "--format", "json", "-o", report],
        check=False,
    )


def _line(item: dict[str, Any]) -> int | None:
    location = item.get("location") or {}
    line = location.get("line")
    return int(line) if line is not None else None


def findings_by_line(report_path: str, severities: set[str]) -> dict[int, list[dict[str, Any]]]:
    """The findings of ``severities`` in a JSON report, by each line their figures stand on."""
    with open(report_path, encoding="utf-8") as handle:
        findings = json.load(handle)["findings"]
    by_line: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        if finding["severity"] not in severities:
            continue
        for line in {_line(o) for o in finding.get("observations", [])}:
            if line is not None:
                by_line[line].append(finding)
    return by_line


def judged(cited: list[dict[str, Any]], line: int, original: str) -> dict[str, bool]:
    """How the findings ``cited`` by a changed figure's line fare (:data:`COLUMNS`)."""
    named = [s for f in cited for s in f.get("suggestions", []) if _line(s) == line]
    first_finding = next((f for f in cited if f.get("suggestions")), None)
    first = first_finding["suggestions"][0] if first_finding else None
    return {
        "detected": bool(cited),
        "among": bool(named),
        "original": any(_same(s["value"], original) for s in named),
        "first": first is not None and _line(first) == line,
        "first original": first is not None
        and _line(first) == line
        and _same(first["value"], original),
        "tied": first is not None and "equally likely" in first["reason"],
        "suggested": first is not None,
    }


def tally(table: dict[str, Counter[str]], rows: list[str], outcome: dict[str, bool]) -> None:
    """Add one changed figure's outcome to each of ``rows``; ``told apart`` counts the figures
    whose finding picks one (it has suggestions and does not say they are tied)."""
    for row in rows:
        table[row]["cells"] += 1
        for column in COLUMNS:
            table[row][column] += int(outcome[column])
        if outcome["suggested"] and not outcome["tied"]:
            table[row]["told apart"] += 1
            table[row]["first, told apart"] += int(outcome["first"])


def _same(value: str, original: str) -> bool:
    try:
        return float(value.replace(",", "")) == float(original)
    except ValueError:
        return value == original


def score(cells_path: str, report_path: str) -> dict[str, Counter[str]]:
    """The counts of :data:`COLUMNS` (and ``cells``, ``told apart``, ``first, told apart``)
    per row of the table: ``all``, each kind, ``parts``, ``totals`` and each finding code."""
    by_line = findings_by_line(report_path, {"error"})
    table: dict[str, Counter[str]] = defaultdict(Counter)
    with open(cells_path, encoding="utf-8", newline="") as handle:
        for cell in csv.DictReader(handle):
            line, kind = int(cell["line"]), cell["corruption"]
            cited = by_line.get(line, [])
            rows = ["all", kind, "totals" if kind == "transposed-total" else "parts"]
            if kind == "wrong-change":
                rows[-1] = "changes"
            if cited:
                rows.append(f"code {cited[0]['code']}")
            tally(table, rows, judged(cited, line, cell["original"]))
    return table


def render(
    table: dict[str, Counter[str]],
    *,
    title: str = "cells",
    order: Callable[[str], tuple[object, ...]] = lambda r: (r != "all", r.startswith("code"), r),
    with_base: bool = True,
) -> str:
    """The counts as a Markdown table, rows sorted by ``order``, each count with its share of
    the row's cells (of those told apart for ``first, told apart``), written ``count/base
    (share)`` or, without ``with_base``, ``count (share)``."""
    columns = [*COLUMNS, "first, told apart"]
    lines = [
        f"| {title} | n | " + " | ".join(columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]
    for row in sorted(table, key=order):
        counts = table[row]
        n = counts["cells"]
        cells = []
        for column in columns:
            base = counts["told apart"] if column == "first, told apart" else n
            share = f" ({100 * counts[column] / base:.0f}%)" if base else ""
            cells.append(
                f"{counts[column]}/{base}{share}" if with_base else f"{counts[column]}{share}"
            )
        lines.append(f"| {row} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--data", default=os.path.join(HERE, "out", "data"))
    parser.add_argument("--report", help="a JSON report of the data file (else the tool runs)")
    args = parser.parse_args()
    data = os.path.join(args.data, f"obs-{args.size}.csv")
    cells = os.path.join(args.data, f"obs-{args.size}.cells.csv")
    if not os.path.exists(cells):
        raise SystemExit(f"{cells} is missing: run benchmarks/generate.py --sizes {args.size}")
    if args.report:
        print(render(score(cells, args.report)))
        return
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "report.json")
        _run(data, report)
        print(render(score(cells, report)))


if __name__ == "__main__":
    main()
