"""Tests of the HTML report: any report renders with its counts, text from data is escaped, the
charts draw what the figures say, and the pages of the examples open in headless Chromium."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from browser import Browser
from strategies import check_text
from tip_indicators.check import check
from tip_indicators.cli import main
from tip_indicators.datasets import Dataset
from tip_indicators.findings import (
    Finding,
    Location,
    ObservationRef,
    Severity,
    Suggestion,
    finding_codes,
)
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.io.readers import read_dataset
from tip_indicators.profiles import load_profile
from tip_indicators.render.html import DOCS_URL, escape_column, report_html
from tip_indicators.report import Report

ROOT = Path(__file__).parent.parent
WORKED = ROOT / "examples" / "cambodia-2010" / "report-2010.csv"
COALITION = ROOT / "examples" / "coalition"
INJECTED = "<x-injected a='1'>"


class Page(HTMLParser):
    """A parsed page: its start tags, its text chunks, and the cells of each table row under
    the section it is in."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.rows: list[tuple[str, int, list[str]]] = []
        self._section = ""
        self._tables = 0
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            self._section, self._tables = dict(attrs).get("id") or "", 0
        elif tag == "table":
            self._tables += 1
        elif tag == "tr":
            self._cells = []
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cells is not None and self._cell is not None:
            self._cells.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._cells is not None:
            self.rows.append((self._section, self._tables, self._cells))
            self._cells = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table(self, section: str, number: int) -> list[list[str]]:
        """The body rows of the ``number``-th table of ``section`` (the header row left out)."""
        found = [cells for s, n, cells in self.rows if (s, n) == (section, number)]
        return found[1:]

    def with_class(self, tag: str, name: str) -> list[dict[str, str | None]]:
        """The attributes of every ``tag`` whose class list holds ``name``."""
        return [
            attrs
            for seen, attrs in self.tags
            if seen == tag and name in (attrs.get("class") or "").split()
        ]


# Text as data brings it: markup, entities, quotes, and any printable character.
texts = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
    st.sampled_from([INJECTED, "a & b", "\"'><img src=x onerror=alert(1)>", "&amp;", "</td>"]),
)
codes = st.one_of(st.sampled_from(sorted(finding_codes())), texts)


@st.composite
def refs(draw: st.DrawFn) -> ObservationRef:
    """A cited figure with text from data everywhere."""
    return ObservationRef(
        draw(texts),
        draw(st.sampled_from(["2010", "2024"])),
        draw(texts),
        {"sex": draw(st.sampled_from(["F", "M", "_T"]))},
        "N",
        draw(st.one_of(texts, st.integers(0, 999).map(str))),
        draw(st.none() | texts),
        Location(draw(texts), draw(st.integers(1, 99))),
    )


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    """A finding of any code and severity, citing figures, maybe with a suggestion."""
    cited = tuple(draw(st.lists(refs(), max_size=3)))
    suggestions = tuple(
        Suggestion(ref.location, draw(texts), draw(texts), ref) for ref in cited[:1]
    )
    return Finding(
        draw(codes),
        draw(st.sampled_from(list(Severity))),
        draw(texts),
        cited,
        expected=draw(st.none() | st.integers(0, 10**6).map(float) | texts),
        suggestions=suggestions if draw(st.booleans()) else (),
        rule=draw(st.none() | texts),
    )


def counts_of(found: Sequence[Finding], key: list[str | None]) -> dict[str | None, list[str]]:
    """Errors, warnings, infos and all findings by ``key`` (one per finding), as cell texts."""
    by: dict[str | None, Counter[Severity]] = {}
    for finding, name in zip(found, key, strict=True):
        by.setdefault(name, Counter())[finding.severity] += 1
    return {name: [f"{c[s]:,}" for s in Severity] + [f"{c.total():,}"] for name, c in by.items()}


@given(st.lists(findings(), max_size=12))
def test_every_code_and_reporter_is_counted_in_the_summary(found: list[Finding]) -> None:
    """The summary counts findings by severity, by code and by reporter (the first cited
    figure's), exactly."""
    report = Report(found, observations=7)
    page = Page(report_html(report))
    by_code = {cells[0]: cells[2:] for cells in page.table("summary", 1)}
    assert by_code == counts_of(found, [f.code for f in found])
    reporters = [(f.observations[0].reporter or None) if f.observations else None for f in found]
    expected = counts_of(found, reporters)
    unnamed = expected.pop(None, None)
    by_reporter = {cells[0]: cells[1:] for cells in page.table("summary", 2)}
    assert by_reporter == expected | ({"no reporter": unnamed} if unnamed else {})
    cards = page.with_class("div", "card")
    assert len(cards) == 6
    for severity, noun in zip(Severity, ("errors", "warnings", "infos"), strict=True):
        count = sum(f.severity is severity for f in found)
        assert f"{count:,}{noun}" in "".join(page.texts).replace("\n", "")


