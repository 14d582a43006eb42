"""Robustness: bad input never crashes, never slips through, never loses data.

The corpus ``tests/fixtures/bad/`` holds one input per defect and ``expected.toml`` what must
happen to each: the CLI exits 2 with a one-line error naming the file (and the line and field when
there is one) or 1 with a finding at the bad row, never with a traceback; the library raises
:class:`~tip_indicators.errors.InputError` or reports the same finding. Inputs too big to commit
(a 10 MiB field, 100,000 columns, zip bombs, a 3 GiB sparse file) and links a checkout cannot hold
are made here in a temporary folder. The rest of the module tests the resource limits and that
profiles are parsed, never run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import struct
import threading
import tomllib
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

from tip_indicators.cli import _parser, main
from tip_indicators.datasets import Dataset
from tip_indicators.errors import DefinitionError, InputError
from tip_indicators.findings import Severity
from tip_indicators.io import ReadLimits
from tip_indicators.io.document import read_document
from tip_indicators.io.excel import read_excel, write_excel
from tip_indicators.io.glotip import read_glotip
from tip_indicators.io.longcsv import read_long_csv
from tip_indicators.io.readers import read_dataset
from tip_indicators.io.sdmx import read_sdmx_csv
from tip_indicators.profiles import load_profile

BAD = Path(__file__).parent / "fixtures" / "bad"
FIXTURES = Path(__file__).parent / "fixtures"
MIB, GIB = 1024**2, 1024**3

HEADER = "indicator,period,reporter,sex,measure,base_period,value,status\n"
GOOD = "victims_identified,2010,KHM,F,,,4,\n"
NEAR_MISS = "victims_identified,2011,KHM,f,,,5,\n"
SUFFIX_FORMATS = {".csv": "long-csv", ".yaml": "document", ".json": "document", ".xlsx": "excel"}


@pytest.fixture(autouse=True)
def _restore_csv_field_limit() -> Iterator[None]:
    """Put back the csv module's field limit, which a read may leave changed for other tests."""
    before = csv.field_size_limit()
    yield
    csv.field_size_limit(before)


# --------------------------------------------------------------------------- the corpus


@attrs.frozen
class Case:
    """One entry of ``expected.toml``: an input and what must happen to it."""

    name: str
    about: str
    exit: int
    error: str | None = None
    code: str | None = None
    line: int | None = None
    field: str | None = None
    cell: str | None = None
    message: str | None = None
    observations: int | None = None
    errors: int = 1
    format: str | None = None
    names: str | None = None
    library: bool = True
    generated: bool = False
    max_memory: int | None = None
    profile: bool = False
    column: int | None = None

    @property
    def reader(self) -> str:
        """The input format the library test reads the input in."""
        return self.format or SUFFIX_FORMATS[Path(self.name).suffix]


def load_cases() -> list[Case]:
    """The corpus entries, in file order."""
    entries: dict[str, dict[str, Any]] = tomllib.loads(
        (BAD / "expected.toml").read_text(encoding="utf-8")
    )
    return [Case(name=name, **entry) for name, entry in entries.items()]


CASES = load_cases()


