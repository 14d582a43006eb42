"""Another organisation's SDMX-CSV read through a mapping onto our codes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tip_indicators import check
from tip_indicators.cli import main
from tip_indicators.errors import DefinitionError
from tip_indicators.io.sdmx import read_sdmx_csv
from tip_indicators.io.sdmx_mapping import load_mapping, read_mapped_sdmx

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sdmx"
HEADER = "DATAFLOW,INDICATOR,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS\n"


def test_example_reads_into_our_codes() -> None:
    """The sample data becomes our indicators and codes, and its sex parts are found to
    exceed their total."""
    dataset = read_mapped_sdmx(
        EXAMPLE / "unodc-data.csv", load_mapping(EXAMPLE / "unodc-mapping.yaml")
    )
    assert not dataset.problems
    frame = dataset.observations
    assert set(frame.get_column("indicator")) == {
        "victims_identified",
        "victims_detected_rate",
        "persons_prosecuted",
    }
    assert set(frame.get_column("reporter")) == {"KH"}
    assert set(frame.get_column("age")) == {"_T", "Y_LT18", "Y_GE18"}
    codes = [f.code for f in check(dataset).findings]
    assert codes == ["partition-exceeds"]


def test_unmapped_code_names_line_field_and_closest_of_its_kind() -> None:
    """An unmapped count is an error at its line and field, hinted at counts only."""
    dataset = read_mapped_sdmx(
        EXAMPLE / "unodc-data-unmapped.csv", load_mapping(EXAMPLE / "unodc-mapping.yaml")
    )
    (problem,) = dataset.problems
    assert problem.code == "unknown-indicator"
    assert problem.location is not None
    assert (problem.location.line, problem.location.field) == (9, "INDICATOR")
    assert "'PERSONS_CONVICTED'" in problem.message
    assert "'PERSONS_PROSECUTED'" in problem.message
    assert "'persons_convicted'" in problem.message
    assert "RATE" not in problem.message
    assert "rate" not in problem.message
    assert dataset.observations.height == 7


def test_unmapped_rate_is_hinted_as_a_rate(tmp_path: Path) -> None:
    """An unmapped rate is hinted at rates only."""
    data = tmp_path / "data.csv"
    data.write_text(HEADER + "X,VICTIM_DETECTED_RATE,KHM,TOTAL,TOTAL,2022,0.3,PS,A\n")
    dataset = read_mapped_sdmx(data, load_mapping(EXAMPLE / "unodc-mapping.yaml"))
    (problem,) = dataset.problems
    assert "'VICTIMS_DETECTED_RATE'" in problem.message
    assert "'victims_detected_rate'" in problem.message
    assert "'VICTIMS_DETECTED'" not in problem.message
    assert "victims_identified" not in problem.message


def test_plain_sdmx_csv_hints_a_count_at_a_count(tmp_path: Path) -> None:
    """A UNODC-style SDMX-CSV naming VICTIMS_DETECTED is hinted victims_identified, never the
    rate victims_detected_rate."""
    data = tmp_path / "unodc.csv"
    data.write_text(
        "DATAFLOW,INDICATOR,TIME_PERIOD,REF_AREA,SEX,OBS_VALUE\n"
        "UNODC:DF_TIP(1.0),VICTIMS_DETECTED,2020,KHM,F,12\n"
    )
    (problem,) = read_sdmx_csv(data).problems
    assert "victims_identified" in problem.message
    assert "rate" not in problem.message


def test_mapping_must_fit_its_structure(tmp_path: Path) -> None:
    """A mapped code that is not in the structure's codelist is a definition error."""
    shutil.copy(EXAMPLE / "unodc-structure.xml", tmp_path)
    text = (EXAMPLE / "unodc-mapping.yaml").read_text().replace("FEMALE: F", "FEMAL: F")
    (tmp_path / "m.yaml").write_text(text)
    mapping = load_mapping(tmp_path / "m.yaml")
    data = tmp_path / "d.csv"
    data.write_text(HEADER)
    with pytest.raises(DefinitionError, match=r"FEMAL.*did you mean 'FEMALE'"):
        read_mapped_sdmx(data, mapping)


SEX = {"FEMALE": "F", "MALE": "M", "TOTAL": "_T"}


@settings(max_examples=20, deadline=None)
@given(
    rows=st.dictionaries(
        st.tuples(st.sampled_from(sorted(SEX)), st.sampled_from(["2020", "2021"])),
        st.integers(min_value=0, max_value=10**6),
        min_size=1,
    )
)
def test_mapped_figures_are_the_figures_written(rows: dict[tuple[str, str], int]) -> None:
    """Every row read through the mapping keeps its value under our codes."""
    mapping = load_mapping(EXAMPLE / "unodc-mapping.yaml")
    lines = [
        f"X,VICTIMS_DETECTED,KHM,{sex},TOTAL,{period},{value},PS,A"
        for (sex, period), value in rows.items()
    ]
    with tempfile.TemporaryDirectory() as temp:
        data = Path(temp) / "data.csv"
        data.write_text(HEADER + "\n".join(lines) + "\n")
        dataset = read_mapped_sdmx(data, mapping)
    assert not dataset.problems
    read = {
        (row["sex"], row["period"]): int(row["value"])
        for row in dataset.observations.iter_rows(named=True)
    }
    assert read == {(SEX[sex], period): value for (sex, period), value in rows.items()}


def test_convert_with_mapping_writes_long_csv(tmp_path: Path) -> None:
    """'convert --mapping' writes the foreign data as our long CSV; unmapped rows stop it."""
    out = tmp_path / "out.csv"
    mapping = str(EXAMPLE / "unodc-mapping.yaml")
    assert main(["convert", str(EXAMPLE / "unodc-data.csv"), str(out), "--mapping", mapping]) == 0
    assert out.read_text().splitlines()[1] == "victims_identified,2022,KH,_T,_T,N,120,A"
    bad = EXAMPLE / "unodc-data-unmapped.csv"
    assert main(["convert", str(bad), str(tmp_path / "x.csv"), "--mapping", mapping]) == 1


def test_a_mapping_to_no_column_of_ours_is_refused(tmp_path: Path) -> None:
    """A column mapped to a name that is no column of ours is a definition error with a hint;
    a dimension the catalogue adds (case_status) is a column of ours."""
    (tmp_path / "m.yaml").write_text(
        "columns: {DATAFLOW: '-', INDICATOR: indicatr, TIME_PERIOD: period, REF_AREA: reporter,"
        " OBS_VALUE: value, STATUS_OF_CASE: case_status}\n"
    )
    data = tmp_path / "d.csv"
    data.write_text("DATAFLOW,INDICATOR,TIME_PERIOD,REF_AREA,OBS_VALUE,STATUS_OF_CASE\n")
    with pytest.raises(DefinitionError, match=r"'indicatr' is no column of ours .*'indicator'"):
        read_mapped_sdmx(data, load_mapping(tmp_path / "m.yaml"))
    fixed = (tmp_path / "m.yaml").read_text().replace("indicatr", "indicator")
    (tmp_path / "m.yaml").write_text(fixed)
    data.write_text(data.read_text() + "X,victims_monitored,2020,KH,3,OPEN\n")
    dataset = read_mapped_sdmx(data, load_mapping(tmp_path / "m.yaml"))
    assert not dataset.problems
    assert dataset.observations.get_column("case_status").to_list() == ["OPEN"]
