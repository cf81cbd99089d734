"""Ground truth for ex08_devices and the checks it shares with the notebook.

The grader runs on whatever machine it is given: the CPU always, CUDA and MPS where the grader's own
torch sees them. What a machine without a GPU cannot show (which GPUs exist, an asynchronous CUDA GPU,
a clock whose times are known) is simulated in the student's process by the setup
:func:`grading.checking.simulated_gpu.machine`, a test double with its own module; its docstring says
what it simulates and how. While the student's function runs, it logs what the function did (``m`` a
matmul on the CPU, ``M`` one on a GPU, ``s`` a wait for the GPU, ``c`` a clock reading), which its
probe :func:`~grading.checking.simulated_gpu.recording` hands back: the checks here read timing mistakes
from that log, not from wall-clock times. (The log is the student's process's claim; its verdicts are
made here.)

Every call runs with :func:`on_its_own` around its setup, so that ex08 is graded on its own: its
``import ex07_curve_fitting`` gets the course's ex07 (:func:`course_fit`) when the submission's is missing,
does not import, or (for fit_on, judged in the grader by :func:`ex07_problem`) has a fit that is wrong on
the call's inputs.
"""
from __future__ import annotations

import collections
import importlib.abc
import importlib.util
import math
import re
import statistics
import sys
import types
from typing import Any, Callable, NamedTuple

import torch
from torch import nn

from grading.checking import checks, probes
from grading.checking.references import ex07_curve_fitting as ex07
from grading.checking.references import ground_truth
# The setup and the probe of the simulated machine, and its clock's known durations.
from grading.checking.simulated_gpu import fake_duration, machine, recording
from grading.runtime.runner import Build, Limits
from grading.runtime.targets import GradingFailure, StudentFunction
from grading.runtime.wire import NamedTupleResult, Opaque, TensorResult

# Imported by the worker before its first fork for this module, so that no call pays for it
# (grading/runtime/zygote.py): torch._dynamo is pulled in by the first optimizer step (fit_on) and by the
# first operation under a dispatch mode (the simulated machine's recorder); the submission's ex08 imports
# its ex07, which plots with pyplot.
WORKER_IMPORTS = ("torch._dynamo", "matplotlib.pyplot")

# A real GPU's driver reserves far more address space than the default memory limit allows.
GPU_LIMITS = Limits(wall_s=90.0, cpu_s=180.0, memory_mb=None)


# ------------------------------------------------------------------ this machine


