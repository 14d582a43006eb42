"""Case-file cells to case fields: the CSV table of a case file, and the column-wise mapping of
its cells to codes, dates and whole numbers, each cell that cannot be read a finding at its line
and column."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import polars as pl

from tip_indicators._private.csvcolumns import regular_columns, regular_header
from tip_indicators._private.csvrecords import csv_records, row_shape_message
from tip_indicators._private.textfile import ReadLimits
from tip_indicators._private.vocabulary import (
    Mapped,
    Vocabulary,
    age_vocabulary,
    fold_label,
    map_texts,
    nationality_vocabulary,
    single,
    vocabulary,
)
from tip_indicators.ages import age_alias
from tip_indicators.cases import case_alias, case_codes, case_schema, case_vocabulary
from tip_indicators.cases._codes import code_table
from tip_indicators.codelists import DESTINATION_PATTERN, DESTINATION_TYPES, is_destination_code
from tip_indicators.errors import CodeError, InputError
from tip_indicators.findings import FindingTable, Severity
from tip_indicators.nationalities import country, resolve_nationality

ROW = "_row"
SEPARATOR = ";"
MISSING = ("-99", "")
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$"
CODES = pl.List(pl.String())
Found = list[pl.DataFrame]
"""Findings about cells, as rows of :meth:`~tip_indicators.findings.FindingTable.located`."""
_FOUND_SCHEMA = {
    "code": pl.String,
    "severity": pl.String,
    "message": pl.String,
    "path": pl.String,
    "line": pl.Int64,
    "field": pl.String,
}


def case_table(
    text: str, path: str, limits: ReadLimits, known: Sequence[str], required: Sequence[str]
) -> tuple[pl.DataFrame, Found]:
    """The known columns as trimmed text (empty is null), with ``_row``, ``path`` and ``line``:
    a large, regular file parsed column-wise, any other read record by record."""
    data = text.encode("utf-8")
    regular = regular_header(data, path, limits)
    frame = None
    if regular is not None:
        header, start = regular
        _check_header(header, path, known, required)
        frame = regular_columns(data, header, start, limits)
    problems: Found = []
    if frame is None:
        frame, problems = _record_table(text, path, limits, known, required)
    kept = [name for name in frame.columns if name in known]
    table = frame.select(
        *[pl.col(c).str.strip_chars().replace("", None) for c in kept],
        pl.lit(path).alias("path"),
        "line",
        *[pl.lit(None, pl.String).alias(name) for name in known if name not in kept],
    )
    return table.with_row_index(ROW), problems


def _check_header(
    header: Sequence[str], path: str, known: Sequence[str], required: Sequence[str]
) -> None:
    """Refuse a header with a column twice, a near miss of a known column or a required
    column missing."""
    folded = {column.casefold(): column for column in known}
    for name in header:
        if header.count(name) > 1:
            raise InputError(path, f"column {name!r} appears twice in the header", line=1)
        hint = folded.get(name.strip().casefold())
        if name not in known and hint is not None:
            raise InputError(path, f"unknown column {name!r} (did you mean {hint!r}?)", line=1)
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(path, f"required column(s) missing: {', '.join(missing)}", line=1)


def _record_table(
    text: str, path: str, limits: ReadLimits, known: Sequence[str], required: Sequence[str]
) -> tuple[pl.DataFrame, Found]:
    """The known columns of a file read record by record (exact on any text) with ``line``,
    and a finding for each row of the wrong width."""
    records = csv_records(text, path, limits, header_first=True)
    first = next(records, None)
    if first is None:
        raise InputError(path, "empty file: no header row")
    header = first[1]
    _check_header(header, path, known, required)
    keep = [index for index, name in enumerate(header) if name in known]
    columns: list[list[str]] = [[] for _ in keep]
    lines: list[int] = []
    ragged: list[tuple[int, str]] = []
    for line, fields in records:
        if len(fields) != len(header):
            ragged.append((line, row_shape_message(fields, len(header))))
            continue
        for column, index in zip(columns, keep, strict=True):
            column.append(fields[index])
        lines.append(line)
    frame = pl.DataFrame(
        {
            header[i]: pl.Series(values, dtype=pl.String)
            for i, values in zip(keep, columns, strict=True)
        }
    )
    problems = pl.DataFrame(
        {
            "code": ["row-shape"] * len(ragged),
            "severity": [Severity.ERROR.value] * len(ragged),
            "message": [message for _, message in ragged],
            "path": [path] * len(ragged),
            "line": [line for line, _ in ragged],
            "field": [None] * len(ragged),
        },
        schema=_FOUND_SCHEMA,
    )
    return frame.with_columns(pl.Series("line", lines, dtype=pl.Int64)), [problems]


def findings_at(
    frame: pl.DataFrame,
    mask: pl.Expr,
    code: str,
    column: str,
    message: pl.Expr,
    *,
    severity: Severity = Severity.ERROR,
) -> Found:
    """A ``code`` finding at ``column`` of each row of ``frame`` that ``mask`` picks, worded
    by ``message`` (after the column's name), as rows of
    :meth:`~tip_indicators.findings.FindingTable.located`."""
    hits = frame.filter(mask.fill_null(False)).select(
        pl.lit(code).alias("code"),
        pl.lit(severity.value).alias("severity"),
        pl.concat_str(pl.lit(f"{column}: "), message).alias("message"),
        "path",
        "line",
        pl.lit(column).alias("field"),
    )
    return [hits]


def found_table(found: Found) -> FindingTable:
    """The findings of ``found`` as one table, in report order (as the rows were found among
    equal places)."""
    rows = pl.concat(found) if found else pl.DataFrame(schema=_FOUND_SCHEMA)
    return FindingTable.located(rows).in_report_order()


def _hint(error: CodeError) -> str:
    return f" (did you mean {error.suggestion!r}?)" if error.suggestion else ""


def _unknown(mapped: Mapped) -> dict[str, str]:
    """The message of each text that maps to no code."""
    return {text: f"unknown code {text!r}{_hint(error)}" for text, error in mapped.errors.items()}


def single_codes(
    frame: pl.DataFrame, column: str, known: Vocabulary, skip: Sequence[str] = ()
) -> tuple[pl.Expr, Found]:
    """``column`` mapped to one code per cell; unknown values are findings and null.

    The column's distinct values are mapped once (joined with the vocabulary's tables where
    they hold them) and the codes replace the cells by a lookup.
    """
    values = frame.get_column(column)
    mapped = map_texts(values.filter(~values.is_in(list(skip))), known)
    bad = _unknown(mapped)
    found = findings_at(
        frame,
        pl.col(column).is_in(list(bad)),
        "unknown-code",
        column,
        pl.col(column).replace_strict(bad, default=None, return_dtype=pl.String),
    )
    if not mapped.codes.height:
        return pl.lit(None, pl.String), found
    codes = mapped.codes
    return pl.col(column).replace_strict(
        codes.get_column("text"),
        codes.get_column("codes").list.first(),
        default=None,
        return_dtype=pl.String,
    ), found


def multi_codes(
    frame: pl.DataFrame, column: str, known: Vocabulary, *, ordered: bool = False
) -> tuple[pl.Series, Found, pl.Series]:
    """``column`` split on ';' and mapped to a list of codes per row (empty when not given).

    Each list holds every code once, sorted, or in the order written when ``ordered``.

    Returns the lists (in row order), the findings about unknown items, and the rows that had one.
    """
    items = (
        frame.select(ROW, "path", "line", pl.col(column).str.split(SEPARATOR).alias("_item"))
        .explode("_item")
        .with_columns(pl.col("_item").str.strip_chars())
        .filter(pl.col("_item").is_not_null() & (pl.col("_item") != ""))
    )
    mapped = map_texts(items.get_column("_item"), known)
    bad = _unknown(mapped)
    unknown = pl.col("_item").is_in(list(bad))
    found = findings_at(
        items,
        unknown,
        "unknown-code",
        column,
        pl.col("_item").replace_strict(bad, default=None, return_dtype=pl.String),
    )
    lookup = (
        mapped.codes.explode("codes")
        .rename({"text": "_item", "codes": "_code"})
        .filter(pl.col("_code").is_not_null())
    )
    grouped = (
        items.join(lookup, on="_item", how="inner", maintain_order="left")
        .group_by(ROW, maintain_order=True)
        .agg(
            pl.col("_code").unique(maintain_order=True)
            if ordered
            else pl.col("_code").unique().sort()
        )
    )
    lists = (
        frame.select(ROW)
        .join(grouped, on=ROW, how="left", maintain_order="left")
        .select(
            pl.when(pl.col("_code").is_null())
            .then(pl.lit([], dtype=CODES))
            .otherwise(pl.col("_code"))
            .alias(column)
        )
        .to_series()
    )
    return lists, found, items.filter(unknown).get_column(ROW).unique()


def date_column(frame: pl.DataFrame, column: str) -> tuple[pl.Expr, Found]:
    text = pl.col(column)
    parsed = (
        pl.when(text.str.contains(_DATE))
        .then(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        .otherwise(pl.lit(None, pl.Date))
    )
    message = pl.format("'{}' is not a date (YYYY-MM-DD)", text)
    bad = text.is_not_null() & parsed.is_null()
    return parsed, findings_at(frame, bad, "case-invalid-field", column, message)


def whole_number(
    frame: pl.DataFrame, column: str, digits: str, what: str, skip: Sequence[str] = ()
) -> tuple[pl.Expr, Found]:
    text = pl.col(column)
    usable = text.is_not_null() & ~text.is_in(list(skip))
    number = pl.when(usable & text.str.contains(f"^[0-9]{digits}$")).then(text.cast(pl.Int32))
    message = pl.format("'{}' is not {}", text, pl.lit(what))
    return number, findings_at(
        frame, usable & number.is_null(), "case-invalid-field", column, message
    )


def _country_code(text: str) -> str:
    """A citizenship or country of exploitation: ISO 3166-1 code or name, stateless, unknown."""
    stripped = text.strip()
    if stripped in {"XXA", "_U"}:
        return stripped
    try:
        return country(stripped).alpha2
    except CodeError as error:
        hint = error.suggestion
    try:
        code = resolve_nationality(stripped)
    except CodeError:
        raise CodeError("country", text, hint) from None
    if code != "XXA" and not (len(code) == 2 and code.isalpha()):
        raise CodeError("country", text, hint)
    return code


def _organisation(text: str) -> str:
    """A referral partner: a destination code (NGO.AFESIP, GOV) or an HTCDS organisation type."""
    stripped = text.strip()
    if stripped != "_T" and is_destination_code(stripped):
        return stripped
    try:
        return case_alias("organisation", "htcds", stripped)[0]
    except CodeError as error:
        words = stripped.upper().split()
        spellings = [".".join([*words[:1], "_".join(words[1:])]), "_".join(words)]
        valid = [code for code in spellings if code != "_T" and is_destination_code(code)]
        hint = valid[0] if valid else error.suggestion
        raise CodeError("organisation", text, hint) from None


def _is_country(code: str) -> bool:
    return code == "XXA" or (len(code) == 2 and code.isalpha())


@functools.cache
def field_vocabulary(field: str, source: str) -> Vocabulary:
    """How a source vocabulary of a case field maps to codes, joined (see :func:`single_codes`)."""
    if field == "country":
        return nationality_vocabulary(single(_country_code), _is_country)
    if field == "age":
        return age_vocabulary(
            None if source == "any" else source, single(functools.partial(_age, source))
        )
    if field == "referral":
        return vocabulary(
            single(_organisation),
            ["_T", *DESTINATION_TYPES, *case_vocabulary("organisation", "htcds")],
            folded=code_table().aliases.get(("organisation", "htcds"), {}),
            fold=fold_label,
            itself=f"_U|{DESTINATION_PATTERN}",
        )
    return vocabulary(
        functools.partial(case_alias, field, source),
        [*case_codes(field), *case_vocabulary(field, source)],
        folded=code_table().aliases.get((field, source), {}),
        fold=fold_label,
    )


def _age(source: str, text: str) -> str:
    return age_alias(text, None if source == "any" else source)


def case_frame(frame: pl.DataFrame, columns: Mapping[str, pl.Expr | pl.Series]) -> pl.DataFrame:
    """The case frame: ``columns`` by case field, every other field null."""
    selected: list[pl.Expr | pl.Series] = []
    for name, dtype in case_schema().items():
        if name in {"path", "line"}:
            selected.append(pl.col(name))
        elif name in columns:
            value = columns[name]
            selected.append(value.cast(dtype).alias(name))
        else:
            selected.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(selected)


def items(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """One row per ';'-separated item of ``column`` with its position in the cell (``_pos``)."""
    return (
        frame.select(ROW, "path", "line", pl.col(column).str.split(SEPARATOR))
        .explode(column)
        .with_columns(
            pl.col(column).str.strip_chars().replace("", None),
            pl.int_range(pl.len()).over(ROW).alias("_pos"),
        )
    )
