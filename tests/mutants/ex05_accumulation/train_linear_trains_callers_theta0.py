"""Optimises the caller's theta0 itself instead of a leaf copy."""
import torch

CAUGHT_BY = ["test_train_linear_returns"]
MESSAGE = "theta0"


def train_linear(theta0, X, y, steps, lr):
    theta0.requires_grad_(True)
    optimizer = torch.optim.SGD([theta0], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        ((X @ theta0 - y) ** 2).mean().backward()
        optimizer.step()
    return theta0.detach().clone()
