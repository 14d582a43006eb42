"""Generate the reference parts of the documentation site from the package, at build time.

mkdocs loads this module through the ``hooks:`` entry of ``mkdocs.yml``. A page asks for generated
content with a directive, an HTML comment alone on its line::

    <!-- generate: catalogue -->

and :func:`on_page_markdown` replaces it with Markdown built from the installed package: the
indicator catalogue and codelists from the shipped data files, the finding codes from
``finding_codes.tsv`` with the explanations in ``docs/reference/finding-codes.toml`` (each example
checked by the real checker), the command line from its argparse definition, the JSON Schema of
reports, the rules of each check family. One API page per public module is generated as well.
Nothing is copied by hand, so the site says what the package does. An unknown directive stops
the build.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import pkgutil
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXPLANATIONS = DOCS / "reference" / "finding-codes.toml"
API_FOLDER = "reference/api"
API_SECTION = "API reference"
HELP_COLUMNS = "100"

DIRECTIVE = re.compile(
    r"^<!-- generate: (?P<name>[a-z-]+)(?P<args>(?: [^ \n]+)*) -->$", re.MULTILINE
)

FORMAT_DESCRIPTIONS: Mapping[str, str] = {
    "text": "Findings grouped by file, each with its line and suggested fixes; for people and CI "
    "logs. Colour only on a terminal, and never with `NO_COLOR` set.",
    "json": "One JSON object: tool, inputs with SHA-256, summary counts and every finding with "
    "its figures and suggestions ([the JSON report](../reference/json-report.md)).",
    "junit": "JUnit XML: a test suite per input file and a test case per rule evaluation, failed "
    "when its finding is at least as severe as `--fail-on`; rules not evaluated are skipped.",
    "sarif": "SARIF 2.1.0 for code-scanning dashboards: a result per finding at the figure to "
    "look at, the other figures as related locations, the suggested fixes as properties.",
    "github": "GitHub Actions workflow commands (`::error file=...,line=...::`): each finding "
    "becomes an annotation on its line of the CSV.",
    "html": "One self-contained page for people: counts by severity, code and reporter, a "
    "referral-flow diagram, failed breakdowns drawn against their totals and every finding with "
    "its figures and fixes ([the HTML report](html-report.md)).",
}
"""What each ``--format`` of ``validate`` gives; only the formats the CLI offers are shown."""

CI_SNIPPETS: Mapping[str, tuple[str, str, str]] = {
    "github": (
        "GitHub Actions annotations",
        "With `--format github` every finding is printed as a workflow command, and GitHub shows "
        "it as an annotation on its file and line:",
        """\
- name: Check submissions
  run: tip-indicators validate submissions/ --profile profile.yaml --format github
""",
    ),
    "junit": (
        "JUnit test reports (GitLab, Jenkins, Azure Pipelines)",
        "With `--format junit` each rule evaluation is a test case. GitLab shows failed checks in "
        "the merge request when the report is declared as a JUnit artifact:",
        """\
check-submissions:
  image: python:3.11
  script:
    - pip install tip-indicators
    - tip-indicators validate submissions/ --profile profile.yaml --format junit -o report.xml
  artifacts:
    when: always
    reports:
      junit: report.xml
""",
    ),
    "sarif": (
        "SARIF for code scanning",
        "With `--format sarif` the findings can be uploaded to GitHub code scanning, which keeps "
        "them as alerts on the files:",
        """\
- name: Check submissions
  run: tip-indicators validate submissions/ --profile profile.yaml --format sarif -o findings.sarif
- name: Upload findings
  if: always()
  uses: github/codeql-action/upload-sarif@v3
  with:
    sarif_file: findings.sarif
""",
    ),
}
"""CI recipes that need a particular output format; shown only when the CLI offers it."""


# ----------------------------------------------------------------------------- Markdown helpers


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def fence(text: str, language: str = "text", title: str | None = None) -> str:
    """A fenced code block; the fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    attributes = f' title="{title}"' if title else ""
    return f"{ticks}{language}{attributes}\n{text.rstrip(chr(10))}\n{ticks}"


