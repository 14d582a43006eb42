"""Codes read in their normal form, and ``code-variant`` warnings for codes written otherwise."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators._private.row_problems import ROW, Problems
from tip_indicators.findings import Severity

# Characters that show as nothing: zero-width space, non-joiner and joiner, word joiner, BOM,
# soft hyphen.
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"
_CASE_FOLDED = ("reporter", "destination", "referrer")


def normalise_codes(
    frame: pl.DataFrame, problems: Problems, columns: Sequence[str]
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
    if not present:
        return frame
    texts = _normal_forms(frame, present)
    renamed: dict[str, tuple[list[str], list[str]]] = {}
    for column, before, after in (
        texts.filter("changed")
        .group_by("column", maintain_order=True)
        .agg("written", "normal")
        .iter_rows()
    ):
        renamed[column] = (before, after)
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
    clashing = _case_clashes(texts)
    for column in (c for c in present if c in clashing):
        _case_variants(frame, problems, column)
    return frame


def _normal_forms(frame: pl.DataFrame, present: Sequence[str]) -> pl.DataFrame:
    """Every distinct text of the ``present`` columns, in one frame: its ``column``, the text
    as ``written``, its ``normal`` form and whether that ``changed`` it."""
    written = pl.col("written")
    normal = written.str.normalize("NFC").str.replace_all(_INVISIBLE, "").str.strip_chars()
    return (
        pl.concat(
            [
                frame.lazy().select(
                    pl.lit(column).alias("column"),
                    pl.col(column).drop_nulls().unique().alias("written"),
                )
                for column in present
            ]
        )
        .with_columns(normal.alias("normal"))
        .with_columns(((written != pl.col("normal")) & (pl.col("normal") != "")).alias("changed"))
        .pipe(collect)
    )


def _case_clashes(texts: pl.DataFrame) -> list[str]:
    """The organisation columns among ``texts`` (see :func:`_normal_forms`) where two codes, as
    read, differ only in case: only those are looked at again."""
    code = pl.when("changed").then("normal").otherwise("written")
    return (
        texts.lazy()
        .filter(pl.col("column").is_in(_CASE_FOLDED))
        .select("column", code.alias("code"))
        .unique()
        .filter(pl.col("code").str.to_lowercase().is_duplicated().over("column"))
        .select(pl.col("column").unique())
        .pipe(collect)
        .get_column("column")
        .to_list()
    )


def without_variants_of_errors(table: pl.DataFrame) -> pl.DataFrame:
    """The problems without the code-variant warnings of fields that have an error too: a code
    still wrong once normalised (``'Female '``) needs one finding, the error."""
    variants = pl.col("code") == "code-variant"
    if not table.select(variants.any()).item():
        return table
    wrong = table.filter(pl.col("severity") == "error").select(ROW, "field").unique()
    flagged = table.join(
        wrong.with_columns(pl.lit(True).alias("_wrong")),
        on=[ROW, "field"],
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


def _case_variants(frame: pl.DataFrame, problems: Problems, column: str) -> None:
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
