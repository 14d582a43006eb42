"""Tests for tip_indicators.io.document and io.readers: dataset documents and format choice."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from support import Row, WriteFile, csv_text, datasets
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.io.document import dataset_document, read_document, write_document
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv
from tip_indicators.io.readers import detect_format, read_dataset

OBSERVATION = "{indicator: victims_identified, period: 2010, reporter: GOV.MOSVY, value: 5}"


def comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """An observation frame without provenance."""
    return frame.drop("path", "line")


def refused(write_file: WriteFile, text: str, name: str = "doc.yaml") -> InputError:
    """The InputError raised when reading ``text`` as a dataset document."""
    with pytest.raises(InputError) as error:
        read_document(write_file(name, text))
    return error.value


# ---------------------------------------------------------------- reading


def test_golden_document_reads_metadata_organisations_and_files(fixtures: Path) -> None:
    """A document gives metadata, organisations, inline figures and the CSV files it names."""
    dataset = read_document(fixtures / "dataset.yaml")
    assert dataset.problems == ()
    assert dataset.metadata.title == "Counter-trafficking figures 2010"
    assert dataset.metadata.licence == "CC-BY-4.0"
    assert dataset.organisations["NGO.AFESIP"].name == "AFESIP Cambodia"
    assert dataset.organisations["NGO.AFESIP"].type == "NGO"
    assert [item.format for item in dataset.inputs] == ["document", "long-csv"]
    assert dataset.inputs[1].path == str(fixtures / "valid.csv")
    assert len(dataset) == 2 + len(read_long_csv(fixtures / "valid.csv"))


def test_inline_values_keep_their_text(fixtures: Path) -> None:
    """A YAML number such as 45.10 keeps its text and its two decimals, and its line."""
    dataset = read_document(fixtures / "dataset.yaml")
    inline = dataset.observations.filter(pl.col("path").str.ends_with(".yaml"))
    assert inline.select("indicator", "value", "decimals", "line").rows() == [
        ("suspects_arrested", "130", 0, 12),
        ("persons_convicted", "45.10", 2, 13),
    ]


def test_bad_inline_observations_are_reported_at_their_yaml_line(write_file: WriteFile) -> None:
    """Problems in inline figures are findings citing the document line of the figure."""
    text = (
        "title: t\n"
        "observations:\n"
        f"  - {OBSERVATION}\n"
        "  - indicator: victims_identified\n"
        "    period: 2011\n"
        "    reporter: GOV.MOSVY\n"
        "    sex: f\n"
        "    value: x\n"
        "  - {indicator: victim_identified, period: 2012, reporter: GOV, value: 1}\n"
    )
    path = write_file("doc.yaml", text)
    dataset = read_document(path)
    found = sorted(
        (p.location.line, p.location.field, p.code) for p in dataset.problems if p.location
    )
    assert found == [
        (4, "sex", "unknown-code"),
        (4, "value", "unreadable-value"),
        (9, "indicator", "unknown-indicator"),
    ]
    assert all(p.location and p.location.path == str(path) for p in dataset.problems)
    assert dataset.observations.get_column("line").to_list() == [3]


def test_json_document_is_read(write_file: WriteFile) -> None:
    """A JSON document is read like YAML, with null for a missing value."""
    document = {
        "title": "t",
        "observations": [
            {"indicator": "victims_identified", "period": "2010", "reporter": "G", "value": 3},
            {
                "indicator": "victims_identified",
                "period": "2011",
                "reporter": "G",
                "value": None,
                "status": "L",
            },
        ],
    }
    dataset = read_document(write_file("doc.json", json.dumps(document)))
    assert dataset.problems == ()
    assert dataset.observations.select("value", "low", "status").rows() == [
        ("3", 3.0, None),
        ("", None, "L"),
    ]


def test_document_without_observations_is_empty(write_file: WriteFile) -> None:
    """A document with metadata only is a dataset with no figures."""
    dataset = read_document(write_file("doc.yaml", "title: nothing yet\n"))
    assert len(dataset) == 0
    assert dataset.metadata.title == "nothing yet"


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object:os.system {}",
        "!!python/object/apply:os.system ['echo hacked']",
        "!!python/name:os.system",
        "!custom 1",
        "!!binary aGVsbG8=",
    ],
)
def test_tags_are_refused(write_file: WriteFile, tag: str) -> None:
    """Python and other non-standard YAML tags are refused before anything is built."""
    error = refused(write_file, f"title: t\nlicence: {tag}\n")
    assert "is not allowed" in error.reason
    assert error.line == 2


def test_aliases_are_refused(write_file: WriteFile) -> None:
    """A document reusing an anchored node is refused."""
    error = refused(write_file, "title: &name t\ndescription: *name\n")
    assert "anchors and aliases are not allowed" in error.reason


def test_billion_laughs_is_refused(write_file: WriteFile) -> None:
    """An exponential alias bomb is refused without being expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    error = refused(write_file, "\n".join(lines) + "\n")
    assert "anchors and aliases are not allowed" in error.reason


