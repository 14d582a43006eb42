"""A self-contained HTML report for people: one file with its styles and charts inline.

The page opens with counts by severity, by finding code and by reporter, then draws what is
easier seen than read (who referred victims where, with mismatched mirror pairs marked; parts
against their total for failed breakdowns; reporters by completeness), then lists the findings
in one collapsible section per code, each with its figures, suggested fixes and a link to the
code's documentation. The finding rows are written column-wise from the report's findings
table; a section shows at most ``rows_per_code`` rows and says how many it leaves out, so a
report with tens of thousands of findings stays a page a browser opens at once.
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Iterable, Sequence

import polars as pl

from tip_indicators.datasets import Dataset
from tip_indicators.findings import Severity, finding_codes
from tip_indicators.findings.citations import DIMENSION_DEFAULT, citation_label
from tip_indicators.findings.frame import path_texts
from tip_indicators.findings.summary import counts_by_code, counts_by_reporter, first_reporters
from tip_indicators.render._charts import Flow, Part, parts_bars, sankey
from tip_indicators.report import Report

__all__ = ["DOCS_URL", "escape_column", "report_html"]

DOCS_URL = "https://tip-indicators.org/reference/findings/"
"""The page documenting every finding code; a code's section is its anchor."""

ROWS_PER_CODE = 200
MIRROR_CODE = "mirror-mismatch"
PARTITION_CODES = ("partition-exceeds", "partition-shortfall")
_SANKEYS, _FLOWS, _BARS, _REPORTERS = 4, 40, 30, 60
_RANKS = {severity.value: severity.rank for severity in Severity}
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


def escape_column(text: pl.Expr) -> pl.Expr:
    """Each text as :func:`html.escape` writes it (quotes included), column-wise."""
    return text.str.replace_many(list(_ENTITIES), list(_ENTITIES.values()))


def _e(text: object) -> str:
    return html.escape(str(text))


def _number_text(value: pl.Expr) -> pl.Expr:
    whole = value.is_finite() & (value == value.round(0)) & (value.abs() < 1e15)
    return (
        pl.when(whole)
        .then(value.fill_nan(0).clip(-1e15, 1e15).cast(pl.Int64).cast(pl.String))
        .otherwise(value.cast(pl.String))
    )


def report_html(
    report: Report,
    *,
    dataset: Dataset | None = None,
    docs_url: str = DOCS_URL,
    rows_per_code: int = ROWS_PER_CODE,
) -> str:
    """``report`` as one HTML page with no outside resource. ``dataset`` (the figures that were
    checked) lets the charts draw every referral flow and every reporter; without it they draw
    the figures the findings cite. ``docs_url`` is the page of finding codes the findings link
    to; each code section lists at most ``rows_per_code`` findings."""
    table = report.table
    figures = table.figures.with_row_index("figure").with_columns(pl.col("figure").cast(pl.Int64))
    rows = table.rows.with_row_index("_i").with_columns(first_reporters(table).alias("_reporter"))
    body = [
        _header(report),
        _summary(report),
        _pictures(report, rows, figures, table.dimensions, dataset),
        _findings(rows, figures, table.dimensions, docs_url, rows_per_code),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(_title(report))}</title><style>{_STYLE}</style></head>\n"
        f"<body>{''.join(body)}<script>{_SCRIPT}</script></body></html>\n"
    )


def _title(report: Report) -> str:
    names = ", ".join(item.path for item in report.inputs[:3])
    more = f" and {len(report.inputs) - 3} more" if len(report.inputs) > 3 else ""
    return f"tip-indicators report: {names}{more}" if names else "tip-indicators report"


