"""The problems validation finds in rows, collected as small frames before they become findings.

Each check states a mask over a frame of text cells; only checks that hit a row are filtered, and
codes are judged once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import polars as pl

from tip_indicators.codelists import codelist
from tip_indicators.errors import CodeError
from tip_indicators.findings import Severity
from tip_indicators.findings.wording import worded_text

ROW = "_row"


class CodeCheck(NamedTuple):
    """Values of ``field`` must pass ``judge``; a failure is reported with ``code``."""

    field: str
    code: str
    judge: Callable[[str], CodeError | None]
    skip: Sequence[str] = ("",)


class Problems:
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
                    pl.col(ROW),
                    pl.lit(field).alias("field"),
                    pl.lit(code).alias("code"),
                    pl.lit(severity.value).alias("severity"),
                    message.cast(pl.String).alias("message"),
                )
            )

    def add_codes(self, frame: pl.DataFrame, checks: Sequence[CodeCheck]) -> None:
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
            joined = frame.select(ROW, field).join(lookup, on=field, how="inner")
            self.add(joined, pl.lit(True), field, check.code, pl.col("_message"))

    def table(self) -> pl.DataFrame:
        self._settle()
        if not self.frames:
            return pl.DataFrame(
                schema={
                    ROW: pl.UInt32,
                    "field": pl.String,
                    "code": pl.String,
                    "severity": pl.String,
                    "message": pl.String,
                }
            )
        return pl.concat(self.frames).sort(ROW, "field", "code")


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


def code_judge(identifier: str) -> Callable[[str], CodeError | None]:
    codes = codelist(identifier)

    def judge(value: str) -> CodeError | None:
        return None if value in codes else CodeError(identifier, value, codes.suggest(value))

    return judge