@pytest.mark.parametrize(
    ("depth", "reason"),
    [(100, "nested deeper than 64 levels"), (100_000, "nested deeper than 64 levels")],
)
def test_deep_nesting_is_refused(write_file: WriteFile, depth: int, reason: str) -> None:
    """Deeply nested documents are refused with an input error, never a crash."""
    assert reason in refused(write_file, "title: " + "[" * depth + "]" * depth + "\n").reason


def test_duplicate_keys_are_refused(write_file: WriteFile) -> None:
    """A key given twice in one mapping is refused at the second occurrence."""
    error = refused(write_file, "title: a\npublisher: b\ntitle: c\n")
    assert (error.reason, error.line) == ("key 'title' appears twice", 3)


def test_invalid_yaml_names_its_line(write_file: WriteFile) -> None:
    """Text that is not YAML is an input error at the line the parser stopped."""
    error = refused(write_file, "title: t\nobservations: [\n  {a: 1}\n")
    assert "not valid YAML/JSON" in error.reason
    assert error.line == 4


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_document_must_be_a_mapping(write_file: WriteFile, text: str) -> None:
    """An empty document, a list or a scalar is not a dataset document."""
    assert "is a mapping" in refused(write_file, text).reason


@pytest.mark.parametrize(
    ("text", "where", "line"),
    [
        ("title: t\ntitel: t\n", "titel", 2),
        ("title: t\nobservations: 3\n", "observations", 2),
        (f"title: t\nobservations:\n  - {OBSERVATION}\n  - 3\n", "observations.1", 4),
        ("observations:\n  - indicator: [a, b]\n", "observations.0.indicator", 2),
        ("organisations:\n  NGO.A: [x]\n", "organisations.NGO.A", 2),
    ],
)
def test_malformed_document_names_the_place_and_line(
    write_file: WriteFile, text: str, where: str, line: int
) -> None:
    """A document of the wrong shape is an input error naming the key path and its line."""
    error = refused(write_file, text)
    assert error.reason.startswith(where)
    assert error.line == line


def test_missing_named_file_is_an_input_error(write_file: WriteFile) -> None:
    """A long-CSV file the document names but that does not exist is an input error."""
    path = write_file("doc.yaml", "files: [absent.csv]\n")
    with pytest.raises(InputError, match=r"absent\.csv"):
        read_document(path)


def test_named_file_problems_cite_the_file(write_file: WriteFile) -> None:
    """Problems in a CSV file named by a document cite that file's path and line."""
    csv_path = write_file("data/part.csv", "indicator,period,reporter,value\nvictims,2010,G,1\n")
    dataset = read_document(write_file("data/doc.yaml", "files: [part.csv]\n"))
    (problem,) = dataset.problems
    assert problem.location is not None
    assert (problem.location.path, problem.location.line) == (str(csv_path), 2)


def test_document_shape_is_published() -> None:
    """The document model refuses unknown keys (its schema is published)."""
    from tip_indicators._private.document_model import DatasetDocument

    schema = DatasetDocument.model_json_schema()
    assert schema["additionalProperties"] is False
    assert {"title", "organisations", "files", "observations"} <= set(schema["properties"])


