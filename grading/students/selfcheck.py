"""``course check``: a student's self-check with the public graders.

It runs ``tests/graders`` (the same tests as ``pytest tests/graders``) on a folder
of modules, or on the solution cells of a notebook, and prints one table per module:
each test's points, pass or fail, and the grader's one-line message, with the inputs of
the call it failed on when the message does not show them. For a notebook, a line of
the module made from its cells is reported as the notebook cell it came from
("cell 14 (fit), line 3"). Where grading runs without the sandbox, the sandbox's
one-line warning is printed (on stderr), as pytest prints it.
"""
from __future__ import annotations

import io
import contextlib
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

from grading.authoring.notebook_module import CellLine, notebook_to_module_with_lines
from grading.console import table


MESSAGE_WIDTH = 320
NAME_ERROR_HINT = ("; course check runs your solution cells with only the imports, functions, classes and "
                   "constants of the other cells, so a variable another cell computes is not defined here")


class _Collector:
    """Keeps each grader test's outcome, points and message, and the sandbox's warning."""

    def __init__(self):
        self.rows = defaultdict(list)
        self.calls: dict[str, tuple] = {}  # nodeid -> (last call, status, exception type)
        self.warnings: list[str] = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        from grading.runtime.targets import Submission
        from grading.students.kernel import RecordingSubmission

        given = getattr(item, "funcargs", {}).get("student")
        recording = None
        if isinstance(given, Submission) and given.folder is not None:
            recording = RecordingSubmission(given.module, given.folder)
            item.funcargs["student"] = recording
        outcome = yield
        if recording is not None:
            failure = outcome.excinfo[1] if outcome.excinfo else None
            self.calls[item.nodeid] = (recording._last_call, getattr(failure, "status", "wrong"),
                                       getattr(failure, "exception", ""))

    def pytest_warning_recorded(self, warning_message, when, nodeid, location):
        from grading.runtime.sandbox import SandboxWarning

        text = str(warning_message.message)
        if issubclass(warning_message.category, SandboxWarning) and text not in self.warnings:
            self.warnings.append(text)

    def pytest_runtest_logreport(self, report):
        points = dict(report.user_properties).get("points", 0.0)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            path, _, name = report.nodeid.partition("::")
            module = Path(path).stem.removeprefix("test_")
            message, call = "", None
            if report.failed:
                message = str(report.longrepr).strip().splitlines()[-1] if report.longrepr else "failed"
                call = self.calls.get(report.nodeid)
            elif report.skipped:
                message = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else "skipped"
            status = "pass" if report.passed else "skip" if report.skipped else "FAIL"
            self.rows[module].append((name, float(points), status, message, call))


def in_notebook_terms(message: str, module: str, lines: dict[int, CellLine], exception: str = "") -> str:
    """A message about the generated ``module.py`` told in the notebook's cells instead."""
    def cell(match: re.Match) -> str:
        where = lines.get(int(match.group("line")))
        return f"({where})" if where else match.group(0)

    message = re.sub(rf"\({re.escape(module)}\.py, line (?P<line>\d+)\)", cell, message)
    if "does not compile" in message:  # a SyntaxError names the line alone
        message = re.sub(r"\(line (?P<line>\d+)\)", cell, message)
    if exception == "NameError":
        message += NAME_ERROR_HINT
    return message


def run(module: str | None, target: str, *, root: Path, early_warnings: list[str] = ()) -> int:
    """Print the tables; return 0 when every test passed. ``early_warnings``: the sandbox's
    warnings from starting the worker before pytest ran."""
    from grading.runtime.targets import resolve_target
    from grading.students.kernel import with_inputs

    graders = root / "tests" / "graders"
    scratch = None
    cell_lines = None
    if module and module.endswith(".ipynb"):
        target, module = module, None
    try:
        if target.endswith(".ipynb"):
            scratch = Path(tempfile.mkdtemp(prefix="course-check-"))
            module, _, cell_lines = notebook_to_module_with_lines(Path(target), scratch)
            target_dir = scratch
        else:
            target_dir = resolve_target(target, root)
        if module and not (graders / f"test_{module}.py").exists():
            known = sorted(p.stem.removeprefix("test_") for p in graders.glob("test_ex*.py"))
            print(f"course check: no grader for {module} (modules: {', '.join(known)})", file=sys.stderr)
            return 2
        paths = [str(graders / f"test_{module}.py")] if module else [str(graders)]
        collector = _Collector()
        collector.warnings.extend(w for w in early_warnings if w not in collector.warnings)
        with contextlib.redirect_stdout(io.StringIO()):
            # pyproject's addopts load only the plugins the graders use; unraisableexception's
            # collection at exit would add 0.5 s to every check.
            pytest.main([*paths, f"--target={target_dir}", "-q", "-p", "no:cacheprovider",
                         "-p", "no:unraisableexception",
                         "--rootdir", str(root), "-c", str(root / "pyproject.toml")], plugins=[collector])
    except (FileNotFoundError, ValueError) as exc:
        print(f"course check: {exc}", file=sys.stderr)
        return 2
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    for text in collector.warnings:
        print(f"warning: {text}", file=sys.stderr)
    if not collector.rows:
        print("course check: no grader test ran", file=sys.stderr)
        return 2
    earned = total = 0.0
    everything_passed = True
    for name in sorted(collector.rows):
        rows = []
        for test, points, status, message, call in collector.rows[name]:
            if call is not None:
                last_call, failure_status, exception = call
                if cell_lines is not None and name == module:
                    message = in_notebook_terms(message, module, cell_lines, exception)
                message = with_inputs(message, last_call, failure_status)
            if status != "skip":
                total += points
                earned += points if status == "pass" else 0
            everything_passed &= status != "FAIL"
            got = f"{points:g}" if status == "pass" else "0" if status == "FAIL" else "-"
            rows.append([test.removeprefix("test_"), f"{got}/{points:g}", status, message[:MESSAGE_WIDTH]])
        module_points = sum(float(r[1].split("/")[1]) for r in rows if r[2] != "skip")
        module_earned = sum(float(r[1].split("/")[0]) for r in rows if r[2] == "pass")
        print(f"\n{name}  ({module_earned:g} / {module_points:g} points)")
        print(table(["check", "points", "result", "message"], rows))
    print(f"\ntotal: {earned:g} / {total:g} points" + ("  -- all passed" if everything_passed else ""))
    return 0 if everything_passed else 1
