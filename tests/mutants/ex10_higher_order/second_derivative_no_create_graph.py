"""The first gradient without create_graph=True: the second torch.autograd.grad has nothing to differentiate."""
import torch

CAUGHT_BY = ["test_second_derivative"]
MESSAGE = "create_graph=True"


def second_derivative(f, x):
    x = x.detach().requires_grad_(True)
    (first,) = torch.autograd.grad(f(x).sum(), x)
    (second,) = torch.autograd.grad(first.sum(), x)
    return second
