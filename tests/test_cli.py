"""The `course` command for maintainers and students: build, check, release."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import torch

from grading.checking import record_replay, references
from grading.checking.references import ex07_curve_fitting
from grading.instructor import bundle
from grading.runtime.targets import GradingFailure

# One xdist worker runs this whole module (make test runs -n auto): its module fixtures are costly to build twice.
pytestmark = pytest.mark.xdist_group("cli")

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
    from grading.authoring import samples

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


@pytest.fixture(scope="module")
def released(tmp_path_factory, copy_of_release):
    """The student bundle `course release` writes (built once for the run: tests/conftest.py)."""
    return copy_of_release(tmp_path_factory.mktemp("release"))


def test_release_bundle_holds_what_students_need_and_nothing_secret(released):
    out = released
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    modules = sorted(p.stem for p in (ROOT / "solutions").glob("ex[0-9][0-9]_*.py"))
    for module in modules:
        assert f"exercises/{module}.py" in files and f"notebooks/{module}.ipynb" in files
        assert f"tests/graders/test_{module}.py" in files
    assert {"README.md", "environment.yml", "pyproject.toml", "grading/checking/checks.py",
            "grading/checking/references/recorded.pt"} <= files
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
                       if "hidden_seed(101)" in l)
    (tmp_path / "grading" / "helpers.py").write_text(f"def f(y, w):\n    {solution_line}\n")
    (tmp_path / "notes.txt").write_text(hidden_line + "\n")
    problems = bundle.leaks(ROOT, tmp_path)
    assert any("grading/helpers.py" in p and "solutions/ex01_graphs.py" in p for p in problems)
    assert any("notes.txt" in p and "hidden tests" in p for p in problems)


# ------------------------------------------------- the bundle's replayed references


def bundle_pytest(bundle_dir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """pytest in the bundle, importing the bundle's own grading package (not this repository's)."""
    env = {**os.environ, "PYTHONPATH": str(bundle_dir)}
    return subprocess.run([sys.executable, "-m", "pytest", "tests/graders", "-q", "-p", "no:cacheprovider", *args],
                          cwd=bundle_dir, env=env, capture_output=True, text=True, timeout=timeout)


def test_bundle_runs_its_own_grading_package_with_references_replayed(released):
    env = {**os.environ, "PYTHONPATH": str(released)}
    probe = ("import grading, inspect; from grading.checking.references import ex07_curve_fitting as ref; "
             "print(grading.__file__); print(inspect.getsource(ref.run_fit))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=released, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    where, source = result.stdout.split("\n", 1)
    assert Path(where).resolve() == (released / "grading" / "__init__.py").resolve()
    assert "def run_fit(*args, **kwargs):" in source and "_replay(" in source and "optimizer" not in source
    for path in (released / "grading" / "checking" / "references").glob("ex*.py"):
        assert "@ground_truth" not in path.read_text(), path.name


def test_bundle_graders_pass_on_the_solutions(released, tmp_path):
    solutions = tmp_path / "solutions"
    shutil.copytree(ROOT / "solutions", solutions)
    result = bundle_pytest(released, f"--target={solutions}")
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0 and "failed" not in summary and " passed" in summary, result.stdout[-3000:]


def test_bundle_graders_fail_every_test_on_the_stubs(released):
    result = bundle_pytest(released)
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1 and " failed" in summary and "passed" not in summary, summary
    assert references.UNAVAILABLE not in result.stdout


# (mutant, the grader tests it fails): their known-mistake hints come from recorded references.
HINTED_MUTANTS = [("ex07_curve_fitting/fit_no_zero_grad", "test_fit_matches or test_fit_approaches"),
                  ("ex06_linear_regression/squared_loss_grads_mean", "test_squared_loss_grads"),
                  ("ex05_accumulation/train_linear_no_zero_grad", "test_train_linear_follows"),
                  ("ex03_detach/partial_stop_no_detach", "test_partial_stop"),
                  ("ex08_devices/fit_on_default_lr", "test_fit_on_the_cpu")]


@pytest.mark.parametrize("mutant, tests", HINTED_MUTANTS, ids=[m for m, _ in HINTED_MUTANTS])
def test_bundle_graders_still_name_known_mistakes(released, tmp_path, mutant, tests):
    """A wrong submission gets the same one-line hint from the bundle as from the course's graders."""
    module, name = mutant.split("/")
    source = (ROOT / "tests" / "mutants" / module / f"{name}.py").read_text()
    message = next(ast.literal_eval(node.value) for node in ast.parse(source).body
                   if isinstance(node, ast.Assign) and node.targets[0].id == "MESSAGE")
    folder = tmp_path / "submission"
    shutil.copytree(ROOT / "solutions", folder)
    with (folder / f"{module}.py").open("a") as f:
        f.write("\n\n# --- mutant ---\n" + source)
    result = bundle_pytest(released, f"--target={folder}", "-k", tests)
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert failures and " passed" not in result.stdout.splitlines()[-1], result.stdout[-3000:]
    assert references.UNAVAILABLE not in result.stdout, result.stdout[-3000:]
    assert result.stdout.count(message) >= len(failures), result.stdout[-3000:]


