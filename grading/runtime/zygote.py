"""The worker that runs student code: one long-lived process, one fork per call.

The grader starts this module once (``python -m grading.runtime.zygote``). It imports torch
and the encoder, then waits for jobs on stdin. Each job is run in a fresh fork, so a
call costs milliseconds instead of the seconds a new interpreter would, and whatever
the student's code patches, allocates or breaks dies with that fork.

Protocol (both directions): a 4-byte big-endian length, then the payload. Jobs from
the grader are pickles (the grader is trusted); answers are JSON. The fork writes its
result to a pipe that only this process reads, capped in size, and this process adds
how the fork ended (exit status, signal, time-out) before answering.
"""
from __future__ import annotations

import errno
import importlib
import io
import json
import os
import pickle
import select
import shutil
import signal
import sys
import time
import traceback
import warnings

import torch
from torch.utils._pytree import tree_map_only

from grading import settings
from grading.runtime import sandbox, wire
from grading.runtime.reverse_passes import ReversePasses
from grading.runtime.protocol import MAX_RESULT_BYTES, Build, BuildArgs, human_bytes, read_frame, write_frame

# What the fork needs after the student's code ran, captured before it can patch them.
_json_string = json.encoder.encode_basestring_ascii  # C: no builtins a student could patch
_isinstance = isinstance
_getpid = os.getpid
_exit = os._exit
_write = os.write
# ------------------------------------------------------------------ the fork


