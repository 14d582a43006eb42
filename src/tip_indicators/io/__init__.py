"""Readers and writers for the formats tip-indicators speaks: the long CSV, dataset documents
(YAML/JSON), SDMX-CSV, the UNODC GLOTIP export, Excel workbooks, and data frames in memory."""

from tip_indicators._private.textfile import ReadLimits
from tip_indicators.io.document import read_document, write_document
from tip_indicators.io.excel import read_excel, write_excel, write_template
from tip_indicators.io.frames import from_frame
from tip_indicators.io.glotip import read_glotip
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv, write_long_csv
from tip_indicators.io.readers import detect_format, read_dataset
from tip_indicators.io.sdmx import read_sdmx_csv, write_sdmx_csv

__all__ = [
    "ReadLimits",
    "detect_format",
    "from_frame",
    "parse_long_csv",
    "read_dataset",
    "read_document",
    "read_excel",
    "read_glotip",
    "read_long_csv",
    "read_sdmx_csv",
    "write_document",
    "write_excel",
    "write_long_csv",
    "write_sdmx_csv",
    "write_template",
]