# ---------------------------------------------------------------- writing and round trips


def test_dataset_document_leaves_out_empty_fields(fixtures: Path) -> None:
    """The plain document has set metadata only, and figures without empty cells."""
    document = dataset_document(read_long_csv(fixtures / "valid.csv"))
    assert set(document) == {"observations"}
    assert all(None not in row.values() for row in document["observations"])
    assert document["observations"][0]["value"] == "1,041"


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_golden_document_round_trips(fixtures: Path, tmp_path: Path, suffix: str) -> None:
    """Writing a read document and reading it again keeps figures, metadata and organisations."""
    first = read_document(fixtures / "dataset.yaml")
    target = tmp_path / f"copy{suffix}"
    write_document(first, target)
    if suffix == ".json":
        json.loads(target.read_text(encoding="utf-8"))
    else:
        yaml.safe_load(target.read_text(encoding="utf-8"))
    second = read_document(target)
    assert second.problems == ()
    assert (second.metadata, dict(second.organisations)) == (
        first.metadata,
        dict(first.organisations),
    )
    assert_frame_equal(comparable(first.observations), comparable(second.observations))


def round_trip(table: list[Row], tmp_path: Path, suffix: str) -> None:
    """Check that CSV rows read, written as a document and read back are unchanged."""
    text, _ = csv_text(table)
    first = parse_long_csv(text, path="t.csv")
    assert first.problems == ()
    target = tmp_path / f"round{suffix}"
    write_document(first, target)
    second = read_document(target)
    assert second.problems == ()
    assert_frame_equal(comparable(first.observations), comparable(second.observations))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(datasets(), st.sampled_from([".yaml", ".json"]))
def test_document_round_trip_is_the_identity(tmp_path: Path, table: list[Row], suffix: str) -> None:
    """Reading a dataset back from the YAML or JSON document it was written to changes nothing."""
    round_trip(table, tmp_path, suffix)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(datasets(age_and_geography=True), st.sampled_from([".yaml", ".json"]))
def test_document_round_trip_with_age_and_nationality_codes(
    tmp_path: Path, table: list[Row], suffix: str
) -> None:
    """Document round trips keep age bands, nationalities and countries too."""
    round_trip(table, tmp_path, suffix)


# ---------------------------------------------------------------- choosing the reader


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", "indicator,period,reporter,value\n", "long-csv"),
        ("a.YAML", "title: t\n", "document"),
        ("a.json", "{}", "document"),
        ("a.dat", "{}", "document"),
        ("a.dat", "---\ntitle: t\n", "document"),
        ("a.dat", "indicator,period,reporter,value\n", "long-csv"),
    ],
)
def test_format_is_detected_from_name_then_content(
    write_file: WriteFile, name: str, content: str, expected: str
) -> None:
    """The input format follows the file extension, or the first bytes when it has none known."""
    assert detect_format(write_file(name, content)) == expected


def test_read_dataset_reads_either_format(fixtures: Path) -> None:
    """read_dataset reads long CSV and documents by their detected format."""
    assert len(read_dataset(fixtures / "valid.csv")) == 9
    assert read_dataset(fixtures / "dataset.yaml").metadata.publisher == "NC/S-STSLS"


def test_explicit_format_overrides_detection(write_file: WriteFile) -> None:
    """An explicit input format is used whatever the file is called."""
    path = write_file("figures.txt", "title: t\n")
    assert isinstance(read_dataset(path, input_format="document"), Dataset)
    with pytest.raises(InputError, match="unknown input format 'xlsx'"):
        read_dataset(path, input_format="xlsx")


def test_unknown_extension_of_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    """Sniffing a missing file's content is an input error, not an OSError."""
    with pytest.raises(InputError, match="cannot open"):
        detect_format(tmp_path / "absent.dat")


