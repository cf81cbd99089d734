"""Right value, but it turns on requires_grad of the caller's x instead of working on a new leaf."""
import torch

CAUGHT_BY = ["test_second_derivative_leaves_callers_x_alone"]
MESSAGE = "requires_grad"


def second_derivative(f, x):
    x.requires_grad_(True)
    (first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)
    return second
