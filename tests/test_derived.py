"""Tests of derived indicators and their units."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tip_indicators as ti
from tip_indicators.derived import derive_indicators, derived_definitions, read_population
from tip_indicators.errors import InputError
from tip_indicators.units import UnitError, add, quantity, unit_registry

ROOT = Path(__file__).resolve().parent.parent


def _derived(text: str, tmp_path: Path, population: pl.DataFrame | None = None) -> pl.DataFrame:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return derive_indicators(ti.read_long_csv(path), population=population)


def test_worked_example_shares_and_changes() -> None:
    """The report's share of children, referral rate and percentage changes come out right."""
    frame = derive_indicators(ti.read_dataset(ROOT / "examples/cambodia-2010/report-2010.csv"))
    rows = {(r["derived"], r["indicator"], r["reporter"]): r for r in frame.iter_rows(named=True)}
    children = rows[("share_children", "victims_received", "GOV.MOSVY")]
    assert children["value"] == pytest.approx(100 * 317 / 459, abs=1e-4)
    assert children["formula"] == "100 x 317 / 459"
    assert children["unit"] == "percent"
    assert rows[("referral_rate", "victims_received", "GOV.MOSVY")]["value"] == pytest.approx(
        100 * 378 / 459, abs=1e-4
    )
    change = rows[("percentage_change", "cases_prosecuted", "GOV.MPCFI")]
    assert change["value"] == pytest.approx(100 * 66 / 97, abs=1e-4)
    assert ":92" in change["inputs"] or ":9" in change["inputs"]


def test_rates_need_a_population(tmp_path: Path) -> None:
    """A rate per 100,000 is computed from the population table the user supplies."""
    (tmp_path / "pop.csv").write_text("reporter,period,population\nKH,2024,2000000\n")
    population = read_population(tmp_path / "pop.csv")
    text = "indicator,period,reporter,value\nvictims_identified,2024,KH,90\n"
    assert _derived(text, tmp_path).filter(pl.col("derived") == "detection_rate").height == 0
    frame = _derived(text, tmp_path, population).filter(pl.col("derived") == "detection_rate")
    assert frame.get_column("value").to_list() == [pytest.approx(4.5)]
    assert frame.get_column("unit").to_list() == ["per_100k"]


def test_population_table_errors(tmp_path: Path) -> None:
    """A population table without its columns or with a non-positive figure is refused."""
    (tmp_path / "a.csv").write_text("country,year,people\nKH,2024,1\n")
    with pytest.raises(InputError, match="population table needs"):
        read_population(tmp_path / "a.csv")
    (tmp_path / "b.csv").write_text("reporter,period,population\nKH,2024,-4\n")
    with pytest.raises(InputError, match="positive"):
        read_population(tmp_path / "b.csv")


def test_units_are_checked_by_pint() -> None:
    """Adding a percentage or a rate to a head count is a UnitError; shares are percent."""
    with pytest.raises(UnitError):
        add(quantity(5, "person"), quantity(10, "percent"))
    with pytest.raises(UnitError):
        add(quantity(5, "person"), quantity(1, "per_100k"))
    with pytest.raises(UnitError):
        add(quantity(5, "person"), quantity(1, "case"))
    share = quantity(317, "person") / quantity(459, "person")
    assert share.to("percent").magnitude == pytest.approx(100 * 317 / 459)
    rate = quantity(9, "person") / quantity(200_000, "inhabitant")
    assert rate.to("per_100k").magnitude == pytest.approx(4.5)
    assert unit_registry() is unit_registry()


def test_every_definition_names_a_known_unit() -> None:
    """Each derived indicator's unit is defined in the registry."""
    for definition in derived_definitions():
        assert quantity(1, definition.unit).units is not None


