"""The graders grade: each passes on solutions/, fails on the stubs, and catches the mutants.

A mutant is a realistic wrong implementation kept in tests/mutants/<module>/. Its file
holds the wrong function(s) and CAUGHT_BY, the prefixes of the grader tests that must
fail on it (every other test of that grader must still pass, so a failure points at
the right function). MESSAGE, when given, must appear in the failure message, so the
student is told which mistake it is.
"""
from __future__ import annotations

import ast
import inspect
import shutil
from pathlib import Path

import pytest

from grading.runtime.targets import GradingFailure, Submission, load_file

ROOT = Path(__file__).resolve().parent.parent
GRADERS = sorted((ROOT / "tests" / "graders").glob("test_ex[0-9][0-9]_*.py"))
MUTANTS = sorted((ROOT / "tests" / "mutants").glob("ex[0-9][0-9]_*/*.py"))


def load(path: Path):
    return load_file(path, f"_proof_{path.stem}")


def grader_tests(path: Path) -> list:
    module = load(path)
    return [(name, fn) for name, fn in vars(module).items() if name.startswith("test_") and callable(fn)]


def grader_for(module_name: str) -> Path:
    return ROOT / "tests" / "graders" / f"test_{module_name}.py"


def run(test, folder: Path, module: str, tmp_path: Path) -> str | None:
    """None when the grader test passes, else its failure message."""
    fixtures = {"student": Submission(module, folder), "tmp_path": tmp_path}
    wanted = {name: fixtures[name] for name in inspect.signature(test).parameters}
    try:
        test(**wanted)
    except GradingFailure as failure:
        return str(failure)
    except pytest.skip.Exception:
        return None
    return None


def contract_functions(module: str) -> list[str]:
    """The graded names of a solution module: top-level functions and classes with a solution block."""
    tree = ast.parse((ROOT / "solutions" / f"{module}.py").read_text())
    source = (ROOT / "solutions" / f"{module}.py").read_text().splitlines()
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            body = "\n".join(source[node.lineno - 1: node.end_lineno])
            if "### BEGIN SOLUTION" in body:
                names.append(node.name)
    return names


@pytest.mark.parametrize("grader", GRADERS, ids=lambda p: p.stem.removeprefix("test_"))
def test_grader_passes_on_solutions(grader, tmp_path):
    module = load(grader).MODULE
    failures = {name: msg for name, test in grader_tests(grader)
                if (msg := run(test, ROOT / "solutions", module, tmp_path)) is not None}
    assert not failures, f"graders fail on the reference solution: {failures}"


@pytest.mark.parametrize("grader", GRADERS, ids=lambda p: p.stem.removeprefix("test_"))
def test_grader_fails_on_stubs(grader, tmp_path):
    module = load(grader).MODULE
    passing = [name for name, test in grader_tests(grader)
               if run(test, ROOT / "exercises", module, tmp_path) is None]
    assert not passing, f"these grader tests pass on the empty stubs: {passing}"


def submission_with(module: str, source: str, label: str, tmp_path: Path) -> Path:
    """A copy of the solutions with ``source`` appended to ``module`` after a ``# --- label ---`` line."""
    folder = tmp_path / "submission"
    shutil.copytree(ROOT / "solutions", folder)
    solution = (ROOT / "solutions" / f"{module}.py").read_text()
    (folder / f"{module}.py").write_text(solution + f"\n\n# --- {label} ---\n" + source)
    return folder


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_grader_catches_mutant(mutant, tmp_path):
    module = mutant.parent.name
    folder = submission_with(module, mutant.read_text(), "mutant", tmp_path)
    spec = load(mutant)
    prefixes = tuple(spec.CAUGHT_BY)
    expected_message = getattr(spec, "MESSAGE", None)
    for name, test in grader_tests(grader_for(module)):
        message = run(test, folder, module, tmp_path)
        if name.startswith(prefixes):
            assert message is not None, f"{name} does not catch the mutant {mutant.stem}"
            if expected_message:
                assert expected_message in message, f"{name}'s message does not name the mistake: {message}"
        else:
            assert message is None, f"{name} fails on a mutant of another function: {message}"


@pytest.mark.parametrize("grader", GRADERS, ids=lambda p: p.stem.removeprefix("test_"))
def test_every_function_has_two_mutants_and_a_named_test(grader):
    module = load(grader).MODULE
    tests = [name for name, _ in grader_tests(grader)]
    mutants = [load(m) for m in MUTANTS if m.parent.name == module]
    for function in contract_functions(module):
        assert any(t.startswith(f"test_{function}") for t in tests), f"no grader test is named after {function}"
        caught = [m for m in mutants if any(p.startswith(f"test_{function}") for p in m.CAUGHT_BY)]
        assert len(caught) >= 2, f"{module}.{function} has {len(caught)} mutant(s); keep at least two"
