"""Gradients are never cleared, so every step uses the sum of all gradients so far."""
import torch
from torch import nn

CAUGHT_BY = ["test_fit_matches", "test_fit_approaches"]
MESSAGE = "forgot zero_grad: gradients accumulate"


def fit(X, yt, epochs=500, lr=0.01, generator=None):
    theta = torch.randn(3, generator=generator, requires_grad=True)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(fit_model(theta, X), yt)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return theta.detach(), losses
