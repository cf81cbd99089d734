"""No create_graph, and the errors silenced: the first gradient is made to require grad and the unused
input materialised, so the "second derivative" is all zeros."""
import torch

CAUGHT_BY = ["test_second_derivative"]
MESSAGE = "all zeros: the first gradient was taken without create_graph=True"


def second_derivative(f, x):
    x = x.detach().requires_grad_(True)
    (first,) = torch.autograd.grad(f(x).sum(), x)
    first.requires_grad_(True)
    (second,) = torch.autograd.grad(first.sum(), x, allow_unused=True, materialize_grads=True)
    return second
