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
    # YOUR CODE HERE
    raise NotImplementedError()


def move_to(obj: Any, device: torch.device | str) -> Any:
    """``obj`` with every tensor moved to ``device``, through dicts, lists, tuples and named tuples.

    Containers keep their types; other values come back unchanged; a tensor already on ``device``
    comes back as it is, not copied.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def fit_on(device: torch.device | str, X: torch.Tensor, yt: torch.Tensor, epochs: int = 500, lr: float = 0.01,
           generator: torch.Generator | None = None) -> tuple[torch.Tensor, list[float]]:
    """ex07's ``fit`` with the data and theta on ``device``; theta comes back on the CPU.

    theta starts as ``torch.randn(3, generator=generator)`` on the CPU and is then moved, so the
    same seed gives the same start, and the same result, on every device.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def time_matmul(n: int, device: torch.device | str, repeats: int = 10) -> float:
    """Median seconds of one n x n float32 matmul on ``device``, timed after a warm-up call.

    On a GPU the device is synchronised before each clock reading, so that the clock measures the
    matmul and not only the queueing of it.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
