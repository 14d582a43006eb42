"""How long the CLI takes on a one-report file, against a bare interpreter and frictionless.

``python benchmarks/startup.py [--repeat 20]`` runs, interleaved and in rotating order,
``python -c pass``, ``tip-indicators validate examples/cambodia-2010/report-2010.csv`` and (when
installed) ``frictionless validate`` on the same CSV, after one untimed warm-up each, and prints
the median wall time and peak RSS of each with the ratios the pre-commit target is stated in.
"""

from __future__ import annotations

import argparse
import os
import sys

from _measure import ROOT, Sample, compile_package, machine, measure, median, tool

EXAMPLE = os.path.join("examples", "cambodia-2010", "report-2010.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if args.repeat < 10:
        parser.error("--repeat must be at least 10")
    os.chdir(ROOT)
    tip = tool("tip-indicators")
    if tip is None:
        raise SystemExit("tip-indicators is not installed")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tip-indicators validate": [tip, "validate", EXAMPLE],
    }
    frictionless = tool("frictionless")
    if frictionless is not None:
        commands["frictionless validate"] = [frictionless, "validate", EXAMPLE]
    names = list(commands)
    compile_package()
    for name in names:
        measure(commands[name])
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for repetition in range(args.repeat):
        shift = repetition % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(measure(commands[name]))
    print(f"`python benchmarks/startup.py --repeat {args.repeat}` on {EXAMPLE}\n")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()) + "\n")
    bare = median([s.seconds for s in samples["python -c pass"]])
    bare_cpu = median([s.cpu_seconds for s in samples["python -c pass"]])
    print(
        "| command | median wall (ms) | wall vs `python -c pass` | median CPU (ms) "
        "| CPU vs `python -c pass` | peak RSS (MiB) | exit |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    walls = {name: median([s.seconds for s in samples[name]]) for name in names}
    cpus = {name: median([s.cpu_seconds for s in samples[name]]) for name in names}
    for name in names:
        runs = samples[name]
        statuses = sorted({s.status for s in runs})
        print(
            f"| {name} | {1000 * walls[name]:.0f} | {walls[name] / bare:.1f}x "
            f"| {1000 * cpus[name]:.0f} | {cpus[name] / bare_cpu:.1f}x "
            f"| {max(s.peak_mib for s in runs):.0f} | {', '.join(map(str, statuses))} |"
        )
    ours, ours_cpu = walls["tip-indicators validate"], cpus["tip-indicators validate"]
    verdict = "met" if ours <= 30 * bare else "NOT met"
    print(
        f"\ntargets: wall <= 30x python -c pass: {verdict} "
        f"({ours / bare:.1f}x; CPU {ours_cpu / bare_cpu:.1f}x)"
    )
    if "frictionless validate" in samples:
        theirs = walls["frictionless validate"]
        verdict = "met" if ours < theirs else "NOT met"
        print(
            f"faster than frictionless: {verdict} ({ours / theirs:.2f}x frictionless; "
            f"CPU {ours_cpu / cpus['frictionless validate']:.2f}x)"
        )
    else:
        print("faster than frictionless: not measured (frictionless is not installed)")


if __name__ == "__main__":
    main()
