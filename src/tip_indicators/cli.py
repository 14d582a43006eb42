"""The ``tip-indicators`` command line: validate datasets, show the catalogue.

Exit status: 0 when no finding reaches the failure severity, 1 when one does, 2 when an input
cannot be read or the command is misused. Errors are one line on standard error, never a
traceback (set ``TIP_INDICATORS_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from tip_indicators._version import __version__
from tip_indicators.errors import TipIndicatorsError

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tip-indicators", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"tip-indicators {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    validate = commands.add_parser("validate", help="check datasets and report findings")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="long-CSV or dataset files")
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument(
        "--fail-on",
        choices=["error", "warning", "info"],
        default="error",
        help="the least severe finding that makes the exit status 1 (default: error)",
    )
    validate.add_argument("-o", "--output", help="write the report to this file")

    catalogue = commands.add_parser("catalogue", help="list indicators and codelists")
    catalogue.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def _validate(args: argparse.Namespace) -> int:
    from tip_indicators.check import check
    from tip_indicators.datasets import Dataset
    from tip_indicators.findings import Severity
    from tip_indicators.io.readers import read_dataset
    from tip_indicators.render import report_json, report_text

    dataset = Dataset.combine(read_dataset(path) for path in args.paths)
    report = check(dataset)
    if args.format == "json":
        text = report_json(report) + "\n"
    else:
        colour = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = report_text(report, colour=colour)
    _emit(text, args.output)
    return EXIT_FINDINGS if report.failed(Severity(args.fail_on)) else EXIT_OK


def _catalogue(args: argparse.Namespace) -> int:
    from tip_indicators.catalogue_export import catalogue_document, catalogue_text

    if args.format == "json":
        _emit(json.dumps(catalogue_document(), indent=2, ensure_ascii=False) + "\n", None)
    else:
        _emit(catalogue_text(), None)
    return EXIT_OK


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise TipIndicatorsError(f"{output}: cannot write: {error.strerror or error}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"validate": _validate, "catalogue": _catalogue}
    try:
        return handlers[args.command](args)
    except TipIndicatorsError as error:
        sys.stderr.write(f"tip-indicators: {error}\n")
        return EXIT_INPUT
    except Exception as error:
        if os.environ.get("TIP_INDICATORS_DEBUG"):
            raise
        sys.stderr.write(f"tip-indicators: internal error: {type(error).__name__}: {error}\n")
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
