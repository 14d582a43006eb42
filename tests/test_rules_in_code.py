"""Rules, profiles and catalogues built in Python fail loudly: a rule the catalogue cannot apply
is refused before the check runs, a severity given to a rule is the most severe its findings
get, a check given rules of its own says which built-in checks it left out, and a catalogue
given to the reader reaches the checks."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tip_indicators as ti
from strategies import Defect, defects
from tip_indicators.errors import ArgumentError, DefinitionError
from tip_indicators.render.json import report_data
from tip_indicators.rules import Family, Rule, partition

BAD_SEX = (
    "indicator,period,reporter,sex,value\n"
    "victims_received,2010,GOV.X,_T,10\nvictims_received,2010,GOV.X,F,6\n"
    "victims_received,2010,GOV.X,M,6\n"
)


def test_a_rule_of_an_unknown_family_is_refused_when_built() -> None:
    with pytest.raises(ArgumentError, match="family='custom'"):
        Rule("mine", "custom", "my own rule")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="severity"):
        Rule("mine", Family.CHANGE, "x", severity="low")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="dimension"):
        Rule("mine", Family.PARTITION, "sums along nothing")


def test_a_rule_naming_what_the_catalogue_lacks_is_refused_by_check() -> None:
    dataset = ti.parse_long_csv(BAD_SEX)
    with pytest.raises(ArgumentError, match="gender"):
        ti.check(dataset, rules=[partition("gender")])


def test_a_profile_rule_naming_an_unknown_indicator_is_refused() -> None:
    rule = ti.ProfileRule("typo", "victims_recieved <= victims_identified", source="p.yaml", line=7)
    profile = attrs.evolve(ti.builtin_profile(), rules=(rule,))
    with pytest.raises(DefinitionError, match="victims_recieved") as caught:
        ti.check(ti.parse_long_csv(BAD_SEX), profile)
    assert caught.value.line == 7


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(defects(), st.sampled_from([ti.Severity.WARNING, ti.Severity.INFO]))
def test_a_rule_severity_is_the_most_severe_its_findings_get(
    defect: Defect, severity: ti.Severity
) -> None:
    dataset = ti.parse_long_csv(defect.text())
    rules = [
        attrs.evolve(rule, severity=severity) for rule in ti.default_rules(ti.builtin_profile())
    ]
    plain = ti.check(dataset)
    softened = ti.check(dataset, rules=rules)
    by_rule = {f.rule for f in plain.findings if f.rule is not None}
    for before, after in zip(plain.findings, softened.findings, strict=True):
        assert (before.code, before.message) == (after.code, after.message)
        if before.rule in by_rule:
            assert after.severity.rank == max(before.severity.rank, severity.rank)
    assert not softened.failed()


def test_check_with_chosen_rules_says_what_it_left_out() -> None:
    report = ti.check(ti.parse_long_csv(BAD_SEX), rules=[partition("sex")])
    assert "partition.age" in report.omitted
    assert "conformance" in report.omitted
    assert "partition.sex" not in report.omitted
    assert report_data(report)["summary"]["omitted"] == list(report.omitted)
    assert "omitted" not in report_data(ti.check(ti.parse_long_csv(BAD_SEX)))["summary"]


def test_a_catalogue_given_to_the_reader_reaches_the_check(tmp_path: object) -> None:
    catalogue = ti.builtin_catalogue()
    own = attrs.evolve(
        catalogue,
        indicators={
            **catalogue.indicators,
            "shelter_nights": attrs.evolve(
                catalogue.indicators["victims_received"], code="shelter_nights"
            ),
        },
    )
    text = BAD_SEX.replace("victims_received", "shelter_nights")
    dataset = ti.parse_long_csv(text, catalogue=own)
    assert dataset.problems == ()
    report = ti.check(dataset)
    assert [f.code for f in report.findings] == ["partition-exceeds"]
    assert report.profile == "custom-catalogue@1"
