"""The documentation site: its examples run as shown, and its reference pages match the package.

Conventions of ``docs/**/*.md`` (the examples are tests):

- A ``console`` block is a terminal session run from the repository root. Each ``$ `` line is a
  command, and the lines up to the next command are what it prints (standard output, then
  standard error). ``$ echo $?`` prints the exit status of the command before it; a command not
  followed by one must exit 0. ``tip-indicators`` runs in-process through
  :func:`tip_indicators.cli.main`, ``python3 scripts/dev.py`` through that script with its tools
  recorded instead of started, ``cat`` prints a file, and ``pip install`` is checked against
  ``pyproject.toml``. Any other command fails the test.
- A ``python`` block is a whole script, run by the project's interpreter from the repository
  root. A ``text`` block titled ``Output`` right after it is what the script prints; a script
  without one prints nothing.
- In expected output, a line ``...`` stands for any number of lines; timestamps and SHA-256
  digests match any timestamp and digest.
- ``yaml`` blocks (CI configuration) must parse, and every ``tip-indicators`` command in them must
  be accepted by the argument parser.
- Shell and Python appear only in such blocks: ``sh``, ``bash``, ``shell`` and ``pycon`` blocks
  are refused, since they would not be run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
import yaml

import tip_indicators
from tip_indicators import cli
from tip_indicators.findings import finding_codes
from tip_indicators.indicators import builtin_catalogue
from tip_indicators.render.json import report_schema

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFUSED_LANGUAGES = frozenset({"sh", "bash", "shell", "zsh", "pycon", "shell-session"})
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_TITLE = re.compile(r'title="(?P<title>[^"]*)"')
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


@attrs.frozen
class Block:
    """A fenced block of a documentation page: where it is, its language, title and text."""

    page: str
    line: int
    language: str
    title: str | None
    text: str

    @property
    def id(self) -> str:
        """``page.md:line``, the test id."""
        return f"{self.page}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """Every fenced block of one Markdown page, nested ones (in admonitions, tabs) included."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    page = path.relative_to(DOCS).as_posix()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent, marker, info = len(match["indent"]), match["fence"], match["info"].strip()
        closing = re.compile(rf"^ {{0,{indent + 3}}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            body.append(lines[end][indent:] if lines[end][:indent].strip() == "" else lines[end])
            end += 1
        title = _TITLE.search(info)
        language = info.split()[0] if info.split() else ""
        text = "\n".join(body) + "\n" if body else ""
        found.append(Block(page, index + 1, language, title["title"] if title else None, text))
        index = end + 1
    return found


def pages() -> list[Path]:
    """The Markdown pages of the site."""
    return sorted(DOCS.rglob("*.md"))


def all_blocks() -> list[Block]:
    """Every fenced block of every page."""
    return [block for page in pages() for block in blocks(page)]


def python_examples() -> list[tuple[Block, str]]:
    """Each ``python`` block with the output shown after it (empty when none is shown)."""
    found = []
    for page in pages():
        page_blocks = blocks(page)
        for number, block in enumerate(page_blocks):
            if block.language != "python":
                continue
            following = page_blocks[number + 1] if number + 1 < len(page_blocks) else None
            shown = ""
            if (
                following is not None
                and following.language == "text"
                and following.title == "Output"
                and _adjacent(page, block, following)
            ):
                shown = following.text
            found.append((block, shown))
    return found


def _adjacent(page: Path, first: Block, second: Block) -> bool:
    """Whether only blank lines separate two blocks of a page."""
    lines = page.read_text(encoding="utf-8").splitlines()
    end = first.line + first.text.count("\n")
    return all(not line.strip() for line in lines[end + 1 : second.line - 1])


# --------------------------------------------------------------------------- running examples


def _mask(text: str) -> str:
    return _DIGEST.sub("<sha256>", _TIME.sub("<time>", text))


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` output is what ``expected`` shows (``...`` lines, masks, no trailing
    white space)."""
    pattern = []
    for line in _mask(expected).splitlines():
        stripped = line.rstrip()
        pattern.append(r"(?:[^\n]*\n)*?" if stripped == "..." else re.escape(stripped) + r"\n")
    shown = "".join(line.rstrip() + "\n" for line in _mask(actual).splitlines())
    return re.fullmatch("".join(pattern), shown) is not None


@attrs.frozen
class Step:
    """One ``$`` command of a console block with the output shown under it."""

    command: str
    shown: str


def session(block: Block) -> list[Step]:
    """The commands of a console block and the output shown for each."""
    steps: list[Step] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:], ""))
        elif not steps:
            raise AssertionError(f"{block.id}: output before the first '$ ' command")
        else:
            steps[-1] = Step(steps[-1].command, steps[-1].shown + line + "\n")
    return steps


def _capture(run: Any, *args: Any) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = run(*args)
        except SystemExit as leave:
            status = leave.code if isinstance(leave.code, int) else (0 if leave.code is None else 1)
    return int(status or 0), out.getvalue() + err.getvalue()


def _dev_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "scripts" / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_dev(arguments: Sequence[str]) -> tuple[int, str]:
    """``python3 scripts/dev.py ...`` with tip-indicators run in-process and other tools recorded.

    The script's own logic (which task runs which tool) is what is tested; pytest, ruff, mypy and
    mkdocs are not started again from inside the test suite.
    """
    script = _dev_script()
    started: list[tuple[str, ...]] = []

    def run(*command: str) -> int:
        if command[0] == "tip-indicators":
            return cli.main(list(command[1:]))
        started.append(command)
        return 0

    vars(script)["_ensure_venv"] = lambda: None
    vars(script)["_run"] = run
    return _capture(script.main, list(arguments))


def check_pip(arguments: Sequence[str]) -> tuple[int, str]:
    """``pip install`` of this project, with extras that ``pyproject.toml`` defines."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert arguments[:1] == ["install"], f"pip {' '.join(arguments)}: only 'pip install' is shown"
    for requirement in arguments[1:]:
        match = re.fullmatch(r"(?P<name>[A-Za-z0-9_.-]+)(?:\[(?P<extras>[a-z,]+)\])?", requirement)
        assert match is not None, f"pip install {requirement}: not a requirement of this project"
        assert match["name"] == project["name"], f"pip install {requirement}: not this project"
        for extra in filter(None, (match["extras"] or "").split(",")):
            assert extra in project["optional-dependencies"], f"no extra {extra!r}"
    return 0, ""


def run_command(command: str, previous: int) -> tuple[int, str]:
    """Run one documented command; return its exit status and what it printed."""
    words = shlex.split(command)
    if words == ["echo", "$?"]:
        return previous, f"{previous}\n"
    if words[0] == "tip-indicators":
        return _capture(cli.main, words[1:])
    if words[0] == "cat" and len(words) == 2:
        return 0, (ROOT / words[1]).read_text(encoding="utf-8")
    if words[:2] == ["python3", "scripts/dev.py"]:
        return run_dev(words[2:])
    if words[0] == "pip":
        return check_pip(words[1:])
    raise AssertionError(f"cannot run {command!r}: not a command the docs tests know")


CONSOLE = [block for block in all_blocks() if block.language == "console"]


@pytest.mark.parametrize("block", CONSOLE, ids=[block.id for block in CONSOLE])
def test_console_example(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    """A console example prints what the page shows and exits as the page shows."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    steps = session(block)
    assert steps, f"{block.id}: a console block without a command"
    status = 0
    for number, step in enumerate(steps):
        if step.command == "echo $?":
            assert step.shown.strip() == str(status), f"{block.id}: {steps[number - 1].command}"
            continue
        status, printed = run_command(step.command, status)
        assert matches(step.shown, printed), (
            f"{block.id}: $ {step.command}\n--- shown\n{step.shown}--- printed\n{printed}"
        )
        follows = steps[number + 1].command if number + 1 < len(steps) else None
        if follows != "echo $?":
            assert status == 0, f"{block.id}: $ {step.command} exits {status}; show it: echo $?"


PYTHON = python_examples()


@pytest.mark.parametrize(("block", "shown"), PYTHON, ids=[block.id for block, _ in PYTHON])
def test_python_example(block: Block, shown: str) -> None:
    """A Python example runs and prints what the page shows after it."""
    result = subprocess.run(
        [sys.executable, "-c", block.text],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, f"{block.id}:\n{result.stderr}"
    assert matches(shown, result.stdout + result.stderr), (
        f"{block.id}:\n--- shown\n{shown}--- printed\n{result.stdout}{result.stderr}"
    )


def _strings(node: object, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string of a parsed YAML document with the mapping key it is under."""
    if isinstance(node, str):
        yield key, node
    elif isinstance(node, dict):
        for inner, value in node.items():
            yield from _strings(value, str(inner))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)


def yaml_commands(text: str) -> list[list[str]]:
    """The ``tip-indicators`` command lines inside a YAML document, as argument lists.

    A pre-commit ``entry`` gets the file name pre-commit appends to it.
    """
    found = []
    for key, value in _strings(yaml.safe_load(text)):
        for line in value.splitlines():
            start = line.find("tip-indicators ")
            if start < 0 or "pip install" in line:
                continue
            words = shlex.split(line[start:])[1:]
            found.append([*words, "submission.csv"] if key == "entry" else words)
    return found


YAML = [block for block in all_blocks() if block.language == "yaml"]


@pytest.mark.parametrize("block", YAML, ids=[block.id for block in YAML])
def test_yaml_example(block: Block) -> None:
    """A YAML example parses, and the command line accepts every tip-indicators call in it."""
    for arguments in yaml_commands(block.text):
        assert_accepted(arguments, block.id)


def assert_accepted(arguments: list[str], where: str) -> None:
    """Fail unless the command line's parser accepts ``tip-indicators ARGUMENTS``."""
    error = io.StringIO()
    with contextlib.redirect_stderr(error):
        try:
            cli._parser().parse_args(arguments)
        except SystemExit:
            pytest.fail(f"{where}: tip-indicators {' '.join(arguments)}: {error.getvalue()}")


def test_no_unrun_code() -> None:
    """No page shows shell or interactive Python that the tests would not run."""
    refused = [block.id for block in all_blocks() if block.language in REFUSED_LANGUAGES]
    assert refused == []


def test_matching_masks_volatile_parts_only() -> None:
    """Expected output matches across timestamps, digests and '...' lines, and nothing else."""
    digest = "0" * 64
    shown = f'"created": "2020-01-01T00:00:00+00:00"\n"sha256": "{digest}"\n...\nend\n'
    printed = f'"created": "2031-05-06T07:08:09+00:00"\n"sha256": "{"a" * 64}"\nx\ny\nend\n'
    assert matches(shown, printed)
    assert not matches(shown, printed.replace("end", "END"))
    assert not matches("a\n", "a\nb\n")


def test_console_session_reads_commands_and_output() -> None:
    """A console block splits into commands with the output shown under each."""
    block = Block("x.md", 1, "console", None, "$ cat a.csv\nx,y\n$ echo $?\n0\n")
    assert session(block) == [Step("cat a.csv", "x,y\n"), Step("echo $?", "0\n")]


# --------------------------------------------------------------------------- generated pages


def _load_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOKS = _load_hooks()


def test_every_finding_code_has_an_explanation() -> None:
    """The explanations file has exactly one entry per finding code, each complete."""
    notes = HOOKS.explanations()
    assert set(notes) == set(finding_codes())
    for code, note in notes.items():
        assert note.get("explanation", "").strip(), code
        assert note.get("fix", "").strip(), code
        examples = [key for key in ("example", "example_python", "example_text") if key in note]
        assert len(examples) == 1, code
        assert "profile" not in note or "example" in note, code


def _rate_indicators() -> list[str]:
    return [i.code for i in builtin_catalogue() if i.unit == "per_100k"]


@pytest.mark.parametrize("code", sorted(HOOKS.explanations()))
def test_finding_example_produces_its_code(code: str) -> None:
    """A finding code's example yields that code (rate codes, with no rate indicator, use words)."""
    note = HOOKS.explanations()[code]
    if "example" in note:
        _, report = HOOKS.run_example(note["example"], note.get("profile"))
        assert code in {finding.code for finding in report.findings}
    elif "example_python" in note:
        assert f" {code} " in HOOKS.run_script(note["example_python"])
    else:
        assert code in {"rate-bracket", "rate-sum"}
        assert _rate_indicators() == [], f"{code}: give it an example dataset"


def test_findings_page_lists_exactly_the_codes() -> None:
    """The finding-codes page has one section per code of finding_codes.tsv, anchored by code."""
    page = HOOKS.expand((DOCS / "reference" / "findings.md").read_text(encoding="utf-8"))
    anchors = re.findall(r"^## `([a-z0-9-]+)` \{#\1\}$", page, flags=re.MULTILINE)
    assert sorted(anchors) == sorted(finding_codes())
    assert len(anchors) == len(set(anchors))


def test_every_public_name_is_documented() -> None:
    """Every name in tip_indicators.__all__ is exported, and so rendered, by a module's API page."""
    modules = set(HOOKS.public_modules())
    for name in tip_indicators.__all__:
        if name == "__version__":
            continue
        home = HOOKS.documented_in(name)
        assert home in modules, name
        assert not HOOKS.is_index(home), name
        assert name in importlib.import_module(home).__all__, name
        assert f"::: {home}\n" in HOOKS.api_page(home), name


def test_every_public_module_has_an_api_page() -> None:
    """Each module file outside _private, not _-prefixed, gets an API page."""
    source = ROOT / "src"
    expected = set()
    for path in (source / "tip_indicators").rglob("*.py"):
        parts = path.relative_to(source).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not any(part.startswith("_") for part in parts):
            expected.add(".".join(parts))
    assert set(HOOKS.public_modules()) == expected
    for module in expected:
        assert f"::: {module}" in HOOKS.api_page(module)


def test_cli_reference_covers_every_command_and_option() -> None:
    """The CLI page shows every subcommand and every option string of the parser."""
    page = HOOKS.cli_markdown()
    parser = cli._parser()
    for name, (subparser, _) in HOOKS.subcommands(parser).items():
        assert f"## `tip-indicators {name}`" in page
        for action in subparser._actions:
            for option in action.option_strings:
                assert f"`{option}`" in page, (name, option)
    assert "`--version`" in page


def test_every_output_format_is_described() -> None:
    """Each --format choice of validate has a description on the CI guide."""
    table = HOOKS.formats_markdown()
    for choice in HOOKS.format_choices():
        assert f"| `{choice}` |" in table


def test_ci_recipes_parse() -> None:
    """Each CI recipe shown for an offered format is YAML whose commands the parser accepts."""
    offered = HOOKS.format_choices()
    for fmt, (_, _, recipe) in HOOKS.CI_SNIPPETS.items():
        if fmt in offered:
            commands = yaml_commands(recipe)
            assert commands, fmt
            for arguments in commands:
                assert_accepted(arguments, f"CI recipe for --format {fmt}")


def test_report_schema_page_shows_the_schema() -> None:
    """The JSON report page embeds report_schema() and a table for each of its models."""
    import json

    page = HOOKS.report_schema_markdown()
    schema = report_schema()
    assert json.dumps(schema, indent=2, ensure_ascii=False) in page
    for name in schema.get("$defs", {}):
        assert f"### {name} {{#{name.lower()}}}" in page


def test_catalogue_page_lists_every_indicator_and_dimension() -> None:
    """The catalogue page has a section per indicator and a row per dimension."""
    page = HOOKS.catalogue_markdown()
    catalogue = builtin_catalogue()
    for indicator in catalogue:
        assert f"### `{indicator.code}` {{#{indicator.code}}}" in page
    for dimension in catalogue.dimensions:
        assert f"| `{dimension}` |" in page


def test_codelists_page_lists_every_code() -> None:
    """The codelists page shows every code of every built-in codelist."""
    from tip_indicators.codelists import codelist, codelist_names

    page = HOOKS.codelists_markdown()
    for name in codelist_names():
        assert f"{{#{name}}}" in page
        for item in codelist(name):
            assert f"| `{item.code}` |" in page, (name, item.code)


def test_unknown_directive_is_refused() -> None:
    """A page asking for a generator that does not exist stops the build."""
    with pytest.raises(ValueError, match="unknown directive 'nothing'"):
        HOOKS.expand("<!-- generate: nothing -->\n")


def test_nav_and_pages_agree() -> None:
    """Every page is in the nav, and every nav entry is a page (written or generated)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def entries(items: list[Any]) -> Iterator[str]:
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                for value in item.values():
                    yield from entries(value) if isinstance(value, list) else [value]

    listed = set(entries(config["nav"]))
    written = {page.relative_to(DOCS).as_posix() for page in pages()}
    generated = {HOOKS.api_path(module) for module in HOOKS.public_modules()}
    assert written - listed == set()
    assert listed - written - generated == set()


def test_changelog_lists_the_current_version_first() -> None:
    """CHANGELOG.md starts, newest first, with the version the package reports."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\S+)", text, flags=re.MULTILINE)
    assert versions[:1] == [tip_indicators.__version__]