# ---------------------------------------------------------------- files outside the folder


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    """A document in ``doc/`` and a long-CSV file in ``other/`` whose header is a secret."""
    (tmp_path / "doc").mkdir()
    (tmp_path / "other").mkdir()
    secret = tmp_path / "other" / "figures.csv"
    secret.write_text("SECRET-FIRST-LINE\n1\n", encoding="utf-8")
    return tmp_path / "doc" / "doc.yaml", secret


@pytest.mark.parametrize(
    "named", ["../other/figures.csv", "link.csv", "sub/../../other/figures.csv"]
)
def test_a_file_outside_the_documents_folder_is_refused_unread(tmp_path: Path, named: str) -> None:
    """A named file outside the document's folder (by .. or a link) is refused, its text unshown."""
    document, secret = _outside(tmp_path)
    (document.parent / "link.csv").symlink_to(secret)
    (document.parent / "sub").mkdir()
    document.write_text(f"title: t\nfiles: [{named!r}]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_document(document)
    assert "outside the document's folder" in caught.value.reason
    assert caught.value.line == 2
    assert "SECRET" not in str(caught.value)


def test_an_allowed_folder_may_be_named(tmp_path: Path) -> None:
    """allow_folders lets a document name files of that folder, and its problems are reported."""
    document, secret = _outside(tmp_path)
    secret.write_text("indicator,period,reporter,value\nvictims_identified,2010,KHM,4\n")
    document.write_text("title: t\nfiles: ['../other/figures.csv']\n", encoding="utf-8")
    dataset = read_document(document, allow_folders=[secret.parent])
    assert len(dataset) == 1
    with pytest.raises(InputError, match="outside"):
        read_document(document, allow_folders=[tmp_path / "doc"])


def test_cli_allow_folder_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """validate --allow-folder DIR reads a document's file in DIR; without it, exit 2."""
    from tip_indicators.cli import main

    document, secret = _outside(tmp_path)
    secret.write_text("indicator,period,reporter,value\nvictims_identified,2010,KHM,4\n")
    document.write_text("title: t\nfiles: ['../other/figures.csv']\n", encoding="utf-8")
    assert main(["validate", str(document)]) == 2
    assert "outside the document's folder" in capsys.readouterr().err
    assert main(["validate", str(document), "--allow-folder", str(secret.parent)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("1 observation")


_FIELDS = ("indicator", "period", "reporter", "sex", "age", "value", "status", "note")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
        lambda key: key not in _FIELDS and key not in {"destination", "nationality", "country"}
    ),
    as_json=st.booleans(),
)
def test_observation_key_no_column_has_is_an_error_at_its_line(
    write_file: WriteFile, key: str, as_json: bool
) -> None:
    """An observation with a key no column has (sexe for sex) is an error at its line, unread."""
    from tip_indicators._private.validate import known_columns
    from tip_indicators.indicators import builtin_catalogue

    assume(key not in known_columns(builtin_catalogue()))
    good = {"indicator": "victims_identified", "period": "2010", "reporter": "KHM", "value": "9"}
    bad = {**good, key: "F", "value": "4"}
    if as_json:
        text = '{"observations": [\n' + json.dumps(good) + ",\n" + json.dumps(bad) + "\n]}\n"
    else:
        text = "observations:\n" + "".join(f"  - {json.dumps(row)}\n" for row in (good, bad))
    path = write_file("doc.json" if as_json else "doc.yaml", text)
    dataset = read_document(path)
    assert len(dataset) == 1
    assert dataset.observations.get_column("value").to_list() == ["9"]
    [problem] = dataset.problems
    assert problem.code == "row-shape"
    assert problem.location is not None
    assert (problem.location.line, problem.location.field) == (3, key)
    assert f"{key}: not a field of an observation" in problem.message


def test_misspelt_key_is_hinted(write_file: WriteFile) -> None:
    """The finding for sexe names the nearest field, sex, and the total is not read from it."""
    path = write_file(
        "doc.yaml",
        "observations:\n"
        '  - {indicator: victims_identified, period: "2010", reporter: KHM, sexe: F, value: 4}\n',
    )
    dataset = read_document(path)
    assert len(dataset) == 0
    assert "did you mean 'sex'?" in dataset.problems[0].message
