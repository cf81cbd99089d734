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
    ### BEGIN SOLUTION
    # A prediction written out by hand, for torch 2.13; the grader runs every case on the installed torch.
    return {
        "b = a.sigmoid(); b.mul_(2)": True,       # sigmoid saved its output b
        "b = a * 2; b.add_(1)": False,            # times a constant: nothing saved
        "b = a.exp(); b.add_(1)": True,           # exp saved its output b
        "b = a ** 2; b.add_(1)": False,           # pow saved its input a, not b
        "b = a.sin(); b.add_(1)": False,          # sin saved its input a
        "b = a.tanh(); b.add_(1)": True,          # tanh saved its output b
        "b = a.relu(); b.zero_()": True,          # relu saved its output b (where it is positive)
        "b = a.clone(); b[0] = 0": False,         # clone saves nothing
        "a.add_(1); b = a": True,                 # a leaf that requires grad: refused at once
        "b = a.view(3); b.mul_(2)": True,         # a view of such a leaf: refused at once
        "b = (a * 1).view(3); b.mul_(2)": False,  # a view of a non-leaf whose op saved nothing
        "b = a.clone(); c = b * b; b.add_(1); b = c": True,  # b * b saved b, edited before backward
    }
    ### END SOLUTION


def version_counts(a: torch.Tensor) -> list[int]:
    """t._version of t = a.detach().clone() after: creation, t.add_(1), t[0] = 5, t.view(-1).mul_(2),
    t.detach().zero_()."""
    ### BEGIN SOLUTION
    # clone: a.detach() alone would share a's memory and a's counter.
    t = a.detach().clone()
    counts = [t._version]
    t.add_(1)
    counts.append(t._version)
    t[0] = 5  # an in-place copy into a view of t
    counts.append(t._version)
    u = t.view(-1)
    u.mul_(2)  # a view shares its base's counter
    counts.append(t._version)
    t.detach().zero_()  # so does a detached tensor; only .data would hide the edit
    counts.append(t._version)
    return counts
    ### END SOLUTION


def saved_tensor_shapes(fn: Callable[..., object], *inputs: torch.Tensor) -> list[tuple[int, ...]]:
    """The shape of every tensor autograd saves while fn(*inputs) runs, in saving order, repeats kept."""
    ### BEGIN SOLUTION
    shapes = []

    def pack(saved: torch.Tensor) -> torch.Tensor:
        # Called once per saving: x * x calls it twice with the same x.
        shapes.append(tuple(saved.shape))
        return saved

    # On the inputs as given: what is saved depends on which of them require grad.
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda saved: saved):
        fn(*inputs)
    return shapes
    ### END SOLUTION


def saved_bytes(fn: Callable[..., object], *inputs: torch.Tensor) -> int:
    """The total numel() * element_size() of the tensors autograd saves while fn(*inputs) runs."""
    ### BEGIN SOLUTION
    sizes = []

    def pack(saved: torch.Tensor) -> torch.Tensor:
        # Not the storage's size: a saved view may cover a small part of a large storage.
        sizes.append(saved.numel() * saved.element_size())
        return saved

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda saved: saved):
        fn(*inputs)
    return sum(sizes)
    ### END SOLUTION


def checkpointed_mlp(x: torch.Tensor, weights: Sequence[torch.Tensor]) -> torch.Tensor:
    """h = x, then h = tanh(h @ w) for each w, each layer checkpointed: it saves its inputs only."""
    ### BEGIN SOLUTION
    def layer(h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return torch.tanh(h @ w)

    h = x
    for w in weights:
        # use_reentrant=False: the reentrant variant (still the default) does not work with
        # torch.autograd.grad and is on its way out.
        h = checkpoint(layer, h, w, use_reentrant=False)
    return h
    ### END SOLUTION