def _header(report: Report) -> str:
    inputs = "".join(
        f"<tr><td>{_e(item.path)}</td><td class=num>{item.observations:,}</td>"
        f"<td><code>{_e(item.sha256[:16])}</code></td></tr>"
        for item in report.inputs
    )
    table = (
        "<table class=inputs><thead><tr><th>input</th><th>figures</th><th>sha256</th></tr>"
        f"</thead><tbody>{inputs}</tbody></table>"
        if inputs
        else ""
    )
    return (
        f"<header><h1>{_e(_title(report))}</h1><p class=meta>tip-indicators "
        f"{_e(report.tool_version)} · profile <code>{_e(report.profile)}</code> · "
        f"{_e(report.created)}</p>{table}</header>"
    )


def _card(label: str, count: int, kind: str = "") -> str:
    return f"<div class='card {kind}'><b>{count:,}</b><span>{_e(label)}</span></div>"


def _summary(report: Report) -> str:
    cards = [
        _card("figures checked", report.observations),
        _card("rules evaluated", report.rules_evaluated),
        _card("not evaluated", report.not_evaluated),
        _card("errors", report.errors, "error"),
        _card("warnings", report.warnings, "warning"),
        _card("infos", report.infos, "info"),
    ]
    titles = finding_codes()
    code_rows = [
        f"<tr><td><a href='#code-{_e(code)}'><code>{_e(code)}</code></a></td>"
        f"<td>{_e(titles[code].title if code in titles else '')}</td>"
        + _count_cells(counts)
        + "</tr>"
        for code, *counts, _ in counts_by_code(report.table).iter_rows()
    ]
    by_reporter = counts_by_reporter(report.table)
    reporter_rows = [
        f"<tr><td>{_e(name) if name is not None else '<i>no reporter</i>'}</td>"
        + _count_cells(counts)
        + "</tr>"
        for name, *counts, _ in by_reporter.head(_REPORTERS).iter_rows()
    ]
    left = by_reporter.height - min(by_reporter.height, _REPORTERS)
    note = f"<p class=note>{left:,} more reporters not shown.</p>" if left else ""
    head = "<th>errors</th><th>warnings</th><th>infos</th><th>all</th>"
    return (
        "<section id=summary><h2>Summary</h2>"
        f"<div class=cards>{''.join(cards)}</div>"
        "<div class=side>"
        "<div><h3>By finding code</h3><table class=counts><thead><tr><th>code</th>"
        f"<th>what it means</th>{head}</tr></thead><tbody>{''.join(code_rows)}</tbody></table>"
        "</div><div><h3>By reporter</h3><table class=counts><thead><tr><th>reporter</th>"
        f"{head}</tr></thead><tbody>{''.join(reporter_rows)}</tbody></table>{note}</div></div>"
        "</section>"
    )


def _count_cells(counts: Sequence[int]) -> str:
    cells = "".join(
        f"<td class='num {kind}'>{n:,}</td>" if n else "<td class=num>0</td>"
        for n, kind in zip(counts, ("error", "warning", "info"), strict=True)
    )
    return f"{cells}<td class=num>{sum(counts):,}</td>"


def _pictures(
    report: Report,
    rows: pl.DataFrame,
    figures: pl.DataFrame,
    dimensions: Sequence[str],
    dataset: Dataset | None,
) -> str:
    parts = ["<section id=pictures><h2>Pictures</h2>"]
    parts.append(_referrals(rows, figures, dimensions, dataset))
    parts.append(_breakdowns(rows, figures, dimensions))
    parts.append(_completeness(rows, dataset))
    parts.append("</section>")
    return "".join(parts)


def _amounts(figures: pl.DataFrame, dataset: Dataset | None) -> pl.DataFrame:
    """The figures to draw flows from, with an ``amount`` each: the dataset's when given (the
    middle of a censored interval), else the figures the findings cite."""
    if dataset is not None:
        frame = dataset.observations
        return frame.with_columns(((pl.col("low") + pl.col("high")) / 2).alias("amount"))
    return figures.with_columns(
        pl.col("value").cast(pl.Float64, strict=False).alias("amount")
    ).unique(subset=[c for c in figures.columns if c not in {"figure", "line", "source"}])


