"""The noise argument is ignored: the noise always has std 1."""
import torch

CAUGHT_BY = ["test_make_data"]
MESSAGE = "not scaled by `noise`"


def make_data(n=1000, noise=1.0, generator=None):
    X = torch.linspace(-10, 10, n)
    y = 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4)
    return X, y, y + torch.randn(n, generator=generator)
