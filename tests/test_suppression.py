"""Tests for tip_indicators.suppression: primary and secondary suppression, the audit, rounding.

Deducible intervals are checked against linear programs written here, over relations the tests
state themselves (never the library's), so a relation the library misses shows up as a cell the
test can narrow further.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import attrs
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tip_indicators._private.highs import solver_output_to_stderr
from tip_indicators.check import check
from tip_indicators.datasets import Dataset
from tip_indicators.findings import Severity
from tip_indicators.io.glotip import read_glotip
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv, write_long_csv
from tip_indicators.suppression import (
    AuditReport,
    audit_disclosure,
    random_rounding,
    suppress,
)

Key = tuple[str, ...]
Bounds = tuple[float, float | None]
Relation = tuple[Key, list[Key]]

HEADER = "indicator,period,reporter,sex,value"


def parse(*lines: str) -> Dataset:
    """Parse long-CSV lines (joined by LF) as the file ``t.csv``."""
    return parse_long_csv("\n".join(lines) + "\n", path="t.csv")


def by_key(dataset: Dataset, *columns: str) -> dict[Key, dict[str, object]]:
    """Rows of the dataset's level figures keyed by the given columns."""
    frame = dataset.observations.filter(pl.col("measure") == "N")
    return {tuple(str(row[c]) for c in columns): row for row in frame.iter_rows(named=True)}


def published_bounds(row: Mapping[str, object]) -> Bounds:
    """What a reader knows of a figure from its own text: exact, ``<t`` or any count."""
    value = str(row["value"] or "")
    if value.startswith("<"):
        return 0.0, float(value[1:]) - 1
    if value == "":
        return 0.0, None
    return float(value), float(value)


def possible_values(low: float, high: float | None) -> float:
    """The number of whole numbers in ``low..high``."""
    if high is None:
        return math.inf
    return math.floor(high + 1e-6) - math.ceil(low - 1e-6) + 1


def deduce(bounds: Mapping[Key, Bounds], relations: Sequence[Relation], cell: Key) -> Bounds:
    """The exact range of ``cell`` over tables meeting ``bounds`` and ``parent = sum(children)``."""
    cells = sorted(bounds)
    index = {key: number for number, key in enumerate(cells)}
    rows = []
    for parent, children in relations:
        row = np.zeros(len(cells))
        row[index[parent]] = 1.0
        for child in children:
            row[index[child]] -= 1.0
        rows.append(row)
    a_eq = np.array(rows) if rows else None
    b_eq = np.zeros(len(rows)) if rows else None
    objective = np.zeros(len(cells))
    objective[index[cell]] = 1.0
    found: list[float | None] = []
    for sign in (1.0, -1.0):
        result = linprog(
            sign * objective,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=[bounds[key] for key in cells],
            method="highs",
        )
        assert result.status in (0, 3), result.message
        found.append(None if result.status == 3 else sign * float(result.fun))
    low, high = found
    assert low is not None
    return low, high


# ------------------------------------------------------------------------- hand-made tables

FIXTURES = Path(__file__).parent / "fixtures" / "suppression"
SEX_AGE_RELATIONS: list[Relation] = []
for _code in ("F", "M", "_T"):
    SEX_AGE_RELATIONS.append(((_code, "_T"), [(_code, "Y_LT18"), (_code, "Y_GE18")]))
for _code in ("Y_LT18", "Y_GE18", "_T"):
    SEX_AGE_RELATIONS.append((("_T", _code), [("F", _code), ("M", _code)]))


def withheld(dataset: Dataset) -> dict[Key, str]:
    """The level figures a published dataset withholds, by (sex, age), with their CONF_STATUS."""
    frame = dataset.observations.filter(pl.col("conf_status").is_in(["A", "D"]))
    return {(row["sex"], row["age"]): row["conf_status"] for row in frame.iter_rows(named=True)}


def test_small_counts_become_censored_and_marked_primary() -> None:
    """A count below the threshold is published as <threshold with CONF_STATUS A."""
    result = suppress(parse(HEADER, "victims_identified,2020,X,_T,3"), threshold=5)
    (row,) = result.dataset.observations.iter_rows(named=True)
    assert (row["value"], row["low"], row["high"], row["conf_status"]) == ("<5", 0.0, 4.0, "A")
    assert result.primary == 1
    assert result.secondary == 0


