"""The suite's own fixtures and scheduling (not shipped: the student bundle has tests/graders only).

Under pytest-xdist (`make test`: ``-n auto --dist loadgroup``) keep each ``xdist_group``
module on one worker, its tests one after another; and build the student release once.

pytest-xdist 3.8 groups tests by appending ``@group`` to ``item._nodeid`` on the workers;
pytest 9 keeps a node's id elsewhere (``Node._id``), so that suffix never reaches the
controller, and ``loadgroup`` quietly spreads a group's tests over every worker. Each worker
then builds the module's costly fixtures again (a release, a bundle set-up, a graded
course), and a worker builds them again each time another module's test comes in between.
This scheduler groups from the marks themselves: a module whose ``pytestmark`` holds
``pytest.mark.xdist_group("name")`` is one unit of work; any other test is a unit of its own.
(Read from the source, since xdist's controller collects nothing; only module-level marks
are used in this suite.) ``tests/test_layout.py`` checks that every such mark is seen.
"""
from __future__ import annotations

import ast
import functools
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=None)
def module_group(path: str) -> str | None:
    """The ``xdist_group`` name in the module-level ``pytestmark`` of ``path`` (relative to the
    repository), or None."""
    try:
        tree = ast.parse((ROOT / path).read_text())
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in node.targets):
            for call in ast.walk(node.value):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "xdist_group" and call.args \
                        and isinstance(call.args[0], ast.Constant):
                    return str(call.args[0].value)
    return None


def pytest_configure(config):
    """Where bubblewrap cannot run, `course autograde` refuses to grade unless GRADING_SANDBOX=off
    (it runs everyone's code). The suite grades only its own fixtures, so there it runs them
    without the sandbox, as before, with the sandbox's one warning; the tests of the sandbox
    itself skip, saying why."""
    from grading.runtime import sandbox

    if sandbox.requested() == "auto" and sandbox.unavailable_reason() is not None:
        os.environ[sandbox.ENV] = "off"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroups(LoadScopeScheduling):
        # _split_scope is the override point xdist's own LoadFile/LoadGroup schedulers use.
        def _split_scope(self, nodeid: str) -> str:
            group = module_group(nodeid.split("::", 1)[0])
            return f"group:{group}" if group else nodeid

    return ModuleGroups(config, log)


@pytest.fixture(scope="session")
def student_release(request, tmp_path_factory) -> Path:
    """The student bundle ``course release`` writes (a folder, and the zip beside it), made once
    for the whole run and shared by every xdist worker (it takes a minute: every public grader
    runs on solutions/ to record the references). Read it only: copy it to change or run it,
    with the ``copy_of_release`` fixture.

    The workers share the parent of their own basetemp; the first to get the lock builds it,
    the others wait and use it (pytest-xdist's recipe for a session fixture run once)."""
    import fcntl
    import subprocess
    import sys

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if hasattr(request.config, "workerinput") else base  # an xdist worker's
    out, done, failed = shared / "release" / "student", shared / "release.done", shared / "release.failed"
    with open(shared / "release.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists() and not failed.exists():
            try:
                result = subprocess.run([sys.executable, "-m", "grading.cli", "release", "--out", str(out),
                                         "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=900)
                (done if result.returncode == 0 else failed).write_text(result.stderr[-3000:])
            except subprocess.TimeoutExpired:  # the workers waiting must not each try again
                failed.write_text("it did not finish within 900 s")
    if failed.exists():
        pytest.fail(f"course release failed: {failed.read_text()}")
    return out


@pytest.fixture(scope="session")
def copy_of_release(student_release):
    """``copy_of_release(where)``: a copy of the bundle folder and its zip in ``where``, to run
    or change (running the graders writes __pycache__, JupyterLab saves the notebook)."""
    import shutil

    def copy(where: Path) -> Path:
        folder = where / student_release.name
        shutil.copytree(student_release, folder)
        shutil.copy2(student_release.with_suffix(".zip"), folder.with_suffix(".zip"))
        return folder

    return copy
