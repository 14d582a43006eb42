"""The pydantic models of a profile document: the boundary every profile crosses, and its schema.

The loader (``profiles.load_profile``) reads YAML into values of their YAML types (``true`` a
boolean, ``"true"`` text, ``2.1`` a number) and validates them here in strict mode, so a value
of the wrong type is refused, never coerced; it then checks what a schema cannot (codes against
the catalogue, expressions by the rule parser, includes). The same models publish the JSON Schema
editors use (``tip-indicators schema profile``), so the editor and the loader agree.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

CODE = r"^[a-z][a-z0-9_]*$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

_Severity = Literal["error", "warning", "info"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ToleranceModel(_Model):
    absolute: float = Field(0.0, ge=0, allow_inf_nan=False)
    relative: float = Field(0.0, ge=0, allow_inf_nan=False)


class RuleModel(_Model):
    name: str = Field(pattern=NAME)
    expression: str = Field(
        min_length=1, description="A comparison in the expression language of the profiles guide."
    )
    severity: _Severity = "error"
    tolerance: ToleranceModel | None = None
    description: str = ""


class IndicatorModel(_Model):
    name: str
    definition: str = ""
    unit: str = Field(description="A unit of the catalogue: person, case, establishment...")
    additive: bool = Field(True, description="Whether figures of different reporters add up.")
    dimensions: dict[str, Literal["partition", "breakdown"]] = {}
    bounded_by: dict[str, _Severity] = {}


class DimensionModel(_Model):
    name: str
    description: str = ""
    codes: dict[str, str] | list[str] | None = Field(
        None, description="Its codes: a list, or a mapping of code to label."
    )
    pattern: str | None = Field(None, description="A regular expression codes must match.")
    complete: list[str] | None = Field(
        None, description="Codes that together give every category (all codes when absent)."
    )

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"not a regular expression: {error}") from None
        return pattern

    @model_validator(mode="after")
    def _coded(self) -> DimensionModel:
        if (self.codes is None) == (self.pattern is None):
            raise ValueError("give its codes or a pattern, one of the two")
        return self


class ProfileModel(_Model):
    """A tip-indicators profile: a coalition's standard on top of the built-in catalogue."""

    profile: str = Field(pattern=NAME, description="The profile's name.")
    version: str = Field(description="Its version, quoted so that YAML keeps it as text.")
    description: str = ""
    include: list[str] = Field([], description="Profiles this one builds on, relative paths.")
    indicators: dict[Annotated[str, StringConstraints(pattern=CODE)], IndicatorModel] = Field(
        {},
        description="Indicators added to the catalogue, by lower_snake_case code.",
        json_schema_extra={"additionalProperties": False},
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


def model_at(loc: tuple[str | int, ...]) -> type[_Model] | None:
    """The model of the mapping at ``loc`` in a profile document (None when it is no model's),
    so an unknown key can be matched against the keys that model has."""
    shapes: dict[tuple[str, ...], type[_Model]] = {
        (): ProfileModel,
        ("rules", "#"): RuleModel,
        ("rules", "#", "tolerance"): ToleranceModel,
        ("indicators", "*"): IndicatorModel,
        ("dimensions", "*"): DimensionModel,
    }
    shape = tuple(
        "#" if isinstance(step, int) else "*" if index == 1 and loc[0] != "rules" else step
        for index, step in enumerate(loc)
    )
    return shapes.get(shape)