def test_zero_counts_are_published_unless_asked() -> None:
    """A zero is published as it is, and withheld as primary only with zeros=True."""
    dataset = parse(HEADER, "victims_identified,2020,X,_T,0")
    assert suppress(dataset).dataset.observations.get_column("value").to_list() == ["0"]
    withheld_zero = suppress(dataset, zeros=True).dataset.observations.row(0, named=True)
    assert (withheld_zero["value"], withheld_zero["conf_status"]) == ("<5", "A")


def test_threshold_is_configurable() -> None:
    """With threshold 3 a count of 3 is published and 2 is written <3."""
    dataset = parse(HEADER, "victims_identified,2020,X,_T,3", "victims_identified,2021,X,_T,2")
    values = suppress(dataset, threshold=3).dataset.observations.get_column("value").to_list()
    assert values == ["3", "<3"]


def test_one_part_and_its_total_need_one_more_cell() -> None:
    """Of 20 = 17 + 3 the 3 is withheld and so is the 17, not the larger total."""
    dataset = parse(
        HEADER,
        "victims_identified,2020,X,_T,20",
        "victims_identified,2020,X,F,17",
        "victims_identified,2020,X,M,3",
    )
    result = suppress(dataset)
    rows = result.dataset.observations.select("sex", "value", "status", "conf_status").rows()
    assert rows == [("_T", "20", None, None), ("F", "", "Q", "D"), ("M", "<5", None, "A")]
    cells = {row["sex"]: row for row in result.cells.iter_rows(named=True)}
    # By hand: F + M = 20 with 0 <= M <= 4 leaves M in 0..4 and F in 16..20.
    assert (cells["M"]["low"], cells["M"]["high"]) == (0.0, 4.0)
    assert (cells["F"]["low"], cells["F"]["high"]) == (16.0, 20.0)


def test_sex_by_age_small_cell_is_protected_by_a_rectangle() -> None:
    """The 3 girls of the sex-by-age fixture are protected by the four inner cells."""
    result = suppress(read_long_csv(FIXTURES / "sex-age.csv"))
    assert withheld(result.dataset) == {
        ("F", "Y_LT18"): "A",
        ("F", "Y_GE18"): "D",
        ("M", "Y_LT18"): "D",
        ("M", "Y_GE18"): "D",
    }
    # By hand: moving the cycle by d in -3..1 keeps every cell of the rectangle in 5 values.
    ranges = {
        (r["sex"], r["age"]): (r["low"], r["high"]) for r in result.cells.iter_rows(named=True)
    }
    assert ranges == {
        ("F", "Y_LT18"): (0.0, 4.0),
        ("F", "Y_GE18"): (39.0, 43.0),
        ("M", "Y_LT18"): (11.0, 15.0),
        ("M", "Y_GE18"): (22.0, 26.0),
    }


def test_fewest_cells_and_least_value_choose_different_patterns() -> None:
    """The fewest cells take a rectangle through a 100; the least value takes five small cells."""
    dataset = read_long_csv(FIXTURES / "three-by-three.csv")
    by_cells = withheld(suppress(dataset, objective="cells").dataset)
    by_value = withheld(suppress(dataset, objective="value").dataset)
    assert by_cells == {
        ("F", "Y_LT15"): "A",
        ("F", "Y15T17"): "D",
        ("M", "Y_LT15"): "D",
        ("M", "Y15T17"): "D",
    }
    assert by_value == {
        ("F", "Y_LT15"): "A",
        ("F", "Y15T17"): "D",
        ("M", "Y15T17"): "D",
        ("M", "Y_GE18"): "D",
        ("_U", "Y_LT15"): "D",
        ("_U", "Y_GE18"): "D",
    }


