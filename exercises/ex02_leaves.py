"""ex02_leaves: leaves, `.grad`, `retain_grad` and hooks, on ex01's y = (x + w) * (w + 1).

    a = w + x        b = w + 1        y = a * b

Autograd records every operation on a tensor that requires grad, but `backward` stores a
gradient in `.grad` only for leaves (tensors made by the user, not computed). For the
intermediate results the chain rule still computes one on its way through:
dy/da = b, dy/db = a; it is dropped unless asked for with `retain_grad` or seen by a hook.
"""
from __future__ import annotations

import torch


def grads_after_backward(w: torch.Tensor, x: torch.Tensor) -> dict[str, torch.Tensor | None]:
    """After y.backward() with a and b retained: {"w": b + a, "x": b, "a": b, "b": a, "y": None}."""
    # YOUR CODE HERE
    raise NotImplementedError()


def grad_of_intermediate(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/da = b = w + 1, seen by a hook on a while backward runs."""
    # YOUR CODE HERE
    raise NotImplementedError()


def make_leaf(values, *, dtype: torch.dtype = torch.float32, device="cpu") -> torch.Tensor:
    """A leaf holding `values` with that dtype and device, requiring grad."""
    # YOUR CODE HERE
    raise NotImplementedError()