def _workbook_members() -> dict[str, bytes]:
    """The parts of a small valid workbook: a header and one good row on sheet ``data``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "data"
    sheet.append(["indicator", "period", "reporter", "sex", "value"])
    sheet.append(["victims_identified", "2010", "KHM", "F", 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip_bomb(member: str) -> Callable[[Path], None]:
    """A generator of a workbook whose ``member`` expands to 201 MiB of NUL bytes."""

    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in _workbook_members().items():
                if name != member:
                    archive.writestr(name, data)
            with archive.open(member, "w") as target:
                chunk = bytes(MIB)
                for _ in range(201):
                    target.write(chunk)

    return make


def claim_size(data: bytearray, member: str, size: int) -> None:
    """Make the zip headers of ``member`` claim an uncompressed size of ``size`` bytes."""
    name = member.encode()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        offset = archive.getinfo(member).header_offset
    assert data[offset : offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, offset + 22, size)
    start = data.find(b"PK\x01\x02")
    while start >= 0:
        length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + length] == name:
            struct.pack_into("<I", data, start + 24, size)
        start = data.find(b"PK\x01\x02", start + 4)


def _lying_sizes(path: Path) -> None:
    members = _workbook_members()
    sheet = "xl/worksheets/sheet1.xml"
    padding = b'<row r="3"><c r="F3" t="inlineStr"><is><t>' + b"a" * (20 * MIB) + b"</t></is></c>"
    members[sheet] = members[sheet].replace(b"</sheetData>", padding + b"</row></sheetData>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    claim_size(data, sheet, 1000)
    path.write_bytes(bytes(data))


def _field_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + GOOD + "victims_identified,2011,KHM,F,,," + "9" * (10 * MIB) + ",\n")


def _field_yaml(path: Path) -> None:
    good = (
        '  - {indicator: victims_identified, period: "2010", reporter: KHM, sex: F, value: "4"}\n'
    )
    long = (
        '  - {indicator: victims_identified, period: "2011", reporter: KHM, sex: F, value: "5", '
        f'note: "{"a" * (10 * MIB)}"}}\n'
    )
    path.write_text(f"title: t\nobservations:\n{good}{long}", encoding="utf-8")


def _wide_header(path: Path) -> None:
    names = ["indicator", "period", "reporter", "value"] + [f"c{i}" for i in range(99_996)]
    row = "victims_identified,2010,KHM,4" + "," * 99_996
    path.write_text(",".join(names) + "\n" + row + "\n", encoding="utf-8")


def _wide_row(path: Path) -> None:
    path.write_text(HEADER + GOOD + ",".join(["x"] * 100_000) + "\n", encoding="utf-8")


def _sparse(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(3 * GIB)


def _symlink_loop(path: Path) -> None:
    (path / "sub").mkdir(parents=True)
    (path / "sub" / "figures.csv").write_text(HEADER + GOOD + NEAR_MISS, encoding="utf-8")
    (path / "sub" / "up").symlink_to("..", target_is_directory=True)


def _symlink_to_itself(path: Path) -> None:
    path.symlink_to(path.name)


def _absolute_files(path: Path) -> None:
    elsewhere = path.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "figures.csv").write_text(HEADER + GOOD, encoding="utf-8")
    target = json.dumps(str(elsewhere / "figures.csv"))
    path.write_text(f"title: t\nfiles: [{target}]\n", encoding="utf-8")


def _symlink_outside(path: Path) -> None:
    (path.parent / "link.csv").symlink_to("/etc/passwd")
    path.write_text("title: t\nfiles: [link.csv]\n", encoding="utf-8")


def _commas_row(path: Path) -> None:
    path.write_text(HEADER + GOOD + "," * 5_000_000 + "\n", encoding="utf-8")


def _commas_first_row(path: Path) -> None:
    rows = "".join(f"victims_identified,2010,GOV.R{i},F,,,4,\n" for i in range(20_000))
    path.write_text(HEADER + "," * 5_000_000 + "\n" + rows, encoding="utf-8")


def _xfd_rows(path: Path) -> None:
    members = _workbook_members()
    sheet = "xl/worksheets/sheet1.xml"
    rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(3, 20_003))
    members[sheet] = members[sheet].replace(b"</sheetData>", rows.encode() + b"</sheetData>")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def _json_values(path: Path) -> None:
    path.write_text('{"title": "t", "x": [' + ",".join(["1"] * 3_000_000) + "]}\n")


def _yaml_values(path: Path) -> None:
    path.write_text("title: t\nx:\n" + "- 1\n" * 1_000_000, encoding="utf-8")


def _sparse_nul(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(2_000_000_000)


def _tiny_exponents(path: Path) -> None:
    head = "DATAFLOW,INDICATOR,REPORTER,SEX,TIME_PERIOD,OBS_VALUE\n"
    good = "D,victims_identified,KHM,F,1000,4\n"
    bad = "".join(f"D,victims_identified,KHM,F,{2000 + i},1E-999999\n" for i in range(2000))
    path.write_text(head + good + bad, encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "commas-5m-row.csv": _commas_row,
    "commas-5m-first-row.csv": _commas_first_row,
    "xlsx-xfd-20k-rows.xlsx": _xfd_rows,
    "json-3m-values.json": _json_values,
    "yaml-1m-values.yaml": _yaml_values,
    "sparse-2gb-nul.csv": _sparse_nul,
    "sdmx-2000-tiny-exponents.csv": _tiny_exponents,
    "columns-100k-header.csv": _wide_header,
    "columns-100k-row.csv": _wide_row,
    "field-10mb.csv": _field_csv,
    "field-10mb.yaml": _field_yaml,
    "absolute-files.yaml": _absolute_files,
    "files-symlink-outside.yaml": _symlink_outside,
    "zip-bomb-sheet.xlsx": _zip_bomb("xl/worksheets/sheet1.xml"),
    "zip-bomb-index.xlsx": _zip_bomb("xl/workbook.xml"),
    "zip-lying-sizes.xlsx": _lying_sizes,
    "sparse-3gib.csv": _sparse,
    "symlink-loop": _symlink_loop,
    "symlink-to-itself.csv": _symlink_to_itself,
}


def materialise(case: Case, folder: Path) -> Path:
    """The input of ``case``: the committed file, or one generated under ``folder``."""
    if not case.generated:
        return BAD / case.name
    path = folder / case.name
    GENERATORS[case.name](path)
    return path


@contextmanager
def traced() -> Iterator[list[int]]:
    """Trace allocations in the block; the list then holds the peak, in bytes."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
        peak.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], *, trace: bool = False
) -> tuple[int, str, str, int]:
    """Run the CLI in-process: exit status, standard output, standard error and, when traced,
    the peak of memory allocated meanwhile (else 0)."""
    top = 0
    if trace:
        with traced() as peak:
            status = main(argv)
        top = peak[0]
    else:
        status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err, top


