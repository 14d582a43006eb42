"""Tests for tip_indicators.rules: the rule values, their factories, the default rule set, and
the golden files (valid, invalid, undecided) of every rule family."""

from __future__ import annotations

import pickle
import tomllib
from pathlib import Path

import polars as pl
import pytest

from tip_indicators import check, read_dataset
from tip_indicators.findings import Severity, finding_codes
from tip_indicators.io.longcsv import parse_long_csv
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.report import Report
from tip_indicators.rules import (
    Family,
    Rule,
    Tolerance,
    bound,
    change,
    default_rules,
    indicator_bound,
    mirror,
    partition,
    percent_change,
    rate,
    share,
)

GOLDEN = Path(__file__).parent / "fixtures" / "rules"
KINDS = ("valid", "invalid", "undecided")


# ---------------------------------------------------------------- tolerances


def test_tolerance_allows_absolute_plus_relative() -> None:
    """The allowed difference is the absolute part plus the relative part of the reference."""
    assert Tolerance().allowed(1_000) == 0
    assert Tolerance(absolute=2).allowed(-50) == 2
    assert Tolerance(absolute=1, relative=0.01).allowed(-300) == pytest.approx(4)


@pytest.mark.parametrize(("absolute", "relative"), [(-1.0, 0.0), (0.0, -0.5)])
def test_negative_tolerance_is_refused(absolute: float, relative: float) -> None:
    """A negative tolerance is a ValueError that quotes the bad value."""
    with pytest.raises(ValueError, match=r"-0\.5|-1\.0"):
        Tolerance(absolute=absolute, relative=relative)


# ---------------------------------------------------------------- factories


def test_partition_rule_names_its_dimension_and_policy() -> None:
    """A partition rule is named after its dimension and states its missing-data policy."""
    rule = partition("sex")
    assert (rule.name, rule.family, rule.dimension, rule.closed) == (
        "partition.sex",
        Family.PARTITION,
        "sex",
        False,
    )
    assert rule.missing.startswith("open")
    assert "status L" in rule.missing
    assert partition("age", closed=True).missing.startswith("closed")
    assert rule.grouping == "every key column but sex"


@pytest.mark.parametrize(
    ("rule", "name", "family"),
    [
        (bound("exploitation"), "bound.exploitation", Family.BOUND),
        (
            indicator_bound("persons_convicted", "persons_prosecuted"),
            "bound.persons_convicted<=persons_prosecuted",
            Family.BOUND,
        ),
        (change(), "change", Family.CHANGE),
        (percent_change(), "percent-change", Family.PERCENT_CHANGE),
        (share("sex"), "share.sex", Family.SHARE),
        (rate(), "rate.sex", Family.RATE),
        (mirror(), "mirror", Family.MIRROR),
    ],
)
def test_factories_name_their_rules(rule: Rule, name: str, family: Family) -> None:
    """Each factory gives a rule with a stable name, its family, a description and a policy."""
    assert (rule.name, rule.family) == (name, family)
    assert rule.description
    assert rule.missing
    assert rule.grouping


def test_change_rules_group_by_period_and_base() -> None:
    """Change rules compare a period with its base; others group within one period."""
    assert "base period" in change().grouping
    assert "base period" in percent_change().grouping
    assert mirror().grouping == "indicator, period, reporter and dimensions"


def test_indicator_bound_carries_its_severity() -> None:
    """An indicator bound keeps the indicator, the limit and the severity it was given."""
    rule = indicator_bound("a", "b", Severity.WARNING)
    assert (rule.indicator, rule.other, rule.severity) == ("a", "b", Severity.WARNING)


def test_rules_are_frozen_values() -> None:
    """Rules compare and hash by value, refuse changes, and survive pickling."""
    rule = partition("sex", tolerance=Tolerance(absolute=1))
    assert rule == partition("sex", tolerance=Tolerance(absolute=1))
    assert len({rule, partition("sex", tolerance=Tolerance(absolute=1))}) == 1
    assert pickle.loads(pickle.dumps(rule)) == rule
    with pytest.raises(AttributeError):
        rule.name = "other"  # type: ignore[misc]


# ---------------------------------------------------------------- the default rule set


def test_default_rules_follow_the_catalogue() -> None:
    """The built-in profile implies partitions, bounds, changes, shares, rates and mirrors."""
    found = {rule.name: rule for rule in default_rules(builtin_profile())}
    for dimension in ("sex", "age", "destination", "referrer", "nationality", "country"):
        assert found[f"partition.{dimension}"].closed is False
    assert "bound.exploitation" in found
    assert "partition.exploitation" not in found
    assert found["bound.persons_convicted<=persons_prosecuted"].severity is Severity.WARNING
    assert found["bound.deportees_detained_over_month<=deportees_received"].severity is (
        Severity.ERROR
    )
    assert {"change", "percent-change", "share.sex", "rate.sex", "mirror"} <= set(found)


def test_default_rules_are_fixed_and_unique() -> None:
    """The default rules come in the same order every time, each name once."""
    first = default_rules(builtin_profile())
    assert first == default_rules(builtin_profile())
    names = [rule.name for rule in first]
    assert len(names) == len(set(names))


