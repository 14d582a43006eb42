"""Rendering reports for people and machines: text, JSON, JUnit XML, SARIF, GitHub annotations."""

from tip_indicators.render.json import report_json, report_schema
from tip_indicators.render.text import report_text

__all__ = ["report_json", "report_schema", "report_text"]
