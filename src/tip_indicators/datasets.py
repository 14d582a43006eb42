"""Datasets: metadata, observations and local codelist extensions (a dataset's organisations).

A :class:`Dataset` is what readers return and :func:`tip_indicators.check` takes. Besides the
figures it keeps the inputs it was read from (path and SHA-256) and the problems met while
reading, so a report can say which rows could not be used and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs
import polars as pl

from tip_indicators._private.duplicates import resolve_duplicates
from tip_indicators.codelists import parse_destination
from tip_indicators.errors import ArgumentError
from tip_indicators.findings import Finding, FindingTable, Severity
from tip_indicators.indicators import Catalogue
from tip_indicators.observations import observation_schema

__all__ = ["FRAME_FORMAT", "Dataset", "InputFile", "Metadata", "Organisation", "frame_paths"]


@attrs.frozen
class Metadata:
    """Descriptive metadata of a dataset (all optional)."""

    title: str | None = None
    publisher: str | None = None
    source: str | None = None
    licence: str | None = None
    description: str | None = None


@attrs.frozen
class Organisation:
    """A named organisation a dataset refers to: its code (``NGO.AFESIP``) and display name."""

    code: str
    name: str

    @property
    def type(self) -> str:
        """The organisation's type (``NGO``), the level it rolls up to."""
        return parse_destination(self.code)[0]


FRAME_FORMAT = "frame"
"""The ``format`` of an :class:`InputFile` that is a checked data frame, whose positions are
0-based rows rather than physical lines."""


@attrs.frozen
class InputFile:
    """One input a dataset was read from, identified by path and content hash."""

    path: str
    sha256: str
    observations: int
    format: str = "long-csv"


def frame_paths(inputs: Iterable[InputFile]) -> frozenset[str]:
    """The names of the checked data frames among ``inputs``: where positions are rows."""
    return frozenset(item.path for item in inputs if item.format == FRAME_FORMAT)


def _problem_table(problems: FindingTable | Iterable[Finding | FindingTable]) -> FindingTable:
    """Problems given as a table, or as finding objects and tables in order, as one table."""
    if isinstance(problems, FindingTable):
        return problems
    tables: list[FindingTable] = []
    objects: list[Finding] = []
    for item in problems:
        if isinstance(item, FindingTable):
            if objects:
                tables.append(FindingTable.from_findings(objects))
                objects = []
            tables.append(item)
        else:
            objects.append(item)
    if objects or not tables:
        tables.append(FindingTable.from_findings(objects))
    return tables[0] if len(tables) == 1 else FindingTable.concat(tables)


def _problem_objects(table: FindingTable) -> tuple[Finding, ...]:
    return table.findings()


def _with_cells(frame: pl.DataFrame, cells: bool) -> pl.DataFrame:
    """``frame`` with a ``cell`` column (null where it has none) when ``cells``."""
    if not cells or "cell" in frame.columns:
        return frame
    return frame.with_columns(pl.lit(None, pl.String).alias("cell"))


@attrs.frozen(repr=False)
class Dataset:
    """Figures (a columnar frame), metadata, organisations, inputs and reading problems."""

    observations: pl.DataFrame = attrs.field(eq=False, repr=lambda frame: f"<{frame.height} rows>")
    dimensions: tuple[str, ...]
    metadata: Metadata = Metadata()
    organisations: Mapping[str, Organisation] = attrs.field(factory=dict, eq=False)
    inputs: tuple[InputFile, ...] = ()
    _problems: FindingTable = attrs.field(
        alias="problems",
        factory=FindingTable.empty,
        converter=_problem_table,
        eq=_problem_objects,
        repr=False,
    )
    catalogue: Catalogue | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    """The catalogue the dataset was read with, when not the built-in one: a check with no
    profile uses it, so a catalogue given to the reader reaches the checks too."""

    def __len__(self) -> int:
        return self.observations.height

    def __repr__(self) -> str:
        names = ", ".join(item.path for item in self.inputs[:3])
        more = f", +{len(self.inputs) - 3}" if len(self.inputs) > 3 else ""
        problems = self._problems.severities()
        lines = [
            f"<Dataset: {len(self)} observations from {len(self.inputs)} input(s) "
            f"({names}{more}); {len(self._problems)} reading problems "
            f"({problems[Severity.ERROR]} errors); dimensions: {', '.join(self.dimensions)}>"
        ]
        lines += [f"  {problem.brief()}" for problem in self.problems[:3]]
        if len(self._problems) > 3:
            lines.append(f"  … and {len(self._problems) - 3} more")
        return "\n".join(lines)

    @property
    def problems(self) -> tuple[Finding, ...]:
        """The problems met while reading, as finding objects (made when first asked for)."""
        return self._problems.findings(frame_paths(self.inputs))

    @property
    def problem_table(self) -> FindingTable:
        """The problems met while reading, as rows of a findings table."""
        return self._problems

    @classmethod
    def combine(cls, datasets: Iterable[Dataset]) -> Dataset:
        """Put several datasets together (for example submissions checked as one).

        A key given in two inputs is a duplicate like one given twice in one file: identical
        copies keep one figure (and warn), conflicting copies are all left out (an error).
        """
        parts = list(datasets)
        if not parts:
            raise ArgumentError("datasets", parts, "combine() needs at least one dataset")
        dimensions: list[str] = []
        for part in parts:
            dimensions += [d for d in part.dimensions if d not in dimensions]
        schema = observation_schema(dimensions)
        # The cells of figures read from workbook forms are kept (null for other figures).
        cells = any("cell" in part.observations.columns for part in parts)
        frames = [
            _with_cells(
                part.observations.with_columns(
                    [pl.lit("_T").alias(d) for d in dimensions if d not in part.dimensions]
                ),
                cells,
            ).select([*schema, *(["cell"] if cells else [])])
            for part in parts
        ]
        organisations: dict[str, Organisation] = {}
        for part in parts:
            organisations.update(part.organisations)
        frame = pl.concat(frames, how="vertical")
        duplicates: list[FindingTable] = []
        if len(parts) > 1:
            frame, found = resolve_duplicates(frame.with_row_index("_row"), dimensions)
            frame = frame.drop("_row")
            duplicates.append(found)
        return cls(
            frame,
            tuple(dimensions),
            parts[0].metadata if len(parts) == 1 else Metadata(),
            organisations,
            tuple(item for part in parts for item in part.inputs),
            [*(part.problem_table for part in parts), *duplicates],
            catalogue=parts[0].catalogue,
        )