def code(text: object) -> str:
    """Inline code."""
    return f"`{text}`"


def _shift_headings(markdown: str, levels: int) -> str:
    """Demote every ATX heading outside code blocks by ``levels``."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = not fenced and re.match(r"#{1,6} ", line) is not None
        out.append("#" * levels + line if heading else line)
    return "\n".join(out)


# ----------------------------------------------------------------------------- catalogue


def catalogue_markdown() -> str:
    """Every dimension and indicator of the built-in catalogue."""
    from tip_indicators.indicators import builtin_catalogue

    catalogue = builtin_catalogue()
    parts = ["## Dimensions", ""]
    rows = []
    for dimension in catalogue.dimensions.values():
        if dimension.pattern:
            allowed = f"pattern {code(dimension.pattern)}"
        elif dimension.codes:
            allowed = ", ".join(code(c) for c in dimension.codes)
        else:
            allowed = f"see [codelists](codelists.md#{dimension.kind.value})"
        rows.append(
            [
                code(dimension.id),
                dimension.name,
                dimension.kind.value,
                dimension.description,
                allowed,
            ]
        )
    parts += [table(["column", "name", "kind", "description", "codes"], rows), ""]
    parts += ["## Indicators", ""]
    parts += [
        table(
            ["code", "name", "unit"],
            [[f"[{code(i.code)}](#{i.code})", i.name, i.unit] for i in catalogue],
        ),
        "",
    ]
    for indicator in catalogue:
        parts += [f"### {code(indicator.code)} {{#{indicator.code}}}", ""]
        parts += [f"**{indicator.name}.** {indicator.definition}", ""]
        facts = [
            f"Unit: {code(indicator.unit)}.",
            "Figures of different reporters may be summed in a roll-up."
            if indicator.additive
            else "Figures of different reporters are not summed in a roll-up.",
        ]
        parts += [" ".join(facts), ""]
        if indicator.dimensions:
            parts += [
                table(
                    ["broken down by", "the parts"],
                    [
                        [
                            code(dimension),
                            "partition the total (they add up to it)"
                            if partitions
                            else "may overlap (each is at most the total)",
                        ]
                        for dimension, partitions in indicator.dimensions.items()
                    ],
                ),
                "",
            ]
        else:
            parts += ["No breakdown: only totals.", ""]
        for other, severity in indicator.bounded_by.items():
            parts += [
                f"Never more than [{code(other)}](#{other}) for the same period, reporter and "
                f"dimensions (a violation is a `bound-exceeded` {severity}).",
                "",
            ]
    return "\n".join(parts)


def rate_indicators_markdown() -> str:
    """Which catalogue indicators are rates, in a sentence."""
    from tip_indicators.indicators import builtin_catalogue

    rates = [i.code for i in builtin_catalogue() if i.unit in {"per_100k", "percent"}]
    if not rates:
        units = sorted({i.unit for i in builtin_catalogue()})
        return (
            "No indicator of the built-in catalogue is a rate (their units are "
            + ", ".join(code(u) for u in units)
            + "), so in the built-in profile this rule has no figures to check."
        )
    links = ", ".join(f"[{code(c)}](../reference/catalogue.md#{c})" for c in rates)
    return f"Rate indicators of the built-in catalogue: {links}."


# ----------------------------------------------------------------------------- codelists


def _aliases_by_code(aliases: Mapping[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for alias, target in aliases.items():
        found.setdefault(target, []).append(alias)
    return found


def codelist_table(identifier: str) -> str:
    """One built-in flat codelist as a table: code, name, extra columns, aliases."""
    from tip_indicators.codelists import codelist

    codes = codelist(identifier)
    extra = [key for key in (codes.codes[0].attributes if codes.codes else {}) if key]
    aliases = _aliases_by_code(codes.aliases)
    rows = [
        [
            code(c.code),
            c.name,
            *(c.attributes.get(key, "") for key in extra),
            ", ".join(aliases.get(c.code, [])),
        ]
        for c in codes
    ]
    return table(["code", "name", *extra, "aliases (for hints and readers)"], rows)


def codelists_markdown() -> str:
    """Every built-in codelist, the age-code grammar and aliases, and the nationality codes."""
    from tip_indicators._private.resources import read_table
    from tip_indicators.codelists import DESTINATION_TYPES, codelist, codelist_names
    from tip_indicators.nationalities import SPECIAL_CODES, countries, regions

    parts: list[str] = []
    for identifier in codelist_names():
        parts += [f"## {codelist(identifier).name} {{#{identifier}}}", ""]
        parts += [f"Codelist {code(identifier)}.", "", codelist_table(identifier), ""]
    parts += ["## Organisations: destination and referrer {#organisation}", ""]
    parts += [
        "A destination or referrer code is a type, optionally followed by `.` and an "
        "organisation identifier of capital letters, digits, `_` and `-`: "
        + ", ".join(code(t) for t in DESTINATION_TYPES)
        + " (for example `NGO.AFESIP`, `GOV.PPDOSVY`). An organisation rolls up to its type, "
        "so `NGO.AFESIP` is a part of `NGO`. `_T` is the total and `_U` unknown. The types are "
        "the codelist [Referral destination type](#destination_type).",
        "",
    ]
    parts += ["## Age bands {#age}", ""]
    parts += [
        table(
            ["code", "means", "example"],
            [
                ["`Y{a}T{b}`", "ages a to b, both included", "`Y15T17`: 15, 16 and 17"],
                ["`Y_LT{n}`", "under n", "`Y_LT18`: 0 to 17"],
                ["`Y_GE{n}`", "n and over", "`Y_GE18`: 18 and over"],
                ["`Y{a}`", "exactly a", "`Y5`: five-year-olds"],
                ["`_T`", "all ages, unknown included", ""],
                ["`_U`", "unknown age", ""],
            ],
        ),
        "",
        "Aliases map the age labels of other sources to these codes "
        "([`age_alias`][tip_indicators.ages.age_alias]):",
        "",
    ]
    rows = read_table("age_aliases.tsv")
    parts += [
        table(
            ["vocabulary", "label", "code"],
            [[row["vocabulary"], code(row["alias"]), code(row["code"])] for row in rows],
        ),
        "",
    ]
    parts += ["## Nationality and country {#nationality}", ""]
    parts += [
        "The columns `nationality` and `country` take an ISO 3166-1 alpha-2 or alpha-3 code, a "
        "UN M49 area code, or one of these codes:",
        "",
        table(["code", "meaning"], [[code(c), label] for c, label in SPECIAL_CODES.items()]),
        "",
        "An M49 area contains its sub-areas and their countries, so `002` (Africa) is a part of "
        "`FOREIGN` and a total of the African countries given beside it.",
        "",
        "### UN M49 areas",
        "",
    ]
    names = {region.code: region.name for region in regions()}
    parts += [
        table(
            ["code", "name", "within"],
            [
                [code(r.code), r.name, f"{r.parent} {names[r.parent]}" if r.parent else ""]
                for r in regions()
            ],
        ),
        "",
        "### Countries",
        "",
        '??? note "All ISO 3166-1 countries and areas"',
        "",
    ]
    country_table = table(
        ["alpha-2", "alpha-3", "numeric", "name", "M49 areas"],
        [
            [
                code(c.alpha2),
                code(c.alpha3),
                c.numeric,
                c.name,
                ", ".join(
                    f"{area} {names[area]}"
                    for area in (c.region, c.subregion, c.intermediate)
                    if area
                ),
            ]
            for c in countries()
        ],
    )
    parts += [_indent(country_table), ""]
    aliases = read_table("nationality_aliases.tsv")
    parts += [
        "### Nationality aliases",
        "",
        "Demonyms, former names and other spellings that "
        "[`resolve_nationality`][tip_indicators.nationalities.resolve_nationality] maps to a "
        "code; country and region names match without being listed. "
        "Matching folds case, accents, punctuation and spacing.",
        "",
        f'??? note "All {len(aliases)} aliases"',
        "",
        _indent(table(["alias", "code"], [[row["alias"], code(row["code"])] for row in aliases])),
        "",
    ]
    return "\n".join(parts)


def _indent(text: str, by: int = 4) -> str:
    return "\n".join(" " * by + line if line else line for line in text.splitlines())


# ----------------------------------------------------------------------------- finding codes


@functools.cache
def explanations() -> Mapping[str, Mapping[str, str]]:
    """The explanation, fix and example of every finding code (``finding-codes.toml``)."""
    with EXPLANATIONS.open("rb") as handle:
        return tomllib.load(handle)


def run_example(csv_text: str, profile: str | None = None) -> tuple[str, Any]:
    """Check a long-CSV example as ``tip-indicators validate example.csv`` would, with the YAML
    ``profile`` when given; return the text report and the report."""
    import tempfile

    from tip_indicators.check import check
    from tip_indicators.io.longcsv import parse_long_csv
    from tip_indicators.profiles import load_profile
    from tip_indicators.render.text import report_text

    chosen = None
    if profile is not None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "profile.yaml"
            path.write_text(profile, encoding="utf-8")
            chosen = load_profile(path)
    report = check(parse_long_csv(csv_text, path="example.csv"), chosen)
    return report_text(report), report


def run_script(source: str) -> str:
    """Run a Python example in a fresh interpreter from the repository root; return its output."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", source],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"example script failed:\n{result.stderr}")
    return result.stdout


