"""The tip-indicators command line: validate datasets, aggregate case records, print schemas.

Exit status: 0 when no finding reaches the failure severity, 1 when one does, 2 when an input
cannot be read or the command is misused. Errors are one line on standard error, never a
traceback (set ``TIP_INDICATORS_DEBUG=1`` to see one). The renderers, writers and schemas are
imported by the command that needs them. ``main`` changes nothing about the process it runs in;
the ``tip-indicators`` program (``tip_indicators_launcher``, beside the package) sets the
process up around it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from tip_indicators._private.commands import (
    HANDLERS,
    add_arguments,
    add_fail_on_argument,
    add_profile_argument,
    emit,
)
from tip_indicators._private.safetext import shown
from tip_indicators._version import __version__
from tip_indicators.errors import InputError, TipIndicatorsError

if TYPE_CHECKING:
    from tip_indicators._private.textfile import ReadLimits
    from tip_indicators.datasets import Dataset
    from tip_indicators.indicators import Catalogue
    from tip_indicators.report import Report

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
REPORT_FORMATS = ("text", "json", "junit", "sarif", "github")
INPUT_FORMATS = ("long-csv", "document", "sdmx-csv", "glotip", "excel")
INPUT_SUFFIXES = (".csv", ".yaml", ".yml", ".json", ".xlsx")
SCHEMAS = ("dataset", "report")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; the options of ``command`` only are built when they need imports."""
    parser = _Parser(prog="tip-indicators", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"tip-indicators {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    validate = commands.add_parser(
        "validate",
        help="check datasets and report findings",
        description="Check datasets and report findings. A folder is searched recursively for "
        f"{', '.join(INPUT_SUFFIXES)} files; all inputs are checked together.",
    )
    validate.add_argument(
        "paths", nargs="+", metavar="PATH", help="long-CSV files, dataset documents or folders"
    )
    validate.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default="text",
        help="text for people, json, junit (XML), sarif (2.1.0) or github (workflow commands)",
    )
    add_fail_on_argument(validate)
    validate.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        help="read every input in this format (default: chosen by name and content)",
    )
    validate.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    add_profile_argument(validate)
    validate.add_argument(
        "--allow-folder",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder besides its own whose files a dataset document may name (repeatable)",
    )
    validate.add_argument(
        "--max-file-size", type=int, metavar="BYTES", help="refuse larger inputs (default: 2 GiB)"
    )
    validate.add_argument(
        "--max-field-size",
        type=int,
        metavar="BYTES",
        help="refuse longer fields (default: 1 MiB)",
    )

    catalogue = commands.add_parser("catalogue", help="list indicators and codelists")
    catalogue.add_argument("--format", choices=["text", "json"], default="text")

    aggregate = commands.add_parser(
        "aggregate", help="count case records into indicator figures (long CSV) and check them"
    )
    if command == "aggregate":
        from tip_indicators._private.case_command import add_aggregate_arguments

        add_aggregate_arguments(aggregate)

    add_arguments(commands)

    schema = commands.add_parser("schema", help="print the JSON Schema of a dataset or report")
    schema.add_argument("document", choices=SCHEMAS, help="which document's schema to print")
    schema.add_argument("-o", "--output", metavar="FILE", help="write the schema to FILE")
    return parser


def _inputs(paths: Iterable[str]) -> list[str]:
    """The files to read: named files as given, folders expanded; each real file once."""
    found: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            files = _walk(path)
            if not files:
                listed = ", ".join(INPUT_SUFFIXES)
                raise InputError(path, f"the folder holds no input file ({listed})")
        elif os.path.lexists(path):
            files = [path]
        else:
            raise InputError(path, "no such file or folder")
        for file in files:
            real = os.path.realpath(file)
            if real not in seen:
                seen.add(real)
                found.append(file)
    return found


def _walk(folder: str) -> list[str]:
    """Input files under ``folder`` in sorted order, skipping hidden entries.

    Symbolic links to folders are followed, but a folder already visited (by any path) is not
    entered again, so a link back to an ancestor cannot loop.
    """

    def refuse(error: OSError) -> NoReturn:
        raise InputError(error.filename or folder, f"cannot list: {error.strerror or error}")

    visited: set[tuple[int, int]] = set()
    found: list[tuple[tuple[str, ...], str]] = []
    for current, folders, files in os.walk(folder, onerror=refuse, followlinks=True):
        try:
            status = os.stat(current)
        except OSError as error:
            refuse(error)
        identity = (status.st_dev, status.st_ino)
        if identity in visited:
            folders.clear()
            continue
        visited.add(identity)
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        relative = os.path.relpath(current, folder)
        parts = () if relative == os.curdir else tuple(relative.split(os.sep))
        found.extend(
            ((*parts, name), os.path.join(current, name))
            for name in files
            if not name.startswith(".") and name.lower().endswith(INPUT_SUFFIXES)
        )
    return [path for _, path in sorted(found)]


