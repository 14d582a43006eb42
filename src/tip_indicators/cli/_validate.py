"""``tip-indicators validate``: read the inputs (files and folders), check them together, and
write the report in each format asked for; the exit status says whether a finding reached
``--fail-on``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from tip_indicators._private.safetext import shown
from tip_indicators.cli._shared import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    Commands,
    add_fail_on_argument,
    add_profile_argument,
    emit,
    one_line,
    profile_from,
)
from tip_indicators.errors import InputError
from tip_indicators.languages import LANGUAGES, language

if TYPE_CHECKING:
    from tip_indicators._private.textfile import ReadLimits
    from tip_indicators.datasets import Dataset
    from tip_indicators.findings import Finding
    from tip_indicators.indicators import Catalogue
    from tip_indicators.report import Report

__all__ = ["INPUT_FORMATS", "INPUT_SUFFIXES", "REPORT_FORMATS", "add_parser", "run"]

REPORT_FORMATS = ("text", "json", "junit", "sarif", "github", "html")
INPUT_FORMATS = ("long-csv", "document", "sdmx-csv", "sdmx-ml", "glotip", "excel")
INPUT_SUFFIXES = (".csv", ".yaml", ".yml", ".json", ".xlsx")


def add_parser(commands: Commands, command: str | None) -> None:
    """Add ``validate`` and its options to the program's subcommands.

    Long because it only declares the command's options, one after another, as argparse wants
    them."""
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
        help="text for people, html (one page), json, junit (XML), sarif or github (annotations)",
    )
    add_fail_on_argument(validate)
    validate.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        help="read every input in this format (default: chosen by name and content)",
    )
    validate.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    validate.add_argument(
        "--output-format",
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help="also write the report in FORMAT to FILE (repeatable): json=report.json",
    )
    validate.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="CODES",
        help="report only these finding codes or rule families (comma-separated, repeatable)",
    )
    validate.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="leave out these finding codes or rule families (comma-separated, repeatable)",
    )
    validate.add_argument(
        "--baseline",
        metavar="REPORT",
        help="a JSON report of accepted findings: only findings not in it are reported",
    )
    validate.add_argument(
        "--max-annotations",
        type=int,
        default=None,
        metavar="N",
        help="with --format github, annotate at most N findings (default: 50)",
    )
    add_profile_argument(validate)
    validate.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="the language of the findings' messages (default: en); codes never change",
    )
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
    validate.set_defaults(handler=run)


def _inputs(paths: Iterable[str]) -> tuple[list[str], list[InputError]]:
    """The files to read: named files as given, folders expanded; each real file once. A path
    that names nothing (or a folder with no input) is returned as an error, not raised: the
    other inputs are still checked."""
    found: list[str] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            files = _walk(path)
            if not files:
                listed = ", ".join(INPUT_SUFFIXES)
                errors.append(InputError(path, f"the folder holds no input file ({listed})"))
        elif os.path.lexists(path):
            files = [path]
        else:
            errors.append(InputError(path, "no such file or folder"))
            files = []
        for file in files:
            real = os.path.realpath(file)
            if real not in seen:
                seen.add(real)
                found.append(file)
    return found, errors


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
) -> tuple[Dataset, list[InputError]]:
    """Read every input; a long-CSV file that a dataset document already includes is not read
    twice (checking a folder that holds both would otherwise duplicate every figure). An input
    that cannot be read is returned as an error and the others are still read."""
    from tip_indicators.datasets import Dataset
    from tip_indicators.io.readers import detect_format, read_dataset

    errors: list[InputError] = []
    formats: dict[str, str] = {}
    for path in paths:
        try:
            formats[path] = input_format or detect_format(path)
        except InputError as error:
            errors.append(error)
    read: dict[str, Dataset] = {}
    included: set[str] = set()
    for path in sorted(formats, key=lambda name: formats[name] != "document"):
        if os.path.realpath(path) in included:
            continue
        try:
            dataset = read_dataset(
                path,
                input_format=formats[path],
                catalogue=catalogue,
                limits=limits,
                allow_folders=allow_folders,
            )
        except InputError as error:
            errors.append(error)
            continue
        read[path] = dataset
        if formats[path] == "document":
            own = os.path.realpath(path)
            included.update(os.path.realpath(item.path) for item in dataset.inputs)
            included.discard(own)
    parts = [read[path] for path in paths if path in read]
    return (Dataset.combine(parts) if parts else _nothing_read()), errors


def _nothing_read() -> Dataset:
    """The dataset of a run whose every input was unreadable: no figures."""
    import polars as pl

    from tip_indicators.datasets import Dataset
    from tip_indicators.observations import observation_schema

    return Dataset(pl.DataFrame(schema=observation_schema(())), ())


def _unreadable(errors: Sequence[InputError]) -> list[Finding]:
    """Each input that could not be read as an error finding on that file."""
    from tip_indicators.findings import Finding, Location, Severity

    return [
        Finding(
            "unreadable-input",
            Severity.ERROR,
            f"the input cannot be read: {error.reason}",
            location=Location(error.path, error.line),
        )
        for error in errors
    ]


def _render(
    report: Report,
    form: str,
    args: argparse.Namespace,
    *,
    colour: bool,
    dataset: Dataset | None = None,
) -> str | Iterable[str]:
    from tip_indicators.findings import Severity

    if form == "json":
        from tip_indicators.render.json import report_json_pieces

        return report_json_pieces(report)
    if form == "junit":
        from tip_indicators.render.junit import report_junit

        return report_junit(report, fail_on=Severity(args.fail_on))
    if form == "sarif":
        from tip_indicators.render.sarif import report_sarif

        return report_sarif(report)
    if form == "github":
        from tip_indicators.render.github import ANNOTATIONS, report_github

        limit = ANNOTATIONS if args.max_annotations is None else args.max_annotations
        return report_github(report, limit=limit)
    if form == "html":
        from tip_indicators.render.html import report_html

        return report_html(report, dataset=dataset)
    from tip_indicators.render.text import report_text

    return report_text(report, colour=colour)


def run(args: argparse.Namespace) -> int:
    """Check the datasets and write the report in every format asked for."""
    with language(args.lang):
        return _validate_worded(args)


def _validate_worded(args: argparse.Namespace) -> int:
    import attrs

    from tip_indicators.check import check
    from tip_indicators.findings import Severity

    limits = _limits(args)
    outputs = _outputs(args)
    baseline = _baseline(args.baseline) if args.baseline else None
    profile = profile_from(args)
    paths, errors = _inputs(args.paths)
    dataset, unreadable = _read(
        paths, args.input_format, profile.catalogue, limits, args.allow_folder
    )
    errors += unreadable
    for error in errors:
        sys.stderr.write(f"tip-indicators: {shown(one_line(str(error)))}\n")
    if errors:
        dataset = attrs.evolve(dataset, problems=[dataset.problem_table, *_unreadable(errors)])
    report = check(dataset, profile).filtered(
        select=_tokens(args.select), ignore=_tokens(args.ignore), baseline=baseline
    )
    nothing_read = bool(errors) and not dataset.inputs
    inputs = [*paths, *(item.path for item in report.inputs), args.profile, args.baseline]
    for form, target in outputs:
        if nothing_read and target is None:
            # The one-line errors say it all: a report of no figures is written only to files,
            # which a CI job may expect to find.
            continue
        colour = (
            form == "text"
            and target is None
            and sys.stdout.isatty()
            and "NO_COLOR" not in os.environ
        )
        # JSON documents end in a line break, written apart: the report may be tens of megabytes.
        end = "\n" if form in {"json", "sarif"} else ""
        rendered = _render(report, form, args, colour=colour, dataset=dataset)
        emit(rendered, target, end=end, inputs=inputs)
    if "github" in (form for form, _ in outputs) and os.environ.get("GITHUB_STEP_SUMMARY"):
        _append_step_summary(report, os.environ["GITHUB_STEP_SUMMARY"])
    if errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if report.failed(Severity(args.fail_on)) else EXIT_OK


def _outputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """Each report to write: ``--format`` to ``-o`` or the terminal, then every
    ``--output-format FORMAT=FILE``."""
    outputs: list[tuple[str, str | None]] = [(args.format, args.output)]
    for item in args.output_format:
        form, equals, target = item.partition("=")
        if not equals or not target:
            raise InputError("--output-format", f"{item!r} is not FORMAT=FILE")
        if form not in REPORT_FORMATS:
            raise InputError(
                "--output-format", f"unknown format {form!r} ({', '.join(REPORT_FORMATS)})"
            )
        outputs.append((form, target))
    targets = [target for _, target in outputs if target is not None]
    if len(set(targets)) != len(targets):
        raise InputError("--output-format", "two reports would be written to the same file")
    if args.max_annotations is not None and args.max_annotations < 0:
        raise InputError("--max-annotations", f"must be 0 or more, not {args.max_annotations}")
    return outputs


def _tokens(values: Sequence[str]) -> list[str]:
    """The codes of repeated, comma-separated ``--select`` / ``--ignore`` options."""
    return [token for value in values for token in value.split(",") if token.strip()]


def _baseline(path: str) -> dict[str, Any]:
    """The JSON report named by ``--baseline``."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        raise InputError(path, f"cannot read the baseline: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(path, f"the baseline is not a JSON report: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise InputError(path, "the baseline is not a JSON report (no findings list)")
    return data


def _append_step_summary(report: Report, path: str) -> None:
    """Add the report's Markdown summary to the GitHub step summary file (which GitHub
    collects after the step; other steps may have written to it already)."""
    from tip_indicators.render.github import step_summary

    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(step_summary(report))
    except OSError as error:
        raise InputError(
            path, f"cannot write the step summary: {error.strerror or error}"
        ) from None


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
