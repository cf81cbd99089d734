"""ex06_linear_regression: linear regression from scratch, d2l style.

The model and its loss, for a batch of n examples with d features:

    y_hat = X @ w + b                       X: (n, d), w: (d, 1), b: (1,)
    l_i   = (y_hat_i - y_i) ** 2 / 2        L = sum_i l_i

Minibatch SGD moves each parameter against the gradient of the batch's summed loss,
divided by the batch size:  p <- p - lr * dL/dp / batch_size.  By hand, with
r = y_hat - y (the residuals, shape (n, 1)):

    dL/dw = X^T r        dL/db = sum_i r_i
"""
from __future__ import annotations

import torch


def synthetic_data(w: torch.Tensor, b: float, num_examples: int,
                   generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """X ~ N(0, 1) of shape (num_examples, len(w)); y = X @ w + b + N(0, 0.01^2) noise, shape (num_examples, 1).

    X and the noise are both drawn from ``generator``, in either order.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def data_iter(batch_size: int, features: torch.Tensor, labels: torch.Tensor,
              generator: torch.Generator | None = None):
    """Yield (X_batch, y_batch) over one shuffled pass: every example once, the last batch may be smaller."""
    # YOUR CODE HERE
    raise NotImplementedError()


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear model y_hat = X @ w + b."""
    # YOUR CODE HERE
    raise NotImplementedError()


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Elementwise (y_hat - y) ** 2 / 2, with y reshaped to y_hat's shape."""
    # YOUR CODE HERE
    raise NotImplementedError()


def sgd(params: list[torch.Tensor], lr: float, batch_size: int) -> None:
    """In place, p -= lr * p.grad / batch_size without recording history; then zero p.grad."""
    # YOUR CODE HERE
    raise NotImplementedError()


def squared_loss_grads(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor,
                       b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """dL/dw = X^T r and dL/db = sum(r), r = X @ w + b - y, for L = sum((X @ w + b - y) ** 2 / 2); no autograd."""
    # YOUR CODE HERE
    raise NotImplementedError()


def train(features: torch.Tensor, labels: torch.Tensor, lr: float = 0.03, num_epochs: int = 3,
          batch_size: int = 10, generator: torch.Generator | None = None):
    """Minibatch SGD from w ~ N(0, 0.01^2) (d, 1) and b = 0; returns (w, b, mean loss after each epoch)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def loss_for_graph(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """squared_loss(linreg(X, w, b), y).sum(): the scalar whose backward graph we draw."""
    # YOUR CODE HERE
    raise NotImplementedError()
