"""Many wrong percentage changes: how long a check takes when most of a file's findings are
``percent-change-mismatch``, each worded with its arithmetic and fixes.

Each of ``--reporters`` reporters states ``cases_prosecuted`` for 2010 with a percentage change
from 2009, in one of three layouts (both levels; the 2010 level and the change; the 2009 level
and the change) and with 0 to 3 decimals. Most percentages are wrong in the ways reports get them
wrong: computed on the current level (wrong base), the decimal point moved, a round or tied
value (``12.5``, ``-0.5``), or just off; a fifth are right. Seeded and deterministic:
``python benchmarks/percent_changes.py --reporters 20000 --repeat 5`` writes
``benchmarks/out/data/percent-<reporters>.csv`` and prints the median wall and CPU time of
``tip-indicators validate --format json`` on it, with the findings by code.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
from collections import Counter

from _measure import HERE, compile_package, measure, median, tool

HEADER = "indicator,period,reporter,measure,base_period,value"
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


def generate(reporters: int, seed: int, path: str) -> None:
    """Write the file of ``reporters`` reporters' figures to ``path``."""
    rng = random.Random(seed)
    lines = [HEADER]
    for number in range(reporters):
        reporter = f"NGO.R{number:05d}"
        before, after = rng.randint(1, 900), rng.randint(0, 900)
        stated = _percentage(rng, before, after)
        layout = rng.random()
        level_2009 = f"cases_prosecuted,2009,{reporter},N,,{before}"
        level_2010 = f"cases_prosecuted,2010,{reporter},N,,{after}"
        change = f"cases_prosecuted,2010,{reporter},CHG,,{after - before}"
        if layout < 0.5:
            lines += [level_2009, level_2010]
        elif layout < 0.8:
            lines += [level_2010, change]
        else:
            lines += [level_2009, change]
        lines.append(f"cases_prosecuted,2010,{reporter},PCH,2009,{stated}")
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    folder = os.path.join(HERE, "out", "data")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"percent-{arguments.reporters}.csv")
    generate(arguments.reporters, arguments.seed, path)
    program = tool("tip-indicators")
    if program is None:
        raise SystemExit("tip-indicators is not installed")
    compile_package()
    command = [program, "validate", "--format", "json", path]
    samples = [measure(command) for _ in range(arguments.repeat)]
    report = json.loads(subprocess.run(command, capture_output=True, check=False).stdout)
    codes = Counter(finding["code"] for finding in report["findings"])
    print(f"{arguments.reporters * 3:,} rows, {sum(codes.values()):,} findings: {dict(codes)}")
    print(
        f"median wall {median([s.seconds for s in samples]):.2f} s, "
        f"CPU {median([s.cpu_seconds for s in samples]):.2f} s, "
        f"peak {max(s.peak_mib for s in samples):.0f} MiB"
    )


if __name__ == "__main__":
    main()
