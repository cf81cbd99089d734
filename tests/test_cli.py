"""The `course` command for maintainers and students: build, check, release."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading import bundle

ROOT = Path(__file__).resolve().parent.parent


def course(*args, cwd=ROOT, timeout=900):
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


@pytest.fixture
def tree(tmp_path):
    """A copy of what `course build` reads and writes."""
    for name in ("solutions", "exercises", "notebooks"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_build_check_passes_on_the_repository():
    result = course("build", "--check")
    assert result.returncode == 0, result.stderr


def test_build_check_fails_on_a_hand_edited_stub_and_build_repairs_it(tree):
    stub = tree / "exercises" / "ex01_graphs.py"
    stub.write_text(stub.read_text().replace("raise NotImplementedError()", "return None", 1))
    drift = course("--root", str(tree), "build", "--check")
    assert drift.returncode == 1 and "exercises/ex01_graphs.py differs" in drift.stderr
    assert course("--root", str(tree), "build").returncode == 0
    assert course("--root", str(tree), "build", "--check").returncode == 0


def test_build_check_fails_on_a_stale_notebook(tree):
    source = tree / "notebooks" / "ex01_graphs.py"
    source.write_text(source.read_text().replace("# ## 1. A graph of operations", "# ## 1. Graphs"))
    drift = course("--root", str(tree), "build", "--check")
    assert drift.returncode == 1 and "notebooks/ex01_graphs.ipynb differs" in drift.stderr


def test_check_passes_on_solutions_and_fails_on_stubs():
    good = course("check", "ex01_graphs", "--target", "solutions")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "total: 18 / 18 points" in good.stdout
    bad = course("check", "ex01_graphs")
    assert bad.returncode == 1
    assert "build_graph is not implemented yet" in bad.stdout and "total: 0 / 18" in bad.stdout


def test_check_grades_a_notebooks_solution_cells(tmp_path):
    from grading import samples

    notebook = nbformat.read(ROOT / "notebooks" / "ex01_graphs.ipynb", as_version=4)
    wrong = next(m for m in samples.mutants("ex01_graphs") if m.name == "dy_dw_by_hand_one_path")
    path = tmp_path / "ex01_graphs.ipynb"
    nbformat.write(samples.fill(notebook, "ex01_graphs", wrong), path)
    result = course("check", str(path))
    assert result.returncode == 1
    assert "dy_dw_by_hand_matches_autograd" in result.stdout and "path through b" in result.stdout
    assert "total: 15 / 18 points" in result.stdout


def test_check_reports_bad_input_in_one_line(tmp_path):
    broken = tmp_path / "ex01_graphs.ipynb"
    broken.write_text("{ not json")
    for args, text in ((["ex99"], "no grader for ex99"), ([str(broken)], "not a readable notebook"),
                       (["ex01_graphs", "--target", str(tmp_path / "nowhere")], "no such folder")):
        result = course("check", *args)
        assert result.returncode == 2 and text in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_release_bundle_holds_what_students_need_and_nothing_secret(tmp_path):
    out = tmp_path / "student"
    result = course("release", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    modules = sorted(p.stem for p in (ROOT / "solutions").glob("ex[0-9][0-9]_*.py"))
    for module in modules:
        assert f"exercises/{module}.py" in files and f"notebooks/{module}.ipynb" in files
        assert f"tests/graders/test_{module}.py" in files
    assert {"README.md", "environment.yml", "pyproject.toml", "grading/checks.py"} <= files
    assert not any(f.startswith(("solutions/", "tests/mutants/", "tests/hostile/")) for f in files)
    assert not any(f.startswith("notebooks/") and f.endswith(".py") for f in files)
    # Every line of every solution block and hidden test is scanned for, in every file.
    assert bundle.leaks(ROOT, out) == []
    with zipfile.ZipFile(out.with_suffix(".zip")) as z:
        assert {n.split("/", 1)[1] for n in z.namelist()} == files


def test_leak_scan_finds_a_planted_solution_line_and_hidden_test(tmp_path):
    (tmp_path / "grading").mkdir()
    solution_line = "(dy_dw,) = torch.autograd.grad(y.sum(), w)"
    hidden_line = next(l.strip() for l in (ROOT / "notebooks" / "ex01_graphs.py").read_text().splitlines()
                       if "seed=101" in l)
    (tmp_path / "grading" / "helpers.py").write_text(f"def f(y, w):\n    {solution_line}\n")
    (tmp_path / "notes.txt").write_text(hidden_line + "\n")
    problems = bundle.leaks(ROOT, tmp_path)
    assert any("grading/helpers.py" in p and "solutions/ex01_graphs.py" in p for p in problems)
    assert any("notes.txt" in p and "hidden tests" in p for p in problems)
