"""ex01_graphs: what a computational graph is, on y = (x + w) * (w + 1).

    a = w + x        b = w + 1        y = a * b

w reaches y along two paths (through a and through b), x along one. The chain rule
sums over paths:  dy/dw = dy/da * da/dw + dy/db * db/dw = b * 1 + a * 1.
"""
from __future__ import annotations

import torch


def build_graph(w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """a = w + x, b = w + 1, y = a * b, recorded by autograd; returns (a, b, y)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def dy_dw_by_hand(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/dw by the chain rule, summed over both paths from w to y, without autograd."""
    # YOUR CODE HERE
    raise NotImplementedError()


def dy_dw_autograd(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/dw through autograd, leaving the caller's w.grad and x.grad as they were."""
    # YOUR CODE HERE
    raise NotImplementedError()


def backward_node_names(t: torch.Tensor) -> list[str]:
    """Names of every node reachable from t.grad_fn, each once, breadth first along next_functions."""
    # YOUR CODE HERE
    raise NotImplementedError()


def count_paths(root: torch.Tensor, leaf: torch.Tensor) -> int:
    """Number of distinct edge paths from root.grad_fn to leaf's AccumulateGrad node (0 if none)."""
    # YOUR CODE HERE
    raise NotImplementedError()
