"""Writing output files whole or not at all, and never over an input.

Every file the package writes goes through :func:`output_bytes` (or :func:`output_text`): the
content goes to a temporary file in the target's folder, is flushed to the disk, and then
renamed over the target in one step. A reader of the target sees the old file or the new one,
never a part; a full disk or a failed writer leaves the old file as it was and no temporary
file behind. A device or a pipe (``/dev/stdout``, a FIFO) is written in place instead. A
target that is one of the run's inputs is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TextIO

from tip_indicators.errors import InputError

__all__ = ["check_not_input", "output_bytes", "output_text", "write_bytes"]

PathName = str | os.PathLike[str]


def _same_file(target: str, other: str) -> bool:
    if os.path.realpath(target) == os.path.realpath(other):
        return True
    try:
        return os.path.samefile(target, other)
    except OSError:
        return False


def check_not_input(path: PathName, inputs: Iterable[PathName | None]) -> None:
    """Raise :class:`InputError` when ``path`` is (by real path or by inode) one of ``inputs``."""
    target = os.fspath(path)
    for item in inputs:
        if item is not None and _same_file(target, os.fspath(item)):
            raise InputError(
                target, "is an input of this run: refusing to overwrite it (choose another output)"
            )


def _cannot_write(path: str, error: OSError) -> InputError:
    return InputError(path, f"cannot write: {error.strerror or error}")


def _temporary(folder: str, name: str) -> tuple[int, str]:
    """Create a new file next to the target, with the mode a plain ``open`` would give it."""
    while True:
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue


@contextmanager
def output_bytes(path: PathName, *, inputs: Iterable[PathName | None] = ()) -> Iterator[IO[bytes]]:
    """A binary file to write ``path``'s new content into; it replaces ``path`` on success.

    Raises :class:`InputError` (one line) when ``path`` is one of ``inputs``, when its folder is
    missing or not writable, or when writing fails (a full disk); the old ``path`` is then left
    as it was and the temporary file removed.
    """
    target = os.fspath(path)
    check_not_input(target, inputs)
    if os.path.isdir(target):
        raise InputError(target, "cannot write: is a folder")
    if os.path.exists(target) and not os.path.isfile(target):
        # A device or a pipe (/dev/stdout, a FIFO) is written in place: renaming over it would
        # replace it with a file.
        try:
            with open(target, "wb") as handle:
                yield handle
        except OSError as error:
            raise _cannot_write(target, error) from None
        return
    # A link is followed: the file it names is replaced and the link kept.
    real = os.path.realpath(target) if os.path.islink(target) else os.path.abspath(target)
    folder = os.path.dirname(real)
    try:
        descriptor, temporary = _temporary(folder, os.path.basename(real))
    except OSError as error:
        raise _cannot_write(target, error) from None
    try:
        with contextlib.suppress(OSError):
            # An existing target keeps its permissions.
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        handle = open(descriptor, "wb")  # noqa: SIM115 - closed below, before the rename
        try:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            handle.close()
        os.replace(temporary, real)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _cannot_write(target, error) from None
        raise


@contextmanager
def output_text(
    path: PathName, *, inputs: Iterable[PathName | None] = (), newline: str | None = ""
) -> Iterator[TextIO]:
    """:func:`output_bytes` as UTF-8 text; ``newline`` as for :func:`open` (default: kept)."""
    with output_bytes(path, inputs=inputs) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace", newline=newline)
        yield text
        text.flush()
        text.detach()


def write_bytes(
    path: PathName, pieces: Iterable[bytes], *, inputs: Iterable[PathName | None] = ()
) -> None:
    """Write ``pieces`` in order as the new content of ``path`` (see :func:`output_bytes`)."""
    with output_bytes(path, inputs=inputs) as handle:
        for piece in pieces:
            handle.write(piece)
