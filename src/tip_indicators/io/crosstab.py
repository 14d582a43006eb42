"""Cross-tab sheets: a data-entry form per indicator, filled like a paper form.

A template workbook has, besides its long ``data`` sheet, one sheet per indicator broken down by
sex and age (age bands as rows, sexes as columns, each with a Total) and one per referral
indicator (destinations as rows). Every sheet has the same layout, which the reader relies on:

* ``A1`` ``Indicator``, ``B1`` the indicator's code, ``C1`` its name;
* ``A2`` ``Period`` and ``B2`` the period; ``A3`` ``Reporter`` and ``B3`` the reporter;
* ``A5`` names the row and column dimensions (``age \\ sex``); row 5 from ``B5`` holds the
  column heads and column A from ``A6`` the row heads.

A head is a label with its code in brackets at the end (``Female [F]``, ``Total [_T]``): the
label is for people, the code in brackets is what is read. Each filled cell of the grid is one
figure of the row's and the column's codes; an empty cell is no figure.
This module holds the layout only; :mod:`tip_indicators.io.excel` writes and reads the cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

from tip_indicators.codelists import codelist
from tip_indicators.indicators import Indicator

__all__ = [
    "AGE_ROWS",
    "FIRST_ROW",
    "HEAD_ROW",
    "CrossTab",
    "Form",
    "crosstabs",
    "head_code",
    "is_form",
    "read_form",
]

HEAD_ROW = 5
"""The row of the column heads; the row heads are in column A below it."""
FIRST_ROW = HEAD_ROW + 1
_MARKER = "Indicator"
_CORNER = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*\\\s*([a-z_][a-z0-9_]*)\s*$")
_CODE = re.compile(r"\[\s*([^\[\]\s]+)\s*\]\s*$")
_MAX_SHEET = 31

AGE_ROWS = (
    ("Y_LT15", "Under 15"),
    ("Y15T17", "15 to 17"),
    ("Y18T24", "18 to 24"),
    ("Y25T59", "25 to 59"),
    ("Y_GE60", "60 and over"),
    ("_U", "Age unknown"),
)
"""The age bands of a sex-by-age form: they tile all ages, so the Total row is their sum."""

_SEX_COLUMNS = ("F", "M", "_O", "_U")


@attrs.frozen
class CrossTab:
    """The form of one indicator: its sheet, and the codes and labels of its rows and columns."""

    indicator: Indicator
    sheet: str
    row_dimension: str
    column_dimension: str
    rows: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]

    def cells(self) -> list[tuple[int, int, str]]:
        """Every cell of the blank form: (row, column, text)."""
        corner = f"{self.row_dimension} \\ {self.column_dimension}"
        found = [
            (1, 1, _MARKER),
            (1, 2, self.indicator.code),
            (1, 3, self.indicator.name),
            (2, 1, "Period"),
            (3, 1, "Reporter"),
            (HEAD_ROW, 1, corner),
        ]
        found += [(HEAD_ROW, 2 + i, head(*pair)) for i, pair in enumerate(self.columns)]
        found += [(FIRST_ROW + i, 1, head(*pair)) for i, pair in enumerate(self.rows)]
        return found


def head(code: str, label: str) -> str:
    """A row or column head: the label, then the code in brackets (``Female [F]``)."""
    return f"{label} [{code}]"


def head_code(text: str) -> str | None:
    """The code in brackets at the end of a head, or None when there is none."""
    match = _CODE.search(text)
    return match[1] if match else None


def crosstabs(
    indicators: Sequence[Indicator], destinations: Sequence[tuple[str, str]]
) -> list[CrossTab]:
    """The forms of a template: sex by age for each indicator with both dimensions, and
    destinations for each with a destination dimension. A referral form has a Total row only
    when the indicator has no sex-by-age form, whose grand total is the same figure."""
    sexes = {c.code: c.name for c in codelist("sex")}
    columns = (*((code, sexes[code]) for code in _SEX_COLUMNS), ("_T", "Total"))
    total = (("_T", "Total"),)
    forms: list[CrossTab] = []
    used: set[str] = set()
    for indicator in indicators:
        both = {"sex", "age"} <= set(indicator.dimensions)
        if both:
            sheet = _sheet_name(indicator.code, "", used)
            forms.append(CrossTab(indicator, sheet, "age", "sex", AGE_ROWS + total, columns))
        if "destination" in indicator.dimensions and destinations:
            sheet = _sheet_name(indicator.code, " by destination", used)
            rows = tuple(destinations) + (() if both else total)
            forms.append(CrossTab(indicator, sheet, "destination", "sex", rows, total))
    return forms


def _sheet_name(code: str, suffix: str, used: set[str]) -> str:
    """A sheet name of at most 31 characters (the spreadsheet limit), unique in the workbook."""
    name = code[: _MAX_SHEET - len(suffix)] + suffix
    number = 2
    while name.lower() in used:
        tag = f"{suffix}~{number}"
        name, number = code[: _MAX_SHEET - len(tag)] + tag, number + 1
    used.add(name.lower())
    return name


def is_form(top: Mapping[tuple[int, int], str]) -> bool:
    """Whether a sheet whose first cells are ``top`` is a cross-tab form."""
    return top.get((1, 1), "").strip() == _MARKER and bool(
        _CORNER.match(top.get((HEAD_ROW, 1), ""))
    )


@attrs.frozen
class Form:
    """What a filled form says: its key cells, its figures and the cells that cannot be read."""

    indicator: str
    period: str
    reporter: str
    dimensions: tuple[str, str]
    """The dimensions of the rows and of the columns."""
    figures: tuple[tuple[int, int, dict[str, str], str], ...]
    """(row, column, dimension codes, value text) of every filled cell of the grid."""
    problems: tuple[tuple[int, int, str, str], ...]
    """(row, column, finding code, message) of every cell that cannot be read as it stands."""


def read_form(cells: Mapping[tuple[int, int], str]) -> Form:
    """Read the non-empty ``cells`` of a form (``is_form``) into its figures and problems."""
    corner = _CORNER.match(cells[(HEAD_ROW, 1)])
    assert corner is not None
    row_dimension, column_dimension = corner[1], corner[2]
    below = [(r, c) for (r, c) in cells if r > HEAD_ROW and c > 1]
    width = max([c for (r, c) in cells if r == HEAD_ROW] + [1])
    depth = max([r for (r, c) in cells if c == 1] + [HEAD_ROW])
    problems: list[tuple[int, int, str, str]] = []
    columns = _heads(cells, [(HEAD_ROW, c) for c in range(2, width + 1)], below, 1, problems)
    rows = _heads(cells, [(r, 1) for r in range(FIRST_ROW, depth + 1)], below, 0, problems)
    figures: list[tuple[int, int, dict[str, str], str]] = []
    for row, column in sorted(below):
        if row > depth or column > width:
            problems.append(
                (row, column, "row-shape", "cell outside the form; move the figure into it")
            )
        elif row in rows and column in columns:
            codes = {row_dimension: rows[row], column_dimension: columns[column]}
            figures.append((row, column, codes, cells[(row, column)]))
    filled = bool(figures)
    key: dict[str, str] = {}
    for row, name in ((1, "indicator"), (2, "period"), (3, "reporter")):
        key[name] = cells.get((row, 2), "").strip()
        if filled and not key[name]:
            message = f"{name}: required field is empty (every figure of the form needs it)"
            problems.append((row, 2, "missing-field", message))
    if any(not text for text in key.values()):
        figures = []
    return Form(
        key["indicator"],
        key["period"],
        key["reporter"],
        (row_dimension, column_dimension),
        tuple(figures),
        tuple(problems),
    )


def _heads(
    cells: Mapping[tuple[int, int], str],
    places: Sequence[tuple[int, int]],
    below: Sequence[tuple[int, int]],
    axis: int,
    problems: list[tuple[int, int, str, str]],
) -> dict[int, str]:
    """The code of each row or column head (by row or column number); a head with no code in
    brackets whose row or column holds a figure is a problem."""
    used = {place[axis] for place in below}
    codes: dict[int, str] = {}
    for place in places:
        text = cells.get(place, "")
        code = head_code(text)
        if code is not None:
            codes[place[axis]] = code
        elif place[axis] in used:
            problems.append(
                (*place, "row-shape", f"head {text!r} has no code in brackets (Female [F])")
            )
    return codes
