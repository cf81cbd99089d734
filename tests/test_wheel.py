"""A real install: the wheel, installed (not editable) in a fresh venv, grades a course checkout.

The venv gets the wheel alone (``--no-deps``); its third-party packages (torch and the rest, the
same pinned versions) are this environment's, reached through a path entry rather than
downloaded again. The checkout it grades has no ``grading/`` folder, so every import of the
grading package, the graders' included, must come from the installed wheel.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

# One xdist worker runs this whole module (make test runs -n auto): its module fixtures are costly to build twice.
pytestmark = pytest.mark.xdist_group("wheel")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the tracked files: setuptools writes build/ and *.egg-info in the
    # tree it builds, which a checkout's stale build/lib (or another test process) would spoil.
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    source = base / "source"
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-w", str(base / "dist"), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next((base / "dist").glob("autograd_course-*.whl"))

    env_dir = base / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # A plain path line: this environment's packages, without running its .pth files (so its
    # editable install of the course is not seen).
    (Path(purelib) / "course-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                          "--no-index", str(wheel)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]

    checkout = base / "checkout"
    checkout.mkdir()
    for name in ("solutions", "exercises", "tests/graders"):
        shutil.copytree(ROOT / name, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    return env_dir, checkout, wheel


def run(env_dir: Path, checkout: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(env_dir / "bin" / args[0]), *args[1:]], cwd=checkout, capture_output=True,
                          text=True, timeout=600)


def test_the_wheel_holds_every_subpackage_and_no_tests(installed):
    import zipfile

    _, _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    for package in ("runtime", "checking", "checking/references", "authoring", "students", "instructor",
                    "instructor/exports"):
        assert f"grading/{package}/__init__.py" in names, package
    assert not [n for n in names if n.startswith(("tests/", "solutions/")) or "/mutants/" in n]


def test_grading_is_imported_from_the_installed_wheel(installed):
    env_dir, checkout, _ = installed
    where = run(env_dir, checkout, "python", "-c", "import grading; print(grading.__file__)")
    assert where.returncode == 0, where.stderr[-2000:]
    assert Path(where.stdout.strip()).resolve().is_relative_to(env_dir.resolve()), where.stdout


def test_course_check_from_the_installed_wheel(installed):
    env_dir, checkout, _ = installed
    passed = run(env_dir, checkout, "course", "check", "ex01_graphs", "--target", "solutions")
    assert passed.returncode == 0 and "18 / 18 points" in passed.stdout, passed.stdout[-3000:] + passed.stderr[-2000:]
    stubs = run(env_dir, checkout, "course", "check", "ex01_graphs")  # the exercises: nothing written yet
    assert stubs.returncode == 1 and "0 / 18 points" in stubs.stdout, stubs.stdout[-3000:] + stubs.stderr[-2000:]


def test_the_graders_run_under_pytest_from_the_installed_wheel(installed):
    env_dir, checkout, _ = installed
    result = run(env_dir, checkout, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 "tests/graders/test_ex02_leaves.py", "--target=solutions")
    assert result.returncode == 0 and " passed" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
