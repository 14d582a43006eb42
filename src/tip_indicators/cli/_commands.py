"""Command-line handlers for conversion, templates and coalition work (indicators, roll-up,
reconciliation). ``cli.py`` builds the parser and dispatches here; imports happen per command."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tip_indicators._private.safetext import shown
from tip_indicators.errors import InputError

if TYPE_CHECKING:
    import polars as pl

    from tip_indicators.datasets import Dataset
    from tip_indicators.profiles import Profile
    from tip_indicators.rollup import RollUp

OUTPUT_FORMATS = ("long-csv", "document", "sdmx-csv", "sdmx-ml", "excel")


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    """``--profile FILE``: check against a coalition's profile instead of the built-in one."""
    parser.add_argument(
        "--profile", metavar="FILE", help="a YAML profile to use (default: the built-in profile)"
    )


def add_fail_on_argument(parser: argparse.ArgumentParser) -> None:
    """``--fail-on``: the least severe finding that makes the exit status 1."""
    parser.add_argument(
        "--fail-on",
        choices=["error", "warning", "info"],
        default="error",
        help="the least severe finding that makes the exit status 1 (default: error)",
    )


def profile_from(args: argparse.Namespace) -> Profile:
    """The profile named by ``--profile``, or the built-in one."""
    from tip_indicators.profiles import builtin_profile, load_profile

    path = getattr(args, "profile", None)
    return load_profile(path) if path else builtin_profile()