@given(
    total=st.integers(min_value=1, max_value=100_000),
    data=st.data(),
)
def test_shares_are_percentages_of_their_total(total: int, data: st.DataObject) -> None:
    """For any total and part, share_female is 100 x part / total, in percent."""
    import tempfile

    female = data.draw(st.integers(min_value=0, max_value=total))
    text = (
        "indicator,period,reporter,sex,value\n"
        f"victims_identified,2024,KH,,{total}\nvictims_identified,2024,KH,F,{female}\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        frame = _derived(text, Path(folder)).filter(pl.col("derived") == "share_female")
    (row,) = frame.iter_rows(named=True)
    assert row["value"] == pytest.approx(round(100 * female / total, 4))
    assert row["unit"] == "percent"


_AGES = ("Y_LT15", "Y15T17", "Y_GE18")


@given(
    counts=st.lists(st.integers(0, 5_000), min_size=6, max_size=6),
    people=st.lists(st.integers(1, 10_000_000), min_size=6, max_size=6),
)
def test_a_rate_by_breakdown_is_the_count_over_its_own_population(
    counts: list[int], people: list[int]
) -> None:
    """Every breakdown the figures and the population both have gets count / population x
    100,000; a coarse age band the table only gives in parts gets the sum of its parts."""
    import tempfile

    female, male, *young = counts
    figures = [
        ("", "", female + male),
        ("F", "", female),
        ("M", "", male),
        ("", "Y_LT18", young[0] + young[1]),
        ("", "Y_LT15", young[0]),
    ]
    rows = "".join(f"victims_identified,2024,KH,{s},{a},{v}\n" for s, a, v in figures)
    populations = {
        ("_T", "_T"): people[0],
        ("F", "_T"): people[1],
        ("M", "_T"): people[2],
        ("_T", "Y_LT15"): people[3],
        ("_T", "Y15T17"): people[4],
        ("_T", "Y_GE18"): people[5],
    }
    table = "reporter,period,sex,age,population\n" + "".join(
        f"KH,2024,{s},{a},{n}\n" for (s, a), n in populations.items()
    )
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "pop.csv").write_text(table, encoding="utf-8")
        population = read_population(Path(folder) / "pop.csv")
        data = "indicator,period,reporter,sex,age,value\n" + rows
        frame = _derived(data, Path(folder), population)
    rates = {
        (row["sex"], row["age"]): row["value"]
        for row in frame.filter(pl.col("derived") == "detection_rate").iter_rows(named=True)
    }
    populations[("_T", "Y_LT18")] = people[3] + people[4]
    expected = {
        (s or "_T", a or "_T"): round(100_000 * v / populations[(s or "_T", a or "_T")], 4)
        for s, a, v in figures
    }
    assert rates == pytest.approx(expected)


def test_a_population_given_twice_or_with_an_unknown_code_is_refused(tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text("reporter,period,sex,population\nKH,2024,F,10\nKH,2024,M,9\nKH,2024,F,10\n")
    with pytest.raises(InputError, match=r"given twice \(lines 2 and 4\)") as caught:
        read_population(twice)
    assert caught.value.line == 4
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("reporter,period,sex,population\nKH,2024,F,10\nKH,2024,Femme,9\n")
    with pytest.raises(InputError, match="sex") as caught:
        read_population(unknown)
    assert caught.value.line == 3
    column = tmp_path / "column.csv"
    column.write_text("reporter,period,gender,population\nKH,2024,F,10\n")
    with pytest.raises(InputError, match="unknown column 'gender'"):
        read_population(column)


def test_a_sex_split_population_no_longer_gives_the_total_rate_three_times(
    tmp_path: Path,
) -> None:
    (tmp_path / "pop.csv").write_text(
        "reporter,period,sex,population\nKH,2024,,2000000\nKH,2024,F,1000000\nKH,2024,M,1000000\n"
    )
    population = read_population(tmp_path / "pop.csv")
    text = "indicator,period,reporter,sex,value\nvictims_identified,2024,KH,,90\n"
    text += "victims_identified,2024,KH,F,60\nvictims_identified,2024,KH,M,30\n"
    frame = _derived(text, tmp_path, population).filter(pl.col("derived") == "detection_rate")
    assert frame.select("sex", "value").rows() == [("_T", 4.5), ("F", 6.0), ("M", 3.0)]
