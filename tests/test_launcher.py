"""Tests for tip_indicators._launcher: the program's process settings, and none outside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tip_indicators._launcher import ALLOCATOR_SETTINGS, ALLOCATOR_VARIABLE

EXAMPLE = Path(__file__).parents[1] / "examples" / "cambodia-2010" / "report-2010.csv"

_SHOW_SETTINGS = """
import gc, os, sys
if sys.argv[1] == "polars-first":
    import polars
from tip_indicators import _launcher
_launcher.main = lambda: print(os.environ.get(_launcher.ALLOCATOR_VARIABLE), gc.isenabled()) or 3
_launcher.run()
"""


def _settings_seen(own: str | None, loaded: str) -> tuple[int, str]:
    """The exit status of the program run with a ``main`` that prints the allocator variable and
    whether the collector is on, and what that printed."""
    environ = {k: v for k, v in os.environ.items() if k != ALLOCATOR_VARIABLE}
    if own is not None:
        environ[ALLOCATOR_VARIABLE] = own
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_SETTINGS, loaded],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert done.stderr == ""
    return done.returncode, done.stdout.strip()


@pytest.mark.parametrize(
    ("own", "expected"),
    [(None, ALLOCATOR_SETTINGS), ("narenas:4", f"{ALLOCATOR_SETTINGS},narenas:4")],
)
def test_the_program_sets_the_allocator_and_turns_the_collector_off(
    own: str | None, expected: str
) -> None:
    """The program sets polars' allocator before the command runs, the user's own settings after
    its own so that they win, runs without the cyclic collector and exits with main's status."""
    assert _settings_seen(own, "polars-later") == (3, f"{expected} False")


def test_the_program_leaves_the_allocator_alone_once_polars_is_loaded() -> None:
    """Run where polars is loaded already (too late to set its allocator), the program leaves
    the allocator variable as polars set it."""
    status, seen = _settings_seen(None, "polars-first")
    assert status == 3
    assert ALLOCATOR_SETTINGS not in seen
    assert seen.endswith(" False")


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
print(status, sys.argv[2] in os.environ.get("_RJEM_MALLOC_CONF", ""), gc.isenabled())
"""


def test_the_command_line_changes_nothing_about_its_process() -> None:
    """``cli.main`` returns the status and leaves the allocator, the collector and the
    interpreter's ordinary exit as they were."""
    environ = {k: v for k, v in os.environ.items() if k != ALLOCATOR_VARIABLE}
    done = subprocess.run(
        [sys.executable, "-c", _PLAIN_MAIN, str(EXAMPLE), ALLOCATOR_SETTINGS],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert (done.returncode, done.stdout.splitlines(), done.stderr) == (
        0,
        ["1 False True", "torn down"],
        "",
    )