def gpus_here() -> list[str]:
    """The GPU types the grader's own torch can use: "cuda", "mps", or none."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if torch.backends.mps.is_available():
        found.append("mps")
    return found


def device_name(device: str | torch.device) -> str:
    """How a tensor on ``device`` reports it: "cuda" -> "cuda:0", "mps" -> "mps:0", "cpu" -> "cpu"."""
    named = torch.device(device)
    if named.type not in ("cpu", "meta") and named.index is None:
        return f"{named.type}:0"
    return str(named)


def gpus_or_none() -> list[str | None]:
    """The GPUs a GPU test checks: those here, or ``[None]`` on a machine without one.

    Under pytest such a machine skips the GPU tests by their mark before they get here. Called
    directly (the notebook's grade(), the mutant proofs), a GPU test checks the simulated GPU instead
    (or, for fit_on, which cannot be simulated, the CPU): it still grades, and it still fails a stub.
    """
    return gpus_here() or [None]


def synchronize_call(device: str) -> str:
    return "torch.mps.synchronize()" if torch.device(device).type == "mps" else "torch.cuda.synchronize(device)"


# ------------------------------------------------------------- ex08 on its own

EX07 = "ex07_curve_fitting"
# What the last call's ex08 got when it imported ex07: "own", "course" or "" (it did not import it).
_EX07_USED: dict[str, str] = {}


def course_fit_model(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """ex07's model, as the ex08 notebook repeats it: a x + b sin(x) + c cos(x / 4)."""
    return theta[0] * X + theta[1] * X.sin() + theta[2] * (X / 4).cos()


def course_fit(X, yt, epochs=500, lr=0.01, generator=None):
    """ex07's fit as the contract states it and the ex08 notebook repeats it, on the device of X.

    It runs in the student's process when their ex07 cannot be used (see :func:`on_its_own`).
    """
    theta = torch.randn(3, generator=generator)  # drawn on the CPU ...
    theta = theta.to(X.device, X.dtype).requires_grad_(True)  # ... then moved, and a leaf
    optimizer = torch.optim.SGD([theta], lr=lr)
    history = []
    for step in range(epochs):
        loss = nn.functional.mse_loss(course_fit_model(theta, X), yt)
        theta.grad = None
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return theta.detach(), history


def _course_ex07(why: str) -> types.ModuleType:
    """The module an ex08 gets as ``ex07_curve_fitting`` when the submission's cannot be used."""
    module = types.ModuleType(EX07, "ex07_curve_fitting as the course gives it to ex08, graded on its own.")
    module.fit, module.fit_model = course_fit, course_fit_model

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(f"ex08_devices is graded with the course's ex07_curve_fitting, because yours {why}; "
                          f"it has fit and fit_model, but no {name}: use only those from ex07")

    module.__getattr__ = __getattr__
    return module


class _Ex07Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Gives ``import ex07_curve_fitting`` the submission's module, or the course's (see on_its_own)."""

    def __init__(self, replace: str | None):
        self.replace = replace
        self.module = None
        self._busy = False

    def find_spec(self, name, path=None, target=None):
        if name != EX07 or self._busy:
            return None
        why = self.replace
        if why is None:
            self._busy = True  # the submission's own module is found by the finders after this one
            try:
                self.module, why = self._submitted()
            finally:
                self._busy = False
        if why is not None:
            self.module = _course_ex07(why)
        _EX07_USED["ex07"] = "course" if why is not None else "own"
        return importlib.util.spec_from_loader(name, self)

    @staticmethod
    def _submitted():
        spec = importlib.util.find_spec(EX07)
        if spec is None or spec.loader is None:
            return None, "is missing (no ex07_curve_fitting.py beside ex08_devices.py)"
        module = importlib.util.module_from_spec(spec)
        sys.modules[EX07] = module
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - whatever it raises, ex08 is graded without it
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return None, f"does not import ({type(exc).__name__}{': ' + text[:80] if text else ''})"
        finally:
            sys.modules.pop(EX07, None)  # the import system puts back what this finder gives it
        return module, None

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        pass  # made (and run) already


def on_its_own(*, then: Callable | None = None, then_kwargs: dict | None = None,
               replace: str | None = None) -> Callable[[], None]:
    """setup: ex08 is graded on its own, whatever state the submission's ex07 is in.

    The contract lets ex08 import its sibling ex07 (``from ex07_curve_fitting import fit``). So
    that an unfinished or wrong ex07 costs ex08 nothing, ``import ex07_curve_fitting`` gets the
    submission's module when it imports, and otherwise (missing, or raising while imported) the
    course's: :func:`course_fit` and :func:`course_fit_model`. With ``replace`` (why the
    submission's ex07 cannot be used: the grader found its fit wrong on the inputs of this call,
    see :func:`ex07_problem`) it gets the course's in any case. ``then`` is the setup to run
    besides (``machine``, ``probes.single_thread``), with ``then_kwargs``. Returns the undo.
    """
    undo_then = then(**(then_kwargs or {})) if then is not None else None
    _EX07_USED.clear()
    finder = _Ex07Finder(replace)
    sys.meta_path.insert(0, finder)

    def undo() -> None:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        if finder.module is not None and sys.modules.get(EX07) is finder.module:
            del sys.modules[EX07]  # a notebook kernel lives on after the call
        if callable(undo_then):
            undo_then()

    return undo


def alone(setup: Callable | None = None, setup_kwargs: dict | None = None, replace: str | None = None) -> dict:
    """The keywords of ``fn.run`` for a call graded on its own (:func:`on_its_own` around ``setup``)."""
    return {"setup": on_its_own, "setup_kwargs": {"then": setup, "then_kwargs": dict(setup_kwargs or {}),
                                                  "replace": replace}}


def ex07_used(result, *args, **kwargs) -> dict:
    """probe: what the call's ``import ex07_curve_fitting`` got ("own", "course"; "" when none ran)."""
    return {"ex07": _EX07_USED.get("ex07", "")}


# ------------------------------------------------------------------ pick_device

