"""Tests for tip_indicators.cases: codes, record checks, aggregation and the aggregate command."""

from __future__ import annotations

import argparse
import datetime
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tip_indicators.cases import (
    CaseRecord,
    aggregate,
    case_alias,
    case_codes,
    case_frame,
    case_schema,
    case_vocabulary,
    check_records,
    record_json_schema,
)
from tip_indicators.check import check
from tip_indicators.cli import _aggregate
from tip_indicators.datasets import Dataset
from tip_indicators.errors import CodeError, DefinitionError
from tip_indicators.findings import Finding, Severity
from tip_indicators.indicators import builtin_catalogue
from tip_indicators.io.cases import read_cases

Cell = tuple[str, str, str]
"""(period, reporter, code) of one aggregate."""

DIMENSIONS = ("sex", "age", "nationality", "country", "exploitation", "destination", "referrer")
DAY = datetime.date(2023, 3, 1)


def record(**fields: Any) -> dict[str, Any]:
    """A valid case record of NGO.A registered on 1 March 2023, with ``fields`` changed."""
    base: dict[str, Any] = {"case_id": "C1", "reporter": "NGO.A", "registered": DAY, "year": 2023}
    base.update(fields)
    return base


def findings_of(*rows: Mapping[str, Any]) -> list[tuple[int | None, str | None, str]]:
    """(line, field, code) of every finding about ``rows`` (lines 2, 3, ...)."""
    frame = case_frame(
        {**row, "line": index + 2, "path": "t.csv"} for index, row in enumerate(rows)
    )
    return [
        (f.location.line if f.location else None, f.location.field if f.location else None, f.code)
        for f in check_records(frame)
    ]


def table(dataset: Dataset, dimension: str) -> dict[Cell, int]:
    """The breakdown along ``dimension`` (every other dimension total), totals included."""
    frame = dataset.observations
    others = [d for d in dataset.dimensions if d != dimension]
    rows = frame.filter(pl.all_horizontal([pl.col(d) == "_T" for d in others]))
    return {
        (row["period"], row["reporter"], row[dimension]): int(row["value"])
        for row in rows.iter_rows(named=True)
    }


def breakdown(counts: Mapping[str, Mapping[str, int]]) -> dict[Cell, int]:
    """Expected cells from {'period reporter': {code: count}}."""
    found: dict[Cell, int] = {}
    for key, cells in counts.items():
        period, reporter = key.split()
        found.update({(period, reporter, code): count for code, count in cells.items()})
    return found


def rule_findings(dataset: Dataset) -> list[Finding]:
    """What the aggregate checks find in the figures alone (reading problems left aside)."""
    return list(check(attrs.evolve(dataset, problems=())).findings)


@pytest.fixture(scope="module")
def htcds(fixtures: Path) -> pl.DataFrame:
    """The records of the synthetic HTCDS-layout fixture."""
    return read_cases(fixtures / "cases" / "htcds-cases.csv").records


@pytest.fixture(scope="module")
def ctdc(fixtures: Path) -> pl.DataFrame:
    """The records of the synthetic CTDC-layout fixture."""
    return read_cases(fixtures / "cases" / "ctdc-2018.csv").records


# ---------------------------------------------------------------- codes and schema


def test_htcds_gender_codes_map_to_our_sex_codes() -> None:
    """Every HTCDS gender value has a sex code: transgender and non-conforming are _O."""
    assert [case_alias("sex", "htcds", value)[0] for value in case_vocabulary("sex", "htcds")] == [
        "F",
        "M",
        "_O",
        "_O",
        "_O",
        "_U",
    ]


def test_stray_white_space_in_a_code_is_trimmed() -> None:
    """HTCDS's own 'DebtBondage ' maps like 'DebtBondage'."""
    assert case_alias("control", "htcds", "DebtBondage ") == ("DEBT_BONDAGE",)


def test_one_flag_may_mean_two_forms() -> None:
    """CTDC's isSexAndLabour means both sexual exploitation and forced labour."""
    assert case_alias("exploitation", "ctdc-flag", "isSexAndLabour") == ("SEXUAL", "FORCED_LABOUR")


def test_our_own_code_maps_to_itself() -> None:
    """A code already in our codelist is accepted as written."""
    assert case_alias("exploitation", "htcds", "BEGGING") == ("BEGGING",)


