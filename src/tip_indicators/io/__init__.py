"""Readers and writers for the formats tip-indicators speaks."""

from tip_indicators.io.longcsv import ReadLimits, parse_long_csv, read_long_csv, write_long_csv

__all__ = ["ReadLimits", "parse_long_csv", "read_long_csv", "write_long_csv"]
