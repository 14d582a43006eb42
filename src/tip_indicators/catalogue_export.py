"""The catalogue and codelists as a document (``tip-indicators catalogue``) and as text."""

from __future__ import annotations

from typing import Any

from tip_indicators.codelists import codelist, codelist_names
from tip_indicators.indicators import Catalogue, builtin_catalogue

__all__ = ["catalogue_document", "catalogue_text"]


def catalogue_document(catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Indicators (unit, dimensions, partition flags), dimensions and codelists as plain data."""
    catalogue = catalogue or builtin_catalogue()
    return {
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "definition": i.definition,
                "unit": i.unit,
                "additive": i.additive,
                "dimensions": [{"dimension": d, "partitions": p} for d, p in i.dimensions.items()],
                "bounded_by": dict(i.bounded_by),
            }
            for i in catalogue
        ],
        "dimensions": [
            {
                "id": d.id,
                "name": d.name,
                "kind": d.kind.value,
                "description": d.description,
                "codes": list(d.codes),
                "pattern": d.pattern,
            }
            for d in catalogue.dimensions.values()
        ],
        "codelists": [
            {
                "id": name,
                "name": codelist(name).name,
                "codes": [{"code": c.code, "name": c.name} for c in codelist(name)],
            }
            for name in codelist_names()
        ],
    }


def catalogue_text(catalogue: Catalogue | None = None) -> str:
    """A readable listing of the indicators with units and breakdowns."""
    catalogue = catalogue or builtin_catalogue()
    lines = []
    for indicator in catalogue:
        dims = ", ".join(
            f"{d}{'' if p else ' (overlapping)'}" for d, p in indicator.dimensions.items()
        )
        lines.append(f"{indicator.code} [{indicator.unit}]  {indicator.name}")
        lines.append(f"    by: {dims or '-'}")
    return "\n".join(lines) + "\n"
