#!/usr/bin/env python3
"""Write examples/coalition/siem-reap-form-2024.xlsx: the coalition's template filled as forms.

Siem Reap's department fills the sex-by-age form and the referral form of ``victims_received``
for 2024, with one slip: 6 men aged 18 to 24 where 5 were received, so that row and the men's
column add up to more than their totals. Run from the repository root; needs the excel extra.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl

from tip_indicators.io.template import write_template
from tip_indicators.profiles import load_profile

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "examples" / "coalition"

# The sex-by-age form: rows Under 15 .. 25 to 59, then Total; columns F, M, then Total (F).
AGES = {
    6: (4, 2, 6),
    7: (6, 3, 9),
    8: (12, 6, 17),  # the slip: 6 men aged 18 to 24, not 5
    9: (3, 5, 8),
    12: (25, 15, 40),
}
# The referral form: FAMILY (row 6) and RETAINED (row 10).
DESTINATIONS = {6: 28, 10: 12}


def main() -> None:
    """Write the template from the coalition's profile, fill its forms and save the example."""
    template = FOLDER / "form-template.xlsx"
    write_template(load_profile(FOLDER / "profile.yaml"), template)
    workbook = openpyxl.load_workbook(io.BytesIO(template.read_bytes()))
    template.unlink()
    for name in ("victims_received", "victims_received by destination"):
        workbook[name]["B2"] = "2024"
        workbook[name]["B3"] = "GOV.DOSVY_SRP"
    ages = workbook["victims_received"]
    for row, (female, male, total) in AGES.items():
        ages.cell(row=row, column=2, value=female)
        ages.cell(row=row, column=3, value=male)
        ages.cell(row=row, column=6, value=total)
    referrals = workbook["victims_received by destination"]
    for row, count in DESTINATIONS.items():
        referrals.cell(row=row, column=2, value=count)
    # A fixed creation time: the file does not say when it was regenerated.
    workbook.properties.created = workbook.properties.modified = datetime.datetime(2025, 1, 15)
    workbook.save(FOLDER / "siem-reap-form-2024.xlsx")


if __name__ == "__main__":
    main()
