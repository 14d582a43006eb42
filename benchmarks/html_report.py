"""How large the HTML report of 10,000 findings is, how long it takes to write and to open.

``python benchmarks/html_report.py [--size N] [--findings N] [--rows-per-code N] [--repeat N]``
makes findings-heavy data with ``generate_heavy.py`` (about ``--size`` observations, which give
about one finding per nine), checks it, keeps the first ``--findings`` findings, and prints the
page's size in bytes, the time ``report_html`` takes to write it with at most
``--rows-per-code`` rows per code (median of ``--repeat`` runs), and the time headless Chromium
takes from navigating to the page's load event (median too). Needs ``chromium`` on PATH; the
page is left in ``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from generate_heavy import write_heavy

from tip_indicators.check import check
from tip_indicators.findings import FindingTable
from tip_indicators.io.readers import read_dataset
from tip_indicators.render.html import report_html
from tip_indicators.report import Report

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from browser import Browser  # noqa: E402  (the tests' DevTools driver, found on the path above)


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=90_000, help="observations to generate")
    parser.add_argument("--findings", type=int, default=10_000, help="findings to keep")
    parser.add_argument("--rows-per-code", type=int, default=200, help="rows a section shows")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2010)
    args = parser.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    data = out / f"html-heavy-{args.size}.csv"
    if not data.exists():
        write_heavy(args.size, args.seed, str(data))
    dataset = read_dataset(data)
    checked = check(dataset)
    if len(checked.table) < args.findings:
        raise SystemExit(f"{len(checked.table)} findings only: raise --size")
    table = checked.table
    kept = FindingTable(table.rows.head(args.findings), table.figures, table.dimensions)
    report = Report(
        kept,
        inputs=checked.inputs,
        observations=checked.observations,
        rules_evaluated=checked.rules_evaluated,
        not_evaluated=checked.not_evaluated,
        profile=checked.profile,
    )
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        page = report_html(report, dataset=dataset, rows_per_code=args.rows_per_code)
        times.append(time.perf_counter() - start)
    path = out / f"html-report-{args.findings}-{args.rows_per_code}.html"
    path.write_text(page, encoding="utf-8")
    loads = []
    with Browser() as browser:
        for _ in range(args.repeat):
            loads.append(browser.load(path))
        rows = browser.evaluate("document.querySelectorAll('table.findings tbody tr').length")
        errors = list(browser.errors)
    print(f"observations: {len(dataset):,}; findings: {len(report.table):,}")
    print(f"html size: {os.path.getsize(path):,} bytes ({rows:,} finding rows on the page)")
    print(f"render (report_html): {statistics.median(times):.3f} s median of {args.repeat}")
    print(f"chromium load: {statistics.median(loads):.3f} s median of {args.repeat}")
    print(f"console errors: {len(errors)}")


if __name__ == "__main__":
    main()
