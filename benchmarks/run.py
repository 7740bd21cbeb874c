"""Run every benchmark and print Markdown tables for the README.

Usage::

    python -m benchmarks.run [--repeat N] [--only paths] [--strict]

Each ``benchmarks/bench_<name>.py`` module is discovered and run in turn; ``--only`` picks
modules by ``<name>``. Timings are medians over ``--repeat`` interleaved runs. Targets are
reported, not enforced, unless ``--strict`` makes a missed target the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
from types import ModuleType

import numpy as np
import sklearn

import benchmarks
from benchmarks import Row


def discover(only: list[str] | None = None) -> list[ModuleType]:
    """The ``bench_*`` modules of this package, in name order."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only]
    return [importlib.import_module(f"benchmarks.{name}") for name in names]


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1e3:,.1f}"


def markdown_table(rows: list[Row]) -> str:
    """Rows as a GitHub-flavoured Markdown table."""
    lines = [
        "| Benchmark | Ours (ms) | Reference | Reference (ms) | Ratio | Target | Met |",
        "|---|---:|---|---:|---:|---|:---:|",
    ]
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(
            f"| {row.benchmark} | {_ms(row.seconds)} | {row.reference} | "
            f"{_ms(row.reference_seconds)} | {ratio} | {row.target} | {met} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """One line describing where the numbers were measured."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Python {platform.python_version()}, NumPy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}; {os.cpu_count()} CPUs, load average {load:.1f} at start."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case (median)")
    parser.add_argument("--only", nargs="*", help="module names without bench_, e.g. paths")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    print(machine())
    missed = 0
    for module in discover(args.only):
        rows = module.run(repeat=args.repeat)
        print(f"\n### {getattr(module, 'TITLE', module.__name__)}\n")
        print(markdown_table(rows))
        missed += sum(row.met is False for row in rows)
    if missed:
        print(f"\n{missed} target(s) missed.")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