def test_unknown_value_raises_with_a_hint() -> None:
    """An unknown value raises CodeError naming the nearest code."""
    with pytest.raises(CodeError) as error:
        case_alias("sex", "htcds", "Female")
    assert error.value.suggestion == "F"


def test_unknown_field_or_vocabulary_raises() -> None:
    """Fields and vocabularies are checked."""
    with pytest.raises(CodeError):
        case_codes("gender")
    with pytest.raises(CodeError):
        case_vocabulary("sex", "primero")


def test_every_htcds_picklist_value_is_mapped() -> None:
    """Every value of the HTCDS picklists the records use has a code."""
    picklists = {
        "exploitation": "ForcedLabour | SexualExploitation | ChildLabour | ForcedMarriage | "
        "Servitude | ForcedMilitaryByNonStateActors | OrganRemoval | ForcedBegging | "
        "ForcedAdoption | Surrogacy | Other",
        "control": "PhysicalThreats | ThreatsLawEnforcement | ThreatensChildrenFamily | "
        "DebtBondage | FalsePromises | PhysicalAbuse | SexualAbuse | TakesEarnings | "
        "RestrictsFinancialAccess | RestrictsMedicalCare | WithholdsNecessities | "
        "PsychologicalAbuse | PsychoactiveSubstance | ExcessiveWorkingHours | WithholdsDocuments "
        "| Other",
        "recruiter": "Familial | Acquainted | Unaquainted",
        "case_status": "Active | FollowUp | Closed | ClosedReferred",
        "victim_status": "PossibleVictimOfTrafficking | ActualVictimOfTrafficking | "
        "NotAVictimOfTrafficking",
        "organisation": "NGO | LawEnforcement | HealthServiceOrganisation | "
        "CentralGovernmentOrganisation | LocalGovernmentOrganisation | ImmigrationService | "
        "LegalService | CorporateBusiness | SchoolOrCollege",
    }
    for field, values in picklists.items():
        for value in values.split("|"):
            assert case_alias(field, "htcds", value), (field, value)


def test_case_status_codes_are_the_catalogue_dimension() -> None:
    """Case statuses are the codes of the catalogue's case_status dimension."""
    dimension = builtin_catalogue().dimension("case_status")
    assert set(case_codes("case_status")) == set(dimension.codes) - {"_T"}


def test_json_schema_describes_a_record() -> None:
    """The JSON Schema names every case column and accepts a valid record."""
    schema = record_json_schema()
    assert set(schema["properties"]) == set(case_schema()) - {"path", "line"}
    document = CaseRecord(
        reporter="NGO.A", registered=DAY, sex="F", exploitation=["SEXUAL", "FORCED_LABOUR"]
    ).model_dump(mode="json")
    jsonschema.validate(document, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**document, "age": -1}, schema)


def test_case_frame_rejects_unknown_columns() -> None:
    """A record with a column the schema does not have is refused."""
    with pytest.raises(ValueError, match="gender"):
        case_frame([{"gender": "F"}])


# ---------------------------------------------------------------- record checks


def test_valid_record_has_no_finding() -> None:
    """A consistent record gives no finding."""
    rich = record(
        sex="F",
        birth_date=datetime.date(2006, 5, 1),
        age=16,
        age_band="Y15T17",
        majority="Y_LT18",
        age_exploited=15,
        majority_exploited="Y_LT18",
        nationality="KH",
        country="TH",
        exploitation=["SEXUAL"],
        control=["DEBT_BONDAGE"],
        recruiter=["FRIEND"],
        victim_status="ACTUAL",
        case_status="OPEN",
        referrer="GOV",
        referred_in=DAY,
        referrals=[{"to": "NGO.B", "date": DAY}, {"to": "FAMILY", "date": None}],
    )
    assert findings_of(rich) == []


def test_age_band_disagreeing_with_majority_is_found() -> None:
    """A band of children with adult majority status is an age conflict."""
    assert findings_of(record(age_band="Y9T17", majority="Y_GE18")) == [
        (2, "age", "case-age-conflict")
    ]


def test_age_disagreeing_with_birth_date_is_found() -> None:
    """An age of 30 for a person born in 2010 is an age conflict."""
    assert findings_of(record(age=30, birth_date=datetime.date(2010, 1, 1))) == [
        (2, "age", "case-age-conflict")
    ]


