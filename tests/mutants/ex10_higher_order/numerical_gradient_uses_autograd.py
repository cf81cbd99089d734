"""Right value, from autograd (grad turned back on) instead of differences."""
import torch

# It ignores eps too, so the eps test fails on it as well.
CAUGHT_BY = ["test_numerical_gradient_without_autograd", "test_numerical_gradient_uses_central"]
MESSAGE = "without autograd"


def numerical_gradient(f, x, eps=1e-6):
    with torch.enable_grad():
        leaf = x.detach().requires_grad_(True)
        return torch.autograd.grad(f(leaf), leaf)[0]
