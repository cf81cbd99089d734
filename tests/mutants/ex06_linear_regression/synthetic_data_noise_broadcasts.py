"""Noise drawn with shape (n, 1) and added to X @ w of shape (n,): broadcasting makes y (n, n)."""
import torch

CAUGHT_BY = ["test_synthetic_data"]
MESSAGE = "broadcasts it to (n, n)"


def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0, 1, (num_examples, len(w)), generator=generator)
    y = X @ w + b + torch.normal(0, 0.01, (num_examples, 1), generator=generator)
    return X, y
