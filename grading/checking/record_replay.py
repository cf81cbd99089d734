"""Record and replay of the ``@ground_truth`` references (grading/checking/references/).

A reference whose code would give a solution away (a training loop that *is* the solution of
``fit``, a breadth-first walk that is ``backward_node_names``) is marked ``@ground_truth``. In the
course it runs as written. ``course release`` runs every public grader on the reference solutions
with :func:`recording` on, so each call of such a function is stored as
``(module, qualname, key(args, kwargs)) -> result``, and ships ``recorded.pt`` in
grading/checking/references/ with each marked function's body replaced by :func:`replay` of those
results (grading/instructor/bundle.py; ``course export gradescope`` does the same). The student's
public graders then compare against the same values without the code that made them; inputs no
public test uses are not there (:class:`ReferenceUnavailable`).

Only grader-side references may be marked: never a builder or probe (they run in the student's
process), and never one called with values that came back from the student (those differ between
submissions, so nothing recorded would match).

The graders and references import these names from :mod:`grading.checking.references`, which
re-exports them; the bundle's rewritten references import :func:`replay` from there too.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import struct
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import torch

from grading.runtime.targets import GradingFailure

# (module, qualname, key) -> result, while `recording` is on; None otherwise.
RECORDING: dict | None = None
_RECORDER_PID: int | None = None
RECORDED = Path(__file__).with_name("references") / "recorded.pt"
UNAVAILABLE = "this check needs the instructor's reference for these inputs; it is available for the public tests only"

_depth = threading.local()


class ReferenceUnavailable(GradingFailure):
    """A replayed reference was asked about inputs no public test recorded."""


# ---------------------------------------------------------------------- the key


def _encode(value: Any, out: list) -> None:
    """Append a canonical encoding of ``value``; TypeError for what has none."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        out.append(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, torch.Tensor):
        t = value.detach()
        data = t.cpu().contiguous().reshape(-1)
        raw = data.view(torch.uint8).numpy().tobytes() if data.numel() else b""
        grad_fn = type(value.grad_fn).__name__ if value.grad_fn is not None else ""
        out.append(f"tensor:{type(value).__name__}:{t.dtype}:{tuple(t.shape)}:{t.device}:"
                   f"{value.requires_grad}:{grad_fn}:{len(raw)}:".encode())
        out.append(raw)
        # .grad exists on leaves only; reading it on a non-leaf warns.
        grad = value.grad if value.is_leaf else None
        out.append(b"grad:")
        _encode(grad, out)
    elif isinstance(value, (torch.dtype, torch.device)):
        out.append(f"{type(value).__name__}:{value};".encode())
    elif isinstance(value, torch.Generator):
        state = value.get_state().numpy().tobytes()
        out.append(f"generator:{value.device}:{len(state)}:".encode())
        out.append(state)
    elif isinstance(value, (tuple, list)):
        kind = type(value)
        out.append(f"{kind.__module__}.{kind.__qualname__}[{len(value)}]".encode())
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        items = []
        for k, v in value.items():
            k_out, v_out = [], []
            _encode(k, k_out)
            _encode(v, v_out)
            items.append((b"".join(k_out), b"".join(v_out)))
        out.append(f"dict[{len(items)}]".encode())
        for k_bytes, v_bytes in sorted(items):
            out.extend((struct.pack("<Q", len(k_bytes)), k_bytes, struct.pack("<Q", len(v_bytes)), v_bytes))
    elif callable(value) and hasattr(value, "__qualname__") and hasattr(value, "__module__"):
        name = f"{value.__module__}.{value.__qualname__}"
        if "<lambda>" in name or "<locals>" in name:
            raise TypeError(f"{name} has no stable name to key a reference call by")
        out.append(f"callable:{name};".encode())
    else:
        raise TypeError(f"no canonical key for a {type(value).__name__}")
    out.append(b"|")


