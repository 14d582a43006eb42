"""JUnit XML: the report as test suites, the format CI dashboards (GitLab, Jenkins, Azure) list.

One ``<testsuite>`` per input file. Each rule that passed on a file is one ``<testcase>`` (class:
the rule; name: how many groups of figures it checked); each group a rule failed on is a
``<testcase>`` of its own (name: the figures it checked), and so is each finding that no
evaluation accounts for, such as a row that could not be read. A large file is checked by
hundreds of thousands of evaluations: listing each passing one would make a report of tens of
megabytes that no dashboard shows. A case fails when its finding is at least as severe as
``fail_on``, so the dashboard agrees with the exit status; the findings below that threshold are
listed in the output (``<system-out>``) of one passing case per file and rule. The groups a rule
could not evaluate are one ``<skipped>`` case per rule and reason. Evaluations and findings
without a file go into a suite named after the profile.

The cases are rows of one frame, made from the report's evaluations and findings table, and
the XML is written from them column-wise, laid out as :func:`xml.etree.ElementTree.indent`
lays it out.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection

import polars as pl

from tip_indicators._private.safetext import file_name
from tip_indicators.datasets import frame_paths
from tip_indicators.findings import FindingTable, Severity
from tip_indicators.findings.citations import citation_columns, citation_label
from tip_indicators.render._places import in_frames, named, primary_places
from tip_indicators.report import EVALUATION_SCHEMA, Report

__all__ = ["report_junit"]

# Characters XML 1.0 cannot hold, even escaped (the complement of its Char production), written
# as Python-style escapes; a polars string holds no lone surrogate, and file names, which may,
# are written with file_name.
_NOT_XML = {
    chr(point): f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"
    for point in itertools.chain(
        range(0x00, 0x09), (0x0B, 0x0C), range(0x0E, 0x20), (0xFFFE, 0xFFFF)
    )
}
# What ElementTree escapes in an attribute value and in an element's text.
_IN_ATTRIBUTE = _NOT_XML | {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\r": "&#13;",
    "\n": "&#10;",
    "\t": "&#09;",
}
_IN_TEXT = _NOT_XML | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_RANKS = {severity.value: severity.rank for severity in Severity}
_PLACE = ["rule", "key", "line"]


def _attribute(text: pl.Expr) -> pl.Expr:
    """Each text as an XML attribute value."""
    return text.str.replace_many(list(_IN_ATTRIBUTE), list(_IN_ATTRIBUTE.values()))


def _content(text: pl.Expr) -> pl.Expr:
    """Each text as an XML element's text."""
    return text.str.replace_many(list(_IN_TEXT), list(_IN_TEXT.values()))


def _quoted(text: str, table: dict[str, str]) -> str:
    """One text escaped as :func:`_attribute` or :func:`_content` escapes a column."""
    return "".join(table.get(character, character) for character in text)


def _where(path: pl.Expr, line: pl.Expr, field: pl.Expr | None, frames: Collection[str]) -> pl.Expr:
    """A location as text (``a.csv:12``, ``frame row 3``, then the field), from the file name
    as UTF-8 bytes, the line (a row in a checked frame) and the field."""
    name = named(path, file_name)
    row = in_frames(path, frames)
    where = (
        pl.when(row & line.is_not_null())
        .then(pl.format("{} row {}", name, line))
        .when(row | line.is_null())
        .then(name)
        .otherwise(pl.format("{}:{}", name, line))
    )
    if field is None:
        return where
    return pl.concat_str(
        where,
        pl.when(field.is_not_null()).then(pl.concat_str(pl.lit(" "), field)).otherwise(pl.lit("")),
    )


