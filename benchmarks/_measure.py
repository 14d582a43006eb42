"""Timing one command as a whole process: wall and CPU time, peak resident memory, exit status.

Shared by ``run.py`` and ``startup.py``. The peak memory is the child's own ``ru_maxrss`` as
``os.wait4`` reports it for exactly that process (a ``RUSAGE_CHILDREN`` maximum would keep the
largest child seen so far and hide a smaller one that runs after it).
"""

from __future__ import annotations

import hashlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def compile_package() -> None:
    """Write the bytecode of the installed tip_indicators, as installing a wheel does.

    An editable install compiles modules on first import, and not at all where
    ``PYTHONDONTWRITEBYTECODE`` is set; every timed run would then pay for compiling.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("tip_indicators")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(os.path.dirname(spec.origin), quiet=1)


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    seconds: float
    cpu_seconds: float
    peak_mib: float
    status: int


def measure(argv: Sequence[str], *, stdout: int | None = subprocess.DEVNULL) -> Sample:
    """Run ``argv`` to its end; its wall and CPU (user + system) time, peak RSS, exit status."""
    start = time.perf_counter()
    process = subprocess.Popen(list(argv), stdout=stdout, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode not in (0, 1):
        tail = errors.decode("utf-8", "replace").strip().splitlines()[-3:]
        sys.stderr.write(f"{' '.join(argv)} exited with {process.returncode}: {tail}\n")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, cpu, usage.ru_maxrss / 1024.0, process.returncode)


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def tool(name: str) -> str | None:
    """The console script ``name`` beside the running interpreter, else on PATH, else None."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    from shutil import which

    return which(name)


def version(distribution: str) -> str:
    """The installed version of ``distribution``, or ``-``."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"


def source_digest() -> str:
    """A short digest of the tip-indicators sources measured (the tree is not always a commit)."""
    digest = hashlib.sha256()
    source = os.path.join(ROOT, "src", "tip_indicators")
    for folder, dirs, files in sorted(os.walk(source)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".py", ".toml", ".tsv", ".txt")):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, source).encode())
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()[:12]


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    return {
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "tip-indicators": f"{version('tip-indicators')} (sources {source_digest()})",
        "polars": version("polars"),
        "pandas": version("pandas"),
        "pandera": version("pandera"),
        "pydantic": version("pydantic"),
        "frictionless": version("frictionless"),
    }
