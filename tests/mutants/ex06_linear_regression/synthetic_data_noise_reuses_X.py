"""The noise is the first column of X scaled down, not a draw of its own: right size, not independent."""
import torch

CAUGHT_BY = ["test_synthetic_data"]
MESSAGE = "correlated"


def synthetic_data(w, b, num_examples, generator=None):
    X = torch.randn(num_examples, len(w), generator=generator)
    return X, (X @ w + b + 0.01 * X[:, 0]).reshape(-1, 1)
