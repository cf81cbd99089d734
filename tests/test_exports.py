"""`course export`: the Gradescope autograder zip and the GitHub Classroom starter repository.

results.json is checked against Gradescope's documented format
(https://gradescope-autograders.readthedocs.io/en/latest/specs/), written out below as a
JSON Schema; the workflow against what GitHub Classroom's grader actions read
(https://github.com/classroom-resources/autograding-command-grader,
https://github.com/classroom-resources/autograding-grading-reporter).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml

from grading.authoring import samples
from grading.instructor import bundle
from grading.instructor.exports import autograder
from grading.runtime.targets import load_file

# One xdist worker runs this whole module (make test runs -n auto): its module fixtures are costly to build twice.
pytestmark = pytest.mark.xdist_group("exports")

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ASSIGNMENTS = ["ex01_graphs", "ex02_leaves"]  # two, to keep the runs short


def course(*args, cwd=ROOT, timeout=900):
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


# ---------------------------------------------------------------- Gradescope's format, from its spec

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
NUMBER, STRING, OBJECT = {"type": "number"}, {"type": "string"}, {"type": "object"}
TEST_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {"score": NUMBER, "max_score": NUMBER, "status": {"enum": ["passed", "failed"]},
                   "name": STRING, "name_format": FORMAT, "number": STRING, "output": STRING,
                   "output_format": FORMAT, "tags": {"type": "array", "items": STRING},
                   "visibility": VISIBILITY, "extra_data": OBJECT},
}
RESULTS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {"score": NUMBER, "execution_time": NUMBER, "output": STRING, "output_format": FORMAT,
                   "test_output_format": FORMAT, "test_name_format": FORMAT, "visibility": VISIBILITY,
                   "stdout_visibility": VISIBILITY, "extra_data": OBJECT,
                   "tests": {"type": "array", "items": TEST_SCHEMA},
                   "leaderboard": {"type": "array", "items": {"type": "object", "required": ["name", "value"]}}},
    # "score: optional, but required if not on each test case"
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}}],
}


def cells(module: str) -> dict[str, tuple[float, bool]]:
    """grade_id -> (points, has hidden tests), from the source notebook."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{module}.ipynb", as_version=4)
    return {c.metadata.nbgrader.grade_id: (float(c.metadata.nbgrader.points), "### BEGIN HIDDEN TESTS" in c.source)
            for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def of(results: dict, module: str) -> list[dict]:
    return [t for t in results["tests"] if t["name"].startswith(f"{module}: ")]


def grade_id_of(test: dict) -> str:
    """The grade id a Gradescope test belongs to."""
    return "test_" + test["name"].split(": ", 1)[1].removesuffix(" (hidden tests)")


def check_results(results: dict, stdout: str, source: Path) -> None:
    """What every results.json must be: Gradescope's format, scores that add up, the split of visibility."""
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == sum(t.get("score", 0) for t in results["tests"])
    assert results["stdout_visibility"] == "hidden"
    for module in ASSIGNMENTS:
        expected = cells(module)
        tests = of(results, module)
        assert {grade_id_of(t) for t in tests} == set(expected)
        for test in tests:
            points, hidden = expected[grade_id_of(test)]
            assert test["output"].strip() and "\n" not in test["output"], test
            if test["name"].endswith("(hidden tests)"):
                assert hidden and test["visibility"] == "after_published" and test["max_score"] == points
            elif hidden:  # the public check of a cell with hidden tests: a result, no score
                assert test["visibility"] == "visible" and "score" not in test and "max_score" not in test
            else:
                assert test["visibility"] == "visible" and test["max_score"] == points
            if "score" in test:
                assert (test["status"] == "passed") == (test["score"] == test["max_score"]), test
        assert sum(t.get("max_score", 0) for t in tests) == sum(p for p, _ in expected.values())
    # run_autograder graded with the zip's own grading package, not this repository's.
    assert f"grading package: {(source / 'grading').resolve()}" in stdout


def score(results: dict, module: str) -> float:
    return sum(t.get("score", 0) for t in of(results, module))


def total(module: str) -> float:
    return sum(p for p, _ in cells(module).values())


# ---------------------------------------------------------------- the zip


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    result = course("export", "gradescope", *ASSIGNMENTS, "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    return out


@pytest.fixture(scope="module")
def source(autograder_zip) -> Path:
    """The zip unpacked as Gradescope unpacks it into /autograder/source (modes included)."""
    folder = autograder_zip.parent / "source"
    with zipfile.ZipFile(autograder_zip) as z:
        for info in z.infolist():
            path = Path(z.extract(info, folder))
            if not info.is_dir():
                path.chmod(info.external_attr >> 16 & 0o777)
    return folder


def run_autograder(source: Path, root: Path, files: dict[str, str]) -> tuple[dict, str]:
    """run_autograder on an upload, with Gradescope's paths moved under ``root`` and no setup.sh:
    the venv's python on PATH."""
    (root / "submission").mkdir(parents=True)
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", "AUTOGRADER_ROOT": str(root),
           "AUTOGRADER_SOURCE": str(source)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(source / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text()), done.stdout


def test_zip_has_the_scripts_at_its_root_and_no_solution_text(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as z:
        names = set(z.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
        texts = {n: z.read(n).decode(errors="replace") for n in names}
    assert {"setup.sh", "run_autograder"} <= names
    assert all(modes[n] & stat.S_IXUSR for n in ("setup.sh", "run_autograder"))
    for module in ASSIGNMENTS:
        assert {f"tests/graders/test_{module}.py", f"notebooks/{module}.ipynb"} <= names
        assert "### BEGIN HIDDEN TESTS" in texts[f"notebooks/{module}.ipynb"]
    assert "grading/instructor/exports/autograder.py" in names and "grading/checking/references/recorded.pt" in names
    assert not any(n.startswith(("solutions/", "tests/mutants/", "tests/hostile/")) for n in names)

    setup = texts["setup.sh"]
    torch_line = next(i for i, l in enumerate(setup.splitlines()) if "torch==2.13.0" in l)
    course_line = next(i for i, l in enumerate(setup.splitlines()) if "pip install" in l and "-e" in l)
    assert "--index-url https://download.pytorch.org/whl/cpu" in setup.splitlines()[torch_line]
    assert torch_line < course_line and "venv" in setup and "graphviz" in setup and "apt-get install" in setup

    # No line of any solution (solution cells, ground-truth references) in any file.
    secrets = {line for line, where in bundle.secret_lines(ROOT).items() if where.startswith("solutions/")}
    for name, text in texts.items():
        if name.endswith(".ipynb"):
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        assert not {l.strip() for l in text.splitlines()} & secrets, name
        assert not re.search(r"^\s*### BEGIN SOLUTION", text, re.M), name
    for name in names:
        if name.startswith("grading/checking/references/ex"):
            assert "@ground_truth" not in texts[name], name


def test_a_correct_submission_gets_full_marks_and_a_missing_module_a_message(source, tmp_path):
    solution = (ROOT / "solutions" / "ex01_graphs.py").read_text()
    results, stdout = run_autograder(source, tmp_path, {"ex01_graphs.py": solution})
    check_results(results, stdout, source)
    assert score(results, "ex01_graphs") == total("ex01_graphs") == 18
    assert all(t["status"] == "passed" for t in of(results, "ex01_graphs"))
    assert score(results, "ex02_leaves") == 0 and all(t["status"] == "failed" for t in of(results, "ex02_leaves"))
    assert "ex02_leaves: no ex02_leaves.py or ex02_leaves.ipynb in the submission" in results["output"]
    assert results["score"] == 18


def test_a_wrong_submission_loses_exactly_its_mistakes_points(source, tmp_path):
    mutant = samples.Mutant.load(ROOT / "tests" / "mutants" / "ex01_graphs" / "dy_dw_by_hand_one_path.py")
    wrong = (ROOT / "solutions" / "ex01_graphs.py").read_text() + "\n\n" + "\n\n".join(mutant.functions().values())
    results, stdout = run_autograder(source, tmp_path, {"ex01_graphs.py": wrong,
                                                        "ex02_leaves.py": "def grads_after_backward(:\n"})
    check_results(results, stdout, source)
    caught = {g: p for g, (p, _) in cells("ex01_graphs").items() if g.startswith(mutant.caught_by)}
    assert caught and score(results, "ex01_graphs") == total("ex01_graphs") - sum(caught.values())
    failed = {grade_id_of(t) for t in of(results, "ex01_graphs") if t["status"] == "failed"}
    assert failed == set(caught)
    public = next(t for t in of(results, "ex01_graphs") if grade_id_of(t) in caught and t["visibility"] == "visible")
    assert "path through b" in public["output"]  # the mutant's MESSAGE: the grader's one-line hint
    # An upload that does not import: a one-line message, its module scores 0, the others are graded.
    assert score(results, "ex02_leaves") == 0
    assert any(l.startswith("ex02_leaves: ") and "compile" in l for l in results["output"].splitlines())


# Right on the public inputs (at most two dimensions), wrong on a hidden one (three).
HIDDEN_ONLY_MISTAKE = '''
CAUGHT_BY = []


def build_graph(w, x):
    a = w + x
    b = w + 1
    y = a * b
    if w.dim() == 3:
        y = y * 2
    return a, b, y
'''


def test_a_notebook_is_graded_like_course_autograde_grades_it(source, tmp_path):
    from grading.instructor.pipeline import Course

    released = Course(tmp_path / "course").release(["ex01_graphs"])[0]
    mistake = tmp_path / "build_graph_hidden_only.py"
    mistake.write_text(HIDDEN_ONLY_MISTAKE)
    notebook = samples.fill(nbformat.read(released, as_version=4), "ex01_graphs", samples.Mutant.load(mistake))
    deleted = "test_count_paths_counts_every_edge_path"
    notebook.cells = [c for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != deleted]
    for number, cell in enumerate(notebook.cells):  # saved by an editor that drops nbgrader's metadata and ids
        cell.metadata.pop("nbgrader", None)
        cell["id"] = f"edited-{number}"
    results, stdout = run_autograder(source, tmp_path / "ag", {"ex01_graphs.ipynb": nbformat.writes(notebook),
                                                               "ex02_leaves.ipynb": "{ not a notebook"})
    check_results(results, stdout, source)
    points = cells("ex01_graphs")
    # nbgrader: a test cell's points only when all of it passes; a deleted test cell scores 0.
    assert score(results, "ex01_graphs") == total("ex01_graphs") - points["test_build_graph_values"][0] \
        - points[deleted][0]
    build = {t["visibility"]: t for t in of(results, "ex01_graphs") if grade_id_of(t) == "test_build_graph_values"}
    assert build["visible"]["status"] == "passed"  # what the student sees before publishing
    assert build["after_published"]["status"] == "failed" and build["after_published"]["score"] == 0
    assert "build_graph" in build["after_published"]["output"]
    assert f"test cell {deleted} was deleted" in results["output"]
    assert "ex01_graphs: repaired: nbgrader metadata restored" in results["output"]
    assert score(results, "ex02_leaves") == 0
    assert any(l.startswith("ex02_leaves: ex02_leaves.ipynb is not a notebook") for l in results["output"].splitlines())


def test_hidden_results_never_show_in_what_is_visible():
    cell = autograder.GradedCell("test_f", 3.0, "grade('m', 'test_f')\n", "### BEGIN HIDDEN TESTS\nassert False\n")
    by_public = {}
    for public_ok in (True, False):
        for hidden_ok in (True, False):
            public = autograder.Outcome(public_ok, "" if public_ok else "wrong")
            hidden = autograder.Outcome(public_ok and hidden_ok, "" if hidden_ok else "hidden wrong")
            tests = autograder.gradescope_tests("m", cell, public, hidden)
            visible = [t for t in tests if t["visibility"] == "visible"]
            assert len(visible) == 1 and "score" not in visible[0]
            by_public.setdefault(public_ok, []).append(visible[0])
            assert sum(t.get("score", 0) for t in tests) == (3.0 if public_ok and hidden_ok else 0.0)
            assert {t["visibility"] for t in tests} == {"visible", "after_published"}
    assert all(v == vs[0] for vs in by_public.values() for v in vs)  # the same whatever the hidden tests did


# ---------------------------------------------------------------- GitHub Classroom


@pytest.fixture(scope="module")
def small_course(tmp_path_factory) -> Path:
    """The course with only ASSIGNMENTS (their solutions, stubs, notebooks, graders and references):
    `course release` records and checks every module, so a smaller course keeps the export short
    (and free of modules still being written)."""
    tree = tmp_path_factory.mktemp("small") / "course"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "grading", tree / "grading", ignore=ignore)
    for reference in (tree / "grading" / "checking" / "references").glob("ex[0-9][0-9]_*.py"):
        if reference.stem not in ASSIGNMENTS:
            reference.unlink()
    shutil.copytree(ROOT / "scripts", tree / "scripts")
    for name in ("pyproject.toml", "environment.yml", "README.md"):
        shutil.copyfile(ROOT / name, tree / name)
    for module in ASSIGNMENTS:
        for name in (f"solutions/{module}.py", f"exercises/{module}.py", f"notebooks/{module}.py",
                     f"notebooks/{module}.ipynb", f"tests/graders/test_{module}.py"):
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, tree / name)
    return tree


@pytest.fixture(scope="module")
def repository(small_course) -> Path:
    out = small_course.parent / "repository"
    result = course("--root", str(small_course), "export", "classroom", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    return out


def grader_points(module: str) -> int:
    """The sum of the grader's @pytest.mark.points, read from the marks pytest itself reads."""
    grader = load_file(ROOT / "tests" / "graders" / f"test_{module}.py", f"_export_points_{module}")
    return sum(mark.args[0] for name, fn in vars(grader).items() if name.startswith("test_") and callable(fn)
               for mark in getattr(fn, "pytestmark", []) if mark.name == "points")


def grader_steps(repository: Path) -> tuple[dict, list[dict], dict]:
    workflow = yaml.safe_load((repository / ".github" / "workflows" / "classroom.yml").read_text())
    steps = next(iter(workflow["jobs"].values()))["steps"]
    graders = [s for s in steps if s.get("uses") == "classroom-resources/autograding-command-grader@v1"]
    return workflow, graders, steps[-1]


def test_workflow_has_one_command_grader_per_module_with_its_points(repository):
    workflow, graders, reporter = grader_steps(repository)
    assert "push" in workflow["on"] and workflow["permissions"]["checks"] == "write"
    job = next(iter(workflow["jobs"].values()))
    assert job["runs-on"] == "ubuntu-latest" and job["steps"][0]["uses"].startswith("actions/checkout@")
    assert [s["id"] for s in graders] == ASSIGNMENTS
    for step in graders:
        module, inputs = step["id"], step["with"]
        assert set(inputs) == {"test-name", "setup-command", "command", "timeout", "max-score"}
        assert inputs["test-name"] == module and inputs["max-score"] == grader_points(module) > 0
        assert type(inputs["max-score"]) is int and type(inputs["timeout"]) is int  # parseInt, minutes
        assert "scripts/bootstrap.sh" in inputs["setup-command"]
        assert "https://download.pytorch.org/whl/cpu" in inputs["setup-command"]
        assert shlex.split(inputs["command"]) == [".venv/bin/course", "check", module]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"] == ",".join(ASSIGNMENTS)
    assert reporter["env"] == {f"{m.upper()}_RESULTS": f"${{{{steps.{m}.outputs.result}}}}" for m in ASSIGNMENTS}

    legacy = json.loads((repository / ".github" / "classroom" / "autograding.json").read_text())
    by_name = {s["id"]: s["with"] for s in graders}
    assert [t["name"] for t in legacy["tests"]] == ASSIGNMENTS
    for test in legacy["tests"]:
        assert set(test) == {"name", "setup", "run", "input", "output", "comparison", "timeout", "points"}
        step = by_name[test["name"]]
        assert (test["setup"], test["run"], test["points"]) == \
            (step["setup-command"], step["command"], step["max-score"])
        assert test["input"] == test["output"] == ""  # graded by exit status alone

    files = {p.relative_to(repository).as_posix() for p in repository.rglob("*") if p.is_file()}
    assert {f"exercises/{m}.py" for m in ASSIGNMENTS} | {"scripts/bootstrap.sh", ".gitignore"} <= files
    assert not any(f.startswith("solutions/") for f in files)
    assert "## Autograding" in (repository / "README.md").read_text()
    assert bundle.leaks(ROOT, repository) == []


def test_workflow_commands_pass_on_the_solutions_and_fail_on_the_stubs(repository):
    _, graders, _ = grader_steps(repository)
    # The setup command installs a venv from the network; here the course's venv stands in for
    # the repository's .venv. Run from the repository, `python -m` imports the repository's grading.
    shim = repository / ".venv" / "bin" / "course"
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grading.cli "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PYTHONPATH": str(repository)}

    def run(step) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", step["with"]["command"]], cwd=repository, env=env,
                              capture_output=True, text=True, timeout=600)

    for step in graders:
        stub = run(step)
        assert stub.returncode == 1, stub.stdout[-2000:] + stub.stderr[-2000:]
    for module in ASSIGNMENTS:
        shutil.copyfile(ROOT / "solutions" / f"{module}.py", repository / "exercises" / f"{module}.py")
    for step in graders:
        good = run(step)
        assert good.returncode == 0, good.stdout[-2000:] + good.stderr[-2000:]
        assert f"{grader_points(step['id'])} points)" in good.stdout and "all passed" in good.stdout


# ---------------------------------------------------------------- bad requests


@pytest.mark.parametrize("args, words", [
    (["export", "moodle"], "invalid choice"),
    (["export", "gradescope", "--format", "zip"], "unrecognized arguments"),
    (["export", "gradescope", "--out", "autograder.tar"], "ending in .zip"),
    (["export", "gradescope", "--out", "{tmp}/folder.zip"], "is a folder"),
    (["export", "gradescope", "--out", "{tmp}/file/autograder.zip"], "cannot create"),
    (["export", "gradescope", "ex99_nothing", "--out", "{tmp}/a.zip"], "unknown assignment ex99_nothing"),
    (["export", "classroom", "--out", "{tmp}/file"], "is a file"),
    (["export", "classroom", "--out", "{tmp}/full"], "not empty"),
    (["export", "classroom", "--out", str(ROOT)], "holds the course"),
])
def test_bad_requests_are_one_line_and_exit_2(tmp_path, monkeypatch, capsys, args, words):
    from grading import cli

    (tmp_path / "file").write_text("x")
    (tmp_path / "folder.zip").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    try:  # in this process: each is refused before anything is graded or written
        status = cli.main([a.replace("{tmp}", str(tmp_path)) for a in args])
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2 and len(err.strip().splitlines()) == 1 and words in err, err
    assert (tmp_path / "full" / "notes.txt").read_text() == "mine" and not (tmp_path / "autograder.tar").exists()