def _referrals(
    rows: pl.DataFrame, figures: pl.DataFrame, dimensions: Sequence[str], dataset: Dataset | None
) -> str:
    """The referral-flow section: a Sankey diagram per indicator and period, from the checked
    figures (or those the findings cite), mismatched mirror pairs drawn dashed. Long because
    the flows, their mismatches and the pictures are read off one frame of referrals."""
    title = "<h3 id=referrals>Referral flows</h3>"
    frame = _amounts(figures, dataset)
    if not {"destination", "referrer"} & set(frame.columns):
        return title + "<p class=note>No figure is broken down by destination or referrer.</p>"
    frame = frame.with_columns(
        pl.col(name).fill_null(DIMENSION_DEFAULT) if name in frame.columns else pl.lit("_T")
        for name in ("destination", "referrer")
    )
    others = [d for d in frame.columns if d in _dimension_names(dimensions, dataset)]
    others = [d for d in others if d not in {"destination", "referrer"}]
    specific = [(pl.col(d).fill_null("_T") != "_T").cast(pl.Int32) for d in others]
    plain = frame.filter(
        (pl.col("measure").fill_null("N") == "N") & pl.col("amount").is_not_null()
    ).with_columns((pl.sum_horizontal(specific) if specific else pl.lit(0)).alias("_specific"))
    sent = _side(plain, "destination", "referrer", others).select(
        "indicator", "period", pl.col("reporter").alias("source"),
        pl.col("destination").alias("target"), pl.col("amount").alias("sent"),
    )  # fmt: skip
    received = _side(plain, "referrer", "destination", others).select(
        "indicator", "period", pl.col("referrer").alias("source"),
        pl.col("reporter").alias("target"), pl.col("amount").alias("received"),
    )  # fmt: skip
    key = ["indicator", "period", "source", "target"]
    flows = (
        sent.group_by(key, maintain_order=True)
        .agg(pl.col("sent").sum())
        .join(
            received.group_by(key, maintain_order=True).agg(pl.col("received").sum()),
            on=key,
            how="full",
            coalesce=True,
        )
        .with_columns(pl.coalesce("sent", "received").alias("value"))
        .join(_mismatched(rows, figures), on=key, how="left")
        .with_columns(pl.col("mismatch").fill_null(False))
    )
    if flows.height == 0:
        return title + "<p class=note>No referral figure (one with a destination or referrer).</p>"
    groups = (
        flows.group_by("indicator", "period")
        .agg(pl.col("value").sum().alias("total"), pl.col("mismatch").any())
        .sort(["mismatch", "total", "indicator", "period"], descending=[True, True, False, False])
    )
    names = {code: org.name for code, org in (dataset.organisations if dataset else {}).items()}
    out = [title, "<p>Who sent persons where; red dashed bands are mirror pairs that disagree."]
    out.append(" Hover a band or a box for its figures.</p>")
    for indicator, period in groups.select("indicator", "period").head(_SANKEYS).iter_rows():
        group = flows.filter((pl.col("indicator") == indicator) & (pl.col("period") == period))
        group = group.sort(["mismatch", "value"], descending=True)
        drawn = group.head(_FLOWS)
        heading = f"{indicator} {period}"
        out.append(f"<figure><figcaption>{_e(heading)}</figcaption>")
        out.append(
            sankey(
                [
                    Flow(
                        r["source"],
                        r["target"],
                        r["value"],
                        r["sent"],
                        r["received"],
                        r["mismatch"],
                    )
                    for r in drawn.iter_rows(named=True)
                ],
                title=f"Referral flows: {heading}",
                names=names,
            )
        )
        if group.height > drawn.height:
            out.append(
                f"<p class=note>{group.height - drawn.height:,} smaller flows not drawn.</p>"
            )
        out.append("</figure>")
    if groups.height > _SANKEYS:
        out.append(f"<p class=note>{groups.height - _SANKEYS:,} more indicator-periods with ")
        out.append("referral figures not drawn.</p>")
    return "".join(out)


