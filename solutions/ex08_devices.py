"""ex08_devices: where tensors live, and moving work between the CPU and a GPU.

Every tensor lives on one device, ``t.device``: the CPU, a CUDA GPU (``cuda:0``, ``cuda:1``, ...)
or Apple's MPS. An operation runs on the device of its inputs, which must all be on the same one
(a zero-dim CPU tensor excepted). ``t.to(device)`` returns ``t`` itself when it is already there,
and a copy on ``device`` otherwise.

A GPU runs asynchronously: a call returns as soon as its work is queued. A clock reading measures
the work only once the program has waited for it, so a GPU timing synchronises before each reading:

    warm-up;  wait;  repeat { t0 = clock();  a @ b;  wait;  t1 = clock() }  ->  median(t1 - t0)
"""
from __future__ import annotations

import statistics
import time
from typing import Any

import torch

from ex07_curve_fitting import fit


def pick_device(prefer: str | None = None) -> torch.device:
    """CUDA if available, else MPS if available, else the CPU; or ``prefer`` when it is available.

    An unavailable preference raises ValueError naming it and the devices that are available.
    """
    ### BEGIN SOLUTION
    cuda = torch.cuda.is_available()
    mps = torch.backends.mps.is_available()
    if prefer is None:
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    count = torch.cuda.device_count() if cuda else 0
    available = ["cpu"] + [f"cuda:{i}" for i in range(count)] + (["mps"] if mps else [])
    try:
        wanted = torch.device(prefer)
    except RuntimeError:  # not a device name at all, such as "gpu"
        wanted = None
    if wanted is not None and (wanted.type == "cpu" or wanted.type == "mps" and mps
                               or wanted.type == "cuda" and (wanted.index or 0) < count):
        return wanted
    raise ValueError(f"device {prefer!r} is not available here; available devices: {', '.join(available)}")
    ### END SOLUTION


def move_to(obj: Any, device: torch.device | str) -> Any:
    """``obj`` with every tensor moved to ``device``, through dicts, lists, tuples and named tuples.

    Containers keep their types; other values come back unchanged; a tensor already on ``device``
    comes back as it is, not copied.
    """
    ### BEGIN SOLUTION
    if isinstance(obj, torch.Tensor):
        # .to() returns the tensor itself when nothing needs to change.
        return obj.to(device)
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        # A named tuple's constructor takes its fields one by one, not an iterable.
        return type(obj)(*(move_to(value, device) for value in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(move_to(value, device) for value in obj)
    return obj
    ### END SOLUTION


def fit_on(device: torch.device | str, X: torch.Tensor, yt: torch.Tensor, epochs: int = 500, lr: float = 0.01,
           generator: torch.Generator | None = None) -> tuple[torch.Tensor, list[float]]:
    """ex07's ``fit`` with the data and theta on ``device``; theta comes back on the CPU.

    theta starts as ``torch.randn(3, generator=generator)`` on the CPU and is then moved, so the
    same seed gives the same start, and the same result, on every device.
    """
    ### BEGIN SOLUTION
    # fit draws theta on the CPU and moves it next to X, so moving the data moves the whole fit.
    theta, losses = fit(X.to(device), yt.to(device), epochs=epochs, lr=lr, generator=generator)
    return theta.cpu(), losses
    ### END SOLUTION


def time_matmul(n: int, device: torch.device | str, repeats: int = 10) -> float:
    """Median seconds of one n x n float32 matmul on ``device``, timed after a warm-up call.

    On a GPU the device is synchronised before each clock reading, so that the clock measures the
    matmul and not only the queueing of it.
    """
    ### BEGIN SOLUTION
    device = torch.device(device)
    a = torch.randn(n, n, dtype=torch.float32, device=device)
    b = torch.randn(n, n, dtype=torch.float32, device=device)

    def wait() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elif device.type == "mps":
            torch.mps.synchronize()

    a @ b  # warm-up: the first call pays for loading kernels and allocating memory
    wait()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        wait()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)
    ### END SOLUTION
