"""Running student code out of the grader's process.

:class:`Runner` owns one worker (``grading.runtime.zygote``) and sends it jobs; the worker
forks for each call. The answer comes back as plain JSON and is turned into an
:class:`Outcome` here, in the grader's process, which is where every verdict is made.

Where bubblewrap works, the worker runs in the sandbox of :mod:`grading.runtime.sandbox`:
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
import threading
from typing import TYPE_CHECKING, Callable

from grading import settings
from grading.settings import Limits

if TYPE_CHECKING:
    from grading.runtime.protocol import Build, BuildArgs, Outcome

# The protocol (and with it torch) is imported on first use, not here: `course check` starts
# the worker before the grader imports torch, so that both import it at once.
_PROTOCOL_NAMES = ("Build", "BuildArgs", "Outcome")

#: Prefix of a worker's scratch folder (its log) in the temporary folder.
WORKER_FOLDER = "grading-worker-"


def __getattr__(name: str):
    if name in _PROTOCOL_NAMES:
        from grading.runtime import protocol

        return getattr(protocol, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Build", "BuildArgs", "Limits", "Outcome", "Runner", "WorkerError", "default_runner"]


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
        self._ready = False
        self.worker_uid: int | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def sandboxed(self) -> bool:
        """Whether student code runs in the sandbox (decided once, on first use)."""
        if self._sandboxed is None:
            from grading.runtime import sandbox

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
    def start_soon(self) -> None:
        """Start the worker now and return at once; the first call waits until it is ready.
        (It imports torch while the caller imports the graders.)"""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._spawn()

    def _start(self) -> None:
        self._spawn()
        self._await_ready()

    def _spawn(self) -> None:
        from grading.runtime.sandbox import process_tempdir

        # Named after this process: a grader that ends with os._exit or SIGKILL (the
        # verification process is stopped that way) leaves it for the next one to remove.
        self._scratch = process_tempdir(WORKER_FOLDER)
        self._sent = None
        self._ready = False
        package_root = str(settings.PACKAGE_DIR.parent)
        if self.sandboxed:
            from grading.runtime import sandbox

            # Inside, a private tmpfs is mounted at the same path; the host folder
            # only keeps the worker's log.
            command, env, cwd = sandbox.zygote_command(self._scratch), dict(os.environ), None
        else:
            command = [sys.executable, "-m", "grading.runtime.zygote"]
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

    def _await_ready(self) -> None:
        hello = self._read(timeout=120)
        if hello is None or not json.loads(hello).get("ready"):
            why = self._log_tail()
            self.close()
            raise WorkerError("the grading worker did not start" + (f": {why}" if why else ""))
        self.worker_uid = json.loads(hello).get("uid")
        self._ready = True

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
        from grading.runtime.protocol import read_frame

        return read_frame(self._proc.stdout)

    def _with_target(self, job: dict) -> dict:
        """In the sandbox the worker can't see the folder: it gets a copy of its files."""
        if not self.sandboxed or not job.get("target"):
            return job
        from grading.runtime import sandbox

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
             setup: Callable | None = None, setup_kwargs: dict | None = None) -> "Outcome":
        from grading.runtime.protocol import BuildArgs, Job, Outcome, outcome_from_answer, transportable, write_frame

        limits = limits or self.limits
        job = Job(module, function, id=next(self._ids), target=target, source=source,
                  args=args if isinstance(args, BuildArgs) else transportable(tuple(args)),
                  kwargs=transportable(dict(kwargs or {})), no_grad=no_grad, probe=probe,
                  probe_kwargs=dict(probe_kwargs or {}), attribute=attribute, setup=setup,
                  setup_kwargs=dict(setup_kwargs or {}), limits=dict(limits.__dict__)).as_wire()
        with self._lock:
            for attempt in range(2):
                try:
                    if self._proc is None or self._proc.poll() is not None:
                        self._start()
                    elif not self._ready:
                        self._await_ready()
                    write_frame(self._proc.stdin, pickle.dumps(self._with_target(job)))
                    frame = self._read(timeout=limits.wall_s + 30)
                except (BrokenPipeError, OSError):
                    frame = None
                if frame is not None:
                    return outcome_from_answer(json.loads(frame), function, limits)
                self.close()  # the worker died or hung: start a fresh one and retry once
        return Outcome("internal", f"the grading worker stopped answering while running {function}")


_default: Runner | None = None


def default_runner() -> Runner:
    """The session's shared worker, started on first use and stopped at exit."""
    global _default
    if _default is None:
        _default = Runner()
        atexit.register(_default.close)
    return _default
