"""Right value through torch.autograd.functional.vjp, imported at the module's top: a
reverse pass all the same."""
import torch
from torch.autograd.functional import vjp as _vjp

CAUGHT_BY = ["test_theta_grad_by_hand"]
MESSAGE = "without autograd"


def theta_grad_by_hand(theta, X, yt):
    def loss(t):
        yhat = t[0] * X + t[1] * torch.sin(X) + t[2] * torch.cos(X / 4)
        return ((yhat - yt) ** 2).mean()

    with torch.enable_grad():
        _, grad = _vjp(loss, theta.detach())
    return grad