def _details(table: FindingTable, cited: pl.DataFrame, frames: Collection[str]) -> pl.Series:
    """Per finding, the text a case shows of it: severity, code and message, then a line per
    figure it cites (or its location when it cites none), then a ``fix?`` line per suggestion."""
    rows = table.rows.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"))
    figures = cited.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("cited"),
        pl.format(
            "  {}: {} = {}",
            _where(pl.col("path").cast(pl.Binary), pl.col("line"), pl.col("cell"), frames),
            citation_label(table.dimensions),
            pl.when(pl.col("value") == "").then(pl.lit("(empty)")).otherwise(pl.col("value")),
        ).alias("text"),
    )
    uncited = pl.col("cited").list.len().fill_null(0) == 0
    suggestions = rows.select("finding", "suggestions").explode("suggestions")
    lines = pl.concat(
        [
            rows.select(
                "finding",
                pl.lit(0).alias("part"),
                pl.format("{} [{}] {}", "severity", "code", "message").alias("text"),
            ),
            rows.select("finding", "cited")
            .explode("cited")
            .drop_nulls("cited")
            .join(figures, on="cited", how="left", maintain_order="left")
            .select("finding", pl.lit(1).alias("part"), "text"),
            rows.filter(uncited & pl.col("path").is_not_null()).select(
                "finding",
                pl.lit(2).alias("part"),
                pl.concat_str(
                    pl.lit("  "), _where(pl.col("path"), pl.col("line"), pl.col("field"), frames)
                ).alias("text"),
            ),
            suggestions.drop_nulls("suggestions")
            .unnest("suggestions")
            .select(
                "finding",
                pl.lit(3).alias("part"),
                pl.format(
                    "  fix? {}: {} ({})",
                    _where(
                        pl.col("path"),
                        pl.when(in_frames(pl.col("path"), frames)).then(None).otherwise("line"),
                        None,
                        frames,
                    ),
                    "value",
                    "reason",
                ).alias("text"),
            ),
        ]
    )
    return (
        lines.sort("finding", "part", maintain_order=True)
        .group_by("finding", maintain_order=True)
        .agg(pl.col("text").str.join("\n"))
        .get_column("text")
    )


def _findings(table: FindingTable, cited: pl.DataFrame, frames: Collection[str]) -> pl.DataFrame:
    """Per finding: its code, severity, message, rule and details, and the place it is shown at
    (``key``, the file name as bytes, empty for none; ``line``, null in a checked frame;
    ``field``; ``placed``, whether it has a place at all)."""
    places = primary_places(table, frames)
    return pl.concat(
        [
            places.select(
                "finding",
                "key",
                pl.when(pl.col("is_row")).then(None).otherwise(pl.col("position")).alias("line"),
                "field",
            ),
            table.rows.select(
                "code",
                "severity",
                "message",
                "rule",
                (
                    pl.col("path").is_not_null() | (pl.col("cited").list.len().fill_null(0) > 0)
                ).alias("placed"),
            ),
            _details(table, cited, frames).to_frame("details"),
        ],
        how="horizontal",
    )


def _file(key: pl.Expr) -> pl.Expr:
    """A place's file name as bytes, null for none (an empty name is none)."""
    return pl.when(key != b"").then(key)


def _ranked_pairs(evaluations: pl.DataFrame, pool: pl.DataFrame, on: list[str]) -> pl.DataFrame:
    """Evaluations paired with findings of the ``pool`` at the same ``on``: first those whose
    code is the evaluation's reason, then the others, each in order (the n-th evaluation of a
    place takes the n-th finding left there)."""

    def ranked(frame: pl.DataFrame, by: str, within: list[str]) -> pl.DataFrame:
        return frame.sort(by).with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).over(within).alias("rank")
        )

    same = (
        ranked(evaluations.filter(pl.col("reason").is_not_null()), "e", [*on, "reason"])
        .join(
            ranked(pool, "finding", [*on, "code"]),
            left_on=[*on, "reason", "rank"],
            right_on=[*on, "code", "rank"],
            nulls_equal=True,
        )
        .select("e", "finding")
    )
    rest = (
        ranked(evaluations.join(same, on="e", how="anti"), "e", on)
        .join(
            ranked(pool.join(same, on="finding", how="anti"), "finding", on),
            on=[*on, "rank"],
            nulls_equal=True,
        )
        .select("e", "finding")
    )
    return pl.concat([same, rest])


def _citing(
    findings: pl.DataFrame, table: FindingTable, cited: pl.DataFrame, frames: Collection[str]
) -> pl.DataFrame:
    """Each finding with a rule, once per distinct place of the figures it cites."""
    figures = cited.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("cited"),
        pl.col("path").cast(pl.Binary).alias("key"),
        pl.when(pl.col("path").is_in(list(frames)))
        .then(None)
        .otherwise(pl.col("line"))
        .alias("line"),
    )
    return (
        table.rows.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("finding"), "cited")
        .explode("cited")
        .drop_nulls("cited")
        .join(figures, on="cited", how="left", maintain_order="left")
        .join(findings.select("finding", "rule", "code"), on="finding", maintain_order="left")
        .filter(pl.col("rule").is_not_null())
        .unique(["finding", "key", "line"], keep="first", maintain_order=True)
        .select("finding", *_PLACE, "code")
    )