def test_no_smaller_pattern_protects_the_sex_by_age_table() -> None:
    """Every set of fewer secondary cells, or of less value, leaves some withheld cell narrow."""
    dataset = read_long_csv(FIXTURES / "sex-age.csv")
    rows = by_key(dataset, "sex", "age")
    values = {key: float(str(row["value"])) for key, row in rows.items()}
    small = ("F", "Y_LT18")
    others = sorted(key for key in rows if key != small)

    def protects(hidden: Sequence[Key]) -> bool:
        bounds: dict[Key, Bounds] = {key: (values[key], values[key]) for key in rows}
        bounds[small] = (0.0, 4.0)
        for key in hidden:
            bounds[key] = (0.0, None)
        return all(
            possible_values(*deduce(bounds, SEX_AGE_RELATIONS, key)) >= 5
            for key in (small, *hidden)
        )

    patterns = [
        hidden
        for size in range(len(others) + 1)
        for hidden in itertools.combinations(others, size)
        if protects(hidden)
    ]
    fewest = min(len(hidden) for hidden in patterns)
    least = min(sum(values[key] for key in hidden) for hidden in patterns)
    objectives: tuple[Literal["cells", "value"], ...] = ("cells", "value")
    for objective in objectives:
        result = suppress(dataset, objective=objective)
        secondary = [key for key, mark in withheld(result.dataset).items() if mark == "D"]
        assert len(secondary) == fewest
        assert sum(values[key] for key in secondary) == least


def test_written_table_keeps_provenance_and_reads_back() -> None:
    """The long CSV keeps source and notes, writes <5 and empty Q cells, and reads back the same."""
    result = suppress(read_long_csv(FIXTURES / "sex-age.csv"))
    out = io.StringIO()
    write_long_csv(result.dataset, out)
    text = out.getvalue()
    assert "victims_identified,2022,NGO.EXAMPLE,F,Y_LT18,N,<5,,A,Annual report p. 4,girls" in text
    assert "victims_identified,2022,NGO.EXAMPLE,M,Y_GE18,N,,Q,D,Annual report p. 4,men" in text
    again = parse_long_csv(text, path="published.csv")
    assert again.problems == ()
    columns = ["sex", "age", "value", "low", "high", "status", "conf_status", "source", "note"]
    assert again.observations.select(columns).equals(result.dataset.observations.select(columns))
    assert audit_disclosure(again).passed


def test_published_cells_are_unchanged() -> None:
    """Figures that are not withheld keep every column, provenance included."""
    dataset = read_long_csv(FIXTURES / "sex-age.csv")
    result = suppress(dataset)
    kept = result.dataset.observations.filter(pl.col("conf_status").is_null())
    original = dataset.observations.join(kept.select("sex", "age"), on=["sex", "age"], how="semi")
    assert kept.height == 5
    assert kept.equals(original)


def test_confidential_marks_are_withheld_and_kept() -> None:
    """A figure marked C (confidential) in the input is withheld and keeps its mark."""
    dataset = parse(
        "indicator,period,reporter,sex,value,conf_status",
        "victims_identified,2020,X,_T,50,C",
    )
    row = suppress(dataset).dataset.observations.row(0, named=True)
    assert (row["value"], row["status"], row["conf_status"]) == ("", "Q", "C")


def test_missing_style_writes_every_withheld_cell_empty() -> None:
    """With style='missing' primary cells too are empty with status Q and CONF_STATUS A."""
    result = suppress(read_long_csv(FIXTURES / "sex-age.csv"), style="missing")
    row = result.dataset.observations.filter(
        (pl.col("sex") == "F") & (pl.col("age") == "Y_LT18")
    ).row(0, named=True)
    assert (row["value"], row["status"], row["conf_status"]) == ("", "Q", "A")
    assert result.unprotected.height == 0


def test_changes_and_shares_of_withheld_figures_are_withheld() -> None:
    """A change whose level or base is withheld, and shares beside a withheld level, go too."""
    dataset = parse(
        "indicator,period,reporter,sex,measure,value",
        "victims_identified,2020,X,_T,N,3",
        "victims_identified,2021,X,_T,N,30",
        "victims_identified,2021,X,_T,CHG,27",
        "victims_identified,2020,X,F,PCT,40",
        "victims_identified,2019,X,_T,N,12",
    )
    result = suppress(dataset)
    rows = result.dataset.observations.select("period", "measure", "value", "conf_status").rows()
    assert rows == [
        ("2020", "N", "<5", "A"),
        ("2021", "N", "30", None),
        ("2021", "CHG", "", "D"),
        ("2020", "PCT", "", "D"),
        ("2019", "N", "12", None),
    ]
    assert result.withheld == 2


