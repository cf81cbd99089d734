"""Running student code out of the grader's process.

:class:`Runner` owns one worker (``grading.zygote``) and sends it jobs; the worker
forks for each call. The answer comes back as plain JSON and is turned into an
:class:`Outcome` here, in the grader's process, which is where every verdict is made.

Where bubblewrap works, the worker runs in the sandbox of :mod:`grading.sandbox`:
no network, no view of the course, and a copy of the submission's files (sent with
the first job for that folder) as the only submission it can see.
"""
from __future__ import annotations

import atexit
import itertools
import json
import os
import pickle
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from grading import wire
from grading.zygote import read_frame, write_frame


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

    if isinstance(value, torch.Tensor) and value.is_leaf and value.grad is not None:
        return Build(rebuild_leaf, (value.detach(), value.requires_grad, value.grad.detach()))
    if type(value) in (list, tuple):
        return type(value)(transportable(v) for v in value)
    if type(value) is dict:
        return {k: transportable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Limits:
    """What one call of student code may use. ``None`` means no limit.

    ``output_bytes`` caps what it prints and each file it writes; ``processes`` is
    how many processes and threads the sandbox may hold at once (the worker and
    torch's threads included), enforced only inside the sandbox.
    """

    wall_s: float = 20.0
    cpu_s: float | None = 60.0
    memory_mb: int | None = 4096
    output_bytes: int | None = 8 * 1024 * 1024
    processes: int | None = 64

    @classmethod
    def from_env(cls) -> "Limits":
        """Defaults, overridden by GRADING_WALL_S, GRADING_CPU_S, GRADING_MEMORY_MB, ..."""
        values = {}
        for name, kind in (("wall_s", float), ("cpu_s", float), ("memory_mb", int),
                           ("output_bytes", int), ("processes", int)):
            raw = os.environ.get(f"GRADING_{name.upper()}")
            if raw:
                values[name] = None if raw.lower() == "none" else kind(raw)
        return cls(**values)


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


class WorkerError(RuntimeError):
    pass


class Runner:
    """One worker process for the lifetime of a grading session.

    ``sandbox``: None follows $GRADING_SANDBOX (the sandbox where it works, else a
    warning); True requires it; False runs without it, silently.
    """

    def __init__(self, limits: Limits | None = None, command_prefix: list[str] | None = None,
                 sandbox: bool | None = None):
        self.limits = limits or Limits.from_env()
        self.command_prefix = command_prefix or []
        self._sandbox_choice = sandbox
        self._sandboxed: bool | None = None
        self._proc: subprocess.Popen | None = None
        self._scratch: str | None = None
        self._sent: str | None = None  # the submission snapshot the worker holds
        self.worker_uid: int | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def sandboxed(self) -> bool:
        """Whether student code runs in the sandbox (decided once, on first use)."""
        if self._sandboxed is None:
            from grading import sandbox

            if self._sandbox_choice is None:
                self._sandboxed = sandbox.enabled()
            elif self._sandbox_choice:
                reason = sandbox.unavailable_reason()
                if reason:
                    raise sandbox.SandboxUnavailable(reason)
                self._sandboxed = True
            else:
                self._sandboxed = False
        return self._sandboxed

    # -- worker lifecycle
    def _start(self) -> None:
        self._scratch = tempfile.mkdtemp(prefix="grading-")
        self._sent = None
        package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        if self.sandboxed:
            from grading import sandbox

            # Inside, a private tmpfs is mounted at the same path; the host folder
            # only keeps the worker's log.
            command, env, cwd = sandbox.zygote_command(self._scratch), dict(os.environ), None
        else:
            command = [sys.executable, "-m", "grading.zygote"]
            env = dict(os.environ, GRADING_SCRATCH=self._scratch, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
            cwd = self._scratch
        log = open(os.path.join(self._scratch, "worker.log"), "wb")
        try:
            # A session of its own: student code that signals its process group
            # must not reach the grader.
            self._proc = subprocess.Popen([*self.command_prefix, *command], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=log, cwd=cwd, env=env,
                                          start_new_session=True)
        finally:
            log.close()
        hello = self._read(timeout=120)
        if hello is None or not json.loads(hello).get("ready"):
            why = self._log_tail()
            self.close()
            raise WorkerError("the grading worker did not start" + (f": {why}" if why else ""))
        self.worker_uid = json.loads(hello).get("uid")

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self._scratch, "worker.log"), "rb") as f:
                lines = f.read()[-2000:].decode(errors="replace").strip().splitlines()
            return lines[-1] if lines else ""
        except OSError:
            return ""

    def _read(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        if not ready:
            return None
        return read_frame(self._proc.stdout)

    def _with_target(self, job: dict) -> dict:
        """In the sandbox the worker can't see the folder: it gets a copy of its files."""
        if not self.sandboxed or not job.get("target"):
            return job
        from grading import sandbox

        folder = job["target"]
        key, files = sandbox.snapshot(folder)
        job = dict(job, target=None, snapshot=key)
        if key != self._sent:
            job["files"] = sandbox.read_snapshot(folder, files)
            self._sent = key
        return job

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    # -- calls
    def call(self, module: str, function: str, *, target: str | None = None, source: str | None = None,
             args: "tuple | BuildArgs" = (), kwargs: dict | None = None, no_grad: bool = False,
             probe: Callable | None = None, probe_kwargs: dict | None = None,
             attribute: bool = False, limits: Limits | None = None,
             setup: Callable | None = None, setup_kwargs: dict | None = None) -> Outcome:
        limits = limits or self.limits
        job = {
            "id": next(self._ids), "module": module, "function": function, "target": target,
            "source": source,
            "args": args if isinstance(args, BuildArgs) else transportable(tuple(args)),
            "kwargs": transportable(dict(kwargs or {})), "no_grad": no_grad,
            "probe": probe, "probe_kwargs": dict(probe_kwargs or {}), "attribute": attribute,
            "setup": setup, "setup_kwargs": dict(setup_kwargs or {}),
            "limits": {k: v for k, v in limits.__dict__.items()},
        }
        with self._lock:
            for attempt in range(2):
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                try:
                    write_frame(self._proc.stdin, pickle.dumps(self._with_target(job)))
                    frame = self._read(timeout=limits.wall_s + 30)
                except (BrokenPipeError, OSError):
                    frame = None
                if frame is not None:
                    return _outcome(json.loads(frame), function, limits)
                self.close()  # the worker died or hung: start a fresh one and retry once
        return Outcome("internal", f"the grading worker stopped answering while running {function}")


def _outcome(answer: dict, function: str, limits: Limits) -> Outcome:
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
            "SIGXFSZ": f"wrote more than the output limit of {_bytes(limits.output_bytes)} (output or files)",
            "SIGKILL": f"used more than the CPU-time limit of {limits.cpu_s:g} s" if cpu_hit else
                       f"was killed (over the memory limit of {limits.memory_mb} MB?)",
            "SIGSEGV": "crashed the Python process (segmentation fault)",
        }.get(sig, f"was stopped by {sig}")
        return Outcome("crash" if sig == "SIGSEGV" else "limit", f"{function} {reason}", **common)
    if status == "exit":
        code = answer.get("exit_code")
        if limits.output_bytes and answer.get("output_size", 0) >= limits.output_bytes:
            return Outcome("limit", f"{function} wrote more than the output limit of "
                           f"{_bytes(limits.output_bytes)}", **common)
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


def _bytes(n: int | None) -> str:
    if n is None:
        return "unlimited"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:g} {unit}"
        n /= 1024
    return str(n)


def wire_limit() -> str:
    from grading.zygote import MAX_RESULT_BYTES
    return _bytes(MAX_RESULT_BYTES)


_default: Runner | None = None


def default_runner() -> Runner:
    """The session's shared worker, started on first use and stopped at exit."""
    global _default
    if _default is None:
        _default = Runner()
        atexit.register(_default.close)
    return _default
