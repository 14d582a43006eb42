"""Readers and writers for the formats tip-indicators speaks: the long CSV, dataset documents
(YAML/JSON), SDMX-CSV and SDMX-ML data, SDMX structures and mappings of other organisations'
codes, the UNODC GLOTIP export, Excel workbooks, and data frames in memory."""

from tip_indicators._private.textfile import ReadLimits
from tip_indicators.io.document import read_document, write_document
from tip_indicators.io.excel import read_excel, write_excel
from tip_indicators.io.frames import from_frame
from tip_indicators.io.glotip import read_glotip
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv, write_long_csv
from tip_indicators.io.readers import detect_format, read_dataset
from tip_indicators.io.sdmx import read_sdmx_csv, write_sdmx_csv
from tip_indicators.io.sdmx_mapping import SdmxMapping, load_mapping, read_mapped_sdmx
from tip_indicators.io.sdmx_ml import read_sdmx_ml, write_sdmx_ml
from tip_indicators.io.sdmx_structure import Structure, read_structure, write_structure
from tip_indicators.io.template import write_template

__all__ = [
    "ReadLimits",
    "SdmxMapping",
    "Structure",
    "detect_format",
    "from_frame",
    "load_mapping",
    "parse_long_csv",
    "read_dataset",
    "read_document",
    "read_excel",
    "read_glotip",
    "read_long_csv",
    "read_mapped_sdmx",
    "read_sdmx_csv",
    "read_sdmx_ml",
    "read_structure",
    "write_document",
    "write_excel",
    "write_long_csv",
    "write_sdmx_csv",
    "write_sdmx_ml",
    "write_structure",
    "write_template",
]
