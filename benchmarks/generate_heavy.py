"""Make seeded findings-heavy benchmark data: figures that disagree as real submissions do.

``python benchmarks/generate_heavy.py [--shape heavy|glotip] [--sizes LABELS] [--seed N]
[--out DIR]`` writes, for each size, ``<shape>-<size>.csv`` and ``<shape>-<size>.expected.csv``
(``code, severity, count``: the findings the data implies, as far as they can be told without
the tool). The same seed always gives the same bytes.

``heavy`` (sizes 20k, 200k, 1m): a long CSV (``indicator, period, reporter, sex, age, value,
source``) in which every reporter (``GOV.R1``, ``NGO.X3``, ...) gives, for every year 2000-2019,
the six core justice and victim indicators with random totals: persons convicted exceed persons
prosecuted about half the time (a warning in the catalogue). The five person counts carry sex
(``F``, ``M``, sometimes ``_U``) and age (``Y_LT18``, ``Y_GE18``, sometimes ``_U``, which closes
the breakdown) parts in some years; most parts add up, some fall short by a random amount, and
about one breakdown in eight was counted apart from its total, so that its parts exceed the
total about half the time. Half the reporter-years write counts under 5 as ``<5``. One
``cases_prosecuted`` in fifty is broken down by sex, which the catalogue does not allow. The
expected counts come from the shared rule semantics of ``contenders/_common.py``.

``glotip`` (sizes 6k, 60k): the UNODC GLOTIP export layout (``Iso3_code, Country, Region,
Subregion, Indicator, Dimension, Category, Sex, Age, Year, Unit of measurement, txtVALUE,
Source``; see ``data/glotip/README.md`` of the shared data): ISO areas, years 2003-2022, the
five GLOTIP indicators; dimensions Total (sex and age margins, sometimes sex-by-age cells), by
form of exploitation and by citizenship (country names, demonyms, ``Nationals``, ``Unknown``),
rarely by country of repatriation. Values are text: ``<5`` for 1 to 4, thousands separated
(``1,041``). Some margins disagree with their totals as in the real export; about one
citizenship breakdown in six holds a category no codelist knows (a misspelt country name or a
questionnaire cell name such as ``Q6.1_7s_2019``: hundreds of distinct texts); about one block
in a hundred repeats a figure with another value. Only the unknown-code and duplicate-conflict
counts are predicted (one per unknown row, one per repeated key); the sums need the GLOTIP
mapping and are left to the tool.

Codes, names and spellings come from the package's own data files (``countries.tsv``,
``nationality_aliases.tsv``, ``regions.tsv``), read as text.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "contenders"))

import _common as rules
from _catalogue import PARTITION, catalogue, catalogue_path
from generate import split_total

from tip_indicators.io.glotip import GLOTIP_COLUMNS

DEFAULT_SEED = 2010
Expected = Counter[tuple[str, str]]

# ------------------------------------------------------------------------- heavy long CSV

HEAVY_HEADER = ("indicator", "period", "reporter", "sex", "age", "value", "source")
CORE = (
    "victims_identified",
    "suspects_arrested",
    "persons_formal_contact",
    "persons_prosecuted",
    "persons_convicted",
    "cases_prosecuted",
)
HEAVY_YEARS = range(2000, 2020)
SEX_SHARE = 0.6
AGE_SHARE = 0.5
SHORT_SHARE = 0.10
APART_SHARE = 0.125
NOT_ALLOWED_SHARE = 0.02


def _count(rng: random.Random, scale: float) -> int:
    return round(scale * rng.lognormvariate(0.0, 0.7))


def _parts(rng: random.Random, total: int, codes: list[str], scale: float) -> list[int]:
    """Parts of ``total`` for ``codes``: mostly a split of it, some short of it by a random
    amount, some counted apart from it (each part a count of its own)."""
    roll = rng.random()
    if roll < APART_SHARE:
        return [_count(rng, scale / len(codes) * 1.2) for _ in codes]
    weights = [rng.uniform(0.2, 1.0) if c != "_U" else rng.uniform(0.0, 0.1) for c in codes]
    parts = split_total(rng, total, weights)
    if roll < APART_SHARE + SHORT_SHARE and total > 0:
        i = rng.randrange(len(parts))
        parts[i] = max(0, parts[i] - rng.randint(1, max(1, total // 2)))
    return parts


@dataclass
class _Figures:
    """One indicator of one reporter-year: its total and its parts by dimension, as written."""

    total: str
    parts: dict[str, dict[str, str]]


def _heavy_years(rng: random.Random) -> Iterator[tuple[str, str, dict[str, _Figures]]]:
    """(reporter, year, figures by indicator) for reporter after reporter, without end."""
    number = 0
    while True:
        number += 1
        reporter = f"GOV.R{number}" if number % 3 else f"NGO.X{number}"
        scale = rng.lognormvariate(3.0, 0.9)
        for year in HEAVY_YEARS:
            suppress = rng.random() < 0.5

            def text(value: int, suppress: bool = suppress) -> str:
                return "<5" if suppress and 0 < value < 5 else str(value)

            figures: dict[str, _Figures] = {}
            for indicator in CORE:
                total = _count(rng, scale)
                parts: dict[str, dict[str, str]] = {}
                if indicator == "cases_prosecuted":
                    if rng.random() < NOT_ALLOWED_SHARE:
                        codes = ["F", "M"]
                        split = split_total(rng, total, [rng.uniform(0.2, 1.0) for _ in codes])
                        parts["sex"] = dict(zip(codes, map(text, split), strict=True))
                else:
                    if rng.random() < SEX_SHARE:
                        codes = ["F", "M"] + (["_U"] if rng.random() < 0.25 else [])
                        split = _parts(rng, total, codes, scale)
                        parts["sex"] = dict(zip(codes, map(text, split), strict=True))
                    if rng.random() < AGE_SHARE:
                        codes = ["Y_LT18", "Y_GE18"] + (["_U"] if rng.random() < 0.3 else [])
                        split = _parts(rng, total, codes, scale)
                        parts["age"] = dict(zip(codes, map(text, split), strict=True))
                figures[indicator] = _Figures(text(total), parts)
            yield reporter, str(year), figures


def _figure(text: str) -> rules.Figure:
    low, high, _ = rules.parse_value(text)
    return (low, high, "")


def _expect_heavy(figures: dict[str, _Figures], expected: Expected) -> None:
    """Count the findings one reporter-year implies (the tool's semantics, see _common)."""
    entries = catalogue()
    for indicator, found in figures.items():
        allowed = entries[indicator].dimensions
        for dimension, parts in found.parts.items():
            if dimension not in allowed:
                expected["dimension-not-allowed", "error"] += len(parts)
                continue
            if allowed[dimension] != PARTITION:
                raise SystemExit(f"{indicator} {dimension}: only partitions are generated")
            (relation,) = rules.relations(dimension, frozenset({"_T", *parts}))
            total = _figure(found.total)
            members = [_figure(parts[c]) for c in relation.children]
            _expect_sum(total, members, relation.complete, expected)
        for other, severity in entries[indicator].bounded_by.items():
            if other not in figures:
                continue
            whole = figures[other]
            pairs = [(found.total, whole.total)]
            for dimension, parts in found.parts.items():
                given = whole.parts.get(dimension, {})
                if dimension in allowed and dimension in entries[other].dimensions:
                    pairs += [(v, given[c]) for c, v in parts.items() if c in given]
            for part, limit in pairs:
                if rules.bound_fails(_figure(limit), _figure(part)):
                    expected["bound-exceeded", severity] += 1


def _expect_sum(
    total: rules.Figure, parts: list[rules.Figure], complete: bool, expected: Expected
) -> None:
    """The finding of one sum, if any: exceeding, closed and short, short by more than half,
    or short (a lone part of an open breakdown is never short)."""
    p_low, p_high, _ = total
    assert p_low is not None
    assert p_high is not None
    sum_low = sum(low for low, _, _ in parts if low is not None)
    sum_high = sum(high for _, high, _ in parts if high is not None)
    if sum_low > p_high:
        expected["partition-exceeds", "error"] += 1
    elif sum_high < p_low and (len(parts) > 1 or complete):
        if complete:
            expected["partition-shortfall", "error"] += 1
        elif sum_high < 0.5 * p_low:
            expected["partition-incomplete", "info"] += 1
        else:
            expected["partition-shortfall", "warning"] += 1


def write_heavy(size: int, seed: int, path: str) -> tuple[int, Expected]:
    """Write about ``size`` observations to ``path``; return the rows and expected findings."""
    rng = random.Random(seed * 1_000_003 + size)
    rows = 0
    expected: Expected = Counter()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEAVY_HEADER)
        for reporter, year, figures in _heavy_years(rng):
            source = f"{reporter} annual return {year}"
            for indicator, found in figures.items():
                writer.writerow((indicator, year, reporter, "", "", found.total, source))
                for dimension, parts in found.parts.items():
                    for code, value in parts.items():
                        sex, age = (code, "") if dimension == "sex" else ("", code)
                        writer.writerow((indicator, year, reporter, sex, age, value, source))
                rows += 1 + sum(len(p) for p in found.parts.values())
            _expect_heavy(figures, expected)
            if rows >= size and year == str(HEAVY_YEARS[-1]):
                break
    return rows, expected