def test_birth_date_gives_age_in_completed_years() -> None:
    """Born 2 March 2005 and registered 1 March 2023: 17, so age 18 disagrees and 17 agrees."""
    born = datetime.date(2005, 3, 2)
    assert findings_of(record(birth_date=born, age=18)) == [(2, "age", "case-age-conflict")]
    assert findings_of(record(birth_date=born, age=17)) == []


def test_age_at_exploitation_above_age_at_registration_is_found() -> None:
    """An age at exploitation of 20 for a person of 18 is out of order; 18 is not."""
    assert findings_of(record(age=18, age_exploited=20)) == [(2, "age_exploited", "case-age-order")]
    assert findings_of(record(age=18, age_exploited=18)) == []


def test_adult_at_exploitation_but_minor_at_registration_is_found() -> None:
    """Majority at exploitation cannot come before minority at registration."""
    assert findings_of(record(majority="Y_LT18", majority_exploited="Y_GE18")) == [
        (2, "age_exploited", "case-age-order")
    ]


def test_impossible_age_is_found() -> None:
    """An age below 0 or above 130 is an invalid field."""
    assert findings_of(record(age=-1), record(case_id="C2", age=200)) == [
        (2, "age", "case-invalid-field"),
        (3, "age", "case-invalid-field"),
    ]


def test_not_specified_with_other_flags_of_its_group_is_found() -> None:
    """'Not specified' (_U) beside another form, means or relation is a flag conflict."""
    assert findings_of(
        record(exploitation=["_U", "SEXUAL"]), record(case_id="C2", recruiter=["_U"])
    ) == [(2, "exploitation", "case-flag-conflict")]


def test_duplicate_case_identifiers_are_found_on_every_later_copy() -> None:
    """Later copies of one reporter's case are found; another reporter's same number is not."""
    rows = [record(), record(reporter="NGO.B"), record(), record()]
    assert findings_of(*rows) == [
        (4, "case_id", "case-duplicate-id"),
        (5, "case_id", "case-duplicate-id"),
    ]


def test_dates_out_of_order_are_found() -> None:
    """A birth after registration and referrals listed out of date order are found."""
    later = datetime.date(2023, 5, 1)
    rows = [
        record(birth_date=datetime.date(2024, 1, 1)),
        record(
            case_id="C2", referrals=[{"to": "GOV", "date": later}, {"to": "NGO.B", "date": DAY}]
        ),
        record(case_id="C3", registered=later, referrals=[{"to": "GOV", "date": DAY}]),
        record(case_id="C4", year=2022),
    ]
    assert findings_of(*rows) == [
        (2, "birth_date", "case-date-order"),
        (3, "referrals", "case-date-order"),
        (4, "referrals", "case-date-order"),
        (5, "registered", "case-date-order"),
    ]


def test_invalid_codes_are_found() -> None:
    """Codes outside their codelists are found, with a hint where one is close."""
    rows = [
        record(sex="Female"),
        record(case_id="C2", nationality="ZZZ"),
        record(case_id="C3", exploitation=["SEX"]),
        record(case_id="C4", referrals=[{"to": "SHELTER", "date": None}]),
        record(case_id="C5", case_status="Closed"),
    ]
    found = findings_of(*rows)
    assert found == [
        (2, "sex", "unknown-code"),
        (3, "nationality", "unknown-code"),
        (4, "exploitation", "unknown-code"),
        (5, "referrals", "unknown-code"),
        (6, "case_status", "unknown-code"),
    ]
    frame = case_frame([{**record(sex="Female"), "path": "t.csv", "line": 2}])
    assert "did you mean 'F'" in check_records(frame)[0].message


def test_missing_reporter_and_year_are_found() -> None:
    """A record with no reporter or no registration year or date is a missing field."""
    rows = [record(reporter=" "), record(case_id="C2", year=None, registered=None)]
    assert findings_of(*rows) == [(2, "reporter", "missing-field"), (3, "year", "missing-field")]


def test_wrongly_typed_column_is_refused() -> None:
    """A frame whose column has the wrong type cannot be checked."""
    with pytest.raises(ValueError, match="age"):
        check_records(pl.DataFrame({"age": ["twelve"]}))


# ---------------------------------------------------------------- aggregation of the fixtures


