"""One keystroke slip per dataset: how often the check names the figure and gives back its value.

Each of ``--datasets`` reporters gets a consistent set of figures covering every rule family:
a total with closed sex and age breakdowns (the age bands nest: ``Y_LT15`` and ``Y15T17`` make
``Y_LT18``), the next year's total with its change (``CHG``) and percentage change (``PCH``),
and persons prosecuted and convicted (convicted at most prosecuted). Then one figure of each
reporter is re-keyed with one slip: two adjacent digits swapped, a digit dropped, a digit (or a
zero) added, one digit wrong, the value of the next line copied, or, for a percentage, the
decimal point moved. The reporters share no rule, so one file holds every experiment and is
checked in one run (``tip-indicators validate FILE --format json``).

For each slipped figure (the culprit), among the findings that cite its line:

- ``detected``: a finding cites it (an error, or a warning for a bound that is only a warning);
- ``among``: a suggestion names it; ``original``: one gives back the value meant;
- ``first``: the first suggestion of the first finding with suggestions names it, ``first
  original`` with the value meant;
- ``tied``: that first suggestion says several figures are equally likely (the rules cannot
  tell the culprit apart); ``first, told apart``: the first suggestion names the culprit, among
  the slips whose finding picks one figure (it has suggestions and does not say they are tied).

Counts by slip kind, by the role of the figure (total, part, change, percentage, bound) and by
the code of the finding. Seeded and deterministic:
``python benchmarks/slips.py --datasets 2000 --seed 2010``
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

from localisation_score import findings_by_line, judged, render, tally

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = ("indicator", "period", "reporter", "sex", "age", "measure", "base_period", "value")
KINDS = ("transposition", "digit-dropped", "digit-added", "digit-wrong", "copied")


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` cut into ``parts`` whole parts, each at least zero."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _figures(rng: random.Random, reporter: str) -> list[tuple[tuple[str, ...], str]]:
    """One reporter's consistent figures: (row, role), the row in :data:`HEADER` order."""
    rows: list[tuple[tuple[str, ...], str]] = []
    levels = {}
    for year in ("2009", "2010"):
        total = rng.randint(60, 6000)
        levels[year] = total
        rows.append((("victims_identified", year, reporter, "", "", "", "", str(total)), "total"))
        sexes = _split(rng, total, 4)
        for code, value in zip(("F", "M", "_O", "_U"), sexes, strict=True):
            row = ("victims_identified", year, reporter, code, "", "", "", str(value))
            rows.append((row, "part"))
        under15, from15, adults, unknown = _split(rng, total, 4)
        for code, value in (
            ("Y_LT18", under15 + from15),
            ("Y_LT15", under15),
            ("Y15T17", from15),
            ("Y_GE18", adults),
            ("_U", unknown),
        ):
            row = ("victims_identified", year, reporter, "", code, "", "", str(value))
            rows.append((row, "part"))
    change = levels["2010"] - levels["2009"]
    percent = f"{100 * change / levels['2009']:.2f}"
    rows.append(
        (("victims_identified", "2010", reporter, "", "", "CHG", "2009", str(change)), "change")
    )
    rows.append(
        (("victims_identified", "2010", reporter, "", "", "PCH", "2009", percent), "percentage")
    )
    prosecuted = rng.randint(20, 900)
    convicted = rng.randint(prosecuted // 2, prosecuted)
    rows.append(
        (("persons_prosecuted", "2010", reporter, "", "", "", "", str(prosecuted)), "bound")
    )
    rows.append((("persons_convicted", "2010", reporter, "", "", "", "", str(convicted)), "bound"))
    return rows


def _slip(rng: random.Random, kind: str, text: str, neighbour: str) -> str | None:
    """``text`` re-keyed with one slip of ``kind``, or None when that slip cannot change it."""
    digits = text.lstrip("-")
    sign = text[: len(text) - len(digits)]
    if kind == "copied":
        return neighbour if neighbour != text else None
    if kind == "decimal-point":
        whole, _, fraction = digits.partition(".")
        if not fraction:
            return None
        shift = rng.choice((-1, 1))
        joined = whole + fraction
        at = len(whole) + shift
        if not 0 < at < len(joined):
            return None
        moved = joined[:at].lstrip("0") or "0"
        return f"{sign}{moved}.{joined[at:]}"
    if not digits.isdigit():
        return None
    places = list(range(len(digits)))
    if kind == "transposition":
        swaps = [i for i in places[:-1] if digits[i] != digits[i + 1]]
        if not swaps:
            return None
        i = rng.choice(swaps)
        new = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    elif kind == "digit-dropped":
        if len(digits) < 2:
            return None
        i = rng.choice(places)
        new = digits[:i] + digits[i + 1 :]
    elif kind == "digit-added":
        i = rng.randint(1, len(digits))
        new = digits[:i] + rng.choice("0123456789") + digits[i:]
    else:
        i = rng.choice(places)
        new = digits[:i] + rng.choice([d for d in "0123456789" if d != digits[i]]) + digits[i + 1 :]
    if (new.startswith("0") and len(new) > 1) or new == digits:
        return None
    return sign + new


def generate(datasets: int, seed: int, folder: str) -> tuple[str, str]:
    """Write the figures and the slipped cells; return their paths."""
    rng = random.Random(seed)
    data = os.path.join(folder, f"slips-{datasets}.csv")
    cells = os.path.join(folder, f"slips-{datasets}.cells.csv")
    with (
        open(data, "w", encoding="utf-8", newline="") as out,
        open(cells, "w", encoding="utf-8", newline="") as changed,
    ):
        writer = csv.writer(out)
        writer.writerow(HEADER)
        notes = csv.writer(changed)
        notes.writerow(("group", "corruption", "role", "line", "written", "original"))
        line = 2
        for number in range(datasets):
            reporter = f"GOV.S{number:05d}"
            rows = _figures(rng, reporter)
            while True:
                index = rng.randrange(len(rows))
                row, role = rows[index]
                kind = "decimal-point" if role == "percentage" else rng.choice(KINDS)
                neighbour = rows[(index + 1) % len(rows)][0][-1]
                written = _slip(rng, kind, row[-1], neighbour)
                if written is not None:
                    break
            notes.writerow((reporter, kind, role, line + index, written, row[-1]))
            rows[index] = ((*row[:-1], written), role)
            for row, _ in rows:
                writer.writerow(row)
            line += len(rows)
    return data, cells


def score(cells_path: str, report_path: str) -> dict[str, Counter[str]]:
    """The counts of :data:`COLUMNS` per row of the table: all, each kind, each role and the
    code of the first finding that cites the culprit (errors and warnings: a bound the
    catalogue gives as a warning is one of the rules)."""
    by_line = findings_by_line(report_path, {"error", "warning"})
    table: dict[str, Counter[str]] = defaultdict(Counter)
    with open(cells_path, encoding="utf-8", newline="") as handle:
        for cell in csv.DictReader(handle):
            line = int(cell["line"])
            cited = by_line.get(line, [])
            rows = ["all", f"slip {cell['corruption']}", f"figure {cell['role']}"]
            if cited:
                rows.append(f"code {cited[0]['code']}")
            tally(table, rows, judged(cited, line, cell["original"]))
    return table


def _order(row: str) -> tuple[object, ...]:
    """All first, then the rows by code, by figure and by slip, each alphabetically."""
    return (row != "all", row.split(maxsplit=1)[0], row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--data", default=os.path.join(HERE, "out", "data"))
    args = parser.parse_args()
    os.makedirs(args.data, exist_ok=True)
    data, cells = generate(args.datasets, args.seed, args.data)
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "report.json")
        code = "import sys; from tip_indicators.cli import main; sys.exit(main(sys.argv[1:]))"
        subprocess.run(
            [sys.executable, "-c", code, "validate", data, "--format", "json", "-o", report],
            check=False,
        )
        print(f"`python benchmarks/slips.py --datasets {args.datasets} --seed {args.seed}`\n")
        table = score(cells, report)
        print(render(table, title="slipped figures", order=_order, with_base=False))


if __name__ == "__main__":
    main()
