"""The noise comes from the global generator: a seed does not reproduce it."""
import torch

CAUGHT_BY = ["test_make_data"]
MESSAGE = "all randomness must be drawn from `generator`"


def make_data(n=1000, noise=1.0, generator=None):
    X = torch.linspace(-10, 10, n)
    y = 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4)
    return X, y, y + noise * torch.randn(n)
