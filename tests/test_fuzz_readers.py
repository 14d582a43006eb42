"""Fuzzing the readers: bad bytes end in the library's own errors, good files read back unchanged.

Arbitrary bytes and mutations of valid files (bytes inserted, deleted or replaced, lines doubled,
swapped or cut, a workbook's XML edited inside its archive) go through every reader and the
command line: nothing escapes but :class:`~tip_indicators.errors.TipIndicatorsError`, and a file
that is read names only known finding codes, never an error at a figure it kept. Valid datasets
written by every writer (long CSV, YAML and JSON documents, SDMX-CSV, xlsx) and re-encoded
(BOM, UTF-16, CR LF) read back with no problem and as the same dataset: values, statuses,
censoring, provenance, metadata and organisations.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from support import Row, csv_text, datasets, organisation_codes
from tip_indicators.cli import main
from tip_indicators.datasets import Dataset, Metadata, Organisation
from tip_indicators.errors import TipIndicatorsError
from tip_indicators.findings import Severity, finding_codes
from tip_indicators.io.document import read_document, write_document
from tip_indicators.io.excel import read_excel, write_excel
from tip_indicators.io.glotip import read_glotip
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv, write_long_csv
from tip_indicators.io.readers import read_dataset
from tip_indicators.io.sdmx import read_sdmx_csv, write_sdmx_csv

Reader = Callable[[Path], Dataset]
Writer = Callable[[Dataset, Path], None]

READERS: dict[str, tuple[Reader, str]] = {
    "long-csv": (read_long_csv, ".csv"),
    "yaml": (read_document, ".yaml"),
    "json": (read_document, ".json"),
    "sdmx-csv": (read_sdmx_csv, ".csv"),
    "glotip": (read_glotip, ".csv"),
    "excel": (read_excel, ".xlsx"),
    "detected": (read_dataset, ""),
}
"""Every reader, with the file suffix its inputs get (none: the format is detected by content)."""


def _write_csv(dataset: Dataset, path: Path) -> None:
    write_long_csv(dataset, path)


def _write_sdmx(dataset: Dataset, path: Path) -> None:
    write_sdmx_csv(dataset, path)


WRITERS: dict[str, tuple[Writer, Reader, str]] = {
    "long-csv": (_write_csv, read_long_csv, ".csv"),
    "yaml": (write_document, read_document, ".yaml"),
    "json": (write_document, read_document, ".json"),
    "sdmx-csv": (_write_sdmx, read_sdmx_csv, ".csv"),
    "excel": (write_excel, read_excel, ".xlsx"),
}
"""Every format the project writes: its writer, the reader of it, and its suffix."""

TOKENS = [
    b"indicator,period,reporter,value\n",
    b"indicator,period,reporter,sex,measure,base_period,value,status,note\n",
    b"STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REPORTER,TIME_PERIOD,OBS_VALUE,OBS_VALUE_TEXT\n",
    b"DATAFLOW,INDICATOR,TIME_PERIOD,REF_AREA,OBS_VALUE\n",
    b"Iso3_code,Indicator,Dimension,Category,Sex,Age,Year,txtVALUE\n",
    b"victims_identified,2010,KHM,",
    b"NPL,Detected trafficking victims,Total,Total,Female,0 to 17 years,2020,",
    b"observations:\n  - ",
    b'{"observations": [{"indicator": "victims_identified", "value": ',
    b"title: ",
    b"files: [",
    b"indicator: victims_identified\n",
    b"&a ",
    b"*a",
    b"!!python/object/apply:os.getcwd []",
    b"!!binary ",
    b"PK\x03\x04",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    b"\x00",
    b"\xff\xfe\xfd",
    b"\xc3\xa9",
    b"\xe2\x80\xa8",
    b"\xc2\x85",
    b",",
    b";",
    b"\t",
    b'"',
    b"'",
    b"\n",
    b"\r",
    b"\r\n",
    b"  ",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b"- ",
    b"#",
    b"<5",
    b"< 5",
    b"<0",
    b"-3",
    b"2.5",
    b"1,234",
    b"12,34",
    b"NaN",
    b"inf",
    b"1e308",
    b"9" * 400,
    b"_T",
    b"F",
    b"Female ",
    b"2010",
    b"2010-Q5",
    b"2010-13",
    b"CHG",
    b"PCH",
    b"PCT",
    b"L",
    b"NGO.AFESIP",
]
"""Pieces of every input format and of the things that go wrong in them."""

noise = st.binary(max_size=300) | st.lists(
    st.sampled_from(TOKENS) | st.binary(max_size=6), max_size=40
).map(b"".join)
"""Arbitrary bytes, and byte strings assembled from format pieces and random bytes."""

metadata = st.builds(
    Metadata,
    *[st.none() | st.text(st.characters(exclude_categories=["Cs"]), max_size=20)] * 5,
)
organisations = st.dictionaries(
    organisation_codes, st.text(st.characters(exclude_categories=["Cs"]), max_size=20), max_size=3
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the files of one module's examples (each example overwrites its file)."""
    return tmp_path_factory.mktemp("fuzz")


