"""Findings kept as rows of a frame until someone asks for them as objects.

A large check makes tens of thousands of findings of a few kinds (a value derived from its
breakdown, parts short of their total), each citing several figures: a Python object per finding
and per cited figure would cost more than the checks themselves. A rule records such findings as
one :class:`FindingRows` batch, citing figures by their row in the checked frame; a report keeps
its findings as a :class:`FindingList`, which makes the objects only when they are read, while
the JSON report writes the rows straight from their columns.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator, Sequence

import attrs
import polars as pl

from tip_indicators._private.citations import citation_columns
from tip_indicators.findings import Finding, Severity
from tip_indicators.observations import observation_refs

ROW_SCHEMA: dict[str, pl.DataType] = {
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
"""The columns of a batch: a number and a text column for ``expected`` and ``actual`` (at most
one of them set), the figure whose place is the finding's location, and the figures cited."""


def _lists(pairs: pl.DataFrame, rows: int) -> pl.Series:
    """The ``cited`` column of ``rows`` findings from (``row``, ``id``) pairs in order; a
    finding with no pair cites nothing."""
    lists = (
        pairs.select(pl.col("row").cast(pl.Int64), pl.col("id").cast(pl.Int64))
        .group_by("row", maintain_order=True)
        .agg("id")
    )
    return (
        pl.DataFrame({"row": range(rows)}, schema={"row": pl.Int64})
        .join(lists, on="row", how="left", maintain_order="left")
        .get_column("id")
        .fill_null([])
        .alias("cited")
    )


@attrs.frozen(eq=False)
class FindingRows:
    """Findings of one batch, one row each (columns of :data:`ROW_SCHEMA`); ``located_at`` and
    ``cited`` are rows of ``figures``: the figures cited, as they were when found."""

    rows: pl.DataFrame
    figures: pl.DataFrame
    dimensions: tuple[str, ...]

    @classmethod
    def citing(
        cls, rows: pl.DataFrame, frame: pl.DataFrame, dimensions: Sequence[str]
    ) -> FindingRows:
        """A batch of ``rows`` (columns of :data:`ROW_SCHEMA`, null where missing) citing rows
        of ``frame`` by position. Only the figures cited are kept, renumbered: a report may
        outlive the frame it was checked in."""
        rows = rows.select(
            pl.col(c).cast(t) if c in rows.columns else pl.lit(None, t).alias(c)
            for c, t in ROW_SCHEMA.items()
        )
        kept = (
            pl.concat([rows.get_column("cited").explode(), rows.get_column("located_at")])
            .drop_nulls()
            .unique()
            .sort()
        )
        pairs = rows.select(pl.int_range(pl.len()).alias("row"), "cited").explode("cited")
        pairs = pairs.filter(pl.col("cited").is_not_null())
        renumbered = pairs.with_columns(kept.search_sorted(pairs.get_column("cited")).alias("id"))
        located = rows.get_column("located_at")
        return cls(
            rows.with_columns(
                _lists(renumbered, rows.height),
                pl.when(located.is_not_null())
                .then(kept.search_sorted(located.fill_null(0)).cast(pl.Int64))
                .alias("located_at"),
            ),
            frame[kept],
            tuple(dimensions),
        )

    @functools.cached_property
    def places(self) -> pl.DataFrame:
        """The path and line of each row's location (``path`` empty and ``line`` null when the
        figure has none); the report's order and the JSON report both need them."""
        located = citation_columns(
            self.figures[self.rows.get_column("located_at")], self.dimensions
        )
        return located.select("path", "line")

    def sort_keys(self) -> list[tuple[str, int, int, str, str]]:
        """Each row's :attr:`Finding.sort_key`."""
        places = self.places
        ranks = {severity.value: severity.rank for severity in Severity}
        return list(
            zip(
                places.get_column("path").to_list(),
                places.get_column("line").fill_null(0).to_list(),
                [ranks[s] for s in self.rows.get_column("severity").to_list()],
                self.rows.get_column("code").to_list(),
                self.rows.get_column("message").to_list(),
                strict=True,
            )
        )

    def findings(self) -> list[Finding]:
        """The rows as finding objects."""
        refs = observation_refs(self.figures, self.dimensions)
        columns = self.rows.to_dict(as_series=False)
        return [
            Finding(
                code,
                Severity(severity),
                message,
                tuple(refs[i] for i in cited),
                expected=expected if expected is not None else expected_text,
                actual=actual if actual is not None else actual_text,
                imbalance=imbalance,
                tolerance=tolerance,
                location=refs[located_at].location if located_at is not None else None,
                rule=rule,
            )
            for (
                code,
                severity,
                message,
                rule,
                expected,
                expected_text,
                actual,
                actual_text,
                imbalance,
                tolerance,
                located_at,
                cited,
            ) in zip(*(columns[name] for name in ROW_SCHEMA), strict=True)
        ]