def test_an_input_that_is_already_censored_keeps_its_text() -> None:
    """A <3 in the input stays <3; F alone would be 18..20, so the total is withheld too."""
    dataset = parse(
        HEADER,
        "victims_identified,2020,X,_T,20",
        "victims_identified,2020,X,F,18",
        "victims_identified,2020,X,M,<3",
    )
    result = suppress(dataset)
    rows = result.dataset.observations.select("sex", "value", "conf_status").rows()
    assert rows == [("_T", "", "D"), ("F", "", "D"), ("M", "<3", "A")]


def test_a_figure_the_input_withholds_is_protected_and_keeps_its_marks() -> None:
    """An empty Q figure stays unmarked and is protected: 30 - 25 would give it away."""
    dataset = parse(
        "indicator,period,reporter,sex,value,status",
        "victims_identified,2020,X,_T,30,",
        "victims_identified,2020,X,F,,Q",
        "victims_identified,2020,X,M,25,",
    )
    result = suppress(dataset)
    rows = result.dataset.observations.select("sex", "value", "status", "conf_status").rows()
    assert rows == [("_T", "30", None, None), ("F", "", "Q", None), ("M", "", "Q", "D")]
    assert (result.primary, result.secondary) == (0, 1)


def test_solver_output_goes_to_standard_error(capfd: pytest.CaptureFixture[str]) -> None:
    """What C code prints to standard output inside the guard reaches standard error instead."""
    libc = ctypes.CDLL(None)
    with solver_output_to_stderr():
        libc.printf(b"solver line\n")
    print("table line")
    out, err = capfd.readouterr()
    assert out == "table line\n"
    assert "solver line" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"threshold": 0}, "threshold=0: must be a whole number of at least 1"),
        ({"width": 0}, "width=0: must be a whole number of at least 1, or None"),
        ({"objective": "size"}, "objective='size': must be 'cells' or 'value'"),
        ({"style": "stars"}, "style='stars': must be 'censored' or 'missing'"),
    ],
)
def test_bad_arguments_are_refused_with_the_value(
    arguments: dict[str, object], message: str
) -> None:
    """A bad argument raises ValueError quoting it."""
    with pytest.raises(ValueError, match=message):
        suppress(parse(HEADER, "victims_identified,2020,X,_T,3"), **arguments)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ audit


def test_audit_finds_a_censored_cell_its_total_gives_away() -> None:
    """20 = 17 + <5 gives the <5 away as exactly 3."""
    report = audit_disclosure(
        parse(
            HEADER,
            "victims_identified,2020,X,_T,20",
            "victims_identified,2020,X,F,17",
            "victims_identified,2020,X,M,<5",
        )
    )
    (finding,) = report.findings
    assert finding.code == "disclosure-recoverable"
    assert finding.severity is Severity.ERROR
    assert finding.location is not None
    assert finding.location.line == 4
    assert "exactly: 3" in finding.message
    assert "sex: _T 20 = F 17 + M <5" in finding.message
    assert [ref.location.line for ref in finding.observations] == [4, 2, 3]
    (row,) = report.recoverable.iter_rows(named=True)
    assert (row["sex"], row["low"], row["high"]) == ("M", 3.0, 3.0)
    assert not report.passed


def test_audit_reports_a_narrowed_cell_as_a_warning() -> None:
    """6 = <5 + <5 leaves each part in 2..4: three values where five are required."""
    report = audit_disclosure(
        parse(
            HEADER,
            "victims_identified,2020,X,_T,6",
            "victims_identified,2020,X,F,<5",
            "victims_identified,2020,X,M,<5",
        )
    )
    assert [(f.code, f.severity) for f in report.findings] == [
        ("disclosure-narrow", Severity.WARNING),
        ("disclosure-narrow", Severity.WARNING),
    ]
    assert report.cells.select("low", "high", "values", "required").rows() == [
        (2.0, 4.0, 3.0, 5.0),
        (2.0, 4.0, 3.0, 5.0),
    ]