def _read(
    paths: Sequence[str],
    input_format: str | None,
    catalogue: Catalogue,
    limits: ReadLimits | None = None,
    allow_folders: Sequence[str] = (),
) -> Dataset:
    """Read every input; a long-CSV file that a dataset document already includes is not read
    twice (checking a folder that holds both would otherwise duplicate every figure)."""
    from tip_indicators.datasets import Dataset
    from tip_indicators.io.readers import detect_format, read_dataset

    formats = {path: input_format or detect_format(path) for path in paths}
    read: dict[str, Dataset] = {}
    included: set[str] = set()
    for path in paths:
        if formats[path] == "document":
            dataset = read_dataset(
                path,
                input_format="document",
                catalogue=catalogue,
                limits=limits,
                allow_folders=allow_folders,
            )
            read[path] = dataset
            own = os.path.realpath(path)
            included.update(os.path.realpath(item.path) for item in dataset.inputs)
            included.discard(own)
    for path in paths:
        if path not in read and os.path.realpath(path) not in included:
            read[path] = read_dataset(
                path, input_format=formats[path], catalogue=catalogue, limits=limits
            )
    return Dataset.combine(read[path] for path in paths if path in read)


def _render(report: Report, form: str, fail_on: str, *, colour: bool) -> str | Iterable[str]:
    from tip_indicators.findings import Severity

    if form == "json":
        from tip_indicators.render.json import report_json_pieces

        return report_json_pieces(report)
    if form == "junit":
        from tip_indicators.render.junit import report_junit

        return report_junit(report, fail_on=Severity(fail_on))
    if form == "sarif":
        from tip_indicators.render.sarif import report_sarif

        return report_sarif(report)
    if form == "github":
        from tip_indicators.render.github import report_github

        return report_github(report)
    from tip_indicators.render.text import report_text

    return report_text(report, colour=colour)


def _validate(args: argparse.Namespace) -> int:
    from tip_indicators._private.commands import profile_from
    from tip_indicators.check import check
    from tip_indicators.findings import Severity

    limits = _limits(args)
    paths = _inputs(args.paths)
    profile = profile_from(args)
    dataset = _read(paths, args.input_format, profile.catalogue, limits, args.allow_folder)
    report = check(dataset, profile)
    colour = (
        args.format == "text"
        and args.output is None
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
    )
    # JSON documents end in a line break, written apart: the report may be tens of megabytes.
    end = "\n" if args.format in {"json", "sarif"} else ""
    inputs = [*paths, *(item.path for item in report.inputs), args.profile]
    emit(
        _render(report, args.format, args.fail_on, colour=colour),
        args.output,
        end=end,
        inputs=inputs,
    )
    return EXIT_FINDINGS if report.failed(Severity(args.fail_on)) else EXIT_OK


def _limits(args: argparse.Namespace) -> ReadLimits:
    from tip_indicators._private.textfile import ReadLimits

    defaults = ReadLimits()
    sizes = {"--max-file-size": args.max_file_size, "--max-field-size": args.max_field_size}
    for option, size in sizes.items():
        if size is not None and size < 1:
            raise InputError(option, f"must be a positive number of bytes, not {size}")
    return ReadLimits(
        max_file_bytes=args.max_file_size or defaults.max_file_bytes,
        max_field_bytes=args.max_field_size or defaults.max_field_bytes,
    )


def _catalogue(args: argparse.Namespace) -> int:
    from tip_indicators.catalogue_export import catalogue_document, catalogue_text

    if args.format == "json":
        emit(json.dumps(catalogue_document(), indent=2, ensure_ascii=False) + "\n", None)
    else:
        emit(catalogue_text(), None)
    return EXIT_OK


def _aggregate(args: argparse.Namespace) -> int:
    from tip_indicators._private.case_command import aggregate_command

    return aggregate_command(args)


def _schema(args: argparse.Namespace) -> int:
    schema: dict[str, Any]
    if args.document == "dataset":
        from tip_indicators.io.document import dataset_schema

        schema = dataset_schema()
    else:
        from tip_indicators.render.json import report_schema

        schema = report_schema()
    emit(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", args.output)
    return EXIT_OK


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": _validate,
    "catalogue": _catalogue,
    "aggregate": _aggregate,
    "schema": _schema,
    **HANDLERS,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = next((item for item in arguments if not item.startswith("-")), None)
    try:
        args = _parser(command).parse_args(arguments)
    except SystemExit as leave:
        return leave.code if isinstance(leave.code, int) else EXIT_INPUT
    try:
        return _HANDLERS[args.command](args)
    except TipIndicatorsError as error:
        sys.stderr.write(f"tip-indicators: {shown(_one_line(str(error)))}\n")
        return EXIT_INPUT
    except BrokenPipeError:
        # The reader of standard output went away (``| head``): say nothing more to it, and
        # keep the interpreter's final flush from failing on the closed pipe.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("tip-indicators: interrupted\n")
        return EXIT_INPUT
    except Exception as error:
        if os.environ.get("TIP_INDICATORS_DEBUG"):
            raise
        message = shown(_one_line(f"{type(error).__name__}: {error}"))
        sys.stderr.write(f"tip-indicators: internal error: {message}\n")
        return EXIT_INPUT


def _one_line(message: str) -> str:
    return " ".join(message.split())


if __name__ == "__main__":
    sys.exit(main())
