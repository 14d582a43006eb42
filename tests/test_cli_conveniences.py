"""CI conveniences of ``validate``: several reports in one run, a GitHub step summary and capped
annotations, selecting and ignoring findings, a baseline of accepted findings, and a batch that
goes on past an unreadable input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tip_indicators as ti
from strategies import Defect, defects
from tip_indicators import cli
from tip_indicators.errors import ArgumentError
from tip_indicators.render.json import report_data, report_schema

DATA = Path(__file__).parent / "data"
BAD = DATA / "submissions" / "bad" / "cwcc-2010.csv"
GOOD = DATA / "submissions" / "good" / "afesip-2010.yaml"
WORKED = Path(__file__).parent.parent / "examples" / "cambodia-2010" / "report-2010.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = cli.main([str(item) for item in argv])
    out, err = capsys.readouterr()
    return status, out, err


def _many_errors(path: Path, reporters: int) -> Path:
    """A long CSV where each reporter's sex parts exceed their total: one error each."""
    rows = [
        f"victims_received,2010,GOV.R{n},{sex},{value}"
        for n in range(reporters)
        for sex, value in (("_T", 10), ("F", 6), ("M", 6))
    ]
    path.write_text("indicator,period,reporter,sex,value\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def test_one_run_writes_every_requested_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys,
        "validate",
        BAD,
        "--output-format",
        f"json={tmp_path / 'report.json'}",
        "--output-format",
        f"sarif={tmp_path / 'report.sarif'}",
        "--output-format",
        f"junit={tmp_path / 'report.xml'}",
    )
    assert (status, err) == (1, "")
    assert "[partition-exceeds]" in out  # the text report, on the terminal
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    jsonschema.validate(data, report_schema())
    assert [f["code"] for f in data["findings"]] == ["partition-exceeds"]
    sarif = json.loads((tmp_path / "report.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["results"][0]["ruleId"] == "partition-exceeds"
    assert ET.parse(tmp_path / "report.xml").getroot().get("failures") == "1"


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("json", "is not FORMAT=FILE"),
        ("yaml=out.yaml", "unknown format 'yaml'"),
        ("json=", "is not FORMAT=FILE"),
    ],
)
def test_a_malformed_output_format_is_a_one_line_error(
    spec: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "validate", BAD, "--output-format", spec)
    assert (status, out) == (2, "")
    assert fragment in err
    assert err.count("\n") == 1


def test_two_reports_to_one_file_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.json"
    status, _, err = run(capsys, "validate", BAD, "-o", target, "--output-format", f"json={target}")
    assert status == 2
    assert "same file" in err
    assert not target.exists()


def test_github_caps_annotations_and_writes_a_step_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", "utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    data = _many_errors(tmp_path / "many.csv", 120)
    status, out, _ = run(capsys, "validate", data, "--format", "github", "--max-annotations", "7")
    assert status == 1
    annotations = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(annotations) == 7
    assert "::notice title=tip-indicators::113 more findings are not annotated" in out
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n## tip-indicators")
    assert "**120 errors**" in text
    assert "| partition-exceeds | 120 | 0 | 0 |" in text
    assert "| GOV.R0 | 1 | 0 | 0 |" in text
    assert "| … 100 more | | | |" in text


def test_github_annotates_fifty_findings_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    status, out, _ = run(
        capsys, "validate", _many_errors(tmp_path / "m.csv", 60), "--format", "github"
    )
    assert status == 1
    assert sum(line.startswith("::error") for line in out.splitlines()) == 50
    assert "10 more findings are not annotated" in out


def test_a_long_text_report_ends_with_counts_by_code_and_reporter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "validate", _many_errors(tmp_path / "m.csv", 30))
    lines = out.splitlines()
    counts = lines.index("findings by code:")
    assert lines[counts + 1].split() == ["30", "partition-exceeds", "(30", "errors)"]
    assert lines[counts + 2] == "findings by reporter (10 of 30 shown):"
    assert lines[-1].endswith("30 errors, 0 warnings, 0 infos")


def test_select_and_ignore_choose_findings_and_the_exit_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "validate", WORKED, "--format", "json", "--select", "change")
    assert status == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["change-mismatch"]
    status, out, _ = run(
        capsys,
        "validate",
        WORKED,
        "--format",
        "json",
        "--ignore",
        "change-mismatch,percent-change",
    )
    assert status == 0
    assert [f["code"] for f in json.loads(out)["findings"]] == ["derived-value"]
    assert json.loads(out)["summary"]["errors"] == 0


