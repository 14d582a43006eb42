"""Make seeded long-CSV benchmark data shaped like real statistics, with known corrupted groups.

``python benchmarks/generate.py [--sizes 10k,100k,1m] [--seed N] [--out DIR]`` writes, for each
size, ``obs-<size>.csv`` (about that many observations) and ``obs-<size>.corrupted.csv`` (the
``indicator,period,reporter`` groups that hold an injected error). The same seed always gives
the same bytes.

Each series is one (indicator, reporter) over two consecutive years; each year is one group
(indicator, period, reporter) holding a total and its breakdowns: sex (F, M, sometimes ``_U``,
rarely ``_O`` too, which closes it), age bands (``Y_LT15``, ``Y15T17``, ``Y_GE18``, sometimes
``_U`` and a ``Y_LT18`` subtotal), sometimes sex by age cells, referral destinations (named
organisations such as ``NGO.A1``, ``GOV.B2``, ``FAMILY``, and a ``RETAINED`` remainder, stated or
left empty with status ``L``) and forms of exploitation (not exclusive: each at most the total).
Half the groups suppress cells under 5 as ``<5``; some breakdowns fall short of their total
(a remainder that is not stated: allowed, a warning at most). Half the series state the change
and percentage change of the total in their second year.

About 1% of groups are corrupted: a part off by a few, a digit transposition of a part or of a
total, or a wrong change. Every corruption is kept only when it makes an error certain (checked
with the shared rule semantics of ``contenders/_common.py``), and never reaches another group: a
first-year total is only corrupted when no change in the second year refers to it.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "contenders"))

import _common as rules

HEADER = (
    "indicator",
    "period",
    "reporter",
    "sex",
    "age",
    "destination",
    "exploitation",
    "measure",
    "base_period",
    "value",
    "status",
    "source",
)
INDICATORS = {
    "victims_identified": ("sex", "age", "destination", "exploitation"),
    "victims_received": ("sex", "age", "destination", "exploitation"),
    "persons_repatriated": ("sex", "age", "destination"),
    "persons_intercepted": ("sex", "age", "destination"),
    "persons_collected": ("sex", "age", "destination"),
    "suspects_arrested": ("sex", "age"),
    "persons_prosecuted": ("sex", "age", "exploitation"),
    "deportees_received": ("sex", "age"),
    "persons_reached": ("sex", "age"),
    "migrant_workers_recorded": ("sex", "age"),
    "cases_investigated": ("exploitation",),
}
ORGANISATIONS = (
    [f"NGO.A{i}" for i in range(1, 10)]
    + [f"GOV.B{i}" for i in range(1, 7)]
    + ["IO.C1", "IO.C2", "FAMILY", "OTHER"]
)
FORMS = ("SEXUAL", "FORCED_LABOUR", "FORCED_MARRIAGE", "BEGGING", "FORCED_CRIMINALITY", "OTHER")
BANDS = ("Y_LT15", "Y15T17", "Y_GE18")
FIRST_YEARS = tuple(range(2004, 2024, 2))
CORRUPTION_RATE = 0.01
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_SEED = 2010


@dataclass
class Cell:
    """One figure of a group: its dimension codes, measure, true value and what is written."""

    sex: str = "_T"
    age: str = "_T"
    destination: str = "_T"
    exploitation: str = "_T"
    measure: str = "N"
    value: int | None = None
    text: str = ""
    status: str = ""
    censored: bool = False

    def figure(self) -> rules.Figure:
        low, high, _ = rules.parse_value(self.text)
        return (low, high, self.status)

    def key(self, dimension: str) -> tuple[str, ...]:
        return tuple(getattr(self, d) for d in rules.DIMENSIONS if d != dimension)


@dataclass
class Group:
    """The figures of one (indicator, period, reporter)."""

    indicator: str
    period: str
    reporter: str
    cells: list[Cell] = field(default_factory=list)
    base_total: int | None = None  # the first-year total, for the change rows

    def total(self) -> Cell:
        return next(c for c in self.cells if c.measure == "N" and c.key("") == ("_T",) * 4)


def split_total(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), each part >= 0."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class Style:
    """The layout a series keeps in both years (which breakdowns, which categories)."""

    sexes: list[str]
    bands: list[str]
    subtotal: bool
    cross: bool
    sex_short: bool
    organisations: list[str]
    retained: str  # "value", "L" or "" (no remainder row: the breakdown falls short)
    forms: list[str]
    suppress: bool
    change: bool
    decimals: int


def _style(rng: random.Random, dims: tuple[str, ...]) -> Style:
    sexes = ["F", "M"]
    roll = rng.random()
    if roll < 0.05:
        sexes += ["_O", "_U"]
    elif roll < 0.35:
        sexes.append("_U")
    bands = list(BANDS) + (["_U"] if rng.random() < 0.2 else [])
    retained = rng.choices(["value", "L", ""], weights=[5, 4, 1])[0]
    sex_short = "sex" in dims and len(sexes) == 2 and rng.random() < 0.15
    return Style(
        sexes=sexes if "sex" in dims else [],
        bands=bands if "age" in dims else [],
        subtotal="age" in dims and rng.random() < 0.15,
        cross="sex" in dims and "age" in dims and not sex_short and rng.random() < 0.25,
        sex_short=sex_short,
        organisations=sorted(rng.sample(ORGANISATIONS, rng.randint(2, 5)))
        if "destination" in dims
        else [],
        retained=retained,
        forms=sorted(rng.sample(FORMS, rng.randint(2, 3))) if "exploitation" in dims else [],
        suppress=rng.random() < 0.5,
        change=rng.random() < 0.5,
        decimals=rng.choice([1, 2]),
    )


def _group(rng: random.Random, key: tuple[str, str, str], total: int, style: Style) -> Group:
    group = Group(*key)
    add = group.cells.append
    add(Cell(value=total, status="E" if rng.random() < 0.02 else ""))
    if style.sexes or style.bands:
        sexes = style.sexes or ["_T"]
        bands = style.bands or ["_T"]
        sex_weights = [
            rng.uniform(0.3, 1.0) if s in "FM" else rng.uniform(0.0, 0.15) for s in sexes
        ]
        band_weights = [
            rng.uniform(0.1, 1.0) if b != "_U" else rng.uniform(0.0, 0.1) for b in bands
        ]
        cells = split_total(rng, total, [s * b for s in sex_weights for b in band_weights])
        table = {
            (s, b): cells[i * len(bands) + j]
            for i, s in enumerate(sexes)
            for j, b in enumerate(bands)
        }
        for s in style.sexes:
            value = sum(table[s, b] for b in bands)
            if style.sex_short and s == "M":
                value = max(0, value - rng.randint(1, max(1, total // 10)))
            add(Cell(sex=s, value=value))
        for b in style.bands:
            add(Cell(age=b, value=sum(table[s, b] for s in sexes)))
        if style.subtotal:
            add(
                Cell(
                    age="Y_LT18",
                    value=sum(table[s, b] for s in sexes for b in ("Y_LT15", "Y15T17")),
                )
            )
        if style.cross:
            for s in style.sexes:
                for b in style.bands:
                    add(Cell(sex=s, age=b, value=table[s, b]))
    if style.organisations:
        codes = style.organisations + (["RETAINED"] if style.retained else [])
        weights = [rng.uniform(0.05, 1.0) for _ in codes]
        if not style.retained:
            weights.append(rng.uniform(0.05, 0.5))  # persons whose destination is not given
        parts = split_total(rng, total, weights)
        for code, value in zip(codes, parts, strict=False):
            if code == "RETAINED" and style.retained == "L":
                add(Cell(destination=code, value=value, status="L"))
            else:
                add(Cell(destination=code, value=value))
    for form in style.forms:
        add(Cell(exploitation=form, value=round(total * rng.uniform(0.05, 1.0))))
    for cell in group.cells:
        is_part = cell is not group.cells[0]
        if cell.status == "L":
            cell.text = ""
        elif style.suppress and is_part and cell.value is not None and cell.value < 5:
            cell.text, cell.censored = "<5", True
        else:
            cell.text = str(cell.value)
    return group


def _add_changes(group: Group, base: int, decimals: int) -> None:
    total = group.total().value
    assert total is not None
    change = total - base
    group.base_total = base
    group.cells.append(Cell(measure="CHG", value=change, text=str(change)))
    group.cells.append(Cell(measure="PCH", text=f"{100.0 * change / base:.{decimals}f}"))


# ------------------------------------------------------------------------- checking


def group_fails(group: Group) -> bool:
    """Whether the shared rule semantics find an error in ``group`` (the generator's oracle)."""
    levels = [c for c in group.cells if c.measure == "N"]
    for dimension in rules.DIMENSIONS:
        slices: dict[tuple[str, ...], dict[str, Cell]] = {}
        for cell in levels:
            slices.setdefault(cell.key(dimension), {})[getattr(cell, dimension)] = cell
        for members in slices.values():
            for relation in rules.relations(dimension, frozenset(members)):
                parent = members[relation.parent].figure()
                parts = [members[c].figure() for c in relation.children]
                if dimension in rules.BOUND_DIMENSIONS or not relation.disjoint:
                    if any(rules.bound_fails(parent, part) for part in parts):
                        return True
                elif rules.sum_fails(parent, parts, relation.complete):
                    return True
    if group.base_total is None:
        return False
    level = group.total().figure()
    base = (float(group.base_total), float(group.base_total), "")
    for cell in group.cells:
        if cell.measure == "CHG" and rules.change_fails(cell.figure(), level, base):
            return True
        if cell.measure == "PCH":
            low, _, decimals = rules.parse_value(cell.text)
            assert low is not None
            if rules.percent_fails(low, decimals, level, base):
                return True
    return False


def _transpose(rng: random.Random, text: str) -> str | None:
    spots = [
        i for i in range(len(text) - 1) if text[i] != text[i + 1] and text[i : i + 2].isdigit()
    ]
    if not spots or text.startswith("-"):
        return None
    i = rng.choice(spots)
    swapped = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return None if swapped.startswith("0") else swapped


def _corrupt(rng: random.Random, group: Group, total_allowed: bool) -> tuple[str, Cell] | None:
    """Inject one error that the rules must catch; return its kind and the changed cell, or
    None when none fits."""
    total = group.total()
    parts = [
        c
        for c in group.cells
        if c.measure == "N" and c is not total and not c.censored and c.status != "L"
    ]
    changes = [c for c in group.cells if c.measure == "CHG"]
    kinds: list[tuple[str, Callable[[], Cell | None], float]] = []

    def off_by_few() -> Cell | None:
        cell = rng.choice(parts)
        assert cell.value is not None
        cell.text = str(max(0, cell.value + rng.choice([-1, 1]) * rng.randint(1, 4)))
        return cell

    def transpose_part() -> Cell | None:
        cell = rng.choice(parts)
        swapped = _transpose(rng, cell.text)
        if swapped is None:
            return None
        cell.text = swapped
        return cell

    def transpose_total() -> Cell | None:
        swapped = _transpose(rng, total.text)
        if swapped is None:
            return None
        total.text = swapped
        return total

    def wrong_change() -> Cell | None:
        cell = changes[0]
        assert cell.value is not None
        cell.text = str(cell.value + rng.choice([-1, 1]) * rng.randint(1, 9))
        return cell

    if parts:
        kinds += [("part-off-by-a-few", off_by_few, 3), ("transposed-part", transpose_part, 2)]
    if total_allowed:
        kinds.append(("transposed-total", transpose_total, 2))
    if changes:
        kinds.append(("wrong-change", wrong_change, 2))
    for _ in range(20):
        name, action, _weight = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        cell = action()
        if cell is None:
            continue
        if group_fails(group):
            return name, cell
        cell.text = str(cell.value) if cell.value is not None else ""
    return None


# ------------------------------------------------------------------------- writing


def series(rng: random.Random) -> Iterator[tuple[Group, Group, Style]]:
    """Endless (first year, second year) group pairs, reporter by reporter."""
    reporter_number = 0
    while True:
        reporter_number += 1
        kind = "GOV" if reporter_number % 3 else "NGO"
        reporter = f"{kind}.R{reporter_number:04d}"
        indicators = rng.sample(sorted(INDICATORS), rng.randint(4, len(INDICATORS)))
        for indicator in sorted(indicators):
            dims = INDICATORS[indicator]
            for first in FIRST_YEARS:
                if rng.random() < 0.3:
                    continue
                style = _style(rng, dims)
                base = max(20, int(rng.lognormvariate(5.0, 1.2)))
                level = max(20, round(base * rng.uniform(0.6, 1.6)))
                one = _group(rng, (indicator, str(first), reporter), base, style)
                two = _group(rng, (indicator, str(first + 1), reporter), level, style)
                if style.change:
                    _add_changes(two, base, style.decimals)
                yield one, two, style


def generate(size: int, seed: int, path: str, corrupted_path: str) -> tuple[int, int, int]:
    """Write about ``size`` observations to ``path``; return (rows, groups, corrupted groups)."""
    rng = random.Random(seed * 1_000_003 + size)
    rows = groups = 0
    corrupted: list[tuple[str, str, str, str]] = []
    cells: list[tuple[str, str, str, str, int, str, str]] = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for one, two, style in series(rng):
            for group in (one, two):
                second = group is two
                if rng.random() < CORRUPTION_RATE:
                    done = _corrupt(rng, group, total_allowed=second or not style.change)
                    if done is not None:
                        kind, cell = done
                        key = (group.indicator, group.period, group.reporter)
                        corrupted.append((*key, kind))
                        # The header is line 1; the group's rows follow the ``rows`` before it.
                        line = rows + 2 + group.cells.index(cell)
                        cells.append((*key, kind, line, cell.text, _true_text(cell)))
                source = (
                    f"{group.reporter} annual report {group.period}, table {rng.randint(1, 40)}"
                )
                for cell in group.cells:
                    base = str(int(group.period) - 1) if cell.measure != "N" else ""
                    writer.writerow(
                        (
                            group.indicator,
                            group.period,
                            group.reporter,
                            "" if cell.sex == "_T" else cell.sex,
                            "" if cell.age == "_T" else cell.age,
                            "" if cell.destination == "_T" else cell.destination,
                            "" if cell.exploitation == "_T" else cell.exploitation,
                            "" if cell.measure == "N" else cell.measure,
                            base if rng.random() < 0.5 else "",
                            cell.text,
                            cell.status,
                            source,
                        )
                    )
                rows += len(group.cells)
                groups += 1
            if rows >= size:
                break
    with open(corrupted_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow((*rules.GROUP, "corruption"))
        writer.writerows(sorted(corrupted))
    with open(cells_path(corrupted_path), "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow((*rules.GROUP, "corruption", "line", "written", "original"))
        writer.writerows(sorted(cells))
    return rows, groups, len(corrupted)


def _true_text(cell: Cell) -> str:
    """What the cell said before it was corrupted."""
    return str(cell.value) if cell.value is not None else ""


def cells_path(corrupted_path: str) -> str:
    """The list of the changed cells (line, written and original value) beside the list of
    corrupted groups: ``obs-<size>.cells.csv``."""
    return corrupted_path.replace(".corrupted.csv", ".cells.csv")


def parse_sizes(text: str) -> list[str]:
    """``10k,100k,1m`` -> the size labels, checked."""
    labels = [s.strip().lower() for s in text.split(",") if s.strip()]
    for label in labels:
        if label not in SIZES:
            raise SystemExit(f"unknown size {label!r}: choose from {', '.join(SIZES)}")
    return labels


def data_paths(out: str, label: str) -> tuple[str, str]:
    """The data file and its corrupted-group list for a size label."""
    return os.path.join(out, f"obs-{label}.csv"), os.path.join(out, f"obs-{label}.corrupted.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "out", "data"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for label in parse_sizes(args.sizes):
        path, corrupted = data_paths(args.out, label)
        rows, groups, bad = generate(SIZES[label], args.seed, path, corrupted)
        print(f"{path}: {rows} observations, {groups} groups, {bad} corrupted")


if __name__ == "__main__":
    main()
