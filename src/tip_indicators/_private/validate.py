"""Turning a frame of raw text cells into checked observations plus level-0 findings.

Every reader builds a frame of text columns named as in the long CSV, with ``path`` and ``line``,
and hands it here. All checks are column-wise; only rows with a problem become Python objects.
A row with an error-severity problem is kept out of the observations and reported, never dropped
silently; keys given twice with different values are reported and left out of every sum.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import NamedTuple

import polars as pl

from tip_indicators._private.duplicates import resolve_duplicates
from tip_indicators._private.nearest import closest
from tip_indicators.codelists import codelist
from tip_indicators.dimensions import BUILTIN_DIMENSIONS
from tip_indicators.errors import CodeError, InputError
from tip_indicators.findings import FindingTable, Severity
from tip_indicators.findings.wording import worded, worded_text
from tip_indicators.indicators import Catalogue
from tip_indicators.observations import ATTRIBUTE_COLUMNS, REQUIRED_COLUMNS, observation_schema
from tip_indicators.periods import (
    PERIOD_PATTERN,
    frequency_expr,
    period_sort_key,
    previous_year_expr,
)
from tip_indicators.values import MAX_EXACT, value_columns

_ROW = "_row"
_UNIT_ALIASES = {
    "persons": "person",
    "people": "person",
    "cases": "case",
    "establishments": "establishment",
    "businesses": "establishment",
    "events": "event",
    "vehicles": "vehicle",
    "organisations": "organisation",
    "%": "percent",
}


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


class _CodeCheck(NamedTuple):
    """Values of ``field`` must pass ``judge``; a failure is reported with ``code``."""

    field: str
    code: str
    judge: Callable[[str], CodeError | None]
    skip: Sequence[str] = ("",)


class _Problems:
    """Collects per-row problems as small frames: row index, field, code, severity, message.

    Checks on one frame are batched: which of them hit any row is learnt in one pass over the
    frame, and only those that do are filtered. A check on another frame (frames are immutable:
    each stage makes a new one) or reading the table settles the batch first.
    """

    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []
        self._frame: pl.DataFrame | None = None
        self._pending: list[tuple[pl.Expr, str, str, pl.Expr, Severity]] = []

    def add(
        self,
        frame: pl.DataFrame,
        mask: pl.Expr,
        field: str,
        code: str,
        message: pl.Expr,
        *,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if self._frame is not frame:
            self._settle()
            self._frame = frame
        self._pending.append((mask, field, code, message, severity))

    def _settle(self) -> None:
        frame, pending = self._frame, self._pending
        self._frame, self._pending = None, []
        if frame is None or not pending:
            return
        hit = frame.select(
            [mask.fill_null(False).any().alias(str(n)) for n, (mask, *_) in enumerate(pending)]
        ).row(0)
        for found, (mask, field, code, message, severity) in zip(hit, pending, strict=True):
            if not found:
                continue
            self.frames.append(
                frame.filter(mask).select(
                    pl.col(_ROW),
                    pl.lit(field).alias("field"),
                    pl.lit(code).alias("code"),
                    pl.lit(severity.value).alias("severity"),
                    message.cast(pl.String).alias("message"),
                )
            )

    def add_codes(self, frame: pl.DataFrame, checks: Sequence[_CodeCheck]) -> None:
        """Judge each distinct value of each field once and flag the rows holding bad ones."""
        distinct = frame.select(
            [pl.col(check.field).drop_nulls().unique().implode() for check in checks]
        ).row(0)
        for check, values in zip(checks, distinct, strict=True):
            bad: dict[str, str] = {}
            for value in values:
                if value in check.skip:
                    continue
                error = check.judge(value)
                if error is not None:
                    bad[value] = _unknown_code(check.field, error)
            if not bad:
                continue
            field = check.field
            lookup = pl.DataFrame({field: list(bad), "_message": list(bad.values())})
            joined = frame.select(_ROW, field).join(lookup, on=field, how="inner")
            self.add(joined, pl.lit(True), field, check.code, pl.col("_message"))

    def table(self) -> pl.DataFrame:
        self._settle()
        if not self.frames:
            return pl.DataFrame(
                schema={
                    _ROW: pl.UInt32,
                    "field": pl.String,
                    "code": pl.String,
                    "severity": pl.String,
                    "message": pl.String,
                }
            )
        return pl.concat(self.frames).sort(_ROW, "field", "code")


def _unknown_code(field: str, error: CodeError) -> str:
    code = repr(error.code)
    if error.suggestion:
        return worded_text(
            "{field}: unknown code {code} (did you mean {suggestion}?)",
            field=field,
            code=code,
            suggestion=repr(error.suggestion),
        )
    return worded_text("{field}: unknown code {code}", field=field, code=code)


def _code_judge(identifier: str) -> Callable[[str], CodeError | None]:
    codes = codelist(identifier)

    def judge(value: str) -> CodeError | None:
        return None if value in codes else CodeError(identifier, value, codes.suggest(value))

    return judge


def validate_raw(raw: pl.DataFrame, catalogue: Catalogue) -> tuple[pl.DataFrame, FindingTable]:
    """Check raw text rows and return the usable observations and the findings about the rest."""
    dimensions = dimensions_of(raw.columns, catalogue)
    text_columns = [
        "indicator",
        "period",
        "reporter",
        *dimensions,
        "measure",
        "base_period",
        "value",
        *ATTRIBUTE_COLUMNS,
    ]
    # An absent column is its default throughout.
    defaults = dict.fromkeys(dimensions, "_T") | {"measure": "N", "value": ""}
    frame = raw.with_columns(
        [
            pl.lit(defaults.get(c), dtype=pl.String).alias(c)
            for c in text_columns
            if c not in raw.columns
        ]
    ).with_row_index(_ROW)
    problems = _Problems()
    # A NUL character (from UTF-16 text, a YAML or JSON escape, an xlsx _x0000_) is refused
    # whatever the format: no CSV this package writes could carry it back.
    for column in text_columns:
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
    frame = _normalise_codes(frame, problems, [*_CODE_COLUMNS, *dimensions])
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
    code_checks = [_CodeCheck("indicator", "unknown-indicator", _indicator_judge(catalogue))]
    for dimension in dimensions:
        definition = catalogue.dimension(dimension)
        code_checks.append(
            _CodeCheck(dimension, "unknown-code", definition.code_error, skip=("_T",))
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
        _CodeCheck("measure", "unknown-code", _code_judge("measure")),
        _CodeCheck("status", "unknown-code", _code_judge("obs_status")),
        _CodeCheck("conf_status", "unknown-code", _code_judge("conf_status")),
    ]
    problems.add_codes(frame, code_checks)
    frame = _check_periods(frame, problems)
    frame = _check_values(frame, problems, catalogue)
    table = _without_variants_of_errors(problems.table())
    bad_rows = table.filter(pl.col("severity") == "error").get_column(_ROW).unique()
    findings = _row_findings(frame, table, dimensions)
    good = frame.filter(~pl.col(_ROW).is_in(bad_rows.implode()))
    good, duplicate_findings = resolve_duplicates(good, dimensions)
    schema = observation_schema(dimensions)
    observations = good.with_columns(pl.lit(False).alias("derived")).select(
        [pl.col(c).cast(t) for c, t in schema.items()]
    )
    duplicates = FindingTable.from_findings(duplicate_findings, dimensions)
    return observations, FindingTable.concat([findings, duplicates])


_CODE_COLUMNS = ("indicator", "reporter", "measure", "status", "conf_status")
# Characters that show as nothing: zero-width space, non-joiner and joiner, word joiner, BOM,
# soft hyphen.
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
_CASE_FOLDED = ("reporter", "destination", "referrer")


def _normalise_codes(
    frame: pl.DataFrame, problems: _Problems, columns: Sequence[str]
) -> pl.DataFrame:
    """Read every code in its normal form: NFC, without invisible characters, trimmed, so that
    ``GOV.POLICE `` and ``GOV.POLICE`` are one reporter for duplicates and mirror checks. A
    code written otherwise gets a ``code-variant`` warning naming its form and the code used.

    Case is not folded: codes are case-sensitive (SDMX), and a near miss of a codelist such as
    ``f`` is an unknown code with a hint. Organisation codes have no codelist to judge them, so
    one that differs only in case from another code of the same column (``gov.police`` beside
    ``GOV.POLICE``) gets a warning instead, saying the two are counted apart.
    Work is done per distinct text; rows are only matched against the texts that change.
    """
    present = [c for c in dict.fromkeys(columns) if c in frame.columns]
    distinct = frame.select([pl.col(c).drop_nulls().unique().implode() for c in present]).row(0)
    renamed: dict[str, tuple[list[str], list[str]]] = {}
    for column, values in zip(present, distinct, strict=True):
        written = pl.Series(column, values, dtype=pl.String)
        normal = written.str.normalize("NFC").str.replace_all(_INVISIBLE, "").str.strip_chars()
        changed = (written != normal) & (normal != "")
        if changed.any():
            renamed[column] = (written.filter(changed).to_list(), normal.filter(changed).to_list())
    for column, (before, after) in renamed.items():
        messages = [
            _variant_message(column, old, new) for old, new in zip(before, after, strict=True)
        ]
        problems.add(
            frame,
            pl.col(column).is_in(before),
            column,
            "code-variant",
            pl.col(column).replace_strict(before, messages, default=""),
            severity=Severity.WARNING,
        )
    if renamed:
        frame = frame.with_columns(
            pl.col(column).replace(before, after) for column, (before, after) in renamed.items()
        )
    for column in (c for c in present if c in _CASE_FOLDED):
        _case_variants(frame, problems, column)
    return frame


def _without_variants_of_errors(table: pl.DataFrame) -> pl.DataFrame:
    """The problems without the code-variant warnings of fields that have an error too: a code
    still wrong once normalised (``'Female '``) needs one finding, the error."""
    variants = pl.col("code") == "code-variant"
    if not table.select(variants.any()).item():
        return table
    wrong = table.filter(pl.col("severity") == "error").select(_ROW, "field").unique()
    flagged = table.join(
        wrong.with_columns(pl.lit(True).alias("_wrong")),
        on=[_ROW, "field"],
        how="left",
        maintain_order="left",
    )
    return flagged.filter(~(variants & pl.col("_wrong").fill_null(False))).drop("_wrong")


def _variant_message(column: str, written: str, normal: str) -> str:
    ways = []
    if written.strip() != written:
        ways.append("spaces around it")
    if re.search(_INVISIBLE, written):
        ways.append("invisible characters")
    if unicodedata.normalize("NFC", written) != written:
        ways.append("accents written as separate marks (not Unicode NFC)")
    return f"{column}: {written!r} has {' and '.join(ways)}; read as {normal!r}"


def _case_variants(frame: pl.DataFrame, problems: _Problems, column: str) -> None:
    """Warn at the rows of every spelling of a code but its most used one, when spellings
    differ only in case."""
    codes = frame.get_column(column).drop_nulls().unique()
    folded = codes.str.to_lowercase()
    if folded.n_unique() == codes.len():
        return
    clashing = codes.filter(folded.is_duplicated()).to_list()
    counts = (
        frame.filter(pl.col(column).is_in(clashing))
        .group_by(pl.col(column).alias("_code"))
        .len()
        .sort("len", "_code", descending=[True, False])
    )
    chosen: dict[str, str] = {}
    for code, _ in counts.iter_rows():
        chosen.setdefault(code.lower(), code)
    others = {code: chosen[code.lower()] for code in clashing if chosen[code.lower()] != code}
    if not others:
        return
    problems.add(
        frame,
        pl.col(column).is_in(list(others)),
        column,
        "code-variant",
        pl.col(column).replace_strict(
            list(others),
            [
                f"{column}: {code!r} differs from {other!r} only in case; codes are "
                "case-sensitive, so the two are counted apart"
                for code, other in others.items()
            ],
            default="",
        ),
        severity=Severity.WARNING,
    )


def _indicator_judge(catalogue: Catalogue) -> Callable[[str], CodeError | None]:
    def judge(value: str) -> CodeError | None:
        try:
            catalogue.indicator(value)
        except CodeError as error:
            return error
        return None

    return judge


def _check_periods(frame: pl.DataFrame, problems: _Problems) -> pl.DataFrame:
    # A file repeats a few dozen periods: each combination of period, base period and measure
    # is judged once. Only when one of them is wrong are the verdicts joined back to the rows.
    combinations = frame.select("period", "base_period", "measure").unique()
    period_ok = pl.col("period").str.contains(PERIOD_PATTERN).fill_null(False)
    is_change = pl.col("measure").is_in(["CHG", "PCH"])
    base = (
        pl.when(pl.col("base_period").is_null() & is_change & period_ok)
        .then(previous_year_expr("period"))
        .otherwise(pl.col("base_period"))
    )
    judged = combinations.with_columns(
        period_ok.alias("_period_ok"), is_change.alias("_change"), base.alias("_base")
    ).with_columns(
        pl.col("_base").str.contains(PERIOD_PATTERN).fill_null(False).alias("_base_ok"),
    )
    comparable = (
        pl.col("_base").is_not_null()
        & pl.col("_base_ok")
        & pl.col("_period_ok")
        & pl.col("_change")
    )
    has_base = pl.col("base_period").is_not_null()
    checks = [
        (
            ~pl.col("_period_ok") & (pl.col("period").str.strip_chars() != ""),
            "period",
            worded(
                "period: '{period}' is not a period (2010, 2010-S1, 2010-Q1, 2010-01)",
                period=pl.col("period"),
            ),
        ),
        (
            has_base & ~pl.col("_base_ok"),
            "base_period",
            worded(
                "base_period: '{base_period}' is not a period", base_period=pl.col("base_period")
            ),
        ),
        (
            has_base & ~pl.col("_change"),
            "base_period",
            worded(
                "base_period: only a change (CHG, PCH) has a base period, not {measure}",
                measure=pl.col("measure"),
            ),
        ),
        (
            comparable & (frequency_expr("_base") != frequency_expr("period")),
            "base_period",
            worded(
                "base_period: '{base_period}' is not of the same frequency as period '{period}'",
                base_period=pl.col("base_period"),
                period=pl.col("period"),
            ),
        ),
        (
            comparable & (period_sort_key("_base") >= period_sort_key("period")),
            "base_period",
            worded(
                "base_period: '{base_period}' is not before period '{period}'",
                base_period=pl.col("base_period"),
                period=pl.col("period"),
            ),
        ),
    ]
    # The checks read the base period as filled in (a change without one is against the year
    # before); each verdict is a column of its own.
    verdicts = judged.with_columns(pl.col("_base").alias("base_period")).select(
        [mask.alias(f"_check{n}") for n, (mask, _, _) in enumerate(checks)]
    )
    judged = pl.concat([judged, verdicts], how="horizontal")
    filled = pl.col("_base").ne_missing(pl.col("base_period"))
    if not judged.select(pl.any_horizontal(verdicts.columns).any()).item():
        # The usual case: the only work left is filling in base periods, which depend only on
        # the period (the year before), so they are looked up rather than joined.
        previous = judged.filter(filled).select("period", "_base").unique()
        if previous.height == 0:
            return frame
        lookup = pl.col("period").replace_strict(
            previous.get_column("period"), previous.get_column("_base"), default=None
        )
        return frame.with_columns(
            pl.when(pl.col("base_period").is_null() & is_change)
            .then(lookup)
            .otherwise(pl.col("base_period"))
            .alias("base_period")
        )
    frame = frame.join(
        judged.drop("_period_ok", "_change", "_base_ok"),
        on=["period", "base_period", "measure"],
        how="left",
        maintain_order="left",
        nulls_equal=True,
    ).with_columns(pl.col("_base").alias("base_period"))
    for number_, (_, field, message) in enumerate(checks):
        problems.add(frame, pl.col(f"_check{number_}"), field, "invalid-period", message)
    return frame.drop("_base", *verdicts.columns)


def _check_values(frame: pl.DataFrame, problems: _Problems, catalogue: Catalogue) -> pl.DataFrame:
    # Bulk files repeat a few thousand distinct values: read each once and join them back.
    readings = frame.select(pl.col("value").unique()).with_columns(value_columns("value"))
    # Only the value column is joined (a join copies every column it carries), row for row.
    read = frame.select("value").join(
        readings, on="value", how="left", maintain_order="left", nulls_equal=True
    )
    frame = frame.with_columns(read.drop("value"))
    value = pl.col("value").fill_null("")
    problems.add(
        frame,
        ~pl.col("readable"),
        "value",
        "unreadable-value",
        pl.when(pl.col("too_large"))
        .then(
            worded(
                "value: '{value}' is larger than {largest} (2^53), beyond which figures cannot "
                "be summed exactly",
                value=value,
                largest=pl.lit(f"{MAX_EXACT:,}"),
            )
        )
        .otherwise(
            worded("value: cannot read '{value}' as a number or a censored count (<5)", value=value)
        ),
    )
    missing = pl.col("readable") & pl.col("low").is_null()
    missing_statuses = [
        c.code for c in codelist("obs_status") if c.attributes.get("missing") == "yes"
    ]
    problems.add(
        frame,
        missing & ~pl.col("status").is_in(missing_statuses).fill_null(False),
        "value",
        "missing-value-status",
        worded(
            "value: empty, and no status says why (L not stated, M cannot exist, O missing, "
            "Q suppressed)"
        ),
    )
    # The converse: a figure stated under a status that says there is none. Which of the two is
    # wrong cannot be told, so the row is left out of every sum.
    meanings = {
        c.code: c.name.partition("; ")[2] or c.name.lower()
        for c in codelist("obs_status")
        if c.code in missing_statuses
    }
    problems.add(
        frame,
        pl.col("readable") & pl.col("low").is_not_null() & pl.col("status").is_in(missing_statuses),
        "value",
        "missing-value-status",
        worded(
            "value: '{value}' is given, but status {status} says there is no figure "
            "({meaning}); give the figure or the status, not both",
            value=value,
            status=pl.col("status"),
            meaning=pl.col("status").replace_strict(meanings, default=""),
        ),
    )
    frame = frame.with_columns(
        pl.col("indicator")
        .replace_strict(list(catalogue.indicators), [i.unit for i in catalogue], default=None)
        .alias("_unit")
    )
    counts = pl.col("measure").is_in(["N", "CHG"]) & (pl.col("_unit") != "per_100k").fill_null(True)
    fractional = pl.col("low").is_not_null() & (pl.col("low") != pl.col("low").round(0))
    problems.add(
        frame,
        counts & fractional,
        "value",
        "invalid-count",
        worded("value: a count cannot be fractional ('{value}')", value=value),
    )
    problems.add(
        frame,
        (pl.col("measure") == "N") & (pl.col("low") < 0),
        "value",
        "invalid-count",
        worded("value: a count or rate cannot be negative ('{value}')", value=value),
    )
    problems.add(
        frame,
        (pl.col("measure") == "PCT") & (pl.col("low") < 0),
        "value",
        "invalid-count",
        worded("value: a percentage share cannot be negative ('{value}')", value=value),
    )
    problems.add(
        frame,
        pl.col("censored") & (pl.col("measure") != "N"),
        "value",
        "censoring-not-allowed",
        worded(
            "value: '{value}' is censored, but a {measure} figure must be exact",
            value=value,
            measure=pl.col("measure"),
        ),
    )
    expected = (
        pl.when(pl.col("measure").is_in(["PCH", "PCT"]))
        .then(pl.lit("percent"))
        .otherwise(pl.col("_unit"))
    )
    stated = pl.col("unit").str.strip_chars().str.to_lowercase().replace(_UNIT_ALIASES)
    problems.add(
        frame,
        pl.col("unit").is_not_null() & pl.col("_unit").is_not_null() & (stated != expected),
        "unit",
        "unit-mismatch",
        worded(
            "unit: '{unit}' given, but {indicator} {measure} figures are in '{expected}'",
            unit=pl.col("unit"),
            indicator=pl.col("indicator"),
            measure=pl.col("measure"),
            expected=expected,
        ),
    )
    return frame


def _row_findings(
    frame: pl.DataFrame, table: pl.DataFrame, dimensions: Sequence[str]
) -> FindingTable:
    """The problems of ``table`` as findings located at their row of ``frame`` (whose ``_row``
    is its position) and citing it."""
    row = pl.col(_ROW).cast(pl.Int64)
    rows = table.select(
        "code",
        "severity",
        "message",
        "field",
        row.alias("located_at"),
        pl.concat_list(row).alias("cited"),
    )
    return FindingTable.recorded(rows, frame, dimensions, 0)
