"""The JSON reports of the bundled examples stay what they were when their findings were reviewed.

Each report in ``tests/data/golden/`` was written by ``tip-indicators validate --format json``
and read by a person against the source figures. A change to the engine, the renderers or the
findings' table must give the same report, byte for byte, time stamp and version aside; a change
that means to alter a finding regenerates the file with ``benchmarks/compare_reports.py --save``
and shows the difference in review.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tip_indicators.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "data" / "golden"

CASES = {
    "cambodia-2010": ["examples/cambodia-2010/report-2010.csv"],
    "coalition-submissions": ["examples/coalition/submissions"],
    "coalition-submissions-profile": [
        "examples/coalition/submissions",
        "--profile",
        "examples/coalition/profile.yaml",
    ],
    "glotip-slices": ["tests/fixtures/glotip/slices.csv"],
}


def _comparable(text: str) -> str:
    data = json.loads(text)
    data.pop("created", None)
    data.get("tool", {}).pop("version", None)
    return json.dumps(data, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_report_is_the_reviewed_one(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Validating an example writes the reviewed JSON report, finding for finding."""
    monkeypatch.chdir(ROOT)
    status = main(["validate", *CASES[name], "--format", "json"])
    written = capsys.readouterr().out
    expected = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    assert status in (0, 1)
    assert _comparable(written) == expected
