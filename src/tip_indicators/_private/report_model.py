"""The pydantic models of the JSON report: its wire shape and its published JSON Schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_serialization_defaults_required=True
    )


class ToolModel(_Model):
    name: str = Field(description="Always 'tip-indicators'.")
    version: str


class InputModel(_Model):
    path: str
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    observations: int = Field(ge=0, description="Rows read as usable observations.")


class SummaryModel(_Model):
    # ``omitted`` is written only when a check was given rules of its own.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "required": [
                "observations",
                "rules_evaluated",
                "errors",
                "warnings",
                "infos",
                "not_evaluated",
            ]
        },
    )

    observations: int = Field(ge=0)
    rules_evaluated: int = Field(ge=0)
    errors: int = Field(ge=0)
    warnings: int = Field(ge=0)
    infos: int = Field(ge=0)
    not_evaluated: int = Field(ge=0)
    omitted: list[str] | None = Field(
        None,
        description="The built-in checks a check given rules of its own left out, by name.",
    )


class LocationModel(_Model):
    # ``row`` is written only for a checked data frame: every other member is always there.
    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"required": ["path", "line", "field"]}
    )

    path: str
    line: int | None = Field(None, ge=1, description="1-based physical line of the CSV row.")
    field: str | None = Field(None, description="The column, when the problem is in one field.")
    row: int | None = Field(
        None, ge=0, description="For a checked data frame: the 0-based row (line is null)."
    )


class ObservationModel(_Model):
    indicator: str
    period: str
    reporter: str
    dimensions: dict[str, str] = Field(description="Dimensions other than _T (total).")
    measure: str
    value: str = Field(description="The value as written; empty when missing.")
    source: str | None
    location: LocationModel
    derived: bool = False


class SuggestionModel(_Model):
    location: LocationModel
    value: str = Field(description="The value that would make the failed rules hold.")
    reason: str
    kind: Literal[
        "transposition",
        "digit-added",
        "digit-dropped",
        "digit-wrong",
        "copied",
        "boundary",
        "derived",
        "wrong-base",
        "decimal-point",
    ] = Field(description="The kind of mistake the value undoes (see the findings reference).")


class FindingModel(_Model):
    code: str
    severity: str = Field(pattern="^(error|warning|info)$")
    message: str
    rule: str | None = None
    location: LocationModel | None = None
    expected: float | str | None = None
    actual: float | str | None = None
    imbalance: float | None = None
    tolerance: float | None = None
    observations: list[ObservationModel]
    suggestions: list[SuggestionModel]


class ReportModel(_Model):
    """A tip-indicators validation report."""

    tool: ToolModel
    profile: str
    created: str
    inputs: list[InputModel]
    summary: SummaryModel
    findings: list[FindingModel]
