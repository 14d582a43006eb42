"""Reading any supported input: the format is chosen by content, or given explicitly.

Detection order: a zip container is a workbook (the GLOTIP export when it has the
``data_glotip_1`` sheet, else a long-table workbook); YAML or JSON is a dataset document; a text
whose header starts with ``DATAFLOW`` or ``STRUCTURE,STRUCTURE_ID`` is SDMX-CSV; an XML
SDMX data message is SDMX-ML; a header naming
``Iso3_code`` and ``txtVALUE`` (after optional banner rows) is the GLOTIP export; anything else is
read as the long CSV.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import attrs

from tip_indicators._private.textfile import ReadLimits
from tip_indicators.datasets import Dataset
from tip_indicators.errors import InputError
from tip_indicators.indicators import Catalogue

__all__ = ["INPUT_FORMATS", "detect_format", "read_dataset"]

INPUT_FORMATS = ("long-csv", "document", "sdmx-csv", "sdmx-ml", "glotip", "excel")
_ZIP_MAGIC = b"PK\x03\x04"


def detect_format(path: str | os.PathLike[str]) -> str:
    """Guess an input's format from its name and first bytes."""
    name = os.fspath(path)
    if os.path.exists(name) and not os.path.isfile(name):
        raise InputError(name, "not a regular file")
    try:
        with open(name, "rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise InputError(name, f"cannot open: {error.strerror or error}") from None
    lower = name.lower()
    if head.startswith(_ZIP_MAGIC) or lower.endswith((".xlsx", ".xlsm")):
        return "glotip" if _has_glotip_sheet(name) else "excel"
    if lower.endswith((".yaml", ".yml", ".json")):
        return "document"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    from tip_indicators.io.glotip import is_glotip_csv
    from tip_indicators.io.sdmx import is_sdmx_csv
    from tip_indicators.io.sdmx_ml import is_sdmx_ml

    if text.startswith("<") and is_sdmx_ml(text):
        return "sdmx-ml"
    if is_sdmx_csv(text):
        return "sdmx-csv"
    if is_glotip_csv(text):
        return "glotip"
    if not lower.endswith((".csv", ".txt", ".tsv")) and text.lstrip().startswith(
        ("{", "---", "title:", "observations:")
    ):
        return "document"
    return "long-csv"


def _has_glotip_sheet(path: str) -> bool:
    """Whether a workbook names the GLOTIP export's sheet (read from its small index part)."""
    import zipfile

    from tip_indicators.io.glotip import GLOTIP_SHEET

    try:
        with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as part:
            index = part.read(1024 * 1024)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise InputError(path, f"not a readable xlsx workbook: {error}") from None
    return f'name="{GLOTIP_SHEET}"'.encode() in index


def read_dataset(
    path: str | os.PathLike[str],
    *,
    input_format: str | None = None,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
    allow_folders: Iterable[str | os.PathLike[str]] = (),
) -> Dataset:
    """Read ``path`` in the given or detected format (one of ``INPUT_FORMATS``); a ``catalogue``
    given here is kept with the dataset and used by a check given no profile.

    ``allow_folders``: folders besides its own whose files a dataset document may name.
    """
    dataset = _read(path, input_format, catalogue, limits, allow_folders)
    return dataset if catalogue is None else attrs.evolve(dataset, catalogue=catalogue)


def _read(
    path: str | os.PathLike[str],
    input_format: str | None,
    catalogue: Catalogue | None,
    limits: ReadLimits | None,
    allow_folders: Iterable[str | os.PathLike[str]],
) -> Dataset:
    chosen = input_format or detect_format(path)
    if chosen == "document":
        from tip_indicators.io.document import read_document

        return read_document(path, catalogue=catalogue, limits=limits, allow_folders=allow_folders)
    if chosen == "long-csv":
        from tip_indicators.io.longcsv import read_long_csv

        return read_long_csv(path, catalogue=catalogue, limits=limits)
    if chosen == "sdmx-csv":
        from tip_indicators.io.sdmx import read_sdmx_csv

        return read_sdmx_csv(path, catalogue=catalogue, limits=limits)
    if chosen == "sdmx-ml":
        from tip_indicators.io.sdmx_ml import read_sdmx_ml

        return read_sdmx_ml(path, catalogue=catalogue, limits=limits)
    if chosen == "glotip":
        from tip_indicators.io.glotip import read_glotip

        return read_glotip(path, catalogue=catalogue, limits=limits)
    if chosen == "excel":
        from tip_indicators.io.excel import read_excel

        return read_excel(path, catalogue=catalogue, limits=limits)
    raise InputError(os.fspath(path), f"unknown input format {chosen!r} (one of {INPUT_FORMATS})")
