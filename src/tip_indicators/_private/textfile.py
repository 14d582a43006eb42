"""Opening text inputs safely: size limits, encodings and a clear error for everything else."""

from __future__ import annotations

import codecs
import hashlib
import os

import attrs

from tip_indicators.errors import InputError


@attrs.frozen
class ReadLimits:
    """Resource limits for reading: the largest file and the largest single field, in bytes.

    Files over ``max_file_bytes`` are rejected before they are read; raise the limits for
    trusted, very large inputs.
    """

    max_file_bytes: int = 2 * 1024**3
    max_field_bytes: int = 1024 * 1024


# Public under tip_indicators.io (which re-exports it): reprs, docs and pickles name that module.
ReadLimits.__module__ = "tip_indicators.io"


def read_input_bytes(path: str | os.PathLike[str], limits: ReadLimits) -> bytes:
    """Read a whole input after checking it exists, is a regular file and is within limits."""
    name = os.fspath(path)
    try:
        status = os.stat(name)
    except OSError as error:
        raise InputError(name, f"cannot open: {error.strerror or error}") from None
    if not os.path.isfile(name):
        raise InputError(name, "not a regular file")
    if status.st_size > limits.max_file_bytes:
        raise _too_large(name, status.st_size, limits)
    try:
        with open(name, "rb") as handle:
            data = handle.read(status.st_size + 1)
            while len(data) <= limits.max_file_bytes:
                more = handle.read(min(1 << 20, limits.max_file_bytes + 1 - len(data)))
                if not more:
                    break
                data += more
    except OSError as error:
        raise InputError(name, f"cannot read: {error.strerror or error}") from None
    if len(data) > limits.max_file_bytes:
        raise _too_large(name, len(data), limits)
    return data


def _too_large(name: str, size: int, limits: ReadLimits) -> InputError:
    return InputError(
        name,
        f"file is at least {size:,} bytes, over the limit of {limits.max_file_bytes:,} "
        "(raise it with --max-file-size, or ReadLimits.max_file_bytes in Python)",
    )


@attrs.frozen
class TextInput:
    """A text input as read: its path, decoded text and the SHA-256 of its bytes."""

    path: str
    text: str
    sha256: str


def read_text_input(path: str | os.PathLike[str], limits: ReadLimits | None) -> TextInput:
    """Read, size-check and decode a text input, keeping the hash a report records for it."""
    name = os.fspath(path)
    data = read_input_bytes(name, limits or ReadLimits())
    return TextInput(name, decode_text(data, name), sha256(data))


def sha256(data: bytes) -> str:
    """The hex SHA-256 digest of ``data``, recorded in reports to identify an input."""
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is an InputError."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise InputError(path, f"invalid UTF-16 at byte {error.start}") from None
    if b"\x00" in data:
        raise InputError(path, "binary data (NUL bytes): not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            path,
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            line=line,
        ) from None
