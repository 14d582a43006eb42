"""Reading case-record files: the HTCDS-aligned case CSV and the CTDC case-level layout.

Each reader returns a :class:`CaseFile`: the records as a case frame (see
:func:`tip_indicators.cases.case_schema`), the findings met while reading (unknown codes,
unreadable dates, flags that disagree with their concatenated column), each at its line and
column, and the input's identity. A value that cannot be read is a finding and counts as unknown;
a file that cannot be read at all raises :class:`~tip_indicators.errors.InputError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import attrs
import polars as pl

from tip_indicators._private.csvrecords import csv_records
from tip_indicators._private.textfile import (
    ReadLimits,
    read_text_input,
    sha256,
)
from tip_indicators.cases import case_vocabulary
from tip_indicators.cases._cells import Found, found_table
from tip_indicators.cases._ctdc import CONCATENATED, CTDC_SINGLE, ctdc_records
from tip_indicators.cases._htcds import htcds_records
from tip_indicators.datasets import InputFile
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, FindingTable

__all__ = [
    "CASE_LAYOUTS",
    "CTDC_COLUMNS",
    "HTCDS_COLUMNS",
    "CaseFile",
    "detect_layout",
    "parse_ctdc_csv",
    "parse_htcds_csv",
    "read_cases",
    "read_ctdc_csv",
    "read_htcds_csv",
]

CASE_LAYOUTS = ("htcds", "ctdc")

HTCDS_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "cas_CaseNumber": "case_id",
        "org_Name": "reporter",
        "cas_CreatedDate": "registered",
        "prs_Gender": "sex",
        "prs_Birthdate": "birth_date",
        "prs_Age": "age",
        "prs_AgeBand": "age_band",
        "prs_Citizenship": "nationality",
        "vic_CountryOfExploitation": "country",
        "vic_TypeOfExploitation": "exploitation",
        "vic_MethodsOfControl": "control",
        "vic_RelationshipToTrafficker": "recruiter",
        "vic_AgeWhenTrafficked": "age_exploited",
        "vic_TraffickingStatus": "victim_status",
        "cas_Status": "case_status",
        "cas_ReferringOrganisation": "referrer",
        "cas_IncomingReferralDate": "referred_in",
        "cas_ReferredOrganisation": "referrals",
        "cas_OutgoingReferralDate": "referrals",
    }
)
"""Columns of the HTCDS-aligned case CSV and the case field each fills."""

_HTCDS_REQUIRED = ("cas_CaseNumber", "org_Name", "cas_CreatedDate")

CTDC_COLUMNS: tuple[str, ...] = (
    *CTDC_SINGLE,
    *(flag for field in CONCATENATED for flag in case_vocabulary(field, "ctdc-flag")),
    *CONCATENATED.values(),
)
"""The CTDC columns the reader uses; every other column of a CTDC file is left unread."""


@attrs.frozen
class CaseFile:
    """Case records read from one file, the findings met reading them, and the file's identity."""

    records: pl.DataFrame = attrs.field(eq=False, repr=lambda frame: f"<{frame.height} records>")
    finding_table: FindingTable = attrs.field(
        eq=False, repr=lambda table: f"<{len(table)} findings>"
    )
    """The findings as rows, in report order: a file with a finding on most of its records
    makes no Python object per finding until :attr:`findings` is asked for."""
    input: InputFile

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings met reading the file, as objects, in report order."""
        return self.finding_table.findings()


def read_htcds_csv(path: str | os.PathLike[str], *, limits: ReadLimits | None = None) -> CaseFile:
    """Read a case CSV in the HTCDS-aligned layout (:data:`HTCDS_COLUMNS`), one row per case."""
    read = read_text_input(path, limits)
    text, digest, name = read.text, read.sha256, read.path
    return _htcds(text, name, digest, limits or ReadLimits())


def parse_htcds_csv(text: str, *, path: str = "<text>") -> CaseFile:
    """Read HTCDS-layout case CSV text (already decoded), citing ``path`` in findings."""
    return _htcds(text, path, sha256(text.encode("utf-8")), ReadLimits())


def read_ctdc_csv(
    path: str | os.PathLike[str], *, reporter: str = "CTDC", limits: ReadLimits | None = None
) -> CaseFile:
    """Read a CTDC case-level file; every record is reported by ``reporter``."""
    read = read_text_input(path, limits)
    text, digest, name = read.text, read.sha256, read.path
    return _ctdc(text, name, digest, reporter, limits or ReadLimits())


def parse_ctdc_csv(text: str, *, path: str = "<text>", reporter: str = "CTDC") -> CaseFile:
    """Read CTDC-layout text (already decoded), citing ``path`` in findings."""
    return _ctdc(text, path, sha256(text.encode("utf-8")), reporter, ReadLimits())


def detect_layout(header: Sequence[str], path: str = "<text>") -> str:
    """Tell the layout of a case file from its header: ``ctdc`` or ``htcds``."""
    if "yearOfRegistration" in header:
        return "ctdc"
    if any(column in HTCDS_COLUMNS for column in header):
        return "htcds"
    raise InputError(path, "neither a CTDC nor an HTCDS case file (see the header)", line=1)


def read_cases(
    path: str | os.PathLike[str],
    *,
    layout: str = "auto",
    ctdc_reporter: str = "CTDC",
    limits: ReadLimits | None = None,
) -> CaseFile:
    """Read a case file in the given layout, or in the one its header shows (``auto``)."""
    if layout not in {"auto", *CASE_LAYOUTS}:
        raise InputError(os.fspath(path), f"unknown layout {layout!r} (one of {CASE_LAYOUTS})")
    read = read_text_input(path, limits)
    text, digest, name = read.text, read.sha256, read.path
    if layout == "auto":
        first = next(csv_records(text, name, limits or ReadLimits()), None)
        layout = detect_layout(first[1] if first else [], name)
    if layout == "ctdc":
        return _ctdc(text, name, digest, ctdc_reporter, limits or ReadLimits())
    return _htcds(text, name, digest, limits or ReadLimits())


def _case_file(
    records: pl.DataFrame, found: Found, path: str, digest: str, layout: str
) -> CaseFile:
    input_file = InputFile(path, digest, records.height, f"{layout}-csv")
    return CaseFile(records, found_table(found), input_file)


def _htcds(text: str, path: str, digest: str, limits: ReadLimits) -> CaseFile:
    frame, found = htcds_records(text, path, limits, tuple(HTCDS_COLUMNS), _HTCDS_REQUIRED)
    return _case_file(frame, found, path, digest, "htcds")


def _ctdc(text: str, path: str, digest: str, reporter: str, limits: ReadLimits) -> CaseFile:
    frame, found = ctdc_records(text, path, reporter, limits, CTDC_COLUMNS)
    return _case_file(frame, found, path, digest, "ctdc")
