"""Notebooks: generated from their sources, committed clean, and graded like the modules.

Every public grader test appears as an autograded cell with the same points, every
graded function's solution cell is pulled from solutions/, and the source notebook
runs top to bottom without an error or a line on stderr (which nbgrader would
count as a failed test cell).
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest

from grading.authoring import notebooks

ROOT = Path(__file__).resolve().parent.parent
SOURCES = notebooks.sources(ROOT)
IDS = [p.stem for p in SOURCES]


def grader_points(module: str) -> dict[str, float]:
    path = ROOT / "tests" / "graders" / f"test_{module}.py"
    tree = ast.parse(path.read_text())
    points = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "points":
                    points[node.name] = float(ast.literal_eval(deco.args[0]))
    return points


def test_every_solution_module_has_a_notebook_and_a_grader():
    modules = {p.stem for p in (ROOT / "solutions").glob("ex[0-9][0-9]_*.py")}
    assert modules, "no solution modules found"
    assert modules == {p.stem for p in SOURCES}, "each solutions/ module needs notebooks/<module>.py"
    assert modules == {p.stem.removeprefix("test_") for p in (ROOT / "tests" / "graders").glob("test_ex*.py")}


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_notebook_is_built_from_its_source(source):
    assert source.with_suffix(".ipynb").read_text() == notebooks.build(source, ROOT), \
        f"{source.with_suffix('.ipynb').name} is stale: run `course build`"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_notebook_is_committed_without_outputs(source):
    data = json.loads(source.with_suffix(".ipynb").read_text())
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_notebook_grades_what_the_grader_grades(source):
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    tests = {c.metadata.nbgrader.grade_id: c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    expected = grader_points(source.stem)
    assert set(tests) == set(expected), "autograded cells must match the grader's tests one to one"
    for name, cell in tests.items():
        assert float(cell.metadata.nbgrader.points) == expected[name], f"{name}: points differ from the grader"
        assert f'grade("{source.stem}", "{name}")' in cell.source, f"{name} does not run the public grader test"
        assert "### BEGIN HIDDEN TESTS" in cell.source or "hidden" not in name, name
    solution_ids = [c.metadata.nbgrader.grade_id for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("solution")]
    assert solution_ids, "no solution cells"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_notebook_has_hidden_tests(source):
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    hidden = [c for c in nb.cells if "### BEGIN HIDDEN TESTS" in c.source]
    assert hidden, "an nbgrader notebook without hidden tests can be passed by hard-coding the public ones"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_source_notebook_runs_clean(source, tmp_path, monkeypatch):
    """With the reference solutions in place, no cell errors and nothing reaches stderr, with the
    hidden inputs drawn for a student, as under autograde (the kernel inherits the variable)."""
    from nbclient import NotebookClient

    from grading import settings

    monkeypatch.setenv("GRADING_STUDENT_SEED", str(settings.seed_for("a-student", source.stem)))
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    problems = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"{output.ename}: {output.evalue} in\n{cell.source[:200]}")
            elif output.output_type == "stream" and output.name == "stderr" and cell.metadata.get("nbgrader", {}).get("grade"):
                problems.append(f"stderr in test cell {cell.metadata.nbgrader.grade_id}: {output.text[:200]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_run_all_on_the_student_notebook_reaches_every_cell(source, tmp_path, monkeypatch):
    """The released notebook, every function still a stub: each cell that raises is tagged
    raises-exception, so Run All (JupyterLab's, and nbclient's, which follow the same tag) goes
    on to the end, and every test cell shows its result; no cell of the course's own raises."""
    from nbclient import NotebookClient
    from nbgrader.preprocessors import ClearSolutions

    from grading import settings

    monkeypatch.setenv("GRADING_STUDENT_SEED", str(settings.seed_for("a-student", source.stem)))
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    nb, _ = ClearSolutions().preprocess(nb, {})
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    untagged_errors, silent_tests = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors and notebooks.RAISES not in cell.metadata.get("tags", []):
            untagged_errors.append(f"{errors[0].ename} in {cell.source.splitlines()[0][:60]!r}")
        if cell.metadata.get("nbgrader", {}).get("grade") and not cell.outputs:
            silent_tests.append(cell.metadata.nbgrader.grade_id)
    assert not untagged_errors, f"cells that raise on the stubs, untagged (Run All stops there): {untagged_errors}"
    assert not silent_tests, f"test cells that showed nothing: {silent_tests}"
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert all(any(o.output_type == "error" for o in c.outputs) for c in tests), "a test passed on the stubs"