def _where(exc: BaseException, module_file: str | None) -> str:
    """' (ex01_graphs.py, line 12)' for the deepest frame in the student's file."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" (line {exc.lineno})"
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if module_file and os.path.abspath(frame.f_code.co_filename) == module_file:
            line = lineno
    if line is None:
        return ""
    return f" ({os.path.basename(module_file)}, line {line})"


def _describe(exc: BaseException, module_file: str | None) -> str:
    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__}: {exc.msg} (line {exc.lineno})"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"{name}: {text}{_where(exc, module_file)}" if text else f"{name}{_where(exc, module_file)}"


def _apply_limits(limits: dict) -> None:
    # Address space is what torch has reserved already plus the allowance. The
    # process limit (RLIMIT_NPROC, threads included) applies only in the sandbox:
    # outside it the count is the whole account's, and root is exempt from it.
    sandbox.set_rlimits(limits, address_space_base=sandbox.virtual_size() if limits.get("memory_mb") else 0)


def _resolve(value):
    """Builds inputs that must be made in the child (tensors with history)."""
    return tree_map_only(Build, lambda b: b.fn(*_resolve(b.args), **_resolve(b.kwargs)), value)


def run_job(job: dict, module=None) -> dict:
    """Import the student's module and call one function (inside the fork).

    ``module`` short-circuits the import; notebooks pass the kernel's namespace.
    A ``setup`` (e.g. simulating a machine without CUDA) runs first; if it returns
    a callable, that undoes it afterwards, which matters in a notebook's kernel.
    """
    undo = None
    if job.get("setup") is not None:
        undo = job["setup"](**job.get("setup_kwargs", {}))
    try:
        return _call(job, module)
    finally:
        if callable(undo):
            undo()


def _call(job: dict, module=None) -> dict:
    module_name = job["module"]
    module_file = None
    if job.get("target"):
        sys.path.insert(0, job["target"])
        module_file = os.path.abspath(os.path.join(job["target"], module_name + ".py"))
    if module is None:
        sys.modules.pop(module_name, None)
    raw_args = job.get("args", ())
    args = tuple(_resolve(raw_args)) if isinstance(raw_args, BuildArgs) else _resolve(raw_args)
    kwargs = _resolve(job.get("kwargs", {}))
    try:
        if module is not None:
            pass
        elif job.get("source") is not None:
            module = _module_from_source(module_name, job["source"])
        else:
            module = importlib.import_module(module_name)
    except SyntaxError as exc:
        return {"status": "import", "message": f"{module_name} does not compile: {_describe(exc, module_file)}"}
    except SystemExit as exc:
        return {"status": "import", "message": f"{module_name} called sys.exit({exc.code!r}) while being imported"}
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return {"status": "import", "message": f"no module {module_name} in the submission folder"}
        return {"status": "import", "message": f"importing {module_name} failed: {_describe(exc, module_file)}"}
    except BaseException as exc:
        answer = _limit_or_error(exc, f"importing {module_name}", job.get("limits", {}), module_file)
        if answer["status"] == "error":
            answer = {"status": "import", "message": f"importing {module_name} raised {_describe(exc, module_file)}"}
        return answer

    name = job["function"]
    fn = module.__dict__.get(name)
    if fn is None:
        return {"status": "missing", "message": f"{module_name} has no {name} (check the spelling against the contract)"}
    if job.get("attribute"):
        return {"status": "ok", "result": wire.encode(fn), "args_after": [], "autograd_calls": 0}
    if not callable(fn):
        return {"status": "missing", "message": f"{module_name}.{name} is not a function"}

    tripwire = ReversePasses()
    try:
        with warnings.catch_warnings(record=True) as caught, tripwire:
            warnings.simplefilter("always")
            if job.get("no_grad"):
                with torch.no_grad():
                    result = fn(*args, **kwargs)
            else:
                result = fn(*args, **kwargs)
    except NotImplementedError:
        return {"status": "notimplemented", "message": f"{name} is not implemented yet (it raises NotImplementedError)"}
    except SystemExit as exc:
        return {"status": "error", "message": f"{name} called sys.exit({exc.code!r})"}
    except BaseException as exc:
        return _limit_or_error(exc, name, job.get("limits", {}), module_file)

    answer = {
        "status": "ok",
        "result": wire.encode(result),
        "args_after": [wire.encode(a) for a in args],
        "autograd_calls": tripwire.count,
        "warnings": [str(w.message).splitlines()[0][:200] for w in caught[:5] if str(w.message)],
    }
    if job.get("probe") is not None:
        try:
            answer["probe"] = wire.encode(job["probe"](result, *args, **job.get("probe_kwargs", {})))
        except BaseException as exc:
            answer["probe_error"] = _describe(exc, module_file)
    return answer


def _limit_or_error(exc: BaseException, name: str, limits: dict, module_file: str | None) -> dict:
    """Name the limit when an exception is really a limit being hit."""
    text = str(exc)
    if isinstance(exc, MemoryError) or "can't allocate memory" in text or "DefaultCPUAllocator" in text:
        return {"status": "limit", "message": f"{name} ran out of memory (memory limit {limits.get('memory_mb')} MB)"}
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:  # RLIMIT_FSIZE reached
        return {"status": "limit", "message": f"{name} wrote more than the output limit "
                f"({_bytes(limits.get('output_bytes'))} of output or files)"}
    if limits.get("processes") and (
            isinstance(exc, OSError) and exc.errno == errno.EAGAIN
            or isinstance(exc, RuntimeError) and "can't start new thread" in text):
        return {"status": "limit", "message": f"{name} started more processes or threads than the "
                f"process limit allows ({limits['processes']})"}
    return {"status": "error", "message": f"{name} raised {_describe(exc, module_file)}",
            "exception": type(exc).__name__}


def _bytes(n) -> str:
    return human_bytes(n)


def _module_from_source(name: str, source: str):
    import types

    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


_PROTOCOL_FDS: list[int] = []


def _child(job: dict, result_fd: int, scratch: str) -> None:
    owner = os.getpid()
    os.setpgid(0, 0)
    for fd in _PROTOCOL_FDS:
        os.close(fd)
    output = os.path.join(scratch, "output.txt")
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), write_through=True)
    sys.stderr = sys.stdout
    os.chdir(scratch)
    _apply_limits(job.get("limits", {}))
    # Graded tensors are small: one thread avoids a pool that forks pay to start, and
    # is many times faster for small backward passes on a busy two-core machine.
    torch.set_num_threads(1)
    torch.manual_seed(0)
    try:
        answer = run_job(job)
        if _getpid() != owner:  # a process the student's code forked: it does not answer
            _exit(0)
        payload = wire.dumps(answer).encode()
    except BaseException as exc:  # the encoder met something it cannot describe
        if _getpid() != owner:
            _exit(0)
        if _isinstance(exc, wire.ResultTooLarge):
            message = (f"{job.get('function')} returned more than {human_bytes(MAX_RESULT_BYTES)} of data "
                       "(the result size limit)")
            payload = ('{"status": "limit", "message": ' + _json_string(message) + "}").encode()
        elif _isinstance(exc, MemoryError):
            message = (f"{job.get('function')} returned more data than can be sent within the memory limit "
                       f"({job.get('limits', {}).get('memory_mb')} MB)")
            payload = ('{"status": "limit", "message": ' + _json_string(message) + "}").encode()
        else:
            try:
                described = _describe(exc, None)
            except BaseException:
                described = "an object that breaks the description"
            payload = ('{"status": "error", "message": ' + _json_string("could not read the result: " + described)
                       + "}").encode()
    view = memoryview(payload)
    while view:
        written = _write(result_fd, view[: 1 << 20])
        view = view[written:]
    _exit(0)


def _output_tail(scratch: str, limit: int = 600) -> str:
    try:
        with open(os.path.join(scratch, "output.txt"), "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _output_size(scratch: str) -> int:
    try:
        return os.path.getsize(os.path.join(scratch, "output.txt"))
    except OSError:
        return 0


def run_in_fork(job: dict, scratch: str) -> dict:
    """Fork, run the job, and describe how it ended. Never raises for student faults."""
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            _child(job, write_fd, scratch)
        finally:
            os._exit(70)
    os.close(write_fd)
    timeout = float(job.get("limits", {}).get("wall_s", 10))
    chunks, size, too_big, status = [], 0, False, None
    deadline = started + timeout
    timed_out = False
    open_pipe = True
    while True:
        if open_pipe:
            ready, _, _ = select.select([read_fd], [], [], 0.02)
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    open_pipe = False
                else:
                    size += len(chunk)
                    if size > MAX_RESULT_BYTES:
                        too_big = True
                        break
                    chunks.append(chunk)
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            # Drain what the fork wrote just before it exited.
            while open_pipe:
                ready, _, _ = select.select([read_fd], [], [], 0)
                chunk = os.read(read_fd, 1 << 20) if ready else b""
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESULT_BYTES:
                    too_big = True
                    break
                chunks.append(chunk)
            break
        if not open_pipe:
            time.sleep(0.002)
        if time.monotonic() > deadline:
            timed_out = True
            break
    elapsed = time.monotonic() - started
    if not done:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status, usage = os.wait4(pid, 0)
    # Anything the student's code started in its process group goes too.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    os.close(read_fd)
    answer = {"elapsed": elapsed, "cpu": usage.ru_utime + usage.ru_stime,
              "output_tail": _output_tail(scratch), "output_size": _output_size(scratch)}
    if timed_out:
        answer["status"] = "timeout"
    elif too_big:
        answer["status"] = "toolarge"
    elif os.WIFSIGNALED(status):
        answer["status"] = "signal"
        answer["signal"] = signal.Signals(os.WTERMSIG(status)).name
    elif os.WEXITSTATUS(status) != 0 or not chunks:
        answer["status"] = "exit"
        answer["exit_code"] = os.WEXITSTATUS(status)
    else:
        answer["status"] = "done"
        answer["result"] = b"".join(chunks).decode("utf-8", "replace")
    return answer


def _kill_strays() -> None:
    """In the sandbox: kill whatever the student's code left running (setsid included)."""
    if not sandbox.in_own_pid_namespace():
        return
    for _ in range(200):
        try:
            os.kill(-1, signal.SIGKILL)  # every process of this pid namespace but us and init
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.001)


