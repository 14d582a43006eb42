"""The pydantic model of a dataset document: validation at the boundary and its JSON Schema.

Kept apart so that reading a long CSV never imports pydantic.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DatasetDocument(BaseModel):
    """The published shape of a dataset document (``tip-indicators schema dataset``)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    publisher: str | None = None
    source: str | None = Field(None, description="The document the figures come from.")
    licence: str | None = None
    description: str | None = None
    organisations: dict[str, str] = Field(
        default_factory=dict, description="Organisation code (NGO.AFESIP) to display name."
    )
    files: list[str] = Field(default_factory=list, description="Long-CSV files, relative paths.")
    observations: list[dict[str, str | int | float | None]] = Field(
        default_factory=list, description="Figures with the long-CSV field names."
    )
