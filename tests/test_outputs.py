"""Outputs: written whole or not at all, never over an input, safe to show and to open.

Tests for ``_private.output`` (every file the package writes), ``_private.safetext`` (data text
in human reports) and ``_private.cells`` (cells of spreadsheet-bound files), through the library
writers and the command line.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tip_indicators._private import output
from tip_indicators._private.cells import (
    escape_cell,
    escape_columns,
    unescape_cell,
    unescape_columns,
)
from tip_indicators._private.safetext import shown
from tip_indicators.cli import main
from tip_indicators.cli._shared import emit
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.io.document import write_document
from tip_indicators.io.excel import read_excel, write_excel
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv, write_long_csv
from tip_indicators.io.sdmx import read_sdmx_csv, write_sdmx_csv
from tip_indicators.render.github import report_github
from tip_indicators.render.text import report_text
from tip_indicators.report import Report

FIXTURES = Path(__file__).parent / "fixtures"
CASES = FIXTURES / "cases" / "htcds-cases.csv"


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process: exit status, standard output and standard error."""
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_line_error(err: str, *parts: str) -> None:
    """``err`` is one line, no traceback, holding every one of ``parts``."""
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    for part in parts:
        assert part in err, err


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    """A copy of the valid long-CSV fixture in a fresh folder."""
    path = tmp_path / "valid.csv"
    shutil.copyfile(FIXTURES / "valid.csv", path)
    return path


# --------------------------------------------------------------------------- never over an input


def _commands(path: Path, tmp_path: Path) -> dict[str, tuple[list[str], Path]]:
    cases = tmp_path / "cases.csv"
    return {
        "validate": (["validate", str(path), "-o", str(path)], path),
        "validate-json": (["validate", str(path), "--format", "json", "-o", str(path)], path),
        "convert": (["convert", str(path), str(path)], path),
        "suppress": (["suppress", str(path), "-o", str(path)], path),
        "indicators": (["indicators", str(path), "--format", "csv", "-o", str(path)], path),
        "rollup": (["rollup", str(path), "--into", "KHM", "-o", str(path)], path),
        "audit": (["audit-disclosure", str(path), "-o", str(path)], path),
        "aggregate": (["aggregate", str(cases), "--reporter", "KHM", "-o", str(cases)], cases),
    }


COMMANDS = sorted(_commands(Path("x"), Path("y")))