Entry = Finding | tuple[FindingRows, int]
"""A finding of a report: an object, or a batch and the number of its row."""


class FindingList:
    """A report's findings in their order, some of them still rows of batches.

    :meth:`findings` makes every object once, when first asked; counting by severity and the
    JSON report do not need them.
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        self._findings: tuple[Finding, ...] | None = None
        self._severities: Counter[Severity] | None = None

    def _batches(self) -> list[FindingRows]:
        return list({id(e[0]): e[0] for e in self.entries if isinstance(e, tuple)}.values())

    def findings(self) -> tuple[Finding, ...]:
        """Every finding as an object, in order (made on the first call, then kept)."""
        if self._findings is None:
            made = {id(batch): batch.findings() for batch in self._batches()}
            self._findings = tuple(
                entry if isinstance(entry, Finding) else made[id(entry[0])][entry[1]]
                for entry in self.entries
            )
        return self._findings

    def severities(self) -> Counter[Severity]:
        """How many findings there are of each severity."""
        if self._severities is None:
            counts: Counter[Severity] = Counter()
            batches: dict[int, tuple[FindingRows, list[int]]] = {}
            for entry in self.entries:
                if isinstance(entry, Finding):
                    counts[entry.severity] += 1
                else:
                    batches.setdefault(id(entry[0]), (entry[0], []))[1].append(entry[1])
            # The rows of a batch are counted by polars, not made into severities one by one.
            for batch, rows in batches.values():
                severities = batch.rows.get_column("severity").gather(rows).value_counts()
                for value, count in severities.iter_rows():
                    counts[Severity(value)] += count
            self._severities = counts
        return self._severities

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def ordered(
    keyed: Sequence[tuple[int, Finding]], batches: Sequence[tuple[int, FindingRows]]
) -> FindingList:
    """The findings in report order (:attr:`Finding.sort_key`): ``keyed`` are objects with the
    number of their recording, ``batches`` batches with the number of their first row (each row
    numbered on from it). Findings with equal keys keep the order they were recorded in.

    The keys are sorted by polars, the rows' straight from their columns. Text is compared as
    UTF-8 bytes, which sort in the order of code points Python compares by; the lone surrogates
    that stand for undecodable bytes of a file name are kept (``surrogatepass``) in that order.
    """
    keys = [finding.sort_key for _, finding in keyed]
    parts = [
        pl.DataFrame(
            {
                "path": [_bytes(key[0]) for key in keys],
                "line": [key[1] for key in keys],
                "rank": [key[2] for key in keys],
                "code": [_bytes(key[3]) for key in keys],
                "message": [_bytes(key[4]) for key in keys],
                "number": [number for number, _ in keyed],
                "source": [-1] * len(keyed),
            },
            schema=_KEY_SCHEMA,
        ).with_row_index("index")
    ]
    ranks = {severity.value: severity.rank for severity in Severity}
    for source, (start, batch) in enumerate(batches):
        places = batch.places
        parts.append(
            batch.rows.select(
                places.get_column("path").cast(pl.Binary),
                places.get_column("line").fill_null(0),
                pl.col("severity").replace_strict(ranks, return_dtype=pl.Int64).alias("rank"),
                pl.col("code").cast(pl.Binary),
                pl.col("message").cast(pl.Binary),
                pl.int_range(start, start + batch.rows.height, dtype=pl.Int64).alias("number"),
                pl.lit(source, pl.Int64).alias("source"),
            ).with_row_index("index")
        )
    order = pl.concat(parts).sort("path", "line", "rank", "code", "message", "number")
    findings = [finding for _, finding in keyed]
    return FindingList(
        [
            findings[index] if source < 0 else (batches[source][1], index)
            for source, index in zip(
                order.get_column("source").to_list(),
                order.get_column("index").to_list(),
                strict=True,
            )
        ]
    )


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


_KEY_SCHEMA: dict[str, pl.DataType] = {
    "path": pl.Binary(),
    "line": pl.Int64(),
    "rank": pl.Int64(),
    "code": pl.Binary(),
    "message": pl.Binary(),
    "number": pl.Int64(),
    "source": pl.Int64(),
}
