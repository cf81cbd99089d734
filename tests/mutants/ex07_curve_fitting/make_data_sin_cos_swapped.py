"""sin and cos swapped in the curve."""
import torch

CAUGHT_BY = ["test_make_data"]
MESSAGE = "sin/cos swapped"


def make_data(n=1000, noise=1.0, generator=None):
    X = torch.linspace(-10, 10, n)
    y = 1.5 * torch.cos(X) + 1.2 * torch.sin(X / 4)
    return X, y, y + noise * torch.randn(n, generator=generator)