# ------------------------------------------------------------------------- GLOTIP export

GLOTIP_HEADER = GLOTIP_COLUMNS
GLOTIP_YEARS = range(2003, 2023)
GLOTIP_INDICATORS = {
    # name: (share of area-years that report it, relative size, breakdowns it may have; the
    # offences have none: they are cases, not persons)
    "Detected trafficking victims": (0.75, 1.0, ("sex", "form", "citizenship", "repatriation")),
    "Persons prosecuted": (0.45, 0.6, ("sex", "form", "citizenship")),
    "Persons convicted": (0.5, 0.35, ("sex", "form", "citizenship")),
    "Persons brought into formal contact": (0.35, 0.9, ("sex", "form", "citizenship")),
    "Offences of trafficking in persons": (0.3, 0.7, ()),
}
FORMS = ("Sexual exploitation", "Forced labour", "Other forms of exploitation")
SEXES = ("Female", "Male")
AGES = ("0 to 17 years", "18 years or over")
SPECIAL = {"NATIONAL": "Nationals", "_U": "Unknown", "_O": "Other"}
DISAGREE_SHARE = 0.08
UNKNOWN_SHARE = 0.16
DUPLICATE_SHARE = 0.01


def _data_rows(name: str) -> list[list[str]]:
    """The rows of one of the package's TSV data files, without comments and header."""
    path = os.path.join(os.path.dirname(catalogue_path()), name)
    with open(path, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in handle if not line.startswith("#")]
    return [line.split("\t") for line in lines[1:] if line]