def _paired(
    failed: pl.DataFrame,
    findings: pl.DataFrame,
    table: FindingTable,
    cited: pl.DataFrame,
    frames: Collection[str],
) -> pl.DataFrame:
    """The finding each failed evaluation produced (``e``, ``finding``): one of the same rule
    shown at the evaluation's figure; else one citing that figure; for an evaluation without a
    file, one of the same rule. Each finding pairs with one evaluation at most."""
    ruled = findings.filter(pl.col("rule").is_not_null()).select("finding", *_PLACE, "code")
    keyed = failed.filter(pl.col("key").is_not_null())
    pairs = [_ranked_pairs(keyed, ruled.filter(pl.col("key") != b""), _PLACE)]
    left = keyed.join(pairs[0], on="e", how="anti")
    free = _citing(findings, table, cited, frames).join(pairs[0], on="finding", how="anti")
    # A finding cites several places, so two evaluations may take it: the earlier keeps it and
    # the later tries again among the findings left, until none is taken.
    while left.height and free.height:
        taken = (
            _ranked_pairs(left, free, _PLACE)
            .sort("e")
            .unique("finding", keep="first", maintain_order=True)
        )
        if not taken.height:
            break
        pairs.append(taken)
        left = left.join(taken, on="e", how="anti")
        free = free.join(taken, on="finding", how="anti")
    unkeyed = failed.filter(pl.col("key").is_null())
    rest = ruled.join(pl.concat(pairs), on="finding", how="anti")
    pairs.append(_ranked_pairs(unkeyed, rest, ["rule"]))
    return pl.concat(pairs)


_CASE_COLUMNS = ("key", "line", "classname", "name", "outcome", "message", "kind", "details")


def _tallies(evaluations: pl.DataFrame) -> pl.DataFrame:
    """One passing case per rule and file, one skipped case per rule, file and reason."""
    groups = pl.col("groups")
    noun = pl.when(groups == 1).then(pl.lit("group")).otherwise(pl.lit("groups"))
    skipped = pl.col("outcome") == "not_evaluated"
    return (
        evaluations.filter(pl.col("outcome") != "fail")
        .with_columns(pl.col("path").replace("", None), pl.col("reason").fill_null(""))
        .group_by("path", "rule", "outcome", "reason")
        .agg(pl.len().alias("groups"))
        .sort("path", "rule", "outcome", "reason", nulls_last=True)
        .select(
            pl.col("path").cast(pl.Binary).alias("key"),
            pl.lit(None, pl.Int64).alias("line"),
            pl.col("rule").alias("classname"),
            pl.when(skipped)
            .then(pl.format("{} {} not evaluated", groups, noun))
            .otherwise(pl.format("{} {} checked", groups, noun))
            .alias("name"),
            pl.when(skipped).then(pl.lit("skip")).otherwise(pl.lit("pass")).alias("outcome"),
            pl.when(skipped)
            .then(pl.when(pl.col("reason") == "").then(pl.lit("not evaluated")).otherwise("reason"))
            .alias("message"),
            pl.lit(None, pl.String).alias("kind"),
            pl.lit(None, pl.String).alias("details"),
        )
    )


def _shown(found: pl.Expr, fail_on: Severity) -> list[pl.Expr]:
    """The outcome, message, kind and details of a case showing a finding (where ``found``):
    a failure when the finding is at least as severe as ``fail_on``, else a pass listing it."""
    fails = pl.col("severity").replace_strict(_RANKS, return_dtype=pl.Int64) <= fail_on.rank
    return [
        pl.when(found & ~fails).then(pl.lit("pass")).otherwise(pl.lit("fail")).alias("outcome"),
        pl.when(found & fails).then(pl.col("message")).alias("message"),
        pl.when(found & fails).then(pl.col("code")).alias("kind"),
        pl.when(found).then(pl.col("details")).alias("details"),
    ]


def _cases(report: Report, frames: Collection[str], fail_on: Severity) -> pl.DataFrame:
    """Every case, in the order the report makes them: the tallies, the failed evaluations
    (each with its finding), the findings no evaluation produced, and the findings below
    ``fail_on`` gathered per file and rule."""
    # the figures as findings cite them, written once for the details and the pairing
    cited = citation_columns(report.table.figures, report.table.dimensions)
    findings = _findings(report.table, cited, frames)
    evaluations = report.evaluations
    parts: list[pl.DataFrame] = []
    paired = pl.DataFrame(schema={"e": pl.Int64, "finding": pl.Int64})
    if evaluations is not None:
        evaluations = evaluations.cast(EVALUATION_SCHEMA)
        failed = evaluations.filter(pl.col("outcome") == "fail").select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("e"),
            "rule",
            pl.when(pl.col("group").fill_null("") == "")
            .then(pl.col("rule"))
            .otherwise(pl.col("group"))
            .alias("group"),
            "reason",
            pl.col("path").replace("", None).cast(pl.Binary).alias("key"),
            "line",
        )
        paired = _paired(failed, findings, report.table, cited, frames)
        parts += [_tallies(evaluations), _evaluation_cases(failed, paired, findings, fail_on)]
    parts.append(_finding_cases(findings.join(paired, on="finding", how="anti"), fail_on))
    return _below_threshold_together(pl.concat(parts, how="vertical_relaxed"), fail_on)


