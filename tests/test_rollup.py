"""Tests of roll-up across reporters and of reconciliation."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tip_indicators as ti
from tip_indicators.cli import main
from tip_indicators.reconcile import Revision, compare_sources, compare_vintages
from tip_indicators.rollup import roll_up

ROOT = Path(__file__).resolve().parent.parent
COALITION = ROOT / "examples" / "coalition"


def _read(folder: Path, name: str, text: str) -> ti.Dataset:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return ti.read_long_csv(path)


def test_coalition_roll_up_states_the_missing_province() -> None:
    """Rolling up two of three provinces says which one is missing and sums the rest."""
    submissions = [
        ti.read_dataset(COALITION / "submissions" / name)
        for name in ("dosvy-pp.csv", "dosvy-bmc.csv")
    ]
    national = ti.read_dataset(COALITION / "national.csv")
    result = roll_up(
        ti.Dataset.combine([*submissions, national]),
        into="KH",
        expected=["GOV.DOSVY_PP", "GOV.DOSVY_BMC", "GOV.DOSVY_SRP"],
    )
    totals = result.dataset.observations.filter(
        pl.all_horizontal([pl.col(d) == "_T" for d in result.dataset.dimensions])
    )
    assert totals.get_column("value").to_list() == ["330"]
    assert set(result.completeness.get_column("missing").explode().drop_nulls()) == {
        "GOV.DOSVY_SRP"
    }
    assert result.findings == ()


def test_national_figure_below_its_parts_is_an_error(tmp_path: Path) -> None:
    """A reported national figure smaller than the sum of its reporters is a rollup-mismatch."""
    data = _read(
        tmp_path,
        "d.csv",
        "indicator,period,reporter,value\n"
        "victims_received,2024,P1,10\nvictims_received,2024,P2,7\nvictims_received,2024,KH,15\n",
    )
    result = roll_up(data, into="KH")
    assert [f.code for f in result.findings] == ["rollup-mismatch"]
    assert result.findings[0].observations[0].location.line == 4


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 50)),
        min_size=1,
        max_size=5,
    )
)
def test_roll_up_of_consistent_submissions_is_consistent(
    parts: list[tuple[int, int, int]],
) -> None:
    """Summing consistent submissions gives a dataset with no error or warning."""
    lines = ["indicator,period,reporter,sex,destination,value"]
    for number, (female, male, retained) in enumerate(parts):
        reporter = f"GOV.P{number}"
        total = female + male
        lines += [
            f"victims_received,2024,{reporter},,,{total}",
            f"victims_received,2024,{reporter},F,,{female}",
            f"victims_received,2024,{reporter},M,,{male}",
            f"victims_received,2024,{reporter},,RETAINED,{min(retained, total)}",
            f"victims_received,2024,{reporter},,FAMILY,{total - min(retained, total)}",
        ]
    with tempfile.TemporaryDirectory() as folder:
        data = _read(Path(folder), "s.csv", "\n".join(lines) + "\n")
    rolled = roll_up(data, into="KH").dataset
    report = ti.check(rolled)
    assert [f for f in report.findings if f.severity is not ti.Severity.INFO] == []
    totals = rolled.observations.filter(
        pl.all_horizontal([pl.col(d) == "_T" for d in rolled.dimensions])
    )
    assert totals.get_column("low").to_list() == [float(sum(f + m for f, m, _ in parts))]


def test_mirror_reconciliation_finds_the_mismatched_referral() -> None:
    """The coalition's Phnom Penh referral of 12 against AFESIP's intake of 10 is reported."""
    submissions = [
        ti.read_dataset(COALITION / "submissions" / name)
        for name in ("dosvy-pp.csv", "dosvy-bmc.csv", "afesip.csv")
    ]
    report = ti.reconcile_mirrors(submissions)
    (finding,) = report.findings
    assert finding.code == "mirror-mismatch"
    assert {ref.value for ref in finding.observations} == {"12", "10"}


def test_vintages_flag_large_revisions(tmp_path: Path) -> None:
    """A revision beyond the relative tolerance is a warning; a small one is not."""
    old = _read(
        tmp_path,
        "old.csv",
        "indicator,period,reporter,value\nvictims_received,2023,KH,100\n"
        "persons_convicted,2023,KH,50\n",
    )
    new = _read(
        tmp_path,
        "new.csv",
        "indicator,period,reporter,value\nvictims_received,2023,KH,130\n"
        "persons_convicted,2023,KH,52\n",
    )
    findings = compare_vintages(old, new, Revision(relative=0.1))
    assert [(f.code, f.actual) for f in findings] == [("revision-large", 130.0)]


def test_sources_compared_within_tolerance(tmp_path: Path) -> None:
    """The same figure from a ministry and the police is compared with a stated tolerance."""
    ministry = _read(
        tmp_path, "m.csv", "indicator,period,reporter,value\nvictims_identified,2023,GOV.M,100\n"
    )
    police = _read(
        tmp_path, "p.csv", "indicator,period,reporter,value\nvictims_identified,2023,GOV.P,120\n"
    )
    assert (
        compare_sources(
            ministry, police, pairs={"GOV.M": "GOV.P"}, tolerance=Revision(relative=0.25)
        )
        == []
    )
    (finding,) = compare_sources(
        ministry, police, pairs={"GOV.M": "GOV.P"}, tolerance=Revision(relative=0.1)
    )
    assert finding.code == "source-mismatch"
    assert finding.imbalance == 20


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 500), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_figures_that_cannot_exist_add_nothing_and_the_sum_is_checked(
    parts: list[tuple[int, int, bool]],
) -> None:
    """Any pattern of reporters whose figures cannot exist (status M) leaves a complete,
    consistent roll-up whose national sum is made and equals the existing parts."""
    lines = ["indicator,period,reporter,sex,value,status"]
    expected = []
    for number, (female, male, exists) in enumerate(parts):
        reporter = f"GOV.P{number}"
        expected.append(reporter)
        if not exists:
            lines += [f"victims_received,2024,{reporter},,,M"]
            continue
        lines += [
            f"victims_received,2024,{reporter},,{female + male},",
            f"victims_received,2024,{reporter},F,{female},",
            f"victims_received,2024,{reporter},M,{male},",
        ]
    national = sum(f + m for f, m, exists in parts if exists)
    lines.append(f"victims_received,2024,KH,,{national},")
    with tempfile.TemporaryDirectory() as folder:
        data = _read(Path(folder), "s.csv", "\n".join(lines) + "\n")
    result = roll_up(data, into="KH", expected=expected)
    assert result.findings == ()
    table = result.completeness
    assert set(table.get_column("missing").explode().drop_nulls()) == set()
    assert set(table.get_column("omitted").explode().drop_nulls()) == set()
    gone = {f"GOV.P{n}" for n, (_, _, exists) in enumerate(parts) if not exists}
    assert set(table.get_column("cannot_exist").explode().drop_nulls()) == gone
    totals = result.dataset.observations.filter(
        pl.all_horizontal([pl.col(d) == "_T" for d in result.dataset.dimensions])
    )
    assert totals.get_column("value").to_list() == [str(national)]
    report = ti.check(result.dataset)
    assert [f for f in report.findings if f.severity is not ti.Severity.INFO] == []
    # A national figure that disagrees is found once every reporter is accounted for.
    if any(exists for _, _, exists in parts):
        wrong = [*lines[:-1], f"victims_received,2024,KH,,{national + 7},"]
        with tempfile.TemporaryDirectory() as folder:
            changed = _read(Path(folder), "s.csv", "\n".join(wrong) + "\n")
        codes = [f.code for f in roll_up(changed, into="KH", expected=expected).findings]
        assert codes == ["rollup-mismatch"]


def test_a_reporter_outside_the_roll_up_is_left_out_and_an_omitted_breakdown_named(
    tmp_path: Path,
) -> None:
    data = _read(
        tmp_path,
        "d.csv",
        "indicator,period,reporter,sex,value\n"
        "victims_received,2024,P1,,10\nvictims_received,2024,P1,F,6\n"
        "victims_received,2024,P1,M,4\nvictims_received,2024,P2,,7\n"
        "victims_received,2024,NGO.X,,3\n",
    )
    result = roll_up(data, into="KH", expected=["P1", "P2"])
    assert result.left_out == ("NGO.X",)
    rows = {row["sex"]: row for row in result.completeness.iter_rows(named=True)}
    assert rows["_T"]["reporters"] == ["P1", "P2"]
    assert rows["F"]["omitted"] == ["P2"]
    notes = dict(result.dataset.observations.select("sex", "note").iter_rows())
    assert notes["F"] == "breakdown not given by P2"
    assert notes["_T"] is None


def test_rollup_json_lists_completeness_and_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(
        [
            "rollup",
            str(COALITION / "territories-2013.csv"),
            "--into",
            "IN",
            "--expected",
            "IN.AP,IN.KA,IN.TG",
            "--format",
            "json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert data["complete"] is True
    assert data["breakdowns_complete"] is False
    total = next(row for row in data["completeness"] if row["sex"] == "_T")
    assert total["cannot_exist"] == ["IN.TG"]
    assert [f["code"] for f in data["findings"]] == ["rollup-mismatch"]
