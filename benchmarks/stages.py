"""Where the time of one ``tip-indicators validate --format json`` run goes, stage by stage.

``python benchmarks/stages.py [--size 1m | --data FILE] [--repeat 5]`` runs the stages of the
command through the public API, each repetition in a fresh process (so no cache survives from
one to the next): importing the package, reading the file, checking it, writing the JSON report
as text, and writing that text to a file. It prints the median of each stage, the part of the
check spent inside polars queries, the rest being Python (building findings, citations and
messages), and the part spent localising errors. The process is set up as the
``tip-indicators`` program sets itself up (no cyclic garbage collector), and the report is
rendered and written in pieces as the program writes it: "render" is making the findings'
lines, "write" joining them into pieces and writing those.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from _measure import ROOT, compile_package, machine

STAGES = ("import", "read", "check", "render", "write")

_CHILD = r"""
import gc, json, os, sys, tempfile, time
start = time.perf_counter()
from tip_indicators_launcher import allocator_environment
os.environ.update(allocator_environment(os.environ))
import polars as pl
from polars.lazyframe.frame import LazyFrame
import tip_indicators
from tip_indicators.render.json import report_json_pieces
imported = time.perf_counter()
gc.disable()
inside = [0.0]
# Every query of a check, eager ones included, is a LazyFrame collected: its time is summed
# (outermost calls only, since a collect can run another).
depth = [0]
def timed(method):
    def run(self, *args, **kwargs):
        depth[0] += 1
        began = time.perf_counter()
        try:
            return method(self, *args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                inside[0] += time.perf_counter() - began
    return run
# Localising errors is one call inside the check: its time is kept apart.
checking = sys.modules["tip_indicators.check"]
localising = [0.0]
def localise(run, _localise=checking.localise):
    began = time.perf_counter()
    try:
        return _localise(run)
    finally:
        localising[0] += time.perf_counter() - began
checking.localise = localise
dataset = tip_indicators.read_dataset(sys.argv[1])
read = time.perf_counter()
for name in ("collect", "_collect_eager"):
    if hasattr(LazyFrame, name):
        setattr(LazyFrame, name, timed(getattr(LazyFrame, name)))
report = tip_indicators.check(dataset)
checked = time.perf_counter()
pieces = report_json_pieces(report)
first = next(pieces)
rendered = time.perf_counter()
with open(sys.argv[2], "wb") as handle:
    handle.write(first.encode("utf-8"))
    for piece in pieces:
        handle.write(piece.encode("utf-8"))
    handle.write(b"\n")
written = time.perf_counter()
print(json.dumps({
    "import": imported - start, "read": read - imported, "check": checked - read,
    "polars": inside[0], "localise": localising[0],
    "render": rendered - checked, "write": written - rendered,
    "findings": len(report.findings),
    "cited": sum(len(f.observations) for f in report.findings),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m", help="10k, 100k or 1m (default 1m)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--data",
        help="a long CSV to run on instead of the generated file of --size (the findings-heavy "
        "file of generate_heavy.py, say, or the worked example)",
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    data = args.data or os.path.join("benchmarks", "out", "data", f"obs-{args.size}.csv")
    if not os.path.exists(data):
        raise SystemExit(f"{data} is missing: run python benchmarks/generate.py first")
    compile_package()
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "report.json")
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, data, report],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(done.stdout))
    medians = {stage: statistics.median(run[stage] for run in runs) for stage in STAGES}
    total = sum(medians.values())
    polars = statistics.median(run["polars"] for run in runs)
    localise = statistics.median(run["localise"] for run in runs)
    given = f"--data {args.data}" if args.data else f"--size {args.size}"
    print(f"`python benchmarks/stages.py {given} --repeat {args.repeat}` on {data}\n")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()) + "\n")
    print(f"{runs[0]['findings']:,} findings, {runs[0]['cited']:,} citations of figures\n")
    print("| stage | median (s) | share |")
    print("|---|---:|---:|")
    for stage in STAGES:
        print(f"| {stage} | {medians[stage]:.2f} | {medians[stage] / total:.0%} |")
    print(f"| total | {total:.2f} | 100% |")
    print(
        f"\nOf the check, {polars:.2f} s ({polars / medians['check']:.0%}) is spent in polars "
        f"queries and {medians['check'] - polars:.2f} s in Python; {localise:.2f} s "
        f"({localise / medians['check']:.0%}) localises errors (queries and Python alike)."
    )


if __name__ == "__main__":
    main()
