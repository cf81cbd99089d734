"""A simulated machine for the ex08 graders: which GPUs exist, an asynchronous CUDA GPU, a fake clock.

This is a test double, not a reference: nothing here is ground truth. ex08 asks students to pick a
device, move data onto a GPU and time a GPU matmul correctly (warm up, synchronise before each clock
reading, take the median). Most graders' machines (a laptop, CI, Gradescope) have no GPU, and a real
GPU's timings are noise, so :func:`machine`, a setup that runs in the student's process before their
module is imported, makes that process the machine a check needs and returns the undo (a notebook
kernel lives on after the call):

- ``machine(cuda=N, mps=...)`` says which GPUs exist: ``torch.cuda.is_available``,
  ``torch.cuda.device_count``, ``torch.backends.mps.is_available`` and ``torch.accelerator`` answer
  accordingly, and synchronising a GPU that is absent raises as it does on such a machine.
- ``machine(gpu=True)`` adds a simulated CUDA GPU. A tensor created on or moved to ``"cuda"`` is a
  :class:`SimulatedCudaTensor`: it reports ``cuda:0`` and keeps its data on the CPU (operations,
  indexing and ``.item()`` work on it as on a GPU tensor), mixing it with a CPU tensor raises the
  device-mismatch error, and it runs asynchronously: a matmul on it returns at once and its time
  passes on the clock only when something waits for it (``torch.cuda.synchronize``, or reading a
  value back with ``.item()`` / ``.cpu()``). Autograd cannot record operations on it (a torch built
  without CUDA has no device guard for cuda tensors), so fit_on, which trains, is checked on the CPU
  and on real GPUs only.
- ``fake_clock=True`` replaces ``time.perf_counter`` and the other clocks with one that moves only when
  a matmul runs (on the CPU) or is waited for (on the simulated GPU), by the known durations of
  :func:`fake_duration`, so the median time_matmul should return is known exactly.

While the student's function runs, what it does is logged as a string of events that the probe
:func:`recording` hands back: ``m`` a matmul on the CPU, ``M`` a matmul on a GPU, ``s`` the program
waiting for the GPU, ``c`` a clock reading. The checks (grading/checking/references/ex08_devices.py)
read timing mistakes from that log, not from wall-clock times. (The log is the student's process's
claim; its verdicts are made in the grader.)

The patched functions are put back with ``unittest.mock.patch.object`` in a ``contextlib.ExitStack``
rather than ``pytest.MonkeyPatch``: this runs in the student's worker and in a notebook kernel, where
torch has imported ``unittest.mock`` already (importing it costs nothing more) while importing pytest
costs about 0.36 s (measured on the course's pinned versions).
"""
from __future__ import annotations

import contextlib
import threading
import time
import timeit
from typing import Any, Callable
from unittest import mock

import torch
from torch.overrides import TorchFunctionMode
from torch.utils import _pytree as pytree
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten


# ---------------------------------------------------------- what the child records

_LOG: dict[str, Any] = {}
MAX_EVENTS = 4000


def _reset_log(*, fake_clock: bool, asynchronous: bool) -> None:
    _LOG.update(events=[], matmuls=0, clock=1000.0, pending=0.0, fake=fake_clock,
                asynchronous=asynchronous, thread=threading.get_ident())


def _event(code: str) -> None:
    if len(_LOG["events"]) < MAX_EVENTS:
        _LOG["events"].append(code)


def fake_duration(k: int) -> float:
    """Seconds the k-th matmul of a call takes on the fake clock.

    The first is slow (a cold start: kernels loaded, memory allocated); after it 1 to 5 ms, with a
    30 ms hiccup every fourth call, so that the median, the mean and the minimum all differ.
    """
    if k == 0:
        return 0.25
    if k % 4 == 3:
        return 0.030
    return 1e-3 * (1 + (7 * k) % 5)