# name: (cuda GPUs, MPS), the machines pick_device is asked about
MACHINES = {
    "a machine with only a CPU": (0, False),
    "a machine with one CUDA GPU": (1, False),
    "a machine with two CUDA GPUs": (2, False),
    "a Mac with MPS": (0, True),
    "a machine with CUDA and MPS": (1, True),
}


@ground_truth
def available(cuda: int, mps: bool) -> list[str]:
    return ["cpu"] + [f"cuda:{i}" for i in range(cuda)] + (["mps"] if mps else [])


@ground_truth
def expected_pick(prefer: str | None, cuda: int, mps: bool) -> torch.device | None:
    """pick_device(prefer) on that machine, or None when it must raise ValueError."""
    order = ["cuda"] * bool(cuda) + ["mps"] * bool(mps) + ["cpu"]
    asked = torch.device(order[0] if prefer is None else prefer)
    exists = {"cpu": True, "mps": mps, "cuda": (asked.index or 0) < cuda}
    return asked if exists.get(asked.type, False) else None


def _call_text(prefer: str | None) -> str:
    return "pick_device()" if prefer is None else f"pick_device({prefer!r})"


def _same_device(got: torch.device, expected: torch.device) -> bool:
    """"cuda" and "cuda:0" name the same GPU when no index was asked for."""
    if got.type != expected.type:
        return False
    return got.index == expected.index or expected.index is None and got.index in (None, 0)


def _returned_device(got: Any, label: str) -> torch.device:
    if isinstance(got, str):
        checks.fail(f"{label} must return a torch.device, got the string {got!r}: return torch.device({got!r})")
    if not isinstance(got, torch.device):
        kind = got.type_name if isinstance(got, Opaque) else type(got).__name__
        checks.fail(f"{label} must return a torch.device, got {kind}")
    return got


def check_pick_device(fn: StudentFunction, cases) -> None:
    """On each simulated machine, pick_device(prefer) returns the device the contract names."""
    for where, prefer in cases:
        cuda, mps = MACHINES[where]
        args = () if prefer is None else (prefer,)
        outcome = fn.run(*args, **alone(machine, {"cuda": cuda, "mps": mps}))
        label = f"{_call_text(prefer)} on {where}"
        expected = expected_pick(prefer, cuda, mps)
        if not outcome.ok:
            checks.fail(f"{label} should return {expected}, but {outcome.message}")
        got = _returned_device(outcome.value, label)
        if _same_device(got, expected):
            continue
        hint = ""
        if prefer is None and expected.type == "cuda" and got.type == "mps":
            hint = "; check CUDA first (torch.cuda.is_available()), then MPS"
        elif prefer is None and got.type == "cpu":
            hint = "; ask torch.cuda.is_available() and torch.backends.mps.is_available()"
        elif prefer is not None and got.type == expected.type:
            hint = "; keep the index the preference asks for"
        checks.fail(f"{label}: expected {expected}, got {got}{hint}")


_WHERE = re.compile(r" \([^()]*\.py, line \d+\)$")


def check_pick_device_rejects(fn: StudentFunction, cases) -> None:
    """An unavailable preference raises ValueError naming it and the devices that are available."""
    for where, prefer in cases:
        cuda, mps = MACHINES[where]
        outcome = fn.run(prefer, **alone(machine, {"cuda": cuda, "mps": mps}))
        label = f"{_call_text(prefer)} on {where}"
        names = available(cuda, mps)
        if outcome.ok:
            checks.fail(f"{label} returned {outcome.value}, but {prefer} is not available there "
                        f"(only {', '.join(names)}): raise ValueError instead of falling back")
        match = re.match(r"pick_device raised (\w+): (.*)$", outcome.message)
        if match is None or match.group(1) != "ValueError":
            checks.fail(f"{label} must raise ValueError, but {outcome.message}")
        text = _WHERE.sub("", match.group(2))
        asked = {prefer, str(torch.device(prefer))}
        if not any(name in text for name in asked):
            checks.fail(f"{label}: the ValueError should name the device asked for ({prefer!r}), got: {text!r}")
        rest = text
        for name in asked:
            rest = rest.replace(name, "")
        missing = [kind for kind in ("cpu", "cuda", "mps")
                   if any(n.startswith(kind) for n in names) and kind not in rest]
        if missing:
            checks.fail(f"{label}: the ValueError should also name the devices that are available there "
                        f"({', '.join(names)}), got: {text!r}")


