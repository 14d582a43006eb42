"""Reading any supported input: the format is chosen by content, or given explicitly."""

from __future__ import annotations

import os

from tip_indicators._private.textfile import ReadLimits
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.indicators import Catalogue

__all__ = ["INPUT_FORMATS", "detect_format", "read_dataset"]

INPUT_FORMATS = ("long-csv", "document")


def detect_format(path: str | os.PathLike[str]) -> str:
    """Guess an input's format from its name and first bytes."""
    name = os.fspath(path)
    lower = name.lower()
    if lower.endswith((".yaml", ".yml", ".json")):
        return "document"
    if lower.endswith((".csv", ".txt", ".tsv")):
        return "long-csv"
    try:
        with open(name, "rb") as handle:
            head = handle.read(512).lstrip()
    except OSError as error:
        raise InputError(name, f"cannot open: {error.strerror or error}") from None
    if head.startswith((b"{", b"---", b"title:", b"observations:")):
        return "document"
    return "long-csv"


def read_dataset(
    path: str | os.PathLike[str],
    *,
    input_format: str | None = None,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Read ``path`` in the given or detected format."""
    from tip_indicators.io.document import read_document
    from tip_indicators.io.longcsv import read_long_csv

    chosen = input_format or detect_format(path)
    if chosen == "document":
        return read_document(path, catalogue=catalogue, limits=limits)
    if chosen == "long-csv":
        return read_long_csv(path, catalogue=catalogue, limits=limits)
    raise InputError(os.fspath(path), f"unknown input format {chosen!r} (one of {INPUT_FORMATS})")
