"""pytest integration: ``--target``, the ``student`` fixture, points and short failures.

Loaded with ``-p grading.students.pytest_plugin`` (pyproject's addopts), so it works for
``pytest tests/graders`` in the course and in the student bundle alike.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from grading.runtime.targets import Submission

# grading.runtime.targets (and with it torch) is imported where it is used, not here, so that the
# worker can be started first (pytest_collectstart) and import torch while the graders do.


def pytest_addoption(parser):
    group = parser.getgroup("grading")
    group.addoption("--target", default="exercises",
                    help="folder of the modules to grade: 'exercises' (default), 'solutions' or a path")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): how many points a grader test is worth")
    config._grading_points = defaultdict(lambda: [0.0, 0.0])


@pytest.fixture(scope="session")
def target(request) -> Path:
    """The folder being graded."""
    from grading.runtime.targets import resolve_target

    try:
        return resolve_target(request.config.getoption("--target"), Path(str(request.config.rootpath)))
    except FileNotFoundError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture
def student(request, target) -> "Submission":
    """The submission module named by the test file's ``MODULE``."""
    module = getattr(request.module, "MODULE", None)
    if module is None:
        raise pytest.UsageError(f"{request.module.__name__} must set MODULE = 'exNN_topic'")
    from grading.runtime.targets import Submission

    return Submission(module, target)


# `-k ex01_graphs`: one module's name, the student's way of picking one module's graders.
_ONE_MODULE = re.compile(r"ex\d\d_[a-z0-9_]+", re.IGNORECASE)


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """``pytest tests/graders -k ex01_graphs`` imports only the graders that can match.

    pytest imports every module it collects before ``-k`` picks the tests, so the student's
    loop paid for all ten grader modules (a third of a second) to run one. A grader file
    is left out only when ``-k`` is one module's name and that name appears nowhere in the
    file (matched as pytest matches ``-k``: without regard to case): none of its tests could
    carry it, since a test's keywords are the names in its file, its folders' names and its
    marks. Any other ``-k`` collects as usual."""
    keyword = (config.getoption("keyword", None) or "").strip()
    name = collection_path.name
    if not _ONE_MODULE.fullmatch(keyword) or collection_path.parent.name != "graders" \
            or not (name.startswith("test_") and name.endswith(".py")):
        return None
    if keyword.lower() in name.lower():
        return None
    try:
        return keyword.lower() not in collection_path.read_text().lower() or None
    except OSError:
        return None


def pytest_collectstart(collector):
    """Start the grading worker as the first grader module is collected: it imports torch
    while that module and the others are imported."""
    if isinstance(collector, pytest.Module) and collector.path.parent.name == "graders":
        from grading.runtime.runner import default_runner

        default_runner().start_soon()


def _points(item) -> float | None:
    marker = item.get_closest_marker("points")
    return None if marker is None else float(marker.args[0])


def pytest_collection_modifyitems(items):
    for item in items:
        points = _points(item)
        if points is not None:
            item.user_properties.append(("points", points))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    excinfo = call.excinfo
    from grading.runtime.targets import GradingFailure

    if excinfo is not None and report.failed and excinfo.errisinstance(GradingFailure):
        # The student needs the reason, not the grader's traceback.
        report.longrepr = str(excinfo.value)
    points = _points(item)
    # A skipped test (no GPU here) is neither earned nor lost.
    if points is not None and not report.skipped and (report.when == "call" or report.when == "setup" and report.failed):
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")
        tally = item.config._grading_points[module]
        tally[1] += points
        if report.passed:
            tally[0] += points


def pytest_sessionfinish(session, exitstatus):
    session.config._grading_exit = (int(exitstatus), bool(session.items) and all(
        item.path.parent.name == "graders" for item in session.items))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """A run of the graders alone (the student's loop) ends here, everything reported: the
    interpreter's own teardown of torch and the worker cost 0.8 s of a 4 s run, for nothing.
    ``course check`` ends the same way. Any other run (the project's own suite) ends as usual."""
    import sys

    status, graders_only = getattr(config, "_grading_exit", (0, False))
    main = getattr(sys.modules.get("__main__"), "__spec__", None)
    # Only where pytest is the program: `course check` runs it in its own process, and goes on.
    program = (main is not None and main.name in ("pytest", "pytest.__main__")) or \
        os.path.basename(sys.argv[0]) in ("pytest", "py.test")
    if graders_only and program and not config.pluginmanager.hasplugin("xdist"):
        from grading.runtime.runner import default_runner

        default_runner().close()
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        os._exit(status)


def pytest_terminal_summary(terminalreporter, config):
    tallies = config._grading_points
    if not tallies:
        return
    terminalreporter.section("points")
    earned = total = 0.0
    for module in sorted(tallies):
        got, out_of = tallies[module]
        earned, total = earned + got, total + out_of
        terminalreporter.write_line(f"{module:<28} {got:>6g} / {out_of:g}")
    terminalreporter.write_line(f"{'total':<28} {earned:>6g} / {total:g}")
