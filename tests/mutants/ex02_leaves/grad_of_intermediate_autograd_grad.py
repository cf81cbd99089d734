"""The right value, but through torch.autograd.grad instead of a hook."""
import torch

CAUGHT_BY = ["test_grad_of_intermediate_uses_a_hook"]
MESSAGE = "torch.autograd.grad"


def grad_of_intermediate(w, x):
    w = w.detach().requires_grad_(True)
    a = w + x.detach()
    y = a * (w + 1)
    (grad,) = torch.autograd.grad(y, a)
    return grad
