"""The column-wise path of the case-file reader agrees with the record-by-record reader."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from support import assert_reads_agree, read_both_ways
from tip_indicators.io.cases import read_cases

FIXTURES = Path(__file__).parent / "fixtures" / "cases"
LAYOUTS = {
    name: (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    for name in ("htcds-cases.csv", "ctdc-2018.csv")
}


@given(
    layout=st.sampled_from(sorted(LAYOUTS)),
    picks=st.lists(st.integers(min_value=0), min_size=1, max_size=30),
    padded=st.sets(st.integers(min_value=0, max_value=29)),
    short=st.none() | st.integers(min_value=0, max_value=29),
    crlf=st.booleans(),
)
def test_fast_and_exact_case_readers_agree(
    layout: str, picks: list[int], padded: set[int], short: int | None, crlf: bool
) -> None:
    """Records, findings (codes, places, messages, in order) and the input, or the input
    error, are the same on either path: the fixtures' records in any order and number, some
    cells padded with spaces or quoted, a row too short, CRLF line ends."""
    header, *rows = LAYOUTS[layout]
    chosen = [rows[pick % len(rows)] for pick in picks]
    for index in padded & set(range(len(chosen))):
        first, rest = chosen[index].split(",", 1)
        chosen[index] = f'" {first} ",{rest}'
    if short is not None:
        at = short % len(chosen)
        chosen[at] = chosen[at].rsplit(",", 1)[0]
    text = "\n".join([header, *chosen]) + "\n"
    data = text.replace("\n", "\r\n").encode() if crlf else text.encode()
    fast, slow = read_both_ways(read_cases, data, layout)
    assert_reads_agree(fast, slow, "records", ("findings", "input"))
