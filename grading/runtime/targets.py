"""Where a submission lives, and how the graders call into it.

A :class:`Submission` is one student module, found either in a folder (the pytest
graders: ``--target=PATH``) or in a notebook kernel's namespace (the autograded
cells). Calling ``submission.fn(...)`` runs the student's function out of process
for folders, and returns what it gave back as plain, grader-built values.
"""
from __future__ import annotations

import contextlib
import io
import types
from pathlib import Path
from typing import Any, Callable

import torch

from torch.utils._pytree import tree_map_only

from grading.runtime import runner as _runner
from grading.runtime import wire
from grading.runtime.protocol import Build, BuildArgs, Job, Outcome, outcome_from_answer
from grading.runtime.zygote import run_job
from grading.settings import COURSE_ROOT, Limits

SHORTHANDS = ("exercises", "solutions")


class GradingFailure(AssertionError):
    """A check failed; the message is one line meant for the student.

    ``status`` says why, as a value (never to be read back from the words): ``wrong``
    when a check compared a result and found it wrong, otherwise the status of the
    student's call that did not return (``import``, ``missing``, ``error``, ``timeout``, ...).
    ``exception`` names the exception type when the student's code raised one.
    """

    def __init__(self, message: str = "", *, status: str = "wrong", exception: str = ""):
        super().__init__(message)
        self.status = status
        self.exception = exception


def load_file(path: str | Path, name: str):
    """Import a Python file as a module of the given name (a grader file, say)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resolve_target(target: str | Path, root: Path | None = None) -> Path:
    """``exercises`` and ``solutions`` name the course's folders; anything else is a path."""
    root = root or COURSE_ROOT
    text = str(target)
    path = root / text if text in SHORTHANDS else Path(text).expanduser()
    path = path.resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"--target {text}: no such folder ({path})")
    return path


class Submission:
    """One student module, from a folder or from a notebook namespace."""

    def __init__(self, module: str, folder: str | Path | None = None, *,
                 namespace: dict | None = None, runner: _runner.Runner | None = None):
        if (folder is None) == (namespace is None):
            raise ValueError("give exactly one of folder or namespace")
        self.module = module
        self.folder = None if folder is None else Path(folder)
        self.namespace = namespace
        self._runner = runner

    @classmethod
    def from_namespace(cls, module: str, namespace: dict) -> "Submission":
        return cls(module, namespace=namespace)

    def __getattr__(self, name: str) -> "StudentFunction":
        if name.startswith("_"):
            raise AttributeError(name)
        return StudentFunction(self, name)

    def __repr__(self) -> str:
        where = self.folder if self.folder is not None else "notebook"
        return f"Submission({self.module!r} in {where})"

    def _run(self, function: str, args: tuple, kwargs: dict, **options) -> Outcome:
        if self.namespace is not None:
            return _run_in_process(self.module, function, self.namespace, args, kwargs, **options)
        runner = self._runner or _runner.default_runner()
        return runner.call(self.module, function, target=str(self.folder), args=args, kwargs=kwargs, **options)


class StudentFunction:
    """A function of the submission. ``run`` describes the call; calling it demands success."""

    def __init__(self, submission: Submission, name: str):
        self.submission = submission
        self.name = name

    def run(self, *args: Any, no_grad: bool = False, probe: Callable | None = None,
            probe_kwargs: dict | None = None, limits: Limits | None = None,
            setup: Callable | None = None, setup_kwargs: dict | None = None, **kwargs: Any) -> Outcome:
        """Call the function and describe how it went.

        ``run(BuildArgs(...))`` builds every argument in the student's process;
        ``probe`` inspects the result there; ``setup`` runs there before the
        student's module is imported (for example to simulate a missing GPU).
        """
        if len(args) == 1 and isinstance(args[0], BuildArgs):
            args = args[0]
        return self.submission._run(self.name, args, kwargs, no_grad=no_grad, probe=probe,
                                    probe_kwargs=probe_kwargs, limits=limits, setup=setup,
                                    setup_kwargs=setup_kwargs)

    def attribute(self) -> Any:
        """The module-level value of that name (for constants such as EXPRESSIONS)."""
        outcome = self.submission._run(self.name, (), {}, attribute=True)
        return expect_ok(outcome)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return expect_ok(self.run(*args, **kwargs))


def expect_ok(outcome: Outcome) -> Any:
    """The returned value, or a GradingFailure carrying the one-line reason."""
    if not outcome.ok:
        raise GradingFailure(outcome.message, status=outcome.status, exception=outcome.exception)
    if outcome.message:  # a probe could not inspect the result
        raise GradingFailure(outcome.message, status="probe")
    return outcome.value


def _run_in_process(module: str, function: str, namespace: dict, args: tuple, kwargs: dict, *,
                    no_grad: bool = False, probe=None, probe_kwargs=None, attribute: bool = False,
                    limits: Limits | None = None, setup=None, setup_kwargs=None) -> Outcome:
    """The notebook path: the kernel already runs the student's code.

    The result takes the same plain-data round trip as out of process, so every
    check sees exactly the same kind of values in both places.
    """
    job = Job(module, function, args=_copy_leaves(args), kwargs=_copy_leaves(kwargs), no_grad=no_grad,
              probe=probe, probe_kwargs=probe_kwargs or {}, attribute=attribute, setup=setup,
              setup_kwargs=setup_kwargs or {}, limits=dict((limits or Limits()).__dict__)).as_wire()
    # stderr output zeroes an nbgrader test cell, so the student's prints and warnings are kept.
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        answer = run_job(job, module=types.SimpleNamespace(**namespace))
    return outcome_from_answer({"status": "done", "result": wire.dumps(answer)}, function, limits or Limits())


def _copy_leaves(value: Any) -> Any:
    """Leaves copied with their .grad, so that in-process calls can't alter the grader's tensors."""

    def copy_leaf(t: torch.Tensor) -> torch.Tensor:
        if not t.is_leaf:
            return t
        copy = t.detach().clone().requires_grad_(t.requires_grad)
        copy.grad = None if t.grad is None else t.grad.detach().clone()
        return copy

    return tree_map_only(torch.Tensor, copy_leaf, value)


__all__ = ["Build", "BuildArgs", "COURSE_ROOT", "GradingFailure", "load_file", "Submission", "StudentFunction", "expect_ok", "resolve_target"]