def assert_sound(dataset: Dataset, path: Path) -> None:
    """Findings use known codes and name the file; no error blames a figure that was kept."""
    codes = finding_codes()
    kept = set(dataset.observations.get_column("line").to_list())
    for problem in dataset.problems:
        assert problem.code in codes, problem
        places = [o.location for o in problem.observations]
        if problem.location is not None:
            places.append(problem.location)
        assert all(place.path == str(path) for place in places), problem
        if problem.severity is Severity.ERROR:
            assert not {place.line for place in places} & kept, problem


def read_or_refuse(read: Reader, path: Path) -> Dataset | None:
    """The dataset read from ``path``, or None when the library refused it with its own error.

    The memory Python allocates meanwhile (tracemalloc's peak) stays under
    ``MEMORY_FACTOR`` times the input's size plus ``MEMORY_BASE``: no input, however crafted,
    makes a reader allocate more than its size warrants."""
    size = path.stat().st_size
    tracemalloc.start()
    try:
        try:
            dataset: Dataset | None = read(path)
        except TipIndicatorsError:
            dataset = None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_FACTOR * size + MEMORY_BASE, f"{peak:,} bytes for {size:,}"
    return dataset


MEMORY_FACTOR = 64
"""The most memory a read may allocate per byte of input, beyond ``MEMORY_BASE``."""

MEMORY_BASE = 32 * 1024**2
"""Memory any read may allocate whatever its input's size (tables, codelists, parsers)."""


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Read one valid file of every format first, so that the modules a reader imports on its
    first use are not counted against the memory bound of the examples."""
    folder = tmp_path_factory.mktemp("warm")
    table = parse_long_csv("indicator,period,reporter,sex,value\nvictims_identified,2010,KHM,f,4\n")
    for form in WRITERS:
        path = written(form, table, folder)
        WRITERS[form][1](path)
        read_dataset(path)
    read_glotip(Path(__file__).parent / "fixtures" / "glotip" / "slices.csv")


@pytest.mark.parametrize("reader", sorted(READERS))
@given(data=noise)
def test_arbitrary_bytes_raise_only_library_errors(scratch: Path, reader: str, data: bytes) -> None:
    """Any bytes are read or refused with a TipIndicatorsError, never another exception."""
    read, suffix = READERS[reader]
    path = scratch / f"noise-{reader}{suffix}"
    path.write_bytes(data)
    dataset = read_or_refuse(read, path)
    if dataset is not None:
        assert_sound(dataset, path)


@given(
    text=st.text(max_size=300)
    | st.lists(st.sampled_from(TOKENS), max_size=30).map(
        lambda parts: b"".join(parts).decode("utf-8", "replace")
    )
)
def test_arbitrary_text_raises_only_input_errors(text: str) -> None:
    """Any text given to parse_long_csv is read or refused with an InputError."""
    try:
        dataset = parse_long_csv(text, path="t.csv")
    except TipIndicatorsError:
        return
    for problem in dataset.problems:
        assert problem.location is None or problem.location.path == "t.csv"


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one to four edits: bytes inserted, deleted or replaced, lines doubled,
    swapped or cut off."""
    edited = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(["insert", "delete", "replace", "double", "swap", "cut"]))
        at = draw(st.integers(0, len(edited)))
        if edit == "insert":
            edited[at:at] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4))
        elif edit == "delete":
            del edited[at : at + draw(st.integers(1, 16))]
        elif edit == "replace":
            edited[at : at + 1] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=2))
        elif edit == "cut":
            del edited[at:]
        else:
            lines = bytes(edited).split(b"\n")
            first = draw(st.integers(0, len(lines) - 1))
            second = draw(st.integers(0, len(lines) - 1))
            if edit == "double":
                lines.insert(first, lines[first])
            else:
                lines[first], lines[second] = lines[second], lines[first]
            edited = bytearray(b"\n".join(lines))
    return bytes(edited)


