"""The ``tip-indicators`` program: the process settings of a run that lasts seconds, then the
command line (:func:`tip_indicators.cli.main`).

This module stands outside the package on purpose: importing ``tip_indicators`` loads polars,
and polars reads its allocator's settings once, as it loads. Only the console script runs this
module; the command line's ``main`` and the library change nothing about the process they run
in.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Mapping
from typing import NoReturn

__all__ = ["ALLOCATOR_SETTINGS", "ALLOCATOR_VARIABLE", "allocator_environment", "run"]

ALLOCATOR_VARIABLE = "_RJEM_MALLOC_CONF"
ALLOCATOR_SETTINGS = "narenas:1,dirty_decay_ms:10000,muzzy_decay_ms:10000"
"""How the program's polars allocates (jemalloc, through the variable polars documents for it):
freed memory is kept for reuse for ten seconds rather than half of one, in one arena shared by
every thread rather than four per processor. polars' default returns freed memory to the system
after half a second, and a run of seconds then takes the same memory back page by page: at a
million figures that was a tenth of the run (measured against the setting in the environment,
medians of 13 runs: 6.76 s against 7.96 s)."""


def allocator_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to set before polars loads: :data:`ALLOCATOR_SETTINGS`, followed by any
    settings of the user's own (jemalloc takes the last value of an option given twice)."""
    own = environ.get(ALLOCATOR_VARIABLE)
    return {ALLOCATOR_VARIABLE: f"{ALLOCATOR_SETTINGS},{own}" if own else ALLOCATOR_SETTINGS}


def run() -> NoReturn:
    """Set the allocator, run the command line on ``sys.argv`` without the cyclic collector,
    flush, and exit at once.

    A check builds hundreds of thousands of objects (citations, findings) but almost no
    reference cycles, and ends soon after: the cyclic garbage collector would only rescan the
    live objects again and again (about 3% of checking a one-report file), so the program turns
    it off; reference counting still frees everything else as usual.

    Tearing the interpreter down frees every module and object one by one: about 40 ms once
    polars is loaded, a sixth of checking a one-report file, which a pre-commit hook pays on
    every commit. Nothing is left to do by then (files are closed as they are written), so the
    process ends at once with the command's status.
    """
    if "polars" not in sys.modules:
        os.environ.update(allocator_environment(os.environ))
    gc.disable()
    from tip_indicators.cli import main

    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    run()
