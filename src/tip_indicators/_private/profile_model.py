"""The pydantic models of a profile document: its published JSON Schema, for editors.

The loader (``profiles.load_profile``) reads profiles with their lines and columns and checks
what a schema cannot (codes against the catalogue, expressions by the rule parser); this schema
says the same shape, so an editor can complete and check a profile as it is written. A test holds
the two to the same verdict on the shipped and documented profiles.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_CODE = r"^[a-z][a-z0-9_]*$"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_ORGANISATION = r"^[A-Z][A-Z0-9_]*\.[A-Z0-9][A-Z0-9_\-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToleranceModel(_Model):
    absolute: float = Field(0.0, ge=0, allow_inf_nan=False)
    relative: float = Field(0.0, ge=0, allow_inf_nan=False)


class RuleModel(_Model):
    name: str = Field(pattern=_NAME)
    expression: str = Field(
        min_length=1, description="A comparison in the expression language of the profiles guide."
    )
    severity: Literal["error", "warning", "info"] = "error"
    tolerance: ToleranceModel | None = None
    description: str = ""


class IndicatorModel(_Model):
    name: str
    definition: str = ""
    unit: str = Field(description="A unit of the catalogue: person, case, establishment...")
    additive: bool = True
    dimensions: dict[str, Literal["partition", "breakdown"]] = {}
    bounded_by: dict[str, Literal["error", "warning", "info"]] = {}


class DimensionModel(_Model):
    name: str
    description: str = ""
    codes: dict[str, str] | None = None
    pattern: str | None = None
    complete: list[str] = []


class ProfileModel(_Model):
    """A tip-indicators profile: a coalition's standard on top of the built-in catalogue."""

    profile: str = Field(pattern=_NAME, description="The profile's name.")
    version: str = Field(description="Its version, quoted so that YAML keeps it as text.")
    description: str = ""
    include: list[str] = Field([], description="Profiles this one builds on, relative paths.")
    indicators: dict[str, IndicatorModel] = Field(
        {}, description="Indicators added to the catalogue, by lower_snake_case code."
    )
    dimensions: dict[str, DimensionModel] = {}
    organisations: dict[str, str] = Field(
        {}, description="The organisation registry: TYPE.ID code to name."
    )
    restrict_organisations: bool = False
    reporters: list[str] = []
    closed: list[str] = []
    required: dict[str, list[str]] = {}
    rules: list[RuleModel] = []
    select: list[str] = []
    ignore: list[str] = []
