"""``tip-indicators suppress``: write a dataset with its small counts withheld, and the cells
that would give them away."""

from __future__ import annotations

import argparse
import sys

from tip_indicators.cli._shared import (
    Commands,
    add_profile_argument,
    count,
    profile_from,
    run_inputs,
)

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``suppress`` and its options to the program's subcommands."""
    suppress = commands.add_parser(
        "suppress", help="withhold small counts and the cells that would give them away"
    )
    suppress.add_argument("path", metavar="DATASET", help="a long-CSV or dataset file")
    suppress.add_argument(
        "--threshold", type=count, default=5, help="withhold counts below this (default: 5)"
    )
    suppress.add_argument(
        "--width",
        type=count,
        default=None,
        help="possible values each withheld cell must keep (default: the threshold)",
    )
    suppress.add_argument("--zeros", action="store_true", help="withhold zero counts too")
    suppress.add_argument(
        "--objective",
        choices=["cells", "value"],
        default="cells",
        help="withhold the fewest further cells, or the least total value (default: cells)",
    )
    suppress.add_argument(
        "--style",
        choices=["censored", "missing"],
        default="censored",
        help="write small counts as <5, or every withheld cell as an empty value with status Q",
    )
    suppress.add_argument("-o", "--output", help="write the long CSV here (default: stdout)")
    add_profile_argument(suppress)
    suppress.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the dataset with small counts and their giveaways withheld."""
    from tip_indicators.findings import Severity
    from tip_indicators.io.longcsv import write_long_csv
    from tip_indicators.io.readers import read_dataset
    from tip_indicators.render.text import report_text
    from tip_indicators.report import Report
    from tip_indicators.suppression import suppress as withhold

    profile = profile_from(args)
    dataset = read_dataset(args.path, catalogue=profile.catalogue)
    unusable = [p for p in dataset.problems if p.severity is Severity.ERROR]
    if unusable:
        sys.stderr.write(report_text(Report(findings=tuple(unusable), inputs=dataset.inputs)))
        sys.stderr.write("tip-indicators: nothing written: fix the rows above first\n")
        return 1
    result = withhold(
        dataset,
        threshold=args.threshold,
        width=args.width,
        zeros=args.zeros,
        objective=args.objective,
        style=args.style,
        profile=profile,
    )
    if args.output is None:
        write_long_csv(result.dataset, sys.stdout)
    else:
        write_long_csv(result.dataset, args.output, inputs=run_inputs(args, [args.path], dataset))
    sys.stderr.write(result.summary() + "\n")
    return 1 if result.unprotected.height else 0
