"""``tip-indicators rollup``: sum the submissions of several reporters into one reporter's figures
and say how complete the sum is."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from tip_indicators._private.safetext import shown
from tip_indicators.cli._shared import (
    Commands,
    add_profile_argument,
    emit,
    profile_from,
    read_all,
    run_inputs,
)

if TYPE_CHECKING:
    import polars as pl

    from tip_indicators.rollup import RollUp

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``rollup`` and its options to the program's subcommands."""
    rollup = commands.add_parser(
        "rollup", help="sum submissions of several reporters into one reporter's figures"
    )
    rollup.add_argument("paths", nargs="+", metavar="DATASET")
    rollup.add_argument("--into", required=True, metavar="REPORTER", help="the national reporter")
    rollup.add_argument(
        "--expected", metavar="CODES", help="comma-separated reporters a complete roll-up needs"
    )
    rollup.add_argument("-o", "--output", metavar="FILE", help="write the roll-up as long CSV")
    rollup.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="the summary for people, or as JSON (completeness of every figure, findings)",
    )
    add_profile_argument(rollup)
    rollup.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Roll submissions up into ``--into``; print completeness and the national comparison."""
    from tip_indicators.datasets import Dataset
    from tip_indicators.io.longcsv import write_long_csv
    from tip_indicators.rollup import roll_up

    profile = profile_from(args)
    dataset = Dataset.combine(read_all(args.paths, profile))
    expected = [c.strip() for c in args.expected.split(",")] if args.expected else None
    if expected is None and profile.reporters:
        expected = sorted(r for r in profile.reporters if r != args.into)
    result = roll_up(dataset, into=args.into, expected=expected, catalogue=profile.catalogue)
    if args.output:
        write_long_csv(result.dataset, args.output, inputs=run_inputs(args, args.paths, dataset))
    if args.format == "json":
        emit(json.dumps(_rollup_data(result, args.into), indent=2, ensure_ascii=False) + "\n", None)
    else:
        emit(_rollup_text(result, args.into), None)
    return 1 if result.findings else 0


def _named(completeness: pl.DataFrame, column: str) -> list[str]:
    return sorted(set(completeness.get_column(column).explode().drop_nulls()))


def _rollup_text(result: RollUp, into: str) -> str:
    """The roll-up's summary for people: who was summed, who is missing and why."""
    table = result.completeness
    missing, omitted = _named(table, "missing"), _named(table, "omitted")
    lines = [
        f"{result.dataset.observations.height} figures rolled up into {into} from "
        f"{len(_named(table, 'reporters'))} reporters",
        f"missing reporters: {', '.join(missing) if missing else 'none'}",
    ]
    if cannot := _named(table, "cannot_exist"):
        lines.append(f"figures that cannot exist (M, adding nothing): {', '.join(cannot)}")
    if omitted:
        lines.append(
            f"breakdowns not given by: {', '.join(omitted)} (the figures' notes say which)"
        )
    if result.left_out:
        lines.append(f"left out (not in the roll-up): {', '.join(result.left_out)}")
    if result.skipped:
        lines.append(f"not summed (not additive): {', '.join(result.skipped)}")
    lines += [f"error: {f.location}: {f.message} [{f.code}]" for f in result.findings]
    return "\n".join(shown(line) for line in lines) + "\n"


def _rollup_data(result: RollUp, into: str) -> dict[str, Any]:
    """The roll-up as JSON-ready data: each summed figure's completeness, and the findings."""
    import polars as pl

    from tip_indicators.render.json import report_data
    from tip_indicators.report import Report

    rows = result.completeness.with_columns(
        pl.col(c).fill_null("_T") for c in result.dataset.dimensions
    )
    return {
        "into": into,
        "figures": result.dataset.observations.height,
        "complete": not _named(rows, "missing"),
        "breakdowns_complete": not _named(rows, "omitted"),
        "left_out": list(result.left_out),
        "not_additive": list(result.skipped),
        "completeness": rows.to_dicts(),
        "findings": report_data(Report(result.findings))["findings"],
    }
