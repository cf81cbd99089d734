"""ex03_detach: `requires_grad=False` versus `.detach()`, on h = w * x + b.

A tensor that does not require grad is never recorded: it stays out of the graph.
`t.detach()` is a new tensor that shares `t`'s storage but no history, so every path that
goes through it is cut out of a graph that exists. Uses of a cut path (the values still
flow forward, the gradient does not):

    w * x.detach() + b            dh/dw = x, dh/db = 1, nothing reaches x
    w * x + w.detach() ** 2       value w*x + w**2, dy/dw = x
    x + (round(x) - x).detach()   value round(x), gradient 1 (straight-through)
"""
from __future__ import annotations

import torch


def h_without_x(w: torch.Tensor, x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """h = w * x + b with x out of the graph: gradients reach w and b only."""
    ### BEGIN SOLUTION
    # Not x.requires_grad_(False): that would change the caller's x.
    return w * x.detach() + b
    ### END SOLUTION


def partial_stop(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """y = w * x + w ** 2 in value, with dy/dw = x: the w ** 2 term passes no gradient."""
    ### BEGIN SOLUTION
    return w * x + w.detach() ** 2
    ### END SOLUTION


def straight_through_round(x: torch.Tensor) -> torch.Tensor:
    """round(x) going forward, the identity going backward (dy/dx = 1)."""
    ### BEGIN SOLUTION
    # round's own gradient is zero almost everywhere; only the x outside the detach is seen.
    return x + (torch.round(x) - x).detach()
    ### END SOLUTION


def snapshot(t: torch.Tensor) -> torch.Tensor:
    """A copy of t's current values: no history, no requires_grad, its own storage."""
    ### BEGIN SOLUTION
    # detach() alone shares t's storage, so a later in-place edit of t would show through.
    return t.detach().clone()
    ### END SOLUTION
