"""Reading the reference data files shipped in the package."""

from __future__ import annotations

from importlib import resources

from tip_indicators.errors import DefinitionError


def read_text(name: str) -> str:
    """Return the text of the shipped data file ``name`` (under ``tip_indicators/data``)."""
    return (resources.files("tip_indicators") / "data" / name).read_text(encoding="utf-8")


def read_bytes(name: str) -> bytes:
    """Return the bytes of the shipped data file ``name``."""
    return (resources.files("tip_indicators") / "data" / name).read_bytes()


def read_table(name: str) -> list[dict[str, str]]:
    """Read a shipped tab-separated table: ``#`` lines are comments, the first row is the header."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for number, raw in enumerate(read_text(name).splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if header is None:
            header = cells
            continue
        if len(cells) > len(header):
            raise DefinitionError(
                name, f"{len(cells)} cells for {len(header)} columns", line=number
            )
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells, strict=True)))
    return rows