def test_audit_leaves_out_relations_the_figures_contradict() -> None:
    """<5 >= 17 + <5 cannot hold even as a bound: the relation is reported and not used."""
    report = audit_disclosure(
        parse(
            HEADER,
            "victims_identified,2020,X,_T,<5",
            "victims_identified,2020,X,F,17",
            "victims_identified,2020,X,M,<5",
        )
    )
    assert [f.code for f in report.findings] == ["disclosure-relation-ignored"]
    assert report.ignored == 1
    assert report.passed


def test_audit_takes_an_open_breakdown_that_cannot_add_up_as_a_bound() -> None:
    """20 = <5 + <5 cannot hold, but 20 >= <5 + <5 can: both parts keep 0..4."""
    report = audit_disclosure(
        parse(
            HEADER,
            "victims_identified,2020,X,_T,20",
            "victims_identified,2020,X,F,<5",
            "victims_identified,2020,X,M,<5",
        )
    )
    assert report.findings == ()
    assert report.cells.select("low", "high").rows() == [(0.0, 4.0), (0.0, 4.0)]


def test_audit_without_additivity_uses_open_breakdowns_as_bounds() -> None:
    """Taking 20 >= 17 + M only, M is 0..3: narrowed, not recovered."""
    dataset = parse(
        HEADER,
        "victims_identified,2020,X,_T,20",
        "victims_identified,2020,X,F,17",
        "victims_identified,2020,X,M,<5",
    )
    report = audit_disclosure(dataset, additive=False)
    assert [f.code for f in report.findings] == ["disclosure-narrow"]
    assert report.cells.select("low", "high").row(0) == (0.0, 3.0)


def test_audit_width_defaults_to_the_censoring_bound() -> None:
    """A table written with <10 is audited for 10 possible values, one without <t for 5."""
    censored = parse(HEADER, "victims_identified,2020,X,_T,<10")
    assert audit_disclosure(censored).width == 10
    assert audit_disclosure(censored, width=3).width == 3
    assert audit_disclosure(parse(HEADER, "victims_identified,2020,X,_T,7")).width == 5


def test_audit_report_renders_as_a_check_report() -> None:
    """The audit becomes a Report whose error count is the number of recoverable cells."""
    report = audit_disclosure(
        parse(
            HEADER,
            "victims_identified,2020,X,_T,20",
            "victims_identified,2020,X,F,17",
            "victims_identified,2020,X,M,<5",
        )
    ).report()
    assert report.errors == 1
    assert report.rules_evaluated == 1
    assert report.failed()


GLOTIP_SEX = {"Female": "F", "Male": "M", "Other": "_O", "Unknown": "_U", "Total": "_T"}
GLOTIP_AGE = {"0 to 17 years": "Y_LT18", "18 years or over": "Y_GE18", "Unknown": "_U"}


@pytest.fixture(scope="module")
def glotip() -> tuple[Dataset, AuditReport]:
    """The GLOTIP slice and its audit."""
    dataset = read_glotip(FIXTURES / "glotip-slice.csv")
    return dataset, audit_disclosure(dataset)


def test_glotip_censored_cells_recoverable_from_one_relation_are_found(
    glotip: tuple[Dataset, AuditReport],
) -> None:
    """Every GLOTIP <5 that one sex or age total minus exact siblings gives is found, exactly."""
    dataset, report = glotip
    found = {row["line"]: row["low"] for row in report.recoverable.iter_rows(named=True)}
    levels = dataset.observations.filter(pl.col("measure") == "N")
    expected: dict[int, float] = {}
    for dimension in ("sex", "age"):
        others = [
            c for c in ("indicator", "period", "reporter", *dataset.dimensions) if c != dimension
        ]
        for _, part in levels.group_by(others):
            rows = {row[dimension]: row for row in part.iter_rows(named=True)}
            total = rows.get("_T")
            if total is None or total["value"] in ("", "<5"):
                continue
            children = [row for code, row in rows.items() if code != "_T"]
            censored = [row for row in children if row["value"] == "<5"]
            if len(censored) != 1 or any(row["value"] == "" for row in children):
                continue
            known = sum(
                float(row["value"].replace(",", "")) for row in children if row["value"] != "<5"
            )
            value = float(total["value"].replace(",", "")) - known
            if 0 <= value <= 4:
                expected[censored[0]["line"]] = value
    assert expected
    assert {line: found.get(line) for line in expected} == expected
    assert all(0.0 <= value <= 4.0 for value in found.values())


