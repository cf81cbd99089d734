"""torch.rand where torch.randn was meant: the noise is uniform on [0, 1), not N(0, 1)."""
import torch

CAUGHT_BY = ["test_make_data"]
MESSAGE = "(yt - y) / noise has"


def make_data(n=1000, noise=1.0, generator=None):
    X = torch.linspace(-10, 10, n)
    y = 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4)
    return X, y, y + noise * torch.rand(n, generator=generator)
