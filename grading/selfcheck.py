"""``course check``: a student's self-check with the public graders.

It runs ``tests/graders`` (the same tests as ``pytest tests/graders``) on a folder
of modules, or on the solution cells of a notebook, and prints one table per module:
each test's points, pass or fail, and the grader's one-line message.
"""
from __future__ import annotations

import ast
import io
import contextlib
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils as nbgrader_utils

from grading.report import table


class _Collector:
    """Keeps each grader test's outcome, points and message."""

    def __init__(self):
        self.rows = defaultdict(list)

    def pytest_runtest_logreport(self, report):
        points = dict(report.user_properties).get("points", 0.0)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            path, _, name = report.nodeid.partition("::")
            module = Path(path).stem.removeprefix("test_")
            message = ""
            if report.failed:
                message = str(report.longrepr).strip().splitlines()[-1] if report.longrepr else "failed"
            elif report.skipped:
                message = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else "skipped"
            status = "pass" if report.passed else "skip" if report.skipped else "FAIL"
            self.rows[module].append((name, float(points), status, message))


def lesson_parts(cell) -> list[str]:
    """What a solution may lean on from one code cell: a solution cell whole; from a
    lesson cell, its imports, functions and classes (ex08 reuses a fit defined in a
    lesson cell) and constants (EXPRESSIONS). Lesson cells are not run whole: they
    train models and time code, which grading must not repeat."""
    if cell.cell_type != "code":
        return []
    if nbgrader_utils.is_solution(cell):
        return [cell.source]
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return []
    parts = []
    for node in tree.body:
        keep = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            try:
                ast.literal_eval(node.value)
                keep = True
            except ValueError:
                pass
        if keep:
            parts.append(ast.get_source_segment(cell.source, node, padded=True))
    return parts


def module_source(parts: list[str]) -> str:
    return "\n\n\n".join(dict.fromkeys(parts)) + "\n"


def notebook_to_module(notebook_path: Path, folder: Path) -> tuple[str, Path]:
    """Write the notebook's solution cells (and its imports) as <module>.py in ``folder``."""
    module = notebook_path.stem
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except Exception as exc:
        raise ValueError(f"{notebook_path} is not a readable notebook ({type(exc).__name__})") from None
    if not any(c.cell_type == "code" and nbgrader_utils.is_solution(c) for c in notebook.cells):
        raise ValueError(f"{notebook_path.name} has no solution cells (nbgrader metadata) to check")
    parts = [part for cell in notebook.cells for part in lesson_parts(cell)]
    path = folder / f"{module}.py"
    path.write_text(module_source(parts))
    return module, path


def run(module: str | None, target: str, *, root: Path) -> int:
    """Print the tables; return 0 when every test passed."""
    from grading.targets import resolve_target

    graders = root / "tests" / "graders"
    scratch = None
    if module and module.endswith(".ipynb"):
        target, module = module, None
    try:
        if target.endswith(".ipynb"):
            scratch = Path(tempfile.mkdtemp(prefix="course-check-"))
            module, _ = notebook_to_module(Path(target), scratch)
            target_dir = scratch
        else:
            target_dir = resolve_target(target, root)
        if module and not (graders / f"test_{module}.py").exists():
            known = sorted(p.stem.removeprefix("test_") for p in graders.glob("test_ex*.py"))
            print(f"course check: no grader for {module} (modules: {', '.join(known)})", file=sys.stderr)
            return 2
        paths = [str(graders / f"test_{module}.py")] if module else [str(graders)]
        collector = _Collector()
        with contextlib.redirect_stdout(io.StringIO()):
            pytest.main([*paths, f"--target={target_dir}", "-q", "-p", "no:cacheprovider",
                         "--rootdir", str(root), "-c", str(root / "pyproject.toml")], plugins=[collector])
    except (FileNotFoundError, ValueError) as exc:
        print(f"course check: {exc}", file=sys.stderr)
        return 2
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    if not collector.rows:
        print("course check: no grader test ran", file=sys.stderr)
        return 2
    earned = total = 0.0
    everything_passed = True
    for name in sorted(collector.rows):
        rows = []
        for test, points, status, message in collector.rows[name]:
            if status != "skip":
                total += points
                earned += points if status == "pass" else 0
            everything_passed &= status != "FAIL"
            got = f"{points:g}" if status == "pass" else "0" if status == "FAIL" else "-"
            rows.append([test.removeprefix("test_"), f"{got}/{points:g}", status, message[:200]])
        module_points = sum(float(r[1].split("/")[1]) for r in rows if r[2] != "skip")
        module_earned = sum(float(r[1].split("/")[0]) for r in rows if r[2] == "pass")
        print(f"\n{name}  ({module_earned:g} / {module_points:g} points)")
        print(table(["check", "points", "result", "message"], rows))
    print(f"\ntotal: {earned:g} / {total:g} points" + ("  -- all passed" if everything_passed else ""))
    return 0 if everything_passed else 1
