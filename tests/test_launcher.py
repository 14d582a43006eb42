"""Tests for tip_indicators_launcher: the program's process settings, and none outside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[1] / "examples" / "cambodia-2010" / "report-2010.csv"

_SHOW_SETTINGS = """
import atexit, gc
import tip_indicators.cli
import tip_indicators_launcher
atexit.register(lambda: print("torn down"))
tip_indicators.cli.main = lambda: print(gc.isenabled()) or 3
tip_indicators_launcher.run()
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
    command = [sys.executable, "-m", "tip_indicators_launcher", "validate", str(EXAMPLE)]
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


_SHOW_ALLOCATOR = """
import os, sys, types
if sys.argv[1] == "polars-first":
    import polars
before = os.environ.get("_RJEM_MALLOC_CONF")
# The command line stands in for itself without loading the package (and polars).
after = lambda: os.environ.get("_RJEM_MALLOC_CONF")
shown = lambda: print(before == after(), after()) or 0
sys.modules["tip_indicators.cli"] = types.SimpleNamespace(main=shown)
import tip_indicators_launcher
tip_indicators_launcher.run()
"""


@pytest.mark.parametrize(
    ("own", "expected"),
    [
        (None, "narenas:1,dirty_decay_ms:10000,muzzy_decay_ms:10000"),
        ("narenas:4", "narenas:1,dirty_decay_ms:10000,muzzy_decay_ms:10000,narenas:4"),
    ],
)
def test_the_program_sets_how_polars_allocates_before_polars_loads(
    own: str | None, expected: str
) -> None:
    """The program sets polars' allocator before polars loads, the user's own settings after its
    own so that they win (jemalloc takes the last value of an option given twice)."""
    environment = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if own is not None:
        environment["_RJEM_MALLOC_CONF"] = own
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_ALLOCATOR, "launcher-first"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert (done.returncode, done.stdout.split(), done.stderr) == (0, ["False", expected], "")


def test_the_program_leaves_the_allocator_alone_once_polars_is_loaded() -> None:
    """Once polars is loaded its allocator is set up: the program changes no setting then."""
    environment = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_ALLOCATOR, "polars-first"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert (done.returncode, done.stdout.split()[0], done.stderr) == (0, "True", "")


_IMPORT_ONLY = "import sys, tip_indicators_launcher; print('polars' in sys.modules)"


def test_importing_the_launcher_loads_no_polars() -> None:
    """The launcher module imports nothing of the package until it runs, so the allocator is
    set before polars loads."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, tip_indicators_launcher; print('polars' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "False")
