"""ex07_curve_fitting: fitting y = a·x + b·sin(x) + c·cos(x/4) with autograd and SGD.

The data come from the curve  y = 0 * x + 1.5 * sin(x) + 1.2 * cos(x / 4)  plus noise,
yt = y + noise. The model is linear in theta = (a, b, c) over three features,

    yhat = F @ theta,   F = [x, sin(x), cos(x / 4)]   (one row per point),

and the loss is the mean squared error against the noisy yt,

    L = mean((yhat - yt) ** 2),   dL/dtheta = 2 / n * F^T (yhat - yt).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from torch import nn


def make_data(n: int = 1000, noise: float = 1.0,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """X = linspace(-10, 10, n), y = 1.5 sin(X) + 1.2 cos(X / 4), yt = y + noise * N(0, 1) from ``generator``."""
    ### BEGIN SOLUTION
    X = torch.linspace(-10, 10, n)
    y = 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4)
    yt = y + noise * torch.randn(n, generator=generator)
    return X, y, yt
    ### END SOLUTION


def fit_model(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """theta[0] * X + theta[1] * sin(X) + theta[2] * cos(X / 4)."""
    ### BEGIN SOLUTION
    return theta[0] * X + theta[1] * torch.sin(X) + theta[2] * torch.cos(X / 4)
    ### END SOLUTION


def fit(X: torch.Tensor, yt: torch.Tensor, epochs: int = 500, lr: float = 0.01,
        generator: torch.Generator | None = None) -> tuple[torch.Tensor, list[float]]:
    """SGD on nn.MSELoss()(fit_model(theta, X), yt) from theta = randn(3, generator); returns (theta, losses).

    losses[i] is epoch i's loss, recorded before that epoch's step.
    """
    ### BEGIN SOLUTION
    # Drawn on the CPU with the generator, then moved next to the data (ex08 runs this on a GPU).
    theta = torch.randn(3, generator=generator).to(device=X.device, dtype=X.dtype).requires_grad_(True)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(fit_model(theta, X), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return theta.detach(), losses
    ### END SOLUTION


def theta_grad_by_hand(theta: torch.Tensor, X: torch.Tensor, yt: torch.Tensor) -> torch.Tensor:
    """dL/dtheta = 2 / n * F^T (F @ theta - yt) for L = mean((fit_model(theta, X) - yt) ** 2), without autograd."""
    ### BEGIN SOLUTION
    features = torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)
    residual = features @ theta - yt
    return 2 / len(X) * features.T @ residual
    ### END SOLUTION


def plot_fit(X: torch.Tensor, y: torch.Tensor, yt: torch.Tensor, yhat: torch.Tensor):
    """One axes: yt as points, y and yhat as lines, each labelled with its name, and a legend. No plt.show()."""
    ### BEGIN SOLUTION
    fig, ax = plt.subplots()
    ax.scatter(X, yt, s=4, color="0.6", label="yt")
    ax.plot(X, y, label="y")
    ax.plot(X, yhat, label="yhat")
    ax.set_xlabel("x")
    ax.legend()
    # The caller decides whether to show, save or close the figure.
    return fig
    ### END SOLUTION
