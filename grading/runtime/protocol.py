"""The protocol between the grader and its worker, shared by both sides.

The grader sends a :class:`Job` (pickled, in a length-prefixed frame); the worker
(:mod:`grading.runtime.zygote`) answers with plain JSON; :func:`outcome_from_answer` turns
that answer into an :class:`Outcome`, in the grader's process. An outcome's
``status`` (one of :data:`STATUSES`) says how the call ended; verdicts and the
verification are decided on that value, never on the words of ``message``.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any, Callable

from torch.utils._pytree import tree_map_only

from grading.runtime import wire
from grading.settings import Limits

#: The largest answer a call may send back.
MAX_RESULT_BYTES = wire.MAX_RESULT_BYTES

OK = "ok"
#: How a call of student code can end: ``ok``, or why it did not return.
STATUSES = (OK, "import", "missing", "notimplemented", "error", "timeout", "crash", "limit", "internal")


_HEADER = struct.Struct(">I")


def read_frame(stream) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return stream.read(size)


def write_frame(stream, payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


@dataclass(frozen=True)
class Build:
    """An input built inside the child, e.g. a tensor that carries autograd history.

    ``fn`` must be a module-level function of the grading package: it is sent by
    reference and called in the child with ``args``.
    """

    fn: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


class BuildArgs(Build):
    """A Build that makes the whole argument tuple at once (a root and one of its leaves)."""


def rebuild_leaf(value, requires_grad: bool, grad):
    """A leaf in the child with the caller's ``.grad``, which pickling would drop."""
    leaf = value.detach().clone().requires_grad_(requires_grad)
    leaf.grad = grad
    return leaf


def transportable(value):
    """Arguments as they can travel to the child, keeping ``.grad`` on leaves."""
    import torch

    def travel(t: torch.Tensor):
        if t.is_leaf and t.grad is not None:
            return Build(rebuild_leaf, (t.detach(), t.requires_grad, t.grad.detach()))
        return t

    return tree_map_only(torch.Tensor, travel, value)

@dataclass
class Job:
    """One call of a student's function, as the grader describes it.

    It travels as a plain dict (:meth:`as_wire`): in the child, after the student's
    code ran, a dict's lookups are the one thing that code cannot redefine.
    """

    module: str
    function: str
    args: "tuple | BuildArgs" = ()
    kwargs: dict = field(default_factory=dict)
    id: int = 0
    target: str | None = None      # the submission folder (or None: the module is given)
    source: str | None = None      # the module's source, instead of a folder
    no_grad: bool = False
    probe: Callable | None = None
    probe_kwargs: dict = field(default_factory=dict)
    attribute: bool = False        # read a module-level value instead of calling it
    setup: Callable | None = None
    setup_kwargs: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)

    def as_wire(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass
class Outcome:
    """How one call ended, described from plain data.

    ``status`` is ``ok`` when the function returned; otherwise one of
    ``import``, ``missing``, ``notimplemented``, ``error``, ``timeout``,
    ``crash``, ``limit`` or ``internal``, and ``message`` says what happened
    in one line.
    """

    status: str
    message: str = ""
    value: Any = None
    args_after: list = field(default_factory=list)
    probe: Any = None
    autograd_calls: int = 0
    warnings: list = field(default_factory=list)
    output: str = ""
    elapsed: float = 0.0
    exception: str = ""  # the exception type, when the student's code raised one

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def outcome_from_answer(answer: dict, function: str, limits: Limits) -> Outcome:
    """Turn the worker's plain answer into an Outcome (grader side)."""
    tail = answer.get("output_tail", "")
    common = {"output": tail, "elapsed": float(answer.get("elapsed", 0.0))}
    status = answer.get("status")
    if status == "timeout":
        return Outcome("timeout", f"{function} did not finish within the wall-time limit of "
                       f"{limits.wall_s:g} s (an endless loop, or far too much work?)", **common)
    if status == "toolarge":
        return Outcome("limit", f"{function} returned more than {wire_limit()} of data (the result size limit)", **common)
    cpu_hit = limits.cpu_s is not None and float(answer.get("cpu", 0.0)) >= limits.cpu_s
    if status == "signal":
        sig = answer.get("signal", "")
        reason = {
            "SIGXCPU": f"used more than the CPU-time limit of {limits.cpu_s:g} s",
            "SIGXFSZ": f"wrote more than the output limit of {human_bytes(limits.output_bytes)} (output or files)",
            "SIGKILL": f"used more than the CPU-time limit of {limits.cpu_s:g} s" if cpu_hit else
                       f"was killed (over the memory limit of {limits.memory_mb} MB?)",
            "SIGSEGV": "crashed the Python process (segmentation fault)",
        }.get(sig, f"was stopped by {sig}")
        return Outcome("crash" if sig == "SIGSEGV" else "limit", f"{function} {reason}", **common)
    if status == "exit":
        code = answer.get("exit_code")
        if limits.output_bytes and answer.get("output_size", 0) >= limits.output_bytes:
            return Outcome("limit", f"{function} wrote more than the output limit of "
                           f"{human_bytes(limits.output_bytes)}", **common)
        if code == 70 and "MemoryError" in tail:
            return Outcome("limit", f"{function} ran out of memory (memory limit {limits.memory_mb} MB)", **common)
        return Outcome("crash", f"the process running {function} exited with status {code} "
                       "before returning (os._exit or a crash?)", **common)
    if status != "done":
        return Outcome("internal", f"grading worker error: {answer.get('message', status)}", **common)
    try:
        inner = wire.loads(answer["result"])
        kind = inner.get("status")
        if kind != "ok":
            message = str(inner.get("message", "unknown failure"))
            return Outcome(str(kind), message.splitlines()[0] if message else kind,
                           exception=str(inner.get("exception", "")), **common)
        probe = wire.decode(inner["probe"]) if "probe" in inner else None
        outcome = Outcome(
            "ok", value=wire.decode(inner["result"]),
            args_after=[wire.decode(a) for a in inner.get("args_after", [])],
            probe=probe, autograd_calls=int(inner.get("autograd_calls", 0)),
            warnings=[str(w) for w in inner.get("warnings", [])], **common)
        if "probe_error" in inner:
            outcome.message = f"could not inspect the result: {inner['probe_error']}"
        return outcome
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return Outcome("error", f"{function} returned something the grader cannot read ({exc})", **common)


def human_bytes(n: int | None) -> str:
    if n is None:
        return "unlimited"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:g} {unit}"
        n /= 1024
    return str(n)


def wire_limit() -> str:
    return human_bytes(MAX_RESULT_BYTES)
