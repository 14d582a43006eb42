"""Check that two source trees of tip-indicators report the same findings on the same files.

``python benchmarks/compare_reports.py --base OLD/src --new src FILE...`` runs
``tip-indicators validate FILE --format json`` with each tree's package first on the path and
compares the two reports with their time stamps left out; ``--save DIR`` keeps the reports.
Exit status 0 when every pair is identical, 1 when one differs (the first differing line is
printed). A redesign that must not change behaviour is held to this on the worked example, the
``examples/`` files and the benchmark's files (which are too large to keep as test fixtures).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def report(tree: Path, path: str, extra: list[str]) -> str:
    """The JSON report of ``path`` as the package in ``tree`` writes it, time stamp removed."""
    environment = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tip_indicators.cli import main; raise SystemExit(main())",
            "validate",
            path,
            "--format",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: {path}: exit {done.returncode}: {done.stderr.strip()}")
    data = json.loads(done.stdout)
    data.pop("created", None)
    data.get("tool", {}).pop("version", None)
    return json.dumps(data, indent=1, ensure_ascii=False)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the old tree's src folder")
    parser.add_argument("--new", type=Path, default=ROOT / "src", help="the new tree's src folder")
    parser.add_argument("--save", type=Path, help="write both reports of each file here")
    parser.add_argument("--profile", help="a profile for every check")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    extra = ["--profile", args.profile] if args.profile else []
    differing = 0
    for index, path in enumerate(args.files):
        old, new = report(args.base, path, extra), report(args.new, path, extra)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{index}-base.json").write_text(old, encoding="utf-8")
            (args.save / f"{index}-new.json").write_text(new, encoding="utf-8")
        if old == new:
            print(f"same: {path}")
            continue
        differing += 1
        for number, (a, b) in enumerate(zip(old.splitlines(), new.splitlines(), strict=False)):
            if a != b:
                print(f"DIFFERS: {path} (report line {number + 1})\n  - {a}\n  + {b}")
                break
        else:
            print(f"DIFFERS: {path} (one report is longer)")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
