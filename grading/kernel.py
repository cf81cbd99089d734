"""What a notebook's autograded cells call, inside the notebook's kernel.

``grade("ex01_graphs", "test_build_graph_values")`` runs that public grader test
(the very function ``pytest tests/graders`` runs) on the functions defined in the
notebook, and ``student("ex01_graphs")`` gives hidden tests the same handle the
graders use. A failure raises an AssertionError with the grader's one-line message
and no grader traceback, which is what nbgrader shows in the feedback.
"""
from __future__ import annotations

import inspect
import os
from pathlib import Path

from grading import checks
from grading.targets import COURSE_ROOT, GradingFailure, Submission, load_file


def _display_picture(path: Path) -> None:
    """Show a failed graph check's side-by-side picture in the cell's output."""
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        return
    if get_ipython() is not None:  # in a kernel; elsewhere display() would just print
        display(Image(filename=str(path)))


if _display_picture not in checks.PICTURE_HOOKS:
    checks.PICTURE_HOOKS.append(_display_picture)


def graders_folder() -> Path:
    return Path(os.environ.get("GRADING_GRADERS", COURSE_ROOT / "tests" / "graders"))


def _caller_globals() -> dict:
    frame = inspect.currentframe()
    try:
        return frame.f_back.f_back.f_globals
    finally:
        del frame


def _submission(module: str, namespace: dict) -> Submission:
    # The pipeline's verification pass grades the extracted functions out of process.
    folder = os.environ.get("GRADING_OUT_OF_PROCESS")
    if folder:
        return Submission(module, folder)
    return Submission.from_namespace(module, namespace)


def student(module: str) -> Submission:
    """The functions the notebook defined, as a submission of ``module``."""
    return _submission(module, _caller_globals())


def _grader(module: str):
    path = graders_folder() / f"test_{module}.py"
    if not path.exists():
        raise FileNotFoundError(f"no grader for {module} at {path}")
    return load_file(path, f"_graders_{module}")


def grade(module: str, test: str) -> None:
    """Run one public grader test on this notebook's functions."""
    submission = _submission(module, _caller_globals())
    function = getattr(_grader(module), test, None)
    if function is None:
        raise LookupError(f"the grader for {module} has no test {test}")
    try:
        function(submission)
    except GradingFailure as failure:
        # A plain AssertionError, with no grader traceback, is what nbgrader shows; the
        # failure's status travels with it for the out-of-process verification.
        plain = AssertionError(str(failure))
        plain.status, plain.exception = failure.status, failure.exception
        raise plain from None
