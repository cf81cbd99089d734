"""The ``course`` command: one command line for instructors and students.

    course build [--check]     regenerate exercises/ stubs and notebooks/*.ipynb
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grading import notebooks, stubs
from grading.targets import COURSE_ROOT


def cmd_build(args) -> int:
    root = Path(args.root)
    if args.check:
        problems = stubs.drifted(root) + notebooks.drifted(root)
        for problem in problems:
            print(f"drift: {problem}", file=sys.stderr)
        if problems:
            print("run `course build` to regenerate them", file=sys.stderr)
            return 1
        print("build: everything generated is up to date")
        return 0
    changed = stubs.write_stubs(root) + notebooks.write(root)
    for path in changed:
        print(f"wrote {path.relative_to(root)}")
    if not changed:
        print("build: nothing to do")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0])
    p.add_argument("--root", default=str(COURSE_ROOT), help="course folder (default: this checkout)")
    sub = p.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="regenerate exercise stubs and notebooks from their sources")
    build.add_argument("--check", action="store_true", help="change nothing; fail if anything drifted")
    build.set_defaults(run=cmd_build)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (stubs.StubError, notebooks.NotebookSourceError, FileNotFoundError) as exc:
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
