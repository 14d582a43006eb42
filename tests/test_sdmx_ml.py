"""SDMX-ML 3.0 data of our structure: written, read back, and read from another organisation."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tip_indicators import check
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv
from tip_indicators.io.readers import detect_format, read_dataset
from tip_indicators.io.sdmx_mapping import load_mapping, read_mapped_sdmx
from tip_indicators.io.sdmx_ml import read_sdmx_ml, write_sdmx_ml

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["indicator", "period", "reporter", "sex", "age", "measure", "value", "status", "note"]


def test_worked_example_read_back_gives_the_same_findings(tmp_path: Path) -> None:
    """The worked example written as SDMX-ML and read back gives the same findings."""
    dataset = read_long_csv(ROOT / "examples" / "cambodia-2010" / "report-2010.csv")
    path = tmp_path / "report.xml"
    write_sdmx_ml(dataset, path)
    assert detect_format(path) == "sdmx-ml"
    again = read_dataset(path)
    assert not again.problems
    before = [(f.code, f.message, f.expected, f.actual) for f in check(dataset).findings]
    after = [(f.code, f.message, f.expected, f.actual) for f in check(again).findings]
    assert before
    assert after == before


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(['"', "'", "&", "<", "\n", ">"]),
    max_size=12,
)


@settings(max_examples=20, deadline=None)
@given(
    rows=st.dictionaries(
        st.tuples(st.sampled_from(["F", "M", "_T"]), st.sampled_from(["2019", "2020"])),
        st.tuples(st.integers(min_value=0, max_value=10**6), TEXT),
        min_size=1,
    )
)
def test_round_trip_is_the_identity(rows: dict[tuple[str, str], tuple[int, str]]) -> None:
    """Figures with notes holding quotes, ampersands and line breaks come back unchanged."""
    lines = ["indicator,period,reporter,sex,value,note"]
    for (sex, period), (value, note) in rows.items():
        quoted = '"' + note.replace('"', '""') + '"'
        lines.append(f"victims_identified,{period},KH,{sex},{value},{quoted}")
    dataset = parse_long_csv("\n".join(lines) + "\n")
    assert not dataset.problems
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.xml"
        write_sdmx_ml(dataset, path)
        again = read_sdmx_ml(path)
    assert not again.problems
    columns = [c for c in COLUMNS if c != "age"]
    assert again.observations.select(columns).equals(dataset.observations.select(columns))


def test_foreign_sdmx_ml_reads_as_its_sdmx_csv() -> None:
    """The sample's SDMX-ML data read through the mapping equals its SDMX-CSV."""
    folder = ROOT / "examples" / "sdmx"
    mapping = load_mapping(folder / "unodc-mapping.yaml")
    from_xml = read_mapped_sdmx(folder / "unodc-data.xml", mapping)
    from_csv = read_mapped_sdmx(folder / "unodc-data.csv", mapping)
    assert not from_xml.problems
    assert from_xml.observations.select(COLUMNS).equals(from_csv.observations.select(COLUMNS))
    assert from_xml.inputs[0].format == "sdmx-ml"
