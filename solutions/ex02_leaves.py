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
    ### BEGIN SOLUTION
    a = w + x
    b = w + 1
    # Must come before backward: it asks autograd to keep a gradient it is about to compute.
    a.retain_grad()
    b.retain_grad()
    y = a * b
    y.backward()
    # y is not a leaf and was not retained, so its .grad is None (reading y.grad would warn).
    return {"w": w.grad, "x": x.grad, "a": a.grad, "b": b.grad, "y": None}
    ### END SOLUTION


def grad_of_intermediate(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/da = b = w + 1, seen by a hook on a while backward runs."""
    ### BEGIN SOLUTION
    # A fresh leaf: backward must not leave a gradient in the caller's w or x.
    w = w.detach().requires_grad_(True)
    a = w + x.detach()
    seen = {}
    # The hook is called with dy/da when backward reaches a; it must be registered before.
    a.register_hook(lambda grad: seen.setdefault("a", grad))
    y = a * (w + 1)
    y.backward(torch.ones_like(y))  # the same as y.backward() when y holds one number
    return seen["a"]
    ### END SOLUTION


def make_leaf(values, *, dtype: torch.dtype = torch.float32, device="cpu") -> torch.Tensor:
    """A leaf holding `values` with that dtype and device, requiring grad."""
    ### BEGIN SOLUTION
    # Convert first, then switch on requires_grad: a .to()/.cuda() applied after would
    # be recorded as an operation, and its result would not be a leaf.
    leaf = torch.as_tensor(values, dtype=dtype, device=device).detach().clone()
    return leaf.requires_grad_(True)
    ### END SOLUTION
