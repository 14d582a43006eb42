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


def read_input_bytes(
    path: str | os.PathLike[str], limits: ReadLimits, *, text: bool = False
) -> bytes:
    """Read a whole input after checking it exists, is a regular file and is within limits.

    The file is read in chunks, so one that grows past the limit is refused at it. For a
    ``text`` input (one that does not open with a UTF-16 byte-order mark or as a zip archive,
    a workbook), a chunk holding a NUL byte ends the read: a binary or sparse file is refused
    at its first NUL, not after it is read whole.
    """
    name = os.fspath(path)
    try:
        status = os.stat(name)
    except OSError as error:
        raise InputError(name, f"cannot open: {error.strerror or error}") from None
    if not os.path.isfile(name):
        raise InputError(name, "not a regular file")
    if status.st_size > limits.max_file_bytes:
        raise _too_large(name, status.st_size, limits)
    chunks: list[bytes] = []
    size = 0
    try:
        with open(name, "rb") as handle:
            while size <= limits.max_file_bytes:
                chunk = handle.read(min(_CHUNK, limits.max_file_bytes + 1 - size))
                if not chunk:
                    break
                if text and b"\x00" in chunk and not _may_hold_nul(chunks[0] if chunks else chunk):
                    raise InputError(name, _BINARY, line=_line_of(b"".join(chunks) + chunk))
                chunks.append(chunk)
                size += len(chunk)
    except OSError as error:
        raise InputError(name, f"cannot read: {error.strerror or error}") from None
    if size > limits.max_file_bytes:
        raise _too_large(name, size, limits)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_CHUNK = 16 * 1024 * 1024
_BINARY = "binary data (NUL bytes): not a text file"


def _may_hold_nul(start: bytes) -> bool:
    """Whether a file opening with ``start`` is UTF-16 or a zip archive, which hold NULs."""
    return start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"PK\x03\x04"))


def _line_of(data: bytes, end: int | None = None) -> int:
    """The 1-based line of the byte at ``end`` (of the first NUL when None): lines end in
    LF, CR LF or a lone CR."""
    if end is None:
        end = data.index(b"\x00")
    return data.count(b"\n", 0, end) + data.count(b"\r", 0, end) - data.count(b"\r\n", 0, end) + 1


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
    data = read_input_bytes(name, limits or ReadLimits(), text=True)
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
        raise InputError(path, _BINARY, line=_line_of(data))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of(data, error.start)
        raise InputError(
            path,
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            line=line,
        ) from None
