"""What the sandbox adds to grading, module by module.

    .venv/bin/python benchmarks/sandbox_overhead.py [--target solutions] [--repeat 3] [ex01 ...]

For every grader in tests/graders/test_exNN_*.py, runs all its tests on the target
folder through a worker without the sandbox and through one inside it, and prints
the time in seconds. Each module's run starts with a worker
that is already up (as in a real session, where one worker serves every module) but
has not seen the submission yet, so the sandboxed time includes copying the folder
into the sandbox. Starting the worker itself is measured once, on its own line.
The machine may be busy: each test's best time over the repeats is kept, and a
module's time is their sum. The target is an overhead under 0.2 s per module.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from grading.runtime import sandbox
from grading.runtime.runner import Runner  # noqa: E402
from grading.runtime.targets import GradingFailure, Submission, resolve_target  # noqa: E402


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grade(grader, folder: Path, runner: Runner) -> tuple[list[float], int]:
    """Seconds for each test of ``grader`` on ``folder``, and how many failed."""
    student = Submission(grader.MODULE, folder, runner=runner)
    tests = [fn for name, fn in vars(grader).items() if name.startswith("test_") and callable(fn)]
    runner._sent = None  # as if this folder had not been graded yet: the copy counts
    failed, seconds = 0, []
    for test in tests:
        started = time.perf_counter()
        try:
            test(student)
        except (GradingFailure, AssertionError):
            failed += 1
        except pytest.skip.Exception:
            pass
        seconds.append(time.perf_counter() - started)
    return seconds, failed


def start_time(sandboxed: bool, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        runner = Runner(sandbox=sandboxed)
        started = time.perf_counter()
        runner.call("m", "f", source="def f():\n    return 1\n")
        best = min(best, time.perf_counter() - started)
        runner.close()
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="only these modules (prefixes, e.g. ex01)")
    parser.add_argument("--target", default="solutions", help="folder to grade (default: solutions)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per module and mode (best is kept)")
    args = parser.parse_args(argv)

    reason = sandbox.unavailable_reason()
    if reason:
        print(f"no sandbox here: {reason}")
        return 1
    folder = resolve_target(args.target, ROOT)
    graders = sorted((ROOT / "tests" / "graders").glob("test_ex[0-9][0-9]_*.py"))
    if args.modules:
        graders = [g for g in graders if g.stem.removeprefix("test_").startswith(tuple(args.modules))]

    print(f"worker start   off {start_time(False, args.repeat):6.3f} s   "
          f"sandbox {start_time(True, args.repeat):6.3f} s   (once per session)")
    runners = {False: Runner(sandbox=False), True: Runner(sandbox=True)}
    for runner in runners.values():
        runner.call("m", "f", source="def f():\n    return 1\n")  # started before timing
    print(f"{'module':<26} {'tests':>5} {'off s':>8} {'sandbox s':>10} {'overhead s':>11}  failed")
    worst = float("-inf")
    try:
        for path in graders:
            grader = load(path)
            count = sum(1 for n in vars(grader) if n.startswith("test_"))
            # Each test's best time over the repeats, summed: the machine may be busy.
            best = {False: None, True: None}
            failed = {}
            for _ in range(args.repeat):
                for mode, runner in runners.items():
                    seconds, failed[mode] = grade(grader, folder, runner)
                    best[mode] = seconds if best[mode] is None else [min(a, b) for a, b in zip(best[mode], seconds)]
            best = {mode: sum(times) for mode, times in best.items()}
            overhead = best[True] - best[False]
            worst = max(worst, overhead)
            note = "" if failed[True] == failed[False] else f"  (differs: off {failed[False]}, sandbox {failed[True]})"
            print(f"{grader.MODULE:<26} {count:>5} {best[False]:8.3f} {best[True]:10.3f} {overhead:11.3f}  "
                  f"{failed[True]}{note}")
    finally:
        for runner in runners.values():
            runner.close()
    print(f"largest overhead per module: {worst:.3f} s (target: under 0.2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
