"""cos(X) / 4 where the curve has cos(X / 4)."""
import torch

CAUGHT_BY = ["test_make_data"]
MESSAGE = "cos(X) / 4 instead of cos(X / 4)"


def make_data(n=1000, noise=1.0, generator=None):
    X = torch.linspace(-10, 10, n)
    y = 1.5 * torch.sin(X) + 1.2 * torch.cos(X) / 4
    return X, y, y + noise * torch.randn(n, generator=generator)
