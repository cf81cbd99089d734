"""The residual taken as yt - yhat: the sign is flipped."""
import torch

CAUGHT_BY = ["test_theta_grad_by_hand"]
MESSAGE = "sign is flipped"


def theta_grad_by_hand(theta, X, yt):
    F = torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)
    return 2 / len(X) * F.T @ (yt - F @ theta)