def check_pick_device_here(fn: StudentFunction) -> None:
    """Without simulation: the choice this machine's torch would make, and each device it has."""
    here = gpus_here()
    expected = torch.device(here[0] if here else "cpu")
    got = _returned_device(checks.expect_ok(fn.run(limits=GPU_LIMITS if here else None, **alone())),
                           "pick_device()")
    if not _same_device(got, expected):
        checks.fail(f"pick_device() on this machine: expected {expected}, got {got}")
    for name in ["cpu"] + here:
        got = _returned_device(checks.expect_ok(fn.run(name, limits=GPU_LIMITS if here else None, **alone())),
                               f"pick_device({name!r})")
        if not _same_device(got, torch.device(name)):
            checks.fail(f"pick_device({name!r}) on this machine: expected {name}, got {got}")


# ----------------------------------------------------------------------- move_to


class Pair(NamedTuple):
    left: Any
    right: Any


Batch = collections.namedtuple("Batch", ["inputs", "targets", "info"])


def structure(gpu: str | None = None) -> dict:
    """The nested input of move_to; built the same way in the grader and in the child.

    Every tensor starts on the CPU, except ``obj["pairs"][1].right``, which starts on ``gpu`` if given.
    """
    generator = torch.Generator().manual_seed(8)

    def tensor(*shape, dtype=torch.float32):
        return torch.randn(*shape, generator=generator).to(dtype)

    already = tensor(2, 2) if gpu is None else tensor(2, 2).to(gpu)
    return {
        "batch": Batch(inputs=tensor(4, 3), targets=torch.arange(4), info={"epoch": 3, "split": "train"}),
        "pairs": [Pair(left=tensor(2), right=None),
                  Pair(left=(tensor(1, dtype=torch.float64), 2.5), right=already)],
        "weights": tensor(3).requires_grad_(True),
        "mask": torch.tensor([True, False, True]),
        "settings": {"lr": 0.01, "steps": (10, 20), "dtype": torch.float16, 1: ["a", "b"], "empty": []},
        "nothing": None,
    }


def other_structure(gpu: str | None = None) -> list:
    """A second input: a list at the top, a named tuple holding a list, a tuple of dicts.

    Every tensor starts on the CPU, except ``obj[0].left``, which starts on ``gpu`` if given.
    """
    generator = torch.Generator().manual_seed(9)
    first = torch.randn(3, generator=generator)
    return [Pair(left=first if gpu is None else first.to(gpu), right=[torch.zeros(2, dtype=torch.int32), "x"]),
            ({"w": torch.randn(2, 2, generator=generator).double()}, {"b": None, "n": 4}),
            7, "text", Batch(inputs=[], targets=(), info=torch.ones(1, dtype=torch.bfloat16))]


def kept_tensors(result, obj, device, **kwargs) -> list:
    """probe: for each tensor of the input, [where, its device, whether the output there is that very tensor]."""
    found = []

    def walk(given, got, where):
        if isinstance(given, torch.Tensor):
            found.append([where, str(given.device), got is given])
        elif isinstance(given, dict):
            for key, value in given.items():
                walk(value, got.get(key) if isinstance(got, dict) else None, f"{where}[{key!r}]")
        elif isinstance(given, (list, tuple)):
            items = got if isinstance(got, (list, tuple)) and len(got) == len(given) else [None] * len(given)
            fields = getattr(given, "_fields", None)
            for i, (value, out) in enumerate(zip(given, items)):
                walk(value, out, f"{where}.{fields[i]}" if fields else f"{where}[{i}]")

    walk(obj, result, "obj")
    return found


def _kind(value: Any) -> str:
    if isinstance(value, TensorResult):
        return "a tensor"
    if isinstance(value, (Opaque, NamedTupleResult)):
        return value.type_name
    return type(value).__name__