def test_htcds_fixture_by_sex(htcds: pl.DataFrame) -> None:
    """The HTCDS fixture counts by reporter, year and sex as counted by hand."""
    expected = {
        "2023 NGO.CHAB": {"_T": 7, "F": 4, "M": 2, "_U": 1},
        "2023 NGO.HAGAR": {"_T": 4, "F": 1, "M": 1, "_O": 1, "_U": 1},
        "2024 NGO.HAGAR": {"_T": 1, "F": 1},
    }
    assert table(aggregate(htcds, ["sex"]), "sex") == breakdown(expected)


def test_htcds_fixture_by_age(htcds: pl.DataFrame) -> None:
    """Ages come from the age, the birth date or the band; conflicting ones are unknown."""
    expected = {
        "2023 NGO.CHAB": {"_T": 7, "Y_LT18": 1, "Y_GE18": 4, "_U": 2},
        "2023 NGO.HAGAR": {"_T": 4, "Y_LT18": 2, "Y_GE18": 1, "_U": 1},
        "2024 NGO.HAGAR": {"_T": 1, "Y_GE18": 1},
    }
    assert table(aggregate(htcds, ["age"]), "age") == breakdown(expected)


def test_htcds_fixture_by_exploitation(htcds: pl.DataFrame) -> None:
    """A victim of two forms counts under both; the forms add up to more than the total."""
    expected = {
        "2023 NGO.CHAB": {"_T": 7, "BEGGING": 1, "FORCED_LABOUR": 3, "SEXUAL": 2, "_U": 1},
        "2023 NGO.HAGAR": {"_T": 4, "FORCED_LABOUR": 2, "SEXUAL": 2, "_U": 1},
        "2024 NGO.HAGAR": {"_T": 1, "FORCED_MARRIAGE": 1},
    }
    dataset = aggregate(htcds, ["exploitation"])
    assert table(dataset, "exploitation") == breakdown(expected)
    notes = dataset.observations.filter(pl.col("exploitation") != "_T").get_column("note")
    assert notes.str.contains("counted under each form").all()
    assert not builtin_catalogue().indicator("victims_identified").partitions("exploitation")


def test_htcds_fixture_by_destination_and_referrer(htcds: pl.DataFrame) -> None:
    """The first outgoing referral is the destination; open cases without one are retained."""
    dataset = aggregate(htcds, ["destination", "referrer"])
    assert table(dataset, "destination") == breakdown(
        {
            "2023 NGO.CHAB": {"_T": 7, "NGO.AFESIP": 1, "RETAINED": 3, "_U": 3},
            "2023 NGO.HAGAR": {"_T": 4, "FAMILY": 1, "NGO.AFESIP": 1, "RETAINED": 1, "_U": 1},
            "2024 NGO.HAGAR": {"_T": 1, "NGO.AFESIP": 1},
        }
    )
    assert table(dataset, "referrer") == breakdown(
        {
            "2023 NGO.CHAB": {"_T": 7, "NGO.HAGAR": 1, "_U": 6},
            "2023 NGO.HAGAR": {"_T": 4, "GOV": 2, "_U": 2},
            "2024 NGO.HAGAR": {"_T": 1, "_U": 1},
        }
    )


def test_htcds_fixture_cross_breakdown(htcds: pl.DataFrame) -> None:
    """Sex by age gives the cells of the cross table as well as both margins."""
    cells = aggregate(htcds, ["sex", "age"]).observations.filter(
        (pl.col("period") == "2023") & (pl.col("reporter") == "NGO.HAGAR")
    )
    found = {(r["sex"], r["age"]): int(r["value"]) for r in cells.iter_rows(named=True)}
    assert found == {
        ("_T", "_T"): 4,
        ("_T", "Y_LT18"): 2,
        ("_T", "Y_GE18"): 1,
        ("_T", "_U"): 1,
        ("F", "_T"): 1,
        ("F", "Y_LT18"): 1,
        ("M", "_T"): 1,
        ("M", "Y_GE18"): 1,
        ("_O", "_T"): 1,
        ("_O", "Y_LT18"): 1,
        ("_U", "_T"): 1,
        ("_U", "_U"): 1,
    }


def test_htcds_fixture_records_not_counted_are_reported(htcds: pl.DataFrame) -> None:
    """A repeated case, a case with no reporter and a non-victim are left out, and said so."""
    dataset = aggregate(htcds)
    left_out = [
        (f.location.line if f.location else None, f.severity)
        for f in dataset.problems
        if f.code == "case-not-counted"
    ]
    assert left_out == [(7, Severity.INFO), (9, Severity.WARNING), (16, Severity.WARNING)]


