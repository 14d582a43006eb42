"""Keys given more than once, in one file or across combined datasets: one finding per repeated
key, citing every copy in input order; identical copies keep the first, conflicting ones none."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from tip_indicators.datasets import Dataset
from tip_indicators.findings import Severity
from tip_indicators.io.longcsv import parse_long_csv

HEADER = "indicator,period,reporter,value"
REPORTERS = ("GOV.A", "GOV.B", "NGO.C")


@given(
    st.lists(
        st.tuples(st.sampled_from(REPORTERS), st.sampled_from(["2010", "2011"]), st.integers(0, 3)),
        min_size=1,
        max_size=25,
    )
)
def test_every_repeated_key_is_one_finding_citing_each_copy(
    rows: list[tuple[str, str, int]],
) -> None:
    text = "\n".join(
        [HEADER, *(f"victims_identified,{period},{who},{value}" for who, period, value in rows)]
    )
    dataset = parse_long_csv(text + "\n", path="t.csv")
    copies: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for line, (who, period, value) in enumerate(rows, start=2):
        copies[(who, period)].append((line, value))
    # keys in the order of their first copy, as the problems are listed
    repeated = [(key, found) for key, found in copies.items() if len(found) > 1]
    problems = dataset.problems
    assert len(problems) == len(repeated)
    for finding, ((who, period), found) in zip(problems, repeated, strict=True):
        conflict = len({value for _, value in found}) > 1
        assert finding.code == ("duplicate-conflict" if conflict else "duplicate-identical")
        assert finding.severity is (Severity.ERROR if conflict else Severity.WARNING)
        assert [ref.location.line for ref in finding.observations] == [n for n, _ in found]
        assert finding.location is not None
        assert finding.location.line == found[-1][0]
        assert finding.location.field == ("value" if conflict else None)
        listed = ", ".join(str(n) for n, _ in found)
        assert f"victims_identified {period} {who} is given {len(found)} times" in finding.message
        assert f"(lines {listed})" in finding.message
        if conflict:
            assert ", ".join(repr(str(value)) for _, value in found) in finding.message
    kept = dataset.observations.get_column("line").to_list()
    expected = sorted(
        found[0][0] for found in copies.values() if len({value for _, value in found}) == 1
    )
    assert kept == expected


def test_a_key_in_two_combined_datasets_names_each_file() -> None:
    """A figure given by two submissions is one finding whose lines name their files."""
    first = parse_long_csv(f"{HEADER}\nvictims_identified,2010,GOV.A,4\n", path="a.csv")
    second = parse_long_csv(f"{HEADER}\nvictims_identified,2010,GOV.A,5\n", path="b.csv")
    (finding,) = Dataset.combine([first, second]).problems
    assert finding.code == "duplicate-conflict"
    assert "(lines a.csv:2, b.csv:2) with values '4', '5'" in finding.message
    assert [(r.location.path, r.location.line) for r in finding.observations] == [
        ("a.csv", 2),
        ("b.csv", 2),
    ]