def _evaluation_cases(
    failed: pl.DataFrame, paired: pl.DataFrame, findings: pl.DataFrame, fail_on: Severity
) -> pl.DataFrame:
    """A case per failed evaluation, showing its finding; one without a file is shown at its
    finding's place. With no finding, it fails with the rule and the reason."""
    found = pl.col("finding").is_not_null()
    moved = pl.col("key").is_null() & pl.col("placed").fill_null(False)
    unexplained = pl.concat_str(
        pl.col("rule"),
        pl.lit(" failed"),
        pl.when(pl.col("reason").fill_null("") != "")
        .then(pl.concat_str(pl.lit(": "), pl.col("reason")))
        .otherwise(pl.lit("")),
    )
    outcome, message, kind, details = _shown(found, fail_on)
    return (
        failed.join(paired, on="e", how="left", maintain_order="left")
        .join(findings, on="finding", how="left", suffix="_found", maintain_order="left")
        .select(
            pl.when(moved).then(_file(pl.col("key_found"))).otherwise("key").alias("key"),
            pl.when(moved).then(pl.col("line_found")).otherwise("line").alias("line"),
            pl.col("rule").alias("classname"),
            pl.col("group").alias("name"),
            outcome,
            pl.when(found).then(message).otherwise(unexplained).alias("message"),
            pl.when(found).then(kind).otherwise(pl.col("reason")).alias("kind"),
            details,
        )
    )


def _finding_cases(findings: pl.DataFrame, fail_on: Severity) -> pl.DataFrame:
    """A case per finding no evaluation produced, at its place, named by its line, code and
    field; one without a rule is a case of ``read``."""
    line = pl.when(pl.col("placed")).then(pl.col("line"))
    field = pl.col("field").fill_null("")
    return findings.sort("finding").select(
        pl.when(pl.col("placed")).then(_file(pl.col("key"))).alias("key"),
        line.alias("line"),
        pl.when(pl.col("rule").fill_null("") == "")
        .then(pl.lit("read"))
        .otherwise(pl.col("rule"))
        .alias("classname"),
        pl.concat_str(
            pl.when(line.is_null())
            .then(pl.col("code"))
            .otherwise(pl.format("line {}: {}", line, pl.col("code"))),
            pl.when(pl.col("placed") & (field != ""))
            .then(pl.format(" ({})", field))
            .otherwise(pl.lit("")),
        ).alias("name"),
        *_shown(pl.lit(True), fail_on),
    )


def _below_threshold_together(cases: pl.DataFrame, fail_on: Severity) -> pl.DataFrame:
    """The passing cases that carry a finding below ``fail_on`` (a warning or an info), put
    together as one case per file and rule whose output lists them: thousands of derived
    values or short breakdowns are one line each in one case, not a case each."""
    noted = (pl.col("outcome") == "pass") & pl.col("details").is_not_null()
    below = "below the failure threshold" if fail_on is Severity.INFO else f"below {fail_on.value}"
    count = pl.col("count")
    together = (
        cases.filter(noted)
        .group_by("key", "classname", maintain_order=True)
        .agg(pl.len().alias("count"), pl.col("details").str.join("\n"))
        .select(
            "key",
            pl.lit(None, pl.Int64).alias("line"),
            "classname",
            pl.format(
                "{} finding{} {}",
                count,
                pl.when(count == 1).then(pl.lit("")).otherwise(pl.lit("s")),
                pl.lit(below),
            ).alias("name"),
            pl.lit("pass").alias("outcome"),
            pl.lit(None, pl.String).alias("message"),
            pl.lit(None, pl.String).alias("kind"),
            "details",
        )
    )
    return pl.concat([cases.filter(~noted), together], how="vertical_relaxed").with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("made")
    )


def _body() -> pl.Expr:
    """Each case's text as element text: its details, else its message; escaped once, as the
    failure and the output both show it."""
    details = pl.col("details")
    return _content(
        pl.when(details.fill_null("") != "")
        .then(details)
        .otherwise(pl.col("message").fill_null(""))
    ).alias("body")


