"""Rendering reports for people and machines: text, HTML, JSON, JUnit XML, SARIF, GitHub
annotations."""

from tip_indicators.render.github import report_github
from tip_indicators.render.html import report_html
from tip_indicators.render.json import report_json, report_json_pieces, report_schema
from tip_indicators.render.junit import report_junit
from tip_indicators.render.sarif import report_sarif, sarif_log
from tip_indicators.render.text import report_text

__all__ = [
    "report_github",
    "report_html",
    "report_json",
    "report_json_pieces",
    "report_junit",
    "report_sarif",
    "report_schema",
    "report_text",
    "sarif_log",
]
