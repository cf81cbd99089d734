"""Returns the trained leaf itself, still requiring grad."""
import torch

CAUGHT_BY = ["test_train_linear_returns"]
MESSAGE = "detach"


def train_linear(theta0, X, y, steps, lr):
    theta = theta0.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        ((X @ theta - y) ** 2).mean().backward()
        optimizer.step()
    return theta
