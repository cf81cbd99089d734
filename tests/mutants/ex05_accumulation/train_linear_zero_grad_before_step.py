"""zero_grad between backward and step: every step finds .grad cleared, nothing moves."""
import torch

# A wrong value fails the side-property test too: it earns no points there either.
CAUGHT_BY = ["test_train_linear"]
MESSAGE = "the parameters never moved: was zero_grad called between backward and step?"


def train_linear(theta0, X, y, steps, lr):
    theta = theta0.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    for _ in range(steps):
        ((X @ theta - y) ** 2).mean().backward()
        optimizer.zero_grad()
        optimizer.step()
    return theta.detach()
