"""Tests for tip_indicators.errors: one exception root, each error also a builtin."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import polars as pl
import pytest

import tip_indicators
from tip_indicators import errors, units
from tip_indicators.ages import UNKNOWN, AgeBand, age_alias, age_band, partition_problems
from tip_indicators.cases import aggregate, case_frame, check_records
from tip_indicators.datasets import Dataset
from tip_indicators.errors import ArgumentError, TipIndicatorsError
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.rules import Tolerance
from tip_indicators.suppression import audit_disclosure, random_rounding, suppress

CLASSES = [
    value
    for _, value in inspect.getmembers(errors, inspect.isclass)
    if issubclass(value, BaseException) and value.__module__ == errors.__name__
]

FIGURES = "indicator,period,reporter,value\nvictims_identified,2020,X,3\n"


def test_every_error_derives_from_the_root_and_a_builtin() -> None:
    """Every exception class of the module derives from TipIndicatorsError and from a builtin
    exception more specific than Exception."""
    assert TipIndicatorsError in CLASSES
    for error in CLASSES:
        assert issubclass(error, TipIndicatorsError), error
        if error is not TipIndicatorsError:
            builtins = [
                base
                for base in error.__mro__
                if base.__module__ == "builtins" and base not in (Exception, BaseException, object)
            ]
            assert builtins, error


def test_every_error_is_listed_and_exported() -> None:
    """Every exception class is in the module's __all__ and in the package's."""
    names = {error.__name__ for error in CLASSES}
    assert names <= set(errors.__all__)
    assert names <= set(tip_indicators.__all__)


def test_unit_error_is_still_importable_from_units() -> None:
    """UnitError is the same class under tip_indicators.units, where it used to be defined."""
    assert units.UnitError is errors.UnitError is tip_indicators.UnitError


def test_an_argument_error_carries_its_argument_and_quotes_the_value() -> None:
    """An ArgumentError keeps the argument's name, the value and the reason, and its message
    quotes the value."""
    error = ArgumentError("threshold", 0, "must be a whole number of at least 1")
    assert (error.argument, error.value, error.reason) == (
        "threshold",
        0,
        "must be a whole number of at least 1",
    )
    assert str(error) == "threshold=0: must be a whole number of at least 1"


def _figures() -> Dataset:
    return parse_long_csv(FIGURES)


BAD_CALLS: dict[str, tuple[Callable[[], object], str, object]] = {
    "combine nothing": (lambda: Dataset.combine([]), "datasets", []),
    "negative tolerance": (lambda: Tolerance(absolute=-1.0), "absolute", -1.0),
    "case column of the wrong type": (
        lambda: check_records(pl.DataFrame({"age": ["twelve"]})),
        "records['age']",
        pl.String(),
    ),
    "aggregate cases, not persons": (
        lambda: aggregate(case_frame([]), indicator="cases_investigated"),
        "indicator",
        "cases_investigated",
    ),
    "unknown case column": (
        lambda: case_frame([{"gender": "F"}]),
        "rows[0]",
        {"gender": "F"},
    ),
    "suppression threshold": (lambda: suppress(_figures(), threshold=0), "threshold", 0),
    "suppression width": (lambda: suppress(_figures(), width=0), "width", 0),
    "suppression objective": (
        lambda: suppress(_figures(), objective="size"),  # type: ignore[arg-type]
        "objective",
        "size",
    ),
    "suppression style": (
        lambda: suppress(_figures(), style="stars"),  # type: ignore[arg-type]
        "style",
        "stars",
    ),
    "audit width": (lambda: audit_disclosure(_figures(), width=0), "width", 0),
    "rounding base": (lambda: random_rounding(_figures(), base=1), "base", 1),
    "band code and bounds": (lambda: AgeBand("Y15T17", 15, 18), "code", "Y15T17"),
    "band reversed": (lambda: age_band(5, 4), "high", 4),
    "band negative": (lambda: age_band(-1, 4), "low", -1),
    "partition of unknown": (lambda: partition_problems([UNKNOWN], UNKNOWN), "within", "_U"),
    "age vocabulary": (lambda: age_alias("0-5", "ilo"), "vocabulary", "ilo"),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_a_bad_argument_is_an_argument_error_and_a_value_error(case: str) -> None:
    """A public function given a bad argument raises an ArgumentError, which callers may also
    catch as ValueError, naming the argument and quoting its value."""
    call, argument, value = BAD_CALLS[case]
    with pytest.raises(ValueError, match=f"^{re.escape(f'{argument}={value!r}: ')}") as caught:
        call()
    error = caught.value
    assert isinstance(error, ArgumentError)
    assert isinstance(error, TipIndicatorsError)
    assert (error.argument, error.value) == (argument, value)
