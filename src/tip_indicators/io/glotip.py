"""The UNODC GLOTIP bulk export (dataUNODC): its vocabulary mapped to tip-indicators codes.

The export comes as a workbook (sheet ``data_glotip_1``, else the first sheet) or as CSV, with or
without the banner rows (``UNODC``, the date) above the header ``Iso3_code, Country, Region,
Subregion, Indicator, Dimension, Category, Sex, Age, Year, Unit of measurement, txtVALUE,
Source``. The ISO3 code is the reporter and Year the period; Indicator, Sex, Age and the
Category of a Dimension map through the catalogue's codelists and alias tables. A cell that
cannot be mapped (a questionnaire cell name such as ``Q6.1_10s_2019`` given as a citizenship, an
unknown country) is an error finding at its row, never a dropped row. Each figure keeps the
export's own words in ``note`` and its source in ``source`` (``GLOTIP export: GLOTIP``).

An export repeats a few hundred distinct texts over tens of thousands of rows: each column's
distinct texts are joined with the alias tables, and only those the tables do not hold are
judged one by one (see :mod:`tip_indicators._private.vocabulary`), each once.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from tip_indicators._private.csvcolumns import regular_columns, regular_start
from tip_indicators._private.csvrecords import csv_records, row_shape_message
from tip_indicators._private.nearest import closest
from tip_indicators._private.textfile import ReadLimits, decode_text, read_input_bytes, sha256
from tip_indicators._private.validate import dimensions_of, validate_raw
from tip_indicators._private.vocabulary import (
    Resolve,
    Vocabulary,
    age_vocabulary,
    codelist_vocabulary,
    fold_label,
    map_texts,
    nationality_vocabulary,
    single,
    trimmed,
    vocabulary,
)
from tip_indicators._private.workbook import (
    ZIP_MAGIC,
    cell_ref,
    cell_refs,
    cell_text,
    open_workbook,
    sheet_rows,
)
from tip_indicators.ages import age_alias
from tip_indicators.codelists import codelist, normalise_label
from tip_indicators.datasets import Dataset, InputFile
from tip_indicators.errors import CodeError, InputError
from tip_indicators.findings import Finding, FindingTable, Location, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.nationalities import countries, country, resolve_nationality

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
_UNREAD = frozenset({"Country", "Region", "Subregion"})
_COUNTS = "counts"
_TOTAL = "total"
_COLUMNS = (
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
_Namer = Callable[[pl.Expr, pl.Expr], pl.Expr]
"""Names the field of a GLOTIP column (first) at a line (second), column-wise."""
_Records = list[tuple[int, list[str]]]


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
    data = read_input_bytes(name, limits, text=True)
    regular = None if data.startswith(ZIP_MAGIC) else _regular_cells(data, name, limits)
    if regular is not None:
        position, cells = regular
        sheet: str | None = None
        problems: list[Finding] = []
    else:
        records, sheet = _read_records(data, name, limits)
        start, position = _header(records, name)
        rows, problems = _shaped(records[start + 1 :], len(position), name, sheet)
        cells = _cells(rows, position)
    field = _field_namer(sheet, position)
    mapped, unmapped = _mapped(cells)
    frame = mapped.with_columns(pl.lit(name).alias("path")).select(*_COLUMNS, "path", "line")
    observations, findings = validate_raw(frame, catalogue)
    return Dataset(
        observations,
        dimensions_of(list(_COLUMNS), catalogue),
        inputs=(InputFile(name, sha256(data), observations.height, "glotip"),),
        problems=[*problems, _unmapped(unmapped, name, field), _cited(findings, field)],
    )


def _read_records(data: bytes, name: str, limits: ReadLimits) -> tuple[_Records, str | None]:
    """The export's rows as (line or row number, cell texts) and the sheet read (None for
    CSV)."""
    if not data.startswith(ZIP_MAGIC):
        return list(csv_records(decode_text(data, name), name, limits)), None
    workbook = open_workbook(data, name, limits)
    try:
        names = workbook.sheetnames
        worksheet: Any = workbook[GLOTIP_SHEET if GLOTIP_SHEET in names else names[0]]
        if not hasattr(worksheet, "iter_rows"):
            raise InputError(name, f"sheet {worksheet.title!r} is not a worksheet")
        rows = sheet_rows(worksheet, name)
        records = [(n, [cell_text(value) for value in row]) for n, row in rows]
        return records, str(worksheet.title)
    finally:
        workbook.close()


def _regular_cells(
    data: bytes, name: str, limits: ReadLimits
) -> tuple[dict[str, int], pl.DataFrame] | None:
    """The columns' positions and the cells (as :func:`_cells` gives them) of a large, regular
    CSV export, parsed column-wise (:mod:`~tip_indicators._private.csvcolumns`), or None: the
    banner and header lines must hold no quote and no blank line, and the header no empty
    name at its end. Anything else is read record by record, which gives the same results (a
    property test holds the two paths to them)."""
    begin = regular_start(data)
    if begin is None:
        return None
    records: _Records = []
    ends: list[int] = []
    for line in range(1, _BANNER_ROWS + 1):
        end = data.find(b"\n", begin)
        if end == -1:
            break
        text = data[begin:end]
        if b'"' in text or not text.strip(b"\r"):
            return None
        try:
            records.append((line, text.decode("utf-8").removesuffix("\r").split(",")))
        except UnicodeDecodeError:
            return None
        ends.append(end)
        begin = end + 1
    try:
        start, position = _header(records, name)
    except InputError:
        return None
    if len(records[start][1]) != len(position):
        return None
    frame = regular_columns(data, list(position), ends[start], limits)
    if frame is None:
        return None
    return position, _columns_read(frame, position, frame.get_column("line"))


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
            message = row_shape_message(fields, width)
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


def _field_namer(sheet: str | None, position: Mapping[str, int]) -> _Namer:
    """How a GLOTIP column of a row is named in a finding's location: the column name in a
    CSV, the cell in a workbook (columns of the export only)."""
    if sheet is None:
        return lambda column, line: column
    numbers = {name: index + 1 for name, index in position.items()}

    def name(column: pl.Expr, line: pl.Expr) -> pl.Expr:
        return pl.coalesce(cell_refs(sheet, numbers, column, line), column)

    return name


def _unmapped(unmapped: pl.DataFrame, path: str, field: _Namer) -> FindingTable:
    """An ``unknown-code`` error at each cell that does not map (columns ``line``, ``column``,
    ``message``, ``hint``), suggesting the hint where there is one."""
    place = pl.lit(path.encode("utf-8", "surrogatepass"), pl.Binary)
    at = field(pl.col("column"), pl.col("line"))
    suggestion = pl.struct(
        pl.lit(None, pl.Int64).alias("figure"),
        place.alias("path"),
        pl.col("line").cast(pl.Int64),
        at.alias("field"),
        pl.col("hint").alias("value"),
        pl.lit("the nearest known spelling").alias("reason"),
        pl.lit(0.0).alias("score"),
    )
    rows = unmapped.select(
        pl.lit("unknown-code").alias("code"),
        pl.lit("error").alias("severity"),
        "message",
        place.alias("path"),
        "line",
        at.alias("field"),
        pl.when(pl.col("hint").is_not_null()).then(pl.concat_list(suggestion)).alias("suggestions"),
    )
    return FindingTable.located(rows)


def _cited(findings: FindingTable, field: _Namer) -> FindingTable:
    """The findings of the long-CSV checks, their fields named as the export names them."""
    named = pl.col("field").replace_strict(_FIELDS, default=None, return_dtype=pl.String)
    line = pl.col("line")
    return findings.with_fields(pl.when(line.is_not_null()).then(field(named, line)))


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


def _dimension(text: str) -> str:
    """The breakdown a Dimension cell names, folded (a key of ``_DIMENSIONS``)."""
    folded = normalise_label(text)
    if folded not in _DIMENSIONS:
        raise CodeError("dimension", text, closest(folded, list(_DIMENSIONS)))
    return folded


def _total(text: str) -> str:
    """The Category under Dimension Total: Total, and nothing else."""
    if normalise_label(text) != _TOTAL:
        raise CodeError("category", text)
    return "_T"


def _unit(text: str) -> str:
    """The unit of a figure: none for counts (the catalogue's unit), else the export's words."""
    return "" if normalise_label(text) in {_COUNTS, ""} else text


def _stripped(resolve: Callable[[str], str]) -> Resolve:
    """``resolve`` applied to a cell with its surrounding white space removed."""
    return single(lambda text: resolve(text.strip()))


@functools.cache
def _vocabularies() -> Mapping[str, Vocabulary]:
    """How each column's text maps to codes (see :mod:`tip_indicators._private.vocabulary`)."""
    return {
        "Indicator": vocabulary(
            _stripped(_indicator),
            GLOTIP_INDICATORS,
            folded={normalise_label(label): (code,) for label, code in GLOTIP_INDICATORS.items()},
            fold=fold_label,
        ),
        "Iso3_code": vocabulary(_stripped(_reporter), [item.alpha3 for item in countries()]),
        "Sex": codelist_vocabulary("sex", _stripped(_labelled("sex"))),
        "Age": age_vocabulary("glotip", _stripped(lambda text: age_alias(text, "glotip"))),
        "Dimension": vocabulary(
            single(_dimension),
            ["Total", *_DIMENSIONS],
            folded={key: (key,) for key in _DIMENSIONS},
            fold=fold_label,
        ),
        _TOTAL: vocabulary(single(_total), ["Total"], folded={_TOTAL: ("_T",)}, fold=fold_label),
        "exploitation": codelist_vocabulary("exploitation", _stripped(_labelled("exploitation"))),
        "nationality": nationality_vocabulary(_stripped(resolve_nationality)),
        "unit": vocabulary(
            single(_unit), ["Counts", ""], folded={_COUNTS: ("",), "": ("",)}, fold=fold_label
        ),
    }


_DIMENSIONS: Mapping[str, tuple[str, str] | None] = {
    _TOTAL: None,
    "by form of exploitation": ("exploitation", "exploitation"),
    "by citizenship": ("nationality", "nationality"),
    "by country of repatriation": ("country", "nationality"),
}
"""Each Dimension, folded, with the column its Category fills and the vocabulary it maps by."""

_CODED = {"Indicator": "indicator", "Iso3_code": "reporter", "Sex": "sex", "Age": "age"}
_Message = Callable[[str, CodeError], str]


def _unknown(column: str) -> _Message:
    def message(text: str, error: CodeError) -> str:
        hint = f" (did you mean {error.suggestion!r}?)" if error.suggestion else ""
        return f"{column}: unknown {error.codelist} {text!r}{hint}"

    return message


def _not_total(text: str, error: CodeError) -> str:
    return f"Category: {text!r} under Dimension Total, not Total"


def _cells(rows: _Records, position: Mapping[str, int]) -> pl.DataFrame:
    """The rows as a frame of the texts of the columns read (Country, Region and Subregion are
    not), with ``line``; a column the export leaves out is empty."""
    columns = list(zip(*(fields for _, fields in rows), strict=True))
    given = pl.DataFrame(
        [
            pl.Series(name, columns[column] if rows else [], dtype=pl.String)
            for name, column in position.items()
        ]
    )
    lines = pl.Series("line", [line for line, _ in rows], dtype=pl.Int64)
    return _columns_read(given, position, lines)


def _columns_read(
    given: pl.DataFrame, position: Mapping[str, int], lines: pl.Series
) -> pl.DataFrame:
    """Each row's ``line``, then the columns read in the order of :data:`GLOTIP_COLUMNS`, from
    the export's columns ``given``: a column the export leaves out is empty."""
    return pl.DataFrame(
        [
            lines,
            *(
                given.get_column(name)
                if name in position
                else pl.Series(name, [""] * lines.len(), dtype=pl.String)
                for name in GLOTIP_COLUMNS
                if name not in _UNREAD
            ),
        ]
    )


def _lookup(
    texts: pl.Series, vocabulary: Vocabulary, column: str, message: _Message
) -> pl.DataFrame:
    """Each distinct text (as ``column``) with its code (``_code``), or with the message and
    hint (``_message``, ``_hint``) of why it has none."""
    mapped = map_texts(texts, vocabulary)
    errors = mapped.errors
    return pl.concat(
        [
            mapped.codes.select(
                pl.col("text").alias(column), pl.col("codes").list.first().alias("_code")
            ),
            pl.DataFrame(
                {
                    column: list(errors),
                    "_message": [message(text, error) for text, error in errors.items()],
                    "_hint": [error.suggestion for error in errors.values()],
                },
                schema={column: pl.String, "_message": pl.String, "_hint": pl.String},
            ),
        ],
        how="diagonal",
    )


def _mapped(cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The long-CSV text of the rows whose cells all map, and the cells that do not map.

    Each distinct text of a column is mapped once (see :func:`_lookup`) and joined back to the
    rows. The cells that do not map come as (line, column, message, hint), in the order of the
    rows and, within a row, of Indicator, Iso3_code, Sex, Age, then Dimension or its Category.

    Long because it is one query: every column's lookup joined back to the rows, and the cells that
    do not map taken from the same joined frame.
    """
    vocabularies = _vocabularies()
    frame = cells
    checks: list[tuple[str, bool]] = []

    def joined(lookup: pl.DataFrame, on: list[str], code: str, column: str, hint: bool) -> None:
        nonlocal frame
        k = len(checks)
        frame = frame.join(lookup, on=on, how="left", maintain_order="left").rename(
            {"_code": code, "_message": f"_message{k}", "_hint": f"_hint{k}"}
        )
        checks.append((column, hint))

    for column, target in _CODED.items():
        lookup = _lookup(frame.get_column(column), vocabularies[column], column, _unknown(column))
        joined(lookup, [column], target, column, hint=True)
    dimensions = _lookup(
        frame.get_column("Dimension"), vocabularies["Dimension"], "Dimension", _unknown("Dimension")
    )
    joined(dimensions, ["Dimension"], "_dimension", "Dimension", hint=False)
    categories: list[pl.DataFrame] = []
    for key, breakdown in _DIMENSIONS.items():
        texts = frame.filter(pl.col("_dimension") == key).get_column("Category")
        if breakdown is None:
            lookup = _lookup(texts, vocabularies[_TOTAL], "Category", _not_total)
        else:
            lookup = _lookup(texts, vocabularies[breakdown[1]], "Category", _unknown("Category"))
        categories.append(lookup.with_columns(pl.lit(key).alias("_dimension")))
    joined(pl.concat(categories), ["_dimension", "Category"], "_category", "Category", hint=True)
    problems = pl.concat(
        [
            frame.filter(pl.col(f"_message{k}").is_not_null()).select(
                "line",
                pl.lit(k).alias("_order"),
                pl.lit(column).alias("column"),
                pl.col(f"_message{k}").alias("message"),
                (pl.col(f"_hint{k}") if hint else pl.lit(None, pl.String)).alias("hint"),
            )
            for k, (column, hint) in enumerate(checks)
        ]
    )
    problems = problems.with_row_index("_found").sort("line", "_order", "_found")
    good = frame.filter(
        pl.all_horizontal(pl.col(f"_message{k}").is_null() for k in range(len(checks)))
    )
    units = map_texts(good.get_column("Unit of measurement"), vocabularies["unit"]).codes
    source = trimmed(pl.col("Source"))
    targets = {
        target: pl.when(pl.col("_dimension") == key).then(pl.col("_category")).otherwise(pl.lit(""))
        for key, breakdown in _DIMENSIONS.items()
        if breakdown is not None
        for target in breakdown[:1]
    }
    mapped = good.join(
        units.select(
            pl.col("text").alias("Unit of measurement"), pl.col("codes").list.first().alias("unit")
        ),
        on="Unit of measurement",
        how="left",
        maintain_order="left",
    ).select(
        "indicator",
        trimmed(pl.col("Year")).alias("period"),
        "reporter",
        "sex",
        "age",
        targets["nationality"].alias("nationality"),
        targets["country"].alias("country"),
        targets["exploitation"].alias("exploitation"),
        pl.col("txtVALUE").alias("value"),
        "unit",
        pl.when(source == "")
        .then(pl.lit("GLOTIP export"))
        .otherwise(pl.format("GLOTIP export: {}", source))
        .alias("source"),
        pl.format("; ".join(f"{column}={{}}" for column in _NOTE), *_NOTE).alias("note"),
        "line",
    )
    return mapped, problems.select("line", "column", "message", "hint")


_NOTE = ("Indicator", "Dimension", "Category", "Sex", "Age")