def test_intake_counts_persons_found_not_to_be_victims(htcds: pl.DataFrame) -> None:
    """victims_received counts the non-victim record that victims_identified leaves out."""
    intake = table(aggregate(htcds, indicator="victims_received"), "sex")
    identified = table(aggregate(htcds), "sex")
    assert intake[("2023", "NGO.CHAB", "_T")] == identified[("2023", "NGO.CHAB", "_T")] + 1
    assert set(aggregate(htcds, indicator="victims_received").observations["indicator"]) == {
        "victims_received"
    }


def test_ctdc_fixture_by_sex_and_exploitation(ctdc: pl.DataFrame) -> None:
    """The CTDC fixture counts as counted by hand."""
    dataset = aggregate(ctdc, ["sex", "exploitation"])
    assert table(dataset, "sex") == breakdown(
        {
            "2018 CTDC": {"_T": 3, "F": 2, "M": 1},
            "2019 CTDC": {"_T": 7, "F": 4, "M": 2, "_U": 1},
            "2020 CTDC": {"_T": 2, "M": 1, "_U": 1},
        }
    )
    assert table(dataset, "exploitation") == breakdown(
        {
            "2018 CTDC": {"_T": 3, "FORCED_LABOUR": 2, "SEXUAL": 2},
            "2019 CTDC": {
                "_T": 7,
                "FORCED_LABOUR": 2,
                "FORCED_MARRIAGE": 1,
                "OTHER": 1,
                "SEXUAL": 2,
                "_U": 1,
            },
            "2020 CTDC": {"_T": 2, "FORCED_LABOUR": 1, "_U": 1},
        }
    )


def test_ctdc_fixture_by_ctdc_age_bands(ctdc: pl.DataFrame) -> None:
    """The CTDC bands themselves can be requested by their labels."""
    bands = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
    assert table(aggregate(ctdc, ["age"], bands), "age") == breakdown(
        {
            "2018 CTDC": {"_T": 3, "Y9T17": 1, "Y18T20": 1, "Y30T38": 1},
            "2019 CTDC": {
                "_T": 7,
                "Y_LT9": 1,
                "Y9T17": 1,
                "Y21T23": 1,
                "Y24T26": 1,
                "Y27T29": 1,
                "_U": 2,
            },
            "2020 CTDC": {"_T": 2, "Y39T47": 1, "Y_GE48": 1},
        }
    )


def test_ctdc_fixture_by_nationality(ctdc: pl.DataFrame) -> None:
    """Placeholders and unknown codes count under _U."""
    assert table(aggregate(ctdc, ["citizenship"]), "nationality") == breakdown(
        {
            "2018 CTDC": {"_T": 3, "KH": 2, "VN": 1},
            "2019 CTDC": {"_T": 7, "KH": 3, "TH": 1, "VN": 1, "_U": 2},
            "2020 CTDC": {"_T": 2, "VN": 2},
        }
    )


def test_fixture_aggregates_pass_the_aggregate_checks(
    htcds: pl.DataFrame, ctdc: pl.DataFrame
) -> None:
    """Every breakdown of both fixtures passes the checks of aggregates with no finding."""
    for records in (htcds, ctdc):
        dataset = aggregate(records, DIMENSIONS[:4])
        assert rule_findings(dataset) == []
        assert rule_findings(aggregate(records, DIMENSIONS[4:])) == []


# ---------------------------------------------------------------- bands, breakdowns, options


def test_band_that_straddles_requested_bands_counts_as_unknown(ctdc: pl.DataFrame) -> None:
    """CTDC's 9--17 cannot be split into under 15 and 15-17: _U, with a warning."""
    dataset = aggregate(ctdc, ["age"], ["Y_LT15", "Y15T17", "Y_GE18"])
    assert table(dataset, "age")[("2018", "CTDC", "_U")] == 1
    (warning,) = [f for f in dataset.problems if f.code == "case-age-unplaceable"]
    assert warning.severity is Severity.WARNING
    assert "Y_LT15, Y15T17" in warning.message
    assert rule_findings(dataset) == []


