"""Units: a small pint registry of our own (persons, cases, establishments, rates, percent).

Built from the shipped ``units.txt`` on first use only, so commands that do not compute with
units never pay for importing pint. Count units are separate dimensions: adding persons to cases,
or a rate to a count, raises :class:`~tip_indicators.errors.UnitError`.
"""

from __future__ import annotations

import functools
from typing import Any

from tip_indicators._private.resources import read_text
from tip_indicators.errors import UnitError

# UnitError is defined with the other errors; it stays importable from here, where it was.
__all__ = ["UnitError", "quantity", "unit_registry"]


@functools.cache
def unit_registry() -> Any:
    """The pint registry with tip-indicators' units only (no default definitions)."""
    import pint

    registry: Any = pint.UnitRegistry(None, cache_folder=None)
    for line in read_text("units.txt").splitlines():
        definition = line.split("#", 1)[0].strip()
        if definition:
            registry.define(definition)
    return registry


def quantity(value: float, unit: str) -> Any:
    """A pint quantity of ``value`` in one of our units."""
    return unit_registry().Quantity(value, unit)


def add(left: Any, right: Any) -> Any:
    """``left + right``, raising UnitError instead of pint's error when the units differ."""
    import pint

    try:
        return left + right
    except pint.DimensionalityError:
        raise UnitError("add", str(left.units), str(right.units)) from None
