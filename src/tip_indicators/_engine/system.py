"""The local system of a localisation: its linear constraints and the figures they hold.

Each failed component of a check is a small system ``sum(coef x figure) + constant (= or >=)
0`` within a tolerance; exact figures may change at a cost of one, censored and missing figures
move freely within their interval.
"""

from __future__ import annotations

import math

import attrs

__all__ = ["Constraint", "Figure"]


@attrs.frozen
class Constraint:
    """One linear rule of the system: the figures it holds, their coefficients, the constant,
    whether it is an equality, its tolerance, whether it failed, and its finding's number."""

    ids: tuple[int, ...]
    coefs: tuple[float, ...]
    constant: float
    equality: bool
    tol: float
    failed: bool
    finding: int | None


@attrs.frozen
class Figure:
    """One figure of the system: its id, bounds (equal when exact), whether it is a whole
    number and cannot be negative, and its value as written."""

    id: int
    low: float | None
    high: float | None
    integer: bool
    nonnegative: bool
    text: str | None
    """The value as the frame gives it (stated or derived)."""
    line: int | None = None
    """The line it stands on (a value copied by mistake comes from the next line)."""

    @property
    def exact(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def lower(self) -> float:
        if self.low is not None and not self.exact:
            return self.low
        return 0.0 if self.nonnegative else -math.inf

    @property
    def upper(self) -> float:
        if self.high is not None and not self.exact:
            return self.high
        return math.inf