def finding_codes_markdown() -> str:
    """One section per finding code: title, severity, level, explanation, example, fix."""
    from tip_indicators.findings import finding_codes

    notes = explanations()
    missing = sorted(set(finding_codes()) - set(notes))
    if missing:
        raise ValueError(f"{EXPLANATIONS.name}: no explanation for {', '.join(missing)}")
    parts = [
        table(
            ["code", "level", "default severity", "title"],
            [
                [f"[{code(c.code)}](#{c.code})", c.level, c.severity.value, c.title]
                for c in finding_codes().values()
            ],
        ),
        "",
    ]
    for finding in finding_codes().values():
        note = notes[finding.code]
        parts += [f"## {code(finding.code)} {{#{finding.code}}}", ""]
        parts += [
            f"**{finding.title}.** Default severity: {finding.severity.value}. ESS validation "
            f"level {finding.level}.",
            "",
            note["explanation"].strip(),
            "",
        ]
        if "example" in note:
            text, _ = run_example(note["example"], note.get("profile"))
            if "profile" in note:
                parts += [fence(note["profile"], "yaml", "profile.yaml"), ""]
            parts += [fence(note["example"], "csv", "example.csv"), ""]
            checked = "checked with profile.yaml" if "profile" in note else "checked"
            parts += [fence(text, "text", f"example.csv, {checked}"), ""]
        elif "example_python" in note:
            parts += [fence(note["example_python"], "python", "example.py"), ""]
            parts += [fence(run_script(note["example_python"]), "text", "Output"), ""]
        else:
            parts += ["**Example.** " + note["example_text"].strip(), ""]
        parts += ["**How to fix it.** " + note["fix"].strip(), ""]
    return "\n".join(parts)


