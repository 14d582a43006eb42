"""``tip-indicators template``: write the xlsx data-entry workbook of a profile for member
organisations to fill in."""

from __future__ import annotations

import argparse

from tip_indicators.cli._shared import (
    Commands,
    add_profile_argument,
    profile_from,
)

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``template`` and its options to the program's subcommands."""
    template = commands.add_parser(
        "template", help="write an xlsx data-entry template for member organisations"
    )
    template.add_argument("-o", "--output", metavar="FILE", required=True)
    add_profile_argument(template)
    template.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the data-entry workbook of the profile."""
    from tip_indicators.io.template import write_template

    write_template(profile_from(args) if args.profile else None, args.output, inputs=[args.profile])
    return 0
