"""The wording of case-record findings: each message says, in words, what its record gives.

The checks word their findings column-wise; these tests hold every message to the record it is
about, worded here one record at a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tip_indicators.cases import aggregate, case_frame, check_records
from tip_indicators.findings import Finding

FILES = ("a.csv", "b.csv")
DAYS = [None, datetime.date(2023, 3, 1), datetime.date(2022, 12, 31), datetime.date(2024, 1, 1)]
BIRTHS = [None, datetime.date(2005, 3, 2), datetime.date(2024, 1, 1), datetime.date(1990, 1, 1)]
FLAGS = [None, [], ["SEXUAL"], ["_U", "SEXUAL", "LABOUR"], ["_U", "FORCED_LABOUR", "_U"], ["_U"]]
REFERRALS = [
    None,
    [],
    [{"to": "NGO.B", "date": datetime.date(2023, 5, 1)}, {"to": "GOV", "date": DAYS[1]}],
    [{"to": "SHELTER", "date": None}, {"to": "GOV", "date": DAYS[2]}],
    [{"to": "GOV", "date": datetime.date(2020, 1, 1)}],
]

records = st.fixed_dictionaries(
    {
        "case_id": st.sampled_from(["C1", "C2", "it's", 'say "hi"', "tab\there", "ü"]),
        "reporter": st.sampled_from(["NGO.A", "NGO.B", " ", None]),
        "registered": st.sampled_from(DAYS),
        "year": st.sampled_from([2023, 2022, None, 0]),
        "sex": st.sampled_from(["F", "M", "Female", None]),
        "birth_date": st.sampled_from(BIRTHS),
        "age": st.sampled_from([None, 17, 18, 30, -1, 200]),
        "age_band": st.sampled_from([None, "Y15T17", "Y9T17", "Y_GE18", "teen"]),
        "majority": st.sampled_from([None, "Y_LT18", "Y_GE18"]),
        "age_exploited": st.sampled_from([None, 15, 20, 300]),
        "majority_exploited": st.sampled_from([None, "Y_LT18", "Y_GE18"]),
        "nationality": st.sampled_from([None, "KH", "ZZZ"]),
        "exploitation": st.sampled_from(FLAGS),
        "recruiter": st.sampled_from([None, ["FRIEND"], ["_U", "FAMILY", "FRIEND"]]),
        "case_status": st.sampled_from([None, "OPEN", "Closed"]),
        "referred_in": st.sampled_from([None, DAYS[1], datetime.date(1980, 1, 1)]),
        "referrals": st.sampled_from(REFERRALS),
        "path": st.sampled_from(FILES),
    }
)

REGISTRATION = [("age", "age"), ("birth date", "birth_date"), ("age band", "age_band")]
REGISTRATION += [("majority", "majority")]
EXPLOITATION = [("age at exploitation", "age_exploited")]
EXPLOITATION += [("majority at exploitation", "majority_exploited")]


def facts(row: Mapping[str, Any], names: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{name} {row[key]}" for name, key in names if row.get(key) is not None)


def dates(row: Mapping[str, Any]) -> str:
    out = ", ".join(str(item["date"]) for item in row.get("referrals") or [] if item["date"])
    given = [(name, row.get(name)) for name in ("registered", "year", "birth_date", "referred_in")]
    return ", ".join(f"{name} {value}" for name, value in [*given, ("referrals", out)] if value)


def first_line(rows: Sequence[Mapping[str, Any]], row: Mapping[str, Any]) -> int | None:
    """The first line of ``row``'s case, as the duplicate finding names it."""
    if row["reporter"] is None:
        return None
    same = [r for r in rows if (r["reporter"], r["case_id"]) == (row["reporter"], row["case_id"])]
    return min(int(r["line"]) for r in same)


