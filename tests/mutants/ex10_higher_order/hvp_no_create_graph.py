"""The gradient without create_graph=True, so (gradient . v) cannot be differentiated."""
import torch

CAUGHT_BY = ["test_hvp"]
MESSAGE = "create_graph=True"


def hvp(loss_fn, params, v):
    p = params.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(p), p)
    (hv,) = torch.autograd.grad(g @ v, p)
    return hv
