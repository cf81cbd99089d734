"""Inspections that must happen where the result lives: in the student's process.

A probe receives what the student's function returned and the arguments it was
called with, and returns plain data. Graders name a probe; it runs right after the
call, in the same fork. (What a probe reports is still only a claim: the grader
checks it against its own reference.)
"""
from __future__ import annotations

import torch

from grading import graphs


def render(result, *args, output: int | None = None, params: dict[str, int]) -> str:
    """The torchviz DOT source of the result (or of ``result[output]``)."""
    tensor = result if output is None else result[output]
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"expected a tensor to render, got {type(tensor).__name__}")
    return graphs.render_dot(tensor, {name: args[i] for name, i in params.items()})


def grad_fn_name(result, *args) -> str | None:
    """``type(result.grad_fn).__name__``, or None."""
    return None if result.grad_fn is None else type(result.grad_fn).__name__


def backward_grads(result, *args, output: int | None = None) -> list:
    """Backpropagate ``result`` (summed) and report each input's ``.grad``."""
    tensor = result if output is None else result[output]
    tensor.sum().backward()
    return [a.grad if isinstance(a, torch.Tensor) else None for a in args]
