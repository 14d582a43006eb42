"""Tests for tip_indicators._launcher: the program's process settings, and none outside it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[1] / "examples" / "cambodia-2010" / "report-2010.csv"

_SHOW_SETTINGS = """
import atexit, gc
from tip_indicators import _launcher
atexit.register(lambda: print("torn down"))
_launcher.main = lambda: print(gc.isenabled()) or 3
_launcher.run()
"""


def test_the_program_runs_without_the_collector_and_exits_at_once() -> None:
    """The program runs the command without the cyclic collector, then exits with its status
    without tearing the interpreter down (exit handlers do not run)."""
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_SETTINGS], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "False\n", "")


@pytest.mark.parametrize("to_file", [False, True])
def test_the_program_writes_everything_before_its_quick_exit(tmp_path: Path, to_file: bool) -> None:
    """The program leaves without tearing the interpreter down, yet its whole report reaches
    standard output or the file, and the status is the command's."""
    output = tmp_path / "report.json"
    command = [sys.executable, "-m", "tip_indicators._launcher", "validate", str(EXAMPLE)]
    command += ["--format", "json"] + (["-o", str(output)] if to_file else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    written = output.read_text(encoding="utf-8") if to_file else done.stdout
    assert done.returncode == 1
    assert json.loads(written)["summary"]["errors"] == 2
    assert done.stderr == ""


_PLAIN_MAIN = """
import atexit, gc, os, sys
from tip_indicators.cli import main
atexit.register(lambda: print("torn down"))
status = main(["validate", sys.argv[1], "--format", "json", "-o", os.devnull])
print(status, gc.isenabled())
"""


def test_the_command_line_changes_nothing_about_its_process() -> None:
    """``cli.main`` returns the status and leaves the collector and the interpreter's ordinary
    exit as they were."""
    done = subprocess.run(
        [sys.executable, "-c", _PLAIN_MAIN, str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.splitlines(), done.stderr) == (
        0,
        ["1 True", "torn down"],
        "",
    )
