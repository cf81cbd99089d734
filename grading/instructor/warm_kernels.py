"""Kernels started before the notebook that will use them, so that a kernel's start
(bubblewrap, Python, torch) runs while the previous notebook is graded.

Every notebook still gets a kernel of its own that has never run anyone's code: a
kernel is started for one (student, assignment), in that submission's sandbox, and
handed to that submission's nbgrader run only. :class:`KernelPool` starts it with
jupyter_client's own :class:`~jupyter_client.manager.AsyncKernelManager`, exactly
as nbclient would (the same kernelspec, command line, working folder, environment
and sockets), and :meth:`KernelPool.take` gives it out only when the kernel nbgrader
is about to start would be the same, compared field by field (:func:`launch_key`).
Anything else (another config, a kernel that died while it waited) is not used:
nbgrader then starts its own, as it always does.

nbgrader's Execute reaches the pool through :func:`active` (``GuardedExecute``);
stock ``nbgrader autograde`` has no pool and starts its kernels itself.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from typing import Iterator

# One pool per thread: a Dask worker or the serial loop grades in one thread, and a
# kernel manager is used from the thread (and event loop) that started it.
_local = threading.local()


def active() -> "KernelPool | None":
    return getattr(_local, "pool", None)


def launch_key(km, *, cwd: str | None, extra_arguments: list[str]) -> str:
    """Everything that decides what a kernel manager's start launches, as one string."""
    spec = km.kernel_spec
    return json.dumps({
        "argv": list(spec.argv), "env": dict(spec.env or {}), "resource_dir": spec.resource_dir,
        "transport": km.transport, "ip": km.ip, "cwd": os.path.realpath(cwd) if cwd else None,
        "extra_arguments": list(extra_arguments),
        # The launcher inherits the environment; these decide where its spec and sandbox look.
        "environ": {k: os.environ.get(k) for k in ("JUPYTER_PATH", "GRADING_SANDBOX", "PYTHONPATH")},
    }, sort_keys=True)


class KernelPool:
    """Started kernels, each waiting for the one notebook it was started for."""

    def __init__(self) -> None:
        self._waiting: dict[str, object] = {}
        self.started = 0
        self.taken = 0

    def prestart(self, *, kernel_name: str | None, cwd: str, extra_arguments: list[str], config) -> None:
        """Start, now, the kernel that nbclient would start for a notebook run with ``config``
        (a traitlets Config holding that run's KernelManager and Execute settings) in ``cwd``."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        options = {"config": config}
        if kernel_name:
            options["kernel_name"] = kernel_name
        km = AsyncKernelManager(**options)
        key = launch_key(km, cwd=cwd, extra_arguments=extra_arguments)
        if key in self._waiting:
            return
        try:
            run_sync(km.start_kernel)(extra_arguments=list(extra_arguments), cwd=cwd)
        except Exception:  # noqa: BLE001 - nbgrader will start (and report on) its own kernel
            self._discard(km)
            return
        self._waiting[key] = km
        self.started += 1

    def take(self, key: str):
        """The started kernel whose launch is exactly ``key``, still alive; else None."""
        from jupyter_core.utils import run_sync

        km = self._waiting.pop(key, None)
        if km is None:
            return None
        if not run_sync(km.is_alive)():
            self._discard(km)
            return None
        self.taken += 1
        return km

    def _discard(self, km) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        with contextlib.suppress(Exception):
            run_sync(km.cleanup_resources)()

    def close(self) -> None:
        """Kill every kernel no notebook took."""
        while self._waiting:
            _, km = self._waiting.popitem()
            self._discard(km)


@contextlib.contextmanager
def pool() -> Iterator[KernelPool]:
    """A pool for this thread's nbgrader runs until the block ends; its unused kernels are killed."""
    previous = active()
    _local.pool = KernelPool()
    try:
        yield _local.pool
    finally:
        _local.pool.close()
        _local.pool = previous
