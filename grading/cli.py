"""The ``course`` command: one command line for instructors and students.

Instructors (an nbgrader course folder, ``--course``, default ./course):
    course release [--out DIR]                     the student bundle, as a folder and a zip
    course collect ARCHIVE.zip ASSIGNMENT [--lms auto|canvas|moodle] [--force]
                                                   submissions downloaded from an LMS
    course autograde [ASSIGNMENT ...] [--student ID ...] [--force] [--jobs N | --cluster tcp://HOST:PORT]
    course feedback [ASSIGNMENT ...] [--student ID ...]
    course grades [--out FILE]                     CSV, and a report with figures
    course demo                                    all of it, on bundled sample submissions
    course export gradescope [--out FILE.zip] [ASSIGNMENT ...]   a Gradescope autograder
    course export classroom [--out DIR]            a GitHub Classroom starter repository
Students:
    course check [MODULE] [--target PATH | NOTEBOOK]
Maintainers:
    course build [--check]                         regenerate stubs and notebooks
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grading import settings
from grading.settings import COURSE_ROOT


def _course(args):
    from grading.instructor.pipeline import Course

    root = Path(args.course)
    if args.command != "demo" and not root.is_dir():
        raise CommandError(f"course folder {root} does not exist (use --course DIR, or set COURSE_DIR)")
    return Course(root, db_url=args.db, cell_timeout=args.timeout)


class CommandError(RuntimeError):
    """A one-line message for the user; exit status 2."""


# ------------------------------------------------------------------ build


def cmd_build(args) -> int:
    from grading.authoring import notebooks, stubs

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


# ------------------------------------------------------------------ release


def cmd_release(args) -> int:
    from grading.instructor import bundle

    out = Path(args.out)
    folder, archive = bundle.release(Path(args.root), out, progress=not args.quiet)
    print(f"student bundle: {folder}")
    print(f"         zip:   {archive}")
    return 0


# ------------------------------------------------------------------ collect / autograde / feedback / grades


def cmd_collect(args) -> int:
    from grading.instructor.collect import CollectError, collect

    course = _course(args)
    try:
        result = collect(course, args.archive, args.assignment, lms=args.lms, force=args.force)
    except CollectError as exc:
        raise CommandError(str(exc)) from None
    print(f"collect {args.assignment}: {len(result.imported)} imported, {len(result.unchanged)} unchanged, "
          f"{len(result.kept)} kept (graded already), {len(result.problems)} problem(s)")
    for problem in result.problems:
        print(f"  {problem}")
    return 1 if result.problems else 0



def cmd_autograde(args) -> int:
    from grading.instructor import report

    course = _course(args)
    from grading.instructor.distributed import ClusterUnavailable

    if args.jobs < 1:
        raise CommandError(f"--jobs must be at least 1 (got {args.jobs})")
    try:
        reports = course.autograde(args.assignments or None, args.student or None, force=args.force,
                                   progress=not args.quiet, jobs=args.jobs, cluster=args.cluster)
    except ClusterUnavailable as exc:
        raise CommandError(str(exc)) from None
    print(report.autograde_table(reports))
    unverified = [r for r in reports if r.status == "unverified"]
    if unverified:
        print(f"\n{len(unverified)} submission(s) unverified: their kernel-only points are withheld and they are "
              "left out of `course grades` until a later run verifies them", file=sys.stderr)
    return 0


def cmd_feedback(args) -> int:
    course = _course(args)
    written = course.feedback(args.assignments or None, args.student or None, progress=not args.quiet)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("feedback: nothing autograded yet (run `course autograde` first)")
    return 0


def cmd_grades(args) -> int:
    from grading.instructor import report

    course = _course(args)
    out = Path(args.out)
    export = {"nbgrader": course.export_csv, "canvas": course.export_canvas}[args.format]
    csv_path, left_out = export(out)
    print(f"grades: {csv_path}")
    for v in left_out:
        print(f"left out (unverified, run `course autograde` again): {v.student}/{v.assignment}: "
              f"{'; '.join(v.problems)[:160]}", file=sys.stderr)
    for path in report.write_report(course, out.parent / "report"):
        print(f"report: {path}")
    return 0


# ------------------------------------------------------------------ check


def cmd_check(args) -> int:
    import warnings

    from grading.runtime.runner import default_runner

    # The worker starts first and imports torch while this process imports the graders.
    with warnings.catch_warnings(record=True) as early:
        warnings.simplefilter("always")
        default_runner().start_soon()
    from grading.runtime.sandbox import SandboxWarning
    from grading.students import selfcheck

    return selfcheck.run(args.module, args.target, root=Path(args.root),
                         early_warnings=[str(w.message) for w in early if issubclass(w.category, SandboxWarning)])


# ------------------------------------------------------------------ demo


def cmd_demo(args) -> int:
    from grading.instructor import demo

    return demo.run(Path(args.out), assignments=args.assignments or None, cell_timeout=args.timeout,
                    progress=not args.quiet)


# ------------------------------------------------------------------ export


def cmd_export(args) -> int:
    from grading.instructor.exports import ExportError, classroom, gradescope

    try:
        if args.format == "gradescope":
            archive, names = gradescope.build(Path(args.root), Path(args.out), args.assignments or None,
                                              progress=not args.quiet)
            print(f"gradescope autograder: {archive} ({len(names)} assignment(s): {', '.join(names)})")
        else:
            folder, tests = classroom.export(Path(args.root), Path(args.out), progress=not args.quiet)
            print(f"github classroom repository: {folder}")
            for test in tests:
                print(f"  {test.module:<24} {test.points:>3} points  {test.command}")
    except ExportError as exc:
        raise CommandError(str(exc)) from None
    return 0


# ------------------------------------------------------------------ parser


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line (no usage block) and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="course", description="The autograd course: build, release, grade, check.",
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--root", default=str(COURSE_ROOT), help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def course_options(cmd):
        cmd.add_argument("--course", default=os.environ.get("COURSE_DIR", "course"),
                         help="the nbgrader course folder (default: $COURSE_DIR or ./course)")
        cmd.add_argument("--db", default=None,
                         help="gradebook database URL (default: sqlite gradebook.db in the course folder)")
        cmd.add_argument("--timeout", type=int, default=settings.cell_timeout(),
                         help="seconds a notebook cell may run (default 60)")
        cmd.add_argument("--quiet", action="store_true", help="no progress bar")

    build = sub.add_parser("build", help="regenerate exercise stubs and notebooks from their sources")
    build.add_argument("--check", action="store_true", help="change nothing; fail if anything drifted")
    build.set_defaults(run=cmd_build)

    release = sub.add_parser("release", help="make the student bundle (folder and zip)")
    release.add_argument("--out", default="dist/student", help="bundle folder (default dist/student)")
    release.add_argument("--quiet", action="store_true")
    release.set_defaults(run=cmd_release)

    collect = sub.add_parser("collect", help="import submissions downloaded from Canvas or Moodle into submitted/")
    collect.add_argument("archive", metavar="ARCHIVE.zip")
    collect.add_argument("assignment", metavar="ASSIGNMENT")
    collect.add_argument("--lms", default="auto", choices=["auto", "canvas", "moodle"],
                         help="the LMS's file naming (default: whichever fits)")
    collect.add_argument("--force", action="store_true", help="replace submissions already graded")
    course_options(collect)
    collect.set_defaults(run=cmd_collect)

    autograde = sub.add_parser("autograde", help="grade submitted/STUDENT/ASSIGNMENT notebooks with nbgrader")
    autograde.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    autograde.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    autograde.add_argument("--force", action="store_true", help="grade again what was already graded")
    # One job keeps two cores busy (a notebook's kernel, and the one before's verification
    # or the next one's kernel starting), so half the cores saturate the machine: on two
    # cores, --jobs 2 measured 0.72x the speed of --jobs 1 (benchmarks/autograde.py).
    autograde.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 1) // 2),
                           help="submissions graded at once on this machine (default: half the cores; "
                                "each job keeps two busy)")
    autograde.add_argument("--cluster", metavar="tcp://HOST:PORT",
                           help="grade on a running Dask cluster instead (see README: Grading on a cluster)")
    course_options(autograde)
    autograde.set_defaults(run=cmd_autograde)

    feedback = sub.add_parser("feedback", help="write nbgrader feedback HTML for each student")
    feedback.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    feedback.add_argument("--student", action="append", metavar="ID")
    course_options(feedback)
    feedback.set_defaults(run=cmd_feedback)

    grades = sub.add_parser("grades", help="export grades as CSV, with a report of figures")
    grades.add_argument("--out", default="grades.csv", help="CSV file (default grades.csv); the report goes beside it")
    grades.add_argument("--format", default="nbgrader", choices=["nbgrader", "canvas"],
                        help="nbgrader's CSV (default), or a gradebook CSV that Canvas imports")
    course_options(grades)
    grades.set_defaults(run=cmd_grades)

    check = sub.add_parser("check", help="run the public graders and print a table (students)")
    check.add_argument("module", nargs="?", help="exNN_topic, or a notebook file")
    check.add_argument("--target", default="exercises",
                       help="folder of your modules (default exercises), or a notebook (.ipynb)")
    check.set_defaults(run=cmd_check)

    demo = sub.add_parser("demo", help="release, autograde, feedback and grades on sample submissions")
    demo.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    demo.add_argument("--out", default="demo", help="demo folder (default ./demo, recreated)")
    demo.add_argument("--timeout", type=int, default=60)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(run=cmd_demo)

    export = sub.add_parser("export", help="the course for other graders: Gradescope, GitHub Classroom")
    formats = export.add_subparsers(dest="format", required=True, metavar="FORMAT")
    to_gradescope = formats.add_parser("gradescope", help="a Gradescope autograder zip (hidden tests, no solutions)")
    to_gradescope.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment")
    to_gradescope.add_argument("--out", default="dist/gradescope-autograder.zip",
                               help="the zip (default dist/gradescope-autograder.zip)")
    to_gradescope.add_argument("--quiet", action="store_true")
    to_gradescope.set_defaults(run=cmd_export)
    to_classroom = formats.add_parser("classroom", help="a GitHub Classroom starter repository with autograding")
    to_classroom.add_argument("--out", default="dist/classroom",
                              help="the repository folder (default dist/classroom, recreated)")
    to_classroom.add_argument("--quiet", action="store_true")
    to_classroom.set_defaults(run=cmd_export)
    return p


# Errors that are the user's to fix: one line, exit status 2. Each is matched only when its
# module was imported (an exception cannot come from a module that never loaded), so that
# `course check` does not import nbgrader and the gradebook to recognise them.
_ONE_LINE_ERRORS = (("grading.instructor.pipeline", "PipelineError"),
                    ("grading.instructor.gradebook", "GradebookUnavailable"),
                    ("grading.authoring.stubs", "StubError"),
                    ("grading.authoring.notebooks", "NotebookSourceError"),
                    ("grading.runtime.sandbox", "SandboxUnavailable"))


def _one_line(exc: BaseException) -> bool:
    kinds = (CommandError, FileNotFoundError) + tuple(
        getattr(sys.modules[module], name) for module, name in _ONE_LINE_ERRORS if module in sys.modules)
    return isinstance(exc, kinds)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        status = args.run(args)
    except KeyboardInterrupt:
        print(f"course {args.command}: interrupted; grades already written are kept", file=sys.stderr)
        return 130
    except Exception as exc:
        if not _one_line(exc):
            raise
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 2
    if argv is None and args.command == "check":
        # The console script's check: everything is printed, and the worker is stopped here;
        # tearing down torch and pytest at interpreter exit would add about a second.
        from grading.runtime.runner import default_runner

        sys.stdout.flush()
        sys.stderr.flush()
        default_runner().close()
        os._exit(status)
    return status


if __name__ == "__main__":
    sys.exit(main())
