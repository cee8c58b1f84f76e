"""`python -m benchmarks`: run every measure and print the table; `--smoke` for a few-second run."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from rich.console import Console

from benchmarks import profiling
from benchmarks.context import FULL, SMOKE
from benchmarks.procs import ROOT, StartError
from benchmarks.report import print_report, update_docs, write
from benchmarks.run import MEASURES, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="Tiny counts: checks the harness, measures nothing.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results", help="Where latest.json/.md go.")
    parser.add_argument(
        "--modes", default="memory,redis", help="State modes: memory (default service), redis (when supported)."
    )
    parser.add_argument("--only", default=",".join(MEASURES), help=f"Comma-separated subset of: {', '.join(MEASURES)}.")
    parser.add_argument(
        "--update-docs", action="store_true", help="Also put the tables into docs/benchmarks.md (latest-run block)."
    )
    parser.add_argument("--profile", type=Path, help="Record a py-spy profile of the service per measure here.")
    parser.add_argument("-v", "--verbose", action="store_true", help="Log each measure as it starts.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("benchmarks").setLevel(logging.INFO if args.verbose else logging.WARNING)
    only = {m.strip() for m in args.only.split(",") if m.strip()}
    unknown = only - set(MEASURES)
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(sorted(unknown))}")
    modes = {m.strip() for m in args.modes.split(",") if m.strip()}
    if args.profile is not None:
        profiling.enable(args.profile)
    try:
        report = asyncio.run(run(SMOKE if args.smoke else FULL, modes=modes, only=only))
    except StartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_report(report, Console(width=220))
    json_path, md_path = write(report, args.out)
    print(f"\nwrote {json_path} and {md_path}")
    if args.update_docs:
        update_docs(report, ROOT / "docs/benchmarks.md")
        print("updated docs/benchmarks.md")
    return 1 if any(row.error for row in report.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
