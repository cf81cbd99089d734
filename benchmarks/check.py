"""``course check MODULE`` and ``pytest tests/graders -k MODULE`` against a bare
``python -c "import torch, torchviz"``, side by side.

    .venv/bin/python benchmarks/check.py [--repeat 5] [ex01_graphs ...]

Runs the three, in turn, REPEAT times each, and prints the median wall time of each and
their ratios to the bare import (the student loop aims at 1.5x or less).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", default=["ex01_graphs"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bare = [sys.executable, "-c", "import torch, torchviz"]
    for module in args.modules:
        check = [str(BIN / "course"), "check", module, "--target", "solutions"]
        graders = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/graders",
                   "-k", module, "--target=solutions"]
        times = {"bare import": [], "course check": [], "pytest graders": []}
        for _ in range(args.repeat):
            times["bare import"].append(wall(bare))
            times["course check"].append(wall(check))
            times["pytest graders"].append(wall(graders))
        medians = {k: statistics.median(v) for k, v in times.items()}
        bare_s = medians["bare import"]
        print(f"{module}: bare torch import {bare_s:.2f} s; "
              f"course check {medians['course check']:.2f} s = {medians['course check'] / bare_s:.2f}x; "
              f"pytest tests/graders -k {module} {medians['pytest graders']:.2f} s = "
              f"{medians['pytest graders'] / bare_s:.2f}x (medians of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