def _check_structure(got: Any, expected: Any, where: str, device: str | None) -> None:
    """``got`` (as it came back) has the shape, types and values of ``expected``, tensors on ``device``."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, TensorResult):
            checks.fail(f"move_to: {where} should be a tensor, got {_kind(got)}")
        if device is not None and got.device != device:
            checks.fail(f"move_to: {where} is on {got.device}, expected {device}: move every tensor, "
                        "also those inside dicts, lists, tuples and named tuples")
        if got.dtype != expected.dtype:
            checks.fail(f"move_to: {where} changed dtype from {expected.dtype} to {got.dtype}: "
                        "move it with .to(device) alone")
        if got.shape != tuple(expected.shape) or not torch.equal(got.value, expected.detach()):
            checks.fail(f"move_to: {where} changed its values")
    elif isinstance(expected, tuple) and hasattr(expected, "_fields"):
        cls = type(expected)
        if not isinstance(got, NamedTupleResult):
            hint = (": a named tuple came back as a plain tuple; rebuild it with type(obj)(*items)"
                    if isinstance(got, tuple) else "")
            checks.fail(f"move_to: {where} should be a {cls.__name__} (a named tuple), got {_kind(got)}{hint}")
        if got.type_name != f"{cls.__module__}.{cls.__qualname__}" or tuple(got.fields) != cls._fields:
            checks.fail(f"move_to: {where} should be a {cls.__name__}, got {got.type_name}")
        for field, item, want in zip(cls._fields, got.items, expected):
            _check_structure(item, want, f"{where}.{field}", device)
    elif isinstance(expected, (list, tuple)):
        if type(got) is not type(expected):
            checks.fail(f"move_to: {where} should be a {type(expected).__name__}, got {_kind(got)}")
        if len(got) != len(expected):
            checks.fail(f"move_to: {where} has {len(got)} items, expected {len(expected)}")
        for i, (item, want) in enumerate(zip(got, expected)):
            _check_structure(item, want, f"{where}[{i}]", device)
    elif isinstance(expected, dict):
        if not isinstance(got, dict):
            checks.fail(f"move_to: {where} should be a dict, got {_kind(got)}")
        if set(got) != set(expected):
            checks.fail(f"move_to: {where} has keys {sorted(map(repr, got))}, "
                        f"expected {sorted(map(repr, expected))}")
        for key, want in expected.items():
            _check_structure(got[key], want, f"{where}[{key!r}]", device)
    elif type(got) is not type(expected) or got != expected:
        checks.fail(f"move_to: {where} should be left as it is ({expected!r}), got {got!r}")


def _count_on(value: Any, device: str) -> int:
    if isinstance(value, TensorResult):
        return int(value.device == device)
    if isinstance(value, NamedTupleResult):
        value = value.items
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return sum(_count_on(v, device) for v in value)
    return 0


def check_move_to(fn: StudentFunction, device: str | torch.device, *, structure_ok: bool = True,
                  identity: bool = True, simulated_gpu: bool = False, build: Callable = structure) -> None:
    """move_to(obj, device) on ``build()``: the same structure, every tensor on ``device``, and a
    tensor that was there already returned as it is. On a GPU, one tensor starts there."""
    target = device_name(device)
    gpu = None if target == "cpu" else str(device)
    setup = alone(machine, {"gpu": True}) if simulated_gpu else alone()
    limits = GPU_LIMITS if gpu and not simulated_gpu else None
    outcome = fn.run(Build(build, (gpu,)), device, probe=kept_tensors, limits=limits, **setup)
    got = checks.expect_ok(outcome)
    if structure_ok:
        _check_structure(got, build(), "obj", target)
    if identity:
        for where, source, same in outcome.probe if isinstance(outcome.probe, list) else []:
            if source == target and not same:
                checks.fail(f"move_to copied {where}, which was already on {target}: return such a tensor as it "
                            "is (tensor.to(device) does; .clone(), .detach() and copy=True make new ones)")
    if gpu is not None and _count_on(outcome.args_after[0], target) != 1:
        checks.fail("move_to moved the tensors of the caller's structure in place: build and return a new "
                    "structure, and leave the caller's as it was")


# ------------------------------------------------------------------------ fit_on


# A GPU sums in another order than the CPU; over a few hundred steps that stays well inside these.
FIT_RTOL, FIT_ATOL = 1e-4, 1e-5


def _floats(values: Any) -> bool:
    return isinstance(values, list) and all(type(v) is float for v in values)


def _starts_like(values: list[float], curve: list[float], prefix: int = 5) -> bool:
    k = min(prefix, len(values), len(curve))
    return k > 0 and all(math.isclose(a, b, rel_tol=FIT_RTOL, abs_tol=1e-6) for a, b in zip(values[:k], curve[:k]))


def _same_fit(got: Any, expected_theta: torch.Tensor, expected_losses: list[float]) -> bool:
    """Whether a fit's (theta, losses), as it came back, are those of the reference run."""
    if not isinstance(got, tuple) or len(got) != 2:
        return False
    theta, losses = got
    return (isinstance(theta, TensorResult) and tuple(theta.shape) == (3,) and theta.value.is_floating_point()
            and torch.allclose(theta.value.double(), expected_theta.double(), rtol=FIT_RTOL, atol=FIT_ATOL)
            and _floats(losses) and len(losses) == len(expected_losses)
            and all(math.isclose(a, b, rel_tol=FIT_RTOL, abs_tol=1e-6) for a, b in zip(losses, expected_losses)))