def _side(frame: pl.DataFrame, given: str, total: str, others: list[str]) -> pl.DataFrame:
    """A reporter's figures broken down by ``given`` (with ``total`` at its total), at the
    least detailed level it gives them (a breakdown given only within an activity or a sex is
    summed over it), each key once."""
    broken = frame.filter((pl.col(given) != "_T") & (pl.col(total) == "_T"))
    group = ["indicator", "period", "reporter"]
    least = pl.col("_specific") == pl.col("_specific").min().over(group)
    return broken.filter(least).unique(subset=[*group, given, *others], keep="first")


def _dimension_names(dimensions: Sequence[str], dataset: Dataset | None) -> set[str]:
    return set(dimensions) | set(dataset.dimensions if dataset is not None else ())


def _mismatched(rows: pl.DataFrame, figures: pl.DataFrame) -> pl.DataFrame:
    """The sender, receiver, indicator and period of every mirror pair a finding says
    disagrees."""
    schema = dict.fromkeys(("indicator", "period", "source", "target"), pl.String)
    if "destination" not in figures.columns:
        return pl.DataFrame(schema=schema | {"mismatch": pl.Boolean})
    cited = (
        rows.filter(pl.col("code") == MIRROR_CODE)
        .select(pl.col("cited").explode().alias("figure"))
        .drop_nulls()
    )
    return (
        cited.join(figures, on="figure")
        .filter(pl.col("destination") != DIMENSION_DEFAULT)
        .select(
            "indicator",
            "period",
            pl.col("reporter").alias("source"),
            pl.col("destination").alias("target"),
            pl.lit(True).alias("mismatch"),
        )
        .unique()
    )


def _breakdowns(rows: pl.DataFrame, figures: pl.DataFrame, dimensions: Sequence[str]) -> str:
    title = "<h3 id=breakdowns>Breakdowns that do not add up</h3>"
    failed = rows.filter(pl.col("code").is_in(PARTITION_CODES))
    if failed.height == 0:
        return title + "<p class=note>Every breakdown checked adds up to its total.</p>"
    shown = failed.head(_BARS)
    cited = shown.select("_i", "message", pl.col("cited")).explode("cited")
    cited = cited.join(
        figures.select(
            pl.col("figure").alias("cited"),
            "value",
            pl.col("value").cast(pl.Float64, strict=False).alias("amount"),
            *dimensions,
        ),
        on="cited",
        how="left",
        maintain_order="left",
    )
    out = [title, "<p>Each failed breakdown: its total above, its parts stacked below.</p>"]
    for (_, message), group in cited.group_by("_i", "message", maintain_order=True):
        records = list(group.iter_rows(named=True))
        total, rest = records[0], records[1:]
        total_part = Part("total", total["amount"], total["value"])
        pieces = [
            Part(_part_label(total, part, dimensions), part["amount"], part["value"])
            for part in rest
        ]
        out.append(f"<figure><figcaption>{_e(message)}</figcaption>")
        out.append(parts_bars(total_part, pieces, title=str(message)))
        out.append("</figure>")
    if failed.height > shown.height:
        out.append(f"<p class=note>{failed.height - shown.height:,} more not drawn.</p>")
    return "".join(out)


def _part_label(total: dict[str, object], part: dict[str, object], dims: Iterable[str]) -> str:
    differ = [f"{d}={part[d]}" for d in dims if part.get(d) != total.get(d)]
    return ",".join(differ) or "part"


