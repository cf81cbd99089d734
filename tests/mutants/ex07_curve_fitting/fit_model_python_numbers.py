"""theta's entries taken out as Python numbers: right values, no graph to theta."""
import torch

CAUGHT_BY = ["test_fit_model", "test_fit_matches", "test_fit_approaches"]
MESSAGE = "no grad_fn"


def fit_model(theta, X):
    a, b, c = theta.tolist()
    return a * X + b * torch.sin(X) + c * torch.cos(X / 4)