def worded(finding: Finding, rows: Sequence[Mapping[str, Any]]) -> str:
    """The message of ``finding`` as its record gives it, one record at a time."""
    assert finding.location is not None
    assert finding.location.line is not None
    row = rows[finding.location.line - 2]
    field = finding.location.field
    assert field is not None
    code = finding.code
    if code == "case-duplicate-id":
        text = (
            f"case {row['case_id']!r} of {row['reporter']} is also on line "
            f"{first_line(rows, row)}; only the first copy is counted"
        )
    elif code == "case-age-conflict" and field == "age":
        text = f"{facts(row, REGISTRATION)} disagree; the age counts as unknown (_U)"
    elif code == "case-age-conflict":
        text = f"{facts(row, EXPLOITATION)} disagree"
    elif code == "case-age-order":
        # the bound is the tightest the record gives: its message names it, and it must be a
        # number no older than the age at exploitation it is below
        bound = finding.message.split("at most ")[1].split(" ")[0]
        assert int(bound) < (row["age_exploited"] or 18)
        text = (
            f"{facts(row, EXPLOITATION)} is above the age at registration, at most {bound} "
            f"({facts(row, REGISTRATION)})"
        )
    elif code == "case-invalid-field":
        text = f"{row[field]} is not an age (0 to 130)"
    elif code == "case-flag-conflict":
        others = ", ".join(sorted({flag for flag in row[field] if flag != "_U"}))
        text = (
            f"given as not specified (_U) and as {others}; a 'not specified' flag excludes "
            "the others of its group"
        )
    elif code == "case-date-order":
        problem = finding.message.split("dates out of order: ")[1].split(" (")[0]
        text = f"dates out of order: {problem} ({dates(row)})"
    elif code == "unknown-code":
        given = row[field] if field != "referrals" else [r["to"] for r in row[field]]
        named = finding.message.split("unknown code ")[1].split(" (did you mean")[0]
        assert named in [repr(value) for value in (given if isinstance(given, list) else [given])]
        text = finding.message.split(": ", 1)[1]
    else:
        assert code == "missing-field"
        text = finding.message.split(": ", 1)[1]
    return f"{field}: {text}"


@settings(max_examples=60, deadline=None)
@given(st.lists(records, min_size=1, max_size=25))
def test_every_case_message_words_its_record(rows: list[dict[str, Any]]) -> None:
    """Each finding is at its record's line and field, and its message is the record's own
    facts in words; the findings come in report order."""
    rows = [{**row, "line": index + 2} for index, row in enumerate(rows)]
    found = check_records(case_frame(rows))
    for finding in found:
        assert finding.location is not None
        assert finding.location.path == rows[finding.location.line - 2]["path"]  # type: ignore[operator]
        assert finding.message == worded(finding, rows)
    assert [f.sort_key for f in found] == sorted(f.sort_key for f in found)


@settings(max_examples=30, deadline=None)
@given(st.lists(records, min_size=1, max_size=25))
def test_aggregate_reports_every_record_finding(rows: list[dict[str, Any]]) -> None:
    """Counting records reports every finding the record checks make, in report order."""
    rows = [{**row, "line": index + 2} for index, row in enumerate(rows)]
    frame = case_frame(rows)
    problems = aggregate(frame, by=["sex"]).problems
    checked = check_records(frame)
    aggregating = {"case-not-counted", "case-age-unplaceable"}
    kept = [
        p
        for p in problems
        if p.location is not None and p.location.path in FILES and p.code not in aggregating
    ]
    assert [(f.code, f.message, f.location) for f in kept] == [
        (f.code, f.message, f.location) for f in checked
    ]
    assert [f.sort_key for f in problems] == sorted(f.sort_key for f in problems)


def test_a_case_frame_without_places_is_located_at_no_file() -> None:
    """Records built in memory (no path or line) still give their findings a field."""
    frame = case_frame([{"case_id": "C1", "reporter": "NGO.A", "year": 2023, "age": 200}])
    (finding,) = check_records(frame)
    assert finding.location is not None
    assert (finding.location.path, finding.location.line, finding.location.field) == (
        "",
        None,
        "age",
    )
    assert finding.message == "age: 200 is not an age (0 to 130)"
