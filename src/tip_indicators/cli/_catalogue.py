"""``tip-indicators catalogue``: list the standard indicators and the codelists, for people or
as JSON."""

from __future__ import annotations

import argparse
import json

from tip_indicators.cli._shared import EXIT_OK, Commands, emit

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``catalogue`` and its options to the program's subcommands."""
    catalogue = commands.add_parser("catalogue", help="list indicators and codelists")
    catalogue.add_argument("--format", choices=["text", "json"], default="text")
    catalogue.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue."""
    from tip_indicators.catalogue_export import catalogue_document, catalogue_text

    if args.format == "json":
        emit(json.dumps(catalogue_document(), indent=2, ensure_ascii=False) + "\n", None)
    else:
        emit(catalogue_text(), None)
    return EXIT_OK
