"""d2l's version as printed: the draws use the global generator, so a seed does not reproduce them."""
import torch

CAUGHT_BY = ["test_synthetic_data"]
MESSAGE = "pass generator=generator"


def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))
