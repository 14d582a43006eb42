"""The ``tip-indicators`` program: the process settings of a run that lasts seconds, then
:func:`tip_indicators.cli.main`.

Only the console script runs this module; the command line (``cli.main``) and the library change
nothing about the process they run in.

polars' allocator is not set here: it reads its settings (``_RJEM_MALLOC_CONF``) once, when
polars loads, and the package has loaded polars before any line of this module runs. The
environment of the program can set it (see the command line's reference page).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn

from tip_indicators.cli import main

__all__ = ["run"]


def run() -> NoReturn:
    """Run the command line on ``sys.argv`` without the cyclic collector, flush, and exit at once.

    A check builds hundreds of thousands of objects (citations, findings) but almost no
    reference cycles (some 2,700 objects of them in a million-figure run), and ends soon after:
    the cyclic garbage collector would only rescan the live objects again and again (about 3%
    of checking a one-report file), so the program turns it off; reference counting still frees
    everything else as usual.

    Tearing the interpreter down frees every module and object one by one: about 40 ms once
    polars is loaded, a sixth of checking a one-report file, which a pre-commit hook pays on
    every commit. Nothing is left to do by then (files are closed as they are written), so the
    process ends at once with the command's status.
    """
    gc.disable()
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    run()