@pytest.mark.parametrize(
    ("bands", "reason"),
    [
        (["Y_LT15", "Y_GE18"], "ages 15-17 are in no band"),
        (["Y_LT18", "Y15T17", "Y_GE18"], "Y_LT18 overlaps Y15T17"),
        (["Y_LT18"], "ages 18 and over are in no band"),
        (["_T"], "total"),
        (["_U"], "no band of known ages"),
    ],
)
def test_bands_must_partition_all_ages(bands: list[str], reason: str) -> None:
    """A band set with a gap or an overlap is refused, naming the problem."""
    with pytest.raises(DefinitionError, match=reason):
        aggregate(case_frame([record()]), ["age"], bands)


def test_unknown_band_label_is_a_code_error() -> None:
    """A band that is neither a code nor a known label raises CodeError."""
    with pytest.raises(CodeError):
        aggregate(case_frame([record()]), ["age"], ["children", "grown-ups"])


def test_breakdown_must_be_one_the_indicator_allows() -> None:
    """An unknown breakdown or one the records cannot give is refused."""
    with pytest.raises(CodeError):
        aggregate(case_frame([record()]), ["gendre"])
    with pytest.raises(CodeError):
        aggregate(case_frame([record()]), ["activity"])


def test_indicator_must_count_persons() -> None:
    """Case records count persons: a count of cases cannot be aggregated from them."""
    with pytest.raises(ValueError, match="persons"):
        aggregate(case_frame([record()]), indicator="cases_investigated")


def test_reporter_override_rolls_members_up() -> None:
    """With a reporter given, every member's records count under it."""
    frame = case_frame([record(), record(reporter="NGO.B"), record(case_id="C2")])
    assert table(aggregate(frame, reporter="COALITION"), "sex") == {("2023", "COALITION", "_T"): 3}


def test_repeated_form_of_one_record_counts_once() -> None:
    """A record listing a form twice counts once under it."""
    frame = case_frame([record(exploitation=["SEXUAL", "SEXUAL"])])
    assert table(aggregate(frame, ["exploitation"]), "exploitation") == {
        ("2023", "NGO.A", "_T"): 1,
        ("2023", "NGO.A", "SEXUAL"): 1,
    }


def test_aggregate_rows_are_located_in_the_output() -> None:
    """Each aggregate is located at its line of the output file."""
    dataset = aggregate(case_frame([record(sex="F")]), ["sex"], path="out.csv")
    assert dataset.observations.select("path", "line").rows() == [("out.csv", 2), ("out.csv", 3)]


def test_no_records_give_no_aggregates() -> None:
    """An empty set of records gives an empty dataset, not an error."""
    dataset = aggregate(case_frame([]), ["sex", "exploitation"])
    assert len(dataset) == 0
    assert dataset.problems == ()


# ---------------------------------------------------------------- property


REPORTERS = ("NGO.A", "NGO.B", "GOV.C")
BAND_SETS = (
    ("Y_LT18", "Y_GE18"),
    ("Y_LT15", "Y15T17", "Y_GE18"),
    ("0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"),
    ("Y_LT5", "Y5T9", "Y_GE10"),
)


@st.composite
def case_records(draw: st.DrawFn) -> dict[str, Any]:
    """One case record: any mix of known, unknown and conflicting facts."""
    maybe = st.none() | st.just(True)

    def optional(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(strategy) if draw(maybe) else None

    forms = [c for c in case_codes("exploitation") if c != "_U"]
    return {
        "case_id": optional(st.sampled_from(["C1", "C2", "C3", "C4", "C5", "C6"])),
        "reporter": draw(st.sampled_from([*REPORTERS, "", None])) if draw(maybe) else "NGO.A",
        "year": draw(st.sampled_from([2019, 2020, None])),
        "registered": None,
        "sex": optional(st.sampled_from(["F", "M", "_O", "_U", "X"])),
        "age": optional(st.integers(0, 90)),
        "age_band": optional(st.sampled_from(["Y_LT9", "Y9T17", "Y18T20", "Y_GE48", "Y15T17"])),
        "majority": optional(st.sampled_from(["Y_LT18", "Y_GE18"])),
        "nationality": optional(st.sampled_from(["KH", "KHM", "TH", "VN", "_U", "ZZZ"])),
        "country": optional(st.sampled_from(["KH", "TH", "MYS"])),
        "exploitation": draw(st.lists(st.sampled_from([*forms, "_U"]), max_size=3)),
        "victim_status": optional(st.sampled_from(["ACTUAL", "POSSIBLE", "NOT"])),
        "case_status": optional(st.sampled_from(["OPEN", "CLOSED"])),
        "referrer": optional(st.sampled_from(["GOV", "NGO.B", "FAMILY"])),
        "referrals": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"to": st.sampled_from(["NGO.B", "GOV", "FAMILY", "IO.X"]), "date": st.none()}
                ),
                max_size=2,
            )
        ),
    }