class _Targets:
    """Copies of submission folders inside the sandbox, one at a time."""

    def __init__(self, scratch: str):
        self.scratch = scratch
        self.key: str | None = None
        self.folder: str | None = None

    def resolve(self, job: dict) -> None:
        key = job.get("snapshot")
        if key is None:
            return
        if "files" in job:
            self._wipe()
            self.folder = sandbox.write_snapshot(self.scratch, job.pop("files"))
            self.key = key
        if key != self.key:
            raise RuntimeError("the submission's files were not sent to the worker")
        job["target"] = self.folder

    def _wipe(self) -> None:
        # Nothing of the previous submission (its files, what its code wrote) stays.
        _kill_strays()
        for entry in os.listdir(self.scratch):
            path = os.path.join(self.scratch, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.remove(path)
                except OSError:
                    pass
        sandbox.prepare_scratch(self.scratch)


def _preload() -> None:
    """Import once here what graded code imports lazily, so that no fork pays for it again:
    torchviz for graph checks. What only some modules need is imported for them, on their
    first job (``_prepare_for``, ``_prepare_for_source``); matplotlib, where a module plots,
    draws off screen (MPLBACKEND, read when it is imported). IPython.display and matplotlib
    for every module cost the worker 0.27 s before its first answer."""
    import torchviz  # noqa: F401

    os.environ["MPLBACKEND"] = "Agg"


_PREPARED: set[str] = set()


def _prepare_for(module: str) -> None:
    """Before the first fork for ``module``, import what its reference says its graded code
    imports lazily (``WORKER_IMPORTS``: an optimizer's first step or torch.func imports
    torch._dynamo, 800 modules and 1-2 s; plotting imports pyplot). The grader names the
    module, and the reference is the course's own code, never the student's."""
    if module in _PREPARED or not module.isidentifier():
        return
    _PREPARED.add(module)
    try:
        reference = importlib.import_module(f"grading.checking.references.{module}")
    except ImportError:
        return
    for name in getattr(reference, "WORKER_IMPORTS", ()):
        importlib.import_module(name)


def _prepare_for_source(job: dict) -> None:
    """Before the first fork for a module made from a notebook, import IPython.display,
    which its lesson cells import (0.15 s a fork otherwise). Only the name of a trusted
    module is taken from the student's file; nothing of it runs here."""
    if "IPython" in _PREPARED or not job.get("target"):
        return
    try:
        with open(os.path.join(job["target"], f"{job.get('module', '')}.py"), encoding="utf-8", errors="replace") as f:
            made_from_notebook = "IPython" in f.read(1 << 20)
    except OSError:
        return
    if made_from_notebook:
        _PREPARED.add("IPython")
        import IPython.display  # noqa: F401


def main() -> None:
    # Keep the protocol channel away from fds 0-2, which the forks inherit.
    inbound = os.fdopen(os.dup(0), "rb")
    outbound = os.fdopen(os.dup(1), "wb")
    _PROTOCOL_FDS[:] = [inbound.fileno(), outbound.fileno()]
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    scratch = settings.scratch_folder()
    if sandbox.inside():
        sandbox.drop_privileges()
        sandbox.prepare_scratch(scratch)
        # torch's thread pool counts against the process limit; graded tensors are small.
        torch.set_num_threads(min(torch.get_num_threads(), 8))
    _preload()
    targets = _Targets(scratch)
    write_frame(outbound, json.dumps({"ready": True, "pid": os.getpid(), "sandboxed": sandbox.inside(),
                                      "uid": os.getuid()}).encode())
    while True:
        frame = read_frame(inbound)
        if frame is None:
            return
        job = pickle.loads(frame)
        job_scratch = os.path.join(scratch, f"job{job.get('id', 0)}")
        try:
            _prepare_for(job.get("module", ""))
            targets.resolve(job)
            _prepare_for_source(job)
            os.makedirs(job_scratch, exist_ok=True)
            answer = run_in_fork(job, job_scratch)
        except Exception as exc:  # the zygote itself must keep answering
            answer = {"status": "internal", "message": f"{type(exc).__name__}: {exc}"}
        finally:
            _kill_strays()
            shutil.rmtree(job_scratch, ignore_errors=True)
        write_frame(outbound, json.dumps(answer).encode())


if __name__ == "__main__":
    main()