def _completeness(rows: pl.DataFrame, dataset: Dataset | None) -> str:
    title = "<h3 id=completeness>Reporters by completeness</h3>"
    if dataset is None:
        return title + "<p class=note>Drawn when the report is made with its dataset.</p>"
    frame = dataset.observations
    if frame.get_column("reporter").n_unique() < 2:
        return title + "<p class=note>The dataset has one reporter.</p>"
    broken = [pl.col(d) != DIMENSION_DEFAULT for d in dataset.dimensions]
    per = (
        frame.group_by("reporter")
        .agg(
            pl.len().alias("figures"),
            pl.col("low").is_not_null().sum().alias("stated"),
            pl.col("indicator").n_unique().alias("indicators"),
            pl.any_horizontal(broken).sum().alias("breakdowns") if broken else pl.lit(0),
        )
        .join(
            rows.group_by(pl.col("_reporter").alias("reporter")).agg(
                (pl.col("severity") == "error").sum().alias("errors"),
                (pl.col("severity") == "warning").sum().alias("warnings"),
            ),
            on="reporter",
            how="left",
        )
        .with_columns(
            pl.col("errors", "warnings").fill_null(0),
            (100 * pl.col("stated") / pl.col("figures")).alias("share"),
        )
        .sort(["share", "errors", "reporter"], descending=[False, True, False])
    )
    lines = []
    for r in per.head(_REPORTERS).iter_rows(named=True):
        lines.append(
            f"<tr><td>{_e(r['reporter'])}</td><td class=num>{r['figures']:,}</td>"
            f"<td class=num>{r['stated']:,}</td><td><span class=meter><span "
            f"style='width:{r['share']:.0f}%'></span></span> {r['share']:.0f}%</td>"
            f"<td class=num>{r['indicators']:,}</td><td class=num>{r['breakdowns']:,}</td>"
            f"<td class='num{' error' if r['errors'] else ''}'>{r['errors']:,}</td>"
            f"<td class='num{' warning' if r['warnings'] else ''}'>{r['warnings']:,}</td></tr>"
        )
    left = per.height - min(per.height, _REPORTERS)
    note = f"<p class=note>{left:,} more reporters not shown.</p>" if left else ""
    return (
        f"{title}<p>Figures each reporter gives, how many state a value (the rest are missing "
        "with a status), and the findings on its figures; least complete first.</p>"
        "<table class=counts><thead><tr><th>reporter</th><th>figures</th><th>stated</th>"
        "<th>complete</th><th>indicators</th><th>broken down</th><th>errors</th>"
        f"<th>warnings</th></tr></thead><tbody>{''.join(lines)}</tbody></table>{note}"
    )


def _findings(
    rows: pl.DataFrame,
    figures: pl.DataFrame,
    dimensions: Sequence[str],
    docs_url: str,
    cap: int,
) -> str:
    """The findings section: per finding code, its title, a link to its documentation and at most
    ``cap`` rows, with a note of those left out. Long because the grouping by code
    and the cap per code are applied to one frame before the rows are written."""
    out = [
        "<section id=findings><h2>Findings</h2>",
        "<p><label>Filter the findings shown: <input id=filter type=search "
        "placeholder='a reporter, an indicator, a file…'></label></p>",
    ]
    if rows.height == 0:
        out.append("<p class=note>No findings: every figure checked passes.</p></section>")
        return "".join(out)
    shown = rows.filter(pl.int_range(pl.len()).over("code") < cap)
    cells = _finding_cells(shown, figures, dimensions).get_column("html")
    by_code = dict(
        zip(
            shown.get_column("code").to_list(),
            [[] for _ in range(shown.height)],
            strict=False,
        )
    )
    for code, cell in zip(shown.get_column("code").to_list(), cells.to_list(), strict=True):
        by_code[code].append(cell)
    titles = finding_codes()
    order = (
        rows.group_by("code")
        .agg(
            pl.col("severity").replace_strict(_RANKS, return_dtype=pl.Int64).min().alias("rank"),
            *[(pl.col("severity") == s.value).sum().alias(s.value) for s in Severity],
            pl.len().alias("count"),
        )
        .sort(["rank", "count", "code"], descending=[False, True, False])
    )
    open_all = rows.height <= 50
    for record in order.iter_rows(named=True):
        code = record["code"]
        link = docs_url + "#" + urllib.parse.quote(code, safe="")
        present = [s for s in Severity if record[s.value]]
        severities = ", ".join(f"{record[s.value]:,} {s.value}" for s in present)
        worst = min(present, key=lambda s: s.rank)
        meaning = titles[code].title if code in titles else ""
        out.append(
            f"<details class=code id='code-{_e(code)}'{' open' if open_all else ''}><summary>"
            f"<span class='badge {worst.value}'>{worst.value}</span> <code>{_e(code)}</code> "
            f"<b>{record['count']:,}</b> ({_e(severities)}) {_e(meaning)} "
            f"<a href='{_e(link)}'>docs</a></summary>"
            "<table class=findings><colgroup><col style='width:70px'><col style='width:14%'>"
            "<col style='width:34%'><col style='width:30%'><col></colgroup><thead><tr>"
            "<th>severity</th><th>where</th><th>finding</th>"
            "<th>figures cited</th><th>suggested fix</th></tr></thead><tbody>"
        )
        out.extend(by_code[code])
        out.append("</tbody></table>")
        left = record["count"] - len(by_code[code])
        if left:
            out.append(
                f"<p class=note>{left:,} more <code>{_e(code)}</code> findings not shown here "
                "(the JSON or text report lists them all).</p>"
            )
        out.append("</details>")
    out.append("</section>")
    return "".join(out)