def add_arguments(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the conversion and coalition commands to the CLI's subcommands.

    Long because it only declares subcommands and their options, one after another, as argparse
    wants them.
    """
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

    template = commands.add_parser(
        "template", help="write an xlsx data-entry template for member organisations"
    )
    template.add_argument("-o", "--output", metavar="FILE", required=True)
    add_profile_argument(template)

    indicators = commands.add_parser(
        "indicators", help="compute derived indicators (shares, rates, changes, ratios)"
    )
    indicators.add_argument("paths", nargs="+", metavar="DATASET")
    indicators.add_argument("--population", metavar="FILE", help="population table for rates")
    indicators.add_argument("--format", choices=["text", "csv", "json"], default="text")
    indicators.add_argument("-o", "--output", metavar="FILE")
    add_profile_argument(indicators)

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

    reconcile = commands.add_parser(
        "reconcile",
        help="compare organisations (mirror figures), sources and vintages",
        description="Check mirror figures across all inputs; with --vintages compare the first "
        "input (old) with the second (new); with --pair A=B compare reporter A of the first "
        "input with reporter B of the second.",
    )
    reconcile.add_argument("paths", nargs="+", metavar="DATASET")
    reconcile.add_argument("--vintages", action="store_true", help="the inputs are two vintages")
    reconcile.add_argument("--pair", action="append", default=[], metavar="A=B")
    reconcile.add_argument(
        "--tolerance", type=float, default=0.1, help="relative tolerance (default 0.1 = 10%%)"
    )
    reconcile.add_argument("--format", choices=["text", "json"], default="text")
    add_profile_argument(reconcile)

    suppress = commands.add_parser(
        "suppress", help="withhold small counts and the cells that would give them away"
    )
    suppress.add_argument("path", metavar="DATASET", help="a long-CSV or dataset file")
    suppress.add_argument(
        "--threshold", type=_count, default=5, help="withhold counts below this (default: 5)"
    )
    suppress.add_argument(
        "--width",
        type=_count,
        default=None,
        help="possible values each withheld cell must keep (default: the threshold)",
    )
    suppress.add_argument("--zeros", action="store_true", help="withhold zero counts too")
    suppress.add_argument(
        "--objective",
        choices=["cells", "value"],
        default="cells",
        help="withhold the fewest further cells, or the least total value (default: cells)",
    )
    suppress.add_argument(
        "--style",
        choices=["censored", "missing"],
        default="censored",
        help="write small counts as <5, or every withheld cell as an empty value with status Q",
    )
    suppress.add_argument("-o", "--output", help="write the long CSV here (default: stdout)")
    add_profile_argument(suppress)

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

    audit = commands.add_parser(
        "audit-disclosure", help="find withheld cells a reader can work out from the figures"
    )
    audit.add_argument("path", metavar="PUBLISHED", help="a published long-CSV or dataset file")
    audit.add_argument(
        "--width",
        type=_count,
        default=None,
        help="possible values each withheld cell must keep (default: the largest <N bound, else 5)",
    )
    audit.add_argument(
        "--stated",
        action="store_true",
        help="take open breakdowns as bounds on their parts, not as adding up",
    )
    audit.add_argument("--format", choices=["text", "json"], default="text")
    add_fail_on_argument(audit)
    audit.add_argument("-o", "--output", help="write the report to this file")
    add_profile_argument(audit)


def _count(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _read_all(paths: list[str], profile: Profile) -> list[Dataset]:
    from tip_indicators.io.readers import read_dataset

    return [read_dataset(path, catalogue=profile.catalogue) for path in paths]


def _print_problems(dataset: Dataset) -> bool:
    """Print reading errors to standard error; return whether there were any."""
    errors = [f for f in dataset.problems if f.severity.value == "error"]
    for finding in errors:
        line = f"{finding.location or ''}: {finding.message}"
        sys.stderr.write(f"{shown(line)} [{finding.code}]\n")
    return bool(errors)


def convert(args: argparse.Namespace) -> int:
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
    if _print_problems(dataset):
        return 1
    target = args.target
    chosen = args.output_format or _format_of(target)
    inputs = _run_inputs(args, [args.source], dataset)
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


def _run_inputs(
    args: argparse.Namespace, paths: Iterable[str], *datasets: Dataset
) -> list[str | None]:
    """Every file the run read: the named inputs, the files the datasets were read from (a
    document's long-CSV files) and the profile; an output may be none of them."""
    return [
        *paths,
        *(item.path for dataset in datasets for item in dataset.inputs),
        getattr(args, "profile", None),
    ]


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


def template(args: argparse.Namespace) -> int:
    """Write the data-entry workbook of the profile."""
    from tip_indicators.io.template import write_template

    write_template(profile_from(args) if args.profile else None, args.output, inputs=[args.profile])
    return 0


def indicators(args: argparse.Namespace) -> int:
    """Print or write the derived indicators of the datasets."""
    from tip_indicators.datasets import Dataset
    from tip_indicators.derived import derive_indicators, read_population

    profile = profile_from(args)
    dataset = Dataset.combine(_read_all(args.paths, profile))
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
    emit(text, args.output, inputs=_run_inputs(args, [*args.paths, args.population], dataset))
    return 0


def _breakdown_label(row: dict[str, Any], dimensions: Iterable[str]) -> str:
    """``[sex=F]`` for a derived figure broken down by sex; nothing for a total."""
    codes = ",".join(f"{d}={row[d]}" for d in dimensions if row.get(d, "_T") != "_T")
    return f"[{codes}]" if codes else ""


def rollup(args: argparse.Namespace) -> int:
    """Roll submissions up into ``--into``; print completeness and the national comparison."""
    from tip_indicators.datasets import Dataset
    from tip_indicators.io.longcsv import write_long_csv
    from tip_indicators.rollup import roll_up

    profile = profile_from(args)
    dataset = Dataset.combine(_read_all(args.paths, profile))
    expected = [c.strip() for c in args.expected.split(",")] if args.expected else None
    if expected is None and profile.reporters:
        expected = sorted(r for r in profile.reporters if r != args.into)
    result = roll_up(dataset, into=args.into, expected=expected, catalogue=profile.catalogue)
    if args.output:
        write_long_csv(result.dataset, args.output, inputs=_run_inputs(args, args.paths, dataset))
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


def reconcile(args: argparse.Namespace) -> int:
    """Mirror figures across the inputs, and sources or vintages between the first two."""
    from tip_indicators.reconcile import (
        Revision,
        compare_sources,
        compare_vintages,
        reconcile_mirrors,
    )
    from tip_indicators.render.json import report_json
    from tip_indicators.render.text import report_text
    from tip_indicators.report import Report

    profile = profile_from(args)
    datasets = _read_all(args.paths, profile)
    report = reconcile_mirrors(datasets, profile)
    extra = []
    tolerance = Revision(relative=args.tolerance)
    if (args.vintages or args.pair) and len(datasets) != 2:
        raise InputError(args.paths[0], "--vintages and --pair compare exactly two inputs")
    if args.vintages:
        extra += compare_vintages(datasets[0], datasets[1], tolerance)
    if args.pair:
        pairs = dict(item.split("=", 1) for item in args.pair if "=" in item)
        extra += compare_sources(datasets[0], datasets[1], pairs=pairs, tolerance=tolerance)
    findings = tuple(sorted((*report.findings, *extra), key=lambda f: f.sort_key))
    combined = Report(
        findings,
        report.inputs,
        report.observations,
        report.rules_evaluated,
        report.not_evaluated,
        report.profile,
        evaluations=report.evaluations,
    )
    text = report_json(combined) + "\n" if args.format == "json" else report_text(combined)
    sys.stdout.write(text)
    return 1 if combined.failed() else 0


def suppress(args: argparse.Namespace) -> int:
    """Write the dataset with small counts and their giveaways withheld."""
    from tip_indicators.findings import Severity
    from tip_indicators.io.longcsv import write_long_csv
    from tip_indicators.io.readers import read_dataset
    from tip_indicators.render.text import report_text
    from tip_indicators.report import Report
    from tip_indicators.suppression import suppress as withhold

    profile = profile_from(args)
    dataset = read_dataset(args.path, catalogue=profile.catalogue)
    unusable = [p for p in dataset.problems if p.severity is Severity.ERROR]
    if unusable:
        sys.stderr.write(report_text(Report(findings=tuple(unusable), inputs=dataset.inputs)))
        sys.stderr.write("tip-indicators: nothing written: fix the rows above first\n")
        return 1
    result = withhold(
        dataset,
        threshold=args.threshold,
        width=args.width,
        zeros=args.zeros,
        objective=args.objective,
        style=args.style,
        profile=profile,
    )
    if args.output is None:
        write_long_csv(result.dataset, sys.stdout)
    else:
        write_long_csv(result.dataset, args.output, inputs=_run_inputs(args, [args.path], dataset))
    sys.stderr.write(result.summary() + "\n")
    return 1 if result.unprotected.height else 0


def audit_disclosure(args: argparse.Namespace) -> int:
    """Report withheld cells that the published figures give away."""
    from tip_indicators.findings import Severity
    from tip_indicators.io.readers import read_dataset
    from tip_indicators.render.json import report_json
    from tip_indicators.render.text import report_text
    from tip_indicators.suppression import audit_disclosure as audit

    profile = profile_from(args)
    dataset = read_dataset(args.path, catalogue=profile.catalogue)
    report = audit(dataset, width=args.width, additive=not args.stated, profile=profile).report()
    text = report_json(report) + "\n" if args.format == "json" else report_text(report)
    emit(text, args.output, inputs=_run_inputs(args, [args.path], dataset))
    return 1 if report.failed(Severity(args.fail_on)) else 0


def rules(args: argparse.Namespace) -> int:
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


def emit(
    text: str | Iterable[str],
    output: str | None,
    *,
    end: str = "",
    inputs: Iterable[str | None] = (),
) -> None:
    """Write command output (``text``, or its pieces in order, then ``end``) to ``output``, or
    to standard output in an encoding it can show.

    The first piece is made before anything is written: a renderer that yields pieces does its
    work then, so a report that fails to render leaves no file half-written. A file is written
    whole or not at all, and never over one of ``inputs`` (the run's input files).
    """
    remaining = iter([text] if isinstance(text, str) else text)
    pieces = itertools.chain([next(remaining, "")], remaining, [end])
    if output is None:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        for piece in pieces:
            try:
                piece.encode(encoding)
                visible = piece
            except UnicodeEncodeError:
                visible = piece.encode(encoding, "backslashreplace").decode(encoding)
            sys.stdout.write(visible)
        sys.stdout.flush()
        return
    from tip_indicators._private.output import write_bytes

    # Written as bytes: a text stream scans a large report for line ends to translate. A name
    # that is not UTF-8 (a lone surrogate) is written escaped, not refused.
    encoded = (piece.encode("utf-8", "backslashreplace") for piece in pieces)
    write_bytes(output, encoded, inputs=inputs)


HANDLERS = {
    "convert": convert,
    "template": template,
    "indicators": indicators,
    "rollup": rollup,
    "reconcile": reconcile,
    "suppress": suppress,
    "audit-disclosure": audit_disclosure,
    "rules": rules,
}