@st.composite
def workbook_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """A workbook with its sheet or shared strings mutated inside an intact archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    parts = sorted(name for name in members if name.endswith(".xml"))
    part = draw(
        st.sampled_from([p for p in parts if "worksheets/" in p or "sharedStrings" in p] or parts)
    )
    members[part] = draw(mutations(members[part]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def written(form: str, dataset: Dataset, folder: Path, stem: str = "written") -> Path:
    """``dataset`` written in format ``form`` to a file of ``folder``."""
    write, _, suffix = WRITERS[form]
    path = folder / f"{stem}-{form}{suffix}"
    write(dataset, path)
    return path


def valid(table: list[Row]) -> Dataset:
    """The dataset of valid generated rows (read without any problem)."""
    dataset = parse_long_csv(csv_text(table)[0])
    assert dataset.problems == ()
    return dataset


@pytest.mark.parametrize("form", sorted(WRITERS))
@settings(max_examples=60)
@given(table=datasets(age_and_geography=True), data=st.data())
def test_mutated_valid_files_raise_only_library_errors(
    scratch: Path, form: str, table: list[Row], data: st.DataObject
) -> None:
    """A valid file with a few bytes or lines changed is read soundly or refused, never crashes."""
    path = written(form, valid(table), scratch, "mutated")
    original = path.read_bytes()
    if form == "excel":
        mutated = data.draw(workbook_mutations(original))
    else:
        mutated = data.draw(mutations(original))
    path.write_bytes(mutated)
    _, read, _ = WRITERS[form]
    dataset = read_or_refuse(read, path)
    if dataset is not None:
        assert_sound(dataset, path)


LARGE_HEADER = "indicator,period,reporter,sex,value,status,note\n"
FILLER = "".join(f"victims_identified,2010,R{i},F,{i % 97},,note {i}\n" for i in range(30_000))
"""About 1.4 MB of valid rows: files over a megabyte may take a reader's bulk path."""
CELLS = ["", "F", "f", "<5", "NaN", '"a,b"', '"x""y"', "1,234", '"line\nbreak"', "2010-Q5", '"']


@settings(max_examples=25)
@given(
    rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=7, max_size=7), max_size=10),
    data=st.data(),
)
def test_mutated_large_csv_raises_only_library_errors(
    scratch: Path, rows: list[list[str]], data: st.DataObject
) -> None:
    """A long CSV of over a megabyte with odd rows and a few edits is read soundly or refused."""
    text = LARGE_HEADER + "".join(",".join(row) + "\n" for row in rows) + FILLER
    path = scratch / "large.csv"
    path.write_bytes(data.draw(mutations(text.encode("utf-8"))))
    dataset = read_or_refuse(read_long_csv, path)
    if dataset is not None:
        assert_sound(dataset, path)


