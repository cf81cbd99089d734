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
    ### BEGIN SOLUTION
    # A fresh leaf, and x out of the graph: the caller's w.grad and x.grad stay untouched.
    w = w.detach().clone().requires_grad_(True)
    x = x.detach()
    for _ in range(n):
        # The sum: y may hold several numbers, and each depends on one w[i] only.
        ((x + w) * (w + 1)).sum().backward()
    return w.grad
    ### END SOLUTION


def backward_twice_same_graph(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Two backward calls through one graph on a leaf copy of w: 2 * dy/dw."""
    ### BEGIN SOLUTION
    w = w.detach().clone().requires_grad_(True)
    total = ((x.detach() + w) * (w + 1)).sum()
    # backward frees the tensors the graph saved (a and b for the product) unless told to keep them.
    total.backward(retain_graph=True)
    total.backward()
    return w.grad
    ### END SOLUTION


def train_linear(theta0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> torch.Tensor:
    """theta after `steps` SGD steps on ((X @ theta - y) ** 2).mean(), from a leaf copy of theta0."""
    ### BEGIN SOLUTION
    theta = theta0.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    for _ in range(steps):
        # Before backward: the step must see this step's gradient only.
        optimizer.zero_grad()
        mse = ((X @ theta - y) ** 2).mean()
        mse.backward()
        optimizer.step()
    return theta.detach()
    ### END SOLUTION


def accumulated_gradient(loss_fn: Callable[[Sequence[torch.Tensor], object], torch.Tensor],
                         params: Sequence[torch.Tensor], batches: Sequence[object]) -> list[torch.Tensor]:
    """(1/B) sum over the B batches of grad loss_fn(params, batch), left in each param's .grad."""
    ### BEGIN SOLUTION
    for p in params:
        p.grad = None
    for batch in batches:
        # Scaled so that the sum over batches is the gradient of the mean, not B times it.
        (loss_fn(params, batch) / len(batches)).backward()
    # Copies: the caller's next zero_grad clears .grad in place, and would clear references too.
    return [p.grad.clone() for p in params]
    ### END SOLUTION
