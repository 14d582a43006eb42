"""``tip-indicators aggregate``: read and check case-record files, count them into indicator
figures (long CSV), and report every finding."""

from __future__ import annotations

import argparse
import io
import os
import sys

from tip_indicators._private.safetext import file_name
from tip_indicators.cli._shared import Commands, add_fail_on_argument, emit
from tip_indicators.findings import Severity

__all__ = ["add_parser", "run"]


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``aggregate`` to the program's subcommands; its options are built only when it is
    the ``command`` run, since describing them loads the case-record modules."""
    aggregate = commands.add_parser(
        "aggregate", help="count case records into indicator figures (long CSV) and check them"
    )
    if command == "aggregate":
        _add_arguments(aggregate)
    aggregate.set_defaults(handler=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``tip-indicators aggregate`` to ``parser``."""
    from tip_indicators.cases import DEFAULT_BANDS
    from tip_indicators.cases._aggregate import INTAKE

    parser.add_argument("paths", nargs="+", metavar="CASES", help="case-record CSV files")
    parser.add_argument(
        "--layout",
        choices=["auto", "htcds", "ctdc"],
        default="auto",
        help="the files' layout (default: told by the header)",
    )
    parser.add_argument(
        "--by",
        default="",
        help="comma-separated breakdowns: sex, age, nationality (or citizenship), country, "
        "exploitation, destination, referrer",
    )
    parser.add_argument(
        "--bands",
        default=",".join(DEFAULT_BANDS),
        help="comma-separated age bands: codes (Y_LT15) or CTDC labels (9--17); they must "
        f"partition all ages (default: {','.join(DEFAULT_BANDS)})",
    )
    parser.add_argument(
        "--indicator",
        default="victims_identified",
        help=f"the indicator counted (default victims_identified; {INTAKE} for intake records)",
    )
    parser.add_argument(
        "--reporter", help="count every record under this reporter (a coalition's roll-up)"
    )
    parser.add_argument(
        "--ctdc-reporter", default="CTDC", help="reporter of CTDC-layout files (default: CTDC)"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text", help="report format")
    add_fail_on_argument(parser)
    parser.add_argument(
        "-o", "--output", help="write the aggregates here as long CSV (default: standard output)"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``tip-indicators aggregate``: read, check and aggregate case files, then report.

    The aggregates go to ``--output`` (long CSV) or standard output; the report of every finding
    (reading, record checks, aggregation, and the aggregate checks) goes to standard output when
    ``--output`` is given, else to standard error. Returns 1 when a finding reaches
    ``--fail-on``, else 0; an unreadable input or a bad option raises a TipIndicatorsError.
    """
    import attrs
    import polars as pl

    from tip_indicators.cases import aggregate
    from tip_indicators.check import check
    from tip_indicators.io.cases import read_cases
    from tip_indicators.io.longcsv import write_long_csv
    from tip_indicators.render import report_json, report_text

    by = [item for item in args.by.split(",") if item.strip()]
    bands = [item for item in args.bands.split(",") if item.strip()]
    files = [
        read_cases(p, layout=args.layout, ctdc_reporter=args.ctdc_reporter) for p in args.paths
    ]
    records = pl.concat([item.records for item in files], how="vertical")
    target = file_name(args.output) if args.output else "<stdout>"
    dataset = aggregate(
        records,
        by,
        bands,
        indicator=args.indicator,
        reporter=args.reporter,
        path=target,
        source=f"case records: {', '.join(file_name(os.path.basename(p)) for p in args.paths)}",
        inputs=[item.input for item in files],
    )
    reading = [item.finding_table for item in files]
    dataset = attrs.evolve(dataset, problems=[*reading, dataset.problem_table])
    report = check(dataset)
    if args.output is None:
        table = io.StringIO()
        write_long_csv(dataset, table)
        emit(table.getvalue(), None)
    else:
        write_long_csv(dataset, args.output, inputs=args.paths)
    text = report_json(report) + "\n" if args.format == "json" else report_text(report)
    if args.output is not None:
        emit(text, None)
    else:
        # Standard error in an encoding it can show: a file name need not be UTF-8.
        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        sys.stderr.write(text.encode(encoding, "backslashreplace").decode(encoding))
    return 1 if report.failed(Severity(args.fail_on)) else 0
