"""Tests for tip_indicators.cli: the command line run in-process, its output and exit status."""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

import tip_indicators
from support import CORE_UNITS, HEADER, WriteFile
from tip_indicators import __version__
from tip_indicators.cli import main
from tip_indicators.cli._shared import emit
from tip_indicators.render.json import report_schema

ROW = "victims_identified,2010,GOV.MOSVY"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command line; return the exit status, standard output and standard error."""
    try:
        status = main(argv)
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 2
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_error(err: str, *parts: str) -> None:
    """Standard error is a single line naming ``parts``, and no traceback."""
    assert "Traceback" not in err
    assert err.endswith("\n")
    assert len(err.splitlines()) == 1, err
    for part in parts:
        assert part in err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the tool name and version and exits 0."""
    status, out, _ = run(["--version"], capsys)
    assert (status, out) == (0, f"tip-indicators {__version__}\n")


def test_catalogue_json_lists_core_indicators(capsys: pytest.CaptureFixture[str]) -> None:
    """catalogue --format json lists every core indicator with its unit and dimensions."""
    status, out, _ = run(["catalogue", "--format", "json"], capsys)
    assert status == 0
    document = json.loads(out)
    indicators = {item["code"]: item for item in document["indicators"]}
    assert {code: indicators[code]["unit"] for code in CORE_UNITS} == CORE_UNITS
    victims = {
        d["dimension"]: d["partitions"] for d in indicators["victims_identified"]["dimensions"]
    }
    assert (victims["sex"], victims["exploitation"]) == (True, False)
    assert indicators["cases_investigated"]["dimensions"]
    assert "sex" not in {d["dimension"] for d in indicators["cases_investigated"]["dimensions"]}
    assert {"sex", "age", "destination", "case_status"} <= {d["id"] for d in document["dimensions"]}
    sex = next(c for c in document["codelists"] if c["id"] == "sex")
    assert {"F", "M", "_T"} <= {c["code"] for c in sex["codes"]}


def test_catalogue_text_lists_codes_with_units(capsys: pytest.CaptureFixture[str]) -> None:
    """The text catalogue has a line per indicator with its unit, then its breakdowns."""
    status, out, _ = run(["catalogue"], capsys)
    assert status == 0
    assert "businesses_closed [establishment]" in out
    assert "exploitation (overlapping)" in out


def test_clean_file_exits_zero(write_file: WriteFile, capsys: pytest.CaptureFixture[str]) -> None:
    """A file without error findings exits 0 and reports its observations."""
    path = write_file("clean.csv", f"{HEADER},sex\n{ROW},4,F\n{ROW},5,M\n")
    status, out, err = run(["validate", str(path)], capsys)
    assert (status, err) == (0, "")
    assert "2 observations" in out
    assert "0 errors" in out


@pytest.mark.parametrize(("name", "count"), [("valid.csv", 9), ("dataset.yaml", 11)])
def test_golden_valid_inputs_exit_zero(
    fixtures: Path, capsys: pytest.CaptureFixture[str], name: str, count: int
) -> None:
    """The golden valid file and document validate with exit status 0."""
    status, out, _ = run(["validate", str(fixtures / name)], capsys)
    assert status == 0
    assert f"{count} observations" in out


@pytest.mark.parametrize(
    "case",
    [
        (f"{ROW},4,Female ", "sex", "unknown-code"),
        ("victim_identified,2010,GOV.MOSVY,4,", "indicator", "unknown-indicator"),
        (f"{ROW},12 345,", "value", "unreadable-value"),
        (f"{ROW},6,", "value", "duplicate-conflict"),
    ],
)
def test_finding_exits_one_naming_file_line_and_column(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str], case: tuple[str, str, str]
) -> None:
    """An unknown code, unreadable value or conflicting duplicate exits 1 at file, line, column."""
    row, column, code = case
    line = 3
    path = write_file("bad.csv", f"{HEADER},sex\n{ROW},5,\n{row}\n")
    status, out, err = run(["validate", str(path)], capsys)
    assert (status, err) == (1, "")
    finding = next(text for text in out.splitlines() if f"[{code}]" in text)
    assert str(path) in out.splitlines()[0]
    assert f"line {line}: {column}: " in finding

    status, out, _ = run(["validate", "--format", "json", str(path)], capsys)
    assert status == 1
    found = [f for f in json.loads(out)["findings"] if f["code"] == code]
    assert [f["location"] for f in found] == [{"path": str(path), "line": line, "field": column}]