def test_corpus_files_all_have_an_entry() -> None:
    """Every committed bad input has an entry, and every entry a file or a generator."""
    committed = {path.name for path in BAD.iterdir() if path.name != "expected.toml"}
    listed = {case.name for case in CASES if not case.generated}
    assert committed == listed
    assert {case.name for case in CASES if case.generated} == set(GENERATORS)


def test_corpus_covers_the_brief() -> None:
    """The corpus holds every kind of bad input the robustness requirements name."""
    names = {case.name for case in CASES}
    required = {
        "empty.csv",
        "header-only.csv",
        "missing-column.csv",
        "duplicate-column.csv",
        "unknown-column.csv",
        "semicolon-delimiter.csv",
        "bom-utf8.csv",
        "utf16-le-bom.csv",
        "latin1.csv",
        "mixed-line-endings.csv",
        "unterminated-quote.csv",
        "field-10mb.csv",
        "columns-100k-header.csv",
        "value-nan.csv",
        "value-inf.csv",
        "value-1e308.csv",
        "value-negative-count.csv",
        "value-fractional-count.csv",
        "value-space-in-number.csv",
        "value-thousands-misplaced.csv",
        "censored-percentage-change.csv",
        "sex-trailing-space.csv",
        "sex-lowercase.csv",
        "period-quarter-5.csv",
        "period-month-13.csv",
        "base-after-period.csv",
        "billion-laughs.yaml",
        "python-tag.yaml",
        "deeply-nested.json",
        "number-10k-digits.json",
        "formula-without-value.xlsx",
        "merged-cells.xlsx",
        "hidden-sheet.xlsx",
        "date-in-count.xlsx",
        "zip-bomb-sheet.xlsx",
        "symlink-loop",
    }
    assert required <= names


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_cli_reports_bad_input(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI exits as expected, naming the file, line or cell and field, never a traceback."""
    path = materialise(case, tmp_path)
    argv = ["validate", str(path)]
    if case.profile:
        argv = ["validate", "--profile", str(path), str(FIXTURES / "valid.csv")]
    status, out, err, peak = run(argv, capsys, trace=case.max_memory is not None)
    assert "Traceback" not in out + err
    assert "internal error" not in err
    assert "owned" not in out + err
    assert status == case.exit, out + err
    named = str(path / case.names) if case.names else str(path)
    if case.exit == 2:
        assert out == ""
        assert err.endswith("\n")
        assert len(err.splitlines()) == 1, err
        where = named if case.line is None else f"{named}:{case.line}"
        if case.column is not None:
            where += f":{case.column}"
        assert err.startswith(f"tip-indicators: {where}: "), err
        reason = err.removeprefix(f"tip-indicators: {where}: ")
        assert case.error is not None
        assert case.error in reason
        if case.field is not None:
            assert case.field in reason
    else:
        assert err == ""
        lines = out.splitlines()
        summary = lines[-1]
        assert summary.startswith(f"{case.observations} observation"), summary
        assert f": {case.errors if case.exit == 1 else 0} error" in summary, summary
    if case.exit == 1:
        assert lines[0] == named
        reported = [text for text in lines if f"[{case.code}]" in text]
        assert reported, out
        wanted = [f"line {case.line}: "] + [
            part for part in (case.field, case.cell, case.message) if part is not None
        ]
        assert any(all(part in text for part in wanted) for text in reported), (wanted, out)
    if case.max_memory is not None:
        assert peak < case.max_memory * MIB, f"peak {peak:,} bytes"


LIBRARY = [case for case in CASES if case.library]


@pytest.mark.parametrize("case", LIBRARY, ids=[case.name for case in LIBRARY])
def test_library_reports_bad_input(case: Case, tmp_path: Path) -> None:
    """The reader raises InputError naming file, line and field, or reports the bad row."""
    path = materialise(case, tmp_path)
    if case.profile:
        with pytest.raises(DefinitionError) as refused:
            load_profile(path)
        assert (refused.value.source, refused.value.line) == (str(path), case.line)
        assert refused.value.column == case.column
        assert case.error is not None
        assert case.error in refused.value.reason
        assert case.field is not None
        assert case.field in refused.value.reason
        return
    if case.exit == 2:
        with pytest.raises(InputError) as caught:
            read_dataset(path, input_format=case.reader)
        error = caught.value
        assert error.path == str(path)
        assert case.error is not None
        assert case.error in error.reason
        assert error.line == case.line
        if case.field is not None:
            assert case.field in error.reason
        return
    dataset = read_dataset(path, input_format=case.reader)
    assert len(dataset) == case.observations
    errors = [p for p in dataset.problems if p.severity is Severity.ERROR]
    assert len(errors) == (case.errors if case.exit == 1 else 0), errors
    if case.exit == 1:
        places = {
            (p.code, p.location.path, p.location.line, p.location.field)
            for p in errors
            if p.location is not None
        }
        assert (case.code, str(path), case.line, case.cell or case.field) in places, places


# --------------------------------------------------------------------------- size limits

LIMITED_READERS: dict[str, tuple[Callable[..., Dataset], str]] = {
    "long-csv": (read_long_csv, ".csv"),
    "document": (read_document, ".yaml"),
    "sdmx-csv": (read_sdmx_csv, ".csv"),
    "glotip": (read_glotip, ".csv"),
    "excel": (read_excel, ".xlsx"),
    "detected": (read_dataset, ".csv"),
}


@pytest.mark.parametrize("reader", sorted(LIMITED_READERS))
def test_gigabyte_over_the_limit_is_refused_unread(reader: str, tmp_path: Path) -> None:
    """A 1 GiB (sparse) file over a 1 MiB limit is refused without being loaded into memory."""
    read, suffix = LIMITED_READERS[reader]
    path = tmp_path / f"big{suffix}"
    with path.open("wb") as handle:
        handle.truncate(GIB)
    with traced() as peak, pytest.raises(InputError) as caught:
        read(path, limits=ReadLimits(max_file_bytes=MIB))
    assert peak[0] < 8 * MIB, f"peak {peak[0]:,} bytes"
    assert caught.value.path == str(path)
    assert "1,073,741,824 bytes, over the limit of 1,048,576" in caught.value.reason
    assert "max_file_bytes" in caught.value.reason


def _small_inputs(folder: Path) -> dict[str, Path]:
    dataset = read_long_csv(FIXTURES / "valid.csv")
    write_excel(dataset, folder / "valid.xlsx")
    return {
        "long-csv": FIXTURES / "valid.csv",
        "document": FIXTURES / "dataset.yaml",
        "sdmx-csv": FIXTURES / "sdmx" / "sdmx-2.0.csv",
        "glotip": FIXTURES / "glotip" / "slices.csv",
        "excel": folder / "valid.xlsx",
        "detected": FIXTURES / "valid.csv",
    }


@pytest.mark.parametrize("reader", sorted(LIMITED_READERS))
def test_small_input_takes_memory_by_its_size_not_the_limit(reader: str, tmp_path: Path) -> None:
    """Reading a file of a few KiB under the default 2 GiB limit allocates a few MiB at most."""
    read, _ = LIMITED_READERS[reader]
    path = _small_inputs(tmp_path)[reader]
    read(path)
    with traced() as peak:
        read(path)
    assert peak[0] < 32 * MIB, f"peak {peak[0]:,} bytes"


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    """A file as large as max_file_bytes is read; one byte less of limit refuses it."""
    path = tmp_path / "valid.csv"
    path.write_bytes((FIXTURES / "valid.csv").read_bytes())
    size = path.stat().st_size
    assert len(read_long_csv(path, limits=ReadLimits(max_file_bytes=size))) == 9
    with pytest.raises(InputError, match="over the limit"):
        read_long_csv(path, limits=ReadLimits(max_file_bytes=size - 1))


def test_file_growing_after_the_size_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file larger when read than when measured is refused, never cut at the limit."""
    head = "indicator,period,reporter,value\nvictims_identified,2010,KHM,4\n"
    path = tmp_path / "growing.csv"
    path.write_text(head + "victims_identified,2011,KHM,5\n", encoding="utf-8")
    real_stat = os.stat

    def measured_early(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        status = real_stat(target, *args, **kwargs)
        if os.fspath(target) != str(path):
            return status
        fields = list(status)[:10]
        fields[6] = 10
        return os.stat_result(fields)

    monkeypatch.setattr(os, "stat", measured_early)
    limit = len(head) - 1
    with pytest.raises(InputError, match="limit"):
        read_long_csv(path, limits=ReadLimits(max_file_bytes=limit))


def _note_inputs(folder: Path, note: str) -> dict[str, Path]:
    """The same figure with ``note`` (in its format's note column) in each format."""
    figure = "victims_identified,2010,KHM,4"
    glotip = "NPL,Detected trafficking victims,Total,Total,Female,0 to 17 years,2020,4"
    files = {
        "long-csv": ("n.csv", f"indicator,period,reporter,value,note\n{figure},{note}\n"),
        "sdmx-csv": (
            "s.csv",
            f"DATAFLOW,INDICATOR,TIME_PERIOD,REPORTER,OBS_VALUE,COMMENT\nD,{figure},{note}\n",
        ),
        "document": (
            "d.yaml",
            "observations:\n  - indicator: victims_identified\n    period: '2010'\n"
            f"    reporter: KHM\n    value: '4'\n    note: {note}\n",
        ),
        "glotip": (
            "g.csv",
            "Iso3_code,Indicator,Dimension,Category,Sex,Age,Year,txtVALUE,Source\n"
            f"{glotip},{note}\n",
        ),
    }
    paths = {}
    for reader, (name, text) in files.items():
        paths[reader] = folder / name
        paths[reader].write_text(text, encoding="utf-8")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "data"
    sheet.append(["indicator", "period", "reporter", "value", "note"])
    sheet.append(["victims_identified", "2010", "KHM", 4, note])
    paths["excel"] = folder / "w.xlsx"
    workbook.save(paths["excel"])
    return paths


FIELD_LINES = {"long-csv": 2, "sdmx-csv": 2, "document": 6, "glotip": 2, "excel": 2}
FIELD_NAMES = {
    "long-csv": "note",
    "sdmx-csv": "COMMENT",
    "document": "note",
    "glotip": "Source",
    "excel": "note",
}


@pytest.mark.parametrize("reader", sorted(FIELD_LINES))
def test_field_limit_holds_in_every_format(reader: str, tmp_path: Path) -> None:
    """A field of max_field_bytes is read; a longer one is refused naming its line and field."""
    read, _ = LIMITED_READERS[reader]
    limits = ReadLimits(max_field_bytes=100)
    (tmp_path / "fits").mkdir()
    (tmp_path / "over").mkdir()
    fits = _note_inputs(tmp_path / "fits", "a" * 100)[reader]
    over = _note_inputs(tmp_path / "over", "a" * 101)[reader]
    assert len(read(fits, limits=limits)) == 1
    with pytest.raises(InputError) as caught:
        read(over, limits=limits)
    assert caught.value.line == FIELD_LINES[reader]
    assert FIELD_NAMES[reader] in caught.value.reason
    assert "100" in caught.value.reason


def test_reading_leaves_the_csv_field_limit_of_other_code_alone(tmp_path: Path) -> None:
    """The field limit of a read does not stay set in the csv module for the caller's code."""
    path = tmp_path / "valid.csv"
    path.write_bytes((FIXTURES / "valid.csv").read_bytes())
    before = csv.field_size_limit()
    read_long_csv(path, limits=ReadLimits(max_field_bytes=200))
    assert csv.field_size_limit() == before


def test_limit_messages_name_only_options_that_exist(tmp_path: Path) -> None:
    """Every command-line option a size-limit message tells the user to raise is accepted."""
    path = tmp_path / "valid.csv"
    path.write_bytes((FIXTURES / "valid.csv").read_bytes())
    with pytest.raises(InputError) as caught:
        read_long_csv(path, limits=ReadLimits(max_file_bytes=10))
    for option in re.findall(r"--[a-z][a-z-]*", caught.value.reason):
        try:
            _parser("validate").parse_args(["validate", option, "10000000", str(path)])
        except SystemExit:
            pytest.fail(f"the message names {option}, which tip-indicators validate refuses")


def test_named_pipe_is_refused_without_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A named pipe (reading it would wait for a writer forever) is refused as not a file."""
    pipe = tmp_path / "figures.csv"
    os.mkfifo(pipe)
    statuses: list[int] = []
    worker = threading.Thread(
        target=lambda: statuses.append(main(["validate", str(pipe)])), daemon=True
    )
    worker.start()
    worker.join(timeout=10)
    waited = worker.is_alive()
    if waited:
        # Open the writing end so that the blocked reader can go on and the thread end.
        os.close(os.open(pipe, os.O_WRONLY))
        worker.join(timeout=30)
    err = capsys.readouterr().err
    assert not waited, "the CLI waited on the pipe"
    assert statuses == [2]
    assert f"{pipe}: not a regular file" in err


# --------------------------------------------------------------------------- profiles are data


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:builtins.open",
        "!!python/object/new:builtins.open",
        "!!python/object:builtins.open",
        "!!python/name:builtins.open",
        "!!python/module:builtins",
    ],
)
def test_profile_with_a_python_tag_is_refused_unrun(tag: str, tmp_path: Path) -> None:
    """A profile with a Python tag is refused at its line, and the object is never built."""
    sentinel = tmp_path / "built"
    path = tmp_path / "profile.yaml"
    arguments = json.dumps([str(sentinel), "w"])
    path.write_text(f'profile: p\nversion: "1"\ndescription: {tag} {arguments}\n', encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_profile(path)
    assert (caught.value.line, caught.value.source) == (3, str(path))
    assert "is not allowed" in caught.value.reason
    assert not sentinel.exists()


def test_included_profile_with_a_tag_is_refused(tmp_path: Path) -> None:
    """A tag in an included profile is refused too, naming the included file."""
    (tmp_path / "base.yaml").write_text(
        'profile: base\nversion: "1"\nclosed: !!python/object/apply:os.getcwd []\n',
        encoding="utf-8",
    )
    path = tmp_path / "profile.yaml"
    path.write_text('profile: p\nversion: "1"\ninclude: [base.yaml]\n', encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_profile(path)
    assert caught.value.source.endswith("base.yaml")
    assert caught.value.line == 3


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true') == 0",
        "victims_identified <= eval('1')",
        "open('x', 'w') == 0",
        "victims_identified.__class__ == 1",
        "[x for x in victims_identified] == 1",
        "victims_identified == 1; import os",
        "{{ 7 * 7 }} == 49",
        "victims_identified == `id`",
    ],
)
def test_profile_rule_with_code_is_refused(expression: str, tmp_path: Path) -> None:
    """A rule written as Python (or any code) is not in the rule language and is refused."""
    path = tmp_path / "profile.yaml"
    rule = json.dumps(expression)
    path.write_text(
        f'profile: p\nversion: "1"\nrules:\n  - name: r\n    expression: {rule}\n',
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as caught:
        load_profile(path)
    assert caught.value.line == 5


def test_profile_yaml_bomb_is_refused(tmp_path: Path) -> None:
    """A billion-laughs profile is refused at its first alias, without expanding it."""
    lines = ['profile: p\nversion: "1"\ndescription: &a0 "lol"']
    lines += [f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "profile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with traced() as peak, pytest.raises(DefinitionError, match="anchors and aliases"):
        load_profile(path)
    assert peak[0] < 64 * MIB, f"peak {peak[0]:,} bytes"


def test_profile_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    """A 1 GiB (sparse) profile is refused before it is read."""
    path = tmp_path / "profile.yaml"
    with path.open("wb") as handle:
        handle.truncate(GIB)
    with traced() as peak, pytest.raises(InputError, match="over the limit"):
        load_profile(path)
    assert peak[0] < 8 * MIB