def test_reference_key_is_canonical():
    def inputs():
        g = torch.Generator().manual_seed(3)
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        return (w, torch.randn(2, 2, generator=g)), {"steps": 3, "lr": 0.1, "loss": ex07_curve_fitting.model,
                                                     "generator": g, "dtype": torch.float64, "rest": [None, "x"]}

    args, kwargs = inputs()
    assert references.key(args, kwargs) == references.key(*inputs())
    assert references.key(args, dict(reversed(kwargs.items()))) == references.key(args, kwargs)
    w, X = args
    variants = [
        ((w, X + 1e-7), kwargs),                                              # another value
        ((w.detach().double().requires_grad_(True), X), kwargs),              # another dtype
        ((w.detach(), X), kwargs),                                            # no requires_grad
        ((w * 1.0, X), kwargs),                                               # a grad_fn
        ((w, X.reshape(4)), kwargs),                                          # another shape
        ((w, X), {**kwargs, "steps": 3.0}),                                   # 3.0 is not 3
        ((w, X), {**kwargs, "loss": ex07_curve_fitting.mse_grad}),            # another function
        ((w, X), {**kwargs, "generator": torch.Generator().manual_seed(4)}),  # another generator state
        ((w, X), {**kwargs, "rest": (None, "x")}),                            # a tuple is not a list
    ]
    keys = {references.key(a, k) for a, k in variants} | {references.key(args, kwargs)}
    assert len(keys) == len(variants) + 1
    with_grad = torch.tensor([1.0, 2.0], requires_grad=True)
    with_grad.grad = torch.ones(2)
    assert references.key((with_grad, X), kwargs) != references.key(args, kwargs)
    with pytest.raises(TypeError):
        references.key((lambda t: t,), {})
    with pytest.raises(TypeError):
        references.key((object(),), {})


def replayed_ex07(monkeypatch, recorded: dict) -> dict:
    """The bundle's ex07 reference module, as release writes it, replaying ``recorded``."""
    source, names = bundle.replayed_source((ROOT / "grading" / "checking" / "references" / "ex07_curve_fitting.py").read_text())
    assert {"run_fit", "model", "data"} <= set(names) and "optimizer" not in source
    namespace = {"__name__": "grading.checking.references.ex07_curve_fitting"}
    exec(compile(source, "ex07_curve_fitting (replayed)", "exec"), namespace)  # noqa: S102 - our own source
    monkeypatch.setattr(record_replay, "_LOADED", recorded)
    return namespace


def test_recorded_reference_replays_and_a_miss_is_one_line(monkeypatch):
    X, _, yt = ex07_curve_fitting.data(30, 0.5, 3)
    with references.recording() as recorded:
        theta, losses = ex07_curve_fitting.run_fit(X, yt, 5, 0.1, 4)
    replayed = replayed_ex07(monkeypatch, dict(recorded))
    again, again_losses = replayed["run_fit"](X, yt, 5, 0.1, 4)
    assert torch.equal(again, theta) and again_losses == losses
    # The known mistakes for the same inputs are recorded with the run, so their hints survive.
    assert replayed["fit_mistakes"](X, yt, 5, 0.1, 4) == ex07_curve_fitting.fit_mistakes(X, yt, 5, 0.1, 4)
    with pytest.raises(GradingFailure) as miss:
        replayed["run_fit"](X, yt, 6, 0.1, 4)
    assert isinstance(miss.value, references.ReferenceUnavailable)
    assert str(miss.value) == f"run_fit: {references.UNAVAILABLE}" and "\n" not in str(miss.value)
    assert references.optional(replayed["fit_mistakes"], X, yt, 6, 0.1, 4) is None


def test_recording_refuses_a_reference_that_is_not_deterministic():
    @references.ground_truth
    def noisy(n):
        return torch.randn(n)

    with pytest.raises(RuntimeError, match="not a deterministic function"), references.recording():
        noisy(3)
        noisy(3)
