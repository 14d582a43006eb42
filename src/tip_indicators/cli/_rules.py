"""``tip-indicators rules``: list the checks a profile implies, or write them as a VTL 2.x
script."""

from __future__ import annotations

import argparse

from tip_indicators.cli._shared import (
    Commands,
    add_profile_argument,
    emit,
    profile_from,
)

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``rules`` and its options to the program's subcommands."""
    rules = commands.add_parser(
        "rules",
        help="list the profile's checks, or write them as a VTL 2.x script",
        description="List the checks the profile implies (text), or write them as a VTL 2.x "
        "script (vtl) that an SDMX validation engine can run; its comments say what VTL cannot "
        "express and how the script approximates it.",
    )
    rules.add_argument("--format", choices=["text", "vtl"], default="text")
    rules.add_argument("-o", "--output", metavar="FILE", help="write to FILE")
    add_profile_argument(rules)
    rules.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the profile's checks, as text or as a VTL script."""
    from tip_indicators.rules import default_rules

    profile = profile_from(args)
    if args.format == "vtl":
        from tip_indicators.vtl import vtl_script

        emit(vtl_script(profile), args.output)
        return 0
    lines = []
    for rule in default_rules(profile):
        lines += [
            f"{rule.name} [{rule.family.value}, {rule.severity.value}]: {rule.description}",
            f"    grouping: {rule.grouping}; missing data: {rule.missing}",
        ]
    lines += [
        f"{rule.name} [profile, {rule.severity}]: {rule.expression}" for rule in profile.rules
    ]
    emit("\n".join(lines) + "\n", args.output)
    return 0
