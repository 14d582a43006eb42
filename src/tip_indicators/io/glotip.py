"""The UNODC GLOTIP bulk export (dataUNODC): its vocabulary mapped to tip-indicators codes.

The export comes as a workbook (sheet ``data_glotip_1``, else the first sheet) or as CSV, with or
without the banner rows (``UNODC``, the date) above the header ``Iso3_code, Country, Region,
Subregion, Indicator, Dimension, Category, Sex, Age, Year, Unit of measurement, txtVALUE,
Source``. The ISO3 code is the reporter and Year the period; Indicator, Sex, Age and the
Category of a Dimension map through the catalogue's codelists and alias tables. A cell that
cannot be mapped (a questionnaire cell name such as ``Q6.1_10s_2019`` given as a citizenship, an
unknown country) is an error finding at its row, never a dropped row. Each figure keeps the
export's own words in ``note`` and its source in ``source`` (``GLOTIP export: GLOTIP``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import polars as pl

from tip_indicators._private.csvrecords import csv_records
from tip_indicators._private.nearest import closest
from tip_indicators._private.textfile import ReadLimits, decode_text, read_input_bytes, sha256
from tip_indicators._private.validate import dimensions_of, validate_raw
from tip_indicators.ages import age_alias
from tip_indicators.codelists import codelist, normalise_label
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import CodeError, InputError
from tip_indicators.findings import Finding, Location, Severity, Suggestion
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.io.excel import ZIP_MAGIC, cell_ref, cell_text, open_workbook, sheet_rows
from tip_indicators.nationalities import country, resolve_nationality

__all__ = ["GLOTIP_COLUMNS", "GLOTIP_INDICATORS", "GLOTIP_SHEET", "is_glotip_csv", "read_glotip"]

GLOTIP_COLUMNS = (
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "txtVALUE",
    "Source",
)
"""The export's columns; Country, Region, Subregion, Unit of measurement, Source are optional."""

GLOTIP_INDICATORS: Mapping[str, str] = {
    "Detected trafficking victims": "victims_identified",
    "Persons convicted": "persons_convicted",
    "Persons prosecuted": "persons_prosecuted",
    "Persons brought into formal contact": "persons_formal_contact",
    "Offences of trafficking in persons": "offences_recorded",
}
"""GLOTIP indicator names and the catalogue indicators they are."""

GLOTIP_SHEET = "data_glotip_1"
"""The sheet of the export workbook that holds the data."""

_BANNER_ROWS = 5
_OPTIONAL = frozenset({"Country", "Region", "Subregion", "Unit of measurement", "Source"})
_COUNTS = "counts"
_FIELDS = {
    "indicator": "Indicator",
    "period": "Year",
    "reporter": "Iso3_code",
    "sex": "Sex",
    "age": "Age",
    "nationality": "Category",
    "country": "Category",
    "exploitation": "Category",
    "value": "txtVALUE",
    "unit": "Unit of measurement",
}
_Cite = Callable[[int, str], Location]
_Records = list[tuple[int, list[str]]]


@attrs.frozen
class _Unmapped:
    """A cell whose text has no code: its column, the message, and the nearest code if any."""

    column: str
    message: str
    suggestion: str | None = None


def is_glotip_csv(head: str) -> bool:
    """Whether text starting with ``head`` is a GLOTIP export: one of its first rows (after the
    banner) names the columns ``Iso3_code`` and ``txtVALUE``."""
    lines = head.lstrip("\ufeff").splitlines()[:_BANNER_ROWS]
    return any("Iso3_code" in line and "txtVALUE" in line for line in lines)


