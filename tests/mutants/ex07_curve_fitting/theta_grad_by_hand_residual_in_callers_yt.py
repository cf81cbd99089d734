"""Computes the residual in place in yt (yt.sub_(...).neg_()): the gradient is right, but the
caller's yt now holds the residuals."""
import torch

CAUGHT_BY = ["test_theta_grad_by_hand"]
MESSAGE = "changed the values of the caller's yt"


def theta_grad_by_hand(theta, X, yt):
    F = torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)
    r = yt.sub_(F @ theta).neg_()
    return 2 / len(X) * F.T @ r