def key(args: tuple, kwargs: dict) -> str:
    """A canonical, deterministic digest of a call's arguments.

    Tensors count by type, dtype, shape, device, raw bytes, requires_grad, grad_fn's class
    name and (leaves) .grad; numbers, strings and None by type and repr; tuples, lists and
    dicts item by item; functions and classes by module and qualname; a Generator by its
    state; a dtype or device by name. Anything else raises TypeError.
    """
    out: list = []
    _encode(tuple(args), out)
    _encode(dict(kwargs), out)
    digest = hashlib.sha256()
    for chunk in out:
        digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------ recording results


def _freeze(value: Any) -> Any:
    """A stored copy: tensors detached and cloned, containers rebuilt, plain values kept."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if type(value) in (tuple, list):
        return type(value)(_freeze(v) for v in value)
    if type(value) is dict:
        return {k: _freeze(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str, torch.dtype, torch.device, torch.Size)):
        return value
    raise TypeError(f"a reference result holds a {type(value).__name__}, which cannot be recorded")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)) or a.dtype != b.dtype \
                or a.shape != b.shape:
            return False
        return bool(torch.equal(a, b)) or a.is_floating_point() and bool(
            torch.allclose(a, b, rtol=0, atol=0, equal_nan=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b or a != a and b != b  # NaN floats


def ground_truth(fn: Callable | None = None, *, also: Callable | None = None):
    """Mark a reference whose code would give a solution away (see the module docstring).

    While :func:`recording` is on, each outermost call stores its result under its key;
    calls it makes to other marked functions are part of it and not stored. ``also``,
    called with the same arguments after a call is first stored, lets a reference record
    what the graders ask only when a submission is wrong (the known mistakes' values for
    the same inputs), so that those hints survive in the bundle.
    """
    if fn is None:
        return functools.partial(ground_truth, also=also)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if RECORDING is None or getattr(_depth, "n", 0):
            return fn(*args, **kwargs)
        if os.getpid() != _RECORDER_PID:
            raise RuntimeError(f"{fn.__qualname__} is a @ground_truth reference: it runs in the grader's "
                               "process only, never in the student's")
        entry = (fn.__module__, fn.__qualname__, key(args, kwargs))
        _depth.n = 1
        try:
            result = fn(*args, **kwargs)
        finally:
            _depth.n = 0
        frozen = _freeze(result)
        if entry in RECORDING:
            if not _same(RECORDING[entry], frozen):
                raise RuntimeError(f"{fn.__module__}.{fn.__qualname__} gave two results for one key: it is not "
                                   "a deterministic function of its arguments, so it cannot be replayed")
            return result
        RECORDING[entry] = frozen
        if also is not None:
            also(*args, **kwargs)
        return result

    wrapper.__ground_truth__ = True
    return wrapper


@contextlib.contextmanager
def recording() -> Iterator[dict]:
    """Store every outermost call of a ``@ground_truth`` reference made in this process."""
    global RECORDING, _RECORDER_PID
    if RECORDING is not None:
        raise RuntimeError("a recording is already on")
    RECORDING, _RECORDER_PID = {}, os.getpid()
    try:
        yield RECORDING
    finally:
        RECORDING, _RECORDER_PID = None, None


# ---------------------------------------------------------------------- replay

_LOADED: dict | None = None


def _copy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.clone()
    if type(value) in (tuple, list):
        return type(value)(_copy(v) for v in value)
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    return value


def replay(module: str, qualname: str, args: tuple, kwargs: dict) -> Any:
    """The recorded result of ``module.qualname(*args, **kwargs)`` (what the bundle's references return)."""
    global _LOADED
    if _LOADED is None:
        _LOADED = torch.load(RECORDED, weights_only=True) if RECORDED.exists() else {}
    try:
        entry = (module, qualname, key(args, kwargs))
    except TypeError:
        entry = None
    if entry is None or entry not in _LOADED:
        raise ReferenceUnavailable(f"{qualname}: {UNAVAILABLE}")
    return _copy(_LOADED[entry])


def optional(fn: Callable, *args, **kwargs) -> Any:
    """``fn(*args, **kwargs)``, or None where it is a replayed reference without these inputs.

    For values that only sharpen a message (a known mistake's value): the check still
    fails on its own, with the plain expected-against-got line.
    """
    try:
        return fn(*args, **kwargs)
    except ReferenceUnavailable:
        return None
