"""What a notebook's autograded cells call, inside the notebook's kernel.

``grade("ex01_graphs", "test_build_graph_values")`` runs that public grader test
(the very function ``pytest tests/graders`` runs) on the functions defined in the
notebook, and ``student("ex01_graphs")`` gives hidden tests the same handle the
graders use.

A passing test prints one line to stdout (``✓ test_build_graph_values passed (2 points)``;
never stderr, which would zero the cell in nbgrader). A failure raises an AssertionError
whose message is the grader's one line, with the inputs of the call it failed on when
the message does not show them; the notebook shows that line and no traceback (IPython
renders an exception through its ``_render_traceback_``). The error stays a plain
AssertionError, so that nbgrader marks the cell failed, and carries the failure's
``status`` and ``exception`` for the out-of-process verification.
"""
from __future__ import annotations

import inspect
import linecache
from pathlib import Path
from typing import Any

import torch

from grading import settings
from grading.checking import checks
from grading.runtime.targets import Build, GradingFailure, Submission, load_file

HIDDEN_MARKER = "### BEGIN HIDDEN TESTS"
# A failure of these kinds concerns the module, the set-up or an unwritten function, not one call's inputs.
NO_INPUTS = {"import", "missing", "probe", "notimplemented"}
MAX_INPUTS_TEXT = 160


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


def _caller_frame():
    frame = inspect.currentframe()
    try:
        return frame.f_back.f_back
    finally:
        del frame


class RecordingSubmission(Submission):
    """A submission that remembers its last call, so that a failure can name the inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_call = None

    def _run(self, function: str, args, kwargs: dict, **options):
        self._last_call = (function, args, kwargs)
        return super()._run(function, args, kwargs, **options)


def _submission(module: str, namespace: dict) -> RecordingSubmission:
    # The pipeline's verification pass grades the extracted functions out of process.
    folder = settings.out_of_process_folder()
    if folder:
        return RecordingSubmission(module, folder)
    return RecordingSubmission.from_namespace(module, namespace)


def student(module: str) -> Submission:
    """The functions the notebook defined, as a submission of ``module``."""
    return _submission(module, _caller_frame().f_globals)


def _grader(module: str):
    path = settings.graders_folder() / f"test_{module}.py"
    if not path.exists():
        raise FileNotFoundError(f"no grader for {module} at {path}")
    return load_file(path, f"_graders_{module}")


# ------------------------------------------------------------------ messages


def points_of(test) -> float | None:
    """The ``@pytest.mark.points(n)`` of a grader test function."""
    for mark in getattr(test, "pytestmark", []):
        if mark.name == "points" and mark.args:
            return float(mark.args[0])
    return None


def _value_text(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        try:
            flat = value.detach().reshape(-1)
            shown = ", ".join(f"{v:.4g}" for v in flat[:4].tolist()) + (", ..." if flat.numel() > 4 else "")
        except (RuntimeError, TypeError, ValueError):  # no values to show (a meta tensor, say)
            shown = "..."
        text = shown if value.dim() == 0 else f"[{shown}]"
        extras = [] if value.dim() <= 1 else ["shape " + "x".join(map(str, value.shape))]
        if value.dtype != torch.float32:
            extras.append(str(value.dtype).replace("torch.", ""))
        if value.device.type != "cpu":
            extras.append(f"device {value.device}")
        if value.requires_grad:
            extras.append("requires_grad")
        return f"tensor({', '.join([text, *extras])})"
    if isinstance(value, Build):
        # Built in the student's process (a tensor with history): name the builder and what it is given.
        inner = ", ".join([*(_value_text(a) for a in value.args),
                           *(f"{k}={_value_text(v)}" for k, v in value.kwargs.items())])
        return f"{getattr(value.fn, '__name__', 'built')}({inner})"
    if isinstance(value, torch.Generator):
        return "a torch.Generator"
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        items = ", ".join(_value_text(v) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict) and type(value) is dict:
        return "{" + ", ".join(f"{k!r}: {_value_text(v)}" for k, v in value.items()) + "}"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value)


def describe_call(function: str, args, kwargs: dict) -> str:
    """``fn(tensor([1.5, -0.5], requires_grad), lr=0.1)``: a call as a one-line message can show it."""
    if isinstance(args, Build):  # BuildArgs: the whole argument tuple is made in the student's process
        parts = [_value_text(args)]
    else:
        parts = [_value_text(a) for a in args]
    parts += [f"{k}={_value_text(v)}" for k, v in (kwargs or {}).items()]
    text = f"{function}({', '.join(parts)})"
    return text if len(text) <= MAX_INPUTS_TEXT else text[:MAX_INPUTS_TEXT - 3] + "..."


def with_inputs(message: str, last_call, status: str = "wrong") -> str:
    """The message, plus the call it failed on when the message does not already show a call of it."""
    if last_call is None or status in NO_INPUTS:
        return message
    function, args, kwargs = last_call
    if f"{function}(" in message:
        return message
    return f"{message} [failed on {describe_call(function, args, kwargs)}]"


def _has_hidden_tests(frame) -> bool:
    """Whether the calling test cell goes on with hidden tests (the instructor's version)."""
    try:
        return any(HIDDEN_MARKER in line for line in linecache.getlines(frame.f_code.co_filename))
    except Exception:  # noqa: BLE001 - a cell whose source is unknown has no hidden tests we can see
        return False


def _points_text(points: float | None) -> str:
    if points is None:
        return ""
    return f"{points:g} point" + ("" if points == 1 else "s")


def grade(module: str, test: str) -> None:
    """Run one public grader test on this notebook's functions; print one line when it passes."""
    frame = _caller_frame()
    submission = _submission(module, frame.f_globals)
    function = getattr(_grader(module), test, None)
    if function is None:
        raise LookupError(f"the grader for {module} has no test {test}")
    points = points_of(function)
    try:
        function(submission)
    except GradingFailure as failure:
        message = with_inputs(str(failure), submission._last_call, failure.status)
        plain = AssertionError(message)
        plain.status, plain.exception = failure.status, failure.exception
        lost = f" (0 of {_points_text(points)})" if points is not None else ""
        line = f"✗ {test} failed{lost}: {message}"
        plain._render_traceback_ = lambda: [line]
        raise plain from None
    if _has_hidden_tests(frame):
        print(f"✓ {test}: the public checks passed; the hidden tests of this cell decide its "
              f"{_points_text(points) or 'points'}")
    else:
        print(f"✓ {test} passed" + (f" ({_points_text(points)})" if points is not None else ""))