@given(st.lists(findings(), min_size=1, max_size=8))
def test_text_from_data_is_escaped(found: list[Finding]) -> None:
    """No text from data becomes markup: the page's only tags are its own, and every message,
    cited value and suggested value reads back as the text it was."""
    page = Page(report_html(Report(found)))
    tags = {tag for tag, _ in page.tags}
    assert tags <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p",
        "table", "thead", "tbody", "tr", "th", "td", "code", "section", "div", "b", "span",
        "a", "i", "figure", "figcaption", "svg", "path", "rect", "text", "details", "summary",
        "ul", "li", "label", "input", "script", "colgroup", "col",
    }  # fmt: skip
    assert sum(tag == "script" for tag, _ in page.tags) == 1
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    chunks = set(page.texts)
    for finding in found:
        assert finding.message in chunks
        for ref in finding.observations:
            assert ref.value in chunks or ref.value == ""
        for suggestion in finding.suggestions:
            assert suggestion.value in chunks


@given(st.text(st.characters(codec="utf-8")))
def test_escape_column_writes_what_html_escape_writes(text: str) -> None:
    """Escaping a column gives, for every text, what html.escape gives."""
    escaped = pl.select(escape_column(pl.lit(text, pl.String))).item()
    assert escaped == html.escape(text)


def one_code(count: int) -> list[Finding]:
    """``count`` warnings of one code, each at its own line."""
    return [
        Finding(
            "partition-shortfall",
            Severity.WARNING,
            f"finding {n}",
            location=Location("a.csv", n + 2),
        )
        for n in range(count)
    ]


@given(st.integers(0, 12), st.integers(1, 6))
def test_a_section_shows_at_most_its_cap_and_says_how_many_it_leaves_out(
    count: int, cap: int
) -> None:
    """A code's section lists at most ``rows_per_code`` findings and names how many more
    there are."""
    page = Page(report_html(Report(one_code(count)), rows_per_code=cap))
    shown = page.with_class("tr", "warning")
    assert len(shown) == min(count, cap)
    text = "".join(page.texts)
    left = count - cap
    assert (f"{left:,} more partition-shortfall findings" in text) == (left > 0)


@given(st.sampled_from(sorted(finding_codes())), st.sampled_from([DOCS_URL, "../docs/x.html"]))
def test_findings_link_to_their_code_on_the_docs_page(code: str, docs: str) -> None:
    """Each code's section links to the code's anchor on the documentation page given."""
    report = Report([Finding(code, Severity.ERROR, "m", location=Location("a.csv", 2))])
    page = Page(report_html(report, docs_url=docs))
    links = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
    assert f"{docs}#{code}" in links


def mirror_text(sent: int, received: int) -> str:
    """GOV.A reports ``sent`` persons sent to NGO.B; NGO.B reports ``received`` from GOV.A."""
    return (
        "indicator,period,reporter,destination,referrer,value\n"
        f"victims_received,2024,GOV.A,NGO.B,,{sent}\n"
        f"victims_received,2024,NGO.B,,GOV.A,{received}\n"
    )


@settings(max_examples=40)
@given(st.integers(0, 500), st.integers(0, 500))
def test_the_sankey_marks_a_mirror_pair_exactly_when_the_two_sides_disagree(
    sent: int, received: int
) -> None:
    """The referral diagram draws the flow from A to B once, red when a mirror-mismatch
    finding says the two sides disagree."""
    dataset = parse_long_csv(mirror_text(sent, received), path="m.csv")
    report = check(dataset)
    page = Page(report_html(report, dataset=dataset))
    mismatched = any(f.code == "mirror-mismatch" for f in report.findings)
    assert mismatched == (sent != received)
    assert len(page.with_class("svg", "sankey")) == 1
    assert len(page.with_class("path", "flow")) == 1
    assert len(page.with_class("path", "mismatch")) == int(mismatched)


