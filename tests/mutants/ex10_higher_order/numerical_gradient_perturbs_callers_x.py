"""Perturbs the caller's x in place and undoes it by adding eps back: rounding leaves x changed."""
import torch

CAUGHT_BY = ["test_numerical_gradient_matches_autograd"]
MESSAGE = "changed the values of the caller's x"


def numerical_gradient(f, x, eps=1e-6):
    flat = x.view(-1)
    grad = torch.empty_like(flat)
    for i in range(flat.numel()):
        flat[i] += eps
        up = float(f(x))
        flat[i] -= 2 * eps
        down = float(f(x))
        flat[i] += eps
        grad[i] = (up - down) / (2 * eps)
    return grad.view(x.shape)
