"""cos(X) / 4 where the model has cos(X / 4)."""
import torch

CAUGHT_BY = ["test_fit_model", "test_fit_matches", "test_fit_approaches"]
MESSAGE = "cos(X) / 4 instead of cos(X / 4)"


def fit_model(theta, X):
    return theta[0] * X + theta[1] * torch.sin(X) + theta[2] * torch.cos(X) / 4
