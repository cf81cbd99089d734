"""ex09_inplace: in-place operations, version counters and the tensors autograd saves.

An operation that needs a value for its backward saves it when it runs: ``a.sigmoid()``,
``a.exp()``, ``a.tanh()`` and ``a.relu()`` save their output (d sigmoid(a)/da =
s (1 - s), d e^a/da = e^a, d tanh(a)/da = 1 - t^2, relu's mask is where the output is
positive); ``a ** 2`` and ``a.sin()`` save their input (2a, cos a); ``a * 2`` saves no
tensor (its derivative is the constant 2). Editing a saved tensor in place makes the
saved values wrong, so every tensor carries a version counter (``t._version``), bumped by
each in-place operation on it or on anything sharing it (a view, ``t.detach()``); backward
compares it with the version recorded at saving time and raises on a mismatch. An in-place
operation on a leaf that requires grad, or on a view of one, raises at once.

``torch.autograd.graph.saved_tensors_hooks(pack, unpack)`` sees every saved tensor:
``pack(t)`` runs when the forward saves ``t``, ``unpack`` when backward reads it back.
Checkpointing (``torch.utils.checkpoint.checkpoint``) saves only a block's inputs and
recomputes the rest during backward: less memory for more compute.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch.utils.checkpoint import checkpoint

# The statements predict_inplace_errors predicts for. Each runs with a fresh `a`, a leaf of
# 3 float32 values that requires grad, and leaves its result in `b`; then b.sum().backward().
INPLACE_CASES = (
    "b = a.sigmoid(); b.mul_(2)",
    "b = a * 2; b.add_(1)",
    "b = a.exp(); b.add_(1)",
    "b = a ** 2; b.add_(1)",
    "b = a.sin(); b.add_(1)",
    "b = a.tanh(); b.add_(1)",
    "b = a.relu(); b.zero_()",
    "b = a.clone(); b[0] = 0",
    "a.add_(1); b = a",
    "b = a.view(3); b.mul_(2)",
    "b = (a * 1).view(3); b.mul_(2)",
    "b = a.clone(); c = b * b; b.add_(1); b = c",
)


def predict_inplace_errors() -> dict[str, bool]:
    """For each statement of INPLACE_CASES: does running it, then b.sum().backward(), raise a RuntimeError?"""
    # YOUR CODE HERE
    raise NotImplementedError()


def version_counts(a: torch.Tensor) -> list[int]:
    """t._version of t = a.detach().clone() after: creation, t.add_(1), t[0] = 5, t.view(-1).mul_(2),
    t.detach().zero_()."""
    # YOUR CODE HERE
    raise NotImplementedError()


def saved_tensor_shapes(fn: Callable[..., object], *inputs: torch.Tensor) -> list[tuple[int, ...]]:
    """The shape of every tensor autograd saves while fn(*inputs) runs, in saving order, repeats kept."""
    # YOUR CODE HERE
    raise NotImplementedError()


def saved_bytes(fn: Callable[..., object], *inputs: torch.Tensor) -> int:
    """The total numel() * element_size() of the tensors autograd saves while fn(*inputs) runs."""
    # YOUR CODE HERE
    raise NotImplementedError()


def checkpointed_mlp(x: torch.Tensor, weights: Sequence[torch.Tensor]) -> torch.Tensor:
    """h = x, then h = tanh(h @ w) for each w, each layer checkpointed: it saves its inputs only."""
    # YOUR CODE HERE
    raise NotImplementedError()