@settings(max_examples=40)
@given(st.integers(1, 200), st.integers(0, 200), st.integers(0, 200))
def test_a_failed_breakdown_is_drawn_against_its_total(total: int, f: int, m: int) -> None:
    """Parts that exceed their total are drawn with the excess marked; parts that fall short
    with the missing remainder marked; parts that add up (or cover too little of the total to
    be a failed breakdown) are not drawn."""
    text = "indicator,period,reporter,sex,value\n" + "".join(
        f"victims_identified,2010,GOV.X,{sex},{value}\n"
        for sex, value in (("", total), ("F", f), ("M", m))
    )
    report = check_text(text)
    page = Page(report_html(report))
    failed = {f.code for f in report.findings} & {"partition-exceeds", "partition-shortfall"}
    assert (f + m > total) == ("partition-exceeds" in failed)
    assert len(page.with_class("svg", "bars")) == len(failed)
    assert len(page.with_class("rect", "excess")) == int(f + m > total)
    assert len(page.with_class("rect", "missing")) == int("partition-shortfall" in failed)


def worked_example() -> tuple[Report, Dataset]:
    """The worked example, read and checked."""
    dataset = read_dataset(WORKED)
    return check(dataset), dataset


def coalition() -> tuple[Report, Dataset]:
    """The coalition's submissions checked together against its profile."""
    paths = sorted((COALITION / "submissions").glob("*.csv"))
    dataset = Dataset.combine(read_dataset(path) for path in paths)
    return check(dataset, load_profile(COALITION / "profile.yaml")), dataset


def test_the_coalition_page_marks_its_mirror_mismatch_and_ranks_reporters() -> None:
    """The coalition's page draws one referral diagram with its one mismatched pair, and a
    table of its three reporters by completeness; without the dataset, the diagram still
    draws the pair from the figures the finding cites, and no table."""
    report, dataset = coalition()
    page = Page(report_html(report, dataset=dataset))
    assert len(page.with_class("svg", "sankey")) == 1
    assert len(page.with_class("path", "mismatch")) == 1
    reporters = [cells[0] for cells in page.table("pictures", 1)]
    assert sorted(reporters) == sorted(dataset.observations.get_column("reporter").unique())
    alone = Page(report_html(report))
    assert len(alone.with_class("path", "mismatch")) == 1
    assert alone.table("pictures", 1) == []


def test_validate_writes_the_html_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate --format html writes the page, with the dataset's charts, and exits 1 on an
    error."""
    out = tmp_path / "report.html"
    argv = ["validate", str(COALITION / "submissions"), "--profile"]
    argv += [str(COALITION / "profile.yaml"), "--format", "html", "-o", str(out)]
    assert main(argv) == 1
    page = Page(out.read_text(encoding="utf-8"))
    assert len(page.with_class("path", "mismatch")) == 1
    assert [cells[0] for cells in page.table("summary", 1)] == ["mirror-mismatch"]


@pytest.mark.parametrize("example", [worked_example, coalition])
def test_the_examples_open_in_headless_chromium(example: object, tmp_path: Path) -> None:
    """The page of each example loads in Chromium with no console error and no request, and
    holds the summary and the referral Sankey; the filter hides rows that do not match."""
    assert callable(example)
    report, dataset = example()
    path = tmp_path / "report.html"
    path.write_text(report_html(report, dataset=dataset), encoding="utf-8")
    with Browser() as browser:
        browser.load(path)
        assert browser.evaluate("document.querySelector('#summary table') !== null")
        assert browser.evaluate("document.querySelectorAll('svg.sankey').length") >= 1
        assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
        rows = "document.querySelectorAll('table.findings tbody tr:not([hidden])').length"
        assert browser.evaluate(rows) == len(report.findings)
        browser.evaluate(
            "const f = document.getElementById('filter'); f.value = 'no such text';"
            "f.dispatchEvent(new Event('input'))"
        )
        assert browser.evaluate(rows) == 0
        assert browser.errors == []


def test_the_browser_reports_a_script_error(tmp_path: Path) -> None:
    """A page whose script fails is reported with its error: the check above can fail."""
    path = tmp_path / "broken.html"
    path.write_text("<!DOCTYPE html><p>x</p><script>notDefined()</script>", encoding="utf-8")
    with Browser() as browser:
        browser.load(path)
        assert browser.evaluate("document.querySelector('p').textContent") == "x"
        assert len(browser.errors) == 1
        assert "notDefined" in browser.errors[0]
