"""SDMX-ML 3.0 data: a dataset written as structure-specific data of our structure, and read back.

:func:`write_sdmx_ml` writes every figure as one ``Obs`` element whose attributes are the
columns our SDMX-CSV writes (``schema sdmx`` describes them), every dimension of the catalogue
given (``_T`` when a figure has no breakdown). It is written with the standard library's XML
writer: pysdmx's data writer quotes attribute values with Python's ``repr``, which mangles quotes
and line breaks in notes and sources. :func:`read_sdmx_ml` reads SDMX-ML data (2.1 or 3.0, ours
or another organisation's) through pysdmx; a finding about an observation cites its position in
the message as its line. Needs the ``sdmx`` extra (pysdmx).
"""

from __future__ import annotations

import io
import math
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import polars as pl

from tip_indicators._private.textfile import ReadLimits, read_text_input
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import InputError
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.io.sdmx import dataset_from_cells, write_sdmx_csv
from tip_indicators.io.sdmx_structure import AGENCY, DSD_ID, VERSION, column_id, require_pysdmx

__all__ = ["is_sdmx_ml", "read_sdmx_ml", "write_sdmx_ml"]

_MESSAGE = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
_SPECIFIC = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/data/structurespecific"
_COMMON = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_STRUCTURE = f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={AGENCY}:{DSD_ID}({VERSION})"
_CSV_LEAD = ("STRUCTURE", "STRUCTURE_ID", "ACTION")


def is_sdmx_ml(head: str) -> bool:
    """Whether text starting with ``head`` is an SDMX-ML data message."""
    return "StructureSpecificData" in head[:2000] or "GenericData" in head[:2000]


def write_sdmx_ml(
    dataset: Dataset, target: str | os.PathLike[str], *, catalogue: Catalogue | None = None
) -> None:
    """Write ``dataset`` as an SDMX-ML 3.0 structure-specific data message of our structure."""
    catalogue = catalogue or builtin_catalogue()
    text = io.StringIO()
    write_sdmx_csv(dataset, text)
    frame = pl.read_csv(io.StringIO(text.getvalue()), infer_schema=False).drop(_CSV_LEAD)
    for dimension in catalogue.dimensions:
        name = column_id(dimension)
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit("_T").alias(name))
    for prefix, uri in (("mes", _MESSAGE), ("ss", _SPECIFIC), ("com", _COMMON), ("xsi", _XSI)):
        ET.register_namespace(prefix, uri)
    root = ET.Element(f"{{{_MESSAGE}}}StructureSpecificData")
    # The data set's type names the structure's namespace in a value, which the XML writer
    # cannot see: the prefix is declared by hand.
    root.set("xmlns:dsd", f"{_STRUCTURE}:ObsLevelDim:AllDimensions")
    header = ET.SubElement(root, f"{{{_MESSAGE}}}Header")
    ET.SubElement(header, f"{{{_MESSAGE}}}ID").text = f"{DSD_ID}_DATA"
    ET.SubElement(header, f"{{{_MESSAGE}}}Test").text = "false"
    prepared = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(header, f"{{{_MESSAGE}}}Prepared").text = prepared
    ET.SubElement(header, f"{{{_MESSAGE}}}Sender", id=AGENCY)
    structure = ET.SubElement(
        header,
        f"{{{_MESSAGE}}}Structure",
        structureID=DSD_ID,
        namespace=_STRUCTURE,
        dimensionAtObservation="AllDimensions",
    )
    ET.SubElement(structure, f"{{{_COMMON}}}Structure").text = _STRUCTURE
    data = ET.SubElement(
        root,
        f"{{{_MESSAGE}}}DataSet",
        {
            f"{{{_SPECIFIC}}}structureRef": DSD_ID,
            f"{{{_XSI}}}type": "dsd:DataSetType",
            "action": "Information",
        },
    )
    for row in frame.iter_rows(named=True):
        ET.SubElement(data, "Obs", {k: v for k, v in row.items() if v is not None})
    ET.indent(root, space="\t")
    path = os.fspath(target)
    try:
        ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
    except OSError as error:
        raise InputError(path, f"cannot write: {error.strerror or error}") from None


def read_sdmx_ml(
    path: str | os.PathLike[str],
    *,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Read an SDMX-ML data message whose columns are ours (as :func:`write_sdmx_ml` writes
    them) into a dataset; problems in observations become its findings."""
    catalogue = catalogue or builtin_catalogue()
    read = read_text_input(path, limits or ReadLimits())
    cells = sdmx_ml_cells(read.text, read.path)
    source = InputFile(read.path, read.sha256, 0, "sdmx-ml")
    return dataset_from_cells(cells, 0, source, (), catalogue)


def sdmx_ml_cells(text: str, path: str) -> pl.DataFrame:
    """The observations of an SDMX-ML data message as text cells, a column per component
    (``path`` and ``line``, the observation's position, last)."""
    require_pysdmx(path)
    from pysdmx.errors import PysdmxError
    from pysdmx.io import read_sdmx

    try:
        message = read_sdmx(text, validate=False)
        found: list[Any] = list(message.data or ())
    except (PysdmxError, ValueError, KeyError, TypeError, AttributeError, SyntaxError) as error:
        reason = " ".join(str(error).split())[:300]
        raise InputError(path, f"not an SDMX-ML data message: {reason}") from None
    if len(found) != 1:
        raise InputError(path, f"the message holds {len(found)} datasets, not one")
    data = found[0].data
    columns = [
        pl.Series(str(name), [None if _missing(v) else str(v) for v in data[name]], pl.String)
        for name in data.columns
    ]
    lines = pl.Series("line", range(1, len(data) + 1), dtype=pl.Int64)
    return pl.DataFrame(columns).with_columns(pl.lit(path).alias("path"), lines)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