def _matmul_ran(on_gpu: bool) -> None:
    k = _LOG["matmuls"]
    _LOG["matmuls"] += 1
    _event("M" if on_gpu else "m")
    if on_gpu and _LOG["asynchronous"]:
        _LOG["pending"] += fake_duration(k)  # queued: the time passes when someone waits for it
    else:
        _LOG["clock"] += fake_duration(k)


def _waited_for_gpu() -> None:
    _event("s")
    _LOG["clock"] += _LOG["pending"]
    _LOG["pending"] = 0.0


def recording(result, *args, **kwargs) -> dict:
    """probe: the events logged while the function ran."""
    return {"events": "".join(_LOG.get("events", []))}


_MATMULS = {aten.mm, aten.bmm, aten.addmm, aten.baddbmm, aten.matmul, aten.dot, aten.mv, aten.addmv}
_COPIES = {aten.copy_, aten._to_copy, aten._copy_from, aten._copy_from_and_resize}


def _on_gpu(x) -> bool:
    return isinstance(x, torch.Tensor) and x.device.type in ("cuda", "mps")


class _Recorder(TorchDispatchMode):
    """Logs matmuls, and the implicit waits of reading a GPU tensor back (``.item()``, ``.cpu()``)."""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        packet = func.overloadpacket
        on_gpu = any(_on_gpu(x) for x in pytree.tree_leaves((args, kwargs)))
        if packet in _MATMULS:
            _matmul_ran(on_gpu)
        out = func(*args, **kwargs)
        if on_gpu and (packet is aten._local_scalar_dense
                       or packet in _COPIES and isinstance(out, torch.Tensor) and not _on_gpu(out)):
            _waited_for_gpu()
        return out


# ------------------------------------------------------------ the simulated GPU

_SIMULATED = torch.device("cuda", 0)
_CPU = torch.device("cpu")


def _is_cuda(device) -> bool:
    if isinstance(device, str):
        return device.startswith("cuda")
    return isinstance(device, torch.device) and device.type == "cuda"


class SimulatedCudaTensor(torch.Tensor):
    """A tensor that reports device cuda:0 while its data stay on the CPU (in ``cpu_data``)."""

    @staticmethod
    def __new__(cls, data: torch.Tensor):
        return torch.Tensor._make_wrapper_subclass(
            cls, data.shape, strides=data.stride(), storage_offset=data.storage_offset(),
            dtype=data.dtype, layout=data.layout, device=_SIMULATED, requires_grad=False)

    def __init__(self, data: torch.Tensor):
        self.cpu_data = data.detach()

    __torch_function__ = torch._C._disabled_torch_function_impl

    def __repr__(self, *, tensor_contents=None) -> str:
        text = repr(self.cpu_data)
        return text[:-1] + ", device='cuda:0')"

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        leaves = pytree.tree_leaves((args, kwargs))
        if func.overloadpacket not in _COPIES:
            for x in leaves:
                # A zero-dim CPU tensor may join a GPU operation, as on a real GPU.
                if isinstance(x, torch.Tensor) and not isinstance(x, cls) and x.dim() > 0:
                    raise RuntimeError("Expected all tensors to be on the same device, but found at least "
                                       f"two devices, cuda:0 and {x.device}!")

        def unwrap(x):
            if isinstance(x, cls):
                return x.cpu_data
            return _CPU if _is_cuda(x) else x

        out = func(*pytree.tree_map(unwrap, args), **pytree.tree_map(unwrap, kwargs))
        if func.overloadpacket is aten._to_copy and kwargs.get("device") is not None \
                and torch.device(kwargs["device"]).type == "cpu":
            return out
        wrappers = {id(x.cpu_data): x for x in leaves if isinstance(x, cls)}
        plain = {id(x) for x in leaves if isinstance(x, torch.Tensor) and not isinstance(x, cls)}

        def rewrap(x):
            if not isinstance(x, torch.Tensor):
                return x
            if id(x) in wrappers:  # an in-place operation returns its own input
                return wrappers[id(x)]
            if id(x) in plain:  # copy_ into a CPU tensor
                return x
            return cls(x)

        return pytree.tree_map(rewrap, out)


