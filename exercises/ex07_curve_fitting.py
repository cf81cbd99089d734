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
    # YOUR CODE HERE
    raise NotImplementedError()


def fit_model(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """theta[0] * X + theta[1] * sin(X) + theta[2] * cos(X / 4)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def fit(X: torch.Tensor, yt: torch.Tensor, epochs: int = 500, lr: float = 0.01,
        generator: torch.Generator | None = None) -> tuple[torch.Tensor, list[float]]:
    """SGD on nn.MSELoss()(fit_model(theta, X), yt) from theta = randn(3, generator); returns (theta, losses).

    losses[i] is epoch i's loss, recorded before that epoch's step.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def theta_grad_by_hand(theta: torch.Tensor, X: torch.Tensor, yt: torch.Tensor) -> torch.Tensor:
    """dL/dtheta = 2 / n * F^T (F @ theta - yt) for L = mean((fit_model(theta, X) - yt) ** 2), without autograd."""
    # YOUR CODE HERE
    raise NotImplementedError()


def plot_fit(X: torch.Tensor, y: torch.Tensor, yt: torch.Tensor, yhat: torch.Tensor):
    """One axes: yt as points, y and yhat as lines, each labelled with its name, and a legend. No plt.show()."""
    # YOUR CODE HERE
    raise NotImplementedError()