def _finding_cells(shown: pl.DataFrame, figures: pl.DataFrame, dims: Sequence[str]) -> pl.DataFrame:
    """The ``<tr>`` of each finding in ``shown``, built column-wise.

    Long because it is one query: each cell of a finding's row is one expression of the same
    frame."""
    where = pl.concat_str(
        escape_column(pl.col("path")),
        pl.when(pl.col("line").is_not_null()).then(
            pl.concat_str(pl.lit(":"), pl.col("line").cast(pl.String))
        ),
        ignore_nulls=True,
    )
    figure_items = figures.select(
        pl.col("figure").alias("cited"),
        pl.format(
            "<li><span class=where>{}</span> {} = <b>{}</b>{}</li>",
            where.fill_null(""),
            escape_column(citation_label(dims)),
            escape_column(pl.col("value")),
            pl.when(pl.col("derived")).then(pl.lit(" <i>(derived)</i>")).otherwise(pl.lit("")),
        ).alias("item"),
    )
    cited = (
        shown.select("_i", "cited")
        .explode("cited")
        .drop_nulls()
        .join(figure_items, on="cited", how="left", maintain_order="left")
        .group_by("_i", maintain_order=True)
        .agg(pl.col("item").str.join(""))
    )
    suggested = shown.select("_i", "suggestions").explode("suggestions").drop_nulls()
    suggested = suggested.unnest("suggestions")
    suggested = suggested.with_columns(path_texts(suggested.get_column("path")).alias("path"))
    fixes = suggested.group_by("_i", maintain_order=True).agg(
        pl.format(
            "<li><span class=where>{}</span>: <b>{}</b> <span class=reason>({})</span></li>",
            where.fill_null(""),
            escape_column(pl.col("value")).fill_null(""),
            escape_column(pl.col("reason")).fill_null(""),
        ).str.join("")
    )
    fixes = fixes.rename({fixes.columns[1]: "fix"})
    expected = pl.coalesce(_number_text(pl.col("expected")), pl.col("expected_text"))
    actual = pl.coalesce(_number_text(pl.col("actual")), pl.col("actual_text"))
    numbers = pl.concat_str(
        pl.when(expected.is_not_null()).then(
            pl.concat_str(pl.lit("expected <b>"), escape_column(expected), pl.lit("</b>"))
        ),
        pl.when(actual.is_not_null()).then(
            pl.concat_str(pl.lit("actual <b>"), escape_column(actual), pl.lit("</b>"))
        ),
        separator=", ",
        ignore_nulls=True,
    )
    rule = pl.when(pl.col("rule").is_not_null() & (pl.col("rule") != "")).then(
        pl.concat_str(pl.lit(" rule <code>"), escape_column(pl.col("rule")), pl.lit("</code>"))
    )
    frame = shown.with_columns(path_texts(shown.get_column("path")).alias("path"))
    frame = frame.join(cited, on="_i", how="left", maintain_order="left")
    frame = frame.join(fixes, on="_i", how="left", maintain_order="left")
    return frame.select(
        pl.format(
            "<tr class={}><td><span class='badge {}'>{}</span></td><td class=where>{}</td>"
            "<td>{}<div class=numbers>{}{}</div></td><td><ul>{}</ul></td><td><ul>{}</ul></td>"
            "</tr>",
            escape_column(pl.col("severity")),
            escape_column(pl.col("severity")),
            escape_column(pl.col("severity")),
            where.fill_null(""),
            escape_column(pl.col("message")),
            numbers.fill_null(""),
            rule.fill_null(""),
            pl.col("item").fill_null(""),
            pl.col("fix").fill_null(""),
        ).alias("html")
    )


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1280px;padding:0 24px 48px;color:#1d1d1f;background:#fff}
h1{font-size:22px;margin:20px 0 4px}h2{border-bottom:2px solid #3f51b5;padding-bottom:4px;
margin-top:32px}h3{margin:20px 0 8px}.meta{color:#555;margin:0 0 8px}
table{border-collapse:collapse;margin:4px 0 8px}th,td{border-bottom:1px solid #e0e0e0;
padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0 12px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}.card span{color:#555}
.card.error b,td.error{color:#b71c1c}.card.warning b,td.warning{color:#a15c00}
.card.info b,td.info{color:#1a5fa8}.side{display:flex;gap:32px;flex-wrap:wrap}
.badge{border-radius:3px;padding:0 5px;font-size:12px;color:#fff;background:#1a5fa8}
.badge.error{background:#b71c1c}.badge.warning{background:#a15c00}
details.code{border:1px solid #ddd;border-radius:6px;margin:8px 0;padding:4px 10px}
details.code summary{cursor:pointer;padding:4px 0}
table.findings{width:100%;font-size:13px;table-layout:fixed}
table.findings td{overflow-wrap:anywhere}table.findings ul{margin:0;padding-left:16px}
.where{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#444;
word-break:break-all}.numbers{color:#555;font-size:12px}.reason{color:#555}
.note{color:#666;font-style:italic}figure{margin:12px 0}figcaption{font-weight:600;margin:4px 0}
svg.chart{max-width:100%;height:auto;font-size:12px;font-family:inherit}
svg text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .node{fill:#37474f}svg .total{fill:#90a4ae}svg .missing{fill:none;stroke:#a15c00;
stroke-dasharray:4 3;stroke-width:1.5}svg .excess{fill:#d62728;fill-opacity:.35;
stroke:#d62728;stroke-width:1.5}svg .inbar{fill:#fff;stroke:none}svg .mismatch-label{fill:#b71c1c;
font-weight:600}.meter{display:inline-block;width:80px;height:8px;background:#eee;
border-radius:4px;vertical-align:middle}.meter span{display:block;height:8px;
background:#59a14f;border-radius:4px}input[type=search]{width:320px;padding:4px}
"""

_SCRIPT = """
document.getElementById("filter").addEventListener("input", function (event) {
  var query = event.target.value.toLowerCase();
  document.querySelectorAll("table.findings tbody tr").forEach(function (row) {
    row.hidden = query !== "" && row.textContent.toLowerCase().indexOf(query) < 0;
  });
  if (query !== "") {
    document.querySelectorAll("details.code").forEach(function (d) { d.open = true; });
  }
});
"""