def test_an_unknown_code_to_select_is_refused_with_a_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "validate", WORKED, "--select", "partiton")
    assert (status, out) == (2, "")
    assert "did you mean 'partition'?" in err


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(equality_only=False), st.data())
def test_selection_keeps_exactly_the_named_codes(defect: Defect, data: st.DataObject) -> None:
    report = ti.check(ti.parse_long_csv(defect.text(), path="case.csv"))
    codes = sorted({f.code for f in report.findings})
    chosen = data.draw(st.lists(st.sampled_from(codes), unique=True)) if codes else []
    ignored = data.draw(st.lists(st.sampled_from(codes), unique=True)) if codes else []
    kept = report.filtered(select=chosen, ignore=ignored).findings
    assert kept == tuple(
        f for f in report.findings if (not chosen or f.code in chosen) and f.code not in ignored
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(equality_only=False))
def test_a_report_is_its_own_baseline(defect: Defect) -> None:
    report = ti.check(ti.parse_long_csv(defect.text(), path="case.csv"))
    assert report.filtered(baseline=report).findings == ()
    assert report.filtered(baseline=report_data(report)).findings == ()
    assert report.filtered(baseline={"findings": []}).findings == report.findings


def test_a_finding_known_twice_in_the_baseline_is_new_the_third_time() -> None:
    text = "indicator,period,reporter,sex,value\n" + "".join(
        f"victims_received,2010,GOV.X,{sex},{value}\n" for sex, value in (("_T", 1), ("F", 6))
    )
    report = ti.check(ti.parse_long_csv(text, path="a.csv"))
    (finding,) = report.findings
    known = report_data(report)
    tripled = ti.Report([finding, finding, finding], inputs=report.inputs)
    known["findings"] = known["findings"] * 2
    assert tripled.filtered(baseline=known).findings == (finding,)


def test_a_baseline_fails_only_new_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data.csv"
    data.write_text(BAD.read_text("utf-8"), "utf-8")
    baseline = tmp_path / "baseline.json"
    assert run(capsys, "validate", data, "-o", baseline, "--format", "json")[0] == 1
    status, out, _ = run(capsys, "validate", data, "--baseline", baseline, "--format", "json")
    assert status == 0
    assert json.loads(out)["findings"] == []
    # A new error, on rows added above the known one (which moves down), is the only one.
    lines = data.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    row = dict.fromkeys(header, "")
    row |= {"indicator": "victims_received", "period": "2011", "reporter": "NGO.NEW"}
    new = [
        ",".join({**row, "sex": sex, "value": value}.get(c, "") for c in header)
        for sex, value in (("_T", "5"), ("F", "9"))
    ]
    data.write_text("\n".join([lines[0], *new, *lines[1:]]) + "\n", "utf-8")
    status, out, _ = run(capsys, "validate", data, "--baseline", baseline, "--format", "json")
    assert status == 1
    findings = json.loads(out)["findings"]
    assert len(findings) == 1
    assert findings[0]["observations"][0]["reporter"] == "NGO.NEW"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "cannot read the baseline"), ("[1, 2]", "not a JSON report"), ("{", "not a JSON")],
)
def test_an_unreadable_baseline_is_a_one_line_error(
    content: str | None, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content, "utf-8")
    status, out, err = run(capsys, "validate", BAD, "--baseline", baseline)
    assert (status, out) == (2, "")
    assert fragment in err


def test_a_malformed_baseline_given_to_the_library_is_an_argument_error() -> None:
    report = ti.check(ti.read_dataset(WORKED))
    with pytest.raises(ArgumentError, match="baseline"):
        report.filtered(baseline={"findings": [{"message": "no code"}]})


def test_an_unreadable_input_is_a_finding_and_the_others_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("indicator,period,reporter,valeu\n", "utf-8")
    missing = tmp_path / "missing.csv"
    report = tmp_path / "report.json"
    status, out, err = run(
        capsys, "validate", broken, BAD, missing, GOOD, "--output-format", f"json={report}"
    )
    assert status == 2
    assert err.count("\n") == 2
    assert str(broken) in err
    assert str(missing) in err
    assert "[partition-exceeds]" in out
    data = json.loads(report.read_text("utf-8"))
    unreadable = [f for f in data["findings"] if f["code"] == "unreadable-input"]
    assert sorted(f["location"]["path"] for f in unreadable) == sorted([str(broken), str(missing)])
    assert data["summary"]["observations"] > 0
    assert [i["path"] for i in data["inputs"]] == [str(BAD), str(GOOD)]


def test_a_report_file_is_written_even_when_no_input_could_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.sarif"
    status, out, err = run(
        capsys, "validate", tmp_path / "missing.csv", "--format", "sarif", "-o", report
    )
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    results = json.loads(report.read_text("utf-8"))["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["unreadable-input"]