@settings(max_examples=40)
@given(
    data=noise | st.sampled_from(TOKENS),
    suffix=st.sampled_from(["", ".csv", ".yaml", ".json", ".xlsx"]),
)
def test_command_line_never_fails_internally(scratch: Path, data: bytes, suffix: str) -> None:
    """The CLI ends any input with status 0, 1 or 2 and never with an internal error."""
    path = scratch / f"cli{suffix}"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["validate", str(path)])
    assert status in {0, 1, 2}
    assert "internal error" not in err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if status == 2:
        assert len(err.getvalue().splitlines()) == 1
        assert str(path) in err.getvalue()


def same(left: Dataset, right: Dataset) -> None:
    """Two datasets hold the same figures (every column but path and line), metadata and
    organisations."""
    assert right.dimensions == left.dimensions
    assert_frame_equal(
        right.observations.drop("path", "line"), left.observations.drop("path", "line")
    )
    assert right.metadata == left.metadata
    assert dict(right.organisations) == dict(left.organisations)


def _crlf(data: bytes, form: str) -> bytes:
    """Records ended by CR LF; a CSV is rewritten so that line breaks inside fields stay."""
    text = data.decode("utf-8")
    if form not in {"long-csv", "sdmx-csv"}:
        return text.replace("\n", "\r\n").encode("utf-8")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(csv.reader(io.StringIO(text, newline="")))
    return out.getvalue().encode("utf-8")


ENCODINGS: dict[str, Callable[[bytes, str], bytes]] = {
    "utf-8 with BOM": lambda data, _: codecs.BOM_UTF8 + data,
    "utf-16-le with BOM": lambda data, _: codecs.BOM_UTF16_LE + data.decode().encode("utf-16-le"),
    "utf-16-be with BOM": lambda data, _: codecs.BOM_UTF16_BE + data.decode().encode("utf-16-be"),
    "CR LF line ends": _crlf,
}
"""Re-encodings of a written text file that readers accept."""


@pytest.mark.parametrize("form", sorted(set(WRITERS) - {"excel"}))
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@settings(max_examples=20)
@given(table=datasets(age_and_geography=True))
def test_valid_files_in_any_accepted_encoding_read_without_problems(
    scratch: Path, form: str, encoding: str, table: list[Row]
) -> None:
    """A valid text file, re-encoded as UTF-16 or with a BOM, reads with no problem, unchanged."""
    dataset = valid(table)
    path = written(form, dataset, scratch, "encoded")
    path.write_bytes(ENCODINGS[encoding](path.read_bytes(), form))
    _, read, _ = WRITERS[form]
    back = read(path)
    assert back.problems == ()
    same(dataset, back)


@pytest.mark.parametrize("form", sorted(WRITERS))
@settings(max_examples=40)
@given(table=datasets(age_and_geography=True), about=metadata, named=organisations)
def test_read_write_read_is_the_identity(
    scratch: Path, form: str, table: list[Row], about: Metadata, named: dict[str, str]
) -> None:
    """Reading, writing and reading again gives the same dataset in every format written.

    Documents carry metadata and organisations; the other formats carry neither, and a dataset
    read from them has none.
    """
    first = valid(table)
    if form in {"yaml", "json"}:
        first = Dataset(
            first.observations,
            first.dimensions,
            about,
            {code: Organisation(code, name) for code, name in named.items()},
        )
    _, read, _ = WRITERS[form]
    second = read(written(form, first, scratch, "first"))
    assert second.problems == ()
    same(first, second)
    third = read(written(form, second, scratch, "second"))
    assert third.problems == ()
    same(second, third)


@settings(max_examples=20)
@given(table=datasets(age_and_geography=True))
def test_a_dataset_survives_every_format_in_turn(scratch: Path, table: list[Row]) -> None:
    """Long CSV to YAML to JSON to SDMX-CSV to xlsx and back to long CSV changes no figure."""
    start = valid(table)
    current = start
    for form in ("yaml", "json", "sdmx-csv", "excel", "long-csv"):
        _, read, _ = WRITERS[form]
        current = read(written(form, current, scratch, "chain"))
        assert current.problems == (), form
        same(start, current)
