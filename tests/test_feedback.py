"""What a student reads: the notebook's test cells, `course check`, and ex08 graded on its own.

- A failed test cell shows one line (no traceback through grading/), naming the inputs it
  failed on; the error is still a plain AssertionError carrying ``status`` and ``exception``.
- A passing test cell prints one line with its points, on stdout (never stderr).
- `course check NOTEBOOK` reports a line of the module it builds as the notebook cell it came
  from, and prints the sandbox's warning when grading runs without bubblewrap.
- ex08 is graded on its own: an unfinished, broken, missing or wrong ex07 costs it nothing.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch

from grading.authoring import notebook_module
from grading.runtime.runner import Build, BuildArgs
from grading.runtime.targets import Submission, load_file
from grading.students import kernel, selfcheck

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = (ROOT / "solutions" / "ex01_graphs.py").read_text()
WRONG_NAMES = "\n\ndef backward_node_names(t):\n    return ['MulBackward0']\n"
NAMES_EXPECTED = "['MulBackward0', 'AddBackward0', 'AddBackward0', 'AccumulateGrad', 'AccumulateGrad']"


# ------------------------------------------------------------------ in the notebook's kernel


def grade_cell(test: str, hidden: bool = False) -> str:
    source = f'from grading.students.kernel import grade\n\ngrade("ex01_graphs", "{test}")\n'
    if hidden:
        source += "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS\n"
    return source


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A notebook run in a real kernel: ex01's solutions with a wrong backward_node_names."""
    from nbclient import NotebookClient

    folder = tmp_path_factory.mktemp("kernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SOLUTION.replace("from __future__ import annotations", "") + WRONG_NAMES),
                nbformat.v4.new_code_cell(grade_cell("test_build_graph_values")),
                nbformat.v4.new_code_cell(grade_cell("test_backward_node_names_matches_graph")),
                nbformat.v4.new_code_cell(grade_cell("test_dy_dw_by_hand_matches_autograd", hidden=True)),
                nbformat.v4.new_code_cell("def build_graph(w, x):\n    raise RuntimeError('boom')\n"),
                nbformat.v4.new_code_cell(grade_cell("test_build_graph_values"))]
    env_before = os.environ.get("GRADING_PICTURES")
    os.environ["GRADING_PICTURES"] = str(folder / "pictures")
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("GRADING_PICTURES", None)
        else:
            os.environ["GRADING_PICTURES"] = env_before
    return nb


def outputs(cell, kind: str) -> list:
    return [o for o in cell.outputs if o.output_type == kind]


def test_a_passing_test_cell_prints_one_line_with_its_points_on_stdout(executed):
    cell = executed.cells[1]
    assert [(o.name, o.text) for o in outputs(cell, "stream")] == [
        ("stdout", "✓ test_build_graph_values passed (2 points)\n")]
    assert not outputs(cell, "error")


def test_a_failed_test_cell_shows_one_line_naming_the_inputs(executed):
    (error,) = outputs(executed.cells[2], "error")
    assert error.ename == "AssertionError"  # nbgrader marks the cell failed; reports read ename: evalue
    # The grader's message (its words are the grader's), then the call it failed on.
    assert error.evalue.startswith(f"backward_node_names for y graph: expected {NAMES_EXPECTED}, got ['MulBackward0']")
    assert error.evalue.endswith(" [failed on backward_node_names(root_only('y', (1.5, -0.5)))]")
    assert error.traceback == [f"✗ test_backward_node_names_matches_graph failed (0 of 3 points): {error.evalue}"]
    assert "\n" not in error.evalue and not outputs(executed.cells[2], "stream")


def test_a_cell_with_hidden_tests_does_not_claim_its_points_early(executed):
    (stream,) = outputs(executed.cells[3], "stream")
    assert stream.text == ("✓ test_dy_dw_by_hand_matches_autograd: the public checks passed; the hidden tests "
                           "of this cell decide its 3 points\n")


def test_an_error_in_the_students_code_is_one_line_with_the_inputs(executed):
    (error,) = outputs(executed.cells[5], "error")
    assert error.traceback == ["✗ test_build_graph_values failed (0 of 2 points): build_graph raised RuntimeError: "
                               "boom [failed on build_graph(tensor(-1.756, requires_grad), "
                               "tensor(-1.102, requires_grad))]"]


def run_grade(namespace: dict, test: str):
    code = f'from grading.students.kernel import grade\ngrade("ex01_graphs", "{test}")\n'
    try:
        exec(compile(code, "<test cell>", "exec"), namespace)  # noqa: S102 - our own test cell
    except AssertionError as error:
        return error
    return None


def test_the_failure_keeps_the_status_and_exception_the_verification_reads():
    namespace: dict = {}
    exec(compile(SOLUTION + WRONG_NAMES, "ex01", "exec"), namespace)  # noqa: S102
    wrong = run_grade(dict(namespace), "test_backward_node_names_matches_graph")
    assert type(wrong) is AssertionError and (wrong.status, wrong.exception) == ("wrong", "")
    assert wrong._render_traceback_() == [f"✗ test_backward_node_names_matches_graph failed (0 of 3 points): {wrong}"]

    def build_graph(w, x):
        raise KeyError("w")

    raised = run_grade({**namespace, "build_graph": build_graph}, "test_build_graph_values")
    assert type(raised) is AssertionError and (raised.status, raised.exception) == ("error", "KeyError")
    assert run_grade(dict(namespace), "test_build_graph_values") is None


