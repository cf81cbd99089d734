"""ex05_accumulation: .grad accumulates; zero_grad, retain_graph and gradient accumulation.

``backward`` adds into a leaf's ``.grad`` instead of overwriting it. On ex01's
y = (x + w) * (w + 1), n backward calls without clearing leave n * dy/dw = n (2w + x + 1).

A training step is therefore  zero_grad -> forward -> backward -> step.  Without
zero_grad, step k follows the sum of the gradients of steps 1..k; with zero_grad
between backward and step, step finds no gradient and the parameters never move.

Gradient accumulation uses the adding on purpose: for B equal batches with mean losses
L_i, backpropagating L_i / B for each leaves (1/B) sum_i grad L_i in .grad, which is
the gradient of the mean loss over all the examples at once.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch


def grad_after_n_backwards(w: torch.Tensor, x: torch.Tensor, n: int) -> torch.Tensor:
    """n backward calls through n fresh graphs on a leaf copy of w, never zeroed: n * dy/dw."""
    # YOUR CODE HERE
    raise NotImplementedError()


def backward_twice_same_graph(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Two backward calls through one graph on a leaf copy of w: 2 * dy/dw."""
    # YOUR CODE HERE
    raise NotImplementedError()


def train_linear(theta0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> torch.Tensor:
    """theta after `steps` SGD steps on ((X @ theta - y) ** 2).mean(), from a leaf copy of theta0."""
    # YOUR CODE HERE
    raise NotImplementedError()


def accumulated_gradient(loss_fn: Callable[[Sequence[torch.Tensor], object], torch.Tensor],
                         params: Sequence[torch.Tensor], batches: Sequence[object]) -> list[torch.Tensor]:
    """(1/B) sum over the B batches of grad loss_fn(params, batch), left in each param's .grad."""
    # YOUR CODE HERE
    raise NotImplementedError()
