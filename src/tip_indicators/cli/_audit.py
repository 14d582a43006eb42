"""``tip-indicators audit-disclosure``: report the withheld cells a reader can work out from the
published figures."""

from __future__ import annotations

import argparse

from tip_indicators.cli._shared import (
    Commands,
    add_fail_on_argument,
    add_profile_argument,
    count,
    emit,
    profile_from,
    run_inputs,
)

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``audit-disclosure`` and its options to the program's subcommands."""
    audit = commands.add_parser(
        "audit-disclosure", help="find withheld cells a reader can work out from the figures"
    )
    audit.add_argument("path", metavar="PUBLISHED", help="a published long-CSV or dataset file")
    audit.add_argument(
        "--width",
        type=count,
        default=None,
        help="possible values each withheld cell must keep (default: the largest <N bound, else 5)",
    )
    audit.add_argument(
        "--stated",
        action="store_true",
        help="take open breakdowns as bounds on their parts, not as adding up",
    )
    audit.add_argument("--format", choices=["text", "json"], default="text")
    add_fail_on_argument(audit)
    audit.add_argument("-o", "--output", help="write the report to this file")
    add_profile_argument(audit)
    audit.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Report withheld cells that the published figures give away."""
    from tip_indicators.findings import Severity
    from tip_indicators.io.readers import read_dataset
    from tip_indicators.render.json import report_json
    from tip_indicators.render.text import report_text
    from tip_indicators.suppression import audit_disclosure as audit

    profile = profile_from(args)
    dataset = read_dataset(args.path, catalogue=profile.catalogue)
    report = audit(dataset, width=args.width, additive=not args.stated, profile=profile).report()
    text = report_json(report) + "\n" if args.format == "json" else report_text(report)
    emit(text, args.output, inputs=run_inputs(args, [args.path], dataset))
    return 1 if report.failed(Severity(args.fail_on)) else 0
