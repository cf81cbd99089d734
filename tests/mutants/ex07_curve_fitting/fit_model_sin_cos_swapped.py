"""sin and cos swapped in the model."""
import torch

CAUGHT_BY = ["test_fit_model", "test_fit_matches", "test_fit_approaches"]
MESSAGE = "sin/cos swapped"


def fit_model(theta, X):
    return theta[0] * X + theta[1] * torch.cos(X) + theta[2] * torch.sin(X / 4)