def read_glotip(
    path: str | os.PathLike[str],
    *,
    catalogue: Catalogue | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Read a GLOTIP export (xlsx, or CSV with or without banner rows) into a dataset."""
    limits = limits or ReadLimits()
    catalogue = catalogue or builtin_catalogue()
    name = os.fspath(path)
    records, sheet, digest = _read_records(name, limits)
    start, position = _header(records, name)
    cite = _citer(name, sheet, position)
    rows, problems = _shaped(records[start + 1 :], len(position), name, sheet)
    mapper = _Mapper(position)
    raw: dict[str, list[str]] = {column: [] for column in _Mapper.COLUMNS}
    lines: list[int] = []
    for line, fields in rows:
        mapped = mapper.row(fields)
        if isinstance(mapped, dict):
            for column, text in mapped.items():
                raw[column].append(text)
            lines.append(line)
            continue
        for item in mapped:
            location = cite(line, item.column)
            hint = item.suggestion
            problems.append(
                Finding(
                    "unknown-code",
                    Severity.ERROR,
                    item.message,
                    location=location,
                    suggestions=()
                    if hint is None
                    else (Suggestion(location, hint, "the nearest known spelling"),),
                )
            )
    frame = pl.DataFrame(
        {column: pl.Series(column, texts, dtype=pl.String) for column, texts in raw.items()}
    ).with_columns(pl.lit(name).alias("path"), pl.Series("line", lines, dtype=pl.Int64))
    observations, findings = validate_raw(frame, catalogue)
    problems += [_cited(finding, cite) for finding in findings]
    return Dataset(
        observations,
        dimensions_of(list(raw), catalogue),
        inputs=(InputFile(name, digest, observations.height, "glotip"),),
        problems=tuple(problems),
    )


def _read_records(name: str, limits: ReadLimits) -> tuple[_Records, str | None, str]:
    """The export's rows as (line or row number, cell texts), the sheet read, and the hash."""
    data = read_input_bytes(name, limits)
    if not data.startswith(ZIP_MAGIC):
        return list(csv_records(decode_text(data, name), name, limits)), None, sha256(data)
    workbook = open_workbook(data, name, limits)
    try:
        names = workbook.sheetnames
        worksheet: Any = workbook[GLOTIP_SHEET if GLOTIP_SHEET in names else names[0]]
        if not hasattr(worksheet, "iter_rows"):
            raise InputError(name, f"sheet {worksheet.title!r} is not a worksheet")
        rows = sheet_rows(worksheet, name)
        records = [(n, [cell_text(value) for value in row]) for n, row in rows]
        return records, str(worksheet.title), sha256(data)
    finally:
        workbook.close()


def _header(records: _Records, path: str) -> tuple[int, dict[str, int]]:
    """The index of the header record (banner rows may come first) and each column's position."""
    for index, (line, fields) in enumerate(records[:_BANNER_ROWS]):
        names = [field.strip() for field in fields]
        while names and not names[-1]:
            names.pop()
        if "Iso3_code" not in names:
            continue
        position: dict[str, int] = {}
        for column, text in enumerate(names):
            if text in position:
                raise InputError(path, f"column {text!r} appears twice in the header", line=line)
            if text not in GLOTIP_COLUMNS:
                close = closest(text, GLOTIP_COLUMNS)
                hint = f" (did you mean {close!r}?)" if close else ""
                raise InputError(path, f"unknown GLOTIP column {text!r}{hint}", line=line)
            position[text] = column
        missing = [c for c in GLOTIP_COLUMNS if c not in position and c not in _OPTIONAL]
        if missing:
            raise InputError(
                path, f"required GLOTIP column(s) missing: {', '.join(missing)}", line=line
            )
        return index, position
    raise InputError(
        path, f"no GLOTIP header ({', '.join(GLOTIP_COLUMNS)}) in the first {_BANNER_ROWS} rows"
    )


def _shaped(
    records: _Records, width: int, path: str, sheet: str | None
) -> tuple[_Records, list[Finding]]:
    """Rows with one cell per column; rows of another shape become findings."""
    rows: _Records = []
    problems: list[Finding] = []
    for line, fields in records:
        if sheet is None:
            if len(fields) == width:
                rows.append((line, fields))
                continue
            message = f"row has {len(fields)} fields, the header has {width}"
            location = Location(path, line)
        else:
            extra = [i for i, text in enumerate(fields[width:], start=width) if text.strip()]
            if not extra:
                cells = fields[:width] + [""] * (width - len(fields))
                if any(text.strip() for text in cells):
                    rows.append((line, cells))
                continue
            message = f"cell holds {fields[extra[0]]!r} beyond the last named column"
            location = Location(path, line, cell_ref(sheet, line, extra[0] + 1))
        problems.append(Finding("row-shape", Severity.ERROR, message, location=location))
    return rows, problems


def _citer(path: str, sheet: str | None, position: Mapping[str, int]) -> _Cite:
    """Locate a GLOTIP column of a row: the column name in a CSV, the cell in a workbook."""

    def cite(line: int, column: str) -> Location:
        if sheet is None or column not in position:
            return Location(path, line, column)
        return Location(path, line, cell_ref(sheet, line, position[column] + 1))

    return cite


def _cited(finding: Finding, cite: _Cite) -> Finding:
    """A finding of the long-CSV checks, its field named as the export names it."""
    location = finding.location
    if location is None or location.line is None or location.field not in _FIELDS:
        return finding
    return attrs.evolve(finding, location=cite(location.line, _FIELDS[location.field]))


def _indicator(text: str) -> str:
    for label, code in GLOTIP_INDICATORS.items():
        if normalise_label(label) == normalise_label(text):
            return code
    raise CodeError("indicator", text, closest(text, list(GLOTIP_INDICATORS)))


def _reporter(text: str) -> str:
    code = text.strip()
    try:
        found = country(code)
    except CodeError as error:
        hint = None if error.suggestion is None else country(error.suggestion).alpha3
        raise CodeError("country", text, hint) from None
    if found.alpha3 != code:
        raise CodeError("country", text, found.alpha3)
    return code


def _labelled(identifier: str) -> Callable[[str], str]:
    """Resolve through codelist ``identifier``, hinting at the code of the closest label."""
    codes = codelist(identifier)
    labels = {normalise_label(code.name): code.code for code in codes}
    labels.update(codes.aliases)

    def resolve(text: str) -> str:
        try:
            return codes.resolve(text)
        except CodeError as error:
            close = closest(normalise_label(text), list(labels))
            hint = error.suggestion or (labels[close] if close else None)
            raise CodeError(identifier, text, hint) from None

    return resolve


_DIMENSIONS: Mapping[str, tuple[str, Callable[[str], str]] | None] = {
    "total": None,
    "by form of exploitation": ("exploitation", _labelled("exploitation")),
    "by citizenship": ("nationality", resolve_nationality),
    "by country of repatriation": ("country", resolve_nationality),
}


class _Mapper:
    """Maps the cells of a row to long-CSV text, judging each distinct text only once."""

    COLUMNS = (
        "indicator",
        "period",
        "reporter",
        "sex",
        "age",
        "nationality",
        "country",
        "exploitation",
        "value",
        "unit",
        "source",
        "note",
    )

    def __init__(self, position: Mapping[str, int]) -> None:
        self.position = position
        self.cache: dict[tuple[str, str, str], str | _Unmapped] = {}
        self.simple: dict[str, tuple[str, Callable[[str], str]]] = {
            "Indicator": ("indicator", _indicator),
            "Iso3_code": ("reporter", _reporter),
            "Sex": ("sex", _labelled("sex")),
            "Age": ("age", lambda text: age_alias(text, "glotip")),
        }

    def cell(self, fields: Sequence[str], column: str) -> str:
        index = self.position.get(column)
        return fields[index] if index is not None else ""

    def code(
        self, column: str, target: str, text: str, resolve: Callable[[str], str]
    ) -> str | _Unmapped:
        """The code ``text`` in ``column`` maps to in ``target``, or why it maps to none."""
        key = (column, target, text)
        if key not in self.cache:
            try:
                self.cache[key] = resolve(text.strip())
            except CodeError as error:
                hint = f" (did you mean {error.suggestion!r}?)" if error.suggestion else ""
                self.cache[key] = _Unmapped(
                    column, f"{column}: unknown {error.codelist} {text!r}{hint}", error.suggestion
                )
        return self.cache[key]

    def row(self, fields: Sequence[str]) -> dict[str, str] | list[_Unmapped]:
        """The long-CSV text of one row, or what in it cannot be mapped."""
        out = dict.fromkeys(self.COLUMNS, "")
        problems: list[_Unmapped] = []
        for column, (target, resolve) in self.simple.items():
            found = self.code(column, target, self.cell(fields, column), resolve)
            if isinstance(found, _Unmapped):
                problems.append(found)
            else:
                out[target] = found
        dimension = self.cell(fields, "Dimension")
        category = self.cell(fields, "Category")
        folded = normalise_label(dimension)
        if folded not in _DIMENSIONS:
            close = closest(folded, list(_DIMENSIONS))
            hint = f" (did you mean {close!r}?)" if close else ""
            problems.append(
                _Unmapped("Dimension", f"Dimension: unknown dimension {dimension!r}{hint}")
            )
        elif (breakdown := _DIMENSIONS[folded]) is not None:
            target, resolve = breakdown
            found = self.code("Category", target, category, resolve)
            if isinstance(found, _Unmapped):
                problems.append(found)
            else:
                out[target] = found
        elif normalise_label(category) != "total":
            problems.append(
                _Unmapped("Category", f"Category: {category!r} under Dimension Total, not Total")
            )
        if problems:
            return problems
        unit = self.cell(fields, "Unit of measurement")
        source = self.cell(fields, "Source").strip()
        out["period"] = self.cell(fields, "Year").strip()
        out["value"] = self.cell(fields, "txtVALUE")
        out["unit"] = "" if normalise_label(unit) in {_COUNTS, ""} else unit
        out["source"] = f"GLOTIP export: {source}" if source else "GLOTIP export"
        out["note"] = "; ".join(
            f"{column}={self.cell(fields, column)}"
            for column in ("Indicator", "Dimension", "Category", "Sex", "Age")
        )
        return out
