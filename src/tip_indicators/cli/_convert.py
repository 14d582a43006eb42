"""``tip-indicators convert``: read a dataset in one format and write it in another; nothing is
written when rows cannot be read."""

from __future__ import annotations

import argparse

from tip_indicators.cli._shared import (
    Commands,
    add_profile_argument,
    print_problems,
    profile_from,
    run_inputs,
)
from tip_indicators.errors import InputError

__all__ = ["add_parser", "run"]

OUTPUT_FORMATS = ("long-csv", "document", "sdmx-csv", "sdmx-ml", "excel")


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``convert`` and its options to the program's subcommands."""
    convert = commands.add_parser(
        "convert",
        help="convert a dataset between long CSV, YAML/JSON, SDMX-CSV, SDMX-ML and xlsx",
        description="Convert a dataset; the output format follows OUT's extension (.csv long "
        "CSV, .sdmx.csv SDMX-CSV, .xml SDMX-ML, .yaml/.yml/.json document, .xlsx workbook) "
        "unless --to says otherwise. Nothing is "
        "written when rows cannot be read: their findings are printed and the exit status is 1.",
    )
    convert.add_argument("source", metavar="IN")
    convert.add_argument("target", metavar="OUT")
    convert.add_argument("--from", dest="input_format", help="input format (default: detected)")
    convert.add_argument("--to", dest="output_format", choices=OUTPUT_FORMATS)
    convert.add_argument(
        "--mapping",
        metavar="FILE",
        help="read IN as another organisation's SDMX-CSV through this mapping (YAML)",
    )
    add_profile_argument(convert)
    convert.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read IN and write it as OUT in the chosen format."""
    from tip_indicators.io.readers import read_dataset

    profile = profile_from(args)
    if args.mapping:
        from tip_indicators.io.sdmx_mapping import load_mapping, read_mapped_sdmx

        mapping = load_mapping(args.mapping)
        dataset = read_mapped_sdmx(args.source, mapping, catalogue=profile.catalogue)
    else:
        dataset = read_dataset(
            args.source, input_format=args.input_format, catalogue=profile.catalogue
        )
    if print_problems(dataset):
        return 1
    target = args.target
    chosen = args.output_format or _format_of(target)
    inputs = run_inputs(args, [args.source], dataset)
    if chosen == "long-csv":
        from tip_indicators.io.longcsv import write_long_csv

        write_long_csv(dataset, target, inputs=inputs)
    elif chosen == "document":
        from tip_indicators.io.document import write_document

        write_document(dataset, target, inputs=inputs)
    elif chosen == "sdmx-csv":
        from tip_indicators.io.sdmx import write_sdmx_csv

        write_sdmx_csv(dataset, target, inputs=inputs)
    elif chosen == "sdmx-ml":
        from tip_indicators.io.sdmx_ml import write_sdmx_ml

        write_sdmx_ml(dataset, target, catalogue=profile.catalogue)
    else:
        from tip_indicators.io.excel import write_excel

        write_excel(dataset, target, inputs=inputs)
    return 0


def _format_of(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".sdmx.csv"):
        return "sdmx-csv"
    if lower.endswith(".csv"):
        return "long-csv"
    if lower.endswith(".xml"):
        return "sdmx-ml"
    if lower.endswith((".yaml", ".yml", ".json")):
        return "document"
    if lower.endswith(".xlsx"):
        return "excel"
    raise InputError(path, "cannot tell the output format from the name: use --to")
