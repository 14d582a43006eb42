"""Rules: what the checks verify, each with its tolerance, grouping and missing-data policy.

Rules are frozen values built by one small factory per family (:func:`partition`,
:func:`bound`, :func:`indicator_bound`, :func:`change`, :func:`percent_change`, :func:`share`,
:func:`rate`, :func:`mirror`); :func:`default_rules` assembles the set a profile implies. A rule
never holds data or results: :func:`tip_indicators.check` applies rules to a dataset.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from tip_indicators.errors import ArgumentError, DefinitionError
from tip_indicators.expressions import Selection, Total, parse_expression
from tip_indicators.findings import Severity
from tip_indicators.profiles import Profile

__all__ = [
    "Family",
    "Rule",
    "Tolerance",
    "bound",
    "change",
    "check_rules",
    "default_rules",
    "indicator_bound",
    "mirror",
    "partition",
    "percent_change",
    "rate",
    "share",
]


class Family(enum.Enum):
    """The check families of DESIGN section 3."""

    PARTITION = "partition"
    BOUND = "bound"
    CHANGE = "change"
    PERCENT_CHANGE = "percent-change"
    SHARE = "share"
    RATE = "rate"
    MIRROR = "mirror"


_ALONG_A_DIMENSION = frozenset({Family.PARTITION, Family.BOUND, Family.SHARE})


@attrs.frozen
class Tolerance:
    """How far apart two sides may be and still agree: ``absolute + relative x |reference|``."""

    absolute: float = 0.0
    relative: float = 0.0

    def __attrs_post_init__(self) -> None:
        for argument, value in (("absolute", self.absolute), ("relative", self.relative)):
            if value < 0:
                raise ArgumentError(argument, value, "a tolerance is not negative")

    def allowed(self, reference: float) -> float:
        """The largest difference accepted against ``reference``."""
        return self.absolute + self.relative * abs(reference)


@attrs.frozen
class Rule:
    """One check: its name, family, description, tolerance, grouping and missing-data policy.

    ``dimension`` is the breakdown a partition, bound or share rule sums along; every other key
    column groups. ``closed`` says a breakdown lists every category, so a shortfall is an error;
    open breakdowns (the default) may hold a remainder in categories not given.
    """

    name: str
    family: Family
    description: str
    tolerance: Tolerance = Tolerance()
    dimension: str | None = None
    indicator: str | None = None
    other: str | None = None
    closed: bool = False
    severity: Severity = Severity.ERROR
    missing: str = "not evaluated when a figure it needs is missing"

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ArgumentError("name", self.name, "a rule needs a name")
        if not isinstance(self.family, Family):
            families = ", ".join(family.value for family in Family)
            raise ArgumentError(
                "family",
                self.family,
                f"must be a Family ({families}); rules of your own "
                "are profile rules (ProfileRule) written in the expression language",
            )
        if not isinstance(self.severity, Severity):
            raise ArgumentError("severity", self.severity, "must be a Severity")
        if not isinstance(self.tolerance, Tolerance):
            raise ArgumentError("tolerance", self.tolerance, "must be a Tolerance")
        if self.family in _ALONG_A_DIMENSION and self.indicator is None and not self.dimension:
            raise ArgumentError(
                "dimension",
                self.dimension,
                f"a {self.family.value} rule sums along a dimension: name it",
            )

    @property
    def grouping(self) -> str:
        """The columns that form one group of this rule, in words."""
        if self.dimension:
            return f"every key column but {self.dimension}"
        if self.family in {Family.CHANGE, Family.PERCENT_CHANGE}:
            return "indicator, reporter and dimensions; period against base period"
        return "indicator, period, reporter and dimensions"


def partition(dimension: str, *, tolerance: Tolerance = Tolerance(), closed: bool = False) -> Rule:
    """Parts along ``dimension`` add up to their total (open: to at most their total)."""
    policy = (
        "closed: parts must add up exactly"
        if closed
        else "open: missing categories may hold the remainder"
    )
    return Rule(
        f"partition.{dimension}",
        Family.PARTITION,
        f"The {dimension} breakdown adds up to its total; a figure with status L is the remainder.",
        tolerance,
        dimension,
        closed=closed,
        missing=f"{policy}; a part with status L is derived; censored parts are intervals",
    )


def bound(dimension: str, *, tolerance: Tolerance = Tolerance()) -> Rule:
    """Each part along a non-partitioning ``dimension`` is at most its total."""
    return Rule(
        f"bound.{dimension}",
        Family.BOUND,
        f"No {dimension} category exceeds its total (categories may overlap).",
        tolerance,
        dimension,
    )


def indicator_bound(indicator: str, limit: str, severity: Severity = Severity.ERROR) -> Rule:
    """``indicator`` never exceeds ``limit`` for the same period, reporter and dimensions."""
    return Rule(
        f"bound.{indicator}<={limit}",
        Family.BOUND,
        f"{indicator} is at most {limit}.",
        indicator=indicator,
        other=limit,
        severity=severity,
    )


def change(*, tolerance: Tolerance = Tolerance()) -> Rule:
    """A stated change (``CHG``) equals the level in the period minus the level in the base."""
    return Rule("change", Family.CHANGE, "CHG = level(period) - level(base period).", tolerance)


def percent_change() -> Rule:
    """A stated percentage change (``PCH``) agrees with the change and base to its stated digits."""
    return Rule(
        "percent-change",
        Family.PERCENT_CHANGE,
        "PCH = 100 x change / level(base), rounded or truncated to the digits stated.",
        missing="uses the levels, or the stated change with one level; else not evaluated",
    )


def share(dimension: str) -> Rule:
    """Percentage shares (``PCT``) of one breakdown add up to 100 within their rounding."""
    return Rule(
        f"share.{dimension}",
        Family.SHARE,
        f"PCT figures of the {dimension} breakdown add up to 100 within the rounding of each.",
        dimension=dimension,
    )


def rate() -> Rule:
    """Sex-specific rates bracket the total rate, or add up to it on a total-population base."""
    return Rule(
        "rate.sex",
        Family.RATE,
        "min(F, M) <= total <= max(F, M) on sex-specific denominators; F + M = total on the total "
        "population.",
        dimension="sex",
    )


def mirror(*, tolerance: Tolerance = Tolerance()) -> Rule:
    """What A reports sending to B equals what B reports receiving from A."""
    return Rule(
        "mirror",
        Family.MIRROR,
        "A's figure with destination B equals B's figure with referrer A (same indicator, period "
        "and other dimensions).",
        tolerance,
        missing="evaluated only when both organisations are in the inputs",
    )


def check_rules(rules: Iterable[Rule], profile: Profile) -> None:
    """Refuse rules the profile's catalogue cannot apply, before a check runs: a dimension or
    indicator it does not have raises :class:`~tip_indicators.errors.ArgumentError`, and a
    profile rule naming one raises :class:`~tip_indicators.errors.DefinitionError` at its line.
    A rule that could never match anything would otherwise pass silently."""
    catalogue = profile.catalogue
    for rule in rules:
        if rule.dimension is not None and rule.dimension not in catalogue.dimensions:
            raise ArgumentError(f"rules[{rule.name}]", rule.dimension, "no such dimension")
        for indicator in (rule.indicator, rule.other):
            if indicator is not None and indicator not in catalogue:
                raise ArgumentError(f"rules[{rule.name}]", indicator, "no such indicator")
    for profile_rule in profile.rules:
        parsed = parse_expression(
            profile_rule.expression, source=profile_rule.source or "<rule>", line=profile_rule.line
        )
        for selection in _selections(parsed.left) + _selections(parsed.right):
            where = profile_rule.source or "<profile>"
            if selection.indicator not in catalogue:
                raise DefinitionError(
                    where,
                    f"rule {profile_rule.name!r} names indicator {selection.indicator!r}, "
                    "which the catalogue does not have",
                    line=profile_rule.line,
                )
            for dimension, _ in selection.filters:
                if dimension not in catalogue.dimensions:
                    raise DefinitionError(
                        where,
                        f"rule {profile_rule.name!r} filters on {dimension!r}, which is not a "
                        "dimension",
                        line=profile_rule.line,
                    )


def _selections(total: Total) -> list[Selection]:
    """Every figure selection in ``total``, nested sums included."""
    found: list[Selection] = []
    for term in total.terms:
        if isinstance(term, Selection):
            found.append(term)
        elif isinstance(term, Total):
            found += _selections(term)
    return found


def default_rules(profile: Profile) -> tuple[Rule, ...]:
    """Every rule the profile's catalogue implies, in a fixed order."""
    catalogue = profile.catalogue
    found: list[Rule] = []
    for dimension in catalogue.dimensions:
        roles = {
            indicator.dimensions[dimension]
            for indicator in catalogue
            if dimension in indicator.dimensions
        }
        if True in roles:
            found.append(partition(dimension, closed=dimension in profile.closed))
        if False in roles:
            found.append(bound(dimension))
    for indicator in catalogue:
        for limit, severity in indicator.bounded_by.items():
            found.append(indicator_bound(indicator.code, limit, Severity(severity)))
    found += [change(), percent_change()]
    found += [share(dimension) for dimension in catalogue.dimensions]
    found += [rate(), mirror()]
    return tuple(found)
