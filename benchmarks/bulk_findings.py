"""Files whose findings come in bulk, one kind at a time: how long a check takes when most of
a file's figures are wrong in the same way, each finding worded with its figures and fixes.

``--shape percent``: each of ``--reporters`` reporters states ``cases_prosecuted`` for 2010 with
a percentage change from 2009, in one of three layouts (both levels; the 2010 level and the
change; the 2009 level and the change) and with 0 to 3 decimals. Most percentages are wrong in
the ways reports get them wrong: computed on the current level (wrong base), the decimal point
moved, a round or tied value (``12.5``, ``-0.5``), or just off; a fifth are right.

``--shape shares``: each reporter gives ``victims_identified`` 2010 as sex shares (``F``, ``M``)
and age shares (``Y_LT18``, ``Y_GE18``) with one decimal; about one sex breakdown in five does
not add up to 100.

``--shape resubmitted``: a file sent twice in one: each reporter's figures (a total, its sex
parts and persons prosecuted and convicted), then all of them again, so every key is given
twice (the same value, or now and then another one).

Seeded and deterministic: ``python benchmarks/bulk_findings.py --shape percent --reporters 20000
--repeat 5`` writes ``benchmarks/out/data/<shape>-<reporters>.csv`` and prints the median wall
and CPU time of ``tip-indicators validate --format json`` on it, with the findings by code.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
from collections import Counter

from _measure import HERE, compile_package, measure, median, tool

HEADER = "indicator,period,reporter,sex,age,measure,base_period,value"
_TIED = (12.5, -12.5, 0.5, 2.5, -0.5, 0.125, 0.0, 100.0, -99.99)


def _percentage(rng: random.Random, before: int, after: int) -> str:
    """A percentage change from ``before`` to ``after`` as a report might state it."""
    right = 100 * (after - before) / before
    kind = rng.random()
    if kind < 0.2 and after:
        value = 100 * (after - before) / after
    elif kind < 0.4:
        value = right * rng.choice([10, 0.1, 100, 0.01])
    elif kind < 0.5:
        value = rng.choice(_TIED)
    elif kind < 0.8:
        value = right + rng.uniform(-5, 5)
    else:
        value = right
    return f"{value:.{rng.choice([0, 1, 2, 3])}f}"


def _percent_rows(rng: random.Random, reporter: str) -> list[str]:
    before, after = rng.randint(1, 900), rng.randint(0, 900)
    stated = _percentage(rng, before, after)
    layout = rng.random()
    level_2009 = f"cases_prosecuted,2009,{reporter},,,N,,{before}"
    level_2010 = f"cases_prosecuted,2010,{reporter},,,N,,{after}"
    change = f"cases_prosecuted,2010,{reporter},,,CHG,,{after - before}"
    if layout < 0.5:
        rows = [level_2009, level_2010]
    elif layout < 0.8:
        rows = [level_2010, change]
    else:
        rows = [level_2009, change]
    return [*rows, f"cases_prosecuted,2010,{reporter},,,PCH,2009,{stated}"]


def _share_rows(rng: random.Random, reporter: str) -> list[str]:
    women = rng.randint(0, 1000)
    men = 1000 - women + rng.choice([0, 0, 0, 0, 32, -41])
    children = rng.randint(0, 1000)
    shares = (("F", "", women), ("M", "", men), ("", "Y_LT18", children))
    shares += (("", "Y_GE18", 1000 - children),)
    return [
        f"victims_identified,2010,{reporter},{sex},{age},PCT,,{tenths / 10:.1f}"
        for sex, age, tenths in shares
    ]


def _resubmitted_rows(rng: random.Random, reporter: str) -> list[str]:
    total = rng.randint(10, 900)
    women = rng.randint(0, total)
    prosecuted = rng.randint(0, 400)
    return [
        f"victims_identified,2010,{reporter},,,N,,{total}",
        f"victims_identified,2010,{reporter},F,,N,,{women}",
        f"victims_identified,2010,{reporter},M,,N,,{total - women}",
        f"persons_prosecuted,2010,{reporter},,,N,,{prosecuted}",
        f"persons_convicted,2010,{reporter},,,N,,{rng.randint(0, prosecuted)}",
    ]


SHAPES = {"percent": _percent_rows, "shares": _share_rows, "resubmitted": _resubmitted_rows}


def generate(shape: str, reporters: int, seed: int, path: str) -> int:
    """Write the file of ``reporters`` reporters' figures in ``shape`` to ``path``; its rows."""
    rng = random.Random(seed)
    rows: list[str] = []
    for number in range(reporters):
        rows += SHAPES[shape](rng, f"NGO.R{number:05d}")
    if shape == "resubmitted":
        # sent again: every figure once more, one in fifty with another value
        again = [
            row if rng.random() >= 0.02 else f"{row.rsplit(',', 1)[0]},{rng.randint(0, 900)}"
            for row in rows
        ]
        rows += again
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join([HEADER, *rows]) + "\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="percent")
    parser.add_argument("--reporters", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    folder = os.path.join(HERE, "out", "data")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{arguments.shape}-{arguments.reporters}.csv")
    rows = generate(arguments.shape, arguments.reporters, arguments.seed, path)
    program = tool("tip-indicators")
    if program is None:
        raise SystemExit("tip-indicators is not installed")
    compile_package()
    command = [program, "validate", "--format", "json", path]
    samples = [measure(command) for _ in range(arguments.repeat)]
    report = json.loads(subprocess.run(command, capture_output=True, check=False).stdout)
    codes = Counter(finding["code"] for finding in report["findings"])
    print(f"{path}: {rows:,} rows, {sum(codes.values()):,} findings: {dict(codes)}")
    print(
        f"median wall {median([s.seconds for s in samples]):.2f} s, "
        f"CPU {median([s.cpu_seconds for s in samples]):.2f} s, "
        f"peak {max(s.peak_mib for s in samples):.0f} MiB"
    )


if __name__ == "__main__":
    main()
