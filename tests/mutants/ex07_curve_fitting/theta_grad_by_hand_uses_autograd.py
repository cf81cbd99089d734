"""Right values, but computed by autograd."""
import torch

CAUGHT_BY = ["test_theta_grad_by_hand"]
MESSAGE = "without autograd"


def theta_grad_by_hand(theta, X, yt):
    with torch.enable_grad():
        theta = theta.detach().requires_grad_(True)
        yhat = theta[0] * X + theta[1] * torch.sin(X) + theta[2] * torch.cos(X / 4)
        (grad,) = torch.autograd.grad(((yhat - yt) ** 2).mean(), theta)
    return grad
