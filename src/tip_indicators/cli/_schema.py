"""``tip-indicators schema``: print the JSON Schema of a dataset, report or profile document, or
write the catalogue as an SDMX structure."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tip_indicators.cli._shared import (
    EXIT_OK,
    Commands,
    add_profile_argument,
    emit,
    profile_from,
)
from tip_indicators.errors import InputError

__all__ = ["SCHEMAS", "add_parser", "run"]

SCHEMAS = ("dataset", "report", "profile", "sdmx")


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``schema`` and its options to the program's subcommands."""
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a dataset or report, or write the SDMX structure",
        description="Print the JSON Schema of a dataset or report document; 'sdmx' writes the "
        "catalogue and codelists as an SDMX 3.0 structure (SDMX-ML and SDMX-JSON) into the "
        "folder -o names (needs the sdmx extra).",
    )
    schema.add_argument("document", choices=SCHEMAS, help="which schema to print or write")
    schema.add_argument(
        "-o", "--output", metavar="PATH", help="write the schema to FILE (sdmx: into a folder)"
    )
    add_profile_argument(schema)
    schema.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the schema asked for."""
    schema: dict[str, Any]
    if args.document == "sdmx":
        from tip_indicators.io.sdmx_structure import write_structure

        if not args.output:
            raise InputError("schema sdmx", "name the folder to write into with -o DIR")
        written = write_structure(args.output, profile_from(args).catalogue)
        emit("".join(f"wrote {path}\n" for path in written), None)
        return EXIT_OK
    if args.document == "dataset":
        from tip_indicators.io.document import dataset_schema

        schema = dataset_schema()
    elif args.document == "profile":
        from tip_indicators.profiles import profile_schema

        schema = profile_schema()
    else:
        from tip_indicators.render.json import report_schema

        schema = report_schema()
    emit(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", args.output)
    return EXIT_OK
