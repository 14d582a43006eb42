"""Tests for tip_indicators.io.cases: the HTCDS-aligned and CTDC case-file readers."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spellings import assert_joined_as_resolved, texts
from support import WriteFile
from tip_indicators.cases import check_records
from tip_indicators.cases._cells import field_vocabulary
from tip_indicators.errors import InputError
from tip_indicators.findings import Finding, Severity
from tip_indicators.io.cases import (
    CTDC_COLUMNS,
    HTCDS_COLUMNS,
    CaseFile,
    detect_layout,
    parse_ctdc_csv,
    parse_htcds_csv,
    read_cases,
    read_ctdc_csv,
    read_htcds_csv,
)

HTCDS_HEADER = "cas_CaseNumber,org_Name,cas_CreatedDate"


def where(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[int | None, str, str]]:
    """Each finding as (line, field, code), in line order."""
    return sorted(
        (
            f.location.line if f.location else None,
            f.location.field or "" if f.location else "",
            f.code,
        )
        for f in findings
    )


def column(cases: CaseFile, name: str) -> list[object]:
    """The values of one case-frame column."""
    return cases.records.get_column(name).to_list()


@pytest.fixture(scope="module")
def htcds(fixtures: Path) -> CaseFile:
    """The synthetic HTCDS-layout fixture."""
    return read_htcds_csv(fixtures / "cases" / "htcds-cases.csv")


@pytest.fixture(scope="module")
def ctdc(fixtures: Path) -> CaseFile:
    """The synthetic CTDC-layout fixture in the older style (alpha-2, 0/1/-99 flags)."""
    return read_ctdc_csv(fixtures / "cases" / "ctdc-2018.csv")


# ---------------------------------------------------------------- HTCDS layout


def test_htcds_fixture_reads_every_row(htcds: CaseFile) -> None:
    """Every data row of the HTCDS fixture becomes a record located at its line."""
    assert htcds.records.height == 15
    assert column(htcds, "line") == list(range(2, 17))
    assert htcds.input.format == "htcds-csv"
    assert htcds.input.observations == 15


def test_htcds_gender_codes_map_to_sex_codes(htcds: CaseFile) -> None:
    """HTCDS gender values map to F, M, _O and _U; a value outside the picklist is null."""
    assert column(htcds, "sex")[:5] == ["F", "M", "_O", "_U", "F"]
    assert column(htcds, "sex")[9] is None


def test_htcds_stray_whitespace_in_codes_is_trimmed(htcds: CaseFile) -> None:
    """'DebtBondage ' (as the standard's own form writes it) reads as DEBT_BONDAGE."""
    assert column(htcds, "control")[1] == ["DEBT_BONDAGE"]


def test_htcds_multiselect_lists_every_form(htcds: CaseFile) -> None:
    """A multiselect cell gives every form it lists, each once."""
    assert column(htcds, "exploitation")[1] == ["FORCED_LABOUR", "SEXUAL"]
    assert column(htcds, "exploitation")[3] == []


def test_htcds_alpha3_citizenship_becomes_alpha2(htcds: CaseFile) -> None:
    """KHM reads as KH."""
    assert column(htcds, "nationality")[1] == "KH"


def test_htcds_organisation_type_maps_to_destination_type(htcds: CaseFile) -> None:
    """An HTCDS organisation type (LawEnforcement) counts as its destination type (GOV)."""
    assert column(htcds, "referrer")[2] == "GOV"
    assert column(htcds, "referrer")[6] == "NGO.HAGAR"


def test_htcds_referrals_pair_organisations_with_dates(htcds: CaseFile) -> None:
    """Referred organisations and outgoing dates pair up in the order written."""
    assert column(htcds, "referrals")[4] == [
        {"to": "NGO.AFESIP", "date": datetime.date(2024, 1, 10)},
        {"to": "GOV", "date": datetime.date(2024, 2, 1)},
    ]
    assert column(htcds, "referrals")[1] == []


def test_htcds_dates_and_year(htcds: CaseFile) -> None:
    """The creation date is the registration date, and gives the year."""
    assert column(htcds, "registered")[0] == datetime.date(2023, 2, 10)
    assert column(htcds, "year")[0] == 2023
    assert column(htcds, "birth_date")[0] == datetime.date(2008, 5, 1)


def test_htcds_status_fields_map(htcds: CaseFile) -> None:
    """Trafficking status and case status map to our codes."""
    assert column(htcds, "victim_status")[:3] == ["ACTUAL", "ACTUAL", "POSSIBLE"]
    assert column(htcds, "case_status")[:3] == ["CLOSED", "OPEN", "MONITORING"]


def test_htcds_reading_findings_are_at_their_rows(htcds: CaseFile) -> None:
    """Unknown codes are found at their line and column, with a hint where one is close."""
    assert where(htcds.findings) == [
        (11, "prs_Gender", "unknown-code"),
        (15, "prs_Citizenship", "unknown-code"),
    ]
    assert "did you mean 'F'" in htcds.findings[0].message


def test_htcds_seeded_defects_are_each_found_at_their_row(htcds: CaseFile) -> None:
    """Reading and the record checks find every defect seeded in the fixture, at its row."""
    found = where([*htcds.findings, *check_records(htcds.records)])
    assert found == [
        (9, "case_id", "case-duplicate-id"),
        (10, "age", "case-age-conflict"),
        (11, "prs_Gender", "unknown-code"),
        (12, "age_exploited", "case-age-order"),
        (13, "referrals", "case-date-order"),
        (14, "birth_date", "case-date-order"),
        (15, "prs_Citizenship", "unknown-code"),
        (16, "reporter", "missing-field"),
    ]


def test_unreadable_date_is_a_finding() -> None:
    """A date that is not YYYY-MM-DD is a finding at its column and reads as null."""
    cases = parse_htcds_csv(f"{HTCDS_HEADER},prs_Birthdate\nC1,NGO.A,2023-01-05,2001-13-40\n")
    assert where(cases.findings) == [(2, "prs_Birthdate", "case-invalid-field")]
    assert column(cases, "birth_date") == [None]


def test_timestamp_creation_date_reads_as_its_date() -> None:
    """A Salesforce timestamp (2023-01-05T10:00:00Z) gives its date."""
    cases = parse_htcds_csv(f"{HTCDS_HEADER}\nC1,NGO.A,2023-01-05T10:00:00Z\n")
    assert column(cases, "registered") == [datetime.date(2023, 1, 5)]
    assert cases.findings == ()


def test_missing_case_number_is_a_finding() -> None:
    """An empty case number is a missing-field error at its row."""
    cases = parse_htcds_csv(f"{HTCDS_HEADER}\n,NGO.A,2023-01-05\n")
    assert where(cases.findings) == [(2, "cas_CaseNumber", "missing-field")]


def test_several_citizenships_count_under_the_first() -> None:
    """A dual citizen counts under the first citizenship written, with an info finding."""
    cases = parse_htcds_csv(f"{HTCDS_HEADER},prs_Citizenship\nC1,NGO.A,2023-01-05,TH;KH\n")
    assert column(cases, "nationality") == ["TH"]
    (finding,) = cases.findings
    assert (finding.code, finding.severity) == ("case-dual-citizenship", Severity.INFO)


def test_referral_dates_that_do_not_pair_are_left_out() -> None:
    """Two organisations with one date: a finding, and the referrals keep no dates."""
    header = f"{HTCDS_HEADER},cas_ReferredOrganisation,cas_OutgoingReferralDate"
    cases = parse_htcds_csv(f"{header}\nC1,NGO.A,2023-01-05,NGO.B;GOV,2023-02-01\n")
    assert where(cases.findings) == [(2, "cas_OutgoingReferralDate", "case-invalid-field")]
    assert column(cases, "referrals") == [
        [{"to": "NGO.B", "date": None}, {"to": "GOV", "date": None}]
    ]


def test_unknown_referral_partner_keeps_the_others_dates() -> None:
    """An unknown organisation is a finding; the others keep their own dates."""
    header = f"{HTCDS_HEADER},cas_ReferredOrganisation,cas_OutgoingReferralDate"
    text = f"{header}\nC1,NGO.A,2023-01-05,ngo afesip;GOV,2023-02-01;2023-03-01\n"
    cases = parse_htcds_csv(text)
    (finding,) = cases.findings
    assert finding.code == "unknown-code"
    assert "did you mean 'NGO.AFESIP'" in finding.message
    assert column(cases, "referrals") == [[{"to": "GOV", "date": datetime.date(2023, 3, 1)}]]


def test_age_band_accepts_source_labels() -> None:
    """An age band may be an age code or a source label such as CTDC's 9--17."""
    text = f"{HTCDS_HEADER},prs_AgeBand\nC1,NGO.A,2023-01-05,9--17\nC2,NGO.A,2023-01-05,Y_GE18\n"
    assert column(parse_htcds_csv(text), "age_band") == ["Y9T17", "Y_GE18"]


def test_non_numeric_age_is_a_finding() -> None:
    """An age that is not a whole number is a finding and reads as null."""
    cases = parse_htcds_csv(f"{HTCDS_HEADER},prs_Age\nC1,NGO.A,2023-01-05,twelve\n")
    assert where(cases.findings) == [(2, "prs_Age", "case-invalid-field")]
    assert column(cases, "age") == [None]


def test_row_with_wrong_field_count_is_a_finding() -> None:
    """A row with more fields than the header is reported and not read."""
    cases = parse_htcds_csv(f"{HTCDS_HEADER}\nC1,NGO.A,2023-01-05,extra\nC2,NGO.A,2023-01-06\n")
    assert where(cases.findings) == [(2, "", "row-shape")]
    assert column(cases, "case_id") == ["C2"]


def test_unused_columns_are_left_unread() -> None:
    """HTCDS fields the aggregates do not need (names, phone numbers) are not read."""
    cases = parse_htcds_csv(f"{HTCDS_HEADER},prs_FirstName\nC1,NGO.A,2023-01-05,Sokha\n")
    assert "prs_FirstName" not in cases.records.columns
    assert cases.findings == ()


# ---------------------------------------------------------------- CTDC layout


def test_ctdc_fixture_reads_every_row(ctdc: CaseFile) -> None:
    """Every data row becomes a record of the given reporter."""
    assert ctdc.records.height == 13
    assert set(column(ctdc, "reporter")) == {"CTDC"}
    assert ctdc.input.format == "ctdc-csv"


def test_ctdc_placeholders_are_not_countries(ctdc: CaseFile) -> None:
    """0, 00 and -99 in citizenship or country of exploitation read as unknown (null)."""
    assert column(ctdc, "country")[2] is None
    assert column(ctdc, "nationality")[3] is None
    assert column(ctdc, "nationality")[0] == "KH"


def test_ctdc_age_band_and_majority(ctdc: CaseFile) -> None:
    """ageBroad reads as an age code and majorityStatus as Y_LT18 or Y_GE18."""
    assert column(ctdc, "age_band")[:3] == ["Y9T17", "Y30T38", "Y18T20"]
    assert column(ctdc, "majority")[:3] == ["Y_LT18", "Y_GE18", "Y_GE18"]
    assert column(ctdc, "majority_exploited")[2] == "Y_LT18"


def test_ctdc_flags_give_the_forms(ctdc: CaseFile) -> None:
    """One-hot flags give the forms; isSexAndLabour means both; all missing gives none."""
    assert column(ctdc, "exploitation")[:4] == [
        ["SEXUAL"],
        ["FORCED_LABOUR"],
        ["FORCED_LABOUR", "SEXUAL"],
        [],
    ]


def test_ctdc_not_specified_flag_reads_as_unknown(ctdc: CaseFile) -> None:
    """meansOfControlNotSpecified and recruiterRelationUnknown read as _U."""
    assert column(ctdc, "control")[4] == ["_U"]
    assert column(ctdc, "recruiter")[4] == ["_U"]
    assert column(ctdc, "control")[6] == ["DEBT_BONDAGE", "_U"]


def test_ctdc_flags_win_over_the_concatenated_column(ctdc: CaseFile) -> None:
    """When flags and concatenated column disagree, the flags are used and a finding says so."""
    assert column(ctdc, "exploitation")[7] == ["FORCED_LABOUR"]
    finding = next(f for f in ctdc.findings if f.code == "case-flags-mismatch")
    assert finding.location is not None
    assert (finding.location.line, finding.location.field) == (9, "typeOfExploitConcatenated")
    assert "SEXUAL" in finding.message
    assert "FORCED_LABOUR" in finding.message


def test_ctdc_reading_findings_are_at_their_rows(ctdc: CaseFile) -> None:
    """Mismatched flags, unknown codes and unreadable flags are found at their row and column."""
    assert where(ctdc.findings) == [
        (9, "typeOfExploitConcatenated", "case-flags-mismatch"),
        (10, "citizenship", "unknown-code"),
        (12, "gender", "unknown-code"),
        (14, "isForcedLabour", "case-invalid-field"),
    ]


def test_ctdc_seeded_defects_are_each_found_at_their_row(ctdc: CaseFile) -> None:
    """Reading and the record checks find every defect seeded in the fixture, at its row."""
    found = where([*ctdc.findings, *check_records(ctdc.records)])
    assert found == [
        (7, "age", "case-age-conflict"),
        (8, "control", "case-flag-conflict"),
        (9, "typeOfExploitConcatenated", "case-flags-mismatch"),
        (10, "citizenship", "unknown-code"),
        (11, "age_exploited", "case-age-order"),
        (12, "gender", "unknown-code"),
        (13, "year", "missing-field"),
        (14, "isForcedLabour", "case-invalid-field"),
    ]


def test_ctdc_newer_release_values(fixtures: Path) -> None:
    """Alpha-3 codes, Woman/Man/Trans, 09--17 and 1-or-empty flags read like the older style."""
    cases = read_ctdc_csv(fixtures / "cases" / "ctdc-2023.csv", reporter="IO.CTDC")
    assert cases.findings == ()
    assert column(cases, "sex") == ["F", "M", "_O", None]
    assert column(cases, "nationality") == ["KH", "VN", None, None]
    assert column(cases, "country") == ["TH", "MY", None, "TH"]
    assert column(cases, "age_band") == ["Y9T17", "Y_GE48", "Y27T29", None]
    assert column(cases, "exploitation") == [["SEXUAL"], ["FORCED_LABOUR"], ["OTHER"], []]
    assert set(column(cases, "reporter")) == {"IO.CTDC"}


def test_ctdc_concatenated_column_alone_gives_the_forms() -> None:
    """With no flag column, the concatenated column gives the forms."""
    cases = parse_ctdc_csv(
        "yearOfRegistration,typeOfExploitConcatenated\n2019,Sexual exploitation; Forced labour\n"
    )
    assert column(cases, "exploitation") == [["FORCED_LABOUR", "SEXUAL"]]
    assert cases.findings == ()


def test_ctdc_unknown_label_is_not_also_a_mismatch() -> None:
    """An unknown label in the concatenated column is one finding, not a mismatch too."""
    cases = parse_ctdc_csv(
        "yearOfRegistration,isForcedLabour,typeOfExploitConcatenated\n2019,1,Forced labor force\n"
    )
    assert where(cases.findings) == [(2, "typeOfExploitConcatenated", "unknown-code")]


def test_ctdc_unreadable_year_is_a_finding() -> None:
    """A year that is not four digits is a finding and reads as null."""
    cases = parse_ctdc_csv("yearOfRegistration\n19\n")
    assert where(cases.findings) == [(2, "yearOfRegistration", "case-invalid-field")]
    assert column(cases, "year") == [None]


def test_ctdc_columns_name_the_flags() -> None:
    """The columns the CTDC reader uses include the flags and concatenated columns."""
    assert {"isForcedLabour", "meansOfControlNotSpecified", "RecruiterRelationship"} <= set(
        CTDC_COLUMNS
    )


# ---------------------------------------------------------------- layouts and unreadable files


def test_layout_is_told_by_the_header(fixtures: Path) -> None:
    """read_cases picks the reader from the header."""
    assert read_cases(fixtures / "cases" / "ctdc-2023.csv").input.format == "ctdc-csv"
    assert read_cases(fixtures / "cases" / "htcds-cases.csv").input.format == "htcds-csv"
    assert detect_layout(list(HTCDS_COLUMNS)[:3]) == "htcds"


def test_unknown_layout_is_an_input_error(write_file: WriteFile) -> None:
    """A header that is neither layout cannot be read."""
    path = write_file("other.csv", "indicator,period,reporter,value\n")
    with pytest.raises(InputError, match="neither a CTDC nor an HTCDS"):
        read_cases(path)
    with pytest.raises(InputError, match="unknown layout"):
        read_cases(path, layout="glotip")


def test_empty_file_is_an_input_error(write_file: WriteFile) -> None:
    """An empty file has no header."""
    with pytest.raises(InputError, match="empty file"):
        read_htcds_csv(write_file("empty.csv", b""))


def test_missing_required_column_is_an_input_error() -> None:
    """The HTCDS layout needs a case number, an organisation and a creation date."""
    with pytest.raises(InputError, match="cas_CreatedDate"):
        parse_htcds_csv("cas_CaseNumber,org_Name\nC1,NGO.A\n")


def test_duplicate_column_is_an_input_error() -> None:
    """A column named twice cannot be read."""
    with pytest.raises(InputError, match="appears twice"):
        parse_ctdc_csv("yearOfRegistration,gender,gender\n2019,Male,Male\n")


def test_misspelt_column_is_an_input_error_with_a_hint() -> None:
    """A column that differs from a known one only in case is named with the right spelling."""
    with pytest.raises(InputError, match="did you mean 'prs_Gender'"):
        parse_htcds_csv(f"{HTCDS_HEADER},PRS_gender\nC1,NGO.A,2023-01-05,Feminine\n")


def test_broken_csv_is_an_input_error(write_file: WriteFile) -> None:
    """A file that is not CSV (an unterminated quote) cannot be read."""
    path = write_file("broken.csv", f'{HTCDS_HEADER}\n"C1,NGO.A,2023-01-05\n')
    with pytest.raises(InputError, match="not readable as CSV"):
        read_htcds_csv(path)


def test_file_that_is_not_text_is_an_input_error(write_file: WriteFile) -> None:
    """Binary content is an input error, never a traceback."""
    with pytest.raises(InputError):
        read_ctdc_csv(write_file("binary.csv", b"\x00\x01\x02"))


_VOCABULARIES = [
    *((field, "htcds") for field in ("sex", "victim_status", "case_status")),
    *((field, "htcds") for field in ("exploitation", "control", "recruiter")),
    *((field, "ctdc-label") for field in ("exploitation", "control", "recruiter")),
    ("sex", "ctdc"),
    ("majority", "ctdc"),
    ("age", "any"),
    ("age", "ctdc"),
    ("country", "any"),
    ("referral", "any"),
]


@pytest.mark.parametrize(("field", "source"), _VOCABULARIES)
@given(data=st.data())
def test_cells_map_by_join_as_one_by_one(field: str, source: str, data: st.DataObject) -> None:
    """Joining a column's values with the alias tables maps each as mapping it alone does."""
    vocabulary = field_vocabulary(field, source)
    known = [*vocabulary.exact.get_column("text"), *vocabulary.folded.get_column("_key")]
    spellings = [*known, "NGO.AFESIP", "NGO AFESIP", "_U", "Y15T17", "Debt bondage", "Kh"]
    assert_joined_as_resolved(data.draw(texts(spellings)), vocabulary)
