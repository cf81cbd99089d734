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
    ### BEGIN SOLUTION
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    y = X @ w + b
    y = y + torch.normal(0.0, 0.01, y.shape, generator=generator)
    return X, y.reshape(-1, 1)
    ### END SOLUTION


def data_iter(batch_size: int, features: torch.Tensor, labels: torch.Tensor,
              generator: torch.Generator | None = None):
    """Yield (X_batch, y_batch) over one shuffled pass: every example once, the last batch may be smaller."""
    ### BEGIN SOLUTION
    num_examples = len(features)
    # One permutation for both tensors keeps each label with its features.
    indices = torch.randperm(num_examples, generator=generator)
    for start in range(0, num_examples, batch_size):
        batch = indices[start: start + batch_size]
        yield features[batch], labels[batch]
    ### END SOLUTION


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear model y_hat = X @ w + b."""
    ### BEGIN SOLUTION
    return X @ w + b
    ### END SOLUTION


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Elementwise (y_hat - y) ** 2 / 2, with y reshaped to y_hat's shape."""
    ### BEGIN SOLUTION
    # Without the reshape, (n, 1) - (n,) broadcasts to an (n, n) matrix.
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
    ### END SOLUTION


def sgd(params: list[torch.Tensor], lr: float, batch_size: int) -> None:
    """In place, p -= lr * p.grad / batch_size without recording history; then zero p.grad."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
    ### END SOLUTION


def squared_loss_grads(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor,
                       b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """dL/dw = X^T r and dL/db = sum(r), r = X @ w + b - y, for L = sum((X @ w + b - y) ** 2 / 2); no autograd."""
    ### BEGIN SOLUTION
    y_hat = X @ w + b
    # The 2 from the square cancels the / 2 of the loss.
    r = (y_hat - y.reshape(y_hat.shape)).reshape(len(X), -1)
    dw = (X.T @ r).reshape(w.shape)
    db = r.sum().reshape(b.shape)
    return dw, db
    ### END SOLUTION


def train(features: torch.Tensor, labels: torch.Tensor, lr: float = 0.03, num_epochs: int = 3,
          batch_size: int = 10, generator: torch.Generator | None = None):
    """Minibatch SGD from w ~ N(0, 0.01^2) (d, 1) and b = 0; returns (w, b, mean loss after each epoch)."""
    ### BEGIN SOLUTION
    w = torch.normal(0.0, 0.01, (features.shape[1], 1), generator=generator).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            loss = squared_loss(linreg(X, w, b), y).sum()
            loss.backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(squared_loss(linreg(features, w, b), labels).mean().item())
    return w.detach(), b.detach(), losses
    ### END SOLUTION


def loss_for_graph(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """squared_loss(linreg(X, w, b), y).sum(): the scalar whose backward graph we draw."""
    ### BEGIN SOLUTION
    return squared_loss(linreg(X, w, b), y).sum()
    ### END SOLUTION