def test_profile_closes_partitions() -> None:
    """A profile declaring a dimension closed makes its partition rule closed."""
    base = builtin_profile()
    profile = Profile("closed", "1", base.catalogue, closed=frozenset({"destination"}))
    found = {rule.name: rule for rule in default_rules(profile)}
    assert found["partition.destination"].closed is True
    assert found["partition.sex"].closed is False


# ---------------------------------------------------------------- rules applied by check


ROWS = (
    "indicator,period,reporter,sex,measure,value\n"
    "victims_identified,2010,R,,,10\n"
    "victims_identified,2010,R,F,,6\n"
    "victims_identified,2010,R,M,,5\n"
)


def checked(text: str, *rules: Rule) -> Report:
    """Check ``text`` with only the given rules."""
    return check(parse_long_csv(text, path="case.csv"), rules=rules)


def test_check_applies_only_the_given_rules() -> None:
    """With only the change rule, a sum that does not hold is not reported."""
    assert [f.code for f in checked(ROWS, partition("sex")).findings] == ["partition-exceeds"]
    assert checked(ROWS, change()).findings == ()


def test_partition_tolerance_accepts_small_differences() -> None:
    """An absolute tolerance of 1 accepts parts 1 above their total, not 2."""
    lenient = partition("sex", tolerance=Tolerance(absolute=1))
    assert checked(ROWS, lenient).findings == ()
    worse = ROWS.replace("M,,5", "M,,6")
    assert [f.code for f in checked(worse, lenient).findings] == ["partition-exceeds"]
    assert checked(worse, lenient).findings[0].tolerance == 1


def test_partition_relative_tolerance_scales_with_the_total() -> None:
    """A relative tolerance of 10% of the total accepts 1 too many on a total of 10."""
    lenient = partition("sex", tolerance=Tolerance(relative=0.1))
    assert checked(ROWS, lenient).findings == ()


def test_closed_partition_rule_turns_a_shortfall_into_an_error() -> None:
    """The same shortfall is a warning under an open rule and an error under a closed one."""
    short = ROWS.replace("M,,5", "M,,3")
    assert [f.severity for f in checked(short, partition("sex")).findings] == [Severity.WARNING]
    closed = checked(short, partition("sex", closed=True)).findings
    assert [f.severity for f in closed] == [Severity.ERROR]


def test_change_tolerance_accepts_small_differences() -> None:
    """A change rule with an absolute tolerance of 1 accepts a change that is 1 off."""
    text = (
        "indicator,period,reporter,measure,value\n"
        "victims_identified,2010,R,,10\nvictims_identified,2009,R,,4\n"
        "victims_identified,2010,R,CHG,7\n"
    )
    assert [f.code for f in checked(text, change()).findings] == ["change-mismatch"]
    assert checked(text, change(tolerance=Tolerance(absolute=1))).findings == ()


def test_evaluations_name_their_rule() -> None:
    """Every evaluation row names a rule that was applied, with a known outcome."""
    report = checked(ROWS, partition("sex"), change())
    assert report.evaluations is not None
    assert set(report.evaluations.get_column("rule").to_list()) == {"partition.sex"}
    outcomes = set(report.evaluations.get_column("outcome").to_list())
    assert outcomes <= {"pass", "fail", "not_evaluated"}


# ---------------------------------------------------------------- golden files


def golden_files() -> list[Path]:
    """Every golden long-CSV file, family by family."""
    return sorted(GOLDEN.glob("*/*/*.csv"))


def expectations(folder: Path) -> dict[str, dict[str, object]]:
    """The ``expected.toml`` of a golden folder."""
    with (folder / "expected.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_golden_folders_are_complete() -> None:
    """Every family has valid and invalid files; every file has an expectation and back."""
    families = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
    assert families == ["bound", "change", "mirror", "partition", "percent-change", "share"]
    for family in families:
        kinds = {path.name for path in (GOLDEN / family).iterdir() if path.is_dir()}
        assert {"valid", "invalid"} <= kinds <= set(KINDS)
        for kind in kinds:
            folder = GOLDEN / family / kind
            files = {path.name for path in folder.glob("*.csv")}
            assert files
            assert files == set(expectations(folder)), folder


@pytest.mark.parametrize(
    "path", golden_files(), ids=lambda path: "/".join(path.parts[-3:]).removesuffix(".csv")
)
def test_golden_file(path: Path) -> None:
    """A golden file gives the findings expected.toml lists and its folder's outcome."""
    expected = expectations(path.parent)[path.name]
    report = check(read_dataset(path))
    found = [f"{f.severity.value} {f.code}" for f in report.findings]
    assert found == expected["findings"]
    assert all(f.code in finding_codes() for f in report.findings)
    assert report.evaluations is not None
    outcomes = report.evaluations.get_column("outcome").to_list()
    kind = path.parent.name
    if kind == "valid":
        assert report.errors == report.warnings == 0
        assert "fail" not in outcomes
        assert "pass" in outcomes
    elif kind == "invalid":
        assert "fail" in outcomes
        assert found
    else:
        assert report.not_evaluated == expected["not_evaluated"]
        assert report.errors == report.warnings == 0
        reasons = report.evaluations.filter(pl.col("outcome") == "not_evaluated")
        assert all(reasons.get_column("reason").to_list())
