"""Our catalogue as an SDMX 3.0 structure, written through pysdmx and read back."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tip_indicators.cli import main
from tip_indicators.errors import InputError
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.io.sdmx_structure import (
    STRUCTURE_FILES,
    Structure,
    column_id,
    read_structure,
    write_structure,
)

CODES = sorted(builtin_catalogue().indicators)


def _described(structure: Structure) -> dict[str, object]:
    """What a structure says about a catalogue: indicators with units and breakdowns, and the
    key's dimensions with their codes."""
    indicator = structure.component("INDICATOR")
    assert indicator is not None
    return {
        "indicators": {code: dict(indicator.annotations.get(code, {})) for code in indicator.codes},
        "dimensions": [(c.id, c.codes) for c in structure.dimensions],
    }


def _expected(catalogue: Catalogue) -> dict[str, object]:
    return {
        code: {
            "TIP_UNIT": i.unit,
            "TIP_BREAKDOWNS": ",".join(
                f"{d}={'partition' if p else 'breakdown'}" for d, p in i.dimensions.items()
            ),
        }
        for code, i in catalogue.indicators.items()
    }


@settings(max_examples=5, deadline=None)
@given(codes=st.lists(st.sampled_from(CODES), min_size=1, unique=True))
def test_written_and_read_back_describes_the_same_catalogue(codes: list[str]) -> None:
    """SDMX-ML and SDMX-JSON read back give the catalogue's indicators, units and breakdowns."""
    full = builtin_catalogue()
    catalogue = Catalogue({c: full.indicators[c] for c in codes}, full.dimensions)
    with tempfile.TemporaryDirectory() as folder:
        written = write_structure(folder, catalogue)
        described = [_described(read_structure(path)) for path in written]
    assert [Path(p).name for p in written] == list(STRUCTURE_FILES)
    assert described[0] == described[1]
    assert described[0]["indicators"] == _expected(catalogue)


def test_key_lists_every_dimension_and_its_codes(tmp_path: Path) -> None:
    """The key holds indicator, reporter, every dimension, measure, base and time period."""
    structure = read_structure(write_structure(tmp_path)[0])
    ids = [c.id for c in structure.dimensions]
    upper = [column_id(d) for d in builtin_catalogue().dimensions]
    assert "COUNTERPART_AREA" in upper
    assert ids == ["INDICATOR", "REPORTER", *upper, "MEASURE", "TIME_PERIOD"]
    sex = structure.component("SEX")
    assert sex is not None
    assert {"_T", "F", "M", "_O", "_U"} <= set(sex.codes)
    assert (structure.agency, structure.id) == ("TIP", "TIP_INDICATORS")


def test_schema_sdmx_writes_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'schema sdmx -o DIR' writes both files and names them; without -o it exits 2."""
    assert main(["schema", "sdmx", "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(STRUCTURE_FILES)
    assert "tip-indicators.structure.xml" in capsys.readouterr().out
    assert main(["schema", "sdmx"]) == 2
    assert "-o DIR" in capsys.readouterr().err


def test_a_file_without_a_structure_is_an_input_error(tmp_path: Path) -> None:
    """A file that holds no data structure definition is refused with a one-line reason."""
    path = tmp_path / "x.xml"
    path.write_text("<nothing/>", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.xml"):
        read_structure(path)


def test_reads_another_organisations_structure() -> None:
    """The sample UNODC-style structure lists its dimensions and codelists."""
    example = Path(__file__).resolve().parent.parent / "examples" / "sdmx"
    structure = read_structure(example / "unodc-structure.xml")
    assert structure.agency == "UNODC"
    assert [c.id for c in structure.dimensions] == [
        "INDICATOR",
        "REF_AREA",
        "SEX",
        "AGE",
        "TIME_PERIOD",
    ]
    sex = structure.component("SEX")
    assert sex is not None
    assert sex.codes == ("FEMALE", "MALE", "TOTAL")


def test_a_profiles_own_indicators_and_dimensions_are_in_its_structure(tmp_path: Path) -> None:
    """'schema sdmx --profile' describes the profile's catalogue: its added indicator with its
    unit, and its added dimension with its codes."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "profile: shelters\nversion: '1'\n"
        "dimensions:\n"
        "  shelter_type:\n"
        "    name: Shelter type\n"
        "    description: Kind of shelter.\n"
        "    codes: {OPEN: Open shelter, CLOSED: Closed shelter}\n"
        "indicators:\n"
        "  beds_available:\n"
        "    name: Beds available\n"
        "    definition: Shelter beds available at the end of the period.\n"
        "    unit: event\n"
        "    dimensions: {shelter_type: partition}\n",
        encoding="utf-8",
    )
    assert main(["schema", "sdmx", "-o", str(tmp_path / "out"), "--profile", str(profile)]) == 0
    structure = read_structure(tmp_path / "out" / STRUCTURE_FILES[1])
    indicator = structure.component("INDICATOR")
    shelter = structure.component("SHELTER_TYPE")
    assert indicator is not None
    assert shelter is not None
    assert indicator.annotations["beds_available"]["TIP_UNIT"] == "event"
    assert set(shelter.codes) == {"_T", "OPEN", "CLOSED", "_U"}
