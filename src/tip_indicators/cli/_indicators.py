"""``tip-indicators indicators``: compute the derived indicators (shares, rates, changes, ratios)
of the datasets and print or write them."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from typing import Any

from tip_indicators.cli._shared import (
    Commands,
    add_profile_argument,
    emit,
    profile_from,
    read_all,
    run_inputs,
)

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``indicators`` and its options to the program's subcommands."""
    indicators = commands.add_parser(
        "indicators", help="compute derived indicators (shares, rates, changes, ratios)"
    )
    indicators.add_argument("paths", nargs="+", metavar="DATASET")
    indicators.add_argument("--population", metavar="FILE", help="population table for rates")
    indicators.add_argument("--format", choices=["text", "csv", "json"], default="text")
    indicators.add_argument("-o", "--output", metavar="FILE")
    add_profile_argument(indicators)
    indicators.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print or write the derived indicators of the datasets."""
    from tip_indicators.datasets import Dataset
    from tip_indicators.derived import derive_indicators, read_population

    profile = profile_from(args)
    dataset = Dataset.combine(read_all(args.paths, profile))
    population = (
        read_population(args.population, catalogue=profile.catalogue) if args.population else None
    )
    frame = derive_indicators(dataset, population=population, catalogue=profile.catalogue)
    if args.format == "csv":
        from tip_indicators._private.cells import escape_columns

        text = escape_columns(frame).write_csv()
    elif args.format == "json":
        text = json.dumps(frame.to_dicts(), indent=2, ensure_ascii=False) + "\n"
    else:
        lines = [
            f"{row['derived']} {row['indicator']}{_breakdown_label(row, dataset.dimensions)} "
            f"{row['period']} {row['reporter']}: "
            f"{row['value']:g} {row['unit']} = {row['formula']}  ({row['inputs']})"
            for row in frame.iter_rows(named=True)
        ]
        text = "\n".join(lines) + (
            "\n" if lines else "no derived indicator: the inputs lack the figures they need\n"
        )
    emit(text, args.output, inputs=run_inputs(args, [*args.paths, args.population], dataset))
    return 0


def _breakdown_label(row: dict[str, Any], dimensions: Iterable[str]) -> str:
    """``[sex=F]`` for a derived figure broken down by sex; nothing for a total."""
    codes = ",".join(f"{d}={row[d]}" for d in dimensions if row.get(d, "_T") != "_T")
    return f"[{codes}]" if codes else ""
