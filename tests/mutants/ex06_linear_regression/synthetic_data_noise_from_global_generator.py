"""X is drawn with the generator but the noise with the global one: a seed does not reproduce y."""
import torch

CAUGHT_BY = ["test_synthetic_data"]
MESSAGE = "all randomness must be drawn from `generator`"


def synthetic_data(w, b, num_examples, generator=None):
    X = torch.randn(num_examples, len(w), generator=generator)
    return X, (X @ w + b + 0.01 * torch.randn(num_examples)).reshape(-1, 1)
