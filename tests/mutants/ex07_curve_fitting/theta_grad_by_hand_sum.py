"""The gradient of the summed squared error: n times too large."""
import torch

CAUGHT_BY = ["test_theta_grad_by_hand"]
MESSAGE = "mean vs sum in MSE"


def theta_grad_by_hand(theta, X, yt):
    F = torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)
    return 2 * F.T @ (F @ theta - yt)
