"""The blog's version: numpy's global generator, which gives float64 noise and ignores the seed."""
import numpy as np
import torch

CAUGHT_BY = ["test_make_data"]
MESSAGE = "dtype"


def make_data(n=1000, noise=1.0, generator=None):
    X = torch.tensor(np.linspace(-10, 10, n), dtype=torch.float32)
    y = 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4)
    return X, y, y + np.random.normal(0, noise, n)