def test_glotip_rows_checked_by_hand_are_recoverable(glotip: tuple[Dataset, AuditReport]) -> None:
    """NPL 2020: forced-labour boys (16 - 14 = 2) and girls in formal contact (233 - 231 = 2)."""
    _, report = glotip
    found = {row["line"]: row["low"] for row in report.recoverable.iter_rows(named=True)}
    assert found[11] == 2.0
    assert found[24] == 2.0


# --------------------------------------------------------------------------- property tests


@attrs.frozen
class Table:
    """A consistent table: rows of long CSV, the relations among its cells, and its leaves."""

    dimensions: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    relations: tuple[Relation, ...]


HIERARCHIES: dict[str, list[dict[str, list[str]]]] = {
    "sex": [
        {"_T": ["F", "M"]},
        {"_T": ["F", "M", "_U"]},
    ],
    "age": [
        {"_T": ["Y_LT18", "Y_GE18"]},
        {"_T": ["Y_LT18", "Y_GE18"], "Y_LT18": ["Y_LT15", "Y15T17"]},
    ],
    "nationality": [
        {"_T": ["NATIONAL", "FOREIGN"], "FOREIGN": ["TH", "VN"]},
    ],
}


def leaves_of(hierarchy: Mapping[str, list[str]], code: str) -> list[str]:
    """The leaf codes under ``code`` (itself when it is a leaf)."""
    if code not in hierarchy:
        return [code]
    return [leaf for child in hierarchy[code] for leaf in leaves_of(hierarchy, child)]


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A table of one or two reporters, broken down along one to three dimensions with totals."""
    count = draw(st.integers(1, 3))
    dimensions = tuple(draw(st.permutations(["sex", "age", "nationality"]))[:count])
    hierarchies = [draw(st.sampled_from(HIERARCHIES[d])) for d in dimensions]
    codes = [sorted({"_T", *(c for children in h.values() for c in children)}) for h in hierarchies]
    leaves = [leaves_of(h, "_T") for h in hierarchies]
    reporters = ["R1", "R2"][: draw(st.integers(1, 2))]
    rows: list[dict[str, str]] = []
    relations: list[Relation] = []
    for reporter in reporters:
        counts = {combo: draw(st.integers(0, 25)) for combo in itertools.product(*leaves)}
        for combo in itertools.product(*codes):
            total = sum(
                counts[leaf]
                for leaf in itertools.product(
                    *(leaves_of(h, c) for h, c in zip(hierarchies, combo, strict=True))
                )
            )
            row = {"indicator": "victims_identified", "period": "2022", "reporter": reporter}
            row.update(zip(dimensions, combo, strict=True))
            row["value"] = str(total)
            rows.append(row)
        for axis, hierarchy in enumerate(hierarchies):
            for parent, children in hierarchy.items():
                for combo in itertools.product(*codes):
                    if combo[axis] != "_T":
                        continue

                    def at(
                        code: str,
                        combo: tuple[str, ...] = combo,
                        axis: int = axis,
                        reporter: str = reporter,
                    ) -> Key:
                        return (reporter, *combo[:axis], code, *combo[axis + 1 :])

                    relations.append((at(parent), [at(child) for child in children]))
    return Table(dimensions, tuple(rows), tuple(relations))


def table_text(table: Table) -> str:
    """The table as long CSV."""
    header = ["indicator", "period", "reporter", *table.dimensions, "value"]
    lines = [",".join(header)] + [",".join(row[c] for c in header) for row in table.rows]
    return "\n".join(lines) + "\n"


@attrs.frozen
class Options:
    """Arguments of one suppression."""

    threshold: int
    width: int | None
    zeros: bool
    objective: Literal["cells", "value"]
    style: Literal["censored", "missing"]


options = st.builds(
    Options,
    threshold=st.integers(3, 5),
    width=st.sampled_from([None, 2, 6]),
    zeros=st.booleans(),
    objective=st.sampled_from(["cells", "value"]),
    style=st.sampled_from(["censored", "missing"]),
)


@settings(max_examples=25)
@given(table=tables(), chosen=options)
def test_suppressed_tables_are_protected_consistent_and_audited_clean(
    table: Table, chosen: Options
) -> None:
    """After suppression no small count is published, every withheld cell keeps its width by an
    independent linear program, the table passes the checks, and the audit agrees."""
    dataset = parse_long_csv(table_text(table), path="table.csv")
    result = suppress(
        dataset,
        threshold=chosen.threshold,
        width=chosen.width,
        zeros=chosen.zeros,
        objective=chosen.objective,
        style=chosen.style,
    )
    threshold = chosen.threshold
    needed = threshold if chosen.width is None else chosen.width
    published = by_key(result.dataset, "reporter", *table.dimensions)
    original = by_key(dataset, "reporter", *table.dimensions)
    bounds = {key: published_bounds(row) for key, row in published.items()}
    for key, row in published.items():
        if row["conf_status"] is None:
            value = float(str(row["value"]))
            assert value >= threshold or (value == 0 and not chosen.zeros)
            assert row["value"] == original[key]["value"]
            continue
        low, high = deduce(bounds, table.relations, key)
        own = possible_values(*bounds[key])
        assert possible_values(low, high) >= min(needed, own), (key, low, high)
        truth = float(str(original[key]["value"]))
        assert low - 1e-6 <= truth <= (math.inf if high is None else high + 1e-6)
    assert result.unprotected.height == 0
    assert check(result.dataset).errors == 0
    assert audit_disclosure(result.dataset, width=needed).passed


# ---------------------------------------------------------------------------------- rounding


def rounding_input(count: int, value: int) -> Dataset:
    """``count`` level figures (different periods) all equal to ``value``."""
    lines = [HEADER] + [f"victims_identified,{1900 + i},X,_T,{value}" for i in range(count)]
    return parse(*lines)


def test_random_rounding_gives_multiples_of_the_base() -> None:
    """Every rounded count is one of the two multiples of the base around it."""
    rounded = random_rounding(rounding_input(200, 7), base=5, seed=1)
    values = set(rounded.observations.get_column("value").to_list())
    assert values == {"5", "10"}
    assert rounded.observations.select((pl.col("low") == pl.col("high")).all()).item()


def test_random_rounding_is_unbiased() -> None:
    """7 rounds up to 10 with probability 2/5, so the mean of many roundings is close to 7."""
    rounded = random_rounding(rounding_input(4000, 7), base=5, seed=3)
    mean = rounded.observations.get_column("low").mean()
    assert isinstance(mean, float)
    # One rounding has standard deviation 5 x sqrt(0.4 x 0.6) = 2.45; 4,000 of them 0.04.
    assert abs(mean - 7.0) < 0.2


def test_random_rounding_keeps_multiples_and_repeats_with_its_seed() -> None:
    """Multiples of the base (zero too) stay; the same seed gives the same table."""
    dataset = parse(
        HEADER,
        "victims_identified,2020,X,_T,0",
        "victims_identified,2021,X,_T,15",
        "victims_identified,2022,X,_T,13",
    )
    first = random_rounding(dataset, base=5, seed=42).observations.get_column("value").to_list()
    again = random_rounding(dataset, base=5, seed=42).observations.get_column("value").to_list()
    assert first == again
    assert first[:2] == ["0", "15"]
    assert first[2] in {"10", "15"}


def test_random_rounding_withholds_changes_and_shares() -> None:
    """A change computed from unrounded levels is withheld with status Q and CONF_STATUS D."""
    dataset = parse(
        "indicator,period,reporter,measure,value",
        "victims_identified,2021,X,CHG,4",
    )
    row = random_rounding(dataset, seed=0).observations.row(0, named=True)
    assert (row["value"], row["status"], row["conf_status"]) == ("", "Q", "D")


def test_random_rounding_refuses_a_base_below_two() -> None:
    """A base of 1 rounds nothing and is refused."""
    with pytest.raises(ValueError, match="base=1: must be a whole number of at least 2"):
        random_rounding(rounding_input(1, 3), base=1)
