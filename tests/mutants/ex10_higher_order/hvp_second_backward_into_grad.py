"""backward(create_graph=True), then backward of (p.grad . v): .grad still held the gradient, so g + H v."""
import torch

CAUGHT_BY = ["test_hvp"]
MESSAGE = "that is grad + H·v"


def hvp(loss_fn, params, v):
    p = params.detach().requires_grad_(True)
    loss_fn(p).backward(create_graph=True)
    (p.grad @ v).backward()
    return p.grad.detach().clone()