def finding_levels_markdown() -> str:
    """The finding codes grouped by ESS validation level."""
    from tip_indicators.findings import finding_codes

    levels = {
        0: "0: structure (one row at a time, and duplicate keys)",
        1: "1: within a dataset",
        2: "2: across periods of a dataset",
        3: "3: across sources",
        4: "4: across organisations",
        5: "5: across organisations and sources",
    }
    rows = []
    for level, label in levels.items():
        found = [c for c in finding_codes().values() if c.level == level]
        if found:
            links = ", ".join(f"[{code(c.code)}](../reference/findings.md#{c.code})" for c in found)
            rows.append([label, links])
    return table(["ESS level", "finding codes"], rows)


# ----------------------------------------------------------------------------- rules


def rules_markdown(family: str, dimension: str | None = None) -> str:
    """The rules of one family in the built-in profile (only along ``dimension`` when given):
    what each checks, its tolerance, grouping, missing-data policy and severity."""
    from tip_indicators.profiles import builtin_profile
    from tip_indicators.rules import Family, default_rules

    chosen = Family(family)
    rules = [
        rule
        for rule in default_rules(builtin_profile())
        if rule.family is chosen and (dimension is None or rule.dimension == dimension)
    ]
    if not rules:
        raise ValueError(f"no rule of family {family!r} ({dimension}) in the built-in profile")
    rows = []
    for rule in rules:
        tolerance = rule.tolerance
        allowed = (
            "exact"
            if tolerance.absolute == 0 and tolerance.relative == 0
            else f"{tolerance.absolute:g} + {tolerance.relative:g} x the reference"
        )
        if rule.family.value == "percent-change":
            allowed = "the rounding or truncation of the digits stated"
        if rule.family.value == "share":
            allowed = "one unit of the last stated digit per share"
        rows.append([code(rule.name), rule.description, allowed, rule.grouping, rule.missing])
    return table(["rule", "checks", "tolerance", "grouping", "missing data"], rows)


