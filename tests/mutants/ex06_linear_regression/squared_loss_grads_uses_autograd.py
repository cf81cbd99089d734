"""Right values, but computed by autograd."""
import torch

CAUGHT_BY = ["test_squared_loss_grads"]
MESSAGE = "without autograd"


def squared_loss_grads(X, y, w, b):
    with torch.enable_grad():
        w = w.detach().requires_grad_(True)
        b = b.detach().requires_grad_(True)
        y_hat = X @ w + b
        loss = ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum()
        return torch.autograd.grad(loss, (w, b))