def _onto_simulated_gpu(t: torch.Tensor, dtype: torch.dtype | None = None, copy: bool = False) -> torch.Tensor:
    dtype = dtype or t.dtype
    if isinstance(t, SimulatedCudaTensor):
        if dtype == t.dtype and not copy:
            return t  # already there: .to() returns the tensor itself
        return SimulatedCudaTensor(t.cpu_data.to(dtype=dtype, copy=True))
    # A real move copies; the copy cannot record autograd history here, so it does not require grad.
    return SimulatedCudaTensor(t.detach().to(dtype=dtype, copy=True))


_GUARDED = {torch.Tensor.__getitem__, torch.Tensor.__setitem__, torch.Tensor.__float__, torch.Tensor.__int__,
            torch.Tensor.__bool__, torch.Tensor.__index__, torch.Tensor.tolist}


class _PlaceOnSimulatedGpu(TorchFunctionMode):
    """Routes tensors created on, or moved to, "cuda" onto the simulated GPU."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is torch.Tensor.to:
            copy = kwargs.pop("copy", False)
            device, dtype, _, _ = torch._C._nn._parse_to(*args[1:], **kwargs)
            if _is_cuda(device):
                return _onto_simulated_gpu(args[0], dtype, copy)
            return func(*args, copy=copy, **kwargs)
        if func is torch.Tensor.cuda:
            return _onto_simulated_gpu(args[0])
        if func in _GUARDED and args and isinstance(args[0], SimulatedCudaTensor):
            # These run under a device guard, which a torch without CUDA lacks: use the data.
            rest = pytree.tree_map(lambda x: x.cpu_data if isinstance(x, SimulatedCudaTensor) else x, args[1:])
            if func is torch.Tensor.__getitem__:
                return SimulatedCudaTensor(args[0].cpu_data[rest[0]])
            if func is not torch.Tensor.__setitem__:
                _waited_for_gpu()  # a Python number or list from GPU data waits for the GPU
            return func(args[0].cpu_data, *rest, **kwargs)
        if func is torch.as_tensor and args and isinstance(args[0], torch.Tensor) \
                and _is_cuda(kwargs.get("device")):
            return _onto_simulated_gpu(args[0], kwargs.get("dtype"))
        if _is_cuda(kwargs.get("device")):
            kwargs["device"] = "cpu"
            created = func(*args, **kwargs)
            return pytree.tree_map(
                lambda x: x if not isinstance(x, torch.Tensor) or isinstance(x, SimulatedCudaTensor)
                else SimulatedCudaTensor(x).requires_grad_(x.requires_grad), created)
        return func(*args, **kwargs)


class _SimulatedStream:
    def synchronize(self) -> None:
        _waited_for_gpu()

    def wait_stream(self, other) -> None:
        pass


# ------------------------------------------------------------------ the setup


def _mine() -> bool:
    """Only the thread that runs the student's function is watched (a notebook kernel has others)."""
    return threading.get_ident() == _LOG.get("thread")


def _clock(original: Callable, scale: int) -> Callable:
    def read(*args, **kwargs):
        if not _mine():
            return original(*args, **kwargs)
        _event("c")
        if not _LOG["fake"]:
            return original(*args, **kwargs)
        return _LOG["clock"] if scale == 1 else int(round(_LOG["clock"] * scale))

    read.__name__ = getattr(original, "__name__", "clock")
    return read


def _waiting(original: Callable | None, *, raises: BaseException | None = None) -> Callable:
    """A synchronize that is logged once it has waited (or raises as on a machine without that GPU)."""

    def synchronize(*args, **kwargs):
        if raises is not None:
            raise type(raises)(*raises.args)
        result = original(*args, **kwargs) if original is not None else None
        if _mine():
            _waited_for_gpu()
        return result

    return synchronize