def ex07_problem(fn: StudentFunction, X, yt, epochs: int, lr: float, seed: int,
                 expected: tuple[torch.Tensor, list[float]]) -> str | None:
    """Why the submission's ex07 fit cannot stand in for ex07's on these inputs; None when it can.

    Judged here, in the grader, from what the submission's own ``ex07_curve_fitting.fit`` returns
    for fit_on's inputs (``expected`` is the reference run). A notebook has no ex07 module to ask:
    its fit_on uses the notebook's own fit.
    """
    folder = fn.submission.folder
    if folder is None:
        return None
    from grading.runtime.targets import Submission

    ex07_module = Submission(EX07, folder, runner=fn.submission._runner)
    outcome = ex07_module.fit.run(X, yt, epochs=epochs, lr=lr, generator=ex07.generator(seed),
                                  setup=probes.single_thread)
    if not outcome.ok:
        return f"could not be used: {outcome.message}"
    if not _same_fit(outcome.value, *expected):
        return f"has a fit that does not give the contract's results (fit(X, yt, epochs={epochs}, lr={lr}, " \
               "generator=...)): ex07's own checks say how"
    return None


def check_fit_on(fn: StudentFunction, device: str | torch.device, cases) -> None:
    """fit_on(device, ...) gives ex07's fit on the CPU: the same losses, and theta back on the CPU.

    ``cases`` are (n, data seed, theta seed, epochs, lr); the reference is ex07's reference run.
    fit_on is graded on its own: where the submission's ex07 fit is missing or wrong on the same
    inputs, fit_on's ``import ex07_curve_fitting`` gets the course's (see :func:`on_its_own`), and a
    failure says so.
    """
    gpu = device_name(device) != "cpu"
    for n, data_seed, seed, epochs, lr in cases:
        X, _, yt = ex07.data(n, seed=data_seed)
        expected_theta, expected_losses = ex07.run_fit(X, yt, epochs, lr, seed)
        problem = ex07_problem(fn, X, yt, epochs, lr, seed, (expected_theta, expected_losses))
        outcome = fn.run(device, X, yt, epochs=epochs, lr=lr, generator=ex07.generator(seed), probe=ex07_used,
                         limits=GPU_LIMITS if gpu else None, **alone(probes.single_thread, replace=problem))
        label = f"fit_on({str(device)!r}, epochs={epochs}, lr={lr})"
        used = outcome.probe.get("ex07", "") if isinstance(outcome.probe, dict) else ""
        note = ""
        if used == "course":
            note = (f" [fit_on was given the course's ex07 fit, because your ex07_curve_fitting "
                    f"{problem or 'could not be imported'}; so this difference is fit_on's own]")
        try:
            _check_fit_on_result(outcome, label, X, yt, epochs, lr, seed, expected_theta, expected_losses,
                                 in_fit_on=bool(used))
        except GradingFailure as failure:
            if not note:
                raise
            raise GradingFailure(f"{failure}{note}", status=failure.status, exception=failure.exception) from None


