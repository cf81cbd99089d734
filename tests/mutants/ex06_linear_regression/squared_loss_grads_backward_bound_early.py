"""Right values through autograd, with ``Tensor.backward`` bound at the module's top under
another name, before any call is watched."""
import torch

CAUGHT_BY = ["test_squared_loss_grads"]
MESSAGE = "without autograd"

_run_backward = torch.Tensor.backward


def squared_loss_grads(X, y, w, b):
    with torch.enable_grad():
        w = w.detach().requires_grad_(True)
        b = b.detach().requires_grad_(True)
        loss = ((X @ w + b - y.reshape(-1, 1)) ** 2 / 2).sum()
        _run_backward(loss)
        return w.grad, b.grad
