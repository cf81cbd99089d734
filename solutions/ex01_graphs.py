"""ex01_graphs: what a computational graph is, on y = (x + w) * (w + 1).

    a = w + x        b = w + 1        y = a * b

w reaches y along two paths (through a and through b), x along one. The chain rule
sums over paths:  dy/dw = dy/da * da/dw + dy/db * db/dw = b * 1 + a * 1.
"""
from __future__ import annotations

import torch


def build_graph(w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """a = w + x, b = w + 1, y = a * b, recorded by autograd; returns (a, b, y)."""
    ### BEGIN SOLUTION
    a = w + x
    b = w + 1
    y = a * b
    return a, b, y
    ### END SOLUTION


def dy_dw_by_hand(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/dw by the chain rule, summed over both paths from w to y, without autograd."""
    ### BEGIN SOLUTION
    a = w + x
    b = w + 1
    return b * 1 + a * 1
    ### END SOLUTION


def dy_dw_autograd(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/dw through autograd, leaving the caller's w.grad and x.grad as they were."""
    ### BEGIN SOLUTION
    # Fresh leaves: backward on the caller's w would accumulate into its .grad.
    w = w.detach().requires_grad_(True)
    y = (x.detach() + w) * (w + 1)
    # Each y[i] depends on w[i] alone, so the gradient of the sum is dy/dw elementwise.
    (dy_dw,) = torch.autograd.grad(y.sum(), w)
    return dy_dw
    ### END SOLUTION


def backward_node_names(t: torch.Tensor) -> list[str]:
    """Names of every node reachable from t.grad_fn, each once, breadth first along next_functions."""
    ### BEGIN SOLUTION
    if t.grad_fn is None:
        return []
    names, seen, queue = [], {t.grad_fn}, [t.grad_fn]
    while queue:
        node = queue.pop(0)
        names.append(type(node).__name__)
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                queue.append(child)
    return names
    ### END SOLUTION


def count_paths(root: torch.Tensor, leaf: torch.Tensor) -> int:
    """Number of distinct edge paths from root.grad_fn to leaf's AccumulateGrad node (0 if none)."""
    ### BEGIN SOLUTION
    memo = {}  # shared sub-graphs are counted once per node, not once per path

    def paths_from(node) -> int:
        if node is None:
            return 0
        if getattr(node, "variable", None) is leaf:
            return 1
        if node not in memo:
            memo[node] = sum(paths_from(child) for child, _ in node.next_functions)
        return memo[node]

    return paths_from(root.grad_fn)
    ### END SOLUTION