def _check_fit_on_result(outcome, label: str, X, yt, epochs: int, lr: float, seed: int,
                         expected_theta: torch.Tensor, expected_losses: list[float], *, in_fit_on: bool) -> None:
    """The checks of one fit_on call; ``in_fit_on``: it was given a correct ex07 fit (its own or the course's)."""
    got = checks.expect_ok(outcome)
    if not isinstance(got, tuple) or len(got) != 2:
        checks.fail(f"{label} must return the tuple (theta, losses), got {_kind(got)}")
    theta, losses = got
    if isinstance(losses, list) and len(losses) == 500 and epochs != 500:
        checks.fail(f"{label} trained for 500 epochs instead of {epochs}: pass epochs on to fit")
    known = {} if lr == 0.01 else {"lr was not passed on to fit (that is the curve for lr=0.01)":
                                   ex07.run_fit(X, yt, epochs, 0.01, seed)[1]}
    # A fit's known mistakes: of the fit that fit_on uses (a notebook's own), or of fit_on itself when it
    # was given a correct one.
    where = ("that is a known mistake of a fit, made in fit_on itself (it was given a correct ex07 fit): {}"
             if in_fit_on else "that is a mistake of the fit that fit_on uses: {}")
    known.update({where.format(text): curve for text, curve in ex07.fit_mistakes(X, yt, epochs, lr, seed).items()})
    if _floats(losses) and losses and not _starts_like(losses, expected_losses, prefix=1) \
            and not any(_starts_like(losses, curve) for curve in known.values()):
        checks.fail(f"{label}: the first loss is {losses[0]:.6g}, expected {expected_losses[0]:.6g}, so theta "
                    "did not start from torch.randn(3, generator=generator): pass the generator on to fit")
    checks.check_floats(losses, expected_losses, name=f"{label} losses", rtol=FIT_RTOL, atol=1e-6,
                        mistakes=known)
    if not isinstance(theta, TensorResult):
        checks.fail(f"{label}: theta must be a tensor, got {_kind(theta)}")
    if theta.device != "cpu":
        checks.fail(f"{label} returned theta on {theta.device}: return it on the CPU (theta.cpu())")
    checks.check_tensor(theta, name=f"{label} theta", shape=(3,), dtype=torch.float32)
    if theta.requires_grad:
        checks.fail(f"{label}: theta still requires grad; fit returns it detached")
    if not torch.allclose(theta.value, expected_theta, rtol=FIT_RTOL, atol=FIT_ATOL):
        checks.fail(f"{label}: theta is {checks.short(theta.value)}, expected {checks.short(expected_theta)}")


# ------------------------------------------------------------------- time_matmul


def _timing_outcome(fn: StudentFunction, n: int, device, repeats: int | None, label: str, *, setup: dict,
                    limits: Limits | None = None) -> tuple[float, str]:
    """Run time_matmul with the recorder on; the returned seconds and the event log, or a one-line failure."""
    kwargs = {} if repeats is None else {"repeats": repeats}
    outcome = fn.run(n, device, probe=recording, limits=limits, **alone(machine, setup), **kwargs)
    if not outcome.ok:
        message = outcome.message
        if "not compiled with CUDA" in message or "without MPS backend" in message:
            checks.fail(f"{label} synchronised a GPU this machine does not have ({message}): synchronise only "
                        "when device.type is 'cuda' (or 'mps')")
        if setup.get("gpu") and re.search(r"cuda|CUDA", message):
            checks.fail(f"{label} on the simulated GPU: {message} (it offers tensors created on or moved to "
                        "'cuda', torch.cuda.synchronize() and .item()/.cpu(); not CUDA events)")
        checks.fail(message)
    value = outcome.value
    if type(value) is not float:
        hint = (": turn it into a float (statistics.median of floats, or .item())"
                if isinstance(value, TensorResult) else "")
        checks.fail(f"{label} must return seconds as a float, got {_kind(value)}{hint}")
    log = outcome.probe.get("events", "") if isinstance(outcome.probe, dict) else ""
    return value, log