def counted_records(rows: Sequence[Mapping[str, Any]]) -> Counter[tuple[str, str]]:
    """How many records count per (period, reporter), worked out record by record."""
    seen: set[tuple[str, str]] = set()
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        reporter = (row["reporter"] or "").strip()
        key = (row["reporter"], row["case_id"])
        repeated = row["case_id"] is not None and key in seen
        seen.add(key)
        if reporter and row["year"] is not None and not repeated and row["victim_status"] != "NOT":
            counts[(str(row["year"]), reporter)] += 1
    return counts


@settings(max_examples=60)
@given(
    rows=st.lists(case_records(), max_size=25),
    by=st.lists(st.sampled_from(DIMENSIONS), unique=True, min_size=1, max_size=3),
    bands=st.sampled_from(BAND_SETS),
)
def test_aggregates_are_consistent_and_count_every_record(
    rows: list[dict[str, Any]], by: list[str], bands: tuple[str, ...]
) -> None:
    """Aggregates pass the checks; totals are the records counted; forms cover every record."""
    frame = case_frame({**row, "path": "t.csv", "line": i + 2} for i, row in enumerate(rows))
    dataset = aggregate(frame, by, bands)
    assert not [f for f in rule_findings(dataset) if f.severity is not Severity.INFO]
    expected = counted_records(rows)
    for dimension in by:
        cells = table(dataset, dimension)
        totals = {(p, r): n for (p, r, code), n in cells.items() if code == "_T"}
        assert totals == dict(expected)
        parts: Counter[tuple[str, str]] = Counter()
        for (period, reporter, code), count in cells.items():
            if code != "_T":
                parts[(period, reporter)] += count
        if dimension == "exploitation":
            assert all(parts[key] >= total for key, total in totals.items())
        else:
            assert parts == Counter(totals)


# ---------------------------------------------------------------- the aggregate command


def run(*argv: str) -> int:
    """Run the aggregate command with ``argv``."""
    parser = argparse.ArgumentParser()
    _aggregate.add_parser(parser.add_subparsers(), "aggregate")
    return _aggregate.run(parser.parse_args(["aggregate", *argv]))


def test_command_writes_aggregates_and_reports(
    fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command writes the long CSV and reports every finding; errors make the status 1."""
    output = tmp_path / "out.csv"
    status = run(str(fixtures / "cases" / "htcds-cases.csv"), "--by", "sex,age", "-o", str(output))
    assert status == 1
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "indicator,period,reporter,sex,age,measure,value,source"
    assert lines[1].startswith("victims_identified,2023,NGO.CHAB,_T,_T,N,7,")
    report = capsys.readouterr().out
    assert "line 9: case_id: case 'C002'" in report
    assert "8 errors, 2 warnings, 1 info" in report


def test_command_with_clean_input_exits_0(
    fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clean file exits 0; without -o the CSV goes to standard output, the report to stderr."""
    status = run(str(fixtures / "cases" / "ctdc-2023.csv"), "--by", "nationality")
    captured = capsys.readouterr()
    assert status == 0
    assert (
        captured.out.splitlines()[1]
        == "victims_identified,2022,CTDC,_T,N,2,case records: ctdc-2023.csv"
    )
    assert "0 errors, 0 warnings" in captured.err


def test_command_json_report(
    fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format json prints the JSON report with every finding at its line."""
    output = tmp_path / "out.csv"
    run(str(fixtures / "cases" / "ctdc-2018.csv"), "--format", "json", "-o", str(output))
    report = json.loads(capsys.readouterr().out)
    codes = {(f["code"], f["location"]["line"]) for f in report["findings"]}
    assert ("case-flags-mismatch", 9) in codes
    assert report["inputs"][0]["observations"] == 13


def test_command_bad_bands_raise(fixtures: Path) -> None:
    """Bands that do not partition all ages are an error the CLI turns into exit status 2."""
    with pytest.raises(DefinitionError):
        run(str(fixtures / "cases" / "ctdc-2023.csv"), "--by", "age", "--bands", "Y_LT15,Y_GE18")