def test_unknown_column_exits_two_naming_file_line_and_column(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown column is an input error: exit 2 with one line naming file, line and column."""
    path = write_file("cols.csv", f"{HEADER},gender\n{ROW},4,F\n")
    status, out, err = run(["validate", str(path)], capsys)
    assert (status, out) == (2, "")
    assert_one_line_error(err, f"{path}:1", "unknown column 'gender'")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", "", "empty file"),
        ("noreporter.csv", "indicator,period,value\nvictims_identified,2010,4\n", "reporter"),
        ("semicolons.csv", "indicator;period;reporter;valeur\n", "split by ;"),
        ("latin1.csv", f"{HEADER},note\n{ROW},4,Café\n".encode("latin-1"), "not UTF-8"),
        ("bomb.yaml", "a: &a [x]\nb: *a\n", "anchors and aliases"),
    ],
)
def test_unreadable_input_exits_two_with_one_line(
    write_file: WriteFile,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes,
    reason: str,
) -> None:
    """An input that cannot be read exits 2 with a one-line reason naming it, no traceback."""
    path = write_file(name, content)
    status, out, err = run(["validate", str(path)], capsys)
    assert (status, out) == (2, "")
    assert_one_line_error(err, str(path), reason)


def test_missing_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that does not exist exits 2 with a one-line reason."""
    path = tmp_path / "absent.csv"
    status, out, err = run(["validate", str(path)], capsys)
    assert (status, out) == (2, "")
    assert_one_line_error(err, str(path))


@pytest.mark.parametrize(
    "argv", [["validate"], ["frobnicate"], [], ["validate", "--format", "xml", "x.csv"]]
)
def test_misuse_exits_two_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing argument, an unknown command or option value exits 2 with one line."""
    status, out, err = run(argv, capsys)
    assert (status, out) == (2, "")
    assert_one_line_error(err, "error:")


def test_json_output_follows_the_schema(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format json prints one JSON object valid under the published schema."""
    path = write_file("bad.csv", f"{HEADER},sex\n{ROW},4,f\n{ROW},x,M\n")
    status, out, _ = run(["validate", "--format", "json", str(path)], capsys)
    assert status == 1
    document = json.loads(out)
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    assert document["inputs"][0]["path"] == str(path)
    assert document["summary"]["errors"] == 2


def test_fail_on_warning_makes_warnings_fail(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    """A warning passes by default and fails with --fail-on warning."""
    path = write_file("twice.csv", f"{HEADER}\n{ROW},4\n{ROW},4\n")
    assert run(["validate", str(path)], capsys)[0] == 0
    assert run(["validate", "--fail-on", "warning", str(path)], capsys)[0] == 1


def test_output_option_writes_the_report_to_a_file(
    write_file: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o writes the report to the file instead of standard output."""
    path = write_file("clean.csv", f"{HEADER}\n{ROW},4\n")
    target = tmp_path / "report.json"
    status, out, _ = run(["validate", "--format", "json", "-o", str(target), str(path)], capsys)
    assert (status, out) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["observations"] == 1


def test_unwritable_output_exits_two(
    write_file: WriteFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report that cannot be written exits 2 with a one-line reason."""
    path = write_file("clean.csv", f"{HEADER}\n{ROW},4\n")
    target = tmp_path / "no" / "such" / "folder" / "report.txt"
    status, _, err = run(["validate", "-o", str(target), str(path)], capsys)
    assert status == 2
    assert_one_line_error(err, "cannot write")


def test_several_inputs_are_checked_together(
    write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    """Findings of every input are reported, each under its own file."""
    good = write_file("good.csv", f"{HEADER}\n{ROW},4\n")
    bad = write_file("bad.csv", f"{HEADER}\n{ROW},x\n")
    status, out, _ = run(["validate", "--format", "json", str(good), str(bad)], capsys)
    assert status == 1
    document = json.loads(out)
    assert [i["path"] for i in document["inputs"]] == [str(good), str(bad)]
    assert [f["location"]["path"] for f in document["findings"]] == [str(bad)]


def test_a_file_name_that_is_not_utf8_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file whose name has a byte that is not UTF-8 (the name reaches Python with a lone
    surrogate) is checked and named in the report like any other."""
    path = tmp_path / os.fsdecode(b"g\xff.csv")
    path.write_text(f"{HEADER}\n{ROW},10\n{ROW},3,9\n", encoding="utf-8")
    status, out, err = run(["validate", str(path)], capsys)
    assert (status, err) == (1, "")
    assert "line 3: row has 5 fields, the header has 4 [row-shape]" in out
    status, out, err = run(["validate", "--format", "json", str(path)], capsys)
    assert (status, err) == (1, "")
    assert "row-shape" in out
    # In a report file too: the name's undecodable byte is a JSON escape, read back as it was.
    report = tmp_path / "report.json"
    status, out, err = run(["validate", "--format", "json", "-o", str(report), str(path)], capsys)
    assert (status, out, err) == (1, "", "")
    document = json.loads(report.read_bytes().decode("utf-8"))
    assert [item["path"] for item in document["inputs"]] == [str(path)]
    assert {finding["location"]["path"] for finding in document["findings"]} == {str(path)}


def test_output_in_pieces_is_written_whole_and_only_once_made(tmp_path: Path) -> None:
    """Output given in pieces reaches the file in order, then the ending; pieces that fail to
    be made (a report that cannot be rendered) leave no file behind."""
    target = tmp_path / "report.json"
    emit(iter(["{", '"a": "é"', "}"]), str(target), end="\n")
    assert target.read_text(encoding="utf-8") == '{"a": "é"}\n'

    def failing() -> Iterator[str]:
        raise RuntimeError("cannot render")
        yield ""

    other = tmp_path / "other.json"
    with pytest.raises(RuntimeError):
        emit(failing(), str(other))
    assert not other.exists()


COMMAND_LINE = {"tip_indicators.cli"} | {
    f"tip_indicators.cli.{path.stem}"
    for path in (Path(tip_indicators.__file__).parent / "cli").glob("_*.py")
    if path.stem != "__init__"
}


def _imported_modules(path: Path) -> set[str]:
    """The modules a source file imports, anywhere in it (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            found.add(node.module)
    return found


def test_only_the_command_line_imports_argparse_or_the_commands() -> None:
    """Outside the command line, no module imports argparse or a command module: layers point
    down, from the program to the library."""
    source = Path(tip_indicators.__file__).parent
    offenders = []
    for path in sorted(source.rglob("*.py")):
        parts = path.relative_to(source.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module not in COMMAND_LINE and not module.startswith("tip_indicators.cli."):
            wrong = _imported_modules(path) & (COMMAND_LINE | {"argparse"})
            offenders += [f"{module} imports {name}" for name in sorted(wrong)]
    assert offenders == []