def machine(*, cuda: int | None = None, mps: bool | None = None, gpu: bool = False,
            fake_clock: bool = False) -> Callable[[], None]:
    """setup: make the student's process the machine described, and log what the function does.

    ``cuda`` GPUs (None: as this machine has), MPS or not (None: as this machine has); ``gpu``
    adds the simulated CUDA GPU (one, and no MPS); ``fake_clock`` makes time pass by
    :func:`fake_duration` per matmul. Returns the undo.
    """
    real_cuda = torch.cuda.is_available()
    if gpu:
        cuda, mps = 1 if not cuda else cuda, False
    _reset_log(fake_clock=fake_clock, asynchronous=gpu)
    with contextlib.ExitStack() as stack:
        stack.callback(_LOG.__setitem__, "thread", None)  # undone last: the thread is no longer watched

        def patch(owner, name: str, value) -> None:
            # create=True: an attribute this torch lacks is added, and removed again by the undo.
            stack.enter_context(mock.patch.object(owner, name, value, create=True))

        for name, scale in (("perf_counter", 1), ("monotonic", 1), ("time", 1),
                            ("perf_counter_ns", 10**9), ("monotonic_ns", 10**9), ("time_ns", 10**9)):
            patch(time, name, _clock(getattr(time, name), scale))
        patch(timeit, "default_timer", time.perf_counter)

        if cuda is not None:
            patch(torch.cuda, "is_available", lambda: cuda > 0)
            patch(torch.cuda, "device_count", lambda: cuda)
        if mps is not None:
            patch(torch.backends.mps, "is_available", lambda: mps)
            patch(torch.backends.mps, "is_built", lambda: mps)
            patch(torch.mps, "device_count", lambda: int(mps))
            patch(torch.mps, "is_available", lambda: mps)
        if cuda is not None or mps is not None:
            has_cuda = cuda > 0 if cuda is not None else torch.cuda.is_available()
            has_mps = mps if mps is not None else torch.backends.mps.is_available()
            first = torch.device("cuda") if has_cuda else torch.device("mps") if has_mps else None
            patch(torch.accelerator, "is_available", lambda: first is not None)
            patch(torch.accelerator, "device_count",
                  lambda: 0 if first is None else torch.cuda.device_count() if has_cuda else 1)
            patch(torch.accelerator, "current_accelerator", lambda check_available=False: first)

        if gpu:
            patch(torch.cuda, "current_device", lambda: 0)
            patch(torch.cuda, "get_device_name", lambda device=None: "simulated GPU")
            patch(torch.cuda, "synchronize", _waiting(None))
            patch(torch.cuda, "current_stream", lambda device=None: _SimulatedStream())
            patch(torch.accelerator, "synchronize", _waiting(None))
        elif cuda == 0:
            patch(torch.cuda, "synchronize",
                  _waiting(None, raises=AssertionError("Torch not compiled with CUDA enabled")))
        else:
            patch(torch.cuda, "synchronize", _waiting(torch.cuda.synchronize))
            if real_cuda:
                patch(torch.cuda.Stream, "synchronize", _waiting(torch.cuda.Stream.synchronize))
                patch(torch.cuda.Event, "synchronize", _waiting(torch.cuda.Event.synchronize))
        if mps is False:
            patch(torch.mps, "synchronize",
                  _waiting(None, raises=RuntimeError("Cannot execute deviceSynchronize() without MPS backend.")))
        else:
            patch(torch.mps, "synchronize", _waiting(torch.mps.synchronize))
        if not gpu:
            patch(torch.accelerator, "synchronize", _waiting(torch.accelerator.synchronize))

        for mode in [_Recorder()] + ([_PlaceOnSimulatedGpu()] if gpu else []):
            stack.enter_context(mode)
        # Nothing failed: the patches and modes stay on until the undo (on a failure, the with undoes them).
        return stack.pop_all().close