def _case_xml() -> pl.Expr:
    """Each case as its ``<testcase>`` element, at its depth in the document (with its
    :func:`_body` in ``body``)."""
    outcome, body, message = pl.col("outcome"), pl.col("body"), pl.col("message")
    failure = pl.concat_str(
        pl.lit('\n      <failure message="'),
        _attribute(message.fill_null("")),
        pl.lit('"'),
        pl.when(pl.col("kind").fill_null("") != "")
        .then(pl.concat_str(pl.lit(' type="'), _attribute(pl.col("kind")), pl.lit('"')))
        .otherwise(pl.lit("")),
        pl.when(body != "")
        .then(pl.concat_str(pl.lit(">"), body, pl.lit("</failure>")))
        .otherwise(pl.lit(" />")),
    )
    skipped = pl.concat_str(
        pl.lit('\n      <skipped message="'), _attribute(message.fill_null("")), pl.lit('" />')
    )
    output = pl.concat_str(pl.lit("\n      <system-out>"), body, pl.lit("</system-out>"))
    inner = (
        pl.when(outcome == "fail")
        .then(failure)
        .when(outcome == "skip")
        .then(skipped)
        .when(pl.col("details").fill_null("") != "")
        .then(output)
    )
    return pl.concat_str(
        pl.lit('\n    <testcase classname="'),
        _attribute(pl.col("classname")),
        pl.lit('" name="'),
        _attribute(pl.col("name")),
        pl.lit('"'),
        pl.when(pl.col("key").is_not_null())
        .then(
            pl.concat_str(
                pl.lit(' file="'), _attribute(named(pl.col("key"), file_name)), pl.lit('"')
            )
        )
        .otherwise(pl.lit("")),
        pl.when(pl.col("line").is_not_null())
        .then(pl.format(' line="{}"', pl.col("line")))
        .otherwise(pl.lit("")),
        pl.when(inner.is_not_null())
        .then(pl.concat_str(pl.lit(">"), inner, pl.lit("\n    </testcase>")))
        .otherwise(pl.lit(" />")),
    )


def _counts(tests: int, failures: int, skipped: int) -> str:
    return f'tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}"'


def report_junit(report: Report, *, fail_on: Severity = Severity.ERROR) -> str:
    """The report as JUnit XML; findings at least as severe as ``fail_on`` are failures."""
    cases = _cases(report, frame_paths(report.inputs), fail_on)
    inputs = {item.path.encode("utf-8", "surrogatepass"): item for item in report.inputs}
    found = cases.get_column("key").unique().to_list()
    others = sorted(key for key in found if key is not None and key not in inputs)
    suites: list[bytes | None] = [*inputs, *others]
    if None in found:
        suites.append(None)
    numbers = pl.DataFrame(
        {"key": suites, "suite": range(len(suites))},
        schema={"key": pl.Binary, "suite": pl.Int64},
    )
    written = (
        cases.join(numbers, on="key", how="left", nulls_equal=True)
        .sort(
            "suite",
            pl.col("line").is_null(),
            pl.col("line").fill_null(0),
            "classname",
            "name",
            "made",
        )
        .with_columns(_body())
        .group_by("suite", maintain_order=True)
        .agg(
            pl.len().alias("tests"),
            (pl.col("outcome") == "fail").sum().alias("failures"),
            (pl.col("outcome") == "skip").sum().alias("skipped"),
            _case_xml().str.join("").alias("xml"),
        )
    )
    by_suite = {row[0]: row[1:] for row in written.iter_rows()}
    totals = [int(written.get_column(name).sum()) for name in ("tests", "failures", "skipped")]
    head = f'<testsuites name="tip-indicators" {_counts(*totals)}'
    if not suites:
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{head} />\n'
    timestamp = report.created[:19]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', head + ">"]
    for number, key in enumerate(suites):
        tests, failures, skipped, xml = by_suite.get(number, (0, 0, 0, ""))
        name = report.profile if key is None else file_name(key.decode("utf-8", "surrogatepass"))
        facts = [("tool", f"tip-indicators {report.tool_version}"), ("profile", report.profile)]
        if key in inputs:
            item = inputs[key]
            facts += [("sha256", item.sha256), ("observations", str(item.observations))]
        counts = _counts(tests, failures, skipped)
        lines.append(
            f'  <testsuite name="{_quoted(name, _IN_ATTRIBUTE)}" {counts}'
            f' timestamp="{_quoted(timestamp, _IN_ATTRIBUTE)}">'
        )
        lines.append("    <properties>")
        lines.extend(
            f'      <property name="{key_}" value="{_quoted(value, _IN_ATTRIBUTE)}" />'
            for key_, value in facts
        )
        lines.append("    </properties>" + xml)
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"
