"""Stops after one differentiation: returns f'(x)."""
import torch

CAUGHT_BY = ["test_second_derivative"]
MESSAGE = "first derivative"


def second_derivative(f, x):
    x = x.detach().requires_grad_(True)
    (first,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    return first.detach()
