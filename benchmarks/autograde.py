"""course autograde --jobs 1, --jobs 2 and stock nbgrader autograde, side by side.

    .venv/bin/python benchmarks/autograde.py [--students 5] [ex01_graphs ...]

Builds one course folder with STUDENTS sample submissions per assignment (the
correct notebook and the graders' mutants, as the demo makes them), copies it three
times, and grades each copy: with ``course autograde --jobs 1``, with ``--jobs 2``,
and with stock ``nbgrader autograde`` (which reads the course folder's
nbgrader_config.py, so it runs the same preprocessors and sandboxed kernel, but not
the out-of-process verification). It prints the wall time of each, the ratios, and
whether every score agrees. Run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from grading.authoring import samples  # noqa: E402
from grading.instructor.pipeline import Course  # noqa: E402

BIN = Path(sys.executable).parent


def build(folder: Path, assignments: list[str], students: int) -> None:
    course = Course(folder)
    course.release(assignments)
    for assignment in assignments:
        release = nbformat.read(folder / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        mistakes = samples.mutants(assignment)
        for index in range(students):
            mutant = None if index == 0 else mistakes[(index - 1) % len(mistakes)]
            target = folder / "submitted" / f"student{index:03d}" / assignment
            target.mkdir(parents=True, exist_ok=True)
            nbformat.write(samples.fill(release, assignment, mutant), target / f"{assignment}.ipynb")


def scores(folder: Path) -> dict:
    return {(row["student"], row["assignment"]): row["score"] for row in Course(folder).grades()}


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(command[:3])} failed: {(result.stderr or result.stdout).strip()[-400:]}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=["ex01_graphs", "ex03_detach"])
    parser.add_argument("--students", type=int, default=5)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    try:
        build(base / "pristine", args.assignments, args.students)
        runs = {}
        for name in ("jobs1", "jobs2", "stock"):
            shutil.copytree(base / "pristine", base / name)
        # The copied nbgrader_config.py still names the pristine folder's gradebook.
        Course(base / "stock").write_nbgrader_config()
        course = [str(BIN / "course"), "autograde", "--quiet", "--course"]
        runs["course --jobs 1"] = timed(course + [str(base / "jobs1"), "--jobs", "1"], ROOT)
        runs["course --jobs 2"] = timed(course + [str(base / "jobs2"), "--jobs", "2"], ROOT)
        runs["stock nbgrader"] = sum(timed([str(BIN / "nbgrader"), "autograde", a], base / "stock")
                                     for a in args.assignments)
        n = len(args.assignments) * args.students
        for name, seconds in runs.items():
            print(f"{name:16s} {seconds:7.1f} s  ({seconds / n:.1f} s a notebook)")
        stock = runs["stock nbgrader"]
        print(f"stock / course --jobs 1 = {stock / runs['course --jobs 1']:.2f}x, "
              f"stock / course --jobs 2 = {stock / runs['course --jobs 2']:.2f}x, "
              f"--jobs 1 / --jobs 2 = {runs['course --jobs 1'] / runs['course --jobs 2']:.2f}x")
        found = {name: scores(base / name) for name in ("jobs1", "jobs2", "stock")}
        agree = found["jobs1"] == found["jobs2"] == found["stock"]
        print(f"{n} submissions; every score agrees: {'yes' if agree else 'NO'}")
        for key in sorted(set().union(*found.values())):
            seen = {name: found[name].get(key) for name in found}
            if len(set(seen.values())) > 1:
                print(f"  {key[0]}/{key[1]}: " + ", ".join(f"{name} {score}" for name, score in seen.items()))
        return 0 if agree else 1
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
