"""Draws the noise before X, so X is not the generator's first draw."""
import torch

CAUGHT_BY = ["test_synthetic_data"]
MESSAGE = "draw X first"


def synthetic_data(w, b, num_examples, generator=None):
    noise = torch.normal(0, 0.01, (num_examples,), generator=generator)
    X = torch.normal(0, 1, (num_examples, len(w)), generator=generator)
    return X, (X @ w + b + noise).reshape(-1, 1)
