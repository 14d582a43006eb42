"""The tip-indicators command line: validate datasets, aggregate case records, print schemas.

Exit status: 0 when no finding reaches the failure severity, 1 when one does, 2 when an input
cannot be read or the command is misused. Errors are one line on standard error, never a
traceback (set ``TIP_INDICATORS_DEBUG=1`` to see one). Each command is a module of its own
(``_validate``, ``_convert``...) that adds its options and runs it; the renderers, writers and
schemas are imported by the command that needs them. ``main`` changes nothing about the process
it runs in; the ``tip-indicators`` program (``tip_indicators_launcher``, beside the package)
sets the process up around it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence

from tip_indicators._private.safetext import shown
from tip_indicators._version import __version__
from tip_indicators.cli import (
    _aggregate,
    _audit,
    _catalogue,
    _convert,
    _indicators,
    _reconcile,
    _rollup,
    _rules,
    _schema,
    _suppress,
    _template,
    _validate,
)
from tip_indicators.cli._shared import EXIT_INPUT, one_line
from tip_indicators.errors import TipIndicatorsError

__all__ = ["main"]

_COMMANDS = (
    _validate,
    _catalogue,
    _aggregate,
    _convert,
    _template,
    _indicators,
    _rollup,
    _reconcile,
    _suppress,
    _rules,
    _audit,
    _schema,
)
"""The command modules, in the order the program's help lists them."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; the options of ``command`` only are built when they need imports."""
    parser = _Parser(prog="tip-indicators", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"tip-indicators {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in _COMMANDS:
        module.add_parser(commands, command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = next((item for item in arguments if not item.startswith("-")), None)
    try:
        args = _parser(command).parse_args(arguments)
    except SystemExit as leave:
        return leave.code if isinstance(leave.code, int) else EXIT_INPUT
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except TipIndicatorsError as error:
        sys.stderr.write(f"tip-indicators: {shown(one_line(str(error)))}\n")
        return EXIT_INPUT
    except BrokenPipeError:
        # The reader of standard output went away (``| head``): say nothing more to it, and
        # keep the interpreter's final flush from failing on the closed pipe.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("tip-indicators: interrupted\n")
        return EXIT_INPUT
    except Exception as error:
        if os.environ.get("TIP_INDICATORS_DEBUG"):
            raise
        message = shown(one_line(f"{type(error).__name__}: {error}"))
        sys.stderr.write(f"tip-indicators: internal error: {message}\n")
        return EXIT_INPUT
