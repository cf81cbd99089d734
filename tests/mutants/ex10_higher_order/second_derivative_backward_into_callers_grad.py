"""Right value, through backward(create_graph=True) on the caller's x: its .grad is overwritten."""
import torch

CAUGHT_BY = ["test_second_derivative_leaves_callers_x_alone"]
MESSAGE = "x.grad"


def second_derivative(f, x):
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    x.grad = None
    f(x).sum().backward(create_graph=True)
    first = x.grad
    x.grad = None
    first.sum().backward()
    return x.grad.detach().clone()