def _check_seconds(label: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        checks.fail(f"{label} returned {value!r}: expected a positive number of seconds")


def _check_log(label: str, log: str, repeats: int, device: str | None) -> None:
    """Enough matmuls for a warm-up and the timed calls; the clock read; on a GPU, never mid-matmul."""
    matmuls = log.count("m") + log.count("M")
    if matmuls < repeats + 1:
        checks.fail(f"{label} ran {matmuls} matmul(s): run one untimed warm-up call first (it pays for "
                    f"start-up costs), then time {repeats} calls")
    if "c" not in log:
        checks.fail(f"{label} read no clock the grader can see: time with time.perf_counter(), called "
                    "through the time module")
    if device is None:
        return
    pending = False
    for event in log:
        if event == "M":
            pending = True
        elif event == "s":
            pending = False
        elif event == "c" and pending:
            wait = synchronize_call(device)
            if "s" not in log:
                checks.fail(f"{label} never synchronised the GPU: a GPU call returns before its work is done, so "
                            f"the clock measured only the queueing; call {wait} before each clock reading")
            checks.fail(f"{label} read the clock while a matmul was still running on the GPU: call {wait} after "
                        "the warm-up and after each timed matmul, before reading the clock")


def _check_median(label: str, value: float, log: str, repeats: int) -> None:
    """On the fake clock, the timed calls are the last ``repeats`` matmuls: their median is known."""
    matmuls = log.count("m") + log.count("M")
    timed = [fake_duration(k) for k in range(matmuls - repeats, matmuls)]
    ordered = sorted(timed)
    low, high = ordered[(repeats - 1) // 2], ordered[repeats // 2]
    if low * (1 - 1e-6) <= value <= high * (1 + 1e-6):
        return
    median = statistics.median(timed)
    shown = ", ".join(f"{d * 1e3:g}" for d in timed)
    message = (f"{label} returned {value:.6g} s, but on the grader's simulated clock the {repeats} timed matmuls "
               f"took {shown} ms, whose median is {median:.6g} s")
    hints = [(statistics.mean(timed), "that is their mean: the median ignores the occasional slow call "
                                      "(statistics.median)"),
             (sum(timed), "that is their total: return the median of the per-call times"),
             (min(timed), "that is the fastest call: return the median"),
             (max(timed), "that is the slowest call: return the median")]
    for wrong, hint in hints:
        if math.isclose(value, wrong, rel_tol=1e-6):
            checks.fail(f"{message}; {hint}")
    checks.fail(message)


def check_time_matmul_median(fn: StudentFunction, cases) -> None:
    """On a simulated machine without a GPU and a fake clock: the median of the timed calls after a warm-up."""
    for n, device, repeats in cases:
        label = f"time_matmul({n}, {str(device)!r}{'' if repeats is None else f', repeats={repeats}'})"
        value, log = _timing_outcome(fn, n, device, repeats, label,
                                     setup={"cuda": 0, "mps": False, "fake_clock": True})
        _check_log(label, log, repeats or 10, None)
        _check_seconds(label, value)
        _check_median(label, value, log, repeats or 10)


def check_time_matmul_real_clock(fn: StudentFunction, n: int, device: str, repeats: int) -> None:
    """A real run on this machine, real clock: a positive float, a warm-up, and on a GPU a wait before
    each clock reading. ``device=None`` runs on the simulated GPU instead (same checks)."""
    if device is None:
        label = f"time_matmul({n}, 'cuda', repeats={repeats}) on a simulated GPU"
        value, log = _timing_outcome(fn, n, "cuda", repeats, label, setup={"gpu": True, "fake_clock": True})
        _check_log(label, log, repeats, "cuda")
        _check_seconds(label, value)
        return
    label = f"time_matmul({n}, {device!r}, repeats={repeats})"
    gpu = device_name(device) != "cpu"
    value, log = _timing_outcome(fn, n, device, repeats, label, setup={},
                                 limits=GPU_LIMITS if gpu else None)
    _check_log(label, log, repeats, device if gpu else None)
    _check_seconds(label, value)


def check_time_matmul_synchronises(fn: StudentFunction, cases) -> None:
    """On the simulated, asynchronous GPU: every clock reading waits for the matmuls before it."""
    for n, device, repeats in cases:
        label = f"time_matmul({n}, {str(device)!r}, repeats={repeats}) on a simulated GPU"
        value, log = _timing_outcome(fn, n, device, repeats, label, setup={"gpu": True, "fake_clock": True})
        if "M" not in log:
            checks.fail(f"{label} ran no matmul on the GPU: create the matrices on the device it is given")
        _check_log(label, log, repeats, str(device))
        _check_seconds(label, value)
        _check_median(label, value, log, repeats)
