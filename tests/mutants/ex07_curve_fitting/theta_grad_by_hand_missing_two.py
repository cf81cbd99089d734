"""d(r^2)/dr written as r: half the gradient."""
import torch

CAUGHT_BY = ["test_theta_grad_by_hand"]
MESSAGE = "keep the factor 2"


def theta_grad_by_hand(theta, X, yt):
    F = torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)
    return F.T @ (F @ theta - yt) / len(X)