def _fold(text: str) -> str:
    """A loose fold (case, accents, anything but letters and digits), to keep made-up
    misspellings apart from every known spelling."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


@dataclass(frozen=True)
class _Vocabulary:
    """Areas to report (alpha3, name, region, subregion) and, by code, the spellings of a
    citizenship."""

    areas: list[tuple[str, str, str, str]]
    alpha2: dict[str, str]
    spellings: dict[str, list[str]]
    known: frozenset[str]


def _vocabulary() -> _Vocabulary:
    regions = {row[0]: row[1] for row in _data_rows("regions.tsv")}
    countries = [row for row in _data_rows("countries.tsv") if row[4] and row[5]]
    areas = [(row[1], row[3], regions[row[4]], regions[row[5]]) for row in countries]
    spellings: dict[str, list[str]] = {row[0]: [row[3]] for row in countries}
    for alias, code in _data_rows("nationality_aliases.tsv"):
        if code in spellings:
            spellings[code].append(alias)
    for code, word in SPECIAL.items():
        spellings[code] = [word]
    known = frozenset(_fold(s) for row in _data_rows("nationality_aliases.tsv") for s in row)
    known |= {_fold(row[3]) for row in countries} | {_fold(name) for name in regions.values()}
    alpha2 = {row[1]: row[0] for row in countries}
    return _Vocabulary(areas, alpha2, spellings, known)


def _misspelt(rng: random.Random, name: str, known: frozenset[str]) -> str | None:
    """``name`` with one letter dropped, doubled or swapped with the next, unless that is a
    known spelling."""
    i = rng.randrange(len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        text = name[:i] + name[i + 1 :]
    elif kind == 1:
        text = name[: i + 1] + name[i:]
    else:
        text = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return None if _fold(text) in known or text.strip() != text else text


def _glotip_text(value: int) -> str:
    return "<5" if 0 < value < 5 else f"{value:,}"


class _GlotipBlock:
    """The rows of one (area, year, indicator), and what they imply."""

    def __init__(self, rng: random.Random, area: tuple[str, ...], year: int, name: str) -> None:
        self.rng = rng
        self.area = area
        self.year = year
        self.name = name
        self.rows: list[tuple[str, ...]] = []
        self.unknown: list[str] = []

    def add(self, dimension: str, category: str, sex: str, age: str, value: int) -> None:
        self.rows.append(
            (
                *self.area,
                self.name,
                dimension,
                category,
                sex,
                age,
                str(self.year),
                "Counts",
                _glotip_text(value),
                "GLOTIP",
            )
        )

    def disagree(self, values: list[int], scale: float) -> list[int]:
        """Parts as given: mostly as they are, some counted apart from their total."""
        if self.rng.random() < DISAGREE_SHARE:
            return [round(scale * self.rng.lognormvariate(-0.7, 0.8)) for _ in values]
        return values

    def grid(self, dimension: str, category: str, total: int, scale: float, by_sex: bool) -> None:
        """A total with, sometimes (when ``by_sex``), its sex and age margins and sex-by-age
        cells."""
        rng = self.rng
        self.add(dimension, category, "Total", "Total", total)
        if not by_sex or total == 0 or rng.random() < 0.45:
            return
        sexes = list(SEXES) + (["Other"] if rng.random() < 0.1 else [])
        ages = list(AGES) + (["Unknown"] if rng.random() < 0.1 else [])
        cells = split_total(
            rng, total, [rng.uniform(0.1, 1.0) for _ in range(len(sexes) * len(ages))]
        )
        table = {
            (s, a): cells[i * len(ages) + j]
            for i, s in enumerate(sexes)
            for j, a in enumerate(ages)
        }
        margins = [sum(table[s, a] for a in ages) for s in sexes]
        for code, value in zip(sexes, self.disagree(margins, scale), strict=True):
            self.add(dimension, category, code, "Total", value)
        margins = [sum(table[s, a] for s in sexes) for a in ages]
        for age, value in zip(ages, self.disagree(margins, scale), strict=True):
            self.add(dimension, category, "Total", age, value)
        if rng.random() < 0.5:
            for (sex, age), value in table.items():
                self.add(dimension, category, sex, age, value)

    def citizenship(
        self, words: _Vocabulary, dimension: str, total: int, scale: float, own: str
    ) -> None:
        """Two to eight categories, one spelling per code; sometimes one unknown text."""
        rng = self.rng
        codes = [c for c in rng.sample(sorted(words.spellings), 8) if c != own]
        codes = codes[: rng.randint(2, 8)]
        values = self.disagree(
            split_total(rng, total, [rng.uniform(0.1, 1.0) for _ in codes]), scale
        )
        for code, value in zip(codes, values, strict=True):
            self.add(dimension, rng.choice(words.spellings[code]), "Total", "Total", value)
        if rng.random() < UNKNOWN_SHARE:
            if rng.random() < 0.3:
                text = f"Q6.1_{rng.randint(2, 40)}s_{rng.choice(list(GLOTIP_YEARS))}"
            else:
                name = rng.choice(words.spellings[rng.choice(sorted(words.spellings))])
                text = _misspelt(rng, name, words.known) or f"Q6.1_{rng.randint(2, 40)}s"
            self.add(dimension, text, "Total", "Total", rng.randint(0, max(1, total // 3)))
            self.unknown.append(text)


def _glotip_blocks(rng: random.Random, words: _Vocabulary) -> Iterator[_GlotipBlock]:
    """The blocks of area after area, year after year, without end (areas repeat)."""
    while True:
        for area in rng.sample(words.areas, len(words.areas)):
            scale = rng.lognormvariate(3.5, 1.3)
            own = words.alpha2[area[0]]
            for year in GLOTIP_YEARS:
                for name, (share, size, breakdowns) in GLOTIP_INDICATORS.items():
                    if rng.random() >= share:
                        continue
                    block = _GlotipBlock(rng, area, year, name)
                    total = round(scale * size * rng.lognormvariate(0.0, 0.5))
                    by_sex = "sex" in breakdowns
                    block.grid("Total", "Total", total, scale * size, by_sex)
                    if "form" in breakdowns and rng.random() < 0.5:
                        for form in rng.sample(FORMS, rng.randint(1, 3)):
                            part = round(total * rng.uniform(0.05, 0.9))
                            block.grid("by form of exploitation", form, part, part, by_sex)
                    if "citizenship" in breakdowns and rng.random() < 0.3:
                        block.citizenship(words, "by citizenship", total, scale * size, own)
                    if "repatriation" in breakdowns and rng.random() < 0.05:
                        block.citizenship(
                            words, "by country of repatriation", total, scale * size, own
                        )
                    yield block


def write_glotip(size: int, seed: int, path: str) -> tuple[int, Expected]:
    """Write about ``size`` rows of a GLOTIP export to ``path``; return the rows and the
    expected unknown-code and duplicate-conflict counts."""
    rng = random.Random(seed * 1_000_003 + size)
    words = _vocabulary()
    rows = 0
    expected: Expected = Counter()
    value_column = GLOTIP_HEADER.index("txtVALUE")
    category = GLOTIP_HEADER.index("Category")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(GLOTIP_HEADER)
        for block in _glotip_blocks(rng, words):
            expected["unknown-code", "error"] += len(block.unknown)
            if rng.random() < DUPLICATE_SHARE:
                # The figure is given again (or twice more), each time with another value.
                row = rng.choice([r for r in block.rows if r[category] not in block.unknown])
                values = {row[value_column]}
                for _ in range(rng.randint(1, 2)):
                    value = row[value_column]
                    while value in values:
                        value = _glotip_text(rng.randint(0, 60))
                    values.add(value)
                    at = rng.randint(block.rows.index(row) + 1, len(block.rows))
                    block.rows.insert(at, (*row[:value_column], value, *row[value_column + 1 :]))
                expected["duplicate-conflict", "error"] += 1
            writer.writerows(block.rows)
            rows += len(block.rows)
            if rows >= size:
                break
    return rows, expected


# ------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Shape:
    """A kind of data: its sizes (label: observations) and the function that writes it."""

    name: str
    sizes: dict[str, int]
    write: Callable[[int, int, str], tuple[int, Expected]]


SHAPES = {
    "heavy": Shape("heavy", {"20k": 20_000, "200k": 200_000, "1m": 1_000_000}, write_heavy),
    "glotip": Shape("glotip", {"6k": 6_000, "60k": 60_000}, write_glotip),
}


def parse_sizes(shape: Shape, text: str) -> list[str]:
    """``20k,200k`` -> the size labels of ``shape``, checked."""
    labels = [s.strip().lower() for s in text.split(",") if s.strip()]
    for label in labels:
        if label not in shape.sizes:
            raise SystemExit(
                f"unknown {shape.name} size {label!r}: choose from {', '.join(shape.sizes)}"
            )
    return labels


def data_paths(out: str, shape: str, label: str) -> tuple[str, str]:
    """The data file and its expected-findings counts for a shape and size label."""
    stem = os.path.join(out, f"{shape}-{label}")
    return stem + ".csv", stem + ".expected.csv"


def write_expected(path: str, expected: Expected) -> None:
    """``code, severity, count`` rows, sorted."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("code", "severity", "count"))
        writer.writerows((code, severity, n) for (code, severity), n in sorted(expected.items()))


def read_expected(path: str) -> Expected:
    """Read a file written by :func:`write_expected`."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Counter({(r["code"], r["severity"]): int(r["count"]) for r in rows})


def generate(shape: str, label: str, seed: int, out: str) -> tuple[str, str, int]:
    """Write one shape and size into ``out``; return the data path, the expected path, rows."""
    chosen = SHAPES[shape]
    data, expected_path = data_paths(out, shape, label)
    rows, expected = chosen.write(chosen.sizes[label], seed, data)
    write_expected(expected_path, expected)
    return data, expected_path, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="heavy")
    parser.add_argument("--sizes", help="comma-separated size labels (default: all of the shape)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "out", "data"))
    args = parser.parse_args()
    shape = SHAPES[args.shape]
    os.makedirs(args.out, exist_ok=True)
    for label in parse_sizes(shape, args.sizes or ",".join(shape.sizes)):
        data, expected_path, rows = generate(args.shape, label, args.seed, args.out)
        counts = read_expected(expected_path)
        shown = ", ".join(f"{code} ({severity}) {n}" for (code, severity), n in counts.items())
        print(f"{data}: {rows} rows; expected findings: {shown}")


if __name__ == "__main__":
    main()