@pytest.mark.parametrize("command", COMMANDS)
def test_output_equal_to_an_input_is_refused(
    command: str, valid: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o naming the input exits 2 with one line, and the input is left byte for byte."""
    shutil.copyfile(CASES, tmp_path / "cases.csv")
    argv, target = _commands(valid, tmp_path)[command]
    before = target.read_bytes()
    status, _, err = cli(argv, capsys)
    assert status == 2
    one_line_error(err, str(target), "is an input")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv", "valid.csv"]


@pytest.mark.parametrize("alias", ["symlink", "hardlink", "dotted"])
def test_output_naming_an_input_another_way_is_refused(
    alias: str, valid: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to the input, or a path with ``..`` in it, is the input too."""
    other = tmp_path / "other.csv"
    if alias == "symlink":
        other.symlink_to(valid)
    elif alias == "hardlink":
        os.link(valid, other)
    else:
        (tmp_path / "sub").mkdir()
        other = tmp_path / "sub" / ".." / "valid.csv"
    before = valid.read_bytes()
    status, _, err = cli(["convert", str(valid), str(other)], capsys)
    assert status == 2
    one_line_error(err, "is an input")
    assert valid.read_bytes() == before


def test_a_file_a_document_reads_is_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The long-CSV file a dataset document names is as much an input as the document."""
    shutil.copyfile(FIXTURES / "valid.csv", tmp_path / "figures.csv")
    document = tmp_path / "doc.yaml"
    document.write_text("title: t\nfiles: [figures.csv]\n", encoding="utf-8")
    before = (tmp_path / "figures.csv").read_bytes()
    status, _, err = cli(["validate", str(document), "-o", str(tmp_path / "figures.csv")], capsys)
    assert status == 2
    one_line_error(err, "is an input")
    assert (tmp_path / "figures.csv").read_bytes() == before


# --------------------------------------------------------------------------- whole or absent


class _FullDisk(io.FileIO):
    """A file that takes ``room`` bytes and then fails as a full disk does."""

    room = 3000

    def write(self, data: Any) -> int:
        size = len(memoryview(data))
        if self.tell() + size > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every output file run out of room after a few kilobytes."""

    def opened(descriptor: int, mode: str) -> io.BufferedWriter:
        assert mode == "wb"
        return io.BufferedWriter(_FullDisk(descriptor, "wb"), buffer_size=512)

    monkeypatch.setattr(output, "open", opened, raising=False)


def _writers(dataset: Dataset) -> dict[str, Callable[[Path], None]]:
    big = "x" * 100_000
    return {
        "emit": lambda path: emit([big, big], str(path), end="\n"),
        "long-csv": lambda path: write_long_csv(dataset, path),
        "sdmx-csv": lambda path: write_sdmx_csv(dataset, path),
        "document": lambda path: write_document(dataset, path.with_suffix(".yaml")),
        "excel": lambda path: write_excel(dataset, path.with_suffix(".xlsx")),
    }


WRITERS = ["document", "emit", "excel", "long-csv", "sdmx-csv"]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_full_disk_leaves_the_old_file_and_no_temporary(
    writer: str, tmp_path: Path, full_disk: None
) -> None:
    """ENOSPC midway raises a one-line InputError; the old file is whole, nothing else left."""
    rows = "\n".join(f"victims_identified,{1900 + n},KHM,{n}" for n in range(100))
    dataset = parse_long_csv(f"indicator,period,reporter,value\n{rows}\n")
    write = _writers(dataset)[writer]
    folder = tmp_path / "out"
    folder.mkdir()
    names = {"document": "old.yaml", "excel": "old.xlsx"}
    old = folder / names.get(writer, "old.csv")
    old.write_bytes(b"the old content\n")
    with pytest.raises(InputError) as caught:
        write(folder / "old.csv")
    assert "No space left on device" in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1
    assert old.read_bytes() == b"the old content\n"
    assert [p.name for p in folder.iterdir()] == [old.name]


def test_cli_on_a_full_disk_exits_2_and_keeps_the_old_report(
    valid: Path, tmp_path: Path, full_disk: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate -o on a full disk: exit 2, one line, the previous report left as it was."""
    report = tmp_path / "report.json"
    report.write_text('{"old": true}\n', encoding="utf-8")
    argv = ["validate", str(FIXTURES / "invalid.csv"), "--format", "json", "-o", str(report)]
    status, _, err = cli(argv, capsys)
    assert status == 2
    one_line_error(err, str(report), "No space left on device")
    assert json.loads(report.read_text(encoding="utf-8")) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "valid.csv"]


_WRITER = textwrap.dedent(
    """
    import sys
    from tip_indicators.cli._shared import emit

    target, mark = sys.argv[1], sys.argv[2]
    for attempt in range(int(sys.argv[3])):
        body = [f'{{"writer": "{mark}", "attempt": {attempt}, "filler": "', "y" * 300_000, '"}']
        emit(body, target, end="\\n")
    """
)


def test_concurrent_writers_leave_a_whole_file(tmp_path: Path) -> None:
    """Four processes writing one -o file 40 times each, read meanwhile: every read parses."""
    target = tmp_path / "report.json"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target), str(n), "40"],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        for n in range(4)
    ]
    reads = 0
    while any(writer.poll() is None for writer in writers):
        with contextlib.suppress(FileNotFoundError):
            document = json.loads(target.read_bytes())
            assert len(document["filler"]) == 300_000
            reads += 1
    assert [writer.wait() for writer in writers] == [0, 0, 0, 0]
    final = json.loads(target.read_bytes())
    assert final["attempt"] == 39
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_concurrent_cli_runs_leave_a_parseable_report(tmp_path: Path) -> None:
    """Several validate runs writing the same -o at once each leave a whole JSON report."""
    target = tmp_path / "report.json"
    command = [sys.executable, "-m", "tip_indicators.cli", "validate"]
    argv = [*command, str(FIXTURES / "invalid.csv"), "--format", "json", "-o", str(target)]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for _ in range(2):
        runs = [subprocess.Popen(argv, env=environment) for _ in range(3)]
        assert [run.wait() for run in runs] == [1, 1, 1]
        report = json.loads(target.read_text(encoding="utf-8"))
        assert report["summary"]["errors"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize("command", ["validate", "convert", "schema"])
def test_missing_folder_is_a_one_line_error(
    command: str, valid: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output in a folder that does not exist: exit 2, one line naming it."""
    target = str(tmp_path / "missing" / "out.csv")
    argv = {
        "validate": ["validate", str(valid), "-o", target],
        "convert": ["convert", str(valid), target],
        "schema": ["schema", "dataset", "-o", target],
    }[command]
    status, _, err = cli(argv, capsys)
    assert status == 2
    one_line_error(err, target, "No such file or directory")


@pytest.fixture
def read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder no file can be created in (denied even to a superuser, who ignores modes)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    real = os.open

    def guarded(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        if flags & os.O_CREAT and os.path.dirname(os.fspath(path)) == str(folder):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    return folder


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml", ".sdmx.csv"])
def test_convert_into_a_read_only_folder_is_a_one_line_error(
    suffix: str, valid: Path, read_only: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """convert into a folder it may not write: exit 2, one line, nothing created."""
    target = read_only / f"out{suffix}"
    status, _, err = cli(["convert", str(valid), str(target)], capsys)
    assert status == 2
    one_line_error(err, str(target), "Permission denied")
    assert list(read_only.iterdir()) == []


def test_new_files_get_the_usual_mode_and_old_ones_keep_theirs(valid: Path, tmp_path: Path) -> None:
    """A new output has the mode a plain open gives; a replaced one keeps its own."""
    mask = os.umask(0)
    os.umask(mask)
    fresh = tmp_path / "fresh.csv"
    emit("text\n", str(fresh))
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n")
    kept.chmod(0o640)
    emit("new\n", str(kept))
    assert kept.read_text() == "new\n"
    assert kept.stat().st_mode & 0o777 == 0o640


# --------------------------------------------------------------------------- safe to show

CONTROL = st.characters(
    codec="utf-8", categories=("Cc", "Zl", "Zp", "Cf"), exclude_characters="\u00ad"
)
ANY_TEXT = st.text(st.one_of(st.characters(), CONTROL), max_size=40)


def _unsafe(character: str) -> bool:
    return unicodedata.category(character) in {"Cc", "Zl", "Zp", "Cs"} or character in (
        "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
    )


@given(ANY_TEXT)
def test_shown_text_holds_no_control_character(text: str) -> None:
    """shown() leaves no control, separator, bidi or surrogate character: each is written as a
    printable ASCII escape, and every other character stays as it is."""
    result = shown(text)
    assert not any(_unsafe(character) for character in result)
    assert result == "".join(shown(character) for character in text)
    for character in text:
        if _unsafe(character):
            assert shown(character).startswith("\\")
            assert shown(character).isascii()
            assert shown(character).isprintable()
        else:
            assert shown(character) == character


@given(ANY_TEXT, ANY_TEXT)
def test_data_text_cannot_add_report_lines(message: str, path: str) -> None:
    """Whatever a message or file name holds, the text report and GitHub annotations keep one
    line per finding and no escape sequence of their data."""
    finding = Finding("unknown-code", Severity.ERROR, message, location=Location(path or "f", 3))
    report = Report(findings=(finding,), inputs=())
    text = report_text(report)
    assert len(text.splitlines()) == 3
    assert "\x1b" not in text
    github = report_github(report)
    # The runner splits its commands at line feeds only.
    commands = github.removesuffix("\n").split("\n")
    assert len(commands) == 2
    assert commands[0].startswith("::error ")
    assert "\x1b" not in commands[0].split("::", 2)[2]


def test_forged_summary_and_escape_codes_show_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quoted reporter with a line break and ESC[2J appears as \\n and \\x1b in every format
    meant for people."""
    forged = "KHM\n0 errors\x1b[2J"
    path = tmp_path / "forged.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator", "period", "reporter", "value"])
        writer.writerow(["victims_identified", "2010", forged, "4"])
        writer.writerow(["victims_identified", "2010", forged, "5"])
    for form in ["text", "github"]:
        status, out, _ = cli(["validate", str(path), "--format", form], capsys)
        assert status == 1
        assert "KHM\\n0 errors\\x1b[2J" in out
        assert "\x1b" not in out
        assert not any(line.startswith("0 errors") for line in out.splitlines())


# --------------------------------------------------------------------------- safe to open

TRIGGERS = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "1", "."])
CELL_TEXT = st.builds(
    lambda head, rest: head + rest,
    st.text(TRIGGERS, max_size=4),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12),
)


@given(st.text())
def test_escaping_a_cell_round_trips(text: str) -> None:
    """unescape_cell(escape_cell(t)) == t for every text."""
    assert unescape_cell(escape_cell(text)) == text


@given(st.lists(st.tuples(st.one_of(st.none(), CELL_TEXT), CELL_TEXT), max_size=6))
def test_escaping_columns_round_trips_cell_by_cell(rows: list[tuple[str | None, str]]) -> None:
    """Escaped and unescaped column-wise, any frame of texts reads back as it was, and each
    column is escaped exactly as its cells are one by one (a column with no cell to unescape
    is left as it is)."""
    frame = pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String}, orient="row")
    escaped = escape_columns(frame)
    assert escaped.to_dicts() == [
        {name: None if text is None else escape_cell(text) for name, text in row.items()}
        for row in frame.to_dicts()
    ]
    assert unescape_columns(escaped, ["a", "b"]).to_dicts() == frame.to_dicts()
    assert unescape_columns(frame, ["a", "b"]).to_dicts() == [
        {name: None if text is None else unescape_cell(text) for name, text in row.items()}
        for row in frame.to_dicts()
    ]


@given(st.text())
def test_an_escaped_cell_runs_nothing(text: str) -> None:
    """An escaped cell starts with a formula character only when it is a plain number."""
    written = escape_cell(text)
    if written[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        float(written)


@pytest.mark.parametrize("number", ["-5", "+5", "-12.50", "1e3", "-0.5"])
def test_numbers_are_never_escaped(number: str) -> None:
    """A number stays a number: -5 is written -5."""
    assert escape_cell(number) == number


def _noted(notes: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["indicator", "period", "reporter", "measure", "value", "note"])
    for year, note in enumerate(notes, start=1900):
        writer.writerow(["victims_received", str(year), "KHM", "CHG", "-5", note])
    return buffer.getvalue()


@contextlib.contextmanager
def _folder(tmp_path: Path, name: str) -> Iterator[Path]:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    yield folder
    shutil.rmtree(folder)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(CELL_TEXT.filter(lambda t: t.strip() != ""), min_size=1, max_size=5))
def test_text_cells_round_trip_through_every_spreadsheet_writer(
    tmp_path: Path, notes: list[str]
) -> None:
    """Any note survives long CSV, SDMX-CSV and xlsx as written; no cell of the files starts a
    formula, and the value -5 stays a number."""
    dataset = parse_long_csv(_noted(notes))
    notes = dataset.observations.get_column("note").to_list()
    with _folder(tmp_path, "round") as folder:
        for suffix, write, read in [
            (".csv", write_long_csv, read_long_csv),
            (".sdmx.csv", write_sdmx_csv, read_sdmx_csv),
            (".xlsx", write_excel, read_excel),
        ]:
            path = folder / f"out{suffix}"
            write(dataset, path)
            again = read(path)
            assert again.observations.get_column("note").to_list() == notes, suffix
            assert again.observations.get_column("value").to_list() == ["-5"] * len(notes)
            if suffix != ".xlsx":
                rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
                cells = [cell for row in rows[1:] for cell in row]
                assert "-5" in cells
                assert all(
                    cell[:1] not in {"=", "+", "-", "@", "\t", "\r"} or cell == "-5"
                    for cell in cells
                ), cells


def test_formula_in_a_note_is_written_quoted(tmp_path: Path) -> None:
    """=HYPERLINK(...) in a note is written '=HYPERLINK(...), and read back without the quote."""
    dataset = parse_long_csv(_noted(['=HYPERLINK("http://x","y")']))
    path = tmp_path / "out.csv"
    write_long_csv(dataset, path)
    assert "'=HYPERLINK(" in path.read_text(encoding="utf-8")
    assert read_long_csv(path).observations.get_column("note").to_list() == [
        '=HYPERLINK("http://x","y")'
    ]


def test_indicators_csv_cells_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """indicators --format csv writes formula-like text cells quoted, like the other writers."""
    path = tmp_path / "figures.csv"
    path.write_text(
        "indicator,period,reporter,sex,value\n"
        "victims_identified,2010,@KHM,_T,10\n"
        "victims_identified,2010,@KHM,F,4\n",
        encoding="utf-8",
    )
    status, out, _ = cli(["indicators", str(path), "--format", "csv"], capsys)
    assert status == 0
    cells = [cell for row in csv.reader(out.splitlines()[1:]) for cell in row]
    assert "'@KHM" in cells
    assert not any(cell.startswith(("=", "@", "+")) for cell in cells)


def test_names_that_are_not_utf8_are_written_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name with a byte that is not UTF-8 is percent-encoded in SARIF and escaped in
    aggregate's CSV and report, never an internal error."""
    figures = tmp_path / os.fsdecode(b"figures\xff.csv")
    shutil.copyfile(FIXTURES / "invalid.csv", figures)
    sarif = tmp_path / "report.sarif"
    status, _, err = cli(["validate", str(figures), "--format", "sarif", "-o", str(sarif)], capsys)
    assert (status, err) == (1, "")
    log = json.loads(sarif.read_text(encoding="utf-8"))
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]
        for location in result.get("locations", [])
    }
    artifacts = [item["location"]["uri"] for item in log["runs"][0]["artifacts"]]
    assert uris
    assert all(uri.isascii() for uri in uris), uris
    assert [uri.rsplit("/", 1)[1] for uri in artifacts] == ["figures%FF.csv"]
    cases = tmp_path / os.fsdecode(b"cases\xff.csv")
    shutil.copyfile(CASES, cases)
    target = tmp_path / "aggregates.csv"
    status, out, err = cli(
        ["aggregate", str(cases), "--reporter", "KHM", "-o", str(target)], capsys
    )
    assert "internal error" not in err
    assert status in {0, 1}
    assert "cases\\udcff.csv" in target.read_text(encoding="utf-8")
    status, out, err = cli(["aggregate", str(cases), "--reporter", "KHM"], capsys)
    assert "internal error" not in err
    assert "cases\\udcff.csv" in out


def test_a_pipe_is_written_in_place(tmp_path: Path) -> None:
    """An output that is a named pipe gets the content and stays a pipe (no rename over it)."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    emit(["first ", "second"], str(pipe), end="\n")
    reader.join(timeout=60)
    assert received == [b"first second\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_link_as_output_replaces_the_file_it_names(tmp_path: Path) -> None:
    """Writing through a symbolic link keeps the link and replaces the file it points to."""
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "report.txt"
    real.write_text("old\n")
    link = tmp_path / "report.txt"
    link.symlink_to(real)
    emit("new\n", str(link))
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["report.txt"]
