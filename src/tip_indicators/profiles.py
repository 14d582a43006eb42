"""Profiles: a published standard made of an indicator catalogue, codelists and rule settings.

The built-in profile is the default for every command. A coalition's profile extends it with its
own indicators, organisations and rules, and can declare breakdowns closed (every category
given, so parts that fall short of their total are an error, not a warning).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import attrs

from tip_indicators.indicators import Catalogue, builtin_catalogue

__all__ = ["Profile", "builtin_profile"]


@attrs.frozen
class Profile:
    """A named, versioned standard: catalogue, organisation registry and rule settings.

    ``closed`` lists dimensions whose breakdowns are complete in every dataset checked with this
    profile; ``organisations`` maps organisation codes (``NGO.AFESIP``) to names.
    """

    name: str
    version: str
    catalogue: Catalogue = attrs.field(eq=False)
    closed: frozenset[str] = frozenset()
    organisations: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    restrict_organisations: bool = False
    description: str = ""

    @property
    def label(self) -> str:
        """``name@version``, as reports record it."""
        return f"{self.name}@{self.version}"


@functools.cache
def builtin_profile() -> Profile:
    """The profile shipped with tip-indicators: the built-in catalogue, all breakdowns open."""
    return Profile(
        "builtin",
        "1",
        builtin_catalogue(),
        description="The tip-indicators catalogue and codelists; every breakdown open.",
    )
