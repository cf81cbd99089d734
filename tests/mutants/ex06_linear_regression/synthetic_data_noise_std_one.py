"""Noise from randn without the 0.01 scale: std 1 instead of 0.01."""
import torch

CAUGHT_BY = ["test_synthetic_data"]
MESSAGE = "expected 0.01"


def synthetic_data(w, b, num_examples, generator=None):
    X = torch.randn(num_examples, len(w), generator=generator)
    y = X @ w + b + torch.randn(num_examples, generator=generator)
    return X, y.reshape(-1, 1)
