"""The squared errors summed, not averaged: steps n times too large."""
import torch
from torch import nn

CAUGHT_BY = ["test_fit_matches", "test_fit_approaches"]
MESSAGE = "mean vs sum in MSE"


def fit(X, yt, epochs=500, lr=0.01, generator=None):
    theta = torch.randn(3, generator=generator, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = ((fit_model(theta, X) - yt) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return theta.detach(), losses
