"""``tip-indicators reconcile``: compare organisations' mirror figures, and two sources or two
vintages of the same figures."""

from __future__ import annotations

import argparse
import sys

from tip_indicators.cli._shared import (
    Commands,
    add_profile_argument,
    profile_from,
    read_all,
)
from tip_indicators.errors import InputError

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``reconcile`` and its options to the program's subcommands."""
    reconcile = commands.add_parser(
        "reconcile",
        help="compare organisations (mirror figures), sources and vintages",
        description="Check mirror figures across all inputs; with --vintages compare the first "
        "input (old) with the second (new); with --pair A=B compare reporter A of the first "
        "input with reporter B of the second.",
    )
    reconcile.add_argument("paths", nargs="+", metavar="DATASET")
    reconcile.add_argument("--vintages", action="store_true", help="the inputs are two vintages")
    reconcile.add_argument("--pair", action="append", default=[], metavar="A=B")
    reconcile.add_argument(
        "--tolerance", type=float, default=0.1, help="relative tolerance (default 0.1 = 10%%)"
    )
    reconcile.add_argument("--format", choices=["text", "json"], default="text")
    add_profile_argument(reconcile)
    reconcile.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Mirror figures across the inputs, and sources or vintages between the first two."""
    from tip_indicators.reconcile import (
        Revision,
        compare_sources,
        compare_vintages,
        reconcile_mirrors,
    )
    from tip_indicators.render.json import report_json
    from tip_indicators.render.text import report_text
    from tip_indicators.report import Report

    profile = profile_from(args)
    datasets = read_all(args.paths, profile)
    report = reconcile_mirrors(datasets, profile)
    extra = []
    tolerance = Revision(relative=args.tolerance)
    if (args.vintages or args.pair) and len(datasets) != 2:
        raise InputError(args.paths[0], "--vintages and --pair compare exactly two inputs")
    if args.vintages:
        extra += compare_vintages(datasets[0], datasets[1], tolerance)
    if args.pair:
        pairs = dict(item.split("=", 1) for item in args.pair if "=" in item)
        extra += compare_sources(datasets[0], datasets[1], pairs=pairs, tolerance=tolerance)
    findings = tuple(sorted((*report.findings, *extra), key=lambda f: f.sort_key))
    combined = Report(
        findings,
        report.inputs,
        report.observations,
        report.rules_evaluated,
        report.not_evaluated,
        report.profile,
        evaluations=report.evaluations,
    )
    text = report_json(combined) + "\n" if args.format == "json" else report_text(combined)
    sys.stdout.write(text)
    return 1 if combined.failed() else 0
