"""The findings table: every finding of a report as one row of one polars frame.

Rules record findings as rows (:data:`RECORDED_SCHEMA`) citing figures by their row in the frame
being checked; the localiser adds suggestions as rows; readers' problems join as rows too. The
report keeps the result as one :class:`FindingTable`, which the renderers read column-wise and
which makes :class:`~tip_indicators.findings.Finding` objects only when they are asked for.
A large file has findings by the ten thousand: no Python object is made per finding on the path
from the rules to the JSON report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence

import attrs
import polars as pl

from tip_indicators._private.queries import collect
from tip_indicators.findings.citations import (
    DIMENSION_DEFAULT,
    citation_columns,
    citations_of,
    observation_refs,
)
from tip_indicators.findings.model import (
    Finding,
    Location,
    ObservationRef,
    Severity,
    Suggestion,
    place,
)

__all__ = ["RECORDED_SCHEMA", "SUGGESTION", "FindingTable"]

RECORDED_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
    "rule": pl.String(),
    "expected": pl.Float64(),
    "expected_text": pl.String(),
    "actual": pl.Float64(),
    "actual_text": pl.String(),
    "imbalance": pl.Float64(),
    "tolerance": pl.Float64(),
    "located_at": pl.Int64(),
    "cited": pl.List(pl.Int64()),
}
"""The columns a rule records a finding with: a number and a text column for ``expected`` and
``actual`` (at most one of each pair set), the figure whose place is the finding's location,
and the figures cited, both as rows of the checked frame."""

SUGGESTION = pl.Struct(
    {
        "figure": pl.Int64(),
        "path": pl.Binary(),
        "line": pl.Int64(),
        "field": pl.String(),
        "value": pl.String(),
        "reason": pl.String(),
        "score": pl.Float64(),
    }
)
"""A suggestion: the figure to change (a row of the table's figures), where it is, the value
that would fix the finding as text, why that is likely, and how likely."""

_TABLE_SCHEMA: dict[str, pl.DataType] = {
    "number": pl.Int64(),
    **{name: dtype for name, dtype in RECORDED_SCHEMA.items() if name != "located_at"},
    "path": pl.Binary(),
    "line": pl.Int64(),
    "field": pl.String(),
    "sort_path": pl.Binary(),
    "sort_line": pl.Int64(),
    "suggestions": pl.List(SUGGESTION),
}
"""The table's columns. ``path`` (null when the finding has no location) is the file name as
UTF-8 bytes, with the lone surrogates that stand for undecodable bytes kept: a name need not be
text. ``sort_path`` and ``sort_line`` place the finding in a report's order; ``number`` keeps
the order findings were recorded in among equal places."""

_RANKS = {severity.value: severity.rank for severity in Severity}


def _cited_column(cited: Sequence[Sequence[int]]) -> pl.Series:
    """The ``cited`` column from one list of figures per finding, built from the flat pairs:
    polars builds a column of Python lists one slow row at a time."""
    owners = pl.Series([n for n, figures in enumerate(cited) for _ in figures], dtype=pl.Int64)
    flat = pl.Series([figure for figures in cited for figure in figures], dtype=pl.Int64)
    lists = pl.DataFrame({"_n": owners, "cited": flat}).group_by("_n").agg("cited")
    every = pl.DataFrame({"_n": pl.int_range(len(cited), eager=True, dtype=pl.Int64)})
    joined = every.join(lists, on="_n", how="left", maintain_order="left")
    return joined.select(pl.col("cited").fill_null(pl.lit([], dtype=pl.List(pl.Int64)))).to_series()


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _valid(text: str) -> str:
    """``text`` as a column can hold it: a lone surrogate (an undecodable byte of a file name)
    becomes U+FFFD, as polars writes it."""
    return text if text.isascii() else _bytes(text).decode("utf-8", "replace")


@attrs.frozen(eq=False)
class FindingTable:
    """Findings as rows (columns of ``_TABLE_SCHEMA``) and the figures they cite as rows of
    ``figures`` (the columns of :func:`~tip_indicators.findings.citations.citation_columns`),
    as they were when cited."""

    rows: pl.DataFrame
    figures: pl.DataFrame
    dimensions: tuple[str, ...]
    _objects: dict[frozenset[str], tuple[Finding, ...]] = attrs.field(factory=dict, repr=False)
    """The findings as objects, once made (a cache of what the rows say), by the checked
    frames their positions are rows in."""

    @classmethod
    def empty(cls, dimensions: Sequence[str] = ()) -> FindingTable:
        """A table with no findings."""
        return cls(pl.DataFrame(schema=_TABLE_SCHEMA), _no_figures(dimensions), tuple(dimensions))

    @classmethod
    def recorded(
        cls, rows: pl.DataFrame, frame: pl.DataFrame, dimensions: Sequence[str], first: int
    ) -> FindingTable:
        """Findings a rule recorded (columns of :data:`RECORDED_SCHEMA`, null where missing, and
        optionally the ``field`` of the location) citing rows of ``frame`` by position,
        numbered from ``first``. Only the figures cited are kept: a report outlives the frame
        it was checked in."""
        field = (
            pl.col("field").cast(pl.String) if "field" in rows.columns else pl.lit(None, pl.String)
        )
        missing = [c for c in ("cited", "located_at") if c not in rows.columns]
        if missing:
            rows = rows.with_columns(pl.lit(None, RECORDED_SCHEMA[c]).alias(c) for c in missing)
        cited = pl.col("cited").cast(RECORDED_SCHEMA["cited"])
        located = pl.col("located_at").cast(pl.Int64)
        kept = rows.select(
            cited.explode().append(located).drop_nulls().unique().sort().alias("kept")
        ).to_series()
        figures = citations_of(frame, kept, dimensions).pipe(collect)
        places = figures.select(pl.col("path").cast(pl.Binary), "line", "cell")
        if places.height == 0:
            places = pl.DataFrame(
                {"path": [None], "line": [None], "cell": [None]}, schema=places.schema
            )
        # A finding located nowhere reads the first figure's place (or none), then drops it.
        position = pl.lit(kept).search_sorted(located.fill_null(0)).clip(0, places.height - 1)
        path, line, cell = (
            pl.when(located.is_not_null()).then(pl.lit(places.get_column(name)).gather(position))
            for name in ("path", "line", "cell")
        )
        positions = pl.int_range(kept.len(), eager=True, dtype=pl.Int64)
        table = rows.lazy().select(
            pl.int_range(first, first + rows.height, dtype=pl.Int64).alias("number"),
            *[
                pl.col(c).cast(t) if c in rows.columns else pl.lit(None, t).alias(c)
                for c, t in RECORDED_SCHEMA.items()
                if c not in ("located_at", "cited")
            ],
            # Each figure cited by its position among the figures kept.
            cited.list.eval(pl.element().replace_strict(kept, positions))
            .fill_null([])
            .alias("cited"),
            path.alias("path"),
            line.alias("line"),
            # A finding about a figure of a workbook form is at its cell, unless about one field.
            pl.coalesce(field, cell).alias("field"),
            path.fill_null(b"").alias("sort_path"),
            line.fill_null(0).alias("sort_line"),
            pl.lit(None, pl.List(SUGGESTION)).alias("suggestions"),
        )
        return cls(table.pipe(collect), figures, tuple(dimensions))

    @classmethod
    def located(cls, rows: pl.DataFrame, *, first: int = 0) -> FindingTable:
        """Findings about places in a file rather than figures (columns ``code``,
        ``severity``, ``message``, ``path`` as text or UTF-8 bytes, ``line`` and ``field``;
        no location where ``path`` is null; and optionally ``suggestions``, of
        :data:`SUGGESTION`, none citing a figure), numbered from ``first``: the problems a
        reader finds in rows it cannot read."""
        path = pl.col("path").cast(pl.Binary)
        table = rows.select(
            pl.int_range(first, first + rows.height, dtype=pl.Int64).alias("number"),
            *[
                pl.col(c).cast(t)
                if c in ("code", "severity", "message")
                else pl.lit(None, t).alias(c)
                for c, t in RECORDED_SCHEMA.items()
                if c not in ("located_at", "cited")
            ],
            pl.lit([], RECORDED_SCHEMA["cited"]).alias("cited"),
            path.alias("path"),
            pl.col("line").cast(pl.Int64),
            pl.col("field").cast(pl.String),
            path.fill_null(b"").alias("sort_path"),
            pl.col("line").cast(pl.Int64).fill_null(0).alias("sort_line"),
            pl.col("suggestions").cast(pl.List(SUGGESTION))
            if "suggestions" in rows.columns
            else pl.lit(None, pl.List(SUGGESTION)).alias("suggestions"),
        )
        return cls(table, _no_figures(()), ())

    @classmethod
    def from_findings(
        cls,
        findings: Iterable[Finding],
        dimensions: Sequence[str] = (),
        *,
        first: int = 0,
    ) -> FindingTable:
        """Finding objects as a table, in the order given, numbered from ``first``: the
        problems readers report, and findings built by hand through the Python API.

        Long because it turns each attribute of a finding into its column in one pass; splitting it
        would pass the same indexes to every piece.
        """
        findings = tuple(findings)
        shown = list(dimensions)
        refs: dict[int, ObservationRef] = {}
        for finding in findings:
            cited = [*finding.observations]
            cited += [s.observation for s in finding.suggestions if s.observation is not None]
            for ref in cited:
                refs.setdefault(id(ref), ref)
                shown += [key for key in ref.dimensions if key not in shown]
        index = {key: number for number, key in enumerate(refs)}
        figures = _figures_of(list(refs.values()), shown)
        rows: dict[str, list[object]] = {name: [] for name in _TABLE_SCHEMA}
        for number, finding in enumerate(findings, start=first):
            sort_path, sort_line, *_ = finding.sort_key
            location = finding.location
            values = {
                "number": number,
                "code": finding.code,
                "severity": finding.severity.value,
                "message": finding.message,
                "rule": finding.rule,
                "expected": _float(finding.expected),
                "expected_text": _string(finding.expected),
                "actual": _float(finding.actual),
                "actual_text": _string(finding.actual),
                "imbalance": finding.imbalance,
                "tolerance": finding.tolerance,
                "cited": None,
                "path": _bytes(location.path) if location else None,
                "line": _position(location) if location else None,
                "field": location.field if location else None,
                "sort_path": _bytes(sort_path),
                "sort_line": sort_line,
                # None rather than an empty list: polars builds a column of empty lists of
                # structs one slow row at a time (10 s for 20,000 rows), and null reads as none.
                "suggestions": None
                if not finding.suggestions
                else [
                    {
                        "figure": index[id(s.observation)] if s.observation else None,
                        "path": _bytes(s.location.path),
                        "line": _position(s.location),
                        "field": s.location.field,
                        "value": s.value,
                        "reason": s.reason,
                        "score": s.score,
                    }
                    for s in finding.suggestions
                ],
            }
            for name, value in values.items():
                rows[name].append(value)
        frame = pl.DataFrame(rows, schema=_TABLE_SCHEMA).with_columns(
            _cited_column([[index[id(ref)] for ref in f.observations] for f in findings])
        )
        table = cls(frame, figures, tuple(shown))
        table._objects[_frames_of(findings)] = findings
        return table

    @classmethod
    def concat(cls, tables: Sequence[FindingTable]) -> FindingTable:
        """The rows of ``tables`` one after the other, their figures renumbered."""
        shown: list[str] = []
        for table in tables:
            shown += [d for d in table.dimensions if d not in shown]
        rows, figures, offset = [], [], 0
        for table in tables:
            rows.append(table.rows.with_columns(_shifted(offset)))
            figures.append(_with_dimensions(table.figures, shown))
            offset += table.figures.height
        if not tables:
            return cls.empty()
        return cls(pl.concat(rows), pl.concat(figures), tuple(shown))

    def numbered(self, first: int) -> FindingTable:
        """The table with its findings numbered in order from ``first``."""
        number = pl.int_range(first, first + self.rows.height, dtype=pl.Int64)
        return FindingTable(
            self.rows.with_columns(number.alias("number")),
            self.figures,
            self.dimensions,
            self._objects,
        )

    def with_suggestions(self, suggestions: pl.DataFrame, figures: pl.DataFrame) -> FindingTable:
        """The table with ``suggestions`` (columns ``number`` of the finding, ``figure`` a row
        of ``figures``, ``value``, ``reason``, ``score``, in the order to show them) added after
        each finding's own; ``figures`` are the figures they name, as frame rows."""
        if suggestions.height == 0:
            return self
        cited = citation_columns(figures, self.dimensions)
        offset = self.figures.height
        places = cited.select(pl.col("path").cast(pl.Binary), "line", "cell")[
            suggestions.get_column("figure")
        ]
        made = (
            suggestions.select(
                "number",
                pl.struct(
                    (pl.col("figure") + offset).cast(pl.Int64).alias("figure"),
                    places.get_column("path").alias("path"),
                    places.get_column("line").alias("line"),
                    places.get_column("cell").alias("field"),
                    pl.col("value").cast(pl.String),
                    pl.col("reason").cast(pl.String),
                    pl.col("score").cast(pl.Float64),
                ).alias("_new"),
            )
            .group_by("number", maintain_order=True)
            .agg("_new")
        )
        rows = (
            self.rows.join(made, on="number", how="left", maintain_order="left")
            .with_columns(
                # Lists are joined only where both are there: concatenating a list with an
                # empty one filled in for a missing list took 0.2 s on 23,437 findings.
                pl.when(pl.col("_new").is_null())
                .then(pl.col("suggestions").fill_null([]))
                .when(pl.col("suggestions").is_null())
                .then(pl.col("_new"))
                .otherwise(pl.concat_list("suggestions", "_new"))
                .alias("suggestions")
            )
            .drop("_new")
        )
        return FindingTable(rows, pl.concat([self.figures, cited]), self.dimensions)

    def with_fields(self, field: pl.Expr, *, in_message: bool = False) -> FindingTable:
        """The table with the field of each located finding replaced by ``field`` (an
        expression over the rows; null keeps the field): a reader naming a column as its
        format does (an SDMX id, a workbook cell). With ``in_message``, a message that starts
        with the old field's name starts with the new one instead."""
        old, message = pl.col("field"), pl.col("message")
        new = pl.when(pl.col("path").is_not_null()).then(field)
        columns = [pl.coalesce(new, old).alias("field")]
        if in_message:
            headed = new.is_not_null() & message.str.starts_with(pl.concat_str(old, pl.lit(": ")))
            renamed = pl.concat_str(new, pl.lit(": "), message.str.slice(old.str.len_chars() + 2))
            columns.append(pl.when(headed).then(renamed).otherwise(message).alias("message"))
        return FindingTable(self.rows.with_columns(columns), self.figures, self.dimensions)

    def with_severities(self, severities: pl.Series) -> FindingTable:
        """The table with each finding's severity replaced by ``severities`` (in order)."""
        rows = self.rows.with_columns(severities.alias("severity"))
        return FindingTable(rows, self.figures, self.dimensions)

    def taken(self, positions: pl.Series) -> FindingTable:
        """The findings at ``positions``, in that order, with only the figures they cite or
        suggest changing: a few findings of a large table become objects cheaply."""
        rows = self.rows[positions]
        used = pl.concat(
            [
                rows.get_column("cited").explode(),
                rows.get_column("suggestions").explode().struct.field("figure"),
            ]
        )
        kept = used.drop_nulls().unique().sort()
        renumbered = {"old": kept, "new": pl.int_range(kept.len(), eager=True, dtype=pl.Int64)}
        figure = pl.element().replace_strict(renumbered["old"], renumbered["new"])
        rows = rows.with_columns(
            pl.col("cited").list.eval(figure),
            pl.col("suggestions").list.eval(
                pl.element().struct.with_fields(
                    pl.field("figure").replace_strict(
                        renumbered["old"], renumbered["new"], default=None
                    )
                )
            ),
        )
        return FindingTable(rows, self.figures[kept], self.dimensions)

    def where(self, keep: pl.Series) -> FindingTable:
        """The findings for which ``keep`` (a boolean per finding) is true, in order."""
        return FindingTable(self.rows.filter(keep), self.figures, self.dimensions)

    def in_report_order(self) -> FindingTable:
        """The rows in the stable order of a report: file, line, severity, code, message, and
        the order they were recorded in. Text is compared as UTF-8 bytes, which sort in the
        order of code points Python compares by."""
        order = self.rows.select(
            pl.arg_sort_by(
                pl.col("sort_path"),
                pl.col("sort_line"),
                pl.col("severity").replace_strict(_RANKS, return_dtype=pl.Int64),
                pl.col("code").cast(pl.Binary),
                pl.col("message").cast(pl.Binary),
                pl.col("number"),
            )
        ).to_series()
        return FindingTable(self.rows[order], self.figures, self.dimensions)

    def __len__(self) -> int:
        return self.rows.height

    def severities(self) -> Counter[Severity]:
        """How many findings there are of each severity."""
        counts = self.rows.get_column("severity").value_counts()
        return Counter({Severity(value): count for value, count in counts.iter_rows()})

    def findings(self, frames: Collection[str] = ()) -> tuple[Finding, ...]:
        """Every finding as an object, in the table's order (made on the first call, then
        kept). Positions in the checked data frames named in ``frames`` are rows, not lines."""
        key = frozenset(frames)
        if key not in self._objects:
            self._objects[key] = self._make(key)
        return self._objects[key]

    def _make(self, frames: frozenset[str]) -> tuple[Finding, ...]:
        refs = observation_refs(self.figures, self.dimensions, frames)
        columns = self.rows.to_dict(as_series=False)
        made = []
        for row in zip(*(columns[name] for name in _TABLE_SCHEMA), strict=True):
            values = dict(zip(_TABLE_SCHEMA, row, strict=True))
            expected, actual = values["expected"], values["actual"]
            path = values["path"]
            made.append(
                Finding(
                    values["code"],
                    Severity(values["severity"]),
                    values["message"],
                    tuple(refs[i] for i in values["cited"] or ()),
                    expected=expected if expected is not None else values["expected_text"],
                    actual=actual if actual is not None else values["actual_text"],
                    imbalance=values["imbalance"],
                    tolerance=values["tolerance"],
                    suggestions=tuple(
                        Suggestion(
                            place(_text(s["path"]), s["line"], s["field"], frames),
                            s["value"],
                            s["reason"],
                            refs[s["figure"]] if s["figure"] is not None else None,
                            s["score"],
                        )
                        for s in values["suggestions"] or ()
                    ),
                    location=(
                        place(_text(path), values["line"], values["field"], frames)
                        if path is not None
                        else None
                    ),
                    rule=values["rule"],
                )
            )
        return tuple(made)


def _float(value: float | str | None) -> float | None:
    return None if value is None or isinstance(value, str) else float(value)


def _string(value: float | str | None) -> str | None:
    return value if isinstance(value, str) else None


def _shifted(offset: int) -> list[pl.Expr]:
    """The figure numbers of cited figures and suggestions moved on by ``offset``."""
    return [
        pl.col("cited").list.eval(pl.element() + offset),
        pl.col("suggestions").list.eval(
            pl.element().struct.with_fields(pl.field("figure") + offset)
        ),
    ]


def _position(location: Location) -> int | None:
    """The position a location holds in a table's ``line`` column: its row in a checked frame,
    else its line."""
    return location.row if location.row is not None else location.line


def _frames_of(findings: Iterable[Finding]) -> frozenset[str]:
    """The paths findings name by row: the checked frames among their locations."""
    places = (
        place
        for finding in findings
        for place in (
            finding.location,
            *(ref.location for ref in finding.observations),
            *(suggestion.location for suggestion in finding.suggestions),
        )
    )
    return frozenset(p.path for p in places if p is not None and p.row is not None)


def _no_figures(dimensions: Sequence[str]) -> pl.DataFrame:
    return citation_columns(
        pl.DataFrame(schema={"value": pl.String, "path": pl.String}), dimensions
    )


def _with_dimensions(figures: pl.DataFrame, dimensions: Sequence[str]) -> pl.DataFrame:
    """``figures`` with every one of ``dimensions`` (a missing one at its total), in order."""
    missing = [pl.lit(DIMENSION_DEFAULT).alias(d) for d in dimensions if d not in figures.columns]
    added = figures.with_columns(missing) if missing else figures
    return added.select(_no_figures(dimensions).columns)


def _figures_of(refs: list[ObservationRef], dimensions: Sequence[str]) -> pl.DataFrame:
    """The citation columns of ``refs``, one row each."""
    if not refs:
        return _no_figures(dimensions)
    data = {
        "indicator": [r.indicator for r in refs],
        "period": [r.period for r in refs],
        "reporter": [r.reporter for r in refs],
        "measure": [r.measure for r in refs],
        "value": [r.value for r in refs],
        "path": [_valid(r.location.path) for r in refs],
        **{d: [r.dimensions.get(d, DIMENSION_DEFAULT) for r in refs] for d in dimensions},
        "source": [r.source for r in refs],
        "line": [_position(r.location) for r in refs],
        "cell": [r.location.field for r in refs],
        "derived": [r.derived for r in refs],
    }
    return pl.DataFrame(data, schema=_no_figures(dimensions).schema)