def test_inputs_are_described_compactly():
    w = torch.tensor([1.5, -0.5], requires_grad=True)
    assert kernel.describe_call("f", (w, torch.ones(2, 3, dtype=torch.float64), 3), {"lr": 0.1}) == \
        "f(tensor([1.5, -0.5], requires_grad), tensor([1, 1, 1, 1, ...], shape 2x3, float64), 3, lr=0.1)"
    assert kernel.describe_call("g", BuildArgs(len, ("y", (1.5,))), {}) == "g(len('y', (1.5,)))"
    assert kernel.describe_call("h", (Build(len, ([1.0],)), torch.tensor(2.0)), {}) == "h(len([1.0]), tensor(2))"
    assert len(kernel.describe_call("k", (torch.zeros(100),) * 20, {})) == kernel.MAX_INPUTS_TEXT


def test_inputs_are_added_only_where_the_message_lacks_a_call():
    call = ("dy_dw_by_hand", (torch.tensor(2.0),), {})
    assert kernel.with_inputs("dy_dw_by_hand raised ValueError: x", call, "error") == \
        "dy_dw_by_hand raised ValueError: x [failed on dy_dw_by_hand(tensor(2))]"
    assert kernel.with_inputs("dy_dw_by_hand(scalar float32): expected 1, got 2", call) == \
        "dy_dw_by_hand(scalar float32): expected 1, got 2"
    for status in ("import", "missing", "notimplemented"):
        assert kernel.with_inputs("m", call, status) == "m"
    assert kernel.with_inputs("m", None) == "m"


# ------------------------------------------------------------------ course check


def notebook_with(tmp_path: Path, **sources: str) -> Path:
    """ex01's source notebook (solutions filled in) with some solution cells replaced."""
    nb = nbformat.read(ROOT / "notebooks" / "ex01_graphs.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in sources:
            cell.source = sources[grade_id]
    path = tmp_path / "ex01_graphs.ipynb"
    nbformat.write(nb, path)
    return path


def cell_number(path: Path, grade_id: str) -> int:
    cells = nbformat.read(path, as_version=4).cells
    return next(i for i, c in enumerate(cells, 1) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def test_every_line_of_the_module_maps_back_to_its_cell(tmp_path):
    path = notebook_with(tmp_path)
    notebook = nbformat.read(path, as_version=4)
    source, lines = notebook_module.module_and_lines(notebook)
    assert source == notebook_module.module_source([p for c in notebook.cells for p in notebook_module.lesson_parts(c)])
    for number, text in enumerate(source.splitlines(), 1):
        if number in lines:
            where = lines[number]
            assert notebook.cells[where.cell - 1].source.splitlines()[where.line - 1] == text, where
        else:
            assert text == "", number  # only the blank lines between parts are nobody's
    assert str(notebook_module.CellLine(14, 3, "fit")) == "cell 14 (fit), line 3"


def test_messages_about_the_module_name_the_notebook_cell(tmp_path):
    path = notebook_with(tmp_path)
    source, lines = notebook_module.module_and_lines(nbformat.read(path, as_version=4))
    line = next(n for n, text in enumerate(source.splitlines(), 1) if text.startswith("def count_paths"))
    where = str(lines[line])
    assert where == f"cell {cell_number(path, 'count_paths')} (count_paths), line 1"
    assert selfcheck.in_notebook_terms(f"count_paths raised KeyError: 1 (ex01_graphs.py, line {line})",
                                       "ex01_graphs", lines) == f"count_paths raised KeyError: 1 ({where})"
    assert selfcheck.in_notebook_terms(f"ex01_graphs does not compile: SyntaxError: bad (line {line})",
                                       "ex01_graphs", lines) == f"ex01_graphs does not compile: SyntaxError: bad ({where})"
    assert selfcheck.in_notebook_terms("x (other.py, line 3)", "ex01_graphs", lines) == "x (other.py, line 3)"


def course(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})})


