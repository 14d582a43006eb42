"""The exported VTL script, run by vtlengine, fails the same groups as the library's checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vtlengine import run

from tip_indicators import check
from tip_indicators.datasets import Dataset
from tip_indicators.findings import Finding, Severity
from tip_indicators.indicators import Catalogue, builtin_catalogue
from tip_indicators.io.longcsv import parse_long_csv, read_long_csv
from tip_indicators.io.sdmx_structure import column_id
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.vtl import vtl_data_structure, vtl_datapoints, vtl_identifiers, vtl_script

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cambodia-2010" / "report-2010.csv"
Group = tuple[str, tuple[str, ...]]

# Each VTL result the comparison covers: the library's rule it stands for, and the identifier it
# leaves out of a group (the breakdown summed, or the indicator compared with another).
RESULTS = {
    "partition_sex": ("partition.sex", "SEX"),
    "partition_sex_complete": ("partition.sex", "SEX"),
    "bound_exploitation": ("bound.exploitation", "EXPLOITATION"),
    "bound_deportees_detained_over_month": (
        "bound.deportees_detained_over_month<=deportees_received",
        "INDICATOR",
    ),
    "change": ("change", ""),
}


def _key(values: dict[str, str], left_out: str, profile: Profile) -> tuple[str, ...]:
    kept = [n for n in vtl_identifiers(profile) if n not in {left_out, "MEASURE", "BASE_PER"}]
    return tuple(values.get(name, "_T") for name in kept)


def _vtl_groups(dataset: Dataset, profile: Profile) -> set[Group]:
    """The groups each comparable check of the exported script fails."""
    frame = vtl_datapoints(dataset, profile).to_pandas()
    results: dict[str, Any] = run(
        script=vtl_script(profile),
        data_structures=vtl_data_structure(profile),
        datapoints={"DS": frame},
    )
    found: set[Group] = set()
    for name, (rule, left_out) in RESULTS.items():
        if name not in results:
            continue
        data = results[name].data
        for row in data.to_dict("records"):
            values = {k: str(v) for k, v in row.items()}
            found.add((rule, _key(values, left_out, profile)))
    return found


def _figure_values(finding: Finding, left_out: str, index: int) -> dict[str, str]:
    figure = finding.observations[index]
    values = {column_id(d): c for d, c in figure.dimensions.items()}
    values |= {"INDICATOR": figure.indicator, "TIME_PERIOD": figure.period}
    values["REPORTER"] = figure.reporter
    return values


def _our_groups(dataset: Dataset, profile: Profile) -> set[Group]:
    """The groups the library fails with an error, for the rules the script can express."""
    rules = {rule for rule, _ in RESULTS.values()}
    found: set[Group] = set()
    for finding in check(dataset, profile).findings:
        if finding.severity is not Severity.ERROR or finding.rule not in rules:
            continue
        left_out = next(out for rule, out in RESULTS.values() if rule == finding.rule)
        chosen = 0
        for index, figure in enumerate(finding.observations):
            dims = {column_id(d): c for d, c in figure.dimensions.items()}
            if left_out and left_out != "INDICATOR" and dims.get(left_out, "_T") == "_T":
                chosen = index
            if (
                left_out == "INDICATOR"
                and figure.indicator == finding.rule.split(".")[1].split("<=")[0]
            ):
                chosen = index
            if not left_out and figure.measure == "CHG":
                chosen = index
        values = _figure_values(finding, left_out, chosen)
        found.add((finding.rule, _key(values, left_out, profile)))
    return found


def test_worked_example_fails_the_same_groups() -> None:
    """On the worked example, the script fails the groups the library fails."""
    dataset = read_long_csv(EXAMPLE)
    profile = builtin_profile()
    ours = _our_groups(dataset, profile)
    assert ours, "the worked example holds a wrong change the comparison must see"
    assert _vtl_groups(dataset, profile) == ours


def _small(closed: bool) -> Profile:
    full = builtin_catalogue()
    kept = (
        "victims_identified",
        "persons_prosecuted",
        "deportees_received",
        "deportees_detained_over_month",
    )
    indicators = {}
    for code in kept:
        indicator = full.indicators[code]
        breakdowns = {d: p for d, p in indicator.dimensions.items() if d in {"sex", "exploitation"}}
        indicators[code] = attrs.evolve(indicator, dimensions=breakdowns)
    catalogue = Catalogue(indicators, full.dimensions)
    profile = Profile("small", "1", catalogue)
    return attrs.evolve(profile, closed=frozenset({"sex"})) if closed else profile


SEXES = ("F", "M", "_O", "_U")
FORMS = ("SEXUAL", "FORCED_LABOUR", "BEGGING")
VALUE = st.integers(min_value=0, max_value=30)


@st.composite
def datasets(draw: st.DrawFn) -> str:
    """Long CSV of a few reporters, each with sex and exploitation breakdowns (some parts
    missing, some sums wrong), a bounded pair of indicators and a stated change."""
    lines = ["indicator,period,reporter,sex,exploitation,measure,value"]
    for reporter in draw(st.lists(st.sampled_from(["KH", "TH", "VN"]), min_size=1, unique=True)):
        for period in ("2009", "2010"):
            if draw(st.booleans()):
                lines.append(f"victims_identified,{period},{reporter},,,,{draw(VALUE)}")
            for sex in draw(st.lists(st.sampled_from(SEXES), unique=True)):
                lines.append(f"victims_identified,{period},{reporter},{sex},,,{draw(VALUE)}")
            if draw(st.booleans()):
                lines.append(f"deportees_received,{period},{reporter},,,,{draw(VALUE)}")
            for form in draw(st.lists(st.sampled_from(FORMS), unique=True)):
                lines.append(f"persons_prosecuted,{period},{reporter},F,{form},,{draw(VALUE)}")
            if draw(st.booleans()):
                lines.append(f"persons_prosecuted,{period},{reporter},F,,,{draw(VALUE)}")
            if draw(st.booleans()):
                lines.append(f"deportees_detained_over_month,{period},{reporter},,,,{draw(VALUE)}")
        if draw(st.booleans()):
            change = draw(st.integers(min_value=-30, max_value=30))
            lines.append(f"victims_identified,2010,{reporter},,,CHG,{change}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("closed", [False, True])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=datasets())
def test_generated_data_fails_the_same_groups(closed: bool, text: str) -> None:
    """On generated data without censored cells, the script fails exactly our failing groups
    (open and closed sex breakdowns, exploitation bounds, indicator bounds, changes)."""
    profile = _small(closed)
    dataset = parse_long_csv(text, catalogue=profile.catalogue)
    assert not dataset.problems
    assert _vtl_groups(dataset, profile) == _our_groups(dataset, profile)


def test_script_names_what_vtl_cannot_say() -> None:
    """The script says how it approximates censored cells and nested age bands."""
    script = vtl_script()
    assert "Censored cells" in script
    assert "Age bands nest" in script
    assert "define hierarchical ruleset hr_partition_sex" in script
    assert "'_T' >= 'F' + 'M'" in script


def test_closed_breakdown_is_an_equality() -> None:
    """A breakdown the profile closes is written with '=', an open one with '>='."""
    closed = attrs.evolve(builtin_profile(), closed=frozenset({"sex"}))
    assert "'_T' = 'F' + 'M'" in vtl_script(closed)
    assert "'_T' >= 'F' + 'M'" not in vtl_script(closed)


def test_every_comparable_family_fails_alike() -> None:
    """A sum that exceeds, a part above its whole, an indicator above its bound and a wrong
    change each fail in the script as in the library."""
    text = (
        "indicator,period,reporter,sex,exploitation,measure,value\n"
        "victims_identified,2009,KH,,,,10\n"
        "victims_identified,2009,KH,F,,,7\n"
        "victims_identified,2009,KH,M,,,6\n"
        "victims_identified,2010,KH,,,,12\n"
        "victims_identified,2010,KH,,,CHG,5\n"
        "persons_prosecuted,2010,KH,F,,,4\n"
        "persons_prosecuted,2010,KH,F,SEXUAL,,5\n"
        "deportees_received,2010,KH,,,,3\n"
        "deportees_detained_over_month,2010,KH,,,,4\n"
    )
    profile = _small(closed=False)
    dataset = parse_long_csv(text, catalogue=profile.catalogue)
    ours = _our_groups(dataset, profile)
    assert {rule for rule, _ in ours} == {rule for rule, _ in RESULTS.values()}
    assert _vtl_groups(dataset, profile) == ours


def test_rules_command_lists_and_writes_vtl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'rules' lists each check with its grouping; '--format vtl -o' writes the script."""
    from tip_indicators.cli import main

    assert main(["rules"]) == 0
    listed = capsys.readouterr().out
    assert "partition.sex [partition, error]" in listed
    assert "grouping: every key column but sex" in listed
    out = tmp_path / "rules.vtl"
    assert main(["rules", "--format", "vtl", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == vtl_script()


def test_profile_rules_stay_inside_their_comment(tmp_path: Path) -> None:
    """A profile's own rule, which VTL does not get, is named in a comment of its own."""
    from tip_indicators.profiles import load_profile

    path = tmp_path / "p.yaml"
    path.write_text(
        "profile: p\nversion: '1'\nrules:\n"
        "  - name: ratio\n"
        "    expression: persons_convicted <= persons_prosecuted\n",
        encoding="utf-8",
    )
    script = vtl_script(load_profile(path))
    assert "/* profile rule ratio: persons_convicted <= persons_prosecuted" in script
    assert script.count("/*") == script.count("*/")
