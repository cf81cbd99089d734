"""Keeps the loss tensors (and their graphs) instead of Python floats."""
import torch
from torch import nn

CAUGHT_BY = ["test_fit_matches", "test_fit_approaches"]
MESSAGE = "Python floats"


def fit(X, yt, epochs=500, lr=0.01, generator=None):
    theta = torch.randn(3, generator=generator, requires_grad=True)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(fit_model(theta, X), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return theta.detach(), losses