# ----------------------------------------------------------------------------- command line


@contextlib.contextmanager
def _help_width() -> Iterator[None]:
    """Format argparse help at a fixed width, whatever the terminal."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def cli_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``tip-indicators`` argument parser, as the command line builds it for ``command``
    (a command whose options need imports has them only when it is the one run)."""
    from tip_indicators import cli

    return cli._parser(command)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """The subcommands of ``parser``: name to (parser, one-line help)."""
    found: dict[str, tuple[argparse.ArgumentParser, str]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, subparser in action.choices.items():
                found[name] = (subparser, helps.get(name, ""))
    return found


def command_help(command: str | None) -> str:
    """``tip-indicators [COMMAND] --help`` as printed at a width of 100 columns."""
    parser = cli_parser(command)
    if command is not None:
        parser = subcommands(parser)[command][0]
    with _help_width():
        return parser.format_help()


def _option_rows(parser: argparse.ArgumentParser) -> list[list[str]]:
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        if action.option_strings:
            name = ", ".join(code(option) for option in action.option_strings)
        else:
            name = code(action.metavar or action.dest)
        if action.choices is not None:
            value = ", ".join(code(choice) for choice in action.choices)
        elif action.nargs == 0:
            value = ""
        else:
            value = code(action.metavar or action.dest.upper())
        if action.nargs in {"+", "*"}:
            value += " (one or more)" if action.nargs == "+" else " (any number)"
        default = action.default
        shown = (
            code(default)
            if default not in (None, argparse.SUPPRESS, False) and action.nargs != 0
            else ""
        )
        rows.append([name, value, shown, action.help or ""])
    return rows


def cli_markdown() -> str:
    """Every command and option of ``tip-indicators``, from its argparse definition."""
    parser = cli_parser()
    parts = ["## `tip-indicators`", "", fence(command_help(None)), ""]
    parts += [table(["option", "value", "default", "meaning"], _option_rows(parser)), ""]
    for name, (_, summary) in subcommands(parser).items():
        subparser = subcommands(cli_parser(name))[name][0]
        parts += [f"## `tip-indicators {name}` {{#{name}}}", ""]
        if summary:
            parts += [summary[0].upper() + summary[1:] + ".", ""]
        parts += [fence(command_help(name)), ""]
        parts += [table(["argument", "value", "default", "meaning"], _option_rows(subparser))]
        parts += [""]
    return "\n".join(parts)


def format_choices() -> tuple[str, ...]:
    """The values ``validate --format`` accepts."""
    validate = subcommands(cli_parser())["validate"][0]
    for action in validate._actions:
        if "--format" in action.option_strings and action.choices is not None:
            return tuple(str(choice) for choice in action.choices)
    raise ValueError("validate has no --format option")


def formats_markdown() -> str:
    """The output formats of ``validate`` with what each is for."""
    rows = []
    for choice in format_choices():
        if choice not in FORMAT_DESCRIPTIONS:
            raise ValueError(f"--format {choice}: no description in FORMAT_DESCRIPTIONS")
        rows.append([code(choice), FORMAT_DESCRIPTIONS[choice]])
    return table(["--format", "what it gives"], rows)


def ci_snippets_markdown() -> str:
    """CI recipes for the machine formats the CLI offers (none when it offers none)."""
    parts = []
    offered = format_choices()
    for choice, (title, lead, snippet) in CI_SNIPPETS.items():
        if choice in offered:
            parts += [f"### {title}", "", lead, "", fence(snippet, "yaml"), ""]
    return "\n".join(parts)


def glotip_indicators_markdown() -> str:
    """The GLOTIP indicator names and the catalogue indicators they map to."""
    from tip_indicators.io.glotip import GLOTIP_INDICATORS

    return table(
        ["GLOTIP `Indicator`", "catalogue indicator"],
        [
            [name, f"[{code(target)}](../reference/catalogue.md#{target})"]
            for name, target in GLOTIP_INDICATORS.items()
        ],
    )


# ----------------------------------------------------------------------------- JSON report


def _schema_type(prop: Mapping[str, Any]) -> str:
    if "$ref" in prop:
        name = str(prop["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        return " or ".join(_schema_type(option) for option in prop["anyOf"])
    kind = prop.get("type", "any")
    if kind == "array":
        return f"array of {_schema_type(prop.get('items', {}))}"
    if kind == "object" and isinstance(prop.get("additionalProperties"), Mapping):
        return f"object of {_schema_type(prop['additionalProperties'])}"
    return str(kind)


def _schema_rows(model: Mapping[str, Any]) -> list[list[str]]:
    required = set(model.get("required", ()))
    rows = []
    for name, prop in model.get("properties", {}).items():
        notes = [prop.get("description", "")]
        if "pattern" in prop:
            notes.append(f"pattern {code(prop['pattern'])}")
        if "minimum" in prop:
            notes.append(f"at least {prop['minimum']}")
        rows.append(
            [
                code(name),
                _schema_type(prop),
                "yes" if name in required else "no",
                " ".join(n for n in notes if n),
            ]
        )
    return rows


def report_schema_markdown() -> str:
    """The fields of the JSON report, model by model, and the full JSON Schema."""
    from tip_indicators.render.json import report_schema

    schema = report_schema()
    parts = [f"### {schema.get('title', 'Report')} {{#report}}", ""]
    if schema.get("description"):
        parts += [schema["description"], ""]
    parts += [table(["field", "type", "required", "notes"], _schema_rows(schema)), ""]
    for name, model in schema.get("$defs", {}).items():
        parts += [f"### {name} {{#{name.lower()}}}", ""]
        parts += [table(["field", "type", "required", "notes"], _schema_rows(model)), ""]
    parts += [
        "## The JSON Schema",
        "",
        "Also available from Python as "
        "[`report_schema()`][tip_indicators.render.json.report_schema].",
        "",
        fence(json.dumps(schema, indent=2, ensure_ascii=False), "json"),
        "",
    ]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- long CSV


def long_csv_columns_markdown() -> str:
    """The columns of the long CSV, from the observation model and the catalogue."""
    from tip_indicators.indicators import builtin_catalogue
    from tip_indicators.observations import ATTRIBUTE_COLUMNS, REQUIRED_COLUMNS

    meanings = {
        "indicator": "The indicator code ([catalogue](catalogue.md)).",
        "period": "`2010`, `2010-S1`, `2010-Q1` or `2010-01`.",
        "reporter": "Who states the figure: an organisation code such as `GOV.MOSVY`.",
        "value": "The figure as written: `459`, `127,053`, `68.04`, `<5`, or empty with a status.",
        "measure": "`N` level (default), `CHG` change, `PCH` percentage change, `PCT` share.",
        "base_period": "The base of a `CHG` or `PCH`; default: the same period a year earlier.",
        "status": "SDMX observation status ([codelist](codelists.md#obs_status)); a missing "
        "value needs `L`, `M`, `O` or `Q`.",
        "conf_status": "SDMX confidentiality status ([codelist](codelists.md#conf_status)).",
        "unit": "The unit, when stated; it must be the indicator's (or `percent` for `PCH`/`PCT`).",
        "source": "Provenance: the document, section and the quoted phrase.",
        "id": "An identifier of the figure in the sender's system.",
        "note": "Free text.",
    }
    missing = [c for c in (*REQUIRED_COLUMNS, *ATTRIBUTE_COLUMNS) if c not in meanings]
    if missing:
        raise ValueError(f"long-CSV columns without a meaning: {missing}")
    rows = [[code(c), "required", meanings[c]] for c in REQUIRED_COLUMNS]
    for dimension in builtin_catalogue().dimensions.values():
        rows.append([code(dimension.id), "dimension", f"{dimension.name}: {dimension.description}"])
    rows += [[code(c), "optional", meanings[c]] for c in ("measure", "base_period")]
    rows += [[code(c), "attribute", meanings[c]] for c in ATTRIBUTE_COLUMNS]
    return table(["column", "kind", "meaning"], rows)


# ----------------------------------------------------------------------------- API pages


def public_modules() -> list[str]:
    """Every public module of the package: no part of its dotted name starts with ``_``."""
    import tip_indicators

    found = ["tip_indicators"]
    for module in pkgutil.walk_packages(tip_indicators.__path__, "tip_indicators."):
        if not any(part.startswith("_") for part in module.name.split(".")):
            found.append(module.name)
    return sorted(found, key=lambda name: (name != "tip_indicators", name))


def api_path(module: str) -> str:
    """The site path of a module's API page (the package itself is the section index)."""
    return f"{API_FOLDER}/index.md" if module == "tip_indicators" else f"{API_FOLDER}/{module}.md"


def _exported(module: str) -> list[str]:
    import importlib

    return list(getattr(importlib.import_module(module), "__all__", []))


def documented_in(name: str, package: str = "tip_indicators") -> str:
    """The public module whose API page documents ``name``, which ``package`` re-exports.

    Index pages (of packages that only re-export) list their names without documenting
    them, so this is a page that documents: the module defining the name when it is public,
    else the first one exporting it.
    """
    import importlib

    value = getattr(importlib.import_module(package), name)
    home = getattr(value, "__module__", None)
    candidates = [
        module for module in public_modules() if not is_index(module) and name in _exported(module)
    ]
    if not candidates:
        raise ValueError(f"{package}.{name} is in no public module's __all__")
    return str(home) if home in candidates else candidates[0]


def is_index(module: str) -> bool:
    """Whether ``module``'s page is an index: a package of public modules (``io``, ``render``)
    lists the names it re-exports; a package whose parts are private (``cases``) documents its
    names on its own page, as a module does."""
    return any(other.startswith(f"{module}.") for other in public_modules())


def api_page(module: str) -> str:
    """The Markdown of one API page: the module's docstring and members, rendered by
    mkdocstrings; for a package that only re-exports, its docstring and a table of the names
    it re-exports."""
    if not is_index(module):
        return f"# `{module}`\n\n::: {module}\n"
    rows = []
    for name in _exported(module):
        if name != "__version__":
            home = documented_in(name, module)
            rows.append([f"[{code(name)}][{home}.{name}]", f"[{code(home)}]({home}.md)"])
    if module == "tip_indicators":
        title = "API reference"
        intro = (
            "`import tip_indicators as ti` gives every name below; each is documented on the "
            "page of the module that defines it. `ti.__version__` is the version of the "
            "installed package."
        )
    else:
        title = code(module)
        intro = f"`{module}` re-exports these names from its modules."
    names = table(["name", "documented in"], rows)
    return f"# {title}\n\n::: {module}\n    options:\n      members: false\n\n{intro}\n\n{names}\n"


# ----------------------------------------------------------------------------- includes


def include_markdown(path: str, shift: int = 0) -> str:
    """A repository file's Markdown, with its headings demoted by ``shift`` levels."""
    target = (ROOT / path).resolve()
    if ROOT not in target.parents:
        raise ValueError(f"include {path}: outside the repository")
    text = target.read_text(encoding="utf-8")
    return _shift_headings(text, shift) if shift else text


# ----------------------------------------------------------------------------- directives


def _include(args: Sequence[str]) -> str:
    path, *options = args
    shift = 0
    for option in options:
        key, _, value = option.partition("=")
        if key != "shift":
            raise ValueError(f"include: unknown option {option!r}")
        shift = int(value)
    return include_markdown(path, shift)


GENERATORS: Mapping[str, Callable[[Sequence[str]], str]] = {
    "catalogue": lambda args: catalogue_markdown(),
    "codelists": lambda args: codelists_markdown(),
    "codelist": lambda args: codelist_table(args[0]),
    "finding-codes": lambda args: finding_codes_markdown(),
    "finding-levels": lambda args: finding_levels_markdown(),
    "rules": lambda args: rules_markdown(*args),
    "rate-indicators": lambda args: rate_indicators_markdown(),
    "cli": lambda args: cli_markdown(),
    "cli-help": lambda args: fence(command_help(args[0] if args else None)),
    "formats": lambda args: formats_markdown(),
    "ci-snippets": lambda args: ci_snippets_markdown(),
    "glotip-indicators": lambda args: glotip_indicators_markdown(),
    "report-schema": lambda args: report_schema_markdown(),
    "long-csv-columns": lambda args: long_csv_columns_markdown(),
    "include": _include,
}
"""Directive name to a function of its arguments returning Markdown."""


def expand(markdown: str, where: str = "<page>") -> str:
    """Replace every directive in ``markdown`` by its generated Markdown."""

    def replace(match: re.Match[str]) -> str:
        name, args = match["name"], match["args"].split()
        if name not in GENERATORS:
            raise ValueError(f"{where}: unknown directive {name!r} (one of {sorted(GENERATORS)})")
        return GENERATORS[name](args)

    return DIRECTIVE.sub(replace, markdown)


# ----------------------------------------------------------------------------- mkdocs events


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Append a nav entry for every generated API page to the API reference section."""
    section = _find_section(config.nav or [], API_SECTION)
    if section is None:
        raise ValueError(f"mkdocs.yml: the nav has no {API_SECTION!r} section")
    for module in public_modules():
        entry = api_path(module)
        if module != "tip_indicators" and {module: entry} not in section:
            section.append({module.removeprefix("tip_indicators."): entry})
    return config


def _find_section(items: list[Any], title: str) -> list[Any] | None:
    for item in items:
        if isinstance(item, dict):
            for key, value in item.items():
                if key == title and isinstance(value, list):
                    return value
                if isinstance(value, list):
                    found = _find_section(value, title)
                    if found is not None:
                        return found
    return None


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add the generated API pages."""
    from mkdocs.structure.files import File

    for module in public_modules():
        files.append(File.generated(config, api_path(module), content=api_page(module)))
    return files


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Expand the generation directives of a page."""
    return expand(markdown, page.file.src_uri)


_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):(?=<code>)")
_TILDE = re.compile(r"<code>~(?:[\w]+\.)*(\w+)</code>")


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Drop the reST roles (``:func:``) that docstrings use before code spans."""
    if not page.file.src_uri.startswith(API_FOLDER):
        return html
    return _TILDE.sub(r"<code>\1</code>", _ROLE.sub("", html))
