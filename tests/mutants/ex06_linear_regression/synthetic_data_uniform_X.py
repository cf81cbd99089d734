"""torch.rand where torch.randn was meant: X is uniform on [0, 1), not N(0, 1)."""
import torch

CAUGHT_BY = ["test_synthetic_data"]
MESSAGE = "X has standard deviation"


def synthetic_data(w, b, num_examples, generator=None):
    X = torch.rand(num_examples, len(w), generator=generator)
    noise = 0.01 * torch.randn(num_examples, generator=generator)
    return X, (X @ w + b + noise).reshape(-1, 1)