def test_course_check_of_a_notebook_names_the_cell_and_warns_without_a_sandbox(tmp_path):
    """One `course check` run, without the sandbox: a NameError told as the notebook's cell and line."""
    path = notebook_with(tmp_path, dy_dw_by_hand='def dy_dw_by_hand(w, x):\n    """a + b"""\n    return y * 2\n',
                         backward_node_names=WRONG_NAMES.strip())
    result = course("check", str(path), env={"GRADING_SANDBOX": "off"})
    assert result.returncode == 1, result.stdout + result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    number = cell_number(path, "dy_dw_by_hand")
    assert (f"dy_dw_by_hand raised NameError: name 'y' is not defined (cell {number} (dy_dw_by_hand), line 3)"
            + selfcheck.NAME_ERROR_HINT + " [failed on dy_dw_by_hand(") in rows["dy_dw_by_hand_matches_autograd"]
    assert ".py, line" not in result.stdout
    assert f"backward_node_names for y graph: expected {NAMES_EXPECTED}, got ['MulBackward0']" in \
        rows["backward_node_names_matches_graph"]
    assert rows["backward_node_names_matches_graph"].endswith(
        " [failed on backward_node_names(root_only('y', (1.5, -0.5)))]")
    assert rows["build_graph_values"].split()[1:3] == ["2/2", "pass"]
    warnings = [line for line in result.stderr.splitlines() if "without a sandbox" in line]
    assert warnings == [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and warnings[0].startswith(
        "warning: grading without a sandbox (GRADING_SANDBOX=off): student code runs with your rights"), result.stderr


# ------------------------------------------------------------------ ex08 on its own


EX08_GRADER = ROOT / "tests" / "graders" / "test_ex08_devices.py"
EX07 = (ROOT / "solutions" / "ex07_curve_fitting.py").read_text()


def ex07_mutant(name: str) -> str:
    return EX07 + "\n\n# --- mutant ---\n" + (ROOT / "tests" / "mutants" / "ex07_curve_fitting" / f"{name}.py").read_text()


# Each: the ex07_curve_fitting.py beside a correct ex08 (None: none at all).
EX07_STATES = {
    "unfinished (the stub)": (ROOT / "exercises" / "ex07_curve_fitting.py").read_text(),
    "missing": None,
    "raising while imported": EX07 + "\nraise RuntimeError('a plot that needs a display')\n",
    "fit without zero_grad": ex07_mutant("fit_no_zero_grad"),
    "fit returning tensor losses": ex07_mutant("fit_losses_as_tensors"),
    "fit ignoring the generator": ex07_mutant("fit_theta_ignores_generator"),
}


def ex08_results(folder: Path) -> dict[str, str | None]:
    """Each ex08 grader test called on the folder, as the mutant proofs call it: None or its message."""
    import pytest as _pytest

    grader = load_file(EX08_GRADER, "_feedback_ex08")
    student = Submission("ex08_devices", folder)
    results = {}
    for name, test in vars(grader).items():
        if name.startswith("test_") and callable(test):
            try:
                test(student)
                results[name] = None
            except AssertionError as failure:
                results[name] = str(failure)
            except _pytest.skip.Exception:
                results[name] = None
    return results


def submission(tmp_path: Path, ex07: str | None, ex08: str | None = None) -> Path:
    folder = tmp_path / "submission"
    shutil.copytree(ROOT / "solutions", folder)
    if ex07 is None:
        (folder / "ex07_curve_fitting.py").unlink()
    else:
        (folder / "ex07_curve_fitting.py").write_text(ex07)
    if ex08 is not None:
        (folder / "ex08_devices.py").write_text(ex08)
    return folder


@pytest.mark.parametrize("state", EX07_STATES, ids=list(EX07_STATES))
def test_a_wrong_ex07_costs_ex08_no_points(tmp_path, state):
    results = ex08_results(submission(tmp_path, EX07_STATES[state]))
    assert len(results) >= 10
    assert {name: message for name, message in results.items() if message} == {}


def test_a_fit_on_mistake_made_with_the_courses_fit_names_ex07(tmp_path):
    ex08 = (ROOT / "solutions" / "ex08_devices.py").read_text() + "\n\n" + \
        (ROOT / "tests" / "mutants" / "ex08_devices" / "fit_on_default_lr.py").read_text()
    results = ex08_results(submission(tmp_path, EX07_STATES["unfinished (the stub)"], ex08))
    message = results["test_fit_on_the_cpu_agrees_with_ex07_fit"]
    assert message == ("fit_on('cpu', epochs=20, lr=0.03) losses[1]: expected 98.8725, got 10.7395; lr was not passed "
                       "on to fit (that is the curve for lr=0.01) [fit_on was given the course's ex07 fit, because your "
                       "ex07_curve_fitting could not be used: fit is not implemented yet (it raises "
                       "NotImplementedError); so this difference is fit_on's own]")
    assert {name for name, m in results.items() if m} == {"test_fit_on_the_cpu_agrees_with_ex07_fit",
                                                           "test_fit_on_each_gpu_here_agrees_with_the_cpu"}


def test_an_ex08_importing_what_the_courses_ex07_lacks_is_told_why(tmp_path):
    ex08 = (ROOT / "solutions" / "ex08_devices.py").read_text().replace(
        "from ex07_curve_fitting import fit\n", "from ex07_curve_fitting import fit, make_data\n")
    results = ex08_results(submission(tmp_path, None, ex08))
    message = results["test_pick_device_on_this_machine"]
    assert re.fullmatch(r"importing ex08_devices raised ImportError: ex08_devices is graded with the course's "
                        r"ex07_curve_fitting, because yours is missing \(no ex07_curve_fitting.py beside "
                        r"ex08_devices.py\); it has fit and fit_model, but no make_data: use only those from ex07 "
                        r"\(ex08_devices.py, line \d+\)", message), message
