#!/usr/bin/env python3
"""Set up a virtual environment in .venv and run a project task in it.

Tasks: ``example`` validates the bundled worked example; ``test`` runs the whole test suite;
``lint`` runs ruff and mypy --strict; ``docs`` builds the documentation site strictly.
Needs only Python 3.11+ and pip; the first run installs the project and its tools.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def _ensure_venv() -> None:
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    inputs = (ROOT / "pyproject.toml").stat().st_mtime
    if STAMP.exists() and STAMP.stat().st_mtime >= inputs:
        return
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.touch()


def _run(*command: str) -> int:
    return subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT, check=False).returncode


def main(argv: list[str]) -> int:
    task = argv[0] if argv else "test"
    _ensure_venv()
    if task == "example":
        return _run(
            "tip-indicators", "validate", "examples/cambodia-2010/report-2010.csv", *argv[1:]
        )
    if task == "test":
        return _run("pytest", "-q", *argv[1:])
    if task == "lint":
        steps = [
            ("ruff", "check", "src", "tests", "benchmarks", "scripts"),
            ("ruff", "format", "--check", "src", "tests"),
            ("mypy", "--strict"),
        ]
        return max(_run(*step) for step in steps)
    if task == "docs":
        return _run("mkdocs", "build", "--strict")
    sys.stderr.write(f"unknown task {task!r}: example, test, lint or docs\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
