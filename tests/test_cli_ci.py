"""Tests of the command line in CI pipelines: report formats, folders, schemas, exit status."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from tip_indicators import cli
from tip_indicators.cli._validate import INPUT_FORMATS as CLI_INPUT_FORMATS
from tip_indicators.cli._validate import REPORT_FORMATS
from tip_indicators.io.readers import INPUT_FORMATS

ROOT = Path(__file__).parent.parent
DATA = ROOT / "tests" / "data"
SUBMISSIONS = DATA / "submissions"
BAD = "submissions/bad/cwcc-2010.csv"
GOOD = "submissions/good/afesip-2010.yaml"
COMMAND = re.compile(r"^::(error|warning|notice) file=([^,]*),line=(\d+),title=([^:,]*)::(.*)$")


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tests/data, so that reports name the submissions by relative path."""
    monkeypatch.chdir(DATA)
    return DATA


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line; return the exit status, standard output and standard error."""
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err: str, *fragments: str) -> None:
    """Standard error is one line starting with the program name, holding every fragment."""
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert err.startswith("tip-indicators")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


def test_folder_with_a_bad_submission_fails(
    in_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Validating the folder exits 1 and annotates the bad row with its file, line and code."""
    status, out, err = run(capsys, "validate", "submissions", "--format", "github")
    assert (status, err) == (1, "")
    annotations = [COMMAND.match(line) for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == 1
    match = annotations[0]
    assert match is not None
    assert match.group(1, 2, 3, 4) == ("error", BAD, "2", "partition-exceeds")
    assert "more than the total 50 by 20" in match.group(5)


def test_folder_junit_has_a_failing_and_a_passing_suite(
    in_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The JUnit file written with -o has the bad file's suite failing and the good one passing."""
    target = tmp_path / "junit.xml"
    status, out, _ = run(capsys, "validate", "submissions", "--format", "junit", "-o", str(target))
    assert (status, out) == (1, "")
    root = ET.parse(target).getroot()
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == [BAD, GOOD]
    assert suites[BAD].get("failures") == "1"
    assert suites[GOOD].get("failures") == "0"
    assert int(suites[GOOD].get("tests", "0")) >= 1
    failure = suites[BAD].find("testcase/failure")
    assert failure is not None
    assert failure.get("type") == "partition-exceeds"


def test_folder_sarif_is_valid(in_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SARIF printed for the folder validates against the SARIF 2.1.0 schema."""
    schema = json.loads((DATA / "sarif-2.1.0-schema.json").read_text(encoding="utf-8"))
    status, out, _ = run(capsys, "validate", "submissions", "--format", "sarif")
    assert status == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(log)
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == (BAD, 2)


def test_good_submission_alone_passes(in_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A consistent submission exits 0 in every format."""
    for form in REPORT_FORMATS:
        status, _, err = run(capsys, "validate", "submissions/good", "--format", form)
        assert (form, status, err) == (form, 0, "")


def test_folder_is_walked_recursively_in_sorted_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Inputs are found in subfolders, sorted, by suffix; hidden entries and other files are not."""
    source = (SUBMISSIONS / "bad" / "cwcc-2010.csv").read_text(encoding="utf-8")
    names = ["z.csv", "b/y.CSV", "a/x.csv", ".hidden/h.csv", "a/.h.csv", "notes.txt"]
    for number, name in enumerate(names):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source.replace("NGO.CWCC", f"NGO.ORG{number}"), "utf-8")
    status, out, _ = run(capsys, "validate", str(tmp_path), "--format", "json")
    assert status == 1
    paths = [item["path"] for item in json.loads(out)["inputs"]]
    expected = [tmp_path / "a" / "x.csv", tmp_path / "b" / "y.CSV", tmp_path / "z.csv"]
    assert paths == [str(path) for path in expected]


def test_symlink_loop_is_visited_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A link from a subfolder back to the top neither hangs nor reads a file twice."""
    shutil.copy(SUBMISSIONS / "good" / "afesip-2010.yaml", tmp_path / "a.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "sub" / "self").symlink_to(tmp_path / "sub" / "self")
    status, out, err = run(capsys, "validate", str(tmp_path), "--format", "json")
    assert (status, err) == (0, "")
    report = json.loads(out)
    assert [item["path"] for item in report["inputs"]] == [str(tmp_path / "a.yaml")]
    assert report["summary"]["observations"] == 3


def test_file_included_by_a_document_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder holding a document and the CSV file it includes yields each figure once."""
    shutil.copy(SUBMISSIONS / "bad" / "cwcc-2010.csv", tmp_path / "figures.csv")
    (tmp_path / "dataset.yaml").write_text("title: CWCC 2010\nfiles: [figures.csv]\n", "utf-8")
    status, out, _ = run(capsys, "validate", str(tmp_path), "--format", "json")
    assert status == 1
    report = json.loads(out)
    assert report["summary"]["observations"] == 3
    assert [f["code"] for f in report["findings"]] == ["partition-exceeds"]


def test_same_file_named_twice_is_read_once(
    in_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named directly and through its folder is one input, not a duplicate of itself."""
    status, out, _ = run(capsys, "validate", BAD, "submissions/bad", "--format", "json")
    assert status == 1
    report = json.loads(out)
    assert [item["path"] for item in report["inputs"]] == [BAD]
    assert "duplicate-identical" not in {f["code"] for f in report["findings"]}


def test_output_option_writes_the_report(
    in_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o writes the report to the file and nothing to standard output."""
    target = tmp_path / "report.json"
    status, out, _ = run(capsys, "validate", BAD, "--format", "json", "--output", str(target))
    assert (status, out) == (1, "")
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["errors"] == 1


def test_fail_on_sets_the_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A warning fails the run only when --fail-on is warning or info."""
    path = tmp_path / "short.csv"
    path.write_text(
        "indicator,period,reporter,sex,value\n"
        "victims_received,2010,NGO.CWCC,,100\n"
        "victims_received,2010,NGO.CWCC,F,60\n"
        "victims_received,2010,NGO.CWCC,M,30\n",
        "utf-8",
    )
    statuses = [
        run(capsys, "validate", str(path), "--fail-on", level)[0]
        for level in ("error", "warning", "info")
    ]
    assert statuses == [0, 1, 1]


def test_input_format_is_passed_to_the_reader(
    in_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--input-format long-csv reads a YAML document as CSV, which cannot work (exit 2)."""
    assert run(capsys, "validate", GOOD, "--input-format", "document")[0] == 0
    status, out, err = run(capsys, "validate", GOOD, "--input-format", "long-csv")
    assert (status, out) == (2, "")
    assert_one_line_error(err, GOOD)


def test_input_format_choices_are_the_readers() -> None:
    """The --input-format choices are exactly the formats the readers know."""
    assert CLI_INPUT_FORMATS == INPUT_FORMATS


def test_dataset_schema_accepts_a_document(capsys: pytest.CaptureFixture[str]) -> None:
    """`schema dataset` prints a JSON Schema that accepts the good submission and rejects junk."""
    status, out, _ = run(capsys, "schema", "dataset")
    assert status == 0
    schema = json.loads(out)
    validator = jsonschema.Draft202012Validator(schema)
    document = yaml.safe_load((SUBMISSIONS / "good" / "afesip-2010.yaml").read_text("utf-8"))
    validator.validate(document)
    assert not validator.is_valid({"observations": [], "unexpected": 1})


def test_report_schema_accepts_a_report(in_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`schema report` prints the JSON Schema that the JSON report of a run satisfies."""
    status, out, _ = run(capsys, "schema", "report")
    assert status == 0
    schema = json.loads(out)
    _, report, _ = run(capsys, "validate", "submissions", "--format", "json")
    jsonschema.Draft202012Validator(schema).validate(json.loads(report))


def test_schema_can_be_written_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`schema report -o FILE` writes the schema to the file."""
    target = tmp_path / "report.schema.json"
    assert run(capsys, "schema", "report", "-o", str(target)) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8"))["type"] == "object"


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["validate", "no/such/file.csv"], ["no/such/file.csv", "no such file"]),
        (["validate"], ["required"]),
        (["validate", "x.csv", "--format", "xml"], ["invalid choice", "xml"]),
        (["validate", "x.csv", "--fail-on", "fatal"], ["invalid choice"]),
        (["validate", "x.csv", "--input-format", "parquet"], ["invalid choice"]),
        (["schema", "catalogue"], ["invalid choice"]),
        (["frobnicate"], ["invalid choice"]),
        ([], ["required"]),
    ],
)
def test_misuse_is_one_line_and_exit_2(
    argv: list[str], fragments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing path or a malformed command exits 2 with one line on standard error."""
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert_one_line_error(err, *fragments)


def test_empty_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder without inputs exits 2 and says so in one line."""
    (tmp_path / "readme.txt").write_text("no figures here", "utf-8")
    status, out, err = run(capsys, "validate", str(tmp_path))
    assert (status, out) == (2, "")
    assert_one_line_error(err, str(tmp_path), "no input file")


def test_unreadable_link_in_a_folder_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dangling link named like an input exits 2 naming it, rather than being skipped."""
    (tmp_path / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    status, _, err = run(capsys, "validate", str(tmp_path))
    assert status == 2
    assert_one_line_error(err, "gone.csv")


def test_unwritable_output_is_an_input_error(
    in_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output file in a missing folder exits 2 with one line naming it."""
    target = tmp_path / "missing" / "report.xml"
    status, _, err = run(capsys, "validate", GOOD, "--format", "junit", "-o", str(target))
    assert status == 2
    assert_one_line_error(err, str(target), "cannot write")


def test_unexpected_failure_is_one_line(
    in_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An internal error exits 2 with one line, no traceback, unless debugging is asked for."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine\nfailure")

    monkeypatch.delenv("TIP_INDICATORS_DEBUG", raising=False)
    monkeypatch.setattr(sys.modules["tip_indicators.check"], "check", broken)
    status, _, err = run(capsys, "validate", GOOD)
    assert status == 2
    assert_one_line_error(err, "internal error: RuntimeError: engine failure")
    monkeypatch.setenv("TIP_INDICATORS_DEBUG", "1")
    with pytest.raises(RuntimeError, match="engine"):
        cli.main(["validate", GOOD])


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    """--version and the commands' --help answer on standard output with exit status 0."""
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.startswith("tip-indicators ")
    status, out, _ = run(capsys, "validate", "--help")
    assert status == 0
    for option in ("--format", "--fail-on", "--input-format", "--output"):
        assert option in out
    status, out, _ = run(capsys, "aggregate", "--help")
    assert status == 0
    assert "--by" in out


def test_text_report_is_plain_when_not_a_terminal(
    in_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text report names the file and line of the bad row and holds no colour codes."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    status, out, _ = run(capsys, "validate", "submissions")
    assert status == 1
    assert "\033[" not in out
    lines = out.splitlines()
    assert lines[0] == BAD
    assert lines[1].startswith("  error: line 2: ")
    assert lines[-1].endswith("1 error, 0 warnings, 0 infos")


def example_commands(path: Path) -> list[list[str]]:
    """The arguments of every ``tip-indicators`` command in a CI example's scripts."""
    found: list[list[str]] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
        elif isinstance(node, str):
            for line in node.splitlines():
                command = line.split("||")[0].split("#")[0].strip()
                if command.startswith("tip-indicators "):
                    found.append(shlex.split(command)[1:])

    visit(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_examples_run_and_write_their_reports(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each command of a CI example runs on a copy of the submissions and finds the bad one."""
    shutil.copytree(SUBMISSIONS, tmp_path / "submissions")
    monkeypatch.chdir(tmp_path)
    commands = example_commands(ROOT / "examples" / "ci" / name)
    assert {"junit", "sarif"} <= {
        argv[argv.index("--format") + 1] for argv in commands if "--format" in argv
    }
    for argv in commands:
        assert argv[:2] == ["validate", "submissions"]
        assert run(capsys, *argv)[0] == 1
    suites = ET.parse(tmp_path / "tip-indicators.xml").getroot().iter("testsuite")
    assert [suite.get("failures") for suite in suites] == ["1", "0"]
    log = json.loads((tmp_path / "tip-indicators.sarif").read_text(encoding="utf-8"))
    assert [result["ruleId"] for result in log["runs"][0]["results"]] == ["partition-exceeds"]


def test_pre_commit_hook_runs_the_validator(
    in_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pre-commit hook calls the installed command on the whole submissions folder when an
    input changes (hidden files aside), not on the changed files alone."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"]) == ("tip-indicators", "python")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    program, *arguments = hook["entry"].split()
    assert scripts[program] == "tip_indicators_launcher:run"
    wanted = ["a.csv", "b/c.yaml", "d.yml", "e.json"]
    unwanted = ["f.txt", "g.csv.bak", ".pre-commit-config.yaml", ".github/workflows/ci.yml"]
    included = re.compile(hook["files"])
    excluded = re.compile(hook["exclude"])
    picked = [
        path for path in wanted + unwanted if included.search(path) and not excluded.search(path)
    ]
    assert picked == wanted
    assert hook["pass_filenames"] is False
    assert hook["args"] == ["submissions/"]
    assert run(capsys, *arguments, *hook["args"])[0] == 1
