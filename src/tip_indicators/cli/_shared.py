"""What the commands share: exit statuses, the ``--profile`` and ``--fail-on`` options, reading
the datasets a command names, and writing a command's output."""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeAlias

from tip_indicators._private.safetext import shown

if TYPE_CHECKING:
    from tip_indicators.datasets import Dataset
    from tip_indicators.profiles import Profile

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INPUT",
    "EXIT_OK",
    "Commands",
    "add_fail_on_argument",
    "add_profile_argument",
    "count",
    "emit",
    "one_line",
    "print_problems",
    "profile_from",
    "read_all",
    "run_inputs",
]

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The program's subcommands, to which each command module adds its own parser."""


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    """``--profile FILE``: check against a coalition's profile instead of the built-in one."""
    parser.add_argument(
        "--profile", metavar="FILE", help="a YAML profile to use (default: the built-in profile)"
    )


def add_fail_on_argument(parser: argparse.ArgumentParser) -> None:
    """``--fail-on``: the least severe finding that makes the exit status 1."""
    parser.add_argument(
        "--fail-on",
        choices=["error", "warning", "info"],
        default="error",
        help="the least severe finding that makes the exit status 1 (default: error)",
    )


def profile_from(args: argparse.Namespace) -> Profile:
    """The profile named by ``--profile``, or the built-in one."""
    from tip_indicators.profiles import builtin_profile, load_profile

    path = getattr(args, "profile", None)
    return load_profile(path) if path else builtin_profile()


def count(text: str) -> int:
    """A whole number of at least 1, as an option's ``type``: argparse reports anything else."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def read_all(paths: list[str], profile: Profile) -> list[Dataset]:
    """Each dataset the command names, read with the profile's catalogue."""
    from tip_indicators.io.readers import read_dataset

    return [read_dataset(path, catalogue=profile.catalogue) for path in paths]


def print_problems(dataset: Dataset) -> bool:
    """Print reading errors to standard error; return whether there were any."""
    errors = [f for f in dataset.problems if f.severity.value == "error"]
    for finding in errors:
        line = f"{finding.location or ''}: {finding.message}"
        sys.stderr.write(f"{shown(line)} [{finding.code}]\n")
    return bool(errors)


def run_inputs(
    args: argparse.Namespace, paths: Iterable[str], *datasets: Dataset
) -> list[str | None]:
    """Every file the run read: the named inputs, the files the datasets were read from (a
    document's long-CSV files) and the profile; an output may be none of them."""
    return [
        *paths,
        *(item.path for dataset in datasets for item in dataset.inputs),
        getattr(args, "profile", None),
    ]


def emit(
    text: str | Iterable[str],
    output: str | None,
    *,
    end: str = "",
    inputs: Iterable[str | None] = (),
) -> None:
    """Write command output (``text``, or its pieces in order, then ``end``) to ``output``, or
    to standard output in an encoding it can show.

    The first piece is made before anything is written: a renderer that yields pieces does its
    work then, so a report that fails to render leaves no file half-written. A file is written
    whole or not at all, and never over one of ``inputs`` (the run's input files).
    """
    remaining = iter([text] if isinstance(text, str) else text)
    pieces = itertools.chain([next(remaining, "")], remaining, [end])
    if output is None:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        for piece in pieces:
            try:
                piece.encode(encoding)
                visible = piece
            except UnicodeEncodeError:
                visible = piece.encode(encoding, "backslashreplace").decode(encoding)
            sys.stdout.write(visible)
        sys.stdout.flush()
        return
    from tip_indicators._private.output import write_bytes

    # Written as bytes: a text stream scans a large report for line ends to translate. A name
    # that is not UTF-8 (a lone surrogate) is written escaped, not refused.
    encoded = (piece.encode("utf-8", "backslashreplace") for piece in pieces)
    write_bytes(output, encoded, inputs=inputs)


def one_line(message: str) -> str:
    """``message`` on one line, its runs of white space made single spaces."""
    return " ".join(message.split())
