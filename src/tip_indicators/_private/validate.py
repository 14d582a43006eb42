"""Turning a frame of raw text cells into checked observations plus level-0 findings.

Every reader builds a frame of text columns named as in the long CSV, with ``path`` and ``line``,
and hands it here. All checks are column-wise; only rows with a problem become Python objects.
A row with an error-severity problem is kept out of the observations and reported, never dropped
silently; keys given twice with different values are reported and left out of every sum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from tip_indicators._private.code_variants import normalise_codes, without_variants_of_errors
from tip_indicators._private.duplicates import resolve_duplicates
from tip_indicators._private.nearest import closest
from tip_indicators._private.period_checks import check_periods
from tip_indicators._private.row_problems import ROW, CodeCheck, Problems, code_judge
from tip_indicators._private.value_checks import check_values
from tip_indicators.dimensions import BUILTIN_DIMENSIONS
from tip_indicators.errors import CodeError, InputError
from tip_indicators.findings import FindingTable
from tip_indicators.findings.wording import worded
from tip_indicators.indicators import Catalogue
from tip_indicators.observations import (
    ATTRIBUTE_COLUMNS,
    REQUIRED_COLUMNS,
    long_columns,
    observation_schema,
)

_OPTIONAL = ("measure", "base_period", *ATTRIBUTE_COLUMNS)


def known_columns(catalogue: Catalogue) -> tuple[str, ...]:
    """The names a long-CSV column (or a document's observation key) may have."""
    return (*REQUIRED_COLUMNS, *catalogue.dimensions, *_OPTIONAL)


def check_columns(
    header: Sequence[str], path: str, catalogue: Catalogue, *, line: int | None = None
) -> None:
    """Refuse a header with a column given twice, an unknown column (with the closest known
    name as a hint) or a required column missing; ``line`` is where the header stands."""
    known = known_columns(catalogue)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(path, f"column {name!r} appears twice in the header", line=line)
        seen.add(name)
        if name not in known:
            close = closest(name.strip().lower(), known)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise InputError(path, f"unknown column {name!r}{hint}", line=line)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        raise InputError(path, f"required column(s) missing: {', '.join(missing)}", line=line)


def dimensions_of(columns: Sequence[str], catalogue: Catalogue) -> tuple[str, ...]:
    """The dimension columns an observation frame has: the built-in ones plus any present."""
    extra = [c for c in columns if c in catalogue.dimensions and c not in BUILTIN_DIMENSIONS]
    return (*BUILTIN_DIMENSIONS, *extra)


_CODE_COLUMNS = ("indicator", "reporter", "measure", "status", "conf_status")


def validate_raw(
    raw: pl.DataFrame, catalogue: Catalogue, *, nul_free: bool = False
) -> tuple[pl.DataFrame, FindingTable]:
    """Check raw text rows and return the usable observations and the findings about the rest.
    ``nul_free`` says the caller knows no cell holds a NUL character (a column-wise parse
    refuses a file with a NUL byte), which spares a scan of every cell: a tenth of a second
    on a million rows.

    Long because it is the one validation every reader shares: a sequence of column-wise stages over
    one frame, each a few lines, whose order matters (defaults, normal forms, codes, periods,
    values, duplicates).
    """
    dimensions = dimensions_of(raw.columns, catalogue)
    text_columns = long_columns(dimensions)
    # An absent column is its default throughout.
    defaults = dict.fromkeys(dimensions, "_T") | {"measure": "N", "value": ""}
    frame = raw.with_columns(
        [
            pl.lit(defaults.get(c), dtype=pl.String).alias(c)
            for c in text_columns
            if c not in raw.columns
        ]
    ).with_row_index(ROW)
    problems = Problems()
    # A NUL character (from UTF-16 text, a YAML or JSON escape, an xlsx _x0000_) is refused
    # whatever the format: no CSV this package writes could carry it back.
    for column in () if nul_free else text_columns:
        if column in raw.columns:
            problems.add(
                frame,
                pl.col(column).str.contains("\x00", literal=True),
                column,
                "nul-character",
                worded(
                    "{column}: holds a NUL character (U+0000); remove it", column=pl.lit(column)
                ),
            )
    frame = normalise_codes(frame, problems, [*_CODE_COLUMNS, *dimensions])
    # Required fields are judged by their distinct values; rows are scanned only for blank ones.
    required = ("indicator", "period", "reporter")
    distinct = dict(
        zip(required, frame.select(pl.col(required).unique().implode()).row(0), strict=True)
    )
    for field in required:
        values = pl.Series(field, distinct[field], dtype=pl.String)
        blank = values.filter(values.str.strip_chars() == "")
        if values.has_nulls() or blank.len():
            problems.add(
                frame,
                pl.col(field).is_null() | pl.col(field).is_in(blank.implode()),
                field,
                "missing-field",
                worded("{field}: required field is empty", field=pl.lit(field)),
            )
    given = [c for c in (*dimensions, "measure", "value") if c in raw.columns]
    frame = frame.with_columns(
        [
            pl.when(pl.col(c).is_null() | (pl.col(c) == ""))
            .then(pl.lit(defaults[c]))
            .otherwise(pl.col(c))
            .alias(c)
            for c in given
        ]
        + [
            pl.col(c).replace("", None)
            for c in ("base_period", *ATTRIBUTE_COLUMNS)
            if c in raw.columns
        ]
    )
    code_checks = [CodeCheck("indicator", "unknown-indicator", _indicator_judge(catalogue))]
    for dimension in dimensions:
        definition = catalogue.dimension(dimension)
        code_checks.append(
            CodeCheck(dimension, "unknown-code", definition.code_error, skip=("_T",))
        )
        allowed = [i.code for i in catalogue if dimension in i.dimensions]
        # Only a given dimension, with an indicator the file names that lacks it, can fail.
        lacking = set(distinct["indicator"]) & set(catalogue.indicators) - set(allowed)
        if dimension not in raw.columns or not lacking:
            continue
        problems.add(
            frame,
            (pl.col(dimension) != "_T")
            & ~pl.col("indicator").is_in(allowed)
            & pl.col("indicator").is_in(list(catalogue.indicators)),
            dimension,
            "dimension-not-allowed",
            worded(
                "{dimension}: indicator '{indicator}' has no breakdown by {dimension}",
                dimension=pl.lit(dimension),
                indicator=pl.col("indicator"),
            ),
        )
    code_checks += [
        CodeCheck("measure", "unknown-code", code_judge("measure")),
        CodeCheck("status", "unknown-code", code_judge("obs_status")),
        CodeCheck("conf_status", "unknown-code", code_judge("conf_status")),
    ]
    problems.add_codes(frame, code_checks)
    frame = check_periods(frame, problems)
    frame = check_values(frame, problems, catalogue)
    table = without_variants_of_errors(problems.table())
    bad_rows = table.filter(pl.col("severity") == "error").get_column(ROW).unique()
    findings = _row_findings(frame, table, dimensions)
    good = frame.filter(~pl.col(ROW).is_in(bad_rows.implode()))
    good, duplicates = resolve_duplicates(good, dimensions)
    schema = observation_schema(dimensions)
    observations = good.with_columns(pl.lit(False).alias("derived")).select(
        [pl.col(c).cast(t) for c, t in schema.items()]
    )
    return observations, FindingTable.concat([findings, duplicates])


def _indicator_judge(catalogue: Catalogue) -> Callable[[str], CodeError | None]:
    def judge(value: str) -> CodeError | None:
        try:
            catalogue.indicator(value)
        except CodeError as error:
            return error
        return None

    return judge


def _row_findings(
    frame: pl.DataFrame, table: pl.DataFrame, dimensions: Sequence[str]
) -> FindingTable:
    """The problems of ``table`` as findings located at their row of ``frame`` (whose ``_row``
    is its position) and citing it."""
    row = pl.col(ROW).cast(pl.Int64)
    rows = table.select(
        "code",
        "severity",
        "message",
        "field",
        row.alias("located_at"),
        pl.concat_list(row).alias("cited"),
    )
    return FindingTable.recorded(rows, frame, dimensions, 0)
